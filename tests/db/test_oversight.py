"""Tests for db.oversight: question ids per scope, what is due and overdue, and filtered lists."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text

from db.appropriations import record_action
from db.changes import Writer
from db.engine import Database
from db.errors import InvalidInput
from db.models import KeyCounter, QuestionStatus
from db.oversight import (
    add_question,
    basis_disputed,
    count_due,
    count_uncertain,
    days_outstanding,
    due_questions,
    find_question,
    is_overdue,
    list_questions,
    next_code,
    next_due,
    past_due,
    question_detail,
    question_facets,
    suggest_askers,
    suggest_components,
)
from db.scope import Scope
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    TODAY,
    D,
    action,
    add,
    change,
    measure,
    question,
    remove,
)
from tests.support.statements import statements


async def ask(db: Database, *many: dict[str, Any], scope: Scope = SHARED) -> list[str]:
    """Add questions in order with the scope's next ids; return the ids."""
    async with db.writer(scope, EDITOR) as writer:
        return [(await add_question(writer, values)).key for values in many]


async def listed(db: Database, scope: Scope = SHARED, **filters: Any):
    async with db.session() as session:
        return await list_questions(session, scope, today=TODAY, **filters)


async def due(db: Database, scope: Scope = SHARED, days: int = 14):
    async with db.session() as session:
        return await due_questions(session, scope, today=TODAY, days=days)


def link_to(question_key: str) -> dict[str, Any]:
    return {
        "a_kind": "measure",
        "a_key": "119-hr4213",
        "b_kind": "question",
        "b_key": question_key,
        "as_of": TODAY,
    }


async def one(db: Database, key: str, scope: Scope = SHARED):
    async with db.session() as session:
        return await find_question(session, scope, key)


# ---------------------------------------------------------------- ids


async def test_shared_questions_are_numbered_oq_in_order(db: Database) -> None:
    """The shared dataset's first two questions are OQ-1 and OQ-2."""
    assert await ask(db, question(), question()) == ["OQ-1", "OQ-2"]


async def test_a_guilds_first_question_is_gq_1(db: Database) -> None:
    """An office's first own question is GQ-1, whatever the shared dataset holds."""
    await ask(db, question(), question())
    assert await ask(db, question(), scope=GUILD_A) == ["GQ-1"]


async def test_next_id_follows_the_highest_number_not_the_last_in_text_order(
    db: Database,
) -> None:
    """After OQ-9 and OQ-10 the next id is OQ-11."""
    await add(db, "question", question(key="OQ-9"))
    await add(db, "question", question(key="OQ-10"))
    async with db.writer(SHARED, EDITOR) as writer:
        assert await next_code(writer) == "OQ-11"


async def test_a_question_is_found_by_its_id_in_any_case(db: Database) -> None:
    """'oq-1' finds OQ-1."""
    await ask(db, question())
    found = await one(db, " oq-1 ")
    assert found is not None and found.key == "OQ-1"


async def test_a_deleted_newest_questions_id_is_not_given_again(db: Database) -> None:
    """After OQ-2 (the newest) is deleted, the next question is OQ-3, not a second OQ-2."""
    await ask(db, question(), question())
    await remove(db, "question", "OQ-2")
    assert await ask(db, question()) == ["OQ-3"]


async def test_a_guilds_deleted_newest_id_is_not_given_again(db: Database) -> None:
    """The same holds for an office's own GQ ids, and its counter is its own."""
    await ask(db, question(), scope=GUILD_A)
    await remove(db, "question", "GQ-1", scope=GUILD_A)
    assert await ask(db, question(), scope=GUILD_A) == ["GQ-2"]
    assert await ask(db, question(), scope=GUILD_B) == ["GQ-1"]


async def test_an_id_taken_by_an_import_is_skipped(db: Database) -> None:
    """With OQ-1 given and OQ-2 imported under its own id, the next new question is OQ-3."""
    await ask(db, question())
    await add(db, "question", question(key="oq-2"))
    assert await ask(db, question()) == ["OQ-3"]


