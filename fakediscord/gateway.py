"""The gateway websocket: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, zlib-stream.

Dispatches are numbered and logged per session, so a dropped connection loses nothing: the
client RESUMEs with its last sequence number and the missed events are replayed in order.
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


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    log: list[tuple[int, Json]] = field(default_factory=list)
    conn: Connection | None = None


class Gateway:
    """Sessions and connections; `ready` is set while a session is live (after READY/RESUMED)."""

    def __init__(
        self,
        *,
        token: str,
        ready_payload: Callable[[Session], Json],
        guild_payloads: Callable[[Session], list[Json]],
        on_change: Callable[[], None],
        heartbeat_interval: int = 41_250,
    ) -> None:
        self.token = token
        self.ready_payload = ready_payload
        self.guild_payloads = guild_payloads
        self.heartbeat_interval = heartbeat_interval
        self.session: Session | None = None
        self.on_change = on_change
        self.ready = asyncio.Event()
        self.identifies = 0
        self.resumes = 0
        self.fatal: str | None = None  # a protocol problem the test must hear about
        self.connections: set[Connection] = set()
        self.queries: list[dict[str, str]] = []  # the query string of every connection

    # --- dispatching ---------------------------------------------------------------------------

    def dispatch(self, event: str, data: Json) -> int:
        """Number, log and (if connected) send a dispatch; returns its sequence number."""
        session = self.session
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: the bot never identified")
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
        if self.session is not None and self.session.conn is not None:
            await self.session.conn.flush()

    async def drop(self, code: int = 4000, *, invalidate: bool = False) -> None:
        """Close the live connection; with `invalidate` the next RESUME is refused (op 9)."""
        session = self.session
        if session is None or session.conn is None:
            raise RuntimeError("no live gateway connection to drop")
        conn, session.conn = session.conn, None
        self.ready.clear()
        if invalidate:
            self.session = None
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
            if self.session is not None and self.session.conn is conn:
                self.session.conn = None
                self.ready.clear()
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
            self._chunk(data or {})
        elif op in (3, 4):
            pass  # presence / voice state updates: accepted, nothing to do
        else:
            await conn.close(4001, b"Unknown opcode")

    async def _identify(self, conn: Connection, data: Json) -> None:
        if data.get("token") != self.token:
            await conn.close(4004, b"Authentication failed.")
            return
        if self.session is not None and self.session.conn is not None:
            await self.session.conn.close(4000, b"superseded")
        self.identifies += 1
        self.session = session = Session(secrets.token_hex(16), int(data.get("intents") or 0))
        session.conn = conn
        self.dispatch("READY", self.ready_payload(session))
        for guild in self.guild_payloads(session):
            self.dispatch("GUILD_CREATE", guild)
        await conn.flush()
        self.ready.set()
        self.on_change()

    async def _resume(self, conn: Connection, data: Json) -> None:
        session = self.session
        if (
            session is None
            or data.get("session_id") != session.id
            or data.get("token") != self.token
        ):
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            await session.conn.close(4000, b"resumed elsewhere")
        last = int(data.get("seq") or 0)
        for seq, frame in session.log:
            if seq > last:
                conn.send(frame)
        session.conn = conn
        self.dispatch("RESUMED", {})
        self.resumes += 1
        await conn.flush()
        self.ready.set()
        self.on_change()

    def _chunk(self, data: Json) -> None:
        for payload in self.guild_payloads(self.session) if self.session else []:
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
                self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
