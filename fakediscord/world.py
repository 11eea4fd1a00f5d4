"""The fake's world: users, guilds, roles, channels, members and the bot's messages.

Objects render themselves as the JSON Discord would send, so REST answers, GUILD_CREATE and
interaction payloads all come from one place and cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

Json = dict[str, Any]
DISCORD_EPOCH_MS = 1_420_070_400_000
_increment = itertools.count()


def snowflake() -> int:
    """A time-ordered id shaped like Discord's (ms since 2015 << 22 | worker | increment)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (1 << 17) | (next(_increment) % 4096)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class SupportsValue(Protocol):
    """discord.Permissions (or anything with an int `value`): the fake never imports discord."""

    @property
    def value(self) -> int: ...


def as_bits(permissions: int | SupportsValue) -> int:
    return permissions if isinstance(permissions, int) else int(permissions.value)


class Perm:
    """The permission bits the fake reasons about (Discord's documented bit positions)."""

    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    SEND_MESSAGES_IN_THREADS = 1 << 38
    CREATE_EVENTS = 1 << 44
    ALL = (1 << 51) - 1
    EVERYONE = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS
    )
    BOT = EVERYONE


@dataclass(eq=False)
class FakeUser:
    id: int
    name: str
    bot: bool = False

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": None if self.bot else self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }


