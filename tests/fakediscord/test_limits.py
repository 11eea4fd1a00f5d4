"""Every payload is checked against Discord's documented limits; breaking one is recorded as a
Violation and answered with Discord's own error, so the bot sees what production would show.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import discord
import pytest
from discord.http import Route

from fakediscord import FakeDiscord, FakeGuild
from fakediscord.limits import Report, check_allowed_mentions, form_errors, valid_name
from tests.fakediscord.probe_bot import ProbeBot

# Every test here breaks a limit on purpose and checks the violation it recorded.
pytestmark = pytest.mark.allow_violations

NONE = {"parse": []}


async def post(bot: ProbeBot, channel_id: int, payload: dict[str, Any]) -> Any:
    """A channel post straight through discord.py's HTTP client (skipping its own checks)."""
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    return await bot.http.request(route, json=payload)


def rules(fake: FakeDiscord) -> list[str]:
    return [v.rule for v in fake.violations]


def field(name: str = "n", value: str = "v") -> dict[str, str]:
    return {"name": name, "value": value}


def button(custom_id: str, label: str = "b") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


MESSAGE_LIMITS = {
    "content_length": {"content": "x" * 2001},
    "nonce_length": {"content": "x", "nonce": "n" * 26, "enforce_nonce": True},
    "embed_count": {"embeds": [{"title": "t"}] * 11},
    "embed_title": {"embeds": [{"title": "t" * 257}]},
    "embed_description": {"embeds": [{"description": "d" * 4097}]},
    "embed_field_count": {"embeds": [{"fields": [field()] * 26}]},
    "embed_field_name": {"embeds": [{"fields": [field(name="")]}]},
    "embed_field_value": {"embeds": [{"fields": [field(value="v" * 1025)]}]},
    "embed_footer": {"embeds": [{"footer": {"text": "f" * 2049}}]},
    "embed_author": {"embeds": [{"author": {"name": "a" * 257}}]},
    "embed_total": {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
    "action_rows": {"content": "x", "components": [row(button(f"b{i}")) for i in range(6)]},
    "row_width": {"content": "x", "components": [row(*(button(f"b{i}") for i in range(6)))]},
    "custom_id": {"content": "x", "components": [row(button("c" * 101))]},
    "custom_id_duplicate": {"content": "x", "components": [row(button("same"), button("same"))]},
    "button_label": {"content": "x", "components": [row(button("b", label="l" * 81))]},
    "select_options": {
        "content": "x",
        "components": [
            row(
                {
                    "type": 3,
                    "custom_id": "s",
                    "options": [{"label": "o", "value": str(i)} for i in range(26)],
                }
            )
        ],
    },
    "empty_message": {},
}


@pytest.mark.parametrize("rule", MESSAGE_LIMITS)
async def test_channel_post_over_a_limit_is_refused(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot, rule: str
) -> None:
    """Over the limit: Discord's 400 reaches discord.py as HTTPException, nothing is posted."""
    with pytest.raises(discord.HTTPException) as raised:
        await post(bot, guild.channel.id, MESSAGE_LIMITS[rule] | {"allowed_mentions": NONE})
    assert raised.value.status == 400
    assert raised.value.code == (50006 if rule == "empty_message" else 50035)
    assert set(rules(fake)) == {rule}
    assert fake.messages(guild.channel) == []


async def test_oversized_interaction_reply_is_refused(fake: FakeDiscord, bot: ProbeBot) -> None:
    """A 2,001-character reply is refused at the callback; the command sees the 400."""

    async def long(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("x" * 2001)

    bot.cases["long"] = long
    reply = await fake.slash("probe", case="long")
    assert reply.type is None and reply.rejected
    assert rules(fake) == ["content_length"]
    assert fake.violations[0].path == "data.content"
    await fake.wait_until(lambda: bool(bot.errors))
    error = bot.errors[0]
    assert isinstance(error, discord.HTTPException) and error.code == 50035
    assert "2000 or fewer" in str(error)


async def test_too_many_autocomplete_choices(fake: FakeDiscord, bot: ProbeBot) -> None:
    """Autocomplete allows 25 choices; 26 are refused and recorded."""
    bot.autocomplete_names = [f"case-{i}" for i in range(26)]
    choices = await fake.autocomplete("probe", focused="case", value="")
    assert choices == []
    assert rules(fake) == ["autocomplete_choices"]


def command(name: str = "report", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "A command", "type": 1} | extra


def option(name: str = "city", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": "An option", "type": 3} | extra


BAD_SYNCS = {
    "command_name": [command("Bad Name")],
    "command_description": [command(description="d" * 101)],
    "option_name": [command(options=[option("City")])],
    "option_count": [command(options=[option(f"o{i}") for i in range(26)])],
    "choice_count": [
        command(options=[option(choices=[{"name": str(i), "value": str(i)} for i in range(26)])])
    ],
    "option_order": [command(options=[option("a"), option("b", required=True)])],
    "command_count": [command(f"c{i}") for i in range(101)],
}


@pytest.mark.parametrize("rule", BAD_SYNCS)
async def test_bad_command_sync_is_refused(fake: FakeDiscord, bot: ProbeBot, rule: str) -> None:
    """Names, descriptions, option and choice counts are checked on every sync."""
    before = dict(fake.synced)
    with pytest.raises(discord.HTTPException) as raised:
        await bot.http.bulk_upsert_global_commands(fake.application_id, payload=BAD_SYNCS[rule])
    assert raised.value.status == 400
    assert set(rules(fake)) == {rule}
    assert fake.synced == before and not fake.sync_calls[-1].accepted


async def test_tree_sync_failure_is_readable(fake: FakeDiscord, bot: ProbeBot) -> None:
    """discord.py turns the fake's error body into its CommandSyncFailure explanation."""

    @discord.app_commands.command(name="pick", description="Too many choices")
    @discord.app_commands.choices(
        what=[discord.app_commands.Choice(name=str(i), value=str(i)) for i in range(26)]
    )
    async def pick(interaction: discord.Interaction, what: str) -> None:
        del interaction, what

    bot.tree.add_command(pick)
    with pytest.raises(discord.app_commands.CommandSyncFailure, match="In command 'pick'"):
        await bot.tree.sync()
    assert rules(fake) == ["choice_count"]


async def test_late_first_response_is_refused(fake: FakeDiscord, bot: ProbeBot) -> None:
    """A first response after the deadline gets 10062 Unknown interaction, as on Discord."""
    fake.response_deadline = 0.2  # the same rule as 3 s, without waiting 3 s

    async def dawdle(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        await interaction.response.send_message("too late")

    bot.cases["dawdle"] = dawdle
    reply = await fake.slash("probe", case="dawdle")
    assert reply.rejected and reply.type is None
    assert rules(fake) == ["response_deadline"]
    await fake.wait_until(lambda: bool(bot.errors))
    assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062


@pytest.mark.slow
async def test_three_second_deadline(fake: FakeDiscord, bot: ProbeBot) -> None:
    """The real deadline: a callback that reaches Discord 3.05 s after dispatch is too late."""
    fake.slow("POST /interactions/*/*/callback", 3.05)
    reply = await fake.slash("bodycam city", city="Boston", within=5)
    assert reply.rejected
    assert rules(fake) == ["response_deadline"]


async def test_pings_are_recorded_but_delivered(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Missing or permissive allowed_mentions breaks the house rule; Discord would still post."""
    await post(bot, guild.channel.id, {"content": "no allowed_mentions at all"})

    async def ping(interaction: discord.Interaction) -> None:
        mentions = discord.AllowedMentions(everyone=True)
        await interaction.response.send_message("@everyone", allowed_mentions=mentions)

    bot.cases["ping"] = ping
    reply = await fake.slash("probe", case="ping")
    assert reply.content == "@everyone"
    assert len(fake.messages(guild.channel)) == 1
    assert [v.detail for v in fake.violations] == [
        "allowed_mentions missing",
        "may ping: parse everyone",
    ]


async def test_second_answer_to_one_interaction(fake: FakeDiscord, bot: ProbeBot) -> None:
    """Answering an interaction twice is 400 code 40060, and recorded."""
    reply = await fake.slash("bodycam city", city="Boston")
    url = f"{fake.api_url}/interactions/{reply.id}/{reply.token}/callback"
    body = {"type": 4, "data": {"content": "again", "allowed_mentions": NONE}}
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        assert response.status == 400
        assert (await response.json())["code"] == 40060
    assert rules(fake) == ["double_ack"]


async def test_unknown_route_is_recorded(fake: FakeDiscord, bot: ProbeBot) -> None:
    """A route the fake does not implement answers 404 and is listed for the test to notice."""
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/stickers/{id}", id=1))
    assert fake.unhandled == ["GET /stickers/1"]
    assert rules(fake) == ["unhandled_route"]


# --- the checks on their own -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("city", True),
        ("fiscal-year_2026", True),
        ("año", True),
        ("Report", False),
        ("two words", False),
        ("", False),
        ("x" * 33, False),
        ("emoji😀", False),
    ],
)
def test_command_names(name: str, valid: bool) -> None:
    assert valid_name(name) is valid


@pytest.mark.parametrize(
    ("mentions", "ok"),
    [
        ({"parse": []}, True),
        ({}, True),
        ({"parse": [], "replied_user": False}, True),
        ({"parse": ["users"]}, False),
        ({"users": ["1"]}, False),
        ({"parse": [], "replied_user": True}, False),
    ],
)
def test_allowed_mentions_rule(mentions: dict[str, Any], ok: bool) -> None:
    report = Report()
    check_allowed_mentions({"allowed_mentions": mentions}, report)
    assert (not report.findings) is ok


def test_errors_nest_like_discord() -> None:
    report = Report()
    report.max_len("embed_title", "embeds.0.title", "t" * 300, 256)
    assert form_errors(report.findings) == {
        "embeds": {
            "0": {
                "title": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_MAX_LENGTH",
                            "message": "Must be 256 or fewer in length.",
                        }
                    ]
                }
            }
        }
    }


async def test_modal_title_limit(fake: FakeDiscord, bot: ProbeBot) -> None:
    """discord.py does not check a modal's 45-character title; the fake does."""

    class Long(discord.ui.Modal, title="t" * 46):
        note: discord.ui.TextInput[Long] = discord.ui.TextInput(label="Note")

    async def open_long(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Long())

    bot.cases["long-modal"] = open_long
    reply = await fake.slash("probe", case="long-modal")
    assert reply.rejected
    assert [(v.rule, v.path) for v in fake.violations] == [("modal_title", "data.title")]


async def test_oversized_upload_is_refused(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Files beyond the 10 MiB attachment_size_limit get Discord's 413."""
    channel = bot.get_channel(guild.channel.id)
    assert isinstance(channel, discord.TextChannel)
    big = discord.File(io.BytesIO(b"x" * (10 * 1024 * 1024 + 1)), "big.bin")
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("export", file=big)
    assert (raised.value.status, raised.value.code) == (413, 40005)
    assert rules(fake) == ["attachment_size"]
