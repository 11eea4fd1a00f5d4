"""Tests for db.history: a record's revisions, and its state rebuilt as of a past date."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.changes import plain_values
from db.engine import Database
from db.history import history, state_as_of, states_with_prefix
from db.models import BodycamDeployment, CameraStatus, ChangeEvent, Revision
from db.scope import Scope
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
    question,
    remove,
)

KEY = "minneapolis-mn-ice-ero"


async def revisions(db: Database, key: str = KEY, scope: Scope = SHARED) -> list[Revision]:
    async with db.session() as session:
        return await history(session, scope, "bodycam", key)


async def as_of(db: Database, on: dt.date, key: str = KEY, scope: Scope = SHARED):
    async with db.session() as session:
        return await state_as_of(session, scope, "bodycam", key, on)


# ---------------------------------------------------------------- history


async def test_history_lists_revisions_oldest_first_with_field_changes(db: Database) -> None:
    """Created 'announced', then made 'full', then given an officer count: three revisions in
    that order, each naming only the fields it changed."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", KEY, {"status": "full"}, effective_on=D(2026, 9, 1))
    await change(db, "bodycam", KEY, {"officers_equipped": 120}, effective_on=D(2026, 10, 1))
    revs = await revisions(db)
    assert [(r.action, r.effective_on) for r in revs] == [
        ("create", D(2026, 6, 1)),
        ("update", D(2026, 9, 1)),
        ("update", D(2026, 10, 1)),
    ]
    assert revs[0].changes["status"] == [None, "announced"]
    assert revs[1].changes == {"status": ["announced", "full"]}
    assert revs[2].changes == {"officers_equipped": [None, 120]}
    assert {(r.actor_id, r.actor_name) for r in revs} == {(EDITOR.id, EDITOR.name)}


async def test_a_write_that_changes_nothing_leaves_no_revision(db: Database) -> None:
    """Setting a record's status to the status it has writes no revision and no change event."""
    await add(db, "bodycam", bodycam(status="full"))
    assert await change(db, "bodycam", KEY, {"status": "full", "notes": "  "}) is False
    assert (await count(db, Revision), await count(db, ChangeEvent)) == (1, 1)


async def test_a_guilds_copy_shows_the_shared_history_then_its_own(db: Database) -> None:
    """An office that edited the shared record sees the shared revisions, then its copy's;
    the shared dataset and other offices see only the shared ones."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", KEY, {"status": "full"}, effective_on=D(2026, 9, 1))
    async with db.session() as session:
        query = select(BodycamDeployment).where(BodycamDeployment.key == KEY)
        shared_row = (await session.execute(query)).scalar_one()
    async with db.writer(GUILD_A, EDITOR, effective_on=D(2026, 10, 1)) as writer:
        await writer.edit(shared_row, {"status": "suspended"})
    mine = await revisions(db, scope=GUILD_A)
    assert [(r.guild_id, r.action) for r in mine] == [
        (None, "create"),
        (None, "update"),
        (1, "create"),
    ]
    assert mine[-1].changes["status"] == [None, "suspended"]
    for scope in (GUILD_B, SHARED):
        assert [r.guild_id for r in await revisions(db, scope=scope)] == [None, None]


async def test_history_follows_a_record_through_a_change_of_key(db: Database) -> None:
    """After a move from ICE-ERO to ICE-HSI, the new key's history starts at the creation."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", KEY, {"component": "ICE-HSI"}, effective_on=D(2026, 9, 1))
    revs = await revisions(db, "minneapolis-mn-ice-hsi")
    assert [(r.action, r.record_key) for r in revs] == [
        ("create", KEY),
        ("update", "minneapolis-mn-ice-hsi"),
    ]
    async with db.session() as session:
        before = await states_with_prefix(
            session, SHARED, "bodycam", "minneapolis-", D(2026, 8, 31)
        )
        after = await states_with_prefix(session, SHARED, "bodycam", "minneapolis-", D(2026, 9, 1))
    assert [state["key"] for state in before] == [KEY]
    assert [state["key"] for state in after] == ["minneapolis-mn-ice-hsi"]


# ---------------------------------------------------------------- state as of a date


async def test_state_before_creation_is_none(db: Database) -> None:
    """A record created on June 1 did not exist on May 31."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    assert await as_of(db, D(2026, 5, 31)) is None
    assert (await as_of(db, D(2026, 6, 1)))["status"] == "announced"


async def test_state_after_deletion_is_none(db: Database) -> None:
    """A record deleted on October 1 existed on September 30 and not on October 1."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await remove(db, "bodycam", KEY, effective_on=D(2026, 10, 1))
    assert (await as_of(db, D(2026, 9, 30)))["city"] == "Minneapolis"
    assert await as_of(db, D(2026, 10, 1)) is None


