"""Tests for db.transfer: CSV/JSON import and export of records."""

from __future__ import annotations

import csv
import io
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db import transfer
from db.changes import Writer, plain_values, validate
from db.engine import Database
from db.errors import DomainError, InvalidInput
from db.models import RECORD_TABLES, ChangeEvent, Revision
from db.scope import Actor, Scope
from db.transfer import (
    FORMATS,
    ImportFailed,
    ImportPlan,
    ParsedRecord,
    RowError,
    apply_import,
    detect_format,
    dump,
    export_records,
    parse,
    plan_import,
)

SHARED = Scope.shared()
BODYCAM = {
    "city": "Chicago",
    "state": "IL",
    "component": "ICE-ERO",
    "status": "partial",
    "as_of": "2026-01-05",
}
HEADER = "kind,city,state,component,status,as_of"


def line(city: str = "Chicago", state: str = "IL", status: str = "partial", **other: str) -> str:
    """One bodycam CSV row for HEADER (`kind` and `as_of` can be overridden)."""
    kind, as_of = other.get("kind", "bodycam"), other.get("as_of", "2026-01-05")
    return f"{kind},{city},{state},ICE-ERO,{status},{as_of}"


ROW = line()
DENVER = line("Denver", "CO", "full")
BOSTON = line("Boston", "MA", "full")

VARIED: list[tuple[str, dict[str, Any]]] = [
    (
        "measure",
        {
            "congress": 119,
            "bill_type": "hr",
            "bill_number": 7147,
            "title": "DHS Appropriations Act, 2026",
            "fiscal_year": 2026,
            "stage": "passed_house",
            "as_of": "2026-01-20",
            "sources": [
                {
                    "outlet": "Congress.gov",
                    "url": "https://congress.gov/b",
                    "published": "2026-01-02",
                }
            ],
        },
    ),
    (
        "action",
        {
            "measure_key": "119-hr7147",
            "action_date": "2026-01-15",
            "chamber": "house",
            "text": "Passed, 220-207",
            "vote": "220-207",
            "stage_after": "passed_house",
            "as_of": "2026-01-15",
        },
    ),
    (
        "funding_line",
        {
            "fiscal_year": 2026,
            "component": "ICE",
            "account": "Operations and Support",
            "purpose": "Body-worn cameras",
            "requested": 20_000_000,
            "enacted": 0,
            "as_of": "2026-01-20",
        },
    ),
    (
        "funding_period",
        {
            "fiscal_year": 2026,
            "period_type": "funded",
            "measure_key": "119-hr7147",
            "start_date": "2025-10-01",
            "end_date": "2026-01-30",
            "components": ["ICE", "CBP"],
            "as_of": "2026-01-20",
        },
    ),
    (
        "bodycam",
        {
            **BODYCAM,
            "notes": 'Pilot, "phase 1";\nsee São Paulo memo',
            "operation": '=HYPERLINK("http://x","y")',
            "confidence": "disputed",
            "confidence_note": "Two outlets disagree",
            "officers_equipped": 150,
        },
    ),
    ("bodycam", {**BODYCAM, "city": "St. Paul", "state": "MN", "status": "full"}),
    (
        "question",
        {
            "key": "OQ-1",
            "question": "How many cameras, and where?",
            "asked_by": "Rep. Example",
            "addressed_to": "ICE",
            "due_date": "2026-03-01",
            "status": "partially_answered",
            "responses": [
                {
                    "received_on": "2026-02-01",
                    "summary": 'Partial, see "annex"',
                    "source": {"outlet": "Letter"},
                }
            ],
            "as_of": "2026-02-01",
        },
    ),
    (
        "link",
        {
            "a_kind": "question",
            "a_key": "OQ-1",
            "b_kind": "measure",
            "b_key": "119-hr7147",
            "as_of": "2026-02-01",
        },
    ),
]


async def create(db: Database, records: list[tuple[str, dict[str, Any]]], scope: Scope = SHARED):
    async with db.writer(scope, Actor("test")) as w:
        for kind, values in records:
            await w.create(kind, values)


async def counts(db: Database) -> tuple[int, int, int]:
    """(records, revisions, change events) in the whole database."""
    async with db.session() as session:
        rows = 0
        for table in RECORD_TABLES.values():
            rows += (await session.execute(select(func.count()).select_from(table))).scalar_one()
        revisions = (await session.execute(select(func.count(Revision.id)))).scalar_one()
        events = (await session.execute(select(func.count(ChangeEvent.id)))).scalar_one()
    return rows, revisions, events


async def own_values(db: Database, scope: Scope) -> dict[tuple[str, str], dict[str, Any]]:
    """Plain values of the records the scope itself owns, by (kind, key)."""
    found = {}
    async with db.session() as session:
        for kind, table in RECORD_TABLES.items():
            t: Any = table
            own = t.guild_id.is_(None) if scope.is_shared else t.guild_id == scope.guild_id
            for row in (await session.execute(select(t).where(own))).scalars():
                found[(kind, row.key)] = plain_values(row)
    return found


async def import_text(
    db: Database, data: str | bytes, fmt: str = "csv", scope: Scope = SHARED
) -> ImportPlan:
    return await apply_import(db, scope, Actor("importer"), parse(data, fmt))


