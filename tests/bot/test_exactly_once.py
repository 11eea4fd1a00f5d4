"""Exactly once as seen in the channel, across processes (issue 6, "Scale across processes").

Real bot processes (tests/bot/outbox_worker.py, the real OversightBot with a Dispatcher) post
through the fake Discord running in this test's process; the fake counts posts by nonce and by
content.

- Crash (SQLite): a worker is killed with SIGKILL in the middle of 200 deliveries (50 changes × 4
  channels), a second one is started → 200 posts, 200 nonces, 200 contents, nothing lost or
  doubled, the last within 20 s of the restart.
- Two processes (PostgreSQL): two workers share one schema and dispatch 1,000 deliveries (100
  changes × 10 channels) → 1,000 posts, each once.

Both workers run with the production lease (10 s, renewed by a heartbeat while posting), so the
killed worker's in-flight batches are taken over at most 10 s after it died.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.clock import SystemClock
from db.engine import Database, make_engine
from db.models import Delivery
from db.scope import Actor, Scope
from db.seed import load_seed
from db.tracking import add_subscription
from fakediscord import FakeDiscord
from fakediscord.world import Message
from tests.conftest import PG_URL, TOKEN, Office, open_database

ROOT = Path(__file__).resolve().parents[2]
KEY = "minneapolis-mn-ice-ero"
EDITOR = Actor("alice", 1001)
POSTS = "POST /channels/*/messages"


@asynccontextmanager
async def worker(
    fake: FakeDiscord,
    db_url: str,
    name: str,
    log: Path,
    *extra: str,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A worker process; SIGKILLed on the way out if it still runs."""
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bot.outbox_worker",
            "--db",
            db_url,
            "--api",
            fake.api_url,
            "--gateway",
            fake.gateway_url,
            "--token",
            TOKEN,
            "--worker",
            name,
            *extra,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
    try:
        yield process
    finally:
        await kill(process)


async def ready(process: asyncio.subprocess.Process, within: float = 60) -> None:
    """Wait for the worker's "ready" line: from then on its dispatcher polls the outbox."""
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), within)
    assert line == b"ready\n", f"the worker said {line!r} instead of ready"


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        os.kill(process.pid, signal.SIGKILL)
    await asyncio.wait_for(process.wait(), 10)


async def changes(db: Database, count: int, label: str) -> None:
    """`count` separate writer transactions, each one change event."""
    for index in range(count):
        async with db.writer(Scope.shared(), EDITOR) as writer:
            await writer.change("bodycam", KEY, {"notes": f"{label} note {index:04d}"})


