"""The offline console: typed lines → the real bot through the fake Discord → text."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import discord
import pytest
from discord import app_commands

import cogs.meta
from bot.client import OversightBot
from bot.config import Settings
from bot.console.app import (
    BANNER,
    HINT,
    Console,
    console_main,
)
from bot.console.guild import CONSOLE_CHANNEL_ID, CONSOLE_GUILD_ID, CONSOLE_USER_ID
from bot.console.parse import Invocation, LineError, Mention, parse_command, split_words
from bot.console.render import pick_buttons, render_message, render_modal, timestamp
from db.clock import FixedClock
from db.engine import Database

UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")

# --- synthetic synced payloads, shaped like Discord's command JSON -------------------------------

COMMANDS: list[dict[str, Any]] = [
    {
        "name": "bodycam",
        "type": 1,
        "description": "Body-camera rollout",
        "options": [
            {
                "type": 1,
                "name": "city",
                "description": "One city's programme",
                "options": [
                    {"type": 3, "name": "as_of", "description": "A past date"},
                    {"type": 3, "name": "city", "description": "City", "required": True},
                ],
            },
            {
                "type": 1,
                "name": "list",
                "description": "Every city",
                "options": [
                    {
                        "type": 3,
                        "name": "status",
                        "description": "Status",
                        "choices": [
                            {"name": "Active", "value": "active"},
                            {"name": "Paused", "value": "paused"},
                        ],
                    },
                ],
            },
        ],
    },
    {
        "name": "oversight",
        "type": 1,
        "description": "Oversight questions",
        "options": [
            {
                "type": 1,
                "name": "due",
                "description": "Questions due soon",
                "options": [
                    {
                        "type": 4,
                        "name": "days",
                        "description": "Days ahead",
                        "min_value": 1,
                        "max_value": 365,
                    }
                ],
            }
        ],
    },
    {
        "name": "admin",
        "type": 1,
        "description": "Editing",
        "options": [
            {
                "type": 2,
                "name": "bodycam",
                "description": "Camera records",
                "options": [
                    {
                        "type": 1,
                        "name": "set",
                        "description": "Set a city's record",
                        "options": [
                            {"type": 3, "name": "city", "description": "c", "required": True},
                            {"type": 5, "name": "active", "description": "a", "required": True},
                            {"type": 10, "name": "cost", "description": "c"},
                            {"type": 7, "name": "channel", "description": "c"},
                            {"type": 6, "name": "who", "description": "w"},
                        ],
                    }
                ],
            }
        ],
    },
    {
        "name": "search",
        "type": 1,
        "description": "Search everything",
        "options": [{"type": 3, "name": "query", "description": "q", "required": True}],
    },
    {"name": "help", "type": 1, "description": "Every command"},
    {"name": "Report message", "type": 3, "description": ""},  # a context menu: not typeable
]


def parse(line: str) -> Invocation:
    return parse_command(line, COMMANDS)


def refused(line: str) -> str:
    with pytest.raises(LineError) as caught:
        parse(line)
    return str(caught.value)


def test_positional_values_fill_required_options_first() -> None:
    """`/bodycam city Minneapolis` gives city, though as_of is declared before it."""
    assert parse("/bodycam city Minneapolis") == Invocation("bodycam city", {"city": "Minneapolis"})
    both = parse("/bodycam city Minneapolis 2026-01-15")
    assert both.values == {"city": "Minneapolis", "as_of": "2026-01-15"}


def test_named_and_quoted_values() -> None:
    """`name:"quoted value"` and positional values mix; quotes group words; O'Hare is one word."""
    invocation = parse('/bodycam city as_of:2026-01-15 "St. Paul"')
    assert invocation.values == {"city": "St. Paul", "as_of": "2026-01-15"}
    assert parse("/bodycam city city:'St. Paul'").values == {"city": "St. Paul"}
    assert parse("/bodycam city city:“St. Paul”").values == {"city": "St. Paul"}
    assert parse("/search O'Hare airport").values == {"query": "O'Hare airport"}
    assert parse("/search https://example.org/x").values == {"query": "https://example.org/x"}
    assert [w.text for w in split_words('a "b c" d:"e f"')] == ["a", "b c", "e f"]