def failure(call: Any, *args: Any) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        call(*args)
    return caught.value


# ---------------------------------------------------------------- reading files


async def test_csv_with_bom_and_crlf_imports(db: Database) -> None:
    """A UTF-8 CSV with a byte-order mark and \\r\\n line endings imports."""
    data = f"{HEADER}\r\n{ROW}\r\n".encode("utf-8-sig")
    plan = await import_text(db, data)
    assert [r.values["city"] for r in plan.created] == ["Chicago"]
    assert list(await own_values(db, SHARED)) == [("bodycam", "chicago-il-ice-ero")]


async def test_csv_with_cr_line_endings_imports(db: Database) -> None:
    """Old-Mac \\r line endings import, including a quoted cell that spans lines."""
    data = f'{HEADER},notes\r{ROW},"two\rlines"\r'
    await import_text(db, data)
    assert (await own_values(db, SHARED))[("bodycam", "chicago-il-ice-ero")][
        "notes"
    ] == "two\rlines"


def test_csv_columns_in_any_order() -> None:
    """Columns may come in any order, 'kind' included."""
    [record] = parse(
        "as_of,status,kind,state,city,component\n2026-01-05,full,bodycam,IL,Chicago,ICE-ERO\n",
        "csv",
    )
    assert record.kind == "bodycam"
    assert record.values == {**BODYCAM, "status": "full"}


def test_csv_blank_lines_are_skipped_and_rows_keep_their_numbers() -> None:
    """Blank lines are ignored but still count, so row numbers match the file."""
    data = f"{HEADER}\n\n{ROW}\n"
    assert [r.row for r in parse(data, "csv")] == [2]


def test_empty_cell_is_null_or_not_given() -> None:
    """An empty cell is null for an optional field and 'not given' for one that cannot be null."""
    [record] = parse(f"{HEADER},notes,confidence\n{ROW},,\n", "csv")
    assert record.values["notes"] is None
    assert "confidence" not in record.values


def test_parse_keeps_only_the_fields_the_file_gives() -> None:
    """Parsed values hold the given fields in JSON form, not every default."""
    [record] = parse(
        json.dumps(
            {
                "format": "oversight-desk/1",
                "records": [{"kind": "bodycam", **BODYCAM, "state": "il"}],
            }
        ),
        "json",
    )
    assert record.values == {**BODYCAM, "state": "IL"}


def test_nested_problem_names_the_item() -> None:
    """A problem inside a list cell names the field, the item and the sub-field."""
    data = f'{HEADER},sources\n{ROW},"[{{""outlet"":""AP"",""url"":""ftp://x""}}]"\n'
    [error] = failure(parse, data, "csv").errors
    assert (error.row, error.column) == (1, "sources")
    assert error.problem.startswith("item 1, url: must be an http")


def test_detect_format_by_extension() -> None:
    """The format comes from the file name's extension, in any case."""
    assert detect_format("export.CSV") == "csv"
    assert detect_format("data.2026.json") == "json"


def test_detect_format_rejects_other_extensions() -> None:
    """An unknown extension is a DomainError that lists the accepted ones."""
    with pytest.raises(DomainError, match=r"\.csv, \.json"):
        detect_format("records.xlsx")


def test_json_without_format_tag_is_rejected() -> None:
    """A JSON file must carry the oversight-desk/1 format tag."""
    [error] = failure(parse, json.dumps({"records": []}), "json").errors
    assert (error.row, error.column) == (0, "format")


def test_bad_json_document_is_rejected() -> None:
    """A file that is not JSON at all is one file-level error with its position."""
    [error] = failure(parse, '{"format": ', "json").errors
    assert error.row == 0
    assert "not valid JSON" in error.problem


def test_json_errors_use_the_record_number() -> None:
    """In JSON, the row of an error is the record's position, counted from 1."""
    records = [{"kind": "bodycam", **BODYCAM}, {"kind": "bodycam", **BODYCAM, "status": "maybe"}]
    doc = json.dumps({"format": "oversight-desk/1", "records": records})
    [error] = failure(parse, doc, "json").errors
    assert (error.row, error.column) == (2, "status")


def test_json_unknown_field_is_rejected() -> None:
    """A JSON record with a field its kind does not have is rejected by name."""
    records = [{"kind": "bodycam", **BODYCAM, "colour": "red"}]
    doc = json.dumps({"format": "oversight-desk/1", "records": records})
    [error] = failure(parse, doc, "json").errors
    assert (error.row, error.column) == (1, "colour")


def test_failure_message_lists_first_twenty_and_counts_the_rest() -> None:
    """The message shows 20 errors, one per line, then how many more there are."""
    error = ImportFailed([RowError(i, "status", "bad") for i in range(1, 26)])
    lines = str(error).splitlines()
    assert len(lines) == 21
    assert lines[0] == "row 1, column status: bad"
    assert lines[-1] == "… and 5 more"
    assert error.total == 25


