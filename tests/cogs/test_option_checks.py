"""Every option is checked by the bot itself, as if Discord's client checks did not exist.

The fake's `slash` refuses values Discord's client would refuse, so `send` builds the command
payload from the fake's own parts and adds `raw` options exactly as given: what a hostile client
or a stale command registration can send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.client import OversightBot
from fakediscord import FakeDiscord, FakeMember, Reply
from fakediscord.interactions import (
    APPLICATION_COMMAND,
    build_options,
    command_data,
    resolve_command,
)
from tests.cogs.admin_support import revision_count
from tests.conftest import Office
from tests.support.commands import leaves

Json = dict[str, Any]
MARKUP = "@everyone <@123> <@&456> **bold** `code` ||spoiler|| # Head\n> quote [x](http://x) "
HOSTILE = (MARKUP * 80)[:6000]  # Discord's longest string option, all markdown and mentions


async def send(
    fake: FakeDiscord,
    path: str,
    *,
    user: FakeMember,
    raw: Mapping[str, Any] = {},
    typed: Mapping[str, int] = {},
    extra: Sequence[Json] = (),
    **valid: Any,
) -> Reply:
    """Run `/path` with `valid` options built as the fake builds them and `raw` ones sent as
    given (typed as declared, or as `typed` says), then the `extra` option payloads verbatim."""
    guild = user.guild
    command, chain, is_guild = resolve_command(fake.synced, guild.id, path)
    leaf = chain[-1] if chain else command
    declared = {o["name"]: o for o in leaf.get("options", [])}
    kept = [o | {"required": False} for o in declared.values() if o["name"] not in raw]
    plain = {**leaf, "options": kept}
    if chain:
        options, resolved = build_options(command, [*chain[:-1], plain], valid, guild)
    else:
        options, resolved = build_options(plain, [], valid, guild)
    node = options
    for _ in chain:
        node = node[0]["options"]
    for name, value in raw.items():
        kind = typed.get(name, declared[name]["type"] if name in declared else 3)
        node.append({"name": name, "type": kind, "value": value})
    node.extend(extra)
    payload = command_data(command, options, resolved, guild.id if is_guild else None)
    label = f"/{path} (raw {sorted(raw)})"
    return await fake._interact(
        APPLICATION_COMMAND, label, guild, guild.channel, user, payload, None, "visible", None
    )


def refused(reply: Reply) -> str:
    """The private refusal's text."""
    assert reply.ephemeral, reply.describe()
    assert reply.content is not None
    return reply.content


async def test_an_integer_outside_its_range_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/oversight due days:100000 (declared 1–365): refused, naming the option and the range."""
    reply = await send(fake, "oversight due", user=office.staffer, raw={"days": 100_000})
    assert refused(reply) == "`days` must be between 1 and 365; you sent 100000."
    assert not fake.violations


async def test_a_string_longer_than_its_maximum_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/search with a 101-character query (declared 2–100): refused with both lengths."""
    reply = await send(fake, "search", user=office.staffer, raw={"query": "x" * 101})
    assert refused(reply) == "`query` must be between 2 and 100 characters long; you sent 101."
    reply = await send(fake, "search", user=office.staffer, raw={"query": "x"})
    assert refused(reply) == "`query` must be between 2 and 100 characters long; you sent 1."
    assert not fake.violations


async def test_a_value_outside_the_declared_choices_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/bodycam list status:bogus: refused, listing the choices; the value is shown defanged."""
    reply = await send(fake, "bodycam list", user=office.staffer, raw={"status": "bogus`@x"})
    text = refused(reply)
    assert text.startswith("`status` must be one of ")
    assert "Full (full)" in text
    assert text.endswith("; you sent `bogusʹ@x`.")
    assert not fake.violations


async def test_an_admin_export_of_an_unknown_kind_is_refused_without_a_file(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/admin export kind:everything format:xml: refused at the first bad option, no file."""
    raw = {"kind": "everything", "format": "xml"}
    reply = await send(fake, "admin export", user=office.admin, raw=raw)
    text = refused(reply)
    assert text.startswith("`kind` must be one of Bills (measure), ")
    assert text.endswith("you sent `everything`.")
    assert not reply.message.attachments
    reply = await send(fake, "admin export", user=office.admin, raw={"format": "xml"}, kind="all")
    assert refused(reply) == "`format` must be one of CSV (csv), JSON (json); you sent `xml`."
    assert not fake.violations