async def statuses(db: Database) -> Counter[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        return Counter({status: count for status, count in rows.all()})


async def wait_all_sent(db: Database, total: int, within: float) -> Counter[str]:
    deadline = time.monotonic() + within
    found: Counter[str] = Counter()
    while time.monotonic() < deadline:
        found = await statuses(db)
        if found["sent"] == total:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries not all sent within {within}s: {dict(found)}")


def content(message: Message) -> tuple[str, ...]:
    """Where a post went and what it says: each embed's description and footer ("change #N")."""
    said = [f"{e.get('description')}|{(e.get('footer') or {}).get('text')}" for e in message.embeds]
    return (str(message.channel_id), *said)


def figures(messages: Iterable[Message], expected: int) -> dict[str, int]:
    messages = list(messages)
    nonces = Counter(m.nonce for m in messages)
    contents = Counter(content(m) for m in messages)
    return {
        "posts": len(messages),
        "distinct nonces": len(nonces),
        "distinct contents": len(contents),
        "duplicated": sum(n - 1 for n in contents.values() if n > 1),
        "lost": expected - len(contents),
    }


def post_requests(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path.endswith("/messages"))


# ---------------------------------------------------------------- crash (SQLite)

RECOVERY_SECONDS = 20.0  # restart → last post (the lease was 60 s; now 10 s, renewed)


async def test_a_worker_killed_mid_fan_out_then_restarted_posts_each_delivery_once_soon(
    fake: FakeDiscord, office: Office, seeded_template: Path, tmp_path: Path
) -> None:
    """50 changes followed in 4 channels (200 deliveries); SIGKILL after ~50 posts; a second
    worker with the production lease finishes: each posted once, the last within 20 s of the
    restart."""
    path = tmp_path / "crash.db"
    shutil.copyfile(seeded_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    db = Database(make_engine(url), clock=SystemClock())
    channels = [office.guild.channel] + [office.guild.add_channel(f"desk-{n}") for n in range(3)]
    try:
        for channel in channels:
            await add_subscription(db, office.guild.id, channel.id, "bodycam")
        await changes(db, 50, "Crash")
        # Hold each post a little, so the kill lands while some are on their way (the fake may
        # post them after the worker died: posted, but not recorded as sent).
        fake.slow(POSTS, 0.02)
        log = tmp_path / "workers.log"

        def posted() -> int:
            return sum(len(fake.messages(c)) for c in channels)

        async with worker(fake, url, "crash:1", log) as first:
            await fake.wait_until(lambda: posted() >= 50, within=30, what="50 posts")
            await kill(first)
        at_kill = posted()
        after_kill = await statuses(db)
        assert 50 <= at_kill < 200, f"the kill did not land mid-way: {at_kill} posts"
        assert after_kill["sent"] < 200 and after_kill["sending"] > 0, after_kill

        restarted = time.monotonic()
        async with worker(fake, url, "crash:2", log):
            await fake.wait_until(lambda: posted() >= 200, within=45, what="200 posts")
            recovery = time.monotonic() - restarted
            final = await wait_all_sent(db, 200, within=30)
            await asyncio.sleep(0.5)  # anything doubled would show up now
        result = figures([m for c in channels for m in fake.messages(c)], 200)
        print(
            f"\ncrash: killed at {at_kill} posts (deliveries then {dict(after_kill)}; "
            f"posted but not recorded: {at_kill - after_kill['sent']}); "
            f"final {dict(final)}; {result}; POST requests {post_requests(fake)}; "
            f"restart → last post {recovery:.1f} s"
        )
        assert result == {
            "posts": 200,
            "distinct nonces": 200,
            "distinct contents": 200,
            "duplicated": 0,
            "lost": 0,
        }, (result, log.read_text()[-3000:])
        assert all(m.enforce_nonce for c in channels for m in fake.messages(c))
        assert recovery <= RECOVERY_SECONDS, f"last post {recovery:.1f} s after the restart"
    finally:
        await db.close()


# ---------------------------------------------------------------- two processes (PostgreSQL)


@pytest.mark.postgres
async def test_two_processes_on_postgres_post_each_delivery_once(
    request: pytest.FixtureRequest, fake: FakeDiscord, office: Office, tmp_path: Path
) -> None:
    """1,000 deliveries (100 changes × 10 channels), two worker processes: each posted once."""
    schema = request.getfixturevalue("postgres_schema")  # skips (or fails) without PostgreSQL
    channels = [office.guild.channel] + [
        office.guild.add_channel(f"tracking-{n}") for n in range(1, 10)
    ]
    async for db in open_database(request, "postgres", tmp_path, SystemClock()):  # type: ignore[arg-type]
        await load_seed(db)
        for channel in channels:
            await add_subscription(db, office.guild.id, channel.id, "bodycam")
        log = tmp_path / "workers.log"
        async with (
            worker(fake, PG_URL, "pg:1", log, "--schema", schema) as first,
            worker(fake, PG_URL, "pg:2", log, "--schema", schema) as second,
        ):
            # Both polling before the first change: a worker that starts first on a busy machine
            # would otherwise post all 1,000 before the other is up.
            await asyncio.gather(ready(first), ready(second))
            started = time.monotonic()
            await changes(db, 100, "Shared")
            await fake.wait_until(
                lambda: sum(len(fake.messages(c)) for c in channels) >= 1000,
                within=45,
                what="1,000 posts",
            )
            final = await wait_all_sent(db, 1000, within=15)
            await asyncio.sleep(0.5)  # anything doubled would show up now
        elapsed = time.monotonic() - started
        async with db.session() as session:
            by_worker = Counter(
                (await session.execute(select(Delivery.claimed_by))).scalars().all()
            )
        messages = [m for c in channels for m in fake.messages(c)]
        result = figures(messages, 1000)
        per_channel = {c.name: figures(fake.messages(c), 100)["duplicated"] for c in channels}
        print(
            f"\ntwo processes: {result}; final {dict(final)}; claimed by {dict(by_worker)}; "
            f"POST requests {post_requests(fake)}; {elapsed:.1f} s"
        )
        assert result == {
            "posts": 1000,
            "distinct nonces": 1000,
            "distinct contents": 1000,
            "duplicated": 0,
            "lost": 0,
        }, (result, log.read_text()[-3000:])
        assert not any(per_channel.values())
        assert len([w for w in by_worker if w]) == 2, f"one worker did everything: {by_worker}"
