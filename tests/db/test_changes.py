"""The writer: validation, revisions and change events, no-op writes, duplicates and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from db.changes import plain_values, validate
from db.engine import Database
from db.errors import Duplicate, InvalidInput, ScopeError
from db.models import RECORD_TABLES, ChangeEvent, Revision
from db.scope import Actor, Scope

ACTOR = Actor("editor", 42)
SHARED = Scope.shared()

VALID: dict[str, dict[str, Any]] = {
    "measure": {
        "congress": 119,
        "fiscal_year": 2026,
        "bill_type": "hr",
        "bill_number": 7147,
        "title": "DHS Appropriations Act, 2026",
        "as_of": "2026-01-22",
    },
    "action": {
        "measure_key": "119-hr7147",
        "action_date": "2026-01-22",
        "chamber": "house",
        "text": "Passed House",
        "vote": "220-207",
        "as_of": "2026-01-22",
    },
    "funding_line": {
        "fiscal_year": 2026,
        "component": "ICE",
        "account": "Operations and Support",
        "purpose": "Body-worn cameras",
        "house": 20_000_000,
        "as_of": "2026-01-20",
    },
    "funding_period": {
        "fiscal_year": 2026,
        "period_type": "lapse",
        "start_date": "2026-02-14",
        "end_date": "2026-04-30",
        "as_of": "2026-05-01",
    },
    "bodycam": {
        "city": "Minneapolis",
        "state": "MN",
        "component": "ICE-ERO",
        "status": "full",
        "effective_date": "2026-02-02",
        "as_of": "2026-02-02",
    },
    "question": {
        "key": "OQ-1",
        "question": "When will CBP release the footage?",
        "asked_by": "Senate HSGAC",
        "addressed_to": "CBP Commissioner",
        "as_of": "2026-02-12",
    },
    "link": {
        "a_kind": "bodycam",
        "a_key": "minneapolis-mn-ice-ero",
        "b_kind": "question",
        "b_key": "OQ-1",
        "as_of": "2026-02-12",
    },
}

# (kind, bad values, field the error names, words the message must contain)
BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("measure", {"title": "x" * 301}, "title", "at most 300"),
    ("measure", {"stage": "signed"}, "stage", "introduced"),
    ("measure", {"public_law": "PL 119"}, "public_law", "must look like 119-86"),
    ("action", {"action_date": "2026-02-30"}, "action_date", "date"),
    ("action", {"chamber": "white house"}, "chamber", "house"),
    ("action", {"vote": "lots"}, "vote", "voice vote"),
    ("funding_line", {"house": -5}, "house", "greater than or equal to 0"),
    ("funding_line", {"enacted": "twenty"}, "enacted", "integer"),
    ("funding_period", {"end_date": "2026-01-01"}, "end_date", "before start_date"),
    ("funding_period", {"period_type": "shutdown"}, "period_type", "funded"),
    ("bodycam", {"status": "everywhere"}, "status", "none_known"),
    ("bodycam", {"component": "FBI"}, "component", "ICE-ERO"),
    ("bodycam", {"state": "Minnesota"}, "state", "2 characters"),
    ("bodycam", {"officers_equipped": -1}, "officers_equipped", "greater than or equal to 0"),
    ("bodycam", {"city": "   "}, "city", "blank"),
    ("question", {"question": "q" * 4001}, "question", "at most 4000"),
    ("question", {"vehicle": "email"}, "vehicle", "letter"),
    ("question", {"due_date": "soon"}, "due_date", "date"),
    ("question", {"sources": [{"outlet": "NYT", "url": "ftp://x"}]}, "sources", "http"),
    ("question", {"confidence": "disputed"}, "confidence_note", "what conflicts"),
    ("link", {"b_kind": "bodycam", "b_key": "minneapolis-mn-ice-ero"}, "b_key", "itself"),
]


async def counts(db: Database) -> tuple[int, ...]:
    async with db.session() as session:
        tables = [*RECORD_TABLES.values(), Revision, ChangeEvent]
        return tuple(
            [
                (await session.execute(select(func.count()).select_from(t))).scalar_one()
                for t in tables
            ]
        )


# Records a kind points at, created (in the shared dataset) before it.
NEEDS = {"action": ["measure"], "link": ["bodycam", "question"]}


async def prerequisites(db: Database, kind: str) -> None:
    async with db.writer(SHARED, ACTOR) as writer:
        for needed in NEEDS.get(kind, []):
            if await writer.find(needed, validate(needed, VALID[needed]).key) is None:
                await writer.create(needed, VALID[needed])


async def create(db: Database, kind: str, scope: Scope = SHARED, **changes: Any) -> Any:
    await prerequisites(db, kind)
    async with db.writer(scope, ACTOR) as writer:
        return await writer.create(kind, {**VALID[kind], **changes})


@pytest.mark.parametrize("kind", list(VALID))
async def test_create_writes_record_revision_and_event(db: Database, kind: str) -> None:
    """Creating any kind writes the record, one revision with every value, and one event."""
    row = await create(db, kind)
    async with db.session() as session:
        revision = (
            await session.execute(select(Revision).where(Revision.record_kind == kind))
        ).scalar_one()
        event = (
            await session.execute(select(ChangeEvent).where(ChangeEvent.record_kind == kind))
        ).scalar_one()
    assert (revision.action, revision.record_kind, revision.record_id) == ("create", kind, row.id)
    assert (revision.actor_id, revision.actor_name) == (42, "editor")
    assert revision.changes["as_of"] == [None, VALID[kind]["as_of"]]
    assert (event.revision_id, event.event_type, event.record_key) == (
        revision.id,
        "created",
        row.key,
    )


@pytest.mark.parametrize(("kind", "bad", "field", "words"), BAD)
async def test_bad_input_is_refused_and_nothing_is_written(
    db: Database, kind: str, bad: dict[str, Any], field: str, words: str
) -> None:
    """Every kind of bad value is refused with a message naming the field; nothing is written."""
    await prerequisites(db, kind)
    before = await counts(db)
    with pytest.raises(InvalidInput) as caught:
        await create(db, kind, **bad)
    assert any(p.field.split(".")[0] == field for p in caught.value.problems), caught.value
    assert words in str(caught.value)
    assert await counts(db) == before


@pytest.mark.parametrize(
    ("kind", "bad", "field"),
    [
        ("action", {"measure_key": "119-hr9999"}, "measure_key"),
        ("link", {"b_key": "OQ-99"}, "b_key"),
        (
            "question",
            {"due_rule_measure_key": "119-hr1", "due_rule_days": 30},
            "due_rule_measure_key",
        ),
    ],
)
async def test_reference_to_unknown_record_is_refused(
    db: Database, kind: str, bad: dict[str, Any], field: str
) -> None:
    """A record pointing at a record that does not exist (or is not visible) is refused."""
    await prerequisites(db, kind)
    before = await counts(db)
    with pytest.raises(InvalidInput, match=f"{field}: no .* is visible here"):
        await create(db, kind, **bad)
    assert await counts(db) == before


async def test_reference_to_another_guilds_record_is_refused(db: Database) -> None:
    """Guild 2 cannot link to a question only guild 1 can see."""
    await create(db, "question", scope=Scope.guild(1), key="GQ-1")
    await create(db, "link", scope=Scope.guild(1), b_key="GQ-1")
    with pytest.raises(InvalidInput, match="b_key: no question with key 'GQ-1'"):
        await create(db, "link", scope=Scope.guild(2), b_key="GQ-1")


async def test_unknown_field_is_refused(db: Database) -> None:
    """A misspelt field name is an error, not silently dropped."""
    with pytest.raises(InvalidInput, match="statu"):
        await create(db, "bodycam", statu="full")


async def test_duplicate_key_is_refused(db: Database) -> None:
    """A second record with the same key in the same scope is refused; the first stays."""
    await create(db, "bodycam")
    before = await counts(db)
    with pytest.raises(Duplicate, match="minneapolis-mn-ice-ero"):
        await create(db, "bodycam", status="partial")
    assert await counts(db) == before


async def test_update_that_changes_nothing_writes_nothing(db: Database) -> None:
    """Setting a field to the value it has writes no revision and no event."""
    row = await create(db, "bodycam")
    before = await counts(db)
    async with db.writer(SHARED, ACTOR) as writer:
        assert await writer.update(row, {"status": "full", "city": " Minneapolis "}) is False
    assert await counts(db) == before


async def test_update_records_field_diff(db: Database) -> None:
    """An update's revision holds exactly the changed fields, old → new."""
    row = await create(db, "bodycam")
    async with db.writer(SHARED, ACTOR, reason="new reporting") as writer:
        assert await writer.update(row, {"status": "partial", "officers_equipped": 120})
    async with db.session() as session:
        last = (
            (await session.execute(select(Revision).order_by(Revision.id.desc()))).scalars().first()
        )  # type: ignore[union-attr]
    assert last is not None
    assert last.changes == {"status": ["full", "partial"], "officers_equipped": [None, 120]}
    assert last.reason == "new reporting"