def test_all_errors_are_collected_in_row_order() -> None:
    """Every bad row is reported, not just the first, in row order."""
    bad = [line(status="maybe"), "bogus,,,,,", line(as_of="someday")]
    data = "\n".join([HEADER, *bad, ""])
    errors = failure(parse, data, "csv").errors
    assert [(e.row, e.column) for e in errors] == [(1, "status"), (2, "kind"), (3, "as_of")]


# ---------------------------------------------------------------- rejected files change nothing

FUNDING = "kind,fiscal_year,component,account,requested,as_of\n"


@pytest.mark.parametrize(
    ("data", "row", "column", "problem"),
    [
        pytest.param(
            f"{HEADER},colour\n{ROW},red\n",
            0,
            "colour",
            "unknown column; accepted: kind, key",
            id="unknown-column",
        ),
        pytest.param(
            f"{HEADER}\n{ROW}\n{line('Denver', 'CO', kind='bodycams')}\n",
            2,
            "kind",
            "unknown kind 'bodycams'",
            id="unknown-kind",
        ),
        pytest.param(
            f"{HEADER}\n{ROW}\n{line('Denver', 'CO', 'sorta')}\n",
            2,
            "status",
            "Input should be",
            id="bad-enum",
        ),
        pytest.param(
            f"{HEADER}\n{ROW}\n{line('Denver', 'CO', as_of='2026-02-30')}\n",
            2,
            "as_of",
            "date",
            id="bad-date",
        ),
        pytest.param(
            f"{FUNDING}funding_line,2026,ICE,O&S,-5,2026-01-05\n",
            1,
            "requested",
            "greater than or equal to 0",
            id="negative-amount",
        ),
        pytest.param(
            f"{HEADER},notes\n{ROW},{'x' * 2001}\n",
            1,
            "notes",
            "at most 2000 characters",
            id="overlong-text",
        ),
        pytest.param(
            f'{HEADER},sources\n{ROW},"[{{oops"\n',
            1,
            "sources",
            "not valid JSON",
            id="bad-json-cell",
        ),
        pytest.param(
            f"{HEADER},question\n{ROW},Why?\n",
            1,
            "question",
            "not a field of bodycam",
            id="other-kinds-column",
        ),
        pytest.param(
            "kind,key,question,asked_by,addressed_to,as_of\nquestion,,Why?,Rep. A,ICE,2026-01-05\n",
            1,
            "key",
            "needs its id",
            id="question-without-key",
        ),
        pytest.param(
            f"{HEADER}\n{ROW}\n{DENVER}\n{ROW}\n",
            3,
            "key",
            "duplicate key 'chicago-il-ice-ero' (also row 1)",
            id="duplicate-key",
        ),
    ],
)
async def test_rejected_file_reports_row_and_column_and_writes_nothing(
    db: Database, data: str, row: int, column: str, problem: str
) -> None:
    """A bad file fails with the row, column and problem, and the database is unchanged."""
    await create(db, [("bodycam", {**BODYCAM, "city": "Boston", "state": "MA"})])
    before = await counts(db)
    with pytest.raises(ImportFailed) as caught:
        await import_text(db, data)
    assert [(e.row, e.column) for e in caught.value.errors] == [(row, column)]
    assert problem in caught.value.errors[0].problem
    assert await counts(db) == before


