"""Tests for db.rules: a due date derived from a rule is never stale. It follows a new rule, the
rule's bill's enactment and an undo, in the shared dataset and in a server's own copy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.appropriations import record_action
from db.engine import Database
from db.history import history
from db.oversight import find_question, update_question
from db.scope import Actor, Scope
from db.undo import undo
from tests.db.records import EDITOR, GUILD_A, SHARED, D, action, add, measure, question

ENACTED = "119-hr4213"  # enacted 2026-04-30
PENDING = "119-hr9002"  # not enacted
UNDOER = Actor("undoer#2", 2002)


async def starter(db: Database, **over: Any) -> None:
    """An enacted bill, an unenacted one, and OQ-4 due 30 days after the enacted one."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 4, 30)))
    await add(db, "measure", measure(bill_number=9002, title="A test act", stage="introduced"))
    rule = {"due_rule_measure_key": ENACTED, "due_rule_days": 30}
    await add(db, "question", question(key="OQ-4", **(rule | over)))


async def edit(db: Database, changes: dict[str, Any], scope: Scope = SHARED) -> None:
    async with db.writer(scope, EDITOR) as writer:
        await update_question(writer, "OQ-4", changes)


async def due_of(db: Database, scope: Scope = SHARED) -> dt.date | None:
    async with db.session() as session:
        found = await find_question(session, scope, "OQ-4")
    assert found is not None
    return found.due_date


async def sign(db: Database) -> None:
    async with db.writer(SHARED, EDITOR) as writer:
        day = D(2026, 11, 20)
        signed = action(PENDING, action_date=day, chamber="president", stage_after="enacted")
        await record_action(writer, signed)


async def test_a_rule_moved_to_an_unenacted_bill_has_no_date_until_it_is_signed(
    db: Database,
) -> None:
    """May 30 (30 days after Apr 30) goes when the rule follows H.R. 9002 instead; the signing
    on Nov 20 makes it Dec 20."""
    await starter(db)
    assert await due_of(db) == D(2026, 5, 30)
    await edit(db, {"due_rule_measure_key": PENDING})
    assert await due_of(db) is None
    await sign(db)
    assert await due_of(db) == D(2026, 12, 20)


async def test_a_servers_copy_with_a_new_rule_does_not_keep_the_shared_date(
    db: Database,
) -> None:
    """A server re-ruling the shared OQ-4 gets its own copy with no date (the shared one keeps
    May 30); the shared signing of H.R. 9002 then dates the copy Dec 20."""
    await starter(db)
    await edit(db, {"due_rule_measure_key": PENDING}, scope=GUILD_A)
    assert await due_of(db, GUILD_A) is None
    assert await due_of(db) == D(2026, 5, 30)
    await sign(db)
    assert await due_of(db, GUILD_A) == D(2026, 12, 20)


async def test_a_new_rule_replaces_a_date_set_by_hand(db: Database) -> None:
    """A date typed in by hand (Jan 15) gives way when the rule itself changes."""
    await starter(db, due_date=D(2027, 1, 15))
    assert await due_of(db) == D(2027, 1, 15)
    await edit(db, {"due_rule_days": 60})
    assert await due_of(db) == D(2026, 6, 29)


async def test_a_date_set_with_the_new_rule_is_kept(db: Database) -> None:
    """A rule change that also types a date in keeps the typed date."""
    await starter(db)
    await edit(db, {"due_rule_measure_key": PENDING, "due_date": D(2027, 2, 1)})
    assert await due_of(db) == D(2027, 2, 1)


async def test_undoing_the_signing_takes_the_date_away_again(db: Database) -> None:
    """Undoing H.R. 9002's enactment leaves OQ-4 waiting for it again, with no date."""
    await starter(db)
    await edit(db, {"due_rule_measure_key": PENDING})
    await sign(db)
    async with db.session() as session:
        enacted = (await history(session, SHARED, "measure", PENDING))[-1]
    assert enacted.id is not None
    await undo(db, SHARED, UNDOER, enacted.id)
    assert await due_of(db) is None


async def test_undoing_a_rule_change_brings_the_old_date_back(db: Database) -> None:
    """Undoing the move to H.R. 9002 makes OQ-4 due May 30 again."""
    await starter(db)
    await edit(db, {"due_rule_measure_key": PENDING})
    async with db.session() as session:
        moved = (await history(session, SHARED, "question", "OQ-4"))[-1]
    assert moved.id is not None
    await undo(db, SHARED, UNDOER, moved.id)
    assert await due_of(db) == D(2026, 5, 30)