async def test_failed_write_rolls_back_the_whole_transaction(db: Database) -> None:
    """When the second write of a transaction fails, the first is not kept either."""
    before = await counts(db)
    with pytest.raises(InvalidInput):
        async with db.writer(SHARED, ACTOR) as writer:
            await writer.create("bodycam", VALID["bodycam"])
            await writer.create("bodycam", {**VALID["bodycam"], "city": "Chicago", "status": "?"})
    assert await counts(db) == before


async def test_delete_keeps_an_audit_trail(db: Database) -> None:
    """Deleting removes the record but writes a delete revision holding its last values."""
    row = await create(db, "question")
    async with db.writer(SHARED, ACTOR) as writer:
        await writer.delete(row)
    async with db.session() as session:
        revisions = (await session.execute(select(Revision).order_by(Revision.id))).scalars().all()
    assert [r.action for r in revisions] == ["create", "delete"]
    assert revisions[1].changes["question"] == [VALID["question"]["question"], None]


async def test_renaming_a_city_rederives_its_key(db: Database) -> None:
    """A record's key follows its natural fields: renaming the city changes the key."""
    row = await create(db, "bodycam", city="St Paul")
    async with db.writer(SHARED, ACTOR) as writer:
        await writer.update(row, {"city": "Minneapolis"})
    assert row.key == "minneapolis-mn-ice-ero"