async def test_a_failed_create_gives_its_id_back(db: Database) -> None:
    """A question refused as invalid writes nothing, its drawn id included: the next is OQ-1."""
    with pytest.raises(InvalidInput):
        await ask(db, question(asked_by=" "))
    assert await ask(db, question()) == ["OQ-1"]


async def test_a_question_written_under_any_spelling_is_stored_as_its_id(db: Database) -> None:
    """'oq 7' is stored as OQ-7 and found as 'OQ7', 'oq-07' and ' Oq 7 '."""
    await add(db, "question", question(key="oq 7"))
    for typed in ("OQ7", "oq-07", " Oq 7 "):
        found = await one(db, typed)
        assert found is not None and found.key == "OQ-7", typed


async def test_a_question_of_another_id_form_is_still_found(db: Database) -> None:
    """An imported 'Q-1' keeps its id and is found in any case."""
    await add(db, "question", question(key="Q-1"))
    found = await one(db, "q-1")
    assert found is not None and found.key == "Q-1"


async def _backend_pid(writer: Writer) -> int:
    return (await writer.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def _until_blocked(db: Database, pid: int) -> None:
    """Return once backend `pid` waits on another transaction's lock (no timing involved)."""
    blocked = text("SELECT cardinality(pg_blocking_pids(:pid)) > 0")
    async with db.engine.connect() as connection:
        # PostgreSQL's lock table offers no event to wait on: ask until it says so.
        while not (await connection.execute(blocked, {"pid": pid})).scalar_one():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("existing", [0, 3], ids=["first-ids", "later-ids"])
async def test_two_writers_at_once_get_distinct_ids(db: Database, existing: int) -> None:
    """Two transactions open at once, both adding a question: the second waits for the first
    and takes the next id; both commit, no IntegrityError."""
    if db.dialect != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite takes one writer at a time)")
    await ask(db, *[question()] * existing)
    opened = [asyncio.Event(), asyncio.Event()]
    go, drawn, commit = asyncio.Event(), asyncio.Event(), asyncio.Event()
    pids: list[int] = [0, 0]

    async def first() -> str:
        async with db.writer(SHARED, EDITOR) as writer:
            pids[0] = await _backend_pid(writer)
            opened[0].set()
            await go.wait()
            key = (await add_question(writer, question())).key
            drawn.set()
            await commit.wait()
        return key

    async def second() -> str:
        async with db.writer(SHARED, EDITOR) as writer:
            pids[1] = await _backend_pid(writer)
            opened[1].set()
            await drawn.wait()
            return (await add_question(writer, question())).key

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await asyncio.gather(*(event.wait() for event in opened))  # both transactions are open
    go.set()
    await drawn.wait()  # the first has its id, uncommitted
    await _until_blocked(db, pids[1])  # the second is drawing and waits for the first
    commit.set()
    keys = await asyncio.gather(*tasks)
    assert keys == [f"OQ-{existing + 1}", f"OQ-{existing + 2}"]
    async with db.session() as session:
        counter = (await session.execute(select(KeyCounter.value))).scalars().all()
    assert counter == [existing + 2]


# ---------------------------------------------------------------- lists


async def test_list_puts_overdue_first_then_by_due_date_undated_last(db: Database) -> None:
    """Overdue questions lead (oldest deadline first), then the rest by due date, then those
    with no due date; an answered question is never counted overdue."""
    await ask(
        db,
        question(due_date=D(2026, 12, 10)),  # OQ-1: due later
        question(),  # OQ-2: no due date
        question(due_date=D(2026, 11, 20)),  # OQ-3: overdue
        question(due_date=D(2026, 11, 1)),  # OQ-4: overdue longest
        question(due_date=D(2026, 12, 1)),  # OQ-5: due soon
        question(due_date=D(2026, 10, 1), status="answered"),  # OQ-6: past due, answered
    )
    page = await listed(db)
    assert [q.key for q in page.questions] == ["OQ-4", "OQ-3", "OQ-6", "OQ-5", "OQ-1", "OQ-2"]
    assert (page.total, page.overdue) == (6, 2)