@dataclass(eq=False)
class FakeRole:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeChannel:
    id: int
    guild_id: int
    name: str
    type: int = 0  # 0 text, 2 voice, 4 category, 5 announcement, 15 forum
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "topic": self.topic,
            "nsfw": False,
            "parent_id": None if self.parent_id is None else str(self.parent_id),
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    guild: FakeGuild
    roles: list[FakeRole] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def permissions(self) -> int:
        """Guild-level permissions: @everyone | roles, everything for administrators/owner."""
        bits = self.guild.everyone.permissions
        for role in self.roles:
            bits |= role.permissions
        if bits & Perm.ADMINISTRATOR or self.id == self.guild.owner_id:
            return Perm.ALL
        return bits

    def to_payload(self, *, with_permissions: bool = False) -> Json:
        payload: Json = {
            "user": self.user.to_payload(),
            "nick": None,
            "avatar": None,
            "banner": None,
            "roles": [str(role.id) for role in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "avatar_decoration_data": None,
        }
        if with_permissions:
            payload["permissions"] = str(self.permissions)
        return payload


class FakeGuild:
    """A guild with an @everyone role, a default text channel `.channel` and an `.owner`."""

    def __init__(
        self,
        world: World,
        name: str,
        bot_user: FakeUser,
        bot_permissions: int,
        guild_id: int | None = None,
    ) -> None:
        self.world = world
        self.id = guild_id or snowflake()
        self.name = name
        self.locale = "en-US"
        self.roles: dict[int, FakeRole] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.members: dict[int, FakeMember] = {}
        self.everyone = FakeRole(self.id, self.id, "@everyone", Perm.EVERYONE)
        self.roles[self.id] = self.everyone
        self.owner_id = 0
        self.announced = False  # events about it reach the bot only after its GUILD_CREATE
        self.owner = self.add_member("owner")
        self.owner_id = self.owner.id
        self.event_records: dict[int, FakeScheduledEvent] = {}  # ended and cancelled too
        self.bot_role = self.add_role(bot_user.name, permissions=bot_permissions, managed=True)
        self.me = self._join(bot_user, [self.bot_role])
        self.channel = self.add_channel("general")

    def __repr__(self) -> str:
        return f"<FakeGuild {self.id} {self.name!r}>"

    def _emit(self, event: str, data: Json) -> None:
        if self.announced:
            self.world.emit(event, data)

    def add_role(
        self, name: str, *, permissions: int | SupportsValue = 0, managed: bool = False
    ) -> FakeRole:
        role = FakeRole(snowflake(), self.id, name, as_bits(permissions), len(self.roles), managed)
        self.roles[role.id] = role
        self._emit("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.to_payload()})
        return role

    def add_member(
        self,
        name: str,
        *,
        permissions: int | SupportsValue | None = None,
        roles: Iterable[FakeRole] = (),
        bot: bool = False,
    ) -> FakeMember:
        """A new user in this guild; `permissions` gives them a personal role with those bits."""
        member_roles = list(roles)
        if permissions is not None:
            member_roles.append(self.add_role(f"{name}-permissions", permissions=permissions))
        return self._join(FakeUser(snowflake(), name, bot=bot), member_roles)

    def _join(self, user: FakeUser, roles: list[FakeRole]) -> FakeMember:
        member = FakeMember(user, self, roles)
        self.members[user.id] = member
        self.world.users[user.id] = user
        return member

    def add_channel(
        self, name: str, *, type: int = 0, topic: str | None = None, parent_id: int | None = None
    ) -> FakeChannel:
        channel = FakeChannel(
            snowflake(), self.id, name, type, len(self.channels), topic, parent_id
        )
        self.channels[channel.id] = channel
        self.world.channels[channel.id] = channel
        self._emit("CHANNEL_CREATE", channel.to_payload())
        return channel

    def remove_channel(self, channel: FakeChannel | int) -> None:
        """Delete a channel: the bot gets CHANNEL_DELETE; later posts to it answer 404 10003."""
        removed = self.channels.pop(channel if isinstance(channel, int) else channel.id)
        self.world.channels.pop(removed.id, None)
        self._emit("CHANNEL_DELETE", removed.to_payload())

    def set_bot_permissions(self, *, grant: int = 0, revoke: int = 0) -> None:
        """Change the bot's own role (GUILD_ROLE_UPDATE): what a server admin does in settings."""
        role = self.bot_role
        role.permissions = (role.permissions | grant) & ~revoke
        self._emit("GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.to_payload()})

    def allow_manage_events(self, allowed: bool = True) -> None:
        """Grant (or revoke) the bot's Manage Events permission."""
        if allowed:
            self.set_bot_permissions(grant=Perm.MANAGE_EVENTS)
        else:
            self.set_bot_permissions(revoke=Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS)

    def scheduled_events(self) -> list[FakeScheduledEvent]:
        """The guild's scheduled events as members see them (not ended or cancelled), soonest
        first."""
        live = [e for e in self.event_records.values() if e.live]
        return sorted(live, key=lambda e: (e.start, e.id))

    def add_scheduled_event(
        self,
        name: str,
        start: dt.datetime,
        *,
        end: dt.datetime | None = None,
        location: str = "Room 2154",
        description: str | None = None,
        creator: FakeMember | None = None,
    ) -> FakeScheduledEvent:
        """An external event a member made (the owner by default), announced to the bot."""
        event = FakeScheduledEvent(
            id=snowflake(),
            guild_id=self.id,
            creator=(creator or self.owner).user,
            name=name,
            scheduled_start_time=start.astimezone(dt.UTC).isoformat(),
            scheduled_end_time=(end or start + dt.timedelta(hours=1))
            .astimezone(dt.UTC)
            .isoformat(),
            description=description,
            location=location,
        )
        self.event_records[event.id] = event
        self._emit("GUILD_SCHEDULED_EVENT_CREATE", event.to_payload())
        return event

    def channel_permissions(self, member: FakeMember, channel: FakeChannel) -> int:
        del channel  # no permission overwrites are modelled
        return member.permissions

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": str(self.channel.id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "preferred_locale": self.locale,
            "features": [],
            "roles": [role.to_payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "max_members": 500_000,
            "max_video_channel_users": 25,
            "application_id": None,
            "nsfw": False,
        }

    def to_create_payload(self, *, all_members: bool) -> Json:
        """GUILD_CREATE: without the members intent Discord sends only the bot's own member."""
        members = list(self.members.values()) if all_members else [self.me]
        return {
            **self.to_payload(),
            "joined_at": self.me.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.to_payload() for m in members],
            "channels": [c.to_payload() for c in self.channels.values()],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [e.to_payload() for e in self.scheduled_events()],
            "soundboard_sounds": [],
        }


@dataclass(eq=False)
class FakeScheduledEvent:
    """A guild scheduled event. status: 1 scheduled, 2 active, 3 completed, 4 cancelled;
    entity_type: 1 stage, 2 voice, 3 external (with a location)."""

    id: int
    guild_id: int
    creator: FakeUser
    name: str
    scheduled_start_time: str
    scheduled_end_time: str | None = None
    description: str | None = None
    entity_type: int = 3
    privacy_level: int = 2
    status: int = 1
    channel_id: int | None = None
    location: str | None = None
    request: Json = field(default_factory=dict)  # the creating payload, verbatim
    edits: list[Json] = field(default_factory=list)  # every PATCH payload, in order

    SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4

    @property
    def live(self) -> bool:
        return self.status in (self.SCHEDULED, self.ACTIVE)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.scheduled_start_time)

    @property
    def end(self) -> dt.datetime | None:
        end = self.scheduled_end_time
        return None if end is None else dt.datetime.fromisoformat(end)

    def to_payload(self, *, with_user_count: bool = False) -> Json:
        payload: Json = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": None if self.channel_id is None else str(self.channel_id),
            "creator_id": str(self.creator.id),
            "creator": self.creator.to_payload(),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": self.scheduled_start_time,
            "scheduled_end_time": self.scheduled_end_time,
            "privacy_level": self.privacy_level,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": {"location": self.location} if self.entity_type == 3 else None,
            "image": None,
            "recurrence_rule": None,
        }
        if with_user_count:
            payload["user_count"] = 0
        return payload


