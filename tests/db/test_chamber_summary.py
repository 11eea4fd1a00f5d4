"""What each chamber has done with a bill: the action that moved it, not the newest noise."""

from __future__ import annotations

from db.appropriations import latest_by_chamber
from db.engine import Database
from tests.db.records import SHARED, D, action, add, measure


async def test_a_motion_after_passage_does_not_stand_for_what_the_chamber_did(
    db: Database,
) -> None:
    """Passage 217-212, then 'motion to reconsider laid on the table' the same day: the House
    line shows the passage; a chamber with no stage-moving action shows its newest action."""
    await add(db, "measure", measure(fiscal_year=2026))
    passage = action(
        action_date=D(2025, 9, 19),
        text="On passage Passed by the Yeas and Nays: 217 - 212 (Roll no. 285).",
        vote="217-212",
        stage_after="passed_house",
        key="119-hr4213/2025-09-19/house/passed",
    )
    motion = action(
        action_date=D(2025, 9, 19),
        text="Motion to reconsider laid on the table Agreed to without objection.",
        vote="unanimous consent",
        key="119-hr4213/2025-09-19/house/reconsider",
    )
    received = action(action_date=D(2025, 9, 22), chamber="senate", text="Received in the Senate.")
    for values in (passage, motion, received):
        await add(db, "action", values)
    async with db.session() as session:
        found = await latest_by_chamber(session, SHARED, 2026)
    chambers = found["119-hr4213"]
    assert chambers["house"].vote == "217-212"
    assert chambers["senate"].text == "Received in the Senate."


async def test_a_recorded_concurrence_vote_is_what_the_house_did_last(db: Database) -> None:
    """After the Senate amended the bill, the House's concurrence 217-214 moves no stage but is
    its deciding vote: it stands for what the House did, not its earlier passage."""
    await add(db, "measure", measure(fiscal_year=2026))
    await add(
        db,
        "action",
        action(
            action_date=D(2026, 1, 22),
            text="Passed the House.",
            vote="341-88",
            stage_after="passed_house",
        ),
    )
    await add(
        db,
        "action",
        action(
            action_date=D(2026, 2, 3),
            text="House concurred in the Senate amendment.",
            vote="217-214",
        ),
    )
    async with db.session() as session:
        found = await latest_by_chamber(session, SHARED, 2026)
    assert found["119-hr4213"]["house"].vote == "217-214"
