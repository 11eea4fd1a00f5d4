"""What the benchmark measures, each as the user (or the channel) sees it through the fake Discord:
command latency, change fan-out, digests due at once, cold start; plus the set-up they need.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from db.digests import set_digest
from db.engine import Database
from db.models import BodycamDeployment, DigestSchedule
from db.tracking import add_subscription
from fakediscord import FakeDiscord, FakeGuild, Reply

from .harness import Arrivals, BotProcess, World

FANOUT_RECORD = ("bodycam", "minneapolis-mn-ice-ero")
SEARCH_TERMS = ["body camera", "footage", "Minneapolis", "H.R. 7147", "retention", "Chicago"]


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 (nearest rank) and the mean, in milliseconds."""
    ordered = sorted(samples)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    return {
        "p50_ms": rank(50),
        "p95_ms": rank(95),
        "p99_ms": rank(99),
        "mean_ms": sum(ordered) / len(ordered) * 1000,
        "samples": float(len(ordered)),
    }


# ---------------------------------------------------------------- set-up (not measured)


async def follow_record(url: str, world: World, channels: int) -> list[int]:
    """`channels` channels, spread over the guilds, follow the fan-out record."""
    database = Database.from_url(url)
    chosen = _spread(world, channels)
    try:
        for guild_id, channel_id in chosen:
            await add_subscription(
                database, guild_id, channel_id, FANOUT_RECORD[0], record=FANOUT_RECORD
            )
    finally:
        await database.close()
    return [channel_id for _, channel_id in chosen]


async def add_digests(url: str, world: World, channels: int) -> list[int]:
    """A daily digest in `channels` channels (their first slot is tomorrow: `due_now` moves it)."""
    database = Database.from_url(url)
    chosen = _spread(world, channels)
    now = database.clock.now()
    try:
        for guild_id, channel_id in chosen:
            await set_digest(
                database,
                guild_id,
                channel_id,
                "daily 9:00",
                "America/New_York",
                created_by=None,
                now=now,
                post_empty=True,
            )
    finally:
        await database.close()
    return [channel_id for _, channel_id in chosen]


def _spread(world: World, count: int) -> list[tuple[int, int]]:
    """`count` (guild, channel) pairs, taking each guild's channels in turn."""
    columns = [list(guild.channels) for guild in world.guilds]
    pairs = [
        (guild.id, column[row])
        for row in range(max(len(c) for c in columns))
        for guild, column in zip(world.guilds, columns, strict=True)
        if row < len(column)
    ]
    if count > len(pairs):
        raise ValueError(f"asked for {count} channels; the world has {len(pairs)}")
    return pairs[:count]


# ---------------------------------------------------------------- cold start


async def cold_start(fake: FakeDiscord, bot: BotProcess, guild: FakeGuild) -> dict[str, float]:
    """From spawning the process until it is logged in (READY and every GUILD_CREATE sent),
    and until it has answered a first command."""
    while not fake.gateway.ready.is_set():
        bot.check_alive()
        try:
            await fake.wait_until(fake.gateway.ready.is_set, 0.5, "the bot to connect")
        except AssertionError:
            if time.monotonic() - bot.spawned_at > 60:
                raise
    connected = time.monotonic() - bot.spawned_at
    reply = await fake.slash("noop", guild=guild, within=30)
    assert reply.shown_at is not None, reply.describe()
    return {"connected_s": connected, "first_answer_s": reply.shown_at - bot.spawned_at}


# ---------------------------------------------------------------- command latency


@dataclass(frozen=True)
class Command:
    name: str
    send: Callable[[FakeGuild, random.Random], Awaitable[Reply]]


def commands(fake: FakeDiscord, cities: list[str]) -> list[Command]:
    """The baseline and the commands the issue names, with varied realistic input."""
    return [
        Command("noop (baseline)", lambda g, r: fake.slash("noop", guild=g)),
        Command("/approps status", lambda g, r: fake.slash("approps status", guild=g)),
        Command(
            "/bodycam city",
            lambda g, r: fake.slash("bodycam city", guild=g, city=r.choice(cities)),
        ),
        Command("/oversight list", lambda g, r: fake.slash("oversight list", guild=g)),
        Command(
            "/search", lambda g, r: fake.slash("search", guild=g, query=r.choice(SEARCH_TERMS))
        ),
        Command(
            "autocomplete (/bodycam city)",
            lambda g, r: fake.autocomplete_reply(
                "bodycam city", guild=g, focused="city", value=r.choice(cities)[:3]
            ),
        ),
    ]