@dataclass(eq=False)
class Message:
    """A message the bot created (channel post, interaction response or follow-up)."""

    id: int
    channel_id: int
    author: FakeUser
    source: str  # "channel" | "interaction" | "followup"
    guild_id: int | None = None
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    attachments: list[Json] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    flags: int = 0
    nonce: str | int | None = None
    enforce_nonce: bool = False
    type: int = 0
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    interaction_id: int | None = None
    interaction_metadata: Json | None = None
    webhook_id: int | None = None
    deleted: bool = False
    edits: list[Json] = field(default_factory=list)  # every payload that changed it, in order
    request: Json = field(default_factory=dict)  # the creating payload, verbatim

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & self.LOADING)

    def apply(self, payload: Json, *, edit: bool = True) -> None:
        """Take the message fields present in a create/edit payload."""
        if "content" in payload:
            self.content = payload["content"] or ""
        if "embeds" in payload:
            self.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            self.components = list(payload["components"] or [])
        if payload.get("flags") is not None:
            # Ephemeral and loading are fixed by the creator; edits may change the other flags.
            fixed = self.EPHEMERAL | self.LOADING if edit else 0
            self.flags = (self.flags & fixed) | (int(payload["flags"]) & ~fixed)
        if edit:
            self.edits.append(payload)
            self.edited_timestamp = iso_now()

    def to_payload(self) -> Json:
        payload: Json = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.to_payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
        }
        if self.nonce is not None:
            payload["nonce"] = self.nonce
        if self.webhook_id is not None:
            payload["webhook_id"] = str(self.webhook_id)
            payload["application_id"] = str(self.webhook_id)
        if self.interaction_metadata is not None:
            payload["interaction_metadata"] = self.interaction_metadata
        return payload


Emitter = Callable[[str, Json], None]


class World:
    """Everything that exists, plus a hook the gateway uses to announce changes to the bot."""

    def __init__(self) -> None:
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.users: dict[int, FakeUser] = {}
        self.messages: dict[int, Message] = {}
        self._by_channel: dict[int, list[Message]] = {}
        self.message_listeners: list[Callable[[Message], None]] = []  # told of each new message
        self.emitter: Emitter | None = None

    def emit(self, event: str, data: Json) -> None:
        if self.emitter is not None:
            self.emitter(event, data)

    def guild_of(self, channel_id: int) -> FakeGuild | None:
        channel = self.channels.get(channel_id)
        return None if channel is None else self.guilds.get(channel.guild_id)

    def add_message(self, message: Message) -> Message:
        self.messages[message.id] = message
        self._by_channel.setdefault(message.channel_id, []).append(message)
        for listener in self.message_listeners:
            listener(message)
        return message

    def channel_messages(self, channel_id: int) -> list[Message]:
        return list(self._by_channel.get(channel_id, ()))
