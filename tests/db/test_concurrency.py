"""No lost updates: concurrent writers of the same records, on SQLite and PostgreSQL.

The PostgreSQL runs are the real proof: several connections, transactions interleaved by the event
loop. SQLite serialises writers (BEGIN IMMEDIATE), so the same tests check it stays correct there.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import select

from db.engine import Database
from db.errors import Conflict, StaleEdit
from db.models import BodycamDeployment, OversightQuestion, Revision
from db.scope import Actor
from db.undo import UndoRefused, undo
from tests.db.records import EDITOR, GUILD_A, SHARED, add, bodycam, question

EDITORS = 20
EDITS = 50
KEYS = ("OQ-1", "OQ-2", "OQ-3")


async def revisions_of(db: Database, kind: str, key: str) -> list[Revision]:
    async with db.session() as session:
        query = select(Revision).where(Revision.record_kind == kind, Revision.record_key == key)
        return list((await session.execute(query.order_by(Revision.id))).scalars())


def assert_chained(revisions: list[Revision], field: str) -> None:
    """Every revision's old value of `field` is the previous revision's new value."""
    previous: Any = None
    for revision in revisions:
        if field in revision.changes:
            old, new = revision.changes[field]
            assert old == previous, f"#{revision.id} overwrote {previous!r} as if it were {old!r}"
            previous = new


async def test_twenty_editors_interleaved_lose_no_update(db: Database) -> None:
    """20 editors × 50 read-modify-write edits of three records: every increment survives and
    every revision's old value is the previous revision's new value."""
    for key in KEYS:
        await add(db, "question", question(key=key, notes="0"))
    surfaced: list[BaseException] = []

    async def editor(number: int) -> None:
        actor = Actor(f"editor {number}", number)
        for edit in range(EDITS):
            key = KEYS[(number + edit) % len(KEYS)]
            try:
                async with db.writer(SHARED, actor) as writer:
                    row = await writer.load("question", key)
                    await asyncio.sleep(0)  # let the others run between the read and the write
                    await writer.change("question", key, {"notes": str(int(row.notes) + 1)})
            except Exception as error:
                surfaced.append(error)

    started = time.perf_counter()
    await asyncio.gather(*(editor(n) for n in range(EDITORS)))
    print(f"{EDITORS * EDITS} edits in {time.perf_counter() - started:.1f} s on {db.dialect}")
    assert surfaced == []
    async with db.session() as session:
        rows = (await session.execute(select(OversightQuestion))).scalars().all()
    assert sum(int(row.notes) for row in rows) == EDITORS * EDITS
    for key in KEYS:
        assert_chained(await revisions_of(db, "question", key), "notes")


async def test_an_edit_waits_for_the_one_that_read_first(db: Database) -> None:
    """Two transactions interleaved: B reads while A holds the record, so B's revision starts
    from A's new value."""
    await add(db, "question", question(key="OQ-1", notes="start"))
    a_has_read = asyncio.Event()
    a_may_write = asyncio.Event()

    async def editor_a() -> None:
        async with db.writer(SHARED, Actor("a", 1)) as writer:
            await writer.load("question", "OQ-1")
            a_has_read.set()
            await a_may_write.wait()
            await writer.change("question", "OQ-1", {"notes": "from a"})

    async def editor_b() -> None:
        await a_has_read.wait()
        async with db.writer(SHARED, Actor("b", 2)) as writer:
            row = await writer.load("question", "OQ-1")
            await writer.change("question", "OQ-1", {"notes": f"{row.notes}, then b"})

    task_a = asyncio.create_task(editor_a())
    task_b = asyncio.create_task(editor_b())
    await a_has_read.wait()
    await asyncio.sleep(0.2)
    a_may_write.set()
    await asyncio.gather(task_a, task_b)
    revisions = await revisions_of(db, "question", "OQ-1")
    assert [r.changes["notes"] for r in revisions[1:]] == [
        ["start", "from a"],
        ["from a", "from a, then b"],
    ]


