"""The gateway websocket: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, zlib-stream,
and sharding.

Dispatches are numbered and logged per session, so a dropped connection loses nothing: the
client RESUMEs with its last sequence number and the missed events are replayed in order.

Each session is one shard: IDENTIFY's `shard` [id, count] (none: [0, 1]). As on Discord, a
guild's GUILD_CREATE, its events and its interactions go only to the session of shard
(guild_id >> 22) % count; events without a guild go to shard 0. With `require_sharding`, an
IDENTIFY without `shard` is refused with close code 4011, as Discord refuses a bot past 2,500
guilds; a shard outside [0, count) gets 4010.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

Json = dict[str, Any]
log = logging.getLogger(__name__)

GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_SCHEDULED_EVENTS = 1 << 16
# Events the bot only receives with a given intent (guilds-only bots must not see them).
EVENT_INTENTS = {
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
}


class Connection:
    """One websocket. A single writer task keeps frames (and the zlib stream) in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        # zlib-stream: ONE compressor per connection, every message ends with a sync flush.
        self.compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.writer = asyncio.create_task(self._write())

    def send(self, frame: Json) -> None:
        self.queue.put_nowait(json.dumps(frame))

    async def _write(self) -> None:
        while True:
            text = await self.queue.get()
            try:
                if self.ws.closed:
                    continue
                if self.compressor is None:
                    await self.ws.send_str(text)
                else:
                    data = self.compressor.compress(text.encode())
                    await self.ws.send_bytes(data + self.compressor.flush(zlib.Z_SYNC_FLUSH))
            except (ConnectionError, RuntimeError):
                log.debug("gateway write failed; the client will resume")
            finally:
                self.queue.task_done()

    async def flush(self) -> None:
        """Until every queued frame is written (or the writer is gone with the socket)."""
        joined = asyncio.ensure_future(self.queue.join())
        await asyncio.wait({joined, self.writer}, return_when=asyncio.FIRST_COMPLETED)
        joined.cancel()

    async def close(self, code: int, message: bytes = b"") -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=code, message=message), 2.0)
        self.writer.cancel()


GUILD_BY_ID = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})  # their guild: `id`
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (guild_id >> 22) % shard_count


def guild_of(event: str, data: Json) -> int | None:
    """The guild a dispatch belongs to; None for one without a guild (shard 0 gets those)."""
    raw = data.get("id") if event in GUILD_BY_ID else data.get("guild_id")
    return int(raw) if raw else None


def valid_shard(raw: Any) -> tuple[int, int] | None:
    """IDENTIFY's [shard_id, shard_count] as a pair, or None when Discord would refuse it."""
    if not (isinstance(raw, list) and len(raw) == 2 and all(type(n) is int for n in raw)):
        return None
    shard_id, count = raw
    return (shard_id, count) if 0 <= shard_id < count else None


@dataclass
class Session:
    id: str
    intents: int
    shard: tuple[int, int] = (0, 1)  # [shard_id, shard_count]; an unsharded IDENTIFY is [0, 1]
    sharded: bool = False  # IDENTIFY named its shard (READY then names it back)
    seq: int = 0
    log: list[tuple[int, Json]] = field(default_factory=list)
    conn: Connection | None = None
    live: bool = False  # READY (or RESUMED) and what came with it are written

    def covers(self, guild_id: int | None) -> bool:
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