def test_a_text_option_runs_on_until_a_word_that_fits_the_next_option() -> None:
    """As in Discord, `city:St. Paul` is one value: a bare word after a free-text `name:value`
    continues it unless the next option in order is a typed one (number, true/false, choice)
    that the word fits; quotes end a value."""
    # The next option (as_of) is text to the console: the words are the city's, not a date.
    assert parse("/bodycam city city:St. Paul").values == {"city": "St. Paul"}
    assert parse("/bodycam city city:San Diego County").values == {"city": "San Diego County"}
    assert parse('/bodycam city city:"San Diego" 2026-01-15').values == {
        "city": "San Diego",
        "as_of": "2026-01-15",
    }
    assert parse('/bodycam city city:San Diego "2026-01-15"').values == {
        "city": "San Diego",
        "as_of": "2026-01-15",
    }
    assert parse("/admin bodycam set city:St. Paul yes").values == {
        "city": "St. Paul",
        "active": True,
    }
    assert parse("/admin bodycam set city:St. Paul Park yes 12").values == {
        "city": "St. Paul Park",
        "active": True,
        "cost": 12,
    }
    assert parse("/search query:body cameras Minneapolis").values == {
        "query": "body cameras Minneapolis"
    }
    # A word the next option takes stays that option's: positional use is unchanged.
    assert parse("/admin bodycam set city:Boston yes").values == {"city": "Boston", "active": True}
    assert "expects true or false" in refused("/admin bodycam set Boston maybe")


def test_group_and_subgroup_resolution() -> None:
    """The longest run of words naming a command path wins, down to `group subgroup sub`."""
    invocation = parse("/admin bodycam set Minneapolis yes")
    assert invocation == Invocation("admin bodycam set", {"city": "Minneapolis", "active": True})
    assert parse("/help").path == "help"
    assert "'/bodycam' needs a subcommand:\n/bodycam city — One city's programme" in refused(
        "/bodycam"
    )


def test_values_are_converted_by_option_type() -> None:
    """Integers, numbers, booleans, choices and user/channel references arrive typed."""
    assert parse("/oversight due days:30").values == {"days": 30}
    values = parse("/admin bodycam set X active:no cost:12.5 channel:<#123456789012345678>").values
    assert values == {
        "city": "X",
        "active": False,
        "cost": 12.5,
        "channel": Mention(7, 123456789012345678, "<#123456789012345678>"),
    }
    assert parse("/admin bodycam set X true who:@console").values["who"] == Mention(
        6, None, "console"
    )
    assert parse("/bodycam list status:Paused").values == {"status": "paused"}


def test_bad_values_are_refused_as_discord_would() -> None:
    """A value of the wrong type or out of range never reaches the bot."""
    assert refused("/oversight due days:soon") == "Option 'days' expects a whole number, got 'soon'"
    assert refused("/oversight due 400") == "Option 'days' must be between 1 and 365, got 400"
    assert (
        refused("/admin bodycam set X maybe")
        == "Option 'active' expects true or false, got 'maybe'"
    )
    assert refused("/admin bodycam set X yes cost:lots").startswith(
        "Option 'cost' expects a number"
    )
    assert (
        refused("/bodycam list frozen")
        == "Option 'status' must be one of: active, paused (got 'frozen')"
    )


def test_unknown_commands_options_and_missing_values() -> None:
    """Unknown command → the list; unknown option → the options; missing required → named."""
    unknown = refused("/foo")
    assert unknown.startswith("Unknown command '/foo'.\n/admin bodycam set — Set a city's record")
    assert "/help — Every command" in unknown and "Report message" not in unknown
    assert refused("/bodycam town").startswith("Unknown command '/bodycam town'.\n/bodycam city")
    assert (
        refused("/bodycam city cty:X")
        == "'/bodycam city' has no option 'cty'. Options: as_of, city"
    )
    assert refused("/bodycam city") == "Missing required option 'city' for '/bodycam city'"
    assert refused("/help now").startswith("Too many values for '/help'")
    assert refused("help") == "A command starts with '/', for example /help."
    assert refused('/search "unclosed').startswith("Missing closing quote")


# --- rendering --------------------------------------------------------------------------------