async def test_list_filters_by_status(db: Database) -> None:
    """Filtering on 'answered' lists the answered question only."""
    await ask(db, question(), question(status="answered"), question(status="refused"))
    page = await listed(db, status=QuestionStatus.answered)
    assert [q.key for q in page.questions] == ["OQ-2"]


async def test_list_filters_by_part_of_the_askers_name(db: Database) -> None:
    """Filtering on 'rivera' finds Rep. Rivera's questions, not Sen. Chen's."""
    await ask(db, question(), question(asked_by="Sen. Chen (HSGAC)"))
    page = await listed(db, asked_by="rivera")
    assert [q.asked_by for q in page.questions] == ["Rep. Rivera (House Homeland Security)"]


async def test_list_filters_by_component_in_any_case(db: Database) -> None:
    """Filtering on 'cbp-usbp' finds the Border Patrol question."""
    await ask(db, question(), question(component="CBP-USBP"))
    page = await listed(db, component="cbp-usbp")
    assert [q.key for q in page.questions] == ["OQ-2"]


async def test_list_counts_overdue_over_the_filtered_set_not_the_page(db: Database) -> None:
    """With 12 overdue questions at 10 a page, the first page still reports 12 overdue."""
    await ask(db, *[question(due_date=D(2026, 11, day)) for day in range(1, 13)])
    page = await listed(db)
    assert (len(page.questions), page.total, page.overdue, page.pages) == (10, 12, 12, 2)


# ---------------------------------------------------------------- due and overdue


async def test_due_report_separates_overdue_from_due_soon(db: Database) -> None:
    """Due yesterday is overdue; due today and due in exactly 14 days are due soon; due in 15
    days, undated or answered questions are in neither list."""
    await ask(
        db,
        question(due_date=D(2026, 11, 27)),  # OQ-1: yesterday
        question(due_date=TODAY),  # OQ-2: today
        question(due_date=D(2026, 12, 12)),  # OQ-3: today + 14
        question(due_date=D(2026, 12, 13)),  # OQ-4: today + 15
        question(),  # OQ-5: no due date
        question(due_date=D(2026, 11, 1), status="answered"),  # OQ-6
    )
    report = await due(db, days=14)
    assert [q.key for q in report.overdue] == ["OQ-1"]
    assert [q.key for q in report.due_soon] == ["OQ-2", "OQ-3"]


async def test_a_question_due_today_is_not_overdue(db: Database) -> None:
    """A deadline of today has not passed yet; one of yesterday has."""
    await ask(db, question(due_date=TODAY), question(due_date=D(2026, 11, 27)))
    today, yesterday = await one(db, "OQ-1"), await one(db, "OQ-2")
    assert (is_overdue(today, TODAY), is_overdue(yesterday, TODAY)) == (False, True)


async def test_a_closed_question_is_never_overdue(db: Database) -> None:
    """Answered, refused and withdrawn questions past their deadline are not overdue."""
    closed = ["answered", "refused", "withdrawn"]
    await ask(db, *[question(due_date=D(2026, 10, 1), status=status) for status in closed])
    for key in ("OQ-1", "OQ-2", "OQ-3"):
        assert is_overdue(await one(db, key), TODAY) is False, key
    assert (await listed(db)).overdue == 0
    assert (await due(db)).overdue == []


async def test_an_open_question_past_its_deadline_is_overdue(db: Database) -> None:
    """Pending, acknowledged and partly answered questions can all be overdue."""
    still_open = ["pending", "acknowledged", "partially_answered"]
    await ask(db, *[question(due_date=D(2026, 11, 1), status=status) for status in still_open])
    for key in ("OQ-1", "OQ-2", "OQ-3"):
        assert is_overdue(await one(db, key), TODAY) is True, key
    assert (await listed(db)).overdue == 3