async def test_failure_at_write_time_rolls_back_every_row(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the last row fails in the database, the rows written before it are rolled back too."""
    original = Writer.stage_upsert

    async def stage_upsert(self: Writer, kind: str, values: Any, **kwargs: Any) -> Any:
        if values.get("city") == "Denver":
            raise IntegrityError("INSERT INTO bodycam", {}, Exception("simulated violation"))
        return await original(self, kind, values, **kwargs)

    monkeypatch.setattr(Writer, "stage_upsert", stage_upsert)
    before = await counts(db)
    data = f"{HEADER}\n{ROW}\n{BOSTON}\n{DENVER}\n"
    with pytest.raises(ImportFailed) as caught:
        await import_text(db, data)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "")]
    assert "simulated violation" in caught.value.errors[0].problem
    assert await counts(db) == before


async def test_invalid_last_record_writes_nothing(db: Database) -> None:
    """Records handed to apply_import are checked again: one invalid record stops them all."""
    records = [
        ParsedRecord(1, "bodycam", BODYCAM),
        ParsedRecord(2, "bodycam", {**BODYCAM, "city": "Denver", "state": "Colorado"}),
    ]
    with pytest.raises(ImportFailed) as caught:
        await apply_import(db, SHARED, Actor("test"), records)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "state")]
    assert await counts(db) == (0, 0, 0)


# ---------------------------------------------------------------- applying imports


async def test_apply_writes_one_revision_and_event_per_created_or_changed_record(
    db: Database,
) -> None:
    """Created and changed records get one Revision and one ChangeEvent each; unchanged get none."""
    await create(
        db, [("bodycam", BODYCAM), ("bodycam", {**BODYCAM, "city": "Denver", "state": "CO"})]
    )
    before = await counts(db)
    data = f"{HEADER}\n{ROW}\n{DENVER}\n{BOSTON}\n"
    plan = await import_text(db, data)
    assert [r.values["city"] for r in plan.created] == ["Boston"]
    assert [(r.values["city"], diff) for r, diff in plan.changed] == [
        ("Denver", {"status": ["partial", "full"]})
    ]
    assert plan.unchanged == 1
    assert await counts(db) == (before[0] + 1, before[1] + 2, before[2] + 2)
    async with db.session() as session:
        revisions = (await session.execute(select(Revision).order_by(Revision.id))).scalars().all()
    assert [(r.record_key, r.action, r.reason) for r in revisions[-2:]] == [
        ("denver-co-ice-ero", "update", "import"),
        ("boston-ma-ice-ero", "create", "import"),
    ]


async def test_importing_the_same_file_twice_changes_nothing_the_second_time(db: Database) -> None:
    """A second import of the same file creates and changes nothing and writes no revisions."""
    data = f"{HEADER}\n{ROW}\n{DENVER}\n"
    first = await import_text(db, data)
    after_first = await counts(db)
    second = await import_text(db, data)
    assert (len(first.created), len(second.created), len(second.changed), second.unchanged) == (
        2,
        0,
        0,
        2,
    )
    assert await counts(db) == after_first


async def test_plan_import_previews_without_writing(db: Database) -> None:
    """plan_import reports what would be created and changed but writes nothing."""
    await create(db, [("bodycam", BODYCAM)])
    before = await counts(db)
    records = parse(
        f"{HEADER}\n{line(status='full')}\n{BOSTON}\n",
        "csv",
    )
    plan = await plan_import(db, SHARED, records)
    assert [r.values["city"] for r in plan.created] == ["Boston"]
    assert [diff for _, diff in plan.changed] == [{"status": ["partial", "full"]}]
    assert await counts(db) == before


async def test_empty_cell_clears_a_stored_value(db: Database) -> None:
    """Emptying an optional cell in a spreadsheet clears that field on import."""
    await create(db, [("bodycam", {**BODYCAM, "notes": "old note"})])
    plan = await import_text(db, f"{HEADER},notes\n{ROW},\n")
    assert [diff for _, diff in plan.changed] == [{"notes": ["old note", None]}]


async def test_field_left_out_keeps_its_stored_value(db: Database) -> None:
    """A column the file does not have leaves that field as it is."""
    await create(db, [("bodycam", {**BODYCAM, "notes": "kept"})])
    plan = await import_text(db, f"{HEADER}\n{ROW}\n")
    assert plan.unchanged == 1
    assert (await own_values(db, SHARED))[("bodycam", "chicago-il-ice-ero")]["notes"] == "kept"


async def test_progress_is_reported_in_steps_and_at_the_end(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """progress(done, total) is awaited every PROGRESS_EVERY records and after the last one."""
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        calls.append((done, total))

    cities = ["Austin", "Boston", "Chicago", "Denver", "El Paso"]
    records = [ParsedRecord(i, "bodycam", {**BODYCAM, "city": c}) for i, c in enumerate(cities, 1)]
    await apply_import(db, SHARED, Actor("test"), records, progress=progress)
    assert calls == [(2, 5), (4, 5), (5, 5)]


async def test_guild_import_leaves_the_shared_record_alone(db: Database) -> None:
    """A guild importing a shared record's key gets its own copy; the shared one is untouched."""
    await create(db, [("bodycam", BODYCAM)])
    plan = await import_text(db, f"{HEADER}\n{line(status='full')}\n", scope=Scope.guild(7))
    assert len(plan.created) == 1
    assert (await own_values(db, SHARED))[("bodycam", "chicago-il-ice-ero")]["status"] == "partial"
    assert (await own_values(db, Scope.guild(7)))[("bodycam", "chicago-il-ice-ero")][
        "status"
    ] == "full"


# ---------------------------------------------------------------- written in batches


def question_values(key: str, **other: Any) -> dict[str, Any]:
    base = {"key": key, "question": "Where?", "asked_by": "Rep. A", "addressed_to": "ICE"}
    return {**base, "as_of": "2026-01-05", **other}


MEASURE = {
    "congress": 119,
    "bill_type": "hr",
    "bill_number": 9,
    "title": "Act",
    "as_of": "2026-01-05",
}
# Records each test guild has before the import; MIXED then updates, keeps and creates records.
BEFORE: list[tuple[str, dict[str, Any]]] = [
    ("bodycam", BODYCAM),
    ("question", question_values("GQ-1", notes="kept")),
]
MIXED: list[tuple[str, dict[str, Any]]] = [
    ("bodycam", {**BODYCAM, "status": "full", "officers_equipped": 40}),  # changed
    ("bodycam", {**BODYCAM, "city": "Denver", "state": "CO"}),  # new
    ("measure", {**MEASURE, "enacted_on": "2026-03-01"}),  # new, written on its own
    ("question", question_values("GQ-1")),  # unchanged: notes not given
    # New, with a due date derived from the measure created above.
    ("question", question_values("GQ-2", due_rule_measure_key="119-hr9", due_rule_days=30)),
    (
        "link",
        {
            "a_kind": "question",
            "a_key": "GQ-2",
            "b_kind": "bodycam",
            "b_key": "denver-co-ice-ero",
            "as_of": "2026-01-05",
        },
    ),
    ("question", question_values("GQ-1a", status="answered")),  # new
    ("bodycam", {**BODYCAM, "city": "Boston", "state": "MA", "notes": "n"}),  # new
]


def records_of(values: list[tuple[str, dict[str, Any]]]) -> list[ParsedRecord]:
    return [ParsedRecord(row, kind, v) for row, (kind, v) in enumerate(values, 1)]


async def audit_trail(db: Database, guild_id: int) -> list[tuple[Any, ...]]:
    """The guild's revisions and their events in id order, without ids and guild: what each
    record's history says, and that each event points at its own revision and record."""
    async with db.session() as session:
        revisions = (
            await session.execute(
                select(Revision).where(Revision.guild_id == guild_id).order_by(Revision.id)
            )
        ).scalars()
        events = {
            e.revision_id: e
            for e in (
                await session.execute(select(ChangeEvent).where(ChangeEvent.guild_id == guild_id))
            ).scalars()
        }
        trail = []
        for r in revisions:
            row = await session.get(RECORD_TABLES[r.record_kind], r.record_id)
            assert row is not None and row.key == r.record_key  # record_id is the record's id
            event = events.pop(r.id)
            assert (event.record_kind, event.record_id) == (r.record_kind, r.record_id)
            revision = (r.record_kind, r.record_key, r.action, r.changes, r.effective_on)
            by = (r.actor_name, r.reason, r.recorded_at)
            trail.append((*revision, *by, event.event_type, event.summary))
        assert events == {}  # no event without its revision
    return trail


@pytest.mark.parametrize("every", [2, 500])
async def test_import_writes_what_upserting_each_record_writes(
    db: Database, monkeypatch: pytest.MonkeyPatch, every: int
) -> None:
    """Creates, updates, unchanged records, a measure and records pointing at records made
    earlier in the file: the batched import leaves the records, revisions and events that
    Writer.upsert record by record leaves (written in batches of 2 or all at once)."""
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", every)
    for guild in (1, 2):
        await create(db, BEFORE, scope=Scope.guild(guild))
    plan = await apply_import(db, Scope.guild(1), Actor("importer"), records_of(MIXED))
    async with db.writer(Scope.guild(2), Actor("importer"), reason="import") as writer:
        for kind, values in MIXED:
            await writer.upsert(kind, values)
    assert (len(plan.created), len(plan.changed), plan.unchanged) == (6, 1, 1)
    assert await own_values(db, Scope.guild(1)) == await own_values(db, Scope.guild(2))
    imported = await audit_trail(db, 1)
    assert imported == await audit_trail(db, 2)
    written = [(kind, key, action) for kind, key, action, *_ in imported[len(BEFORE) :]]
    assert written == [
        ("bodycam", "chicago-il-ice-ero", "update"),
        ("bodycam", "denver-co-ice-ero", "create"),
        ("measure", "119-hr9", "create"),
        ("question", "GQ-2", "create"),
        ("link", "bodycam:denver-co-ice-ero~question:GQ-2", "create"),
        ("question", "GQ-1a", "create"),
        ("bodycam", "boston-ma-ice-ero", "create"),
    ]
    assert imported[len(BEFORE)][3] == {
        "status": ["partial", "full"],
        "officers_equipped": [None, 40],
    }
    assert (await own_values(db, Scope.guild(1)))[("question", "GQ-2")]["due_date"] == "2026-03-31"


async def test_a_record_pointing_at_one_later_in_the_file_is_refused(db: Database) -> None:
    """Records are written in file order: a link to a question the file creates after it is
    refused at the link's row, and nothing is written."""
    link = {
        "a_kind": "question",
        "a_key": "GQ-5",
        "b_kind": "bodycam",
        "b_key": "chicago-il-ice-ero",
    }
    values = [
        ("bodycam", BODYCAM),
        ("link", {**link, "as_of": "2026-01-05"}),
        ("question", question_values("GQ-5")),
    ]
    with pytest.raises(ImportFailed) as caught:
        await apply_import(db, Scope.guild(1), Actor("test"), records_of(values))
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "b_key")]
    assert "no question with key 'GQ-5' is visible here" in caught.value.errors[0].problem
    assert await counts(db) == (0, 0, 0)