MOMENT = dt.datetime(2026, 2, 2, 17, 5, tzinfo=UTC)
UNIX = int(MOMENT.timestamp())


@pytest.mark.parametrize(
    ("style", "zone", "text"),
    [
        ("D", UTC, "February 2, 2026"),
        ("d", UTC, "02/02/2026"),
        ("f", UTC, "February 2, 2026 5:05 PM UTC"),
        ("f", NEW_YORK, "February 2, 2026 12:05 PM EST"),
        ("F", NEW_YORK, "Monday, February 2, 2026 12:05 PM EST"),
        ("t", NEW_YORK, "12:05 PM EST"),
        ("T", UTC, "5:05:00 PM UTC"),
    ],
)
def test_discord_timestamps_in_the_console_time_zone(
    style: str, zone: dt.tzinfo, text: str
) -> None:
    """Each <t:…:STYLE> reads as Discord's en-US client shows it, in the given zone."""
    assert timestamp(UNIX, style, zone, MOMENT) == text


def test_relative_timestamps() -> None:
    """R reads 'in 3 days' / '5 days ago' relative to the injected now."""
    assert timestamp(UNIX, "R", UTC, MOMENT - dt.timedelta(days=3)) == "in 3 days"
    assert timestamp(UNIX, "R", UTC, MOMENT + dt.timedelta(days=5, hours=2)) == "5 days ago"
    assert timestamp(UNIX, "R", UTC, MOMENT + dt.timedelta(hours=1)) == "1 hour ago"


def test_embed_with_fields_footer_timestamp_and_links() -> None:
    """An embed is a titled block: underline, author, description, indented fields, footer."""
    message = {
        "content": f"Due <t:{UNIX}:D> (<t:{UNIX}:R>)",
        "embeds": [
            {
                "title": "Minneapolis",
                "url": "https://example.org/mpls",
                "author": {"name": "ICE ERO"},
                "description": "See [the order](https://example.org/order) and [this](<https://x.org>).",
                "fields": [
                    {"name": "Status", "value": f"active\nsince <t:{UNIX}:d>", "inline": True},
                    {"name": "Sources", "value": "[NYT](https://nyt.com/a)"},
                ],
                "footer": {"text": "As of January 15, 2026"},
                "timestamp": MOMENT.isoformat(),
            }
        ],
        "flags": 0,
    }
    text = render_message(message, NEW_YORK, MOMENT - dt.timedelta(days=3))
    assert text == (
        "Due February 2, 2026 (in 3 days)\n"
        "\n"
        "Minneapolis <https://example.org/mpls>\n"
        "───────────\n"
        "ICE ERO\n"
        "See the order <https://example.org/order> and this <https://x.org>.\n"
        "Status:\n"
        "    active\n"
        "    since 02/02/2026\n"
        "Sources:\n"
        "    NYT <https://nyt.com/a>\n"
        "[As of January 15, 2026]\n"
        "February 2, 2026 12:05 PM EST"
    )
    assert "{" not in text


def test_ephemeral_marker_buttons_and_selects() -> None:
    """Private answers say so; buttons are [Label], disabled ones marked; selects list options."""
    message = {
        "content": "page 1 of 3",
        "flags": 64,
        "components": [
            {
                "type": 1,
                "components": [
                    {
                        "type": 2,
                        "style": 2,
                        "label": "Previous",
                        "custom_id": "p",
                        "disabled": True,
                    },
                    {"type": 2, "style": 1, "label": "Next", "custom_id": "n"},
                    {"type": 2, "style": 5, "label": "Docs", "url": "https://d.org"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "page",
                        "placeholder": "Jump to page",
                        "options": [{"label": "One", "value": "1"}, {"label": "Two", "value": "2"}],
                    }
                ],
            },
        ],
    }
    assert render_message(message, UTC, MOMENT) == (
        "(only you can see this)\n"
        "page 1 of 3\n"
        "\n"
        "[Previous (disabled)] [Next] [Docs <https://d.org>]\n"
        "<Jump to page: One | Two>"
    )


def test_modal_lists_its_field_labels() -> None:
    """A form the bot opens is named with its fields (rows of inputs, or label components)."""
    modal = {
        "title": "Answer",
        "custom_id": "m",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "Answer text"}]},
            {"type": 18, "label": "Answered on", "component": {"type": 4, "custom_id": "d"}},
        ],
    }
    assert render_modal(modal) == "Form 'Answer': Answer text, Answered on"


