"""The starter dataset: its rows validate, load into the shared scope with history, and reload as
a no-op."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from db.changes import validate
from db.engine import Database
from db.errors import InvalidInput
from db.models import RECORD_TABLES, ChangeEvent, Confidence, Revision
from db.scope import Actor, Scope
from db.seed import (
    SEED_ACTOR,
    SEED_KINDS,
    SeedReport,
    field_values,
    load_seed,
    seed_if_empty,
    seed_records,
    states,
)

EXPECTED_COUNTS = {
    "measure": 7,
    "action": 12,
    "funding_line": 12,
    "funding_period": 6,
    "bodycam": 10,
    "question": 7,
    "link": 13,
}
TOTAL = sum(EXPECTED_COUNTS.values())
CAMERA_LINE = "fy2026-ice-and-cbp-body-worn-cameras-for-officers"


async def _count(db: Database, table: Any) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def _get(db: Database, kind: str, key: str) -> Any:
    table: Any = RECORD_TABLES[kind]
    async with db.session() as session:
        query = select(table).where(table.key == key, table.guild_id.is_(None))
        return (await session.execute(query)).scalar_one()


async def _all(db: Database, kind: str) -> list[Any]:
    table: Any = RECORD_TABLES[kind]
    async with db.session() as session:
        return list((await session.execute(select(table))).scalars())


async def _revisions(db: Database, kind: str, key: str) -> list[Revision]:
    async with db.session() as session:
        query = (
            select(Revision)
            .where(Revision.record_kind == kind, Revision.record_key == key)
            .order_by(Revision.id)
        )
        return list((await session.execute(query)).scalars())


# ---------------------------------------------------------------- the data itself


def _row_id(kind: str, row: dict[str, Any], index: int) -> str:
    try:
        return f"{kind}:{validate(kind, field_values(row)).key}"
    except InvalidInput:  # the test itself reports the problem; the id just has to be unique
        return f"{kind}:#{index}"


SEED_PARAMS = [
    pytest.param(kind, row, id=_row_id(kind, row, index))
    for index, (kind, row) in enumerate(seed_records())
]


@pytest.mark.parametrize(("kind", "row"), SEED_PARAMS)
def test_every_seed_row_and_history_state_validates(kind: str, row: dict[str, Any]) -> None:
    """Each row, and each earlier state it lists, is a valid record of its kind."""
    for values, _effective_on in states(row):
        validate(kind, values)


def test_seed_keys_are_unique_per_kind() -> None:
    """No two seed rows of one kind share a key (one would silently overwrite the other)."""
    keys = Counter((kind, validate(kind, field_values(row)).key) for kind, row in seed_records())
    assert [key for key, count in keys.items() if count > 1] == []


def test_seed_kinds_come_in_load_order() -> None:
    """Rows come kind by kind in SEED_KINDS order, so links load after what they join."""
    kinds = [kind for kind, _row in seed_records()]
    assert kinds == sorted(kinds, key=SEED_KINDS.index)
    assert set(kinds) == set(SEED_KINDS)


# ---------------------------------------------------------------- loading


async def test_load_creates_the_expected_records_per_kind(db: Database) -> None:
    """A first load creates every seed record, the expected number of each kind."""
    report = await load_seed(db)
    assert report == SeedReport(created=TOTAL, updated=0, unchanged=0)
    counts = {kind: await _count(db, RECORD_TABLES[kind]) for kind in SEED_KINDS}
    assert counts == EXPECTED_COUNTS


async def test_loading_twice_changes_nothing(db: Database) -> None:
    """A second load reports everything unchanged and writes no revision or event."""
    await load_seed(db)
    revisions, events = await _count(db, Revision), await _count(db, ChangeEvent)
    report = await load_seed(db)
    assert report == SeedReport(created=0, updated=0, unchanged=TOTAL)
    assert (await _count(db, Revision), await _count(db, ChangeEvent)) == (revisions, events)


async def test_records_are_shared_and_written_by_the_seed(db: Database) -> None:
    """Seed records belong to the shared dataset and their revisions name the seed actor."""
    await load_seed(db)
    for kind in SEED_KINDS:
        assert {row.guild_id for row in await _all(db, kind)} == {None}
    async with db.session() as session:
        revisions = list((await session.execute(select(Revision))).scalars())
    assert {(r.actor_name, r.reason) for r in revisions} == {(SEED_ACTOR.name, "starter dataset")}


async def test_existing_record_is_only_brought_to_its_final_state(db: Database) -> None:
    """A record with history that already exists gets one update, not a replay of its past."""
    await load_seed(db)
    async with db.writer(Scope.shared(), Actor("editor", 7)) as writer:
        row = await writer.find("bodycam", "minneapolis-mn-ice-ero")
        await writer.update(row, {"status": "partial"})
    before = len(await _revisions(db, "bodycam", "minneapolis-mn-ice-ero"))
    report = await load_seed(db)
    assert (report.created, report.updated) == (0, 1)
    assert (await _get(db, "bodycam", "minneapolis-mn-ice-ero")).status == "full"
    assert len(await _revisions(db, "bodycam", "minneapolis-mn-ice-ero")) == before + 1


# ---------------------------------------------------------------- sources and confidence


async def test_every_record_has_a_source_an_as_of_and_a_confidence(db: Database) -> None:
    """Every stored record cites at least one source (an outlet, or an https address)."""
    await load_seed(db)
    for kind in SEED_KINDS:
        for row in await _all(db, kind):
            assert row.sources, f"{kind} {row.key} has no source"
            for source in row.sources:
                assert source["outlet"] or (source["url"] or "").startswith("https://")
                assert source["url"] is None or source["url"].startswith("https://")
            assert isinstance(row.as_of, dt.date)
            assert row.confidence in set(Confidence)


@pytest.mark.parametrize(
    ("kind", "key", "confidence"),
    [
        ("measure", "119-hr7147", "disputed"),
        ("action", "119-hr7147/2026-04-30/president", "disputed"),
        ("funding_period", "fy2026-funded-2026-04-30", "disputed"),
        ("funding_period", "fy2026-lapse-2026-02-14", "disputed"),
        ("measure", "119-hr1", "reported"),
        ("measure", "119-hr7481", "reported"),
        ("question", "OQ-2", "reported"),
        ("question", "OQ-4", "reported"),
        ("funding_line", CAMERA_LINE, "reported"),
        ("bodycam", "portland-me-ice-ero", "reported"),
    ],
)
async def test_reported_and_disputed_facts_are_not_confirmed(
    db: Database, kind: str, key: str, confidence: str
) -> None:
    """Records from reported or disputed rows of the fact sheet keep that confidence."""
    await load_seed(db)
    assert (await _get(db, kind, key)).confidence == confidence


async def test_disputed_records_say_what_conflicts(db: Database) -> None:
    """Every disputed record carries a note on the conflict."""
    await load_seed(db)
    for kind in SEED_KINDS:
        for row in await _all(db, kind):
            if row.confidence == "disputed":
                assert row.confidence_note, f"{kind} {row.key}"


# ---------------------------------------------------------------- specific facts


@pytest.mark.parametrize(
    ("kind", "key", "field", "expected"),
    [
        ("funding_line", CAMERA_LINE, "house", 20_000_000),
        ("funding_line", CAMERA_LINE, "measure_key", "119-hr7147"),
        ("funding_line", "fy2026-dhs-total-discretionary", "house", 64_400_000_000),
        ("bodycam", "chicago-il-ice-ero", "court_docket", "1:25-cv-12173"),
        ("bodycam", "chicago-il-cbp-usbp", "court_judge", "Sara L. Ellis"),
        ("bodycam", "chicago-il-cbp-usbp", "officers_equipped", 232),
        ("bodycam", "minneapolis-mn-ice-ero", "effective_date", dt.date(2026, 2, 2)),
        ("question", "OQ-4", "due_rule_measure_key", "119-hr7147"),
        ("question", "OQ-4", "due_rule_days", 30),
        ("question", "OQ-7", "due_rule_days", 90),
        ("question", "OQ-5", "trigger_date", dt.date(2026, 7, 1)),
        ("question", "OQ-5", "due_date", None),  # July 1 is a condition, not a deadline
        ("question", "OQ-7", "repeat_months", 3),  # 90 days after enactment, then quarterly
        ("question", "OQ-7", "first_due_date", dt.date(2026, 7, 29)),  # enacted Apr 30 + 90
        ("question", "OQ-7", "due_date", dt.date(2026, 7, 29)),  # no report recorded yet
        ("funding_period", "fy2026-lapse-2026-02-14", "start_date", dt.date(2026, 2, 14)),
        ("measure", "119-hr7147", "public_law", "119-86"),
        ("action", "119-hr7148/2026-02-03/house", "vote", "217-214"),
    ],
)
async def test_key_fact_is_stored(
    db: Database, kind: str, key: str, field: str, expected: object
) -> None:
    """A fact from the sheet is stored on the record it belongs to."""
    await load_seed(db)
    assert getattr(await _get(db, kind, key), field) == expected


async def test_every_link_end_is_a_seed_record(db: Database) -> None:
    """Both ends of every seed link name a record the seed created."""
    await load_seed(db)
    keys = {kind: {row.key for row in await _all(db, kind)} for kind in SEED_KINDS}
    for link in await _all(db, "link"):
        assert link.a_key in keys[link.a_kind], link.key
        assert link.b_key in keys[link.b_kind], link.key


async def test_actions_and_funded_periods_name_seed_measures(db: Database) -> None:
    """Every measure_key in the seed points at a seed measure."""
    await load_seed(db)
    measures = {row.key for row in await _all(db, "measure")}
    for kind in ("action", "funding_line", "funding_period"):
        for row in await _all(db, kind):
            assert row.measure_key is None or row.measure_key in measures, row.key


# ---------------------------------------------------------------- history


async def test_minneapolis_ice_starts_with_no_known_cameras(db: Database) -> None:
    """Minneapolis ICE-ERO's first revision records the earlier 'none_known' status."""
    await load_seed(db)
    first, *rest = await _revisions(db, "bodycam", "minneapolis-mn-ice-ero")
    assert first.action == "create"
    assert first.changes["status"] == [None, "none_known"]
    assert [r.changes["status"] for r in rest] == [["none_known", "full"]]