async def known_cities(url: str, count: int = 200, seed: int = 7) -> list[str]:
    """Up to `count` cities with camera records ('Springfield, MA'), so /bodycam city and its
    autocomplete are measured answering, not saying a city is unknown."""
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            query = select(col(BodycamDeployment.city), col(BodycamDeployment.state)).distinct()
            places = sorted(f"{city}, {state}" for city, state in await session.execute(query))
    finally:
        await database.close()
    return random.Random(seed).sample(places, min(count, len(places)))


async def latency(
    commands_: list[Command], guilds: list[FakeGuild], samples: int, warmup: int, seed: int
) -> dict[str, Any]:
    """Each command `samples` times, interleaved in random order across guilds, one at a time
    (the latency of one request, not throughput). The answers' titles are kept as evidence."""
    rng = random.Random(seed)
    order = [c for c in commands_ for _ in range(samples + warmup)]
    rng.shuffle(order)
    seen: dict[str, int] = {}
    taken: dict[str, list[float]] = {c.name: [] for c in commands_}
    answers: dict[str, dict[str, int]] = {c.name: {} for c in commands_}
    for command in order:
        reply = await command.send(rng.choice(guilds), rng)
        if reply.rejected or reply.until_shown is None:
            raise AssertionError(f"{command.name}: {reply.describe()}")
        seen[command.name] = seen.get(command.name, 0) + 1
        if seen[command.name] > warmup:
            taken[command.name].append(reply.until_shown)
        label = _answer_label(reply)
        answers[command.name][label] = answers[command.name].get(label, 0) + 1
    baseline = percentiles(taken[commands_[0].name])
    result: dict[str, Any] = {}
    for name, values in taken.items():
        figures: dict[str, Any] = percentiles(values)
        figures["p99_vs_baseline"] = figures["p99_ms"] / baseline["p99_ms"]
        figures["answers"] = dict(sorted(answers[name].items(), key=lambda kv: -kv[1])[:4])
        result[name] = figures
    return result


def _answer_label(reply: Reply) -> str:
    if reply.kind == 4:
        return f"{len(reply.choices)} choices"
    if reply.embeds:
        return (reply.embeds[0].get("title") or "untitled embed")[:60]
    return (reply.content or "empty")[:60]


# ---------------------------------------------------------------- fan-out and digests


async def fan_out(
    fake: FakeDiscord,
    bot: BotProcess,
    world: World,
    arrivals: Arrivals,
    channels: list[int],
    status: str,
    run: int,
) -> dict[str, float]:
    """An owner changes the followed shared record; until every following channel has its post."""
    arrivals.watch(channels)
    owner = world.guilds[0].members[world.owner_id]
    cpu_before = bot.cpu_seconds()
    started = time.monotonic()
    reply = await fake.slash(
        "admin bodycam set",
        guild=world.guilds[0],
        user=owner,
        city="Minneapolis",
        state="MN",
        component="ICE-ERO",
        status=status,
        officers=1000 + run,
        dataset="shared",
        within=30,
    )
    assert (reply.content or "").startswith("Updated"), reply.content
    last = await arrivals.all_arrived(within=120)
    assert last is not None
    seconds = last - started
    cpu = bot.cpu_seconds() - cpu_before
    return {
        "channels": float(len(channels)),
        "seconds": seconds,
        "deliveries_per_s": len(channels) / seconds,
        "cpu_ms_per_delivery": cpu / len(channels) * 1000,
    }


async def digests_due(
    url: str, fake: FakeDiscord, arrivals: Arrivals, channels: list[int]
) -> dict[str, float]:
    """Every digest falls due at the same instant, a scheduler tick (a whole second: the bot
    ticks on every second here, on every minute in production); until every channel has its
    digest."""
    database = Database.from_url(url)
    arrivals.watch(channels)
    due = dt.datetime.fromtimestamp(math.floor(time.time()) + 2, dt.UTC)
    try:
        async with database.transaction() as session:
            await session.execute(
                update(DigestSchedule)
                .where(col(DigestSchedule.channel_id).in_(channels))
                .values(next_run_at=due)
            )
    finally:
        await database.close()
    due_monotonic = time.monotonic() + (due - dt.datetime.now(dt.UTC)).total_seconds()
    last = await arrivals.all_arrived(within=120)
    assert last is not None
    return {"channels": float(len(channels)), "seconds_after_due": last - due_monotonic}


async def current_status(url: str) -> str:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            query = select(col(BodycamDeployment.status)).where(
                col(BodycamDeployment.key) == FANOUT_RECORD[1],
                col(BodycamDeployment.guild_id).is_(None),
            )
            return str((await session.execute(query)).scalar_one())
    finally:
        await database.close()