# --- end to end: the real bot through the fake ----------------------------------------------------


class Pager(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.page = 1

    @discord.ui.button(label="Next", custom_id="next")
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Pager]) -> None:
        self.page += 1
        await interaction.response.edit_message(content=f"page {self.page}", view=self)

    @discord.ui.select(
        custom_id="colour",
        placeholder="Colour",
        options=[
            discord.SelectOption(label="Red", value="red"),
            discord.SelectOption(label="Blue", value="blue"),
        ],
    )
    async def colour(
        self, interaction: discord.Interaction, select: discord.ui.Select[Pager]
    ) -> None:
        await interaction.response.edit_message(content=f"colour {select.values[0]}", view=self)


probe = app_commands.Group(name="probe", description="Test commands")


@probe.command(name="due", description="Echoes its typed options")
async def probe_due(
    interaction: discord.Interaction, days: app_commands.Range[int, 1, 365], loud: bool = False
) -> None:
    await interaction.response.send_message(f"days={days!r} loud={loud!r}", ephemeral=True)


@probe.command(name="who", description="Names a member")
async def probe_who(interaction: discord.Interaction, member: discord.Member) -> None:
    await interaction.response.send_message(f"who={member.name}")


@probe.command(name="pager", description="A message with a button and a menu")
async def probe_pager(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("page 1", view=Pager())


@probe.command(name="slow", description="Defers, then follows up twice")
async def probe_slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("first")
    await interaction.followup.send("second")


@probe.command(name="huge", description="Sends an embed over Discord's limits")
async def probe_huge(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=discord.Embed(description="x" * 5000))


def with_probe(settings: Settings, database: Database) -> OversightBot:
    bot = OversightBot(settings=settings, database=database, sync="force")
    bot.tree.add_command(probe)
    return bot


@pytest.fixture
async def console(bot_db: Database, settings: Settings) -> AsyncIterator[Console]:
    async with Console(
        settings, bot_db, out=io.StringIO(), tz=UTC, bot_factory=with_probe
    ) as running:
        yield running


async def test_about_shows_the_records_and_the_version(
    bot_db: Database, settings: Settings
) -> None:
    """/about through the real bot: records per kind, the version, no raw JSON."""
    async with Console(settings, bot_db, out=io.StringIO(), tz=NEW_YORK) as console:
        text = await console.run_line("/about")
        assert not console.fake.violations
    assert text.startswith("(only you can see this)\nOversight Desk\n──────────────\n")
    assert "Records (67):\n    7 bills · 12 bill actions" in text
    assert f"Version:\n    {cogs.meta.package_version()}" in text
    assert "<t:" not in text and "{" not in text


async def test_help_pages_through_with_click_by_prefix(console: Console) -> None:
    """/help opens on the staff commands with options and examples; `click next` (the start of
    "Next ▶") turns the page, `click prev` turns it back."""
    text = await console.run_line("/help")
    assert text.startswith("(only you can see this)\nCommands: Looking things up\n")
    assert "`/bodycam city <city> [as_of] [share]`:" in text
    assert "Example: `/bodycam city city:Minneapolis`" in text
    assert "[Next ▶]" in text and "page 1 of " in text
    second = await console.run_line("click next")
    assert "Commands: Channel posts, digests and calendars" in second and "page 2 of " in second
    assert "page 1 of " in await console.run_line("click prev")
    pages = [await console.run_line("click Next") for _ in range(4)]
    assert "`/probe due <days> [loud]`:" in "".join(pages)  # an unknown family: shown too
    assert "`/admin " in "".join(pages)  # the console's person owns the server: an editor


async def test_piped_script_gives_an_ordered_transcript(console: Console) -> None:
    """Comments and blanks are skipped, each line is echoed then answered, quit stops."""
    out = io.StringIO()
    console.out = out
    script = ["# a comment", "/probe due 30", "", "/probe due days:7 loud:yes", "quit", "/help"]
    assert await console.run(script) == 0
    assert out.getvalue() == (
        "> /probe due 30\n(only you can see this)\ndays=30 loud=False\n\n"
        "> /probe due days:7 loud:yes\n(only you can see this)\ndays=7 loud=True\n\n"
    )


async def test_bad_input_never_reaches_the_bot(console: Console) -> None:
    """Unknown command, bad value, unknown option, missing option: messages, no interaction."""
    unknown = await console.run_line("/foo")
    assert unknown.startswith("Unknown command '/foo'.\n/about — What this bot knows")
    assert "/probe pager — A message with a button and a menu" in unknown
    assert (
        await console.run_line("/probe due soon")
        == "Option 'days' expects a whole number, got 'soon'"
    )
    assert (
        await console.run_line("/probe due dys:3")
        == "'/probe due' has no option 'dys'. Options: days, loud"
    )
    assert await console.run_line("/probe due") == "Missing required option 'days' for '/probe due'"
    assert not console.fake.replies


async def test_members_are_named_by_name_mention_or_id(console: Console) -> None:
    """A user option takes @name, <@id> or a bare id, resolved in the console's server."""
    me = console.guild.owner
    assert await console.run_line("/probe who @console") == "who=console"
    assert await console.run_line(f"/probe who <@{me.id}>") == "who=console"
    assert await console.run_line(f"/probe who {me.id}") == "who=console"
    nobody = await console.run_line("/probe who nobody")
    assert nobody.startswith("Option 'member': no 'nobody' in this server. Known: console")


async def test_click_and_select_drive_the_last_answer(console: Console) -> None:
    """Buttons are pressed by label (any case) or custom id; menus by value or label."""
    assert await console.run_line("/probe pager") == "page 1\n\n[Next]\n<Colour: Red | Blue>"
    assert (await console.run_line("click NEXT")).startswith("page 2\n")
    assert (await console.run_line("click next")).startswith("page 3\n")
    assert (await console.run_line("select blue")).startswith("colour blue\n")
    assert (await console.run_line("select colour Red")).startswith("colour red\n")
    assert await console.run_line("click Close") == "No button 'Close'. Buttons: [Next]"
    assert (await console.run_line("click ne")).startswith("page 4\n")  # a prefix is enough


def test_click_prefers_exact_then_a_unique_prefix() -> None:
    """Exact label or id first; else the labels starting with the words typed (symbols aside);
    a prefix two enabled buttons share is ambiguous."""
    row = [
        {"type": 2, "label": "◀ Previous", "custom_id": "page:prev", "disabled": True},
        {"type": 2, "label": "Next ▶", "custom_id": "page:next"},
        {"type": 2, "label": "Next week", "custom_id": "week"},
        {"type": 2, "label": "Import", "custom_id": "confirm:yes"},
    ]
    assert [b["custom_id"] for b in pick_buttons(row, "prev")] == ["page:prev"]
    assert [b["custom_id"] for b in pick_buttons(row, "NEXT")] == ["page:next"]  # "Next ▶" in words
    assert [b["custom_id"] for b in pick_buttons(row, "ne")] == ["page:next", "week"]
    assert [b["custom_id"] for b in pick_buttons(row, "next ▶")] == ["page:next"]
    assert [b["custom_id"] for b in pick_buttons(row, "next w")] == ["week"]
    assert [b["custom_id"] for b in pick_buttons(row, "confirm:yes")] == ["confirm:yes"]
    assert pick_buttons(row, "▶") == [] and pick_buttons(row, "export") == []


async def test_deferred_answers_include_every_follow_up(console: Console) -> None:
    """A deferred command's follow-ups are printed after the response, in order."""
    assert await console.run_line("/probe slow") == "first\n\nsecond"


async def test_limit_violations_are_shown(console: Console) -> None:
    """What the fake says Discord would refuse is printed after the answer."""
    text = await console.run_line("/probe huge")
    assert "! Discord would reject this: " in text
    assert "embeds.0.description" in text


async def test_console_main_with_piped_stdin(
    bot_db: Database, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a TTY: the banner, then the transcript of the piped lines, exit 0."""
    out = io.StringIO()
    stdin = io.StringIO("/about\n/nothing\n")
    assert await asyncio.wait_for(console_main(settings, bot_db, stdin=stdin, out=out), 30) == 0
    text = out.getvalue()
    banner = BANNER.format(zone="America/New_York", folder=Path.cwd())
    assert text.startswith(banner + "\n\n> /about\n(only you can see this)\nOversight Desk\n")
    assert "\n> /nothing\nUnknown command '/nothing'.\n" in text
    assert "oversight> " not in text


# --- the whole product: posts, stable ids, forms, files -------------------------------------------


@pytest.fixture
async def desk(bot_db: Database, settings: Settings, tmp_path: Path) -> AsyncIterator[Console]:
    """The console on the real bot alone, saving files in a temporary folder."""
    async with Console(
        settings, bot_db, out=io.StringIO(), tz=UTC, save_dir=tmp_path / "saved"
    ) as running:
        yield running


async def test_ids_are_the_same_in_every_run(bot_db: Database, settings: Settings) -> None:
    """Server, channel and person keep their ids from run to run, so a subscription made in one
    run is this channel's in the next (not a channel that no longer exists)."""
    async with Console(settings, bot_db, out=io.StringIO(), tz=UTC) as first:
        ids = (first.guild.id, first.guild.channel.id, first.guild.owner.id)
        assert "Subscription #1 set up: #general" in await first.run_line("/track add all")
    async with Console(settings, bot_db, out=io.StringIO(), tz=UTC) as second:
        assert (second.guild.id, second.guild.channel.id, second.guild.owner.id) == ids
        listed = await second.run_line("/track list")
    assert ids == (CONSOLE_GUILD_ID, CONSOLE_CHANNEL_ID, CONSOLE_USER_ID)
    assert "**#1** · #general follows every kind of record" in listed
    assert "🟢 active" in listed


async def test_a_change_is_posted_into_the_console(desk: Console) -> None:
    """/track makes the channel follow changes; an edit's change post is shown with the answer
    that caused it, as a post in #general."""
    await desk.run_line("/track add bodycam")
    text = await desk.run_line("/admin bodycam set Trackton TX ICE-ERO full")
    answer, _, post = text.partition("\n\n(posted in #general)\n")
    assert answer.startswith("(only you can see this)\n")
    assert post.startswith("New · Trackton, TX · ICE-ERO\n")
    assert "**Status**: Full" in post
    assert "By:\n    @console" in post
    assert "(posted in" not in await desk.run_line("/track list")  # shown once


async def test_a_digest_is_posted_into_the_console(desk: Console, clock: FixedClock) -> None:
    """/digest set schedules this channel's digest; when it falls due the scheduler posts it and
    the console shows it as a channel post."""
    answer = await desk.run_line('/digest set "daily 9:00" post_empty:true')
    assert answer.startswith("(only you can see this)\nDigest set for #general: ")
    clock.advance(dt.timedelta(days=2))
    assert await desk.scheduler.tick() == 1
    text = await desk.run_line("/digest show")
    assert "\n\n(posted in #general)\n" in text


async def test_a_form_is_filled_field_by_field(desk: Console) -> None:
    """/admin oversight add opens its form: each field is asked for in turn, '-' leaves an
    optional one empty, a required one cannot be skipped; the last field sends it."""
    opened = await desk.run_line("/admin oversight add")
    assert opened.startswith("Form 'New oversight question': Question, Asked by, Addressed to")
    assert opened.endswith("\nQuestion (required; up to 4,000 characters):")
    assert (await desk.run_line("How many body cameras has ICE bought?")).startswith("Asked by")
    assert await desk.run_line("-") == (
        "'Asked by' is required: type its text.\nAsked by (required; up to 200 characters):"
    )
    assert (await desk.run_line("HSGAC")).startswith("Addressed to")
    assert (await desk.run_line("DHS OLA")).startswith("Notes (optional, - to leave it empty")
    done = await desk.run_line("-")
    assert done.startswith("(only you can see this)\nAdded oversight question **GQ-1**")
    assert "How many body cameras has ICE bought?" in done
    assert await desk.run_line("thanks") == HINT  # sent: the next line is not a field


async def test_a_form_takes_name_value_words(desk: Console) -> None:
    """Fields given as name:value (by id or label) on the command line send the form at once;
    an unknown field is named and the form stays open; cancel closes it unsent."""
    done = await desk.run_line(
        '/admin oversight add question:"Why no cameras?" asked_by:HSGAC addressed_to:"DHS OLA"'
    )
    assert "Added oversight question **GQ-1**" in done
    opened = await desk.run_line('/admin oversight add asked_by:HSGAC topic:"cameras"')
    assert "The form has no field 'topic'. Fields: question, asked_by, addressed_to, notes" in (
        opened
    )
    assert opened.endswith("Question (required; up to 4,000 characters):")
    # asked_by was given: the form asks for the empty fields only, then sends.
    assert (await desk.run_line('question:"Who decides?" addressed_to:ICE')).startswith(
        "(only you can see this)\nAdded oversight question **GQ-2**"
    )
    await desk.run_line("/admin oversight add")
    closed = await desk.run_line("cancel")
    assert closed == "Form 'New oversight question' closed: nothing was sent."
    assert "GQ-3" not in await desk.run_line("/oversight list")
    refused = await desk.run_line("/bodycam city Minneapolis notes:x")
    assert refused.startswith("'/bodycam city' has no option 'notes'")  # no form: still refused


async def test_import_reads_a_local_file(desk: Console, tmp_path: Path) -> None:
    """/admin import PATH uploads the file: preview, `click import`, imported; a path that is
    not there is refused before anything reaches the bot."""
    path = tmp_path / "denver.csv"
    path.write_text(
        "kind,city,state,component,status,as_of,notes\n"
        "bodycam,Denver,CO,ICE-ERO,announced,2026-11-20,\n"
    )
    preview = await desk.run_line(f"/admin import {path}")
    assert "Import preview: denver.csv" in preview and "[Import] [Cancel]" in preview
    done = await desk.run_line("click import")
    assert done.startswith("(only you can see this)\nImported denver.csv into this server's")
    assert "Denver, CO" in await desk.run_line("/bodycam city Denver")
    replies = len(desk.fake.replies)
    missing = await desk.run_line(f"/admin import {tmp_path / 'gone.csv'}")
    assert missing == f"Option 'file': no file {tmp_path / 'gone.csv'}"
    assert len(desk.fake.replies) == replies


async def test_export_writes_a_file_and_says_where(desk: Console) -> None:
    """/admin export saves the attached file in the console's folder, never over another."""
    first = await desk.run_line("/admin export bodycam")
    second = await desk.run_line("/admin export bodycam")
    folder = desk.save_dir
    saved = sorted(folder.iterdir(), key=lambda p: len(p.name))
    assert len(saved) == 2
    assert saved[1].name == saved[0].name.replace(".csv", "-2.csv")
    assert first.endswith(f"to {saved[0]}") and second.endswith(f"to {saved[1]}")
    assert f"Saved {saved[0].name} (" in second  # the bot's name for it, then where it went
    assert saved[0].read_bytes() == saved[1].read_bytes()
    assert saved[0].read_text(encoding="utf-8-sig").startswith("kind,key,")


README = Path(__file__).resolve().parents[2] / "README.md"
REFUSED = (
    "Unknown command",
    "Missing required",
    "has no option",
    "Too many values",
    "No button",
    "There is nothing to click",
    "The console could not",
    "No answer from the bot",
    "Option '",
)


async def test_the_readme_console_example_is_true(desk: Console) -> None:
    """Each `oversight>` line of the README's example runs and is answered (no refusal); the
    edit is posted in #general and the export saved."""
    lines = [
        line.removeprefix("oversight> ")
        for line in README.read_text().splitlines()
        if line.startswith("oversight> ")
    ]
    assert len(lines) >= 5
    answers = {line: await desk.run_line(line) for line in lines}
    for line, answer in answers.items():
        assert not answer.startswith(REFUSED), (line, answer)
        assert "Discord would reject" not in answer
    edit = next(a for line, a in answers.items() if line.startswith("/admin bodycam set"))
    assert "\n\n(posted in #general)\n" in edit
    form = next(a for line, a in answers.items() if line.startswith("/admin oversight add"))
    assert "Added oversight question" in form
    export = next(a for line, a in answers.items() if line.startswith("/admin export"))
    assert "\nSaved oversight-desk-bodycam-" in export
