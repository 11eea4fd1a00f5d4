"""/help end to end: each command with its options and an example, staff commands first, /admin
only to editors, pages through the buttons; and the rendering's limits on its own."""

from __future__ import annotations

from bot.client import OversightBot
from bot.render.meta import HelpEntry, HelpOption, help_example, help_pages, help_syntax
from fakediscord import FakeDiscord, Reply
from tests.conftest import Office
from tests.support.commands import leaves
from tests.support.replies import buttons, field_list, titles


def commands_on(reply: Reply) -> list[str]:
    """The command syntaxes (field names) on the reply's current page."""
    return [name.strip("`") for name, _ in field_list(reply)]


async def all_pages(fake: FakeDiscord, reply: Reply) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, fields) of every page, pressing Next ▶ until it is disabled."""
    pages = [(titles(reply)[0], field_list(reply))]
    while "page:next" in buttons(reply) and not buttons(reply)["page:next"].get("disabled"):
        reply = await fake.click(reply, "page:next", user=reply.user)
        pages.append((titles(reply)[0], field_list(reply)))
    return pages


async def test_help_opens_on_staff_commands_with_options_and_examples(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Page 1 is the lookups: each command's syntax (required <…>, optional […]), what its
    options mean, and an example that can be typed as it stands."""
    reply = await fake.slash("help", user=office.staffer)
    assert reply.ephemeral
    assert titles(reply) == ["Commands: Looking things up"]
    shown = commands_on(reply)
    assert shown[0].startswith("/approps ")
    assert "/bodycam city <city> [as_of] [share]" in shown
    assert "/search <query> [share]" in shown
    city = dict(field_list(reply))["`/bodycam city <city> [as_of] [share]`"]
    assert city.startswith("Every component's body-camera status in a city")
    assert "• `city` — A city, e.g. Minneapolis" in city
    assert "• `as_of` — Show the status on this date" in city
    assert city.endswith("Example: `/bodycam city city:Minneapolis`")
    listing = dict(field_list(reply))["`/bodycam list [status] [state] [component] [share]`"]
    assert "(None known, Announced, Partial, Full" in listing  # the choices, by their labels
    assert "Example: `/bodycam list status:Full`" in listing
    assert "share:true posts the answer" in reply.embeds[0]["footer"]["text"]


async def test_help_hides_admin_from_staff_and_shows_it_to_editors(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer's pages never name /admin and say editors see more; an editor (Manage
    Server) gets the editing commands last, with their options."""
    staff = await all_pages(fake, await fake.slash("help", user=office.staffer))
    staff_commands = [name for _, fields in staff for name, _ in fields]
    assert not any("/admin" in name for name in staff_commands)
    assert [title for title, _ in staff] == [
        "Commands: Looking things up",
        "Commands: Channel posts, digests and calendars",
        "Commands: About the bot",
    ]
    sections = {title: [name for name, _ in fields] for title, fields in staff}
    about = " ".join(sections["Commands: About the bot"])
    channel = " ".join(sections["Commands: Channel posts, digests and calendars"])
    assert "/calendar export" in channel and "/calendar" not in about
    first = await fake.slash("help", user=office.staffer)
    assert first.embeds[0]["description"] == "Editors also see the /admin commands here."

    editor = await all_pages(fake, await fake.slash("help", user=office.admin))
    assert [title for title, _ in editor][:3] == [title for title, _ in staff]
    assert all(title.startswith("Commands: Editing records") for title, _ in editor[3:])
    admin = dict(field for _, fields in editor[3:] for field in fields)
    add = next(value for name, value in admin.items() if name.startswith("`/admin bodycam set"))
    assert "`/admin bodycam set <city> <state> <component> <status>" in next(
        name for name in admin if name.startswith("`/admin bodycam set")
    )
    assert "• `officers` — Officers equipped" in add
    assert "Example: `/admin bodycam set city:Minneapolis state:MN component:" in add
    assert len(staff_commands) + len(admin) == len(
        [name for _, fields in editor for name, _ in fields]
    )


async def test_help_covers_every_synced_command_with_its_options(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Generated from the tree: an editor's pages name every synced command once, with every
    option it declares and its description (the staffer's: all but /admin)."""
    pages = await all_pages(fake, await fake.slash("help", user=office.admin))
    fields = [field for _, page in pages for field in page]
    shown = {name.strip("`").split(" <")[0].split(" [")[0]: (name, v) for name, v in fields}
    assert len(shown) == len(fields)  # each command once
    synced = leaves(fake.synced[None])
    assert sorted(shown) == sorted(f"/{name}" for name in synced)
    for name, leaf in synced.items():
        syntax, value = shown[f"/{name}"]
        assert value.startswith(leaf["description"])
        for option in leaf.get("options", []):
            assert option["name"] in syntax
    staff = await all_pages(fake, await fake.slash("help", user=office.staffer))
    assert sum(len(f) for _, f in staff) == len([n for n in synced if not n.startswith("admin")])
    assert not fake.violations


def test_pages_stay_within_discords_limits_and_keep_examples() -> None:
    """Many long options: every page under 6,000 characters and 25 fields, every field value
    under 1,024, the example kept when option lines are dropped."""
    option = HelpOption("opt", "x" * 90)
    entries = [HelpEntry(f"search sub{i}", "Does a thing", tuple([option] * 15)) for i in range(40)]
    pages = help_pages(entries, editor=False)
    assert len(pages) > 1
    for page in pages:
        embed = page[0]
        assert len(embed.fields) <= 25
        size = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
        size += sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
        assert size <= 6000
        for field in embed.fields:
            assert len(field.value or "") <= 1024
            assert "\n…\nExample: `/search sub" in (field.value or "")


def test_examples_use_required_options_choices_and_own_examples() -> None:
    """Required options get a sample value; a choice option gets one of its choices; a
    command's own example (extras) wins; unknown families are shown with the bot's commands."""
    bill = HelpEntry("approps bill", "A bill", (HelpOption("bill", "The bill", True),))
    assert help_syntax(bill) == "/approps bill <bill>"
    assert help_example(bill) == '/approps bill bill:"H.R. 7147"'
    status = HelpOption("status", "Status", False, ("Pending", "Answered"))
    assert help_example(HelpEntry("oversight list", "d", (status,))) == (
        "/oversight list status:Pending"
    )
    own = HelpEntry("x", "d", (HelpOption("bill", "b", True),), example="/x bill:7147")
    assert help_example(own) == "/x bill:7147"
    pages = help_pages([HelpEntry("newthing", "New"), HelpEntry("search", "S")], editor=False)
    assert [p[0].title for p in pages] == ["Commands: Looking things up", "Commands: About the bot"]