async def test_a_calendar_export_of_an_unknown_kind_is_refused_without_a_file(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/calendar export kinds:hearings: refused, listing the choices; no file is sent."""
    reply = await send(fake, "calendar export", user=office.staffer, raw={"kinds": "hearings"})
    assert refused(reply) == (
        "`kinds` must be one of All deadlines (all), Oversight questions (oversight), Funding "
        "ends and lapses (funding); you sent `hearings`."
    )
    assert reply.message is None or not reply.message.attachments
    assert not fake.violations


async def test_an_admin_write_with_a_bad_option_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/admin bodycam set with officers above its declared maximum: refused and no revision;
    the same command with officers in range writes."""
    city = {"city": "Denver", "state": "CO", "component": "ICE-ERO", "status": "full"}
    before = await revision_count(bot.database)
    reply = await send(
        fake, "admin bodycam set", user=office.admin, raw={"officers": 1_000_001}, **city
    )
    assert refused(reply) == "`officers` must be between 0 and 1000000; you sent 1000001."
    assert await revision_count(bot.database) == before
    await send(fake, "admin bodycam set", user=office.admin, raw={"officers": 10}, **city)
    assert await revision_count(bot.database) == before + 1
    assert not fake.violations


async def test_an_option_of_the_wrong_type_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """days sent as text, as a fraction or as true: refused, saying a whole number is wanted."""
    user = office.staffer
    reply = await send(fake, "oversight due", user=user, raw={"days": "ten"}, typed={"days": 3})
    assert refused(reply) == "`days` must be a whole number; you sent text."
    reply = await send(fake, "oversight due", user=user, raw={"days": "ten"})
    assert refused(reply) == "`days` must be a whole number; you sent `ten`."
    reply = await send(fake, "oversight due", user=user, raw={"days": 7.5})
    assert refused(reply) == "`days` must be a whole number; you sent 7.5."
    reply = await send(fake, "oversight due", user=user, raw={"share": "yes"}, days=7)
    assert refused(reply) == "`share` must be true or false; you sent `yes`."
    assert not fake.violations


async def test_an_integer_without_a_declared_range_keeps_to_discords(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/track remove subscription: 2^53 + 1: refused with Discord's own integer range."""
    reply = await send(fake, "track remove", user=office.admin, raw={"subscription": 2**53 + 1})
    assert refused(reply) == (
        "`subscription` must be between -9007199254740992 and 9007199254740992; "
        "you sent 9007199254740993."
    )
    assert not fake.violations


async def test_unknown_missing_and_repeated_options_are_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """An option the command lacks, a required one left out, one sent twice: each refused."""
    user = office.staffer
    reply = await send(fake, "search", user=user, raw={"colour": "red"}, query="ice")
    assert refused(reply) == (
        "/search: `colour` was sent but the command has no such option; its options: `query`, "
        "`share`. Type / to pick the command again."
    )
    reply = await send(fake, "search", user=user, raw={"share": True})
    assert refused(reply) == "`query` is required. Type / to pick the command again."
    twice = [{"name": "query", "type": 3, "value": "ice"}]
    reply = await send(fake, "search", user=user, raw={"query": "ice"}, extra=twice)
    assert refused(reply).startswith("/search: `query` was sent twice; its options: ")
    assert not fake.violations


def filler(spec: Json) -> Any:
    """A value Discord's client would allow for an option that is not under test."""
    if spec.get("choices"):
        return spec["choices"][0]["value"]
    return {3: "x" * max(1, spec.get("min_length", 1)), 4: spec.get("min_value", 1), 5: False}[
        spec["type"]
    ]


def hostile_cases(commands: list[Json]) -> list[tuple[str, str, Any, Json]]:
    """(command, option, hostile value, the other required options) for every string option
    (6,000 characters of markdown and mentions) and integer option (±2^53) of every command
    whose required options are plain values."""
    cases = []
    for path, leaf in sorted(leaves(commands).items()):
        options = leaf.get("options", [])
        if any(o["type"] not in (3, 4, 5) for o in options if o.get("required")):
            continue  # /admin import's file, /admin editors' role: covered by their own tests
        for option in options:
            values = {3: [HOSTILE], 4: [2**53, -(2**53)]}.get(option["type"], [])
            others = {
                o["name"]: filler(o)
                for o in options
                if o.get("required") and o["name"] != option["name"]
            }
            cases += [(path, option["name"], value, others) for value in values]
    return cases


async def test_every_option_survives_extreme_values_within_discords_limits(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Every command, each string option at 6,000 characters of markdown and mentions and
    each integer option at ±2^53: exactly one answer each, and no Discord limit broken."""
    cases = hostile_cases(fake.synced[None])
    assert len(cases) > 100
    problems = []
    for path, name, value, others in cases:
        reply = await send(fake, path, user=office.admin, raw={name: value}, **others)
        said = (reply.content or "") + str(reply.embeds)
        if reply.rejected or reply.type is None or len(reply.followups) > 1:
            problems.append(f"/{path} {name}: {reply.describe()}")
        elif "Something went wrong" in said:
            problems.append(f"/{path} {name}: {said[:200]}")
    assert not problems, "\n".join(problems)
    assert not fake.violations


async def test_every_autocomplete_survives_extreme_partial_text(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Autocomplete gets partial text unchecked by design: for every autocomplete option, 6,000
    characters of markdown and mentions still get a list of choices within Discord's limits."""
    asked = 0
    for path, leaf in sorted(leaves(fake.synced[None]).items()):
        for option in leaf.get("options", []):
            if option.get("autocomplete"):
                reply = await fake.autocomplete_reply(
                    path, focused=option["name"], value=HOSTILE, user=office.admin
                )
                assert reply.type == 8 and not reply.rejected, reply.describe()
                asked += 1
    assert asked > 20
    assert not fake.violations