async def test_a_refused_batch_rolls_back_the_batches_written_before_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records are written in batches; when the database refuses one, the error names its rows
    and the batches written before it are rolled back too."""
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 2)
    original = Writer.write_staged
    calls = itertools.count()

    async def write_staged(self: Writer) -> None:
        if next(calls) == 1:
            raise IntegrityError("INSERT INTO bodycam", {}, Exception("simulated violation"))
        await original(self)

    monkeypatch.setattr(Writer, "write_staged", write_staged)
    with pytest.raises(ImportFailed) as caught:
        await import_text(db, f"{HEADER}\n{ROW}\n{BOSTON}\n{DENVER}\n{line('Austin', 'TX')}\n")
    assert [str(e) for e in caught.value.errors] == [
        "file: the database refused rows 3–4: simulated violation"
    ]
    assert await counts(db) == (0, 0, 0)


async def test_keys_with_quotes_and_backslashes_are_found_again(db: Database) -> None:
    """Keys are looked up as SQL literals: any text in a key still finds its record."""
    keys = ["GQ-'1", 'GQ-"2', "GQ-\\3", "GQ-%4", "GQ-$1", "GQ-?6", "GQ-:7"]
    values = [("question", question_values(key)) for key in keys]
    first = await apply_import(db, Scope.guild(1), Actor("test"), records_of(values))
    again = await plan_import(db, Scope.guild(1), records_of(values))
    assert (len(first.created), again.unchanged) == (len(keys), len(keys))


# ---------------------------------------------------------------- exporting


async def test_formula_like_text_is_quoted_on_export_and_restored_on_import(db: Database) -> None:
    """Cells starting with = + @ get a leading quote in CSV and import back exactly."""
    notes = ['=HYPERLINK("http://evil.example","click")', "+1", "@cmd", "'=already quoted"]
    cities = ["Austin", "Boston", "Chicago", "Denver"]
    await create(
        db,
        [
            ("bodycam", {**BODYCAM, "city": c, "notes": n})
            for c, n in zip(cities, notes, strict=True)
        ],
    )
    text = await export_records(db, SHARED, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["notes"] for r in rows] == ["'" + n for n in notes]
    assert [r.values["notes"] for r in parse(text, "csv")] == notes


async def test_export_orders_by_kind_then_key(db: Database) -> None:
    """Records come out in FIELDS_OF kind order, then by key."""
    await create(db, [VARIED[6], VARIED[5], VARIED[4], VARIED[0]])
    doc = json.loads(await export_records(db, SHARED))
    assert doc["format"] == "oversight-desk/1"
    assert [(r["kind"], r["key"]) for r in doc["records"]] == [
        ("measure", "119-hr7147"),
        ("bodycam", "chicago-il-ice-ero"),
        ("bodycam", "saint-paul-mn-ice-ero"),
        ("question", "OQ-1"),
    ]


async def test_csv_export_of_one_kind_has_its_fields_in_model_order(db: Database) -> None:
    """A one-kind CSV export has 'kind' then exactly that kind's fields, in model order."""
    await create(db, VARIED)
    text = await export_records(db, SHARED, kinds=["question"], fmt="csv")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["kind", *validate("question", VARIED[6][1]).model_dump()]