async def test_state_is_the_full_record_of_that_date(db: Database) -> None:
    """The state on a date is the whole record as it stood then, in JSON form."""
    row = await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    await change(db, "bodycam", KEY, {"status": "full"}, effective_on=D(2026, 9, 1))
    assert await as_of(db, D(2026, 8, 31)) == plain_values(row)


async def test_a_guilds_copy_counts_from_the_day_it_was_made(db: Database) -> None:
    """Before an office's copy took effect the office sees the shared state, and after it, its
    own; other offices always see the shared state."""
    shared_row = await add(db, "bodycam", bodycam(), effective_on=D(2026, 6, 1))
    async with db.writer(GUILD_A, EDITOR, effective_on=D(2026, 9, 1)) as writer:
        await writer.edit(shared_row, {"status": "suspended"})
    assert (await as_of(db, D(2026, 8, 31), scope=GUILD_A))["status"] == "announced"
    assert (await as_of(db, D(2026, 9, 1), scope=GUILD_A))["status"] == "suspended"
    assert (await as_of(db, D(2026, 9, 1), scope=GUILD_B))["status"] == "announced"
    assert (await as_of(db, D(2026, 9, 1), scope=SHARED))["status"] == "announced"


async def test_a_guilds_own_record_has_no_state_elsewhere(db: Database) -> None:
    """An office's own record has no history or state in another guild or the shared dataset."""
    await add(db, "bodycam", bodycam(), scope=GUILD_A, effective_on=D(2026, 6, 1))
    assert (await as_of(db, D(2026, 7, 1), scope=GUILD_A))["status"] == "announced"
    for scope in (GUILD_B, SHARED):
        assert await as_of(db, D(2026, 7, 1), scope=scope) is None
        assert await revisions(db, scope=scope) == []
        async with db.session() as session:
            assert await states_with_prefix(session, scope, "bodycam", "", D(2026, 7, 1)) == []


async def test_a_backdated_update_does_not_break_the_state_before_creation(
    db: Database,
) -> None:
    """A status change recorded as effective before the record was created leaves the record
    absent on that earlier date."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 11, 1))
    await change(db, "bodycam", KEY, {"status": "suspended"}, effective_on=D(2026, 10, 1))
    assert await as_of(db, D(2026, 10, 15)) is None


# ---------------------------------------------------------------- the property

_cities = itertools.count(1)
BASE = D(2026, 1, 1)
_notes = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=50)
_update = st.fixed_dictionaries(
    {
        "status": st.sampled_from([s.value for s in CameraStatus]),
        "officers_equipped": st.none() | st.integers(0, 5000),
        "notes": st.none() | _notes,
    }
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(updates=st.lists(_update, min_size=1, max_size=8))
async def test_state_as_of_each_day_is_what_was_written_that_day(
    db: Database, updates: list[dict[str, Any]]
) -> None:
    """Whatever updates are written on successive days, the state rebuilt for each day is the
    record as it stood after that day's write, and only real changes left revisions."""
    city = f"Property Town {next(_cities)}"  # the database outlives one example
    async with db.writer(SHARED, EDITOR, effective_on=BASE) as writer:
        row = await writer.create("bodycam", bodycam(city))
        key = row.key
        snapshots = [plain_values(row)]
    for day, values in enumerate(updates, start=1):
        async with db.writer(SHARED, EDITOR, effective_on=BASE + dt.timedelta(day)) as writer:
            row = await writer.find("bodycam", key)
            await writer.update(row, values)
            snapshots.append(plain_values(row))
    async with db.session() as session:
        assert await state_as_of(session, SHARED, "bodycam", key, BASE - dt.timedelta(1)) is None
        for day, snapshot in enumerate(snapshots):
            on = BASE + dt.timedelta(day)
            assert await state_as_of(session, SHARED, "bodycam", key, on) == snapshot
        revs = await history(session, SHARED, "bodycam", key)
    expected = [
        {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        for before, after in itertools.pairwise(snapshots)
    ]
    assert [r.changes for r in revs[1:]] == [diff for diff in expected if diff]


async def test_a_questions_history_is_found_by_its_id_in_any_spelling(db: Database) -> None:
    """'oq1' and 'OQ 1' read the history of OQ-1."""
    await add(db, "question", question(key="OQ-1"))
    async with db.session() as session:
        for typed in ("oq1", "OQ 1", "oq-1"):
            assert [r.action for r in await history(session, SHARED, "question", typed)] == [
                "create"
            ]
