"""The Congress.gov sync (issue 12), in the benchmark process against the fake Congress.gov API:

- discovery: the fake lists 10,000 bills of the 119th Congress (40 pages of 250): the fixture
  bills (six of them DHS appropriations) and synthetic ones that are not; one full sync run;
- refresh: 50 followed bills already synced, nothing new: one more run;
- memory: 100 more runs of those 50 bills (one client, a new CongressSync per run, as the
  service does): the Python heap (tracemalloc, after gc) and RSS after run 10 and run 100.

Each run starts from a fresh, migrated database (no starter data: the seed names H.R. 1, which
the fake does not hold). The fake serves from this process's event loop, so its cost is in the
wall times: they overstate the sync's own.
"""

from __future__ import annotations

import copy
import gc
import json
import time
import tracemalloc
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from congress.client import CongressClient
from congress.sync import CongressSync, SyncReport
from db.engine import Database
from db.follows import BillRef, follow
from db.migrations import upgrade
from db.models import Revision
from fakecongress import FakeCongress

from .harness import PROJECT, fresh_database

FIXTURES = PROJECT / "tests" / "fixtures" / "congress"
KEY = "bench-congress-key"
CONGRESS = 119
LIST_ROUTE = f"bill/{CONGRESS}"
SYNTHETIC_START = datetime(2026, 11, 1, tzinfo=UTC)  # after every fixture's updateDate
# The followed bills are copies of H.R. 7148 (23 actions, votes) without its CRS summary: copies
# of one CR would all cite the one funding period it creates, and a record keeps 20 sources.
TEMPLATE = "bill/119/hr/7148"
FIRST_COPY = 30_000  # bill numbers of the copies, clear of real and synthetic ones
POLL_SECONDS = 900.0  # the default poll interval: the client's budget clock moves this per run


@dataclass(frozen=True)
class CongressSizes:
    listed: int = 10_000  # bills the discovery listing holds
    followed: int = 50
    syncs: int = 100  # runs in the memory scenario
    baseline_sync: int = 10  # memory is compared after this run and after the last

    @classmethod
    def quick(cls) -> CongressSizes:
        return cls(listed=300, followed=5, syncs=6, baseline_sync=2)


