"""Tests for db.undo: undoing a revision as a new revision, refusals, scopes, and guild imports
measured against the shared dataset."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.changes import plain_values
from db.engine import Database
from db.errors import NotFound, ScopeError
from db.guild_import import against_shared
from db.history import history, state_as_of
from db.models import CameraStatus, ChangeEvent, Revision
from db.scope import Actor, Scope, find_visible
from db.transfer import apply_import, export_records, parse, plan_import
from db.undo import UndoRefused, recent_revisions, undo
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    D,
    add,
    bodycam,
    change,
    count,
    remove,
)

KEY = "minneapolis-mn-ice-ero"
UNDOER = Actor("undoer#2", 2002)


async def revs(db: Database, key: str = KEY, scope: Scope = SHARED) -> list[Revision]:
    async with db.session() as session:
        return await history(session, scope, "bodycam", key)


async def current(db: Database, key: str = KEY, scope: Scope = SHARED) -> dict[str, Any] | None:
    async with db.session() as session:
        row = await find_visible(session, scope, "bodycam", key)
        return None if row is None else plain_values(row) | {"guild_id": row.guild_id}


async def test_undoing_an_update_sets_the_fields_back_as_a_new_undo_revision(
    db: Database,
) -> None:
    """status announced → full, undone: 'announced' again, and a revision 'undo' by the undoer,
    pointing at the undone one, with the reason 'undo of #N' and the old → new diff."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full", "officers_equipped": 40})
    update = (await revs(db))[-1]
    result = await undo(db, SHARED, UNDOER, update.id)
    assert (await current(db))["status"] == "announced"
    assert (await current(db))["officers_equipped"] is None
    new = (await revs(db))[-1]
    assert (new.action, new.undoes_revision_id, new.reason) == (
        "undo",
        update.id,
        f"undo of #{update.id}",
    )
    assert (new.actor_id, new.actor_name) == (2002, "undoer#2")
    assert new.changes == {"status": ["full", "announced"], "officers_equipped": [40, None]}
    assert result.revision.id == new.id and result.outcome == "reverted"


async def test_an_undo_writes_a_change_event_for_the_outbox(db: Database) -> None:
    """The undo reaches channels like any change: one change event for its revision."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full"})
    result = await undo(db, SHARED, UNDOER, (await revs(db))[-1].id)
    async with db.session() as session:
        query = select(ChangeEvent).where(ChangeEvent.revision_id == result.revision.id)
        events = list((await session.execute(query)).scalars())
    assert [e.event_type for e in events] == ["updated"]


async def test_undoing_a_create_deletes_the_record(db: Database) -> None:
    """A record created by mistake is gone after undoing its creation; the deletion is recorded
    as undoing it."""
    await add(db, "bodycam", bodycam())
    created = (await revs(db))[0]
    result = await undo(db, SHARED, UNDOER, created.id)
    assert await current(db) is None
    assert (result.revision.action, result.revision.undoes_revision_id) == ("delete", created.id)
    assert result.outcome == "deleted"


async def test_undoing_a_delete_recreates_the_record_with_its_old_values(db: Database) -> None:
    """A deleted record comes back exactly as it was (a new 'create' revision undoing the
    delete)."""
    await add(db, "bodycam", bodycam(notes="Counted in March.", officers_equipped=12))
    before = await current(db)
    await remove(db, "bodycam", KEY)
    deleted = (await revs(db))[-1]
    result = await undo(db, SHARED, UNDOER, deleted.id)
    assert await current(db) == before
    assert (result.revision.action, result.revision.undoes_revision_id) == ("create", deleted.id)
    assert result.outcome == "recreated"


async def test_undoing_a_rename_gives_the_record_its_old_key_back(db: Database) -> None:
    """A bodycam renamed to another city (a new key) is back under its old key after the undo."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"city": "Saint Paul"})
    assert await current(db) is None
    await undo(db, SHARED, UNDOER, (await revs(db, "saint-paul-mn-ice-ero"))[-1].id)
    assert (await current(db))["city"] == "Minneapolis"


async def test_undo_is_refused_when_a_later_revision_changed_the_same_field(db: Database) -> None:
    """full, then partial: undoing the first is refused naming the later revision and the field,
    and nothing is written."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full"})
    await change(db, "bodycam", KEY, {"status": "partial", "notes": "Pilot only."})
    first, later = (await revs(db))[1:]
    written = await count(db, Revision)
    with pytest.raises(UndoRefused) as refused:
        await undo(db, SHARED, UNDOER, first.id)
    assert f"#{later.id} (status)" in str(refused.value)
    assert await count(db, Revision) == written
    assert (await current(db))["status"] == "partial"


async def test_undo_goes_ahead_when_later_revisions_changed_other_fields(db: Database) -> None:
    """Status changed, then notes: undoing the status change keeps the later notes."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full"})
    await change(db, "bodycam", KEY, {"notes": "Confirmed by the field office."})
    await undo(db, SHARED, UNDOER, (await revs(db))[1].id)
    now = await current(db)
    assert (now["status"], now["notes"]) == ("announced", "Confirmed by the field office.")