async def test_guild_cannot_change_another_guilds_record(db: Database) -> None:
    """A guild writer refuses another guild's record and the shared record (use edit for copies)."""
    theirs = await create(db, "bodycam", scope=Scope.guild(1))
    shared = await create(db, "question")
    before = await counts(db)
    async with db.writer(Scope.guild(2), ACTOR) as writer:
        with pytest.raises(ScopeError, match="another server"):
            await writer.update(theirs, {"status": "ended"})
        with pytest.raises(ScopeError, match="another server"):
            await writer.delete(theirs)
        with pytest.raises(ScopeError, match="shared dataset"):
            await writer.update(shared, {"status": "answered"})
    assert await counts(db) == before


async def test_guild_edit_of_shared_record_makes_its_own_copy(db: Database) -> None:
    """A guild editing a shared record gets its own copy; the shared record is unchanged."""
    shared = await create(db, "bodycam")
    async with db.writer(Scope.guild(7), ACTOR) as writer:
        copy, changed = await writer.edit(shared, {"officers_equipped": 3000})
    assert changed and copy.id != shared.id and copy.guild_id == 7
    assert copy.key == shared.key
    async with db.session() as session:
        fresh = await session.get(RECORD_TABLES["bodycam"], shared.id)
    assert fresh is not None and fresh.officers_equipped is None
    assert plain_values(copy)["officers_equipped"] == 3000


