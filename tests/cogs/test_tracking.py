"""/track add, list and remove end to end through the fake Discord, and the gateway events that
pause subscriptions: who may use it, no backlog, previews, states and counts, re-enabling, and
privacy between servers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import OversightBot
from db import tracking
from db.models import Subscription
from fakediscord import FakeDiscord, FakeMember, Perm
from tests.conftest import Office
from tests.support.commands import synced_command
from tests.support.replies import buttons

Json = dict[str, Any]


@pytest.fixture
def clerk(office: Office) -> FakeMember:
    """A member with Manage Channels (and nothing else)."""
    return office.guild.add_member("clerk", permissions=Perm.MANAGE_CHANNELS)


async def subscriptions(bot: OversightBot, guild_id: int) -> list[Subscription]:
    return await tracking.list_subscriptions(bot.database, guild_id)


async def eventually(check: Any, within: float = 5.0) -> None:
    """Wait for an async predicate (a gateway event is handled after it is written)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def test_track_is_guild_only_and_hidden_from_members_without_manage_channels(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    track = synced_command(fake, "track")
    assert str(track["default_member_permissions"]) == str(1 << 4)  # Manage Channels
    assert track["contexts"] == [0]
    names = {option["name"] for option in track["options"]}
    assert names == {"add", "list", "remove"}


async def test_add_subscribes_the_channel_with_no_backlog_and_a_preview(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    reply = await fake.slash("track add", kind="oversight", user=clerk)
    assert reply.ephemeral
    [subscription] = await subscriptions(bot, office.guild.id)
    assert (subscription.channel_id, subscription.kind) == (office.guild.channel.id, "oversight")
    assert subscription.created_by == clerk.id
    assert (subscription.only, subscription.state, subscription.record_key) == (
        "all",
        "active",
        None,
    )
    assert f"<#{office.guild.channel.id}> follows oversight questions (all changes)" in (
        reply.content
    )
    assert "posts nothing from the past" in reply.content
    [preview] = reply.embeds
    assert preview["description"] == "**Status**: Pending → Answered"
    assert preview["title"] == "Changed · oversight question (example)"
    by = next(f["value"] for f in preview["fields"] if f["name"] == "By")
    assert by == f"<@{clerk.id}>"
    assert preview["footer"]["text"].startswith("Preview")
    posted = fake.world.channel_messages(office.guild.channel.id)
    assert [m for m in posted if not m.ephemeral] == []  # nothing from the past was posted


async def test_a_member_without_manage_channels_is_refused_and_nothing_is_written(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The staffer can see /track only through a server override: the bot still refuses."""
    for user in (office.staffer, office.admin):  # Manage Server is not Manage Channels
        reply = await fake.slash("track add", kind="all", user=user)
        assert reply.ephemeral
        assert reply.content.startswith("Managing tracking needs the Manage Channels permission")
        listed = await fake.slash("track list", user=user)
        assert listed.content.startswith("Managing tracking needs the Manage Channels")
        choices = await fake.autocomplete(
            "track remove", focused="subscription", value="", user=user
        )
        assert choices == []
    assert await subscriptions(bot, office.guild.id) == []


async def test_a_duplicate_is_refused_clearly(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    await fake.slash("track add", kind="bodycam", user=clerk)
    again = await fake.slash("track add", kind="bodycam", only="status", user=clerk)
    assert again.ephemeral
    assert again.content == (
        "This channel already follows bodycam; remove that subscription to change it."
    )
    assert len(await subscriptions(bot, office.guild.id)) == 1


async def test_a_record_subscription_and_a_record_of_the_wrong_kind(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    reply = await fake.slash(
        "track add", kind="oversight", record="OQ-4", only="status", user=clerk
    )
    [subscription] = await subscriptions(bot, office.guild.id)
    assert (subscription.record_kind, subscription.record_key) == ("question", "OQ-4")
    assert subscription.only == "status"
    assert "follows oversight question OQ-4 (status changes)" in reply.content
    assert reply.embeds[0]["title"] == "Changed · oversight question OQ-4"
    wrong = await fake.slash("track add", kind="bodycam", record="OQ-4", user=clerk)
    assert wrong.ephemeral
    assert wrong.content == "record: a bodycam subscription follows bodycam records"
    anything = await fake.slash("track add", kind="all", record="OQ-4", user=clerk)
    assert "Subscription #" in anything.content
    assert len(await subscriptions(bot, office.guild.id)) == 2


async def test_list_shows_states_counts_and_re_enables_a_paused_subscription(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    alerts = office.guild.add_channel("alerts")
    await fake.slash("track add", kind="oversight", user=clerk)
    await fake.slash("track add", kind="bodycam", channel=alerts, user=clerk)
    first, second = sorted(await subscriptions(bot, office.guild.id), key=lambda s: s.id or 0)
    listed = await fake.slash("track list", user=clerk)
    assert listed.ephemeral
    text = listed.embeds[0]["description"]
    assert f"**#{first.id}** · <#{office.guild.channel.id}> follows oversight questions" in text
    assert f"**#{second.id}** · <#{alerts.id}> follows body cameras (all changes)" in text
    assert text.count("🟢 active · 0 pending · 0 failed") == 2
    assert buttons(listed) == {}  # nothing to re-enable

    assert await tracking.pause_channel(bot.database, alerts.id, "missing access (403)") == 1
    listed = await fake.slash("track list", user=clerk)
    assert (
        "⏸️ paused: missing access (403) · 0 pending · 0 failed" in (listed.embeds[0]["description"])
    )
    assert list(buttons(listed)) == [f"track:reenable:{second.id}"]

    clicked = await fake.click(listed, f"track:reenable:{second.id}", user=clerk)
    assert clicked.message is not None
    assert "paused" not in clicked.embeds[0]["description"]
    assert clicked.embeds[0]["description"].count("🟢 active") == 2
    assert clicked.message.components == []
    assert f"Re-enabled #{second.id}" in (clicked.content or "")
    states = {s.id: s.state for s in await subscriptions(bot, office.guild.id)}
    assert states == {first.id: "active", second.id: "active"}


async def test_list_offers_at_most_five_buttons(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    for index in range(7):
        channel = office.guild.add_channel(f"c{index}")
        await tracking.add_subscription(bot.database, office.guild.id, channel.id, "all")
    await tracking.pause_guild(bot.database, office.guild.id, "testing")
    listed = await fake.slash("track list", user=clerk)
    assert len(buttons(listed)) == 5
    assert listed.embeds[0]["description"].count("⏸️ paused: testing") == 7


async def test_remove_with_autocomplete(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    await fake.slash("track add", kind="appropriations", user=clerk)
    [subscription] = await subscriptions(bot, office.guild.id)
    choices = await fake.autocomplete(
        "track remove", focused="subscription", value="approp", user=clerk
    )
    channel = office.guild.channel
    label = f"#{subscription.id} · #{channel.name} · appropriations · all changes"
    assert choices == [{"name": label, "value": subscription.id}]
    reply = await fake.slash("track remove", subscription=subscription.id, user=clerk)
    assert reply.ephemeral
    assert reply.content.startswith(f"Removed subscription #{subscription.id}: <#{channel.id}>")
    assert await subscriptions(bot, office.guild.id) == []
    again = await fake.slash("track remove", subscription=subscription.id, user=clerk)
    assert again.content == f"No subscription #{subscription.id} in this server."


async def test_another_servers_subscriptions_are_never_listed_or_removable(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    other = fake.add_guild("Office of Sen. Other")
    await fake.slash("track add", kind="all", guild=other)  # the other guild's owner
    [theirs] = await subscriptions(bot, other.id)
    listed = await fake.slash("track list", guild=office.guild, user=clerk)
    assert "No channel follows anything yet" in listed.embeds[0]["description"]
    choices = await fake.autocomplete(
        "track remove", focused="subscription", guild=office.guild, user=clerk
    )
    assert choices == []
    refused = await fake.slash(
        "track remove", subscription=theirs.id, guild=office.guild, user=clerk
    )
    assert refused.content == f"No subscription #{theirs.id} in this server."
    assert await subscriptions(bot, other.id) == [theirs]
    clicked = await fake.slash("track list", guild=other)
    assert f"**#{theirs.id}**" in clicked.embeds[0]["description"]


async def test_a_deleted_channel_pauses_its_subscriptions(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    alerts = office.guild.add_channel("alerts")
    await fake.slash("track add", kind="oversight", channel=alerts, user=clerk)
    await fake.slash("track add", kind="bodycam", user=clerk)
    await fake.dispatch("CHANNEL_DELETE", alerts.to_payload())

    async def paused() -> bool:
        states = {s.channel_id: s.state for s in await subscriptions(bot, office.guild.id)}
        return states == {alerts.id: "paused", office.guild.channel.id: "active"}

    await eventually(paused)
    listed = await fake.slash("track list", user=clerk)
    assert "⏸️ paused: channel deleted" in listed.embeds[0]["description"]


async def test_removal_from_a_server_pauses_its_subscriptions(
    fake: FakeDiscord, office: Office, bot: OversightBot, clerk: FakeMember
) -> None:
    other = fake.add_guild("Office of Sen. Other")
    await fake.slash("track add", kind="all", guild=other)
    await fake.slash("track add", kind="all", guild=office.guild, user=clerk)
    fake.remove_guild(other)

    async def paused() -> bool:
        [theirs] = await subscriptions(bot, other.id)
        return theirs.state == "paused" and theirs.state_reason == "bot removed from the server"

    await eventually(paused)
    [ours] = await subscriptions(bot, office.guild.id)
    assert ours.state == "active"