async def test_history_revisions_carry_their_world_dates(db: Database) -> None:
    """Each state of a record with history is dated when it took effect, not when loaded."""
    await load_seed(db)
    revisions = await _revisions(db, "measure", "119-hr7147")
    assert [r.effective_on for r in revisions] == [
        dt.date(2026, 1, 22),
        dt.date(2026, 3, 27),
        dt.date(2026, 4, 30),
    ]
    assert [r.changes["stage"][1] for r in revisions] == [
        "passed_house",
        "passed_senate",
        "enacted",
    ]


async def test_final_state_clears_fields_only_history_set(db: Database) -> None:
    """A field set by an earlier state and absent from the final row ends at the final value."""
    await load_seed(db)
    lapse = await _get(db, "funding_period", "fy2026-lapse-2026-02-14")
    assert lapse.end_date == dt.date(2026, 4, 30)
    assert lapse.confidence == "disputed"
    camera = await _get(db, "bodycam", "minneapolis-mn-ice-ero")
    assert (camera.status, camera.confidence) == ("full", "confirmed")


# ---------------------------------------------------------------- first start


async def test_seed_if_empty_loads_once(db: Database) -> None:
    """The first call seeds an empty database; the second finds records and does nothing."""
    first = await seed_if_empty(db)
    assert first is not None and first.created == TOTAL
    revisions = await _count(db, Revision)
    assert await seed_if_empty(db) is None
    assert await _count(db, Revision) == revisions


