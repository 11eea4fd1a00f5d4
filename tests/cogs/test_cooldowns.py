"""Per-member cooldowns on the heavy commands (bot/cooldowns.py) end to end: past the allowance a
member is told privately when to try again and nothing runs; other members are not affected.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import cooldowns
from bot.client import OversightBot
from bot.cooldowns import Allowance
from fakediscord import FakeDiscord, FakeMember, Reply
from tests.cogs.test_admin_transfer import DENVER, FileHost, csv_file, slash_with_file
from tests.conftest import Office

HEAVY = [  # command, its allowance, options, who may run it (editors for /admin)
    ("calendar export", cooldowns.CALENDAR_EXPORT, {}, "staffer"),
    ("admin export", cooldowns.ADMIN_EXPORT, {"kind": "bodycam"}, "admin"),
]


def attachment(reply: Reply) -> str | None:
    message = reply.message
    return message.attachments[0]["filename"] if message and message.attachments else None


def refusal_wait(reply: Reply, command: str) -> int:
    """The seconds the refusal asks the member to wait; fails unless it is the refusal."""
    assert reply.ephemeral, reply.describe()
    found = re.fullmatch(
        rf"You're going fast: try /{command} again in (\d+) s\.", reply.content or ""
    )
    assert found is not None, reply.content
    return int(found.group(1))


async def use_up(
    fake: FakeDiscord, command: str, allowance: Allowance, options: dict[str, Any], who: FakeMember
) -> None:
    """Run the command as often as the allowance lets `who`: each run answers with its file."""
    for _ in range(allowance.uses):
        reply = await fake.slash(command, user=who, **options)
        assert attachment(reply) is not None, reply.describe()


@pytest.mark.parametrize(("command", "allowance", "options", "role"), HEAVY)
async def test_past_the_allowance_a_member_is_told_when_to_try_again(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    command: str,
    allowance: Allowance,
    options: dict[str, Any],
    role: str,
) -> None:
    """The run after the allowance is refused privately, naming the command and a wait of at
    least a second and at most the window; no file is made."""
    member: FakeMember = getattr(office, role)
    await use_up(fake, command, allowance, options, member)
    refused = await fake.slash(command, user=member, **options)
    assert 1 <= refusal_wait(refused, command) <= allowance.per
    assert attachment(refused) is None


@pytest.mark.parametrize(("command", "allowance", "options", "role"), HEAVY)
async def test_one_member_going_fast_does_not_hold_up_another(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    command: str,
    allowance: Allowance,
    options: dict[str, Any],
    role: str,
) -> None:
    """While one member is refused, another (with the same rights) gets their file."""
    member: FakeMember = getattr(office, role)
    other = office.guild.add_member(f"other {role}", permissions=member.permissions)
    await use_up(fake, command, allowance, options, member)
    refusal_wait(await fake.slash(command, user=member, **options), command)
    reply = await fake.slash(command, user=other, **options)
    assert attachment(reply) is not None, reply.content


async def test_the_allowance_is_counted_per_command(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A member who used up /admin export can still export the calendar."""
    await use_up(fake, "admin export", cooldowns.ADMIN_EXPORT, {"kind": "bodycam"}, office.admin)
    reply = await fake.slash("calendar export", user=office.admin)
    assert attachment(reply) is not None, reply.content


async def test_lifted_cooldowns_let_a_member_flood(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """`lift(bot)` (tests and benchmarks that flood on purpose): every run answers."""
    cooldowns.lift(bot)
    await use_up(fake, "calendar export", Allowance(5, 30.0), {}, office.staffer)


@pytest.fixture
async def host() -> AsyncIterator[FileHost]:
    files = FileHost()
    await files.start()
    yield files
    await files.stop()


async def test_an_import_past_the_allowance_is_refused_without_a_preview(
    fake: FakeDiscord, office: Office, bot: OversightBot, host: FileHost
) -> None:
    """/admin import: previews up to the allowance (each cancelled), then the refusal, with no
    preview to confirm."""
    data = csv_file(DENVER)
    for _ in range(cooldowns.ADMIN_IMPORT.uses):
        reply = await slash_with_file(fake, host, "admin import", "a.csv", data, user=office.admin)
        assert "**1** new" in reply.embeds[0]["description"], reply.describe()
        await fake.click(reply, "confirm:no", user=office.admin)
    refused = await slash_with_file(fake, host, "admin import", "a.csv", data, user=office.admin)
    assert 1 <= refusal_wait(refused, "admin import") <= cooldowns.ADMIN_IMPORT.per
    assert refused.embeds == [] and refused.components == []