async def test_days_outstanding_count_from_the_sent_date(db: Database) -> None:
    """A question sent October 29 has been outstanding 30 days on November 28."""
    await ask(db, question(sent_date=D(2026, 10, 29)))
    assert days_outstanding(await one(db, "OQ-1"), TODAY) == 30


async def test_days_outstanding_stop_when_answered(db: Database) -> None:
    """An answered question, or one with no sent date, has no days outstanding."""
    await ask(db, question(status="answered"), question(sent_date=None))
    assert days_outstanding(await one(db, "OQ-1"), TODAY) is None
    assert days_outstanding(await one(db, "OQ-2"), TODAY) is None


async def test_changing_the_rules_days_moves_a_derived_deadline(db: Database) -> None:
    """A report corrected from '30' to '60 days after enactment' is due 60 days after it."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 11, 20)))
    await ask(db, question(due_rule_measure_key="119-hr4213", due_rule_days=30))
    assert (await one(db, "OQ-1")).due_date == D(2026, 12, 20)
    await change(db, "question", "OQ-1", {"due_rule_days": 60})
    assert (await one(db, "OQ-1")).due_date == D(2027, 1, 19)


async def test_enactment_makes_a_rule_question_due(db: Database) -> None:
    """A question due '10 days after enactment' shows up as due soon once the bill is enacted."""
    await add(db, "measure", measure(stage="passed_senate"))
    await ask(db, question(due_rule_measure_key="119-hr4213", due_rule_days=10))
    assert (await due(db)).due_soon == []
    async with db.writer(SHARED, EDITOR) as writer:
        await record_action(
            writer, action(action_date=D(2026, 11, 25), chamber="president", stage_after="enacted")
        )
    report = await due(db)
    assert [(q.key, q.due_date) for q in report.due_soon] == [("OQ-1", D(2026, 12, 5))]


DISPUTED = {"confidence": "disputed", "confidence_note": "Sources conflict on the enacted text."}


async def test_a_disputed_basis_makes_a_past_deadline_uncertain_not_overdue(db: Database) -> None:
    """Past due on a disputed basis (the rule's bill, or the question itself) is 'deadline
    uncertain': listed, never counted overdue, in the lists, the due report and the counts."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 10, 1), **DISPUTED))
    await ask(
        db,
        question(due_rule_measure_key="119-hr4213", due_rule_days=30),  # OQ-1: due Oct 31
        question(due_date=D(2026, 11, 1), **DISPUTED),  # OQ-2
        question(due_date=D(2026, 11, 2)),  # OQ-3: plainly overdue
        question(due_rule_measure_key="119-hr4213", due_rule_days=60),  # OQ-4: due Nov 30
    )
    page = await listed(db)
    assert (page.total, page.overdue, page.uncertain) == (4, 1, 2)
    by_key = {q.key: q.id for q in page.questions}
    assert page.disputed == {by_key["OQ-1"], by_key["OQ-2"], by_key["OQ-4"]}
    report = await due(db)
    assert [q.key for q in report.overdue] == ["OQ-3"]
    assert [q.key for q in report.uncertain] == ["OQ-1", "OQ-2"]
    assert report.uncertain_count == 2
    assert [q.key for q in report.due_soon] == ["OQ-4"] and by_key["OQ-4"] in report.disputed
    async with db.session() as session:
        assert await count_due(session, SHARED, today=TODAY, days=14) == (1, 1)
        assert await count_uncertain(session, SHARED, today=TODAY) == 2
        detail = await question_detail(session, SHARED, await one(db, "OQ-1"))
    q = detail.question
    assert basis_disputed(q, detail.rule_measure) and past_due(q, TODAY)
    assert not is_overdue(q, TODAY, disputed=True) and is_overdue(q, TODAY)


async def test_a_settled_basis_makes_the_deadline_overdue_again(db: Database) -> None:
    """When the bill's confidence is no longer disputed, its rule's question is overdue."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 10, 1), **DISPUTED))
    await ask(db, question(due_rule_measure_key="119-hr4213", due_rule_days=30))
    assert ((await listed(db)).overdue, (await listed(db)).uncertain) == (0, 1)
    await change(db, "measure", "119-hr4213", {"confidence": "confirmed"})
    assert ((await listed(db)).overdue, (await listed(db)).uncertain) == (1, 0)
    assert [q.key for q in (await due(db)).overdue] == ["OQ-1"]


# ---------------------------------------------------------------- scope


async def test_a_guilds_questions_are_invisible_elsewhere(db: Database) -> None:
    """An office's overdue GQ-1 is seen by no other guild and not by the shared dataset."""
    await ask(db, question(due_date=D(2026, 11, 1)), scope=GUILD_A)
    assert (await listed(db, GUILD_A)).overdue == 1
    for scope in (GUILD_B, SHARED):
        assert await one(db, "GQ-1", scope) is None
        page = await listed(db, scope)
        assert (page.questions, page.total, page.overdue) == ([], 0, 0)
        report = await due(db, scope)
        assert (report.overdue, report.due_soon) == ([], [])


async def test_another_guilds_ids_do_not_advance_this_guilds_numbering(db: Database) -> None:
    """Guild 2's first question is GQ-1 even after guild 1 used GQ-1 and GQ-2."""
    await ask(db, question(), question(), scope=GUILD_A)
    assert await ask(db, question(), scope=GUILD_B) == ["GQ-1"]


async def test_a_guilds_copy_replaces_the_shared_question_in_that_guild_only(
    db: Database,
) -> None:
    """An office that marks OQ-1 acknowledged sees its copy alone; others still see pending."""
    await ask(db, question(due_date=D(2026, 12, 1)))
    shared_row = await one(db, "OQ-1")
    async with db.writer(GUILD_A, EDITOR) as writer:
        copy, created = await writer.edit(shared_row, {"status": "acknowledged"})
    assert created and (copy.key, copy.guild_id) == ("OQ-1", 1)
    mine = await listed(db, GUILD_A)
    assert [(q.guild_id, q.status) for q in mine.questions] == [(1, "acknowledged")]
    assert (await due(db, GUILD_A)).due_soon[0].guild_id == 1
    for scope in (GUILD_B, SHARED):
        theirs = await one(db, "OQ-1", scope)
        assert theirs is not None and (theirs.guild_id, theirs.status) == (None, "pending")


# ---------------------------------------------------------------- detail, next due, counts, facets


async def test_detail_names_the_bill_a_due_rule_follows_and_the_linked_records(
    db: Database,
) -> None:
    """A question due '30 days after enactment of H.R. 4213' carries that bill and its links."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 11, 20)))
    await ask(db, question(due_rule_measure_key="119-hr4213", due_rule_days=30))
    await add(db, "link", link_to("OQ-1"))
    async with db.session() as session:
        detail = await question_detail(session, SHARED, await one(db, "OQ-1"))
    assert detail.rule_measure is not None and detail.rule_measure.key == "119-hr4213"
    assert [(r.kind, r.key) for r in detail.related] == [("measure", "119-hr4213")]


async def test_next_due_is_the_earliest_open_deadline_after_the_date(db: Database) -> None:
    """After Dec 12 the next open deadline is Dec 20's, not the answered one of Dec 15."""
    await ask(
        db,
        question(due_date=D(2026, 12, 1)),  # OQ-1: before the date
        question(due_date=D(2026, 12, 15), status="answered"),  # OQ-2: closed
        question(due_date=D(2027, 1, 5)),  # OQ-3
        question(due_date=D(2026, 12, 20)),  # OQ-4: the next
    )
    async with db.session() as session:
        found = await next_due(session, SHARED, after=D(2026, 12, 12))
        none_later = await next_due(session, SHARED, after=D(2027, 1, 5))
    assert found is not None and (found.key, found.due_date) == ("OQ-4", D(2026, 12, 20))
    assert none_later is None


async def test_count_due_counts_every_overdue_and_due_soon_question(db: Database) -> None:
    """Counts cover the whole scope: 3 overdue and 2 due within 14 days, closed ones not."""
    await ask(
        db,
        *[question(due_date=D(2026, 11, day)) for day in (1, 2, 3)],
        question(due_date=D(2026, 11, 4), status="withdrawn"),
        question(due_date=TODAY),
        question(due_date=D(2026, 12, 12)),
        question(due_date=D(2026, 12, 13)),
    )
    async with db.session() as session:
        assert await count_due(session, SHARED, today=TODAY, days=14) == (3, 2)


async def test_facets_say_which_statuses_components_and_askers_exist(db: Database) -> None:
    """Statuses are counted; components listed; the most frequent asker comes first."""
    await ask(
        db,
        question(asked_by="Sen. Chen"),
        question(asked_by="Sen. Chen", status="answered", component="CBP"),
        question(),
    )
    async with db.session() as session:
        facets = await question_facets(session, SHARED)
    assert facets.statuses == {"answered": 1, "pending": 2}
    assert facets.components == ["CBP", "ICE-ERO"]
    assert facets.askers == ["Sen. Chen", "Rep. Rivera (House Homeland Security)"]


async def test_askers_and_components_are_suggested_from_what_is_typed(db: Database) -> None:
    """'chen' suggests Sen. Chen only; 'cb' suggests CBP only."""
    await ask(db, question(asked_by="Sen. Chen", component="CBP"), question())
    async with db.session() as session:
        assert await suggest_askers(session, SHARED, "chen") == ["Sen. Chen"]
        assert await suggest_components(session, SHARED, "cb") == ["CBP"]


async def test_facets_and_next_due_ignore_another_guilds_questions(db: Database) -> None:
    """An office's own question adds nothing to another guild's facets or deadlines."""
    await ask(db, question(asked_by="Sen. Secret", due_date=D(2027, 1, 1)), scope=GUILD_A)
    async with db.session() as session:
        facets = await question_facets(session, GUILD_B)
        assert (facets.statuses, facets.askers) == ({}, [])
        assert await next_due(session, GUILD_B, after=TODAY) is None
        assert await count_due(session, GUILD_B, today=TODAY, days=365) == (0, 0)
        assert await suggest_askers(session, GUILD_B, "secret") == []


async def test_an_imported_id_above_the_counter_is_never_given_after_its_delete(
    db: Database,
) -> None:
    """OQ-12 written under its own id, then deleted: new questions never get OQ-12."""
    async with db.writer(SHARED, EDITOR) as writer:
        await writer.create("question", question(key="OQ-12"))
    async with db.writer(SHARED, EDITOR) as writer:
        await writer.remove("question", "OQ-12")
    async with db.writer(SHARED, EDITOR) as writer:
        keys = [(await add_question(writer, question())).key for _ in range(13)]
    assert "OQ-12" not in keys
    assert keys[0] == "OQ-13"


async def test_a_batch_of_imported_ids_moves_the_counter_once_past_the_highest(
    db: Database,
) -> None:
    """An import's questions under their own ids (GQ-5, GQ-40, GQ-7) move the guild's counter
    past the highest in one statement, not one per question (8,000 of them made a 10,000-row
    import take 8 s), and the next new question is GQ-41."""
    async with db.writer(GUILD_A, EDITOR) as writer:
        for number in (5, 40, 7):
            await writer.stage_upsert("question", question(key=f"GQ-{number}"))
        with statements(db, keep=lambda s: "key_counter" in s) as counter_writes:
            await writer.write_staged()
        assert len(counter_writes) == 1
    async with db.writer(GUILD_A, EDITOR) as writer:
        assert (await add_question(writer, question())).key == "GQ-41"