async def test_csv_export_of_several_kinds_leaves_foreign_cells_empty(db: Database) -> None:
    """A several-kind CSV export has the union of fields; cells of other kinds' fields are empty."""
    await create(db, VARIED)
    text = await export_records(db, SHARED, kinds=["bodycam", "question"], fmt="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"city", "question", "responses"} <= set(rows[0])
    assert rows[0]["kind"] == "bodycam" and rows[0]["question"] == "" and rows[0]["responses"] == ""
    assert rows[-1]["kind"] == "question" and rows[-1]["city"] == ""


async def test_export_rejects_an_unknown_kind(db: Database) -> None:
    """Asking to export a kind that does not exist is a DomainError naming the accepted kinds."""
    with pytest.raises(DomainError, match="accepted: measure"):
        await export_records(db, SHARED, kinds=["bodycams"])


@pytest.mark.parametrize("fmt", FORMATS)
async def test_export_imports_into_a_fresh_scope_with_equal_values(db: Database, fmt: str) -> None:
    """An export of a varied dataset imported into another scope gives records with equal values."""
    await create(db, VARIED)
    text = await export_records(db, SHARED, fmt=fmt)
    plan = await import_text(db, text, fmt, scope=Scope.guild(42))
    assert len(plan.created) == len(VARIED)
    assert await own_values(db, Scope.guild(42)) == await own_values(db, SHARED)


@pytest.mark.parametrize("fmt", FORMATS)
async def test_export_imported_into_the_same_scope_is_all_unchanged(db: Database, fmt: str) -> None:
    """Importing an export back into its own scope changes nothing and writes nothing."""
    await create(db, VARIED)
    before = await counts(db)
    plan = await import_text(db, await export_records(db, SHARED, fmt=fmt), fmt)
    assert (plan.created, plan.changed, plan.unchanged) == ([], [], len(VARIED))
    assert await counts(db) == before


@pytest.mark.parametrize("fmt", FORMATS)
async def test_export_for_a_guild_never_contains_another_guilds_records(
    db: Database, fmt: str
) -> None:
    """A guild's export holds its own and shared records, never another guild's."""
    await create(db, [("bodycam", {**BODYCAM, "city": "Boston", "state": "MA"})])
    await create(db, [("bodycam", BODYCAM)], scope=Scope.guild(1))
    await create(
        db, [("bodycam", {**BODYCAM, "city": "Denver", "state": "CO"})], scope=Scope.guild(2)
    )
    text = await export_records(db, Scope.guild(1), fmt=fmt)
    assert [r.values["city"] for r in parse(text, fmt)] == ["Boston", "Chicago"]
    assert "Denver" not in text


# ---------------------------------------------------------------- any text survives

risky_text = st.tuples(
    st.sampled_from(["", "=", "+", "-", "@", "'", "''=", "\t", "\r", " =", '"', ","]),
    st.text(max_size=60),
).map("".join)


@settings(max_examples=30, deadline=None)
@given(notes=risky_text, operation=risky_text)
def test_any_text_survives_a_csv_and_json_round_trip(notes: str, operation: str) -> None:
    """Text with newlines, quotes, commas, formula starts and unicode comes back exactly."""
    try:
        expected = validate(
            "bodycam", {**BODYCAM, "notes": notes, "operation": operation}
        ).model_dump(mode="json")
    except InvalidInput:
        assume(False)
    for fmt in FORMATS:
        [record] = parse(dump([("bodycam", expected)], fmt), fmt)
        assert record.values == expected


GUILDS = itertools.count(1000)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=risky_text.filter(lambda t: "\x00" not in t))  # PostgreSQL refuses NUL
async def test_any_text_survives_export_and_import_through_the_database(
    db: Database, notes: str
) -> None:
    """Text stored, exported as CSV and imported into another scope comes back exactly."""
    values = {**BODYCAM, "notes": notes}
    try:
        validate("bodycam", values)
    except InvalidInput:
        assume(False)
    source, target = Scope.guild(next(GUILDS)), Scope.guild(next(GUILDS))
    await create(db, [("bodycam", values)], scope=source)
    await import_text(db, await export_records(db, source, fmt="csv"), scope=target)
    assert await own_values(db, target) == await own_values(db, source)