async def test_undoing_a_create_is_refused_once_the_record_changed(db: Database) -> None:
    """Deleting a record would discard later changes: refused, naming them."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full"})
    created, later = await revs(db)
    with pytest.raises(UndoRefused, match=f"#{later.id} \\(status\\)"):
        await undo(db, SHARED, UNDOER, created.id)
    assert await current(db) is not None


async def test_undoing_an_update_of_a_deleted_record_is_refused(db: Database) -> None:
    """The record was deleted since: refused, pointing at the deletion to undo first."""
    await add(db, "bodycam", bodycam(notes="x"))
    await change(db, "bodycam", KEY, {"notes": None})
    await remove(db, "bodycam", KEY)
    _, update, deleted = await revs(db)
    with pytest.raises(UndoRefused, match=f"deleted by #{deleted.id}"):
        await undo(db, SHARED, UNDOER, update.id)


async def test_the_same_revision_cannot_be_undone_twice(db: Database) -> None:
    """A second undo of one revision is refused, naming the first undo."""
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", KEY, {"status": "full"})
    update = (await revs(db))[-1]
    first = await undo(db, SHARED, UNDOER, update.id)
    with pytest.raises(UndoRefused, match=f"already undone by #{first.revision.id}"):
        await undo(db, SHARED, UNDOER, update.id)


async def test_undoing_a_delete_is_refused_when_the_key_was_taken_again(db: Database) -> None:
    """Deleted, then created anew: bringing the old one back would clash; refused."""
    await add(db, "bodycam", bodycam())
    await remove(db, "bodycam", KEY)
    deleted = (await revs(db))[-1]
    await add(db, "bodycam", bodycam(status="full"))
    with pytest.raises(UndoRefused, match="exists again"):
        await undo(db, SHARED, UNDOER, deleted.id)


async def test_the_undo_takes_effect_when_the_undone_change_did(db: Database) -> None:
    """A change effective 1 Oct, undone on 28 Nov: the record as of 15 Oct never had it."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", KEY, {"status": "full"}, effective_on=D(2026, 10, 1))
    result = await undo(db, SHARED, UNDOER, (await revs(db))[-1].id)
    assert result.revision.effective_on == D(2026, 10, 1)
    async with db.session() as session:
        assert (await state_as_of(session, SHARED, "bodycam", KEY, D(2026, 10, 15)))[
            "status"
        ] == "announced"


async def test_a_guild_cannot_undo_a_shared_revision(db: Database) -> None:
    """A shared-dataset revision undone from a guild: refused as the owners' business."""
    await add(db, "bodycam", bodycam())
    with pytest.raises(ScopeError, match="only the bot's owners"):
        await undo(db, GUILD_A, UNDOER, (await revs(db))[0].id)


async def test_a_guild_never_finds_another_guilds_revision(db: Database) -> None:
    """Guild B's revision is 'not found' for guild A, exactly like a number that does not
    exist."""
    await add(db, "bodycam", bodycam(), scope=GUILD_B)
    theirs = (await revs(db, scope=GUILD_B))[0]
    with pytest.raises(NotFound) as other:
        await undo(db, GUILD_A, UNDOER, theirs.id)
    with pytest.raises(NotFound) as missing:
        await undo(db, GUILD_A, UNDOER, 999_999)
    assert str(other.value) == str(missing.value).replace("999999", str(theirs.id))
    assert await current(db, scope=GUILD_B) is not None


async def test_undoing_a_guilds_copy_shows_the_shared_record_again(db: Database) -> None:
    """A guild's edit of a shared record made its own copy; undoing that copy's creation gives
    the guild the shared record back, untouched."""
    await add(db, "bodycam", bodycam())
    async with db.writer(GUILD_A, EDITOR) as writer:
        await writer.change("bodycam", KEY, {"status": "full"})
    copy = (await revs(db, scope=GUILD_A))[-1]
    assert (copy.guild_id, copy.action) == (GUILD_A.guild_id, "create")
    await undo(db, GUILD_A, UNDOER, copy.id)
    seen = await current(db, scope=GUILD_A)
    assert (seen["guild_id"], seen["status"]) == (None, "announced")