async def test_same_key_in_two_guilds_is_allowed(db: Database) -> None:
    """Two offices may each keep their own record under the same key."""
    a = await create(db, "bodycam", scope=Scope.guild(1))
    b = await create(db, "bodycam", scope=Scope.guild(2), status="partial")
    assert a.key == b.key and a.id != b.id


async def test_instants_are_utc_aware(db: Database) -> None:
    """Timestamps come back UTC-aware on every backend."""
    row = await create(db, "bodycam")
    async with db.session() as session:
        fresh = await session.get(RECORD_TABLES["bodycam"], row.id)
    assert fresh is not None and fresh.created_at.tzinfo is not None
    assert fresh.created_at == dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


async def test_write_listeners_hear_committed_events_only(db: Database) -> None:
    """Listeners are called after a commit that wrote events, not after a no-op or a failure."""
    calls: list[int] = []
    db.on_write(lambda: calls.append(1))
    row = await create(db, "bodycam")
    async with db.writer(SHARED, ACTOR) as writer:
        await writer.update(row, {"status": "full"})
    with pytest.raises(InvalidInput):
        await create(db, "bodycam", city="X", status="nope")
    assert calls == [1]


# ---------------------------------------------------------------- staged writes (imports)


async def test_staging_the_same_record_twice_writes_both_changes_in_order(db: Database) -> None:
    """A second staged write of a record writes the first before it: one revision and one event
    each, every event pointing at its own revision."""
    await create(db, "bodycam")
    key = validate("bodycam", VALID["bodycam"]).key
    async with db.writer(SHARED, ACTOR) as writer:
        assert await writer.stage_upsert("bodycam", {**VALID["bodycam"], "status": "partial"})
        assert await writer.stage_upsert("bodycam", {**VALID["bodycam"], "status": "ended"})
        await writer.write_staged()
    async with db.session() as session:
        revisions = (await session.execute(select(Revision).order_by(Revision.id))).scalars().all()
        events = (await session.execute(select(ChangeEvent))).scalars().all()
    assert [(r.action, r.changes) for r in revisions[1:]] == [
        ("update", {"status": ["full", "partial"]}),
        ("update", {"status": ["partial", "ended"]}),
    ]
    by_revision = {e.revision_id: (e.event_type, e.summary) for e in events}
    assert len(by_revision) == len(events) == len(revisions)
    assert [by_revision[r.id] for r in revisions[1:]] == [
        ("updated", f"bodycam {key} updated: status: full → partial"),
        ("updated", f"bodycam {key} updated: status: partial → ended"),
    ]


async def test_a_staged_record_is_seen_before_it_is_written(db: Database) -> None:
    """A record staged and not yet written can be pointed at, and finding it writes it first."""
    async with db.writer(SHARED, ACTOR) as writer:
        assert await writer.stage_upsert("question", VALID["question"]) == "created"
        assert await writer.stage_upsert("bodycam", VALID["bodycam"]) == "created"
        assert await writer.stage_upsert("link", VALID["link"]) == "created"
        found = await writer.find("question", "OQ-1")
        assert found is not None and found.id is not None
        await writer.write_staged()
    assert await counts(db) == (0, 0, 0, 0, 1, 1, 1, 3, 3)


async def test_staging_refuses_kinds_whose_writes_change_other_records(db: Database) -> None:
    """A measure can re-date questions that follow it: it is written at once, never staged."""
    async with db.writer(SHARED, ACTOR) as writer:
        with pytest.raises(ValueError, match="use upsert"):
            await writer.stage_upsert("measure", VALID["measure"])


async def test_a_write_made_at_once_writes_the_staged_ones_first(db: Database) -> None:
    """Staged writes are not overtaken: revisions stay in the order the writes were made."""
    async with db.writer(SHARED, ACTOR) as writer:
        await writer.stage_upsert("bodycam", VALID["bodycam"])
        await writer.create("question", VALID["question"])
    async with db.session() as session:
        revisions = (await session.execute(select(Revision).order_by(Revision.id))).scalars().all()
    assert [r.record_kind for r in revisions] == ["bodycam", "question"]
