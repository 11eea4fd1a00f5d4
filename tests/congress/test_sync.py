"""The Congress.gov sync against the fake API serving the recorded-shape fixtures, on SQLite and
PostgreSQL: discovery, writes through the write path, idempotence, disputes, failures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from congress.client import CongressClient
from congress.sync import ACTOR, LAST_ERROR, CongressSync
from db.appropriations import funding_status
from db.engine import Database
from db.follows import BillRef, followed_bills, unfollow
from db.meta import get_meta
from db.models import CongressFollow, Revision
from db.scope import find_visible
from fakecongress import FakeCongress
from tests.db.records import EDITOR, GUILD_A, SHARED, add, measure

FIXTURES = Path(__file__).parents[1] / "fixtures" / "congress"
KEY = "test-congress-key"
KEPT = {"119-hr4213", "119-hr5371", "119-hr5830", "119-hr7147", "119-hr7148", "119-hr7481"}


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeCongress]:
    """Not named `fake`: the root conftest checks a `fake` fixture for Discord violations."""
    async with FakeCongress(FIXTURES, api_key=KEY) as server:
        yield server


@pytest.fixture
async def client(fake_api: FakeCongress) -> AsyncIterator[CongressClient]:
    async with CongressClient(base_url=fake_api.base_url, api_key=KEY) as api:
        yield api


def fixture(path: str) -> Any:
    return json.loads((FIXTURES / f"{path}.json").read_text())


async def revisions(db: Database) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(Revision))).scalar_one()


async def shared(db: Database, kind: str, key: str) -> Any:
    async with db.session() as session:
        return await find_visible(session, SHARED, kind, key)


async def test_discovery_follows_the_dhs_appropriations_and_writes_them(
    db: Database, client: CongressClient
) -> None:
    """From an empty dataset: the DHS bills (regular, CR, consolidated, supplemental naming
    FEMA) are followed and written; the other subcommittee's bill and the non-spending bill
    are not. Facts cite Congress.gov, confirmed, written by the actor Congress.gov."""
    report = await CongressSync(db, client, congresses=[119]).run()
    assert report.error is None and report.skipped == []
    assert set(report.kept) == KEPT
    assert {ref.key for ref in await followed_bills(db)} == KEPT
    law = await shared(db, "measure", "119-hr7147")
    assert (law.stage, law.public_law, law.enacted_on) == (
        "enacted",
        "119-86",
        dt.date(2026, 4, 30),
    )
    assert law.confidence == "confirmed"
    assert law.sources[0]["url"] == "https://www.congress.gov/bill/119th-congress/house-bill/7147"
    assert await shared(db, "measure", "119-hr4553") is None
    async with db.session() as session:
        actors = set((await session.execute(select(Revision.actor_name))).scalars())
    assert actors == {ACTOR.name}


async def test_a_continuing_resolution_becomes_the_funded_through_period(
    db: Database, client: CongressClient
) -> None:
    """H.R. 5371's CRS summary ('through January 30, 2026') makes FY2026 funded through Jan 30,
    which /approps status reads."""
    await CongressSync(db, client).run(bills=[BillRef(119, "hr", 5371)])
    period = await shared(db, "funding_period", "fy2026-funded-2025-11-12")
    assert (period.end_date, period.measure_key) == (dt.date(2026, 1, 30), "119-hr5371")
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=dt.date(2025, 12, 1))
    assert status is not None
    assert (status.state, status.vehicle.key, status.days) == ("funded", "119-hr5371", 60)


async def test_a_resync_of_unchanged_data_writes_nothing_and_asks_once_per_bill(
    db: Database, client: CongressClient, fake_api: FakeCongress
) -> None:
    """The second run finds every updateDate as synced: 0 revisions, 1 request per bill."""
    sync = CongressSync(db, client, congresses=[119])
    await sync.run()
    written = await revisions(db)
    again = await sync.run()
    assert await revisions(db) == written
    assert (again.refreshed, again.unchanged, again.changes) == (0, len(KEPT), [])
    assert again.requests == 1 + len(KEPT)  # one page of the list, one request a bill


async def test_a_new_action_on_congress_gov_is_synced_and_only_that(
    db: Database, client: CongressClient, fake_api: FakeCongress
) -> None:
    """A committee mark-up appears on Congress.gov: the next run writes that action alone."""
    ref = BillRef(119, "hr", 7481)
    sync = CongressSync(db, client)
    await sync.run(bills=[ref])
    before = await revisions(db)
    bill = fixture("bill/119/hr/7481")
    actions = fixture("bill/119/hr/7481/actions")
    bill["bill"]["updateDate"] = "2026-12-04T09:00:00Z"
    actions["actions"].insert(
        0,
        {
            "actionDate": "2026-12-03",
            "text": "Committee Consideration and Mark-up Session Held.",
            "type": "Committee",
            "sourceSystem": {"code": 1, "name": "House committee actions"},
            "recordedVotes": [],
        },
    )
    fake_api.set("bill/119/hr/7481", bill)
    fake_api.set("bill/119/hr/7481/actions", actions)
    report = await sync.run(bills=[ref])
    assert await revisions(db) == before + 1
    assert report.changes == [
        "119-hr7481: created action 2026-12-03 house: "
        "Committee Consideration and Mark-up Session Held."
    ]


async def test_an_editor_value_the_api_contradicts_is_kept_and_disputed(
    db: Database, client: CongressClient
) -> None:
    """An editor recorded another public law number: it stays, the record is disputed naming
    both values and who set each; once the editor's value agrees, the sync clears it."""
    typed = measure(
        bill_number=7147,
        fiscal_year=2026,
        stage="enacted",
        enacted_on=dt.date(2026, 4, 30),
        public_law="119-99",
    )
    await add(db, "measure", typed)
    report = await CongressSync(db, client).run(bills=[BillRef(119, "hr", 7147)])
    row = await shared(db, "measure", "119-hr7147")
    assert row.public_law == "119-99"
    assert row.confidence == "disputed"
    assert "public_law: Congress.gov says 119-86, editor#1 set 119-99" in row.confidence_note
    assert report.disputed == [
        "119-hr7147: public_law: Congress.gov says 119-86, editor#1 set 119-99"
    ]
    async with db.writer(SHARED, EDITOR) as writer:
        await writer.change("measure", "119-hr7147", {"public_law": "119-86"})
    await unfollow(db, BillRef(119, "hr", 7147))  # forget what was synced: force a refresh
    async with db.transaction() as session:
        row_follow = (await session.execute(select(CongressFollow))).scalar_one()
        row_follow.update_date, row_follow.active = None, True
    await CongressSync(db, client).run(bills=[BillRef(119, "hr", 7147)])
    row = await shared(db, "measure", "119-hr7147")
    assert (row.confidence, row.confidence_note) == ("confirmed", None)