async def test_recent_revisions_are_the_scopes_own_newest_first(db: Database) -> None:
    """Guild A's list holds its own revisions only, newest first, and an old one asked for."""
    await add(db, "bodycam", bodycam(), scope=GUILD_A)
    await add(db, "bodycam", bodycam("Chicago", "IL"), scope=GUILD_B)
    await add(db, "bodycam", bodycam("Denver", "CO"), scope=GUILD_A)
    async with db.session() as session:
        mine = await recent_revisions(session, GUILD_A)
        oldest = await recent_revisions(session, GUILD_A, limit=1, including=mine[-1].id)
    assert [r.record_key for r in mine] == ["denver-co-ice-ero", KEY]
    assert [r.id for r in oldest] == [mine[-1].id, mine[0].id]


async def test_history_leaves_out_a_deleted_record_that_had_the_same_id(
    db: Database,
) -> None:
    """Boston deleted, then Denver created (SQLite may give Denver Boston's id): Denver's
    history is its own creation only."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam("Boston", "MA"))
    await remove(db, "bodycam", "boston-ma-ice-ero")
    await add(db, "bodycam", bodycam("Denver", "CO"))
    async with db.session() as session:
        found = await history(session, SHARED, "bodycam", "denver-co-ice-ero")
    assert [(r.action, r.record_key) for r in found] == [("create", "denver-co-ice-ero")]


# ---------------------------------------------------------------- guild imports


async def test_a_guild_reimporting_its_export_leaves_shared_records_alone(db: Database) -> None:
    """Export what guild A sees (shared records), import it into guild A: every record is
    unchanged and no guild copy is made."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam("Chicago", "IL"))
    records = parse(await export_records(db, GUILD_A, fmt="csv"), "csv")
    measured = await against_shared(db, GUILD_A, records)
    assert (measured.records, measured.unchanged_shared) == ([], 2)
    plan = await plan_import(db, GUILD_A, measured.records)
    assert plan.summary() == "0 created, 0 changed, 0 unchanged"


async def test_a_guild_import_changing_a_shared_record_makes_a_complete_copy(
    db: Database,
) -> None:
    """A file row giving a new status for a shared record and no notes: the guild's copy keeps
    every other shared value, and the copy's changes are measured against the shared record."""
    await add(db, "bodycam", bodycam(notes="Shared note."))
    text = (
        "kind,city,state,component,status,as_of\nbodycam,Minneapolis,MN,ICE-ERO,full,2026-11-01\n"
    )
    measured = await against_shared(db, GUILD_A, parse(text, "csv"))
    assert measured.copies == {1: {"status": ["announced", "full"]}}
    await apply_import(db, GUILD_A, EDITOR, measured.records)
    copy = await current(db, scope=GUILD_A)
    assert (copy["guild_id"], copy["status"], copy["notes"]) == (1, "full", "Shared note.")
    assert (await current(db))["status"] == "announced"


async def test_the_shared_dataset_import_is_not_measured_against_itself(db: Database) -> None:
    """For the shared dataset, against_shared passes every record through."""
    await add(db, "bodycam", bodycam())
    records = parse(await export_records(db, SHARED, fmt="json"), "json")
    assert (await against_shared(db, SHARED, records)).records == records


# ---------------------------------------------------------------- property

_cities = itertools.count(1)
BASE = D(2026, 1, 1)
_update = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from([s.value for s in CameraStatus]),
        "officers_equipped": st.none() | st.integers(0, 5000),
        "notes": st.none()
        | st.text(st.characters(codec="utf-8", categories=["L", "N"]), max_size=30),
        "effective_date": st.none() | st.dates(D(2025, 1, 1), D(2027, 1, 1)),
    },
)


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(updates=st.lists(_update, min_size=1, max_size=6))
async def test_undoing_the_last_revision_restores_the_state_before_it(
    db: Database, updates: list[dict[str, Any]]
) -> None:
    """Whatever updates were written, undoing the newest revision gives back exactly the record
    as it stood before it (no record at all when the newest revision is its creation)."""
    city = f"Undo Town {next(_cities)}"  # the database outlives one example
    async with db.writer(SHARED, EDITOR, effective_on=BASE) as writer:
        key = (await writer.create("bodycam", bodycam(city))).key
    states = [await current(db, key)]
    for day, values in enumerate(updates, start=1):
        async with db.writer(SHARED, EDITOR, effective_on=BASE + dt.timedelta(day)) as writer:
            changed = await writer.update(await writer.find("bodycam", key), values)
        if changed:
            states.append(await current(db, key))
    await undo(db, SHARED, UNDOER, (await revs(db, key))[-1].id)
    assert await current(db, key) == (states[-2] if len(states) > 1 else None)