def test_a_cell_too_large_for_csv_is_a_clear_import_error() -> None:
    """A cell over the csv module's field limit is reported, not a crash."""
    text = "kind,notes\nbodycam," + "x" * 200_000 + "\n"
    with pytest.raises(ImportFailed, match="not readable as CSV"):
        parse(text, "csv")


# ---------------------------------------------------------------- hostile files


def envelope(*records: dict[str, Any]) -> str:
    return json.dumps({"format": "oversight-desk/1", "records": list(records)})


def bodycam_record(**values: Any) -> dict[str, Any]:
    return {"kind": "bodycam", **BODYCAM, **values}


QUESTION = {
    "kind": "question",
    "key": "OQ-7",
    "question": "When?",
    "asked_by": "Rep. Example",
    "addressed_to": "ICE",
    "as_of": "2026-02-01",
}
DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    ("data", "fmt", "expected"),
    [
        (DEEP, "json", (0, "", "JSON nested more than 6 levels deep (line 1, column 7)")),
        (
            envelope(bodycam_record(), bodycam_record(city="Denver", sources="@")).replace(
                '"@"', DEEP
            ),
            "json",
            (2, "sources", "nested more than 3 levels deep; no field needs more"),
        ),
        (
            envelope(bodycam_record(sources=[[[[{"outlet": "x"}]]]])),
            "json",
            (1, "sources", "nested more than 3 levels deep"),
        ),
        (
            f'{HEADER},sources\n{ROW},"{DEEP}"\n',
            "csv",
            (1, "sources", "nested more than 3 levels deep; no field needs more"),
        ),
        (
            '{"format": "oversight-desk/1", "records": [{"requested": 1' + "0" * 5000 + "}]}",
            "json",
            (0, "", "a number is too long to read (over 4,300 digits)"),
        ),
    ],
    ids=["file", "json-field", "json-field-just-too-deep", "csv-cell", "long-number"],
)
def test_json_nested_deeper_than_any_record_is_a_row_error(
    data: str, fmt: str, expected: tuple[int, str, str]
) -> None:
    """10,000 levels of [[[…]]] (json.loads alone raises RecursionError) or a field one level
    deeper than a response's source: an error naming the row and field, or the file's line."""
    error = failure(parse, data, fmt)
    assert [(e.row, e.column) for e in error.errors] == [expected[:2]]
    assert expected[2] in error.errors[0].problem


@pytest.mark.parametrize(
    ("data", "fmt", "row", "column", "problem"),
    [
        (
            envelope(bodycam_record(**{"ci\x00ty": "X"})),
            "json",
            1,
            "ci\\u0000ty",
            "the name contains control character U+0000",
        ),
        (
            envelope(bodycam_record(notes="a\x07b")),
            "json",
            1,
            "notes",
            "control character U+0007 at character 2",
        ),
        (
            envelope(bodycam_record(key="chicago\x00")),
            "json",
            1,
            "key",
            "control character U+0000 at character 8",
        ),
        (
            envelope(bodycam_record(sources=[{"outlet": "NYT", "url": "https://a\x01b"}])),
            "json",
            1,
            "sources",
            "item 1, url: control character U+0001",
        ),
        (
            envelope(bodycam_record(sources=[{"outlet": "NYT", "u\x1frl": "https://a"}])),
            "json",
            1,
            "sources",
            "item 1, a name contains control character U+001F",
        ),
        (
            '{"format": "oversight-desk/1", "records": [{"kind": "bodycam", "city": "X\\ud800"}]}',
            "json",
            1,
            "city",
            "an unpaired surrogate U+D800 (not valid Unicode)",
        ),
        (f"kind,ci\x01ty\n{ROW}\n", "csv", 0, "ci\\u0001ty", "column name contains control"),
        (HEADER + "\n" + line("Chi\x1bcago"), "csv", 1, "city", "U+001B at character 4"),
        (HEADER + "\n" + line(kind="bodycam\x00"), "csv", 1, "kind", "U+0000 at character 8"),
        (
            f'{HEADER},sources\n{ROW},"[{{""outlet"": ""A\\u0002""}}]"\n',
            "csv",
            1,
            "sources",
            "item 1, outlet: control character U+0002",
        ),
    ],
    ids=[
        "json-field-name",
        "json-value",
        "json-key",
        "json-source-url",
        "json-source-name",
        "json-surrogate",
        "csv-header",
        "csv-cell",
        "csv-kind",
        "csv-json-cell",
    ],
)
def test_control_characters_anywhere_are_row_errors(
    data: str, fmt: str, row: int, column: str, problem: str
) -> None:
    """A control character or unpaired surrogate in a field name, a value, a CSV header or a
    nested source field: named by row and column (shown escaped), never passed on."""
    error = failure(parse, data, fmt)
    assert (error.errors[0].row, error.errors[0].column) == (row, column)
    assert problem in error.errors[0].problem
    assert not any(c in str(error) for c in "\x00\x01\x07\x1b\x1f\ud800")