class Gateway:
    """Sessions, one per shard, and connections. `ready` is set while every shard of the last
    IDENTIFY's count has a live session (after READY/RESUMED): for an unsharded bot, its one."""

    def __init__(
        self,
        *,
        token: str,
        ready_payload: Callable[[Session], Json],
        guild_payloads: Callable[[Session], list[Json]],
        on_change: Callable[[], None],
        heartbeat_interval: int = 41_250,
        require_sharding: bool = False,
    ) -> None:
        self.token = token
        self.ready_payload = ready_payload
        self.guild_payloads = guild_payloads  # the guilds of the session's shard
        self.heartbeat_interval = heartbeat_interval
        self.require_sharding = require_sharding  # refuse an IDENTIFY without `shard` (4011)
        self.sessions: dict[tuple[int, int], Session] = {}
        self.shard_count = 1  # the count the last IDENTIFY gave
        self.on_change = on_change
        self.ready = asyncio.Event()
        self.identifies = 0
        self.resumes = 0
        self.fatal: str | None = None  # a protocol problem the test must hear about
        self.connections: set[Connection] = set()
        self.queries: list[dict[str, str]] = []  # the query string of every connection

    @property
    def session(self) -> Session | None:
        """The lowest shard's session (an unsharded bot's only one); None before any IDENTIFY."""
        return min(self.sessions.values(), key=lambda s: s.shard, default=None)

    def live_shards(self) -> set[int]:
        """The shards (of the last IDENTIFY's count) whose session is connected and ready."""
        return {
            s.shard[0]
            for s in self.sessions.values()
            if s.live and s.conn is not None and s.shard[1] == self.shard_count
        }

    def _update_ready(self) -> None:
        if self.sessions and self.live_shards() >= set(range(self.shard_count)):
            self.ready.set()
        else:
            self.ready.clear()

    # --- dispatching ---------------------------------------------------------------------------

    def sessions_for(self, guild_id: int | None) -> list[Session]:
        """The sessions a guild's events go to (the one of its shard, in practice)."""
        return [s for s in self.sessions.values() if s.covers(guild_id)]

    def dispatch(self, event: str, data: Json) -> int:
        """Number, log and (if connected) send a dispatch to the session of its guild's shard;
        returns its sequence number there. An error when no session runs that shard."""
        if not self.sessions:
            raise RuntimeError(f"cannot dispatch {event}: the bot never identified")
        guild_id = guild_of(event, data)
        sessions = self.sessions_for(guild_id)
        if not sessions:
            shards = sorted(s.shard for s in self.sessions.values())
            raise RuntimeError(
                f"cannot dispatch {event} for guild {guild_id}: no session runs its shard "
                f"(sessions' [shard, count]: {shards})"
            )
        seq = 0
        for session in sessions:
            seq = self.send(session, event, data)
        return seq

    def emit(self, event: str, data: Json) -> None:
        """Dispatch a change in the world to the sessions of its guild's shard, if any (a shard
        that identifies later finds the change in its GUILD_CREATE)."""
        for session in self.sessions_for(guild_of(event, data)):
            self.send(session, event, data)

    def send(self, session: Session, event: str, data: Json) -> int:
        """Number, log and (if connected) send one dispatch on one session."""
        needed = EVENT_INTENTS.get(event)
        if needed is not None and not session.intents & needed:
            return session.seq
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.log.append((session.seq, frame))
        if session.conn is not None:
            session.conn.send(frame)
        return session.seq

    async def flush(self) -> None:
        for session in list(self.sessions.values()):
            if session.conn is not None:
                await session.conn.flush()

    async def drop(
        self, code: int = 4000, *, invalidate: bool = False, shard: int | None = None
    ) -> None:
        """Close the live connection of `shard` (None: every live one); with `invalidate` the
        next RESUME is refused (op 9)."""
        dropping = [
            s
            for s in self.sessions.values()
            if s.conn is not None and (shard is None or s.shard[0] == shard)
        ]
        if not dropping:
            raise RuntimeError("no live gateway connection to drop")
        for session in dropping:
            session.live = False
            if invalidate:
                del self.sessions[session.shard]
        self._update_ready()
        for session in dropping:
            conn, session.conn = session.conn, None
            if conn is not None:
                await conn.close(code, b"dropped by fake")

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, b"fake shutting down")

    # --- the websocket handler ------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False, max_msg_size=0)
        await ws.prepare(request)
        self.queries.append(dict(request.query))
        problem = self._check_query(request.query)
        if problem:
            self.fatal = problem
            log.error("%s", problem)
            self.on_change()
            await ws.close(code=4000, message=problem[:120].encode())
            return ws
        conn = Connection(ws, request.query.get("compress") == "zlib-stream")
        self.connections.add(conn)
        conn.send(
            {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None}
        )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._receive(conn, json.loads(message.data))
                elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    break
        finally:
            self.connections.discard(conn)
            for session in self.sessions.values():
                if session.conn is conn:
                    session.conn, session.live = None, False
            self._update_ready()
            if not ws.closed:
                await conn.close(1000)
            conn.writer.cancel()
            self.on_change()
        return ws

    @staticmethod
    def _check_query(query: Any) -> str | None:
        compress = query.get("compress")
        if compress not in (None, "zlib-stream"):
            return (
                f"gateway compress={compress!r} is not supported by the fake (only zlib-stream); "
                "uninstall zstandard or connect without it"
            )
        if query.get("encoding", "json") != "json":
            return f"gateway encoding={query.get('encoding')!r} is not supported (json only)"
        return None

    async def _receive(self, conn: Connection, frame: Json) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            self._chunk(conn, data or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: accepted, nothing to do
        else:
            await conn.close(4001, b"Unknown opcode")

    async def _identify(self, conn: Connection, data: Json) -> None:
        if data.get("token") != self.token:
            await conn.close(4004, b"Authentication failed.")
            return
        raw = data.get("shard")
        if raw is None and self.require_sharding:
            await conn.close(SHARDING_REQUIRED, b"Sharding required.")
            return
        shard = (0, 1) if raw is None else valid_shard(raw)
        if shard is None:
            await conn.close(INVALID_SHARD, b"Invalid shard.")
            return
        previous = self.sessions.get(shard)
        if previous is not None and previous.conn is not None:
            await previous.conn.close(4000, b"superseded")
        if shard[1] != self.shard_count:  # re-sharded: forget the old count's closed sessions
            self.sessions = {
                key: s
                for key, s in self.sessions.items()
                if s.conn is not None or key[1] == shard[1]
            }
            self.shard_count = shard[1]
        self.identifies += 1
        session = Session(
            secrets.token_hex(16), int(data.get("intents") or 0), shard, raw is not None
        )
        session.conn = conn
        self.sessions[shard] = session
        self.send(session, "READY", self.ready_payload(session))
        for guild in self.guild_payloads(session):
            self.send(session, "GUILD_CREATE", guild)
        await conn.flush()
        session.live = session.conn is conn
        self._update_ready()
        self.on_change()

    async def _resume(self, conn: Connection, data: Json) -> None:
        wanted = data.get("session_id")
        session = next((s for s in self.sessions.values() if s.id == wanted), None)
        if session is None or data.get("token") != self.token:
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            await session.conn.close(4000, b"resumed elsewhere")
        last = int(data.get("seq") or 0)
        for seq, frame in session.log:
            if seq > last:
                conn.send(frame)
        session.conn = conn
        self.send(session, "RESUMED", {})
        self.resumes += 1
        await conn.flush()
        session.live = session.conn is conn
        self._update_ready()
        self.on_change()

    def _chunk(self, conn: Connection, data: Json) -> None:
        session = next((s for s in self.sessions.values() if s.conn is conn), None)
        if session is None:
            return
        for payload in self.guild_payloads(session):
            if payload["id"] == str(data.get("guild_id")):
                chunk = {
                    "guild_id": payload["id"],
                    "members": payload["members"],
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                }
                if data.get("nonce"):
                    chunk["nonce"] = data["nonce"]
                self.send(session, "GUILD_MEMBERS_CHUNK", chunk)