class PollClock:
    """Monotonic time for the client's hourly budget: one poll interval per run, as the service
    sees it (the default 1,000 requests an hour is never the limit of a benchmark run)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def tick(self) -> None:
        self.now += POLL_SECONDS


async def bench_congress(
    backend: str, sizes: CongressSizes, runs: int, workdir: Path
) -> dict[str, Any]:
    """`runs` times: discovery, then refresh and memory, each on a fresh database."""
    results = []
    async with FakeCongress(FIXTURES, api_key=KEY) as listing, FakeCongress(api_key=KEY) as held:
        fixture_bills = list_bills(listing, sizes.listed)
        refs = hold_followed(held, sizes.followed)
        for _ in range(runs):
            discovery = await discovery_run(backend, listing, workdir)
            refresh, memory = await refresh_runs(backend, held, refs, sizes, workdir)
            results.append({"discovery": discovery, "refresh": refresh, "memory": memory})
    return {
        "backend": backend,
        "sizes": {"fixture_bills": fixture_bills, **asdict(sizes)},
        "runs": results,
    }


# ---------------------------------------------------------------- the fake's content


def list_bills(fake: FakeCongress, listed: int) -> int:
    """The fixture bills plus synthetic ones, `listed` in all; returns how many are fixtures.
    The recorded one-page list goes: the fake then lists the bills it holds."""
    fake.documents.pop(LIST_ROUTE, None)
    fixtures = sum(1 for key in fake.bills if key[0] == CONGRESS)
    fake.synthetic_bills(CONGRESS, listed - fixtures, start=SYNTHETIC_START)
    return fixtures


def hold_followed(fake: FakeCongress, count: int) -> list[BillRef]:
    """`count` copies of H.R. 7148 with its actions, updated one second apart."""
    template = _fixture(TEMPLATE)["bill"]
    actions = _fixture(f"{TEMPLATE}/actions")["actions"]
    updated = datetime.fromisoformat(template["updateDate"].replace("Z", "+00:00"))
    refs = []
    for index in range(count):
        bill = copy.deepcopy(template)
        for counted in ("actions", "summaries"):  # the fake fills these in from what it holds
            bill.pop(counted, None)
        bill["number"] = str(FIRST_COPY + index)
        bill["updateDate"] = (updated + timedelta(seconds=index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        fake.add_bill(bill, actions)
        refs.append(BillRef(CONGRESS, "hr", FIRST_COPY + index))
    return refs


def _fixture(path: str) -> Any:
    return json.loads((FIXTURES / f"{path}.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- scenarios


async def migrated(backend: str, workdir: Path) -> Database:
    database = Database.from_url(await fresh_database(backend, workdir))
    await upgrade(database.engine)
    return database


def client(fake: FakeCongress, clock: PollClock) -> CongressClient:
    return CongressClient(base_url=fake.base_url, api_key=KEY, now=clock)


async def sync(database: Database, api: CongressClient) -> SyncReport:
    report = await CongressSync(database, api, congresses=[CONGRESS]).run()
    if report.error or report.skipped:  # a failing sync would measure nothing useful
        raise RuntimeError("the Congress.gov sync failed: " + "\n".join(report.lines()))
    return report


async def discovery_run(backend: str, fake: FakeCongress, workdir: Path) -> dict[str, float]:
    """One sync from an empty dataset: list every bill, keep and write the DHS ones."""
    database = await migrated(backend, workdir)
    try:
        async with client(fake, PollClock()) as api:
            fake.requests.clear()
            started = time.perf_counter()
            report = await sync(database, api)
            seconds = time.perf_counter() - started
    finally:
        await database.close()
    return {
        "seconds": seconds,
        "requests": report.requests,
        "list_pages": _list_requests(fake),
        "listed": report.listed,
        "kept": len(report.kept),
        "records_written": len(report.changes),
    }


async def refresh_runs(
    backend: str, fake: FakeCongress, refs: list[BillRef], sizes: CongressSizes, workdir: Path
) -> tuple[dict[str, float], dict[str, float]]:
    """Follow the bills and sync them once (writing them), then measure a run with nothing new,
    then `sizes.syncs` more runs for memory."""
    database = await migrated(backend, workdir)
    clock = PollClock()
    try:
        async with client(fake, clock) as api:
            await follow(database, refs, source="owner")
            first = await sync(database, api)
            if first.refreshed != len(refs):
                raise RuntimeError(f"the first sync refreshed {first.refreshed} of {len(refs)}")
            before = await _revisions(database)
            fake.requests.clear()
            clock.tick()
            started = time.perf_counter()
            report = await sync(database, api)
            seconds = time.perf_counter() - started
            bill_requests = len(fake.requests) - _list_requests(fake)
            refresh = {
                "seconds": seconds,
                "bills": len(refs),
                "unchanged": report.unchanged,
                "requests": report.requests,
                "list_pages": _list_requests(fake),
                "requests_per_bill": bill_requests / len(refs),
                "all_requests_per_bill": report.requests / len(refs),
                "revisions_written": await _revisions(database) - before,
                "first_sync_records_written": len(first.changes),
            }
            memory = await memory_runs(database, api, fake, clock, sizes)
    finally:
        await database.close()
    return refresh, memory


async def memory_runs(
    database: Database,
    api: CongressClient,
    fake: FakeCongress,
    clock: PollClock,
    sizes: CongressSizes,
) -> dict[str, float]:
    """`sizes.syncs` runs; the traced Python heap (after gc) and RSS after the baseline run and
    after the last. Tracing starts before the first run, so the heap figures count what the
    runs allocated and still hold."""
    tracemalloc.start()
    try:
        started = time.perf_counter()
        baseline = _memory()
        for number in range(1, sizes.syncs + 1):
            clock.tick()
            report = await sync(database, api)
            if report.changes:
                raise RuntimeError(f"run {number} wrote {report.changes[:3]}")
            fake.requests.clear()  # the fake's request log is the fake's growth, not the sync's
            if number == sizes.baseline_sync:
                baseline = _memory()
        seconds = time.perf_counter() - started
        last = _memory()
    finally:
        tracemalloc.stop()
    heap_growth = last["heap_mb"] - baseline["heap_mb"]
    return {
        "syncs": sizes.syncs,
        "seconds_per_sync": seconds / sizes.syncs,
        "heap_mb_at_baseline": baseline["heap_mb"],
        "heap_mb_at_end": last["heap_mb"],
        "heap_growth_mb": heap_growth,
        "heap_growth_kb_per_sync": heap_growth * 1024 / (sizes.syncs - sizes.baseline_sync),
        "rss_mb_at_baseline": baseline["rss_mb"],
        "rss_mb_at_end": last["rss_mb"],
        "rss_growth_mb": last["rss_mb"] - baseline["rss_mb"],
        "rss_growth_percent": 100 * (last["rss_mb"] / baseline["rss_mb"] - 1),
    }


def _memory() -> dict[str, float]:
    gc.collect()
    status = Path("/proc/self/status").read_text()
    rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return {"heap_mb": tracemalloc.get_traced_memory()[0] / 2**20, "rss_mb": rss_kb / 1024}


def _list_requests(fake: FakeCongress) -> int:
    return sum(1 for request in fake.requests if request.route == LIST_ROUTE)


async def _revisions(database: Database) -> int:
    async with database.session() as session:
        counted: int = (
            await session.execute(select(func.count()).select_from(Revision))
        ).scalar_one()
        return counted