@pytest.mark.parametrize(
    ("record", "column", "problem"),
    [
        (
            {"kind": "measure", "congress": 119, "bill_type": "hr", "bill_number": 9,
             "title": "T", "enacted_on": "9999-12-01", "as_of": "2026-01-01"},
            "enacted_on",
            "9999-12-01 is outside the years accepted, 1900–2100",
        ),
        ({**QUESTION, "due_date": "9999-12-31"}, "due_date", "9999-12-31 is outside"),
        (
            {**QUESTION, "responses": [{"received_on": "2026-01-01", "summary": "s",
                                        "source": {"outlet": "o", "published": "0001-01-01"}}]},
            "responses",
            "item 1, source: published: 0001-01-01 is outside",
        ),
        (
            {"kind": "funding_period", "fiscal_year": 2026, "period_type": "lapse",
             "start_date": "2026-01-01", "end_date": "9999-12-31", "as_of": "2026-01-01"},
            "end_date",
            "9999-12-31 is outside",
        ),
    ],
    ids=["enactment", "due-date", "nested-source", "period-end"],
)  # fmt: skip
def test_dates_past_the_accepted_years_are_row_errors(
    record: dict[str, Any], column: str, problem: str
) -> None:
    """Dates whose derived deadlines or alerts could overflow (a due rule 3,650 days after an
    enactment in 9999, the day after a period ending 9999-12-31): refused by row and column."""
    error = failure(parse, envelope(record), "json")
    assert [(e.row, e.column) for e in error.errors] == [(1, column)]
    assert problem in error.errors[0].problem


async def test_a_derived_date_past_the_calendar_is_a_row_error_and_writes_nothing(
    db: Database,
) -> None:
    """A bill stored with enactment in 9999 (before imports checked years) and a question whose
    due rule is 3,650 days after it: the import fails at that row; nothing is written."""
    bill = {"congress": 119, "bill_type": "hr", "bill_number": 9, "title": "T",
            "enacted_on": "9999-12-01", "as_of": "2026-01-01"}  # fmt: skip
    await create(db, [("measure", bill)])
    before = await counts(db)
    rule = {**QUESTION, "due_rule_measure_key": "119-hr9", "due_rule_days": 3650}
    rows = [bodycam_record(), rule]
    with pytest.raises(ImportFailed) as caught:
        await import_text(db, envelope(*rows), "json")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "due_rule_days")]
    assert "3,650 days from Dec 1, 9999 is outside the calendar" in caught.value.errors[0].problem
    assert await counts(db) == before


@pytest.mark.parametrize(
    ("data", "fmt", "problem"),
    [
        (b"", "json", "it is empty; expected an object {"),
        (b" \r\n\t", "json", "it is empty; expected an object {"),
        (b"\xef\xbb\xbf", "csv", "it is empty; the first row must name the columns"),
        (b"kind,city\n\xff\xfe", "csv", "not UTF-8 text (byte 10)"),
        (b"[1, 2]", "json", 'expected an object {"format": "oversight-desk/1"'),
        (b'"records"', "json", 'expected an object {"format": "oversight-desk/1"'),
        (b"null", "json", 'expected an object {"format": "oversight-desk/1"'),
    ],
)
async def test_empty_undecodable_and_non_object_files_write_nothing(
    db: Database, data: bytes, fmt: str, problem: str
) -> None:
    """An empty file, bytes that are not UTF-8, a JSON document that is not the envelope
    object: one file-level error saying what is accepted; nothing written."""
    with pytest.raises(ImportFailed) as caught:
        await import_text(db, data, fmt)
    assert [e.row for e in caught.value.errors] == [0]
    assert problem in caught.value.errors[0].problem
    assert await counts(db) == (0, 0, 0)


def test_brackets_inside_text_do_not_count_as_nesting() -> None:
    """The nesting check skips strings: brackets and escaped quotes in notes are just text."""
    record = bodycam_record(notes='[[[[[[[[ {{{{ \\"quoted\\" ]]]]', sources=[{"outlet": "A"}])
    text = envelope(*[{**record, "city": f"Town {n}"} for n in range(100)])
    assert len(parse(text, "json")) == 100