async def test_a_servers_own_copy_is_never_touched(db: Database, client: CongressClient) -> None:
    """A guild's own version of a bill stays as the guild wrote it; the shared one is synced."""
    await add(
        db, "measure", measure(bill_number=7147, title="Our office's name for it"), scope=GUILD_A
    )
    await CongressSync(db, client).run(bills=[BillRef(119, "hr", 7147)])
    async with db.session() as session:
        own = await find_visible(session, GUILD_A, "measure", "119-hr7147")
    assert (own.guild_id, own.title, own.stage) == (1, "Our office's name for it", "introduced")
    assert (await shared(db, "measure", "119-hr7147")).stage == "enacted"


async def test_a_malformed_answer_leaves_the_bill_at_its_last_good_state(
    db: Database, client: CongressClient, fake_api: FakeCongress
) -> None:
    """Broken JSON for one bill's actions: that bill is skipped (and said), the others written."""
    fake_api.malformed("bill/119/hr/7148/actions")
    report = await CongressSync(db, client).run(
        bills=[BillRef(119, "hr", 7148), BillRef(119, "hr", 7481)]
    )
    assert report.error is None
    assert [line.split(":")[0] for line in report.skipped] == ["119/hr/7148"]
    assert await shared(db, "measure", "119-hr7148") is None
    assert await shared(db, "measure", "119-hr7481") is not None


async def test_an_api_outage_stops_the_run_and_is_remembered(
    db: Database, fake_api: FakeCongress
) -> None:
    """5xx past the retries: nothing half-written, the error kept for /about."""
    fake_api.fail("bill/119/hr/7147", 503, times=10)
    async with CongressClient(
        base_url=fake_api.base_url, api_key=KEY, attempts=2, sleep=_no_sleep
    ) as api:
        report = await CongressSync(db, api).run(bills=[BillRef(119, "hr", 7147)])
    assert report.error is not None and "503" in report.error
    assert await revisions(db) == 0
    assert "503" in (await get_meta(db, LAST_ERROR) or "")


async def test_discovery_starts_from_its_watermark(
    db: Database, client: CongressClient, fake_api: FakeCongress
) -> None:
    """The second discovery asks only for bills updated since the newest one it saw."""
    sync = CongressSync(db, client, congresses=[119])
    await sync.run()
    newest = max(item["updateDate"] for item in fixture("bill/119")["bills"])
    await sync.run()
    lists = [r for r in fake_api.requests if r.route == "bill/119"]
    assert "fromDateTime" not in lists[0].query
    assert lists[-1].query["fromDateTime"] == newest


async def test_bills_are_read_as_people_type_them() -> None:
    """CONGRESS/TYPE/NUMBER, keys and bill spellings; anything else names `bill`."""
    today = dt.date(2026, 12, 4)
    assert BillRef.parse("119/hr/7147", today=today) == BillRef(119, "hr", 7147)
    assert BillRef.parse("H.J.Res. 5", today=today) == BillRef(119, "hjres", 5)
    assert BillRef.parse("118-s12", today=today) == BillRef(118, "s", 12)
    with pytest.raises(Exception, match="bill: 'the DHS bill' is not a bill"):
        BillRef.parse("the DHS bill", today=today)


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_a_record_with_a_full_source_list_is_still_synced(
    db: Database, client: CongressClient
) -> None:
    """A funding period already citing 20 sources keeps them; the bill is written, not refused."""
    ref = BillRef(119, "hr", 5371)
    await CongressSync(db, client).run(bills=[ref])
    full = [{"outlet": f"Outlet {n}", "url": f"https://example.org/{n}"} for n in range(20)]
    async with db.writer(SHARED, EDITOR) as writer:
        await writer.change("funding_period", "fy2026-funded-2025-11-12", {"sources": full})
        await writer.change("measure", "119-hr5371", {"notes": "Typed by an editor."})
    async with db.transaction() as session:
        (await session.execute(select(CongressFollow))).scalar_one().update_date = None
    report = await CongressSync(db, client).run(bills=[ref])
    assert (report.skipped, report.refreshed) == ([], 1)
    assert len((await shared(db, "funding_period", "fy2026-funded-2025-11-12")).sources) == 20
