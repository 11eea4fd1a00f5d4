"""The resolver (db/resolve.py, fuzzy matching by rapidfuzz): what autocomplete and a typed option
cost for each shape of what people type, on the large dataset, SQLite and PostgreSQL.

In the benchmark process, without Discord: each sample is the database work one interaction
does, in its own session as the cogs open one (cogs/_options.py, cogs/search.py):

- an option's autocomplete: `suggest_measures`, `suggest_questions`, `suggest_records` (/cite);
- an option's resolution (its transform): `find_measure` / `find_question`, and on a miss the
  suggestions its "Did you mean" names; /cite's `find_record` (NotFound carries its own);
- /search: `search`, and on no hit the `suggest_records` its "Did you mean" names.

Samples are interleaved in random order over the guilds (each sees the shared dataset plus its
own 500 questions), after a warm-up. Each probe's outcome is kept and checked, so a figure is
never that of a path nobody takes (a bill number that finds no bill, a typo with no suggestion).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db import resolve, suggest
from db.engine import Database
from db.errors import NotFound
from db.scope import Scope
from db.search import find_record, search, suggest_records

from .dataset import Sizes
from .harness import FIRST_GUILD_ID, build_dataset, fresh_database
from .scenarios import percentiles

SLOW_P99_MS = 50.0  # a probe slower than this at p99 is profiled (with --profile)
PROFILE_CALLS = 100

Operation = Callable[[AsyncSession, Scope, str], Awaitable[str]]


# ---------------------------------------------------------------- what one interaction runs


def _choices(found: list[suggest.Choice]) -> str:
    return f"{len(found)} choices: " + ", ".join(choice.value for choice in found[:3])


def _did_you_mean(close: list[suggest.Choice]) -> str:
    return resolve.suggestion_text([choice.label[:80] for choice in close[:3]])


async def bill_autocomplete(session: AsyncSession, scope: Scope, typed: str) -> str:
    return _choices(await suggest.suggest_measures(session, scope, typed))


async def bill_option(session: AsyncSession, scope: Scope, typed: str) -> str:
    """As BillOption.transform: the bill, else the suggestions its refusal names."""
    if (measure := await resolve.find_measure(session, scope, typed)) is not None:
        return f"found {measure.key}"
    close = await suggest.suggest_measures(session, scope, typed)
    return "not found." + _did_you_mean(close)


async def question_autocomplete(session: AsyncSession, scope: Scope, typed: str) -> str:
    return _choices(await suggest.suggest_questions(session, scope, typed))


async def question_option(session: AsyncSession, scope: Scope, typed: str) -> str:
    """As QuestionOption.transform."""
    if (question := await resolve.find_question(session, scope, typed)) is not None:
        return f"found {question.key}"
    close = await suggest.suggest_questions(session, scope, typed)
    return "not found." + _did_you_mean(close)


async def cite_autocomplete(session: AsyncSession, scope: Scope, typed: str) -> str:
    return _choices(await suggest_records(session, scope, typed))


async def cite_option(session: AsyncSession, scope: Scope, typed: str) -> str:
    """As RecordOption.transform (/cite): the record, or NotFound with its own suggestions."""
    try:
        cited = await find_record(session, scope, typed)
    except NotFound as error:
        return f"not found: {error}"
    return f"found {cited.kind}:{cited.key}"


async def search_command(session: AsyncSession, scope: Scope, typed: str) -> str:
    """As /search: the hits, or on none the suggestions its answer names."""
    hits = await search(session, scope, typed)
    if hits:
        return f"{len(hits)} hits: " + ", ".join(hit.key for hit in hits[:3])
    return "no hits." + _did_you_mean(await suggest_records(session, scope, typed))


OPERATIONS: dict[str, Operation] = {
    "bill option: autocomplete": bill_autocomplete,
    "bill option: resolve": bill_option,
    "question option: autocomplete": question_autocomplete,
    "question option: resolve": question_option,
    "/cite: autocomplete": cite_autocomplete,
    "/cite: resolve": cite_option,
    "/search": search_command,
}


# ---------------------------------------------------------------- the probes


@dataclass(frozen=True)
class Probe:
    shape: str
    typed: str
    operation: str
    expect: str = ""  # the outcome must contain this (case-insensitive); "" = not checked

    @property
    def name(self) -> str:  # no '.', which separates the summary's metric paths
        return f"{self.shape} “{self.typed}” · {self.operation}"


def _probes(shape: str, typed: str, expected: dict[str, str]) -> list[Probe]:
    return [Probe(shape, typed, operation, expect) for operation, expect in expected.items()]


BILL_7147 = "119-hr7147"
CONTINUING = "119-hr5371"  # the one bill whose title says "continuing"
DID_YOU_MEAN = "did you mean"
PROBES: list[Probe] = [
    *_probes(
        "bare number",
        "7147",
        {
            "bill option: autocomplete": f"choices: {BILL_7147}",
            "bill option: resolve": f"found {BILL_7147}",
            "/cite: autocomplete": f"measure:{BILL_7147}",
            "/cite: resolve": f"found measure:{BILL_7147}",
            "/search": BILL_7147,
        },
    ),
    *_probes(
        "bill number",
        "HR 7147",
        {
            "bill option: autocomplete": f"choices: {BILL_7147}",
            "bill option: resolve": f"found {BILL_7147}",
            "/cite: autocomplete": f"measure:{BILL_7147}",
            "/cite: resolve": f"found measure:{BILL_7147}",
            "/search": f"hits: {BILL_7147}",
        },
    ),
    # /search reads acronyms both ways; /cite has no acronym reading (kept as found).
    *_probes(
        "acronym", "HSGAC", {"/search": "hits:", "/cite: autocomplete": "", "/cite: resolve": ""}
    ),
    *_probes(
        "question id",
        "oq2",
        {
            "question option: autocomplete": "choices: OQ-2",
            "question option: resolve": "found OQ-2",
            "/cite: autocomplete": "",  # offers nothing for 'oq2' (see BENCHMARKS.md)
            "/cite: resolve": "found question:OQ-2",
            "/search": "hits: OQ-2",
        },
    ),
    *_probes(
        "title word",
        "continuing",
        {
            "bill option: autocomplete": f"choices: {CONTINUING}",
            "bill option: resolve": f"found {CONTINUING}",
            "/cite: autocomplete": f"measure:{CONTINUING}",
            "/cite: resolve": f"found measure:{CONTINUING}",
            "/search": f"hits: {CONTINUING}",
        },
    ),
    *_probes(
        "misspelling",
        "minneapols",
        {
            "/search": f"no hits. {DID_YOU_MEAN} “body cameras minneapolis",
            "/cite: autocomplete": "choices: bodycam:minneapolis-mn",
            "/cite: resolve": f"{DID_YOU_MEAN} “body cameras minneapolis",
        },
    ),
    Probe("misspelling", "homland apropriations", "bill option: resolve", DID_YOU_MEAN),
    Probe("misspelling", "footage retension", "question option: resolve", DID_YOU_MEAN),
]


# ---------------------------------------------------------------- measuring


async def bench_resolver(
    backend: str,
    sizes: Sizes,
    runs: int,
    samples: int,
    warmup: int,
    workdir: Path,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Build the dataset once, then `runs` runs of every probe, each run with a new Database
    (a new connection pool); with `profile`, a cProfile of each probe slower than SLOW_P99_MS."""
    url = await fresh_database(backend, workdir)
    built = await build_dataset(url, sizes)
    scopes = [Scope.guild(guild_id) for guild_id in sizes.guilds] or [Scope.shared()]
    results = [await one_run(url, scopes, samples, warmup, seed=run) for run in range(runs)]
    profiles = []
    if profile is not None:
        slow = [
            probe
            for probe in PROBES
            if sorted(run["probes"][probe.name]["p99_ms"] for run in results)[len(results) // 2]
            > SLOW_P99_MS
        ]
        profiles = [await profile_probe(url, scopes, probe, backend, profile) for probe in slow]
    return {
        "backend": backend,
        "sizes": {"cities": sizes.cities, "questions": sizes.questions, "guilds": len(scopes)},
        "build": built,
        "runs": results,
        "profiles": [str(path) for path in profiles],
    }


async def one_run(
    url: str, scopes: list[Scope], samples: int, warmup: int, seed: int
) -> dict[str, Any]:
    """Every probe `samples` times after `warmup`, interleaved at random over the scopes."""
    rng = random.Random(seed)
    order = [probe for probe in PROBES for _ in range(samples + warmup)]
    rng.shuffle(order)
    seen: dict[str, int] = {}
    taken: dict[str, list[float]] = {probe.name: [] for probe in PROBES}
    outcomes: dict[str, str] = {}
    database = Database.from_url(url)
    try:
        for probe in order:
            seconds, outcome = await timed(database, rng.choice(scopes), probe)
            seen[probe.name] = seen.get(probe.name, 0) + 1
            if seen[probe.name] > warmup:
                taken[probe.name].append(seconds)
            outcomes.setdefault(probe.name, outcome)
    finally:
        await database.close()
    for probe in PROBES:
        if probe.expect.lower() not in outcomes[probe.name].lower():
            raise RuntimeError(
                f"{probe.name}: expected {probe.expect!r}, got {outcomes[probe.name]!r}"
            )
    return {
        "probes": {
            name: {**percentiles(values), "outcome": outcomes[name][:300]}
            for name, values in taken.items()
        }
    }


async def timed(database: Database, scope: Scope, probe: Probe) -> tuple[float, str]:
    operation = OPERATIONS[probe.operation]
    started = time.perf_counter()
    async with database.session() as session:
        outcome = await operation(session, scope, probe.typed)
    return time.perf_counter() - started, outcome


async def profile_probe(
    url: str, scopes: list[Scope], probe: Probe, backend: str, folder: Path
) -> Path:
    """PROFILE_CALLS calls of one probe under cProfile (this thread: the event loop, rapidfuzz,
    SQLAlchemy; aiosqlite's own thread shows as waiting), written as text, by cumulative time
    and by own time."""
    database = Database.from_url(url)
    rng = random.Random(0)
    profiler = cProfile.Profile()
    try:
        for _ in range(10):  # warm-up, not profiled
            await timed(database, rng.choice(scopes), probe)
        profiler.enable()
        for _ in range(PROFILE_CALLS):
            await timed(database, rng.choice(scopes), probe)
        profiler.disable()
    finally:
        await database.close()
    return write_profile(
        profiler, f"{probe.name} on {backend}", folder, f"{backend}-{probe.shape}-{probe.operation}"
    )


def write_profile(profiler: cProfile.Profile, title: str, folder: Path, name: str) -> Path:
    """The profile as text: by cumulative time, then by own time."""
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"{title}: {PROFILE_CALLS} calls\n")
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("resolver-" + "".join(ch if ch.isalnum() else "-" for ch in name) + ".txt")
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def guild_ids(count: int) -> tuple[int, ...]:
    return tuple(FIRST_GUILD_ID + index for index in range(count))