async def test_two_editors_making_the_first_copy_make_one(db: Database) -> None:
    """Two editors of one server change a shared record at once: one copy, both changes on it."""
    await add(db, "bodycam", bodycam())
    key = "minneapolis-mn-ice-ero"

    async def edit(number: int, changes: dict[str, Any]) -> str:
        async with db.writer(GUILD_A, Actor(f"editor {number}", number)) as writer:
            await writer.load("bodycam", key)
            await asyncio.sleep(0.05)
            return (await writer.change("bodycam", key, changes)).outcome

    outcomes = await asyncio.gather(
        edit(1, {"officers_equipped": 40}), edit(2, {"notes": "Second editor's note"})
    )
    assert sorted(outcomes) == ["copied", "updated"]
    async with db.session() as session:
        query = select(Revision).where(Revision.guild_id == GUILD_A.guild_id)
        copies = {r.record_id for r in (await session.execute(query)).scalars()}
    assert len(copies) == 1
    from db.models import BodycamDeployment
    from db.scope import visible

    async with db.session() as session:
        own = (
            await session.execute(
                visible(BodycamDeployment, GUILD_A).where(BodycamDeployment.key == key)
            )
        ).scalar_one()
    assert (own.guild_id, own.officers_equipped, own.notes) == (1, 40, "Second editor's note")


async def test_an_edit_against_a_stale_version_is_refused_naming_who_changed_what(
    db: Database,
) -> None:
    """A confirmation shown before someone else's edit cannot overwrite it."""
    await add(db, "question", question(key="OQ-1"))
    async with db.writer(SHARED, EDITOR) as writer:
        seen = await writer.version_of(await writer.load("question", "OQ-1"))
    async with db.writer(SHARED, Actor("alice", 7)) as writer:
        await writer.change("question", "OQ-1", {"status": "acknowledged", "notes": "Called"})
    with pytest.raises(StaleEdit) as refused:
        async with db.writer(SHARED, EDITOR) as writer:
            await writer.change("question", "OQ-1", {"status": "answered"}, expected_version=seen)
    assert "by alice" in str(refused.value)
    assert "(notes, status)" in str(refused.value)
    assert "Nothing was written" in str(refused.value)
    async with db.session() as session:
        row = (await session.execute(select(OversightQuestion))).scalar_one()
    assert row.status == "acknowledged"


async def test_an_undo_racing_an_edit_is_one_or_the_other(db: Database) -> None:
    """Undo of #R and a new edit of the same field at once: never both applied to the same old
    value; the revision chain stays whole."""
    await add(db, "question", question(key="OQ-1", notes="first"))
    async with db.writer(SHARED, EDITOR) as writer:
        await writer.change("question", "OQ-1", {"notes": "mistake"})
    mistake = (await revisions_of(db, "question", "OQ-1"))[-1]

    async def edit() -> None:
        async with db.writer(SHARED, Actor("bob", 8)) as writer:
            await writer.load("question", "OQ-1")
            await asyncio.sleep(0.05)
            await writer.change("question", "OQ-1", {"notes": "bob's"})

    async def undo_it() -> str:
        try:
            await undo(db, SHARED, EDITOR, mistake.id or 0)
        except UndoRefused as refused:
            return f"refused: {refused}"
        return "undone"

    _, undone = await asyncio.gather(edit(), undo_it())
    revisions = await revisions_of(db, "question", "OQ-1")
    assert_chained(revisions, "notes")
    async with db.session() as session:
        notes = (await session.execute(select(OversightQuestion.notes))).scalar_one()
    if undone == "undone":
        assert notes in ("bob's", "first")
    else:
        assert "changed the same fields" in undone
        assert notes == "bob's"


async def test_a_unique_clash_the_locks_cannot_see_is_a_conflict_not_a_crash(db: Database) -> None:
    """Two batch writes (imports, which stage rows without key locks) create one key at once:
    one commits, the other is refused with Conflict, a message for people; never an
    IntegrityError, and nothing half-written."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite takes one writer at a time: the second sees the first's row")
    first_inserted = asyncio.Event()
    first_may_commit = asyncio.Event()

    async def first() -> str:
        async with db.writer(SHARED, Actor("a", 1)) as writer:
            await writer.stage_upsert("bodycam", bodycam(notes="first"))
            await writer.write_staged()
            first_inserted.set()
            await first_may_commit.wait()
        return "committed"

    async def second() -> str:
        await first_inserted.wait()
        try:
            async with db.writer(SHARED, Actor("b", 2)) as writer:
                await writer.stage_upsert("bodycam", bodycam(notes="second"))
                first_may_commit.set()  # our insert now waits for the first transaction
                await writer.write_staged()
        except Conflict as refused:
            return str(refused)
        return "committed"

    outcomes = await asyncio.gather(first(), second())
    assert outcomes[0] == "committed"
    assert outcomes[1].startswith("Another edit wrote the same record at the same moment")
    async with db.session() as session:
        rows = (await session.execute(select(BodycamDeployment))).scalars().all()
        revisions = (await session.execute(select(Revision))).scalars().all()
    assert [row.notes for row in rows] == ["first"]
    assert len(revisions) == 1