async def test_seed_if_empty_skips_when_shared_data_exists(db: Database) -> None:
    """Any shared record, even one not from the seed, means the dataset is not empty."""
    async with db.writer(Scope.shared(), Actor("editor", 7)) as writer:
        await writer.create(
            "question",
            {
                "key": "Q-1",
                "question": "Q?",
                "asked_by": "x",
                "addressed_to": "y",
                "as_of": "2026-01-01",
            },
        )
    assert await seed_if_empty(db) is None
    assert await _count(db, RECORD_TABLES["measure"]) == 0


async def test_guild_records_do_not_stop_seed_if_empty(db: Database) -> None:
    """A guild's own records are not the shared dataset; the seed still loads."""
    async with db.writer(Scope.guild(555), Actor("editor", 7)) as writer:
        await writer.create(
            "question",
            {
                "key": "Q-1",
                "question": "Q?",
                "asked_by": "x",
                "addressed_to": "y",
                "as_of": "2026-01-01",
            },
        )
    report = await seed_if_empty(db)
    assert report is not None and report.created == TOTAL


def test_no_seed_source_presents_a_home_page_as_its_address() -> None:
    """A source whose only address was a home page ('https://punchbowl.news/') keeps its outlet
    and date and has no URL: an address on file points at the item itself."""
    home_pages = [
        (kind, source["outlet"], source["url"])
        for kind, row in seed_records()
        for state in [row, *row.get("history", [])]
        for source in state.get("sources") or []
        if source.get("url") and not urlsplit(source["url"]).path.strip("/")
    ]
    assert home_pages == []
