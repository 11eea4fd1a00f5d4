"""Who may use /admin: Discord's default hides it, the bot checks every call anyway; bot owners
keep the shared dataset and are editors in a server only if that server makes them so."""

from __future__ import annotations

import pytest

from bot.client import OversightBot
from bot.config import Settings, load_settings
from db.scope import Scope, find_visible
from fakediscord import FakeDiscord, FakeMember
from tests.cogs.admin_support import revision_count, with_owner
from tests.conftest import Office
from tests.support.commands import synced_command

MINNEAPOLIS = "minneapolis-mn-ice-ero"
CAMERAS = {"city": "Minneapolis", "state": "MN", "component": "ICE-ERO"}


@pytest.fixture
def owner(office: Office) -> FakeMember:
    """One of the bot's owners, an ordinary member of the office's server (no permissions)."""
    return office.guild.add_member("owner")


@pytest.fixture
def settings(owner: FakeMember) -> Settings:
    return with_owner(load_settings(None, environ={}), owner.id)


async def minneapolis(bot: OversightBot, scope: Scope) -> tuple[int | None, str]:
    """The Minneapolis camera record `scope` sees: whose it is (None: shared) and its status."""
    async with bot.database.session() as session:
        record = await find_visible(session, scope, "bodycam", MINNEAPOLIS)
    return record.guild_id, record.status


async def test_admin_is_hidden_by_default_and_guild_only(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    """Discord shows /admin only to Manage Server by default, and never in DMs."""
    group = synced_command(fake, "admin")
    assert str(group["default_member_permissions"]) == str(1 << 5)  # Manage Server
    assert group["contexts"] == [0]


async def test_a_viewer_whose_discord_permission_was_overridden_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer without Manage Server who can see /admin (a server override) is refused
    privately, and nothing changes."""
    reply = await fake.slash("admin editors list", user=office.staffer)
    assert reply.ephemeral
    assert reply.content.startswith("Managing editor roles needs the Manage Server permission")


async def test_manage_server_adds_an_editor_role_whose_members_then_edit(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """An admin adds 'Staff editors'; its members pass the editor check, others still do not."""
    role = office.guild.add_role("Staff editors")
    editor = office.guild.add_member("editor", roles=[role])
    before = await fake.slash("admin editors add", options={"role": role}, user=editor)
    assert "Managing editor roles needs the Manage Server permission" in before.content
    added = await fake.slash("admin editors add", options={"role": role}, user=office.admin)
    assert added.content == f"Members with <@&{role.id}> can now edit this server's records."
    assert added.ephemeral
    again = await fake.slash("admin editors add", options={"role": role}, user=office.admin)
    assert "already was an editor role; nothing changed" in again.content
    listed = await fake.slash("admin editors list", user=office.admin)
    assert f"<@&{role.id}>" in listed.content
    removed = await fake.slash("admin editors remove", options={"role": role}, user=office.admin)
    assert removed.content == f"<@&{role.id}> is no longer an editor role."


async def test_everyone_cannot_be_an_editor_role(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Making @everyone an editor role is refused with the reason."""
    reply = await fake.slash(
        "admin editors add", options={"role": office.guild.everyone}, user=office.admin
    )
    assert reply.content.startswith("@everyone cannot be an editor role")


async def test_an_owner_without_manage_server_is_refused_a_server_write(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """A bot owner is not an editor of a server that did not make them one: a write to the
    server's records (and an export of them) is refused, naming what they need; nothing changes."""
    before = await revision_count(bot.database)
    reply = await fake.slash("admin bodycam set", **CAMERAS, status="ended", user=owner)
    assert reply.ephemeral
    assert reply.content.startswith("Only editors can change records in this server")
    assert "Manage Server" in reply.content and "/admin editors add" in reply.content
    assert "dataset: shared" in reply.content
    exported = await fake.slash("admin export", kind="bodycam", user=owner)
    assert exported.content.startswith("Only editors can change records in this server")
    assert not exported.message.attachments
    assert await revision_count(bot.database) == before
    assert await minneapolis(bot, Scope.guild(office.guild.id)) == (None, "full")


async def test_the_same_owner_writes_the_shared_dataset(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """Keeping the shared dataset is the owners' job: with dataset: shared the owner's change
    needs no permission in the server it was typed in, and every server sees it."""
    reply = await fake.slash(
        "admin bodycam set", **CAMERAS, status="partial", dataset="shared", user=owner
    )
    first = reply.content.splitlines()[0]
    assert first.startswith("Updated") and "in the shared dataset" in first, reply.content
    assert await minneapolis(bot, Scope.shared()) == (None, "partial")
    assert await minneapolis(bot, Scope.guild(office.guild.id)) == (None, "partial")


async def test_an_owner_with_an_editor_role_writes_server_records(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """Once the server makes the owner an editor (an editor role), they change its records like
    any editor: the change is the server's own and the shared record stays as it was."""
    role = office.guild.add_role("Staff editors")
    added = await fake.slash("admin editors add", options={"role": role}, user=office.admin)
    assert added.content.startswith("Members with")
    owner.roles.append(role)  # the server gives the owner its editor role
    reply = await fake.slash("admin bodycam set", **CAMERAS, status="ended", user=owner)
    assert "this server" in reply.content and "ended" in reply.content, reply.content
    assert await minneapolis(bot, Scope.guild(office.guild.id)) == (office.guild.id, "ended")
    assert await minneapolis(bot, Scope.shared()) == (None, "full")
