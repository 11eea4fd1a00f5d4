"""Who may use /admin: Discord's default hides it, the bot checks every call anyway."""

from __future__ import annotations

from bot.client import OversightBot
from fakediscord import FakeDiscord
from tests.conftest import Office


def admin_group(fake: FakeDiscord) -> dict:  # type: ignore[type-arg]
    return next(c for c in fake.synced[None] if c["name"] == "admin")


async def test_admin_is_hidden_by_default_and_guild_only(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    """Discord shows /admin only to Manage Server by default, and never in DMs."""
    group = admin_group(fake)
    assert str(group["default_member_permissions"]) == str(1 << 5)  # Manage Server
    assert group["contexts"] == [0]
    assert not fake.violations


async def test_a_viewer_whose_discord_permission_was_overridden_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A staffer without Manage Server who can see /admin (a server override) is refused
    privately, and nothing changes."""
    reply = await fake.slash("admin editors list", user=office.staffer)
    assert reply.ephemeral
    assert reply.content.startswith("Managing editor roles needs the Manage Server permission")
    assert not fake.violations


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
    assert not fake.violations


async def test_everyone_cannot_be_an_editor_role(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Making @everyone an editor role is refused with the reason."""
    reply = await fake.slash(
        "admin editors add", options={"role": office.guild.everyone}, user=office.admin
    )
    assert reply.content.startswith("@everyone cannot be an editor role")
    assert not fake.violations
