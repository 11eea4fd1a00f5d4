"""FakeDiscord: the object tests hold. It owns the world, the HTTP server and the gateway,
the records of what the bot sent, and failure injection; the user's side is in actions.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from typing import Literal

import yarl

from .actions import UserActions
from .events import ScheduledEventRoutes
from .failures import Failures, Rule
from .gateway import GUILD_MEMBERS, Gateway, Session, shard_of
from .interactions import Reply
from .limits import Violation
from .routes import RestRoutes, SyncCall
from .server import HttpServer, RequestRecord
from .webhooks import WebhookRoutes
from .world import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeScheduledEvent,
    FakeUser,
    Json,
    Message,
    Perm,
    SupportsValue,
    World,
    as_bits,
    snowflake,
)

log = logging.getLogger(__name__)


class Changes:
    """Wakes every waiter whenever something a test may be waiting for has changed."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_for(self, predicate: Callable[[], bool], seconds: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            if self._event is None:
                self._event = asyncio.Event()
            # Also poll: some conditions (the bot's own cache) change without telling us.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), min(remaining, 0.02))
        return True


class FakeDiscord(UserActions):
    """A Discord API on 127.0.0.1 that an unmodified discord.py client logs into.

    Use `async with FakeDiscord() as fake:` and `with fake.patched():` around the bot's run.
    """

    def __init__(
        self,
        token: str = "test-token",
        *,
        bot_name: str = "Oversight Desk",
        bot_permissions: int | SupportsValue = Perm.BOT,
        response_deadline: float = 3.0,
        nonce_window: float = 300.0,
        heartbeat_interval: int = 41_250,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 5.0,
        clock: Callable[[], dt.datetime] | None = None,
        recommended_shards: int = 1,
        require_sharding: bool = False,
    ) -> None:
        self.token = token
        self.recommended_shards = recommended_shards  # what GET /gateway/bot says to run
        # "Now" for checks that read the time (an event may not start in the past); tests whose
        # bot runs on a fixed clock pass (or later set) the same one.
        self.clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now(dt.UTC))
        self.timeout = timeout  # default wait for answers, in seconds (per call: `within=`)
        self.host, self.port = host, port
        self.response_deadline = response_deadline
        self.nonce_window = nonce_window
        self.bot_permissions = as_bits(bot_permissions)
        self.world = World()
        self.world.emitter = self._emit
        self.bot_user = FakeUser(snowflake(), bot_name, bot=True)
        self.owner_user = FakeUser(snowflake(), "app-owner")
        self.world.users[self.bot_user.id] = self.bot_user
        self.application_id = snowflake()
        self.violations: list[Violation] = []
        self.requests: list[RequestRecord] = []
        self.unhandled: list[str] = []
        self.synced: dict[int | None, list[Json]] = {}
        self.sync_calls: list[SyncCall] = []
        self.command_ids: dict[tuple[int | None, int, str], int] = {}
        self.replies: dict[int, Reply] = {}
        self.nonces: dict[str, tuple[Message, float]] = {}
        self.failures = Failures()
        self._tokens: dict[str, Reply] = {}
        self._changes = Changes()
        self.gateway = Gateway(
            token=token,
            ready_payload=self._ready_payload,
            guild_payloads=self._guild_payloads,
            on_change=self.notify,
            heartbeat_interval=heartbeat_interval,
            require_sharding=require_sharding,
        )
        self._server = HttpServer(self)
        RestRoutes(self).register(self._server)
        WebhookRoutes(self).register(self._server)
        ScheduledEventRoutes(self).register(self._server)

    # --- lifecycle and wiring ---------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        self.port = await self._server.start(self.host, self.port)
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        await self._server.stop()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    @contextlib.contextmanager
    def patched(self) -> Iterator[FakeDiscord]:
        """Point discord.py's two hard-coded endpoints (REST base, gateway) here, then restore."""
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        if not self.port:
            raise RuntimeError("start the fake (async with FakeDiscord() as fake) before patching")
        saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.api_url
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved

    def notify(self) -> None:
        self._changes.notify()

    @property
    def require_sharding(self) -> bool:
        """Refuse an IDENTIFY without `shard` (close code 4011, "Sharding required")."""
        return self.gateway.require_sharding

    @require_sharding.setter
    def require_sharding(self, value: bool) -> None:
        self.gateway.require_sharding = value

    def violation(self, route: str, rule: str, detail: str, path: str = "") -> None:
        log.warning("fake discord violation: %s %s %s", route, rule, detail)
        self.violations.append(Violation(route, rule, detail, path))
        self.notify()

    # --- the world --------------------------------------------------------------------------

    def add_guild(
        self, name: str, *, guild_id: int | None = None, shard: tuple[int, int] | None = None
    ) -> FakeGuild:
        """A guild the bot is in (announced with GUILD_CREATE to its shard's session, if that is
        connected); a fixed `guild_id` lets data written for it be found again in a later run
        (the console); `shard` (shard_id, shard_count) picks an id on that shard."""
        if shard is not None and guild_id is None:
            guild_id = id_on_shard(snowflake(), *shard)
        guild = FakeGuild(self.world, name, self.bot_user, self.bot_permissions, guild_id)
        self.world.guilds[guild.id] = guild
        guild.announced = True
        for session in self.gateway.sessions_for(guild.id):
            self.gateway.send(session, "GUILD_CREATE", self._guild_payload(guild, session))
        return guild

    def remove_guild(self, guild: FakeGuild) -> None:
        """The bot is removed from the guild (GUILD_DELETE)."""
        self.world.guilds.pop(guild.id, None)
        for channel_id in guild.channels:
            self.world.channels.pop(channel_id, None)
        self._emit("GUILD_DELETE", {"id": str(guild.id)})

    def _emit(self, event: str, data: Json) -> None:
        self.gateway.emit(event, data)  # to the guild's shard, if connected

    def _ready_payload(self, session: Session) -> Json:
        user = self.bot_user.to_payload() | {"verified": True, "mfa_enabled": False, "email": None}
        return {
            "v": 10,
            "user": user,
            "guilds": [
                {"id": str(g), "unavailable": True} for g in self.world.guilds if session.covers(g)
            ],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "auth": {},
            "user_settings": {},
        } | ({"shard": list(session.shard)} if session.sharded else {})

    def _guild_payload(self, guild: FakeGuild, session: Session) -> Json:
        return guild.to_create_payload(all_members=bool(session.intents & GUILD_MEMBERS))

    def _guild_payloads(self, session: Session) -> list[Json]:
        """The GUILD_CREATEs of the session's shard."""
        return [
            self._guild_payload(g, session)
            for g in self.world.guilds.values()
            if session.covers(g.id)
        ]

    # --- waiting ----------------------------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[], bool], within: float | None = None, what: str = "condition"
    ) -> None:
        seconds = self._within(within)
        if not await self._changes.wait_for(predicate, seconds):
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")

    async def wait_until_connected(self, within: float | None = None) -> None:
        """Until IDENTIFY (or RESUME) is answered and every GUILD_CREATE has been written: on
        every shard of the last IDENTIFY's count, when the bot is sharded."""
        gateway = self.gateway
        seconds = self._within(within, 10.0)
        await self._changes.wait_for(lambda: gateway.ready.is_set() or bool(gateway.fatal), seconds)
        if gateway.fatal:
            raise RuntimeError(gateway.fatal)
        if not gateway.ready.is_set():
            seen = ", ".join(f"{r.method} {r.path} → {r.status}" for r in self.requests[-5:])
            raise AssertionError(f"bot did not connect within {seconds}s (last requests: {seen})")

    async def wait_for_sync(
        self,
        within: float | None = None,
        *,
        scope: Literal["any", "global"] | FakeGuild | int = "any",
    ) -> SyncCall:
        """Until an accepted command sync arrived (any, global only, or for one guild)."""
        wanted = scope if isinstance(scope, int) else getattr(scope, "id", None)

        def match() -> SyncCall | None:
            for call in self.sync_calls:
                if call.accepted and (scope == "any" or call.guild_id == wanted):
                    return call
            return None

        seconds = self._within(within, 10.0)
        await self.wait_until(lambda: match() is not None, seconds, f"a command sync ({scope})")
        found = match()
        assert found is not None
        return found

    async def wait_for_messages(
        self, channel: FakeChannel | int, count: int = 1, within: float | None = None
    ) -> list[Message]:
        await self.wait_until(
            lambda: len(self.messages(channel)) >= count,
            within,
            f"{count} message(s) in {channel}",
        )
        return self.messages(channel)

    # --- reading back -----------------------------------------------------------------------

    def messages(
        self, channel: FakeChannel | int, *, interactions: bool = False, deleted: bool = False
    ) -> list[Message]:
        """Messages the bot posted to a channel, oldest first (channel posts only by default)."""
        return [
            m
            for m in self.world.channel_messages(_id(channel))
            if (interactions or m.source == "channel") and (deleted or not m.deleted)
        ]

    def visible_messages(self, channel_id: int) -> list[Message]:
        return [
            m for m in self.world.channel_messages(channel_id) if not (m.deleted or m.ephemeral)
        ]

    def scheduled_events(self, guild: FakeGuild | int) -> list[FakeScheduledEvent]:
        """The guild's live scheduled events (not ended or cancelled), soonest first."""
        return self.world.guilds[_id(guild)].scheduled_events()

    def reply_by_token(self, token: str) -> Reply | None:
        return self._tokens.get(token)

    @property
    def resumes(self) -> int:
        return self.gateway.resumes

    @property
    def identifies(self) -> int:
        return self.gateway.identifies

    # --- gateway control ----------------------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> int:
        """Send any gateway event to the bot; returns once written (or buffered while down)."""
        seq = self.gateway.dispatch(event, data)
        await self.gateway.flush()
        return seq

    async def drop_gateway(
        self, code: int = 4000, *, invalidate: bool = False, shard: int | None = None
    ) -> None:
        """Close the bot's websocket (one shard's, or every one); it should RESUME (or
        re-IDENTIFY after `invalidate`)."""
        await self.gateway.drop(code, invalidate=invalidate, shard=shard)

    # --- failure injection ------------------------------------------------------------------

    def fail(
        self,
        route_glob: str,
        status: int,
        *,
        times: int | None = 1,
        retry_after: float = 0.05,
        global_: bool = False,
        delay: float = 0.0,
        lost: bool = False,
    ) -> Rule:
        """Answer the next `times` matching requests with `status` (Discord's body and headers);
        with `lost`, each request takes effect first and only its answer is the failure."""
        return self.failures.add(
            route_glob,
            status,
            times=times,
            retry_after=retry_after,
            global_=global_,
            delay=delay,
            lost=lost,
        )

    def fail_scheduled_events(
        self, times: int = 1, status: int = 503, *, method: str = "", lost: bool = False
    ) -> Rule:
        """Fail the next `times` scheduled-event requests (of one `method`, or any). 503 reaches
        discord.py at once (it retries 500/502/504 itself); `lost`: Discord acted (the event is
        created, moved or deleted), but the bot hears the failure, as after a crash mid-call."""
        glob = f"{method} /guilds/*/scheduled-events**".strip()
        return self.fail(glob, status, times=times, lost=lost)

    def slow(self, route_glob: str, seconds: float, *, times: int | None = None) -> Rule:
        """Hold matching requests for `seconds` before handling them."""
        return self.failures.add(route_glob, 0, times=times, delay=seconds)


def id_on_shard(snowflake_id: int, shard_id: int, shard_count: int) -> int:
    """The id a few milliseconds after `snowflake_id` that falls on the given shard."""
    return snowflake_id + (((shard_id - shard_of(snowflake_id, shard_count)) % shard_count) << 22)


def _id(thing: FakeGuild | FakeChannel | FakeMember | FakeRole | FakeUser | int) -> int:
    return thing if isinstance(thing, int) else thing.id
