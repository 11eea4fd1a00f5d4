"""Tests for db.appropriations: the fiscal-year calendar, the funding picture of a year, and
actions that move a measure along (and resolve the due dates that follow its enactment)."""

from __future__ import annotations

import pytest

from db.appropriations import (
    LINE_COLUMNS,
    camera_lines,
    column_totals,
    federal_fiscal_year,
    find_measure,
    fiscal_year_bounds,
    funding_lines,
    funding_status,
    is_hedged,
    is_part_line,
    is_total_line,
    last_period,
    latest_by_chamber,
    line_listing,
    line_years,
    measure_detail,
    procedural_vote,
    record_action,
    totals_by_bill,
    years_with_records,
)
from db.engine import Database
from db.errors import NotFound
from db.models import FundingLine, FundingPeriod, MeasureAction, Revision, Stage
from db.oversight import add_question, find_question
from db.search import find_record
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    TODAY,
    D,
    action,
    add,
    count,
    funded,
    funding_line,
    lapse,
    measure,
    question,
)

CR = "119-hr5371"  # the continuing resolution that funds FY2027 in these stories
BILL = "119-hr4213"  # the full-year DHS bill


async def record(db: Database, values: dict, scope=SHARED) -> MeasureAction:
    async with db.writer(scope, EDITOR) as writer:
        return await record_action(writer, values)


# ---------------------------------------------------------------- the fiscal-year calendar


def test_september_30_is_the_last_day_of_the_fiscal_year_named_for_its_year() -> None:
    """September 30, 2026 falls in fiscal year 2026."""
    assert federal_fiscal_year(D(2026, 9, 30)) == 2026


def test_october_1_starts_the_next_fiscal_year() -> None:
    """October 1, 2026 is the first day of fiscal year 2027."""
    assert federal_fiscal_year(D(2026, 10, 1)) == 2027


def test_fiscal_year_bounds_run_october_to_september() -> None:
    """Fiscal year 2027 runs from October 1, 2026 through September 30, 2027."""
    assert fiscal_year_bounds(2027) == (D(2026, 10, 1), D(2027, 9, 30))


# ---------------------------------------------------------------- funding status


async def test_funded_year_shows_the_vehicle_and_days_left(db: Database) -> None:
    """Under a CR through December 19, on November 28 DHS is funded with 21 days left."""
    await add(db, "measure", measure(bill_number=5371, title="Continuing Appropriations, 2027"))
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 19), measure_key=CR))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert (status.fiscal_year, status.on, status.state, status.days) == (
        2027,
        TODAY,
        "funded",
        21,
    )
    assert status.vehicle is not None and status.vehicle.key == CR
    assert status.year_over is False and status.requested_year is None


async def test_lapse_counts_days_since_it_began(db: Database) -> None:
    """A lapse that began on October 1 is on its 59th day on November 28."""
    await add(db, "funding_period", lapse(D(2026, 10, 1)))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert (status.state, status.days, status.vehicle) == ("lapsed", 59, None)


async def test_the_first_day_of_a_lapse_is_day_one(db: Database) -> None:
    """On the day a lapse begins it is day 1, not day 0."""
    await add(db, "funding_period", lapse(TODAY))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert (status.state, status.days) == ("lapsed", 1)


async def test_funding_wins_on_the_day_a_lapse_ends(db: Database) -> None:
    """When a lapse ends on the day a CR takes effect, that day counts as funded."""
    await add(db, "measure", measure(bill_number=5371, title="Continuing Appropriations, 2027"))
    await add(db, "funding_period", lapse(D(2026, 10, 1), D(2026, 11, 13)))
    await add(db, "funding_period", funded(D(2026, 11, 13), D(2027, 1, 30), measure_key=CR))
    async with db.session() as session:
        on_the_day = await funding_status(session, SHARED, today=D(2026, 11, 13))
        day_before = await funding_status(session, SHARED, today=D(2026, 11, 12))
    assert on_the_day is not None and day_before is not None
    assert (on_the_day.state, on_the_day.days) == ("funded", 78)
    assert (day_before.state, day_before.days) == ("lapsed", 43)


async def test_a_year_that_has_not_started(db: Database) -> None:
    """Asked in November 2026 about fiscal year 2028, the year has not started."""
    await add(db, "measure", measure(fiscal_year=2028, bill_number=7001))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY, fiscal_year=2028)
    assert status is not None
    assert (status.fiscal_year, status.state, status.days) == (2028, "not_started", None)
    assert status.year_over is False


async def test_a_year_that_is_over_is_shown_on_its_last_day(db: Database) -> None:
    """Fiscal year 2026, asked about in November 2026, is shown as of September 30, 2026."""
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    await add(
        db,
        "funding_period",
        funded(D(2025, 10, 1), D(2026, 9, 30), fiscal_year=2026, measure_key="119-hr2001"),
    )
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY, fiscal_year=2026)
    assert status is not None
    assert (status.on, status.year_over, status.state) == (D(2026, 9, 30), True, "funded")


async def test_a_year_that_is_over_has_no_days_left(db: Database) -> None:
    """A year funded through its last day, shown after it ended, has 0 days left (not -59)."""
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    await add(
        db,
        "funding_period",
        funded(D(2025, 10, 1), D(2026, 9, 30), fiscal_year=2026, measure_key="119-hr2001"),
    )
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY, fiscal_year=2026)
    assert status is not None
    assert status.days == 0


async def test_a_year_without_records_falls_back_to_the_latest_year(db: Database) -> None:
    """Asked about fiscal year 2030, with records only up to 2027, it shows 2027 and says so."""
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    await add(db, "funding_line", funding_line(fiscal_year=2027))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY, fiscal_year=2030)
    assert status is not None
    assert (status.fiscal_year, status.requested_year) == (2027, 2030)


async def test_current_year_without_records_falls_back_too(db: Database) -> None:
    """With only fiscal 2026 on file, the default (current) year 2027 falls back to 2026."""
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert (status.fiscal_year, status.requested_year, status.year_over) == (2026, 2027, True)


async def test_no_records_at_all_gives_no_status(db: Database) -> None:
    """An empty dataset has no funding picture."""
    async with db.session() as session:
        assert await funding_status(session, SHARED, today=TODAY) is None


async def test_recent_actions_are_the_five_newest(db: Database) -> None:
    """Of seven actions on the year's bill, the status shows the five newest, newest first."""
    await add(db, "measure", measure())
    for day in range(1, 8):
        await add(db, "action", action(action_date=D(2026, 10, day), text=f"Step {day}."))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert [a.action_date for a in status.recent_actions] == [
        D(2026, 10, 7),
        D(2026, 10, 6),
        D(2026, 10, 5),
        D(2026, 10, 4),
        D(2026, 10, 3),
    ]


async def test_recent_actions_belong_to_the_year_shown(db: Database) -> None:
    """Actions on another fiscal year's bill are not listed."""
    await add(db, "measure", measure())
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    await add(db, "action", action(action_date=D(2026, 10, 2)))
    await add(db, "action", action("119-hr2001", action_date=D(2026, 10, 3)))
    async with db.session() as session:
        status = await funding_status(session, SHARED, today=TODAY)
    assert status is not None
    assert [a.measure_key for a in status.recent_actions] == [BILL]


async def test_actions_of_one_day_read_in_the_order_they_can_happen(db: Database) -> None:
    """An editor typed the signing first; the sync later added the same day's House vote and the
    presentation to the President (higher ids). The bill's timeline, its newest action and the
    status's recent actions put the vote first, the presentation next, the signing last; the
    chambers' own actions of a day keep the order they were recorded in."""
    await add(db, "measure", measure(stage="passed_senate"))
    day = D(2026, 11, 12)
    for key, chamber, text, stage in [
        ("signed", "president", "Signed by President.", "enacted"),
        ("house-vote", "house", "On passage Passed 217 - 212.", "passed_house"),
        ("presented", "president", "Presented to President.", None),
        ("reconsider", "house", "Motion to reconsider laid on the table.", None),
        ("introduced", "house", "Introduced in House.", "introduced"),
    ]:
        values = action(action_date=day, chamber=chamber, text=text, stage_after=stage)
        await add(db, "action", {**values, "key": f"{BILL}/{key}"})
    chronological = ["introduced", "house-vote", "reconsider", "presented", "signed"]
    async with db.session() as session:
        detail = await measure_detail(session, SHARED, BILL)
        status = await funding_status(session, SHARED, today=TODAY)
        cited = await find_record(session, SHARED, BILL)
    assert [a.key.rsplit("/", 1)[1] for a in detail.actions] == chronological
    assert status is not None
    assert [a.key.rsplit("/", 1)[1] for a in status.recent_actions] == chronological[::-1]
    assert cited.latest_action is not None and cited.latest_action.text == "Signed by President."


# ---------------------------------------------------------------- recording actions


async def test_an_action_advances_the_measure(db: Database) -> None:
    """Passage in the House moves an introduced bill to 'passed_house'."""
    await add(db, "measure", measure())
    await record(db, action(action_date=D(2026, 11, 2), stage_after="passed_house", vote="215-210"))
    async with db.session() as session:
        bill = await find_measure(session, SHARED, BILL)
    assert bill is not None and bill.stage == Stage.passed_house


async def test_an_action_never_moves_the_measure_back(db: Database) -> None:
    """A late-recorded committee report does not undo the Senate's passage."""
    await add(db, "measure", measure(stage="passed_senate"))
    await record(db, action(action_date=D(2026, 7, 1), stage_after="committee_reported"))
    async with db.session() as session:
        detail = await measure_detail(session, SHARED, BILL)
    assert detail.measure.stage == Stage.passed_senate
    assert [a.action_date for a in detail.actions] == [D(2026, 7, 1)]


async def test_enactment_sets_the_enactment_date(db: Database) -> None:
    """Signing into law on December 5 marks the bill enacted on December 5."""
    await add(db, "measure", measure(stage="passed_senate"))
    await record(db, action(action_date=D(2026, 12, 5), chamber="president", stage_after="enacted"))
    async with db.session() as session:
        bill = await find_measure(session, SHARED, BILL)
    assert bill is not None
    assert (bill.stage, bill.enacted_on) == (Stage.enacted, D(2026, 12, 5))


async def test_enactment_resolves_a_due_rule_in_the_same_transaction(db: Database) -> None:
    """A report due '30 days after enactment' is due December 20 once the bill is enacted on
    November 20, before the enacting transaction commits."""
    await add(db, "measure", measure(stage="passed_senate"))
    async with db.writer(SHARED, EDITOR) as writer:
        await add_question(writer, question(due_rule_measure_key=BILL, due_rule_days=30))
    async with db.writer(SHARED, EDITOR) as writer:
        await record_action(
            writer,
            action(action_date=D(2026, 11, 20), chamber="president", stage_after="enacted"),
        )
        in_transaction = await writer.find("question", "OQ-1")
        assert in_transaction.due_date == D(2026, 12, 20)
    async with db.session() as session:
        stored = await find_question(session, SHARED, "OQ-1")
    assert stored is not None and stored.due_date == D(2026, 12, 20)


async def test_a_question_written_after_enactment_gets_its_due_date(db: Database) -> None:
    """A rule on an already-enacted bill resolves when the question is written."""
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 11, 20)))
    async with db.writer(SHARED, EDITOR) as writer:
        asked = await add_question(writer, question(due_rule_measure_key=BILL, due_rule_days=45))
    assert asked.due_date == D(2027, 1, 4)


async def test_enactment_keeps_a_due_date_set_by_hand(db: Database) -> None:
    """A due date an editor typed in stays put when the rule's bill is enacted."""
    await add(db, "measure", measure(stage="passed_senate"))
    async with db.writer(SHARED, EDITOR) as writer:
        await add_question(
            writer,
            question(due_rule_measure_key=BILL, due_rule_days=30, due_date=D(2027, 1, 15)),
        )
    await record(
        db, action(action_date=D(2026, 11, 20), chamber="president", stage_after="enacted")
    )
    async with db.session() as session:
        stored = await find_question(session, SHARED, "OQ-1")
    assert stored is not None and stored.due_date == D(2027, 1, 15)


async def test_an_action_on_an_unknown_measure_writes_nothing(db: Database) -> None:
    """Recording an action on a bill that is not on file raises NotFound and leaves no trace."""
    with pytest.raises(NotFound):
        await record(db, action("119-hr9999"))
    assert await count(db, MeasureAction) == 0
    assert await count(db, Revision) == 0


async def test_shared_enactment_resolves_a_guild_question_that_follows_it(db: Database) -> None:
    """An office's question due '30 days after enactment' of a shared bill is due 30 days after
    the shared dataset records the enactment."""
    await add(db, "measure", measure(stage="passed_senate"))
    async with db.writer(GUILD_A, EDITOR) as writer:
        await add_question(writer, question(due_rule_measure_key=BILL, due_rule_days=30))
    await record(
        db, action(action_date=D(2026, 11, 20), chamber="president", stage_after="enacted")
    )
    async with db.session() as session:
        stored = await find_question(session, GUILD_A, "GQ-1")
    assert stored is not None and stored.due_date == D(2026, 12, 20)


# ---------------------------------------------------------------- funding lines


async def test_funding_lines_search_matches_account_purpose_or_component(db: Database) -> None:
    """Searching 'CAMERA' finds the body-camera line and not the border-wall line."""
    await add(db, "funding_line", funding_line())
    await add(
        db,
        "funding_line",
        funding_line(component="CBP-USBP", account="Procurement", purpose="Border barrier"),
    )
    async with db.session() as session:
        found = await funding_lines(session, SHARED, fiscal_year=2027, search="CAMERA")
        everything = await funding_lines(session, SHARED, fiscal_year=2027)
    assert [line.purpose for line in found] == ["Body-worn cameras"]
    assert [line.component for line in everything] == ["CBP-USBP", "ICE-ERO"]


async def test_funding_lines_are_of_the_asked_year_only(db: Database) -> None:
    """Fiscal 2026 lines do not appear in the fiscal 2027 list."""
    await add(db, "funding_line", funding_line(fiscal_year=2026, enacted=15_000_000))
    await add(db, "funding_line", funding_line())
    async with db.session() as session:
        lines = await funding_lines(session, SHARED, fiscal_year=2027)
    assert [line.fiscal_year for line in lines] == [2027]


# ---------------------------------------------------------------- scope


async def test_a_guilds_records_are_invisible_elsewhere(db: Database) -> None:
    """An office's own bill, period, line and action are seen by no other guild and not by the
    shared dataset, in every read."""
    await add(db, "measure", measure(), scope=GUILD_A)
    await add(db, "funding_period", funded(D(2026, 10, 1), None, measure_key=BILL), scope=GUILD_A)
    await add(db, "funding_line", funding_line(), scope=GUILD_A)
    await add(db, "action", action(), scope=GUILD_A)
    async with db.session() as session:
        own = await funding_status(session, GUILD_A, today=TODAY)
        assert own is not None and own.state == "funded" and len(own.recent_actions) == 1
        for scope in (GUILD_B, SHARED):
            assert await years_with_records(session, scope) == []
            assert await funding_status(session, scope, today=TODAY) is None
            assert await find_measure(session, scope, BILL) is None
            assert await funding_lines(session, scope, fiscal_year=2027) == []
            with pytest.raises(NotFound):
                await measure_detail(session, scope, BILL)


async def test_a_guilds_action_on_a_shared_bill_changes_its_own_copy_only(db: Database) -> None:
    """An office recording House passage sees the bill passed; the shared dataset and other
    offices still see it introduced, and the office's list shows the bill once."""
    await add(db, "measure", measure())
    await record(db, action(action_date=D(2026, 11, 2), stage_after="passed_house"), GUILD_A)
    async with db.session() as session:
        mine = await measure_detail(session, GUILD_A, BILL)
        theirs = await measure_detail(session, GUILD_B, BILL)
        shared = await find_measure(session, SHARED, BILL)
        status = await funding_status(session, GUILD_A, today=TODAY)
    assert (mine.measure.guild_id, mine.measure.stage) == (1, Stage.passed_house)
    assert len(mine.actions) == 1
    assert (theirs.measure.stage, theirs.actions) == (Stage.introduced, [])
    assert shared is not None and shared.stage == Stage.introduced
    assert status is not None and [m.guild_id for m in status.measures] == [1]


# ---------------------------------------------------------------- for the staff commands


async def test_column_totals_leave_out_lines_that_are_totals(db: Database) -> None:
    """A 'Total discretionary' line is not added again to the lines it totals."""
    await add(db, "funding_line", funding_line(house=20_000_000, requested=None))
    await add(db, "funding_line", funding_line(purpose="Training", house=2_000_000, senate=5))
    await add(
        db,
        "funding_line",
        funding_line(account="Total discretionary", purpose=None, house=64_400_000_000),
    )
    async with db.session() as session:
        lines = await funding_lines(session, SHARED, fiscal_year=2027)
    assert [is_total_line(line) for line in lines] == [False, True, False]
    assert column_totals(lines) == {
        "requested": 20_000_000,
        "house": 22_000_000,
        "senate": 5,
        "enacted": None,
    }


def test_a_purpose_starting_with_total_marks_a_total_line() -> None:
    """'Total, ICE' as a purpose makes the line a total too; 'Totally new cameras' does not."""
    total = FundingLine(**funding_line(purpose="  Total, ICE"))
    new = FundingLine(**funding_line(purpose="Totally new cameras"))
    assert (is_total_line(total), is_total_line(new)) == (True, False)
    assert column_totals([total]) == dict.fromkeys(LINE_COLUMNS)


def test_an_account_ending_in_total_marks_a_total_line() -> None:
    """'Immigration and border enforcement (total)' is a total of the lines beside it."""
    total = FundingLine(**funding_line(account="Border enforcement (Total)", purpose=None))
    assert is_total_line(total) is True
    assert column_totals([total]) == dict.fromkeys(LINE_COLUMNS)


async def test_camera_lines_match_purpose_or_account(db: Database) -> None:
    """Body-worn cameras are found by purpose or by account; a wall line is not."""
    await add(db, "funding_line", funding_line())
    await add(db, "funding_line", funding_line(account="Camera program", purpose=None))
    await add(db, "funding_line", funding_line(account="Procurement", purpose="Border wall"))
    async with db.session() as session:
        lines = await funding_lines(session, SHARED, fiscal_year=2027)
    assert sorted(line.account for line in camera_lines(lines)) == [
        "Camera program",
        "Operations and Support",
    ]


def test_last_period_prefers_funding_on_the_same_start_day() -> None:
    """Of a lapse and a CR that start the same day, the CR is the latest period."""
    gap = FundingPeriod(**lapse(D(2026, 10, 1), D(2026, 10, 3)))
    cr = FundingPeriod(**funded(D(2026, 10, 1), D(2026, 12, 19)))
    earlier = FundingPeriod(**lapse(D(2026, 9, 1), D(2026, 9, 30), fiscal_year=2026))
    assert last_period([cr, earlier, gap]) is cr
    assert last_period([]) is None


async def test_latest_by_chamber_keeps_each_chambers_newest_action(db: Database) -> None:
    """The House's concurrence replaces its passage; the Senate keeps its own; other years'
    bills are left out."""
    await add(db, "measure", measure())
    await add(db, "measure", measure(fiscal_year=2026, bill_number=2001))
    await add(db, "action", action(action_date=D(2026, 10, 2), vote="220-207"))
    await add(db, "action", action(action_date=D(2026, 10, 9), chamber="senate", vote="71-29"))
    await add(db, "action", action(action_date=D(2026, 10, 20), vote="217-214"))
    await add(db, "action", action("119-hr2001", action_date=D(2026, 10, 3)))
    async with db.session() as session:
        found = await latest_by_chamber(session, SHARED, 2027)
    assert list(found) == [BILL]
    assert {chamber: a.vote for chamber, a in found[BILL].items()} == {
        "house": "217-214",
        "senate": "71-29",
    }


async def test_a_procedural_vote_never_stands_for_the_chamber(db: Database) -> None:
    """Cloture 60-38 and a motion to proceed 53-46 after the Senate's passage vote do not replace
    it: the chamber's line keeps the vote on the bill."""
    await add(db, "measure", measure())
    await add(
        db,
        "action",
        action(
            action_date=D(2026, 10, 2),
            chamber="senate",
            text="Passed the Senate.",
            vote="71-29",
            stage_after="passed_senate",
        ),
    )
    await add(
        db,
        "action",
        action(action_date=D(2026, 10, 5), chamber="senate", text="Cloture invoked.", vote="60-38"),
    )
    async with db.session() as session:
        found = await latest_by_chamber(session, SHARED, 2027)
    assert found[BILL]["senate"].vote == "71-29"


def test_procedural_votes_are_named_and_passage_is_not() -> None:
    """What a procedural action voted on; a vote that moved the bill is never procedural."""

    def act(text: str, stage: str | None = None) -> MeasureAction:
        return MeasureAction(**action(text=text, vote="53-46", stage_after=stage))

    assert procedural_vote(act("Senate agreed to the motion to proceed to the bill.")) == (
        "motion to proceed"
    )
    assert procedural_vote(act("Cloture on the motion to proceed invoked.")) == "cloture"
    assert procedural_vote(act("Motion to reconsider laid on the table.")) == "motion to reconsider"
    assert procedural_vote(act("Passed the Senate.", "passed_senate")) is None
    assert procedural_vote(act("House concurred in the Senate amendment.")) is None


def test_money_withheld_from_another_line_is_not_added_again() -> None:
    """$5,000,000 withheld of Office of the Secretary funds is inside that office's line: the sum
    adds the $20,000,000 and $2,000,000 lines only, and says what it left out."""
    lines = [
        FundingLine(**funding_line(house=20_000_000, requested=None)),
        FundingLine(**funding_line(purpose="Training", house=2_000_000)),
        FundingLine(
            **funding_line(
                account="Office of the Secretary",
                purpose="Withheld until questions are answered",
                house=5_000_000,
            )
        ),
        FundingLine(**funding_line(account="Total discretionary", purpose=None, house=9)),
        FundingLine(**funding_line(account="Salaries", purpose="Front office (part of OSEM)")),
    ]
    assert [is_part_line(line) for line in lines] == [False, False, True, False, True]
    assert column_totals(lines)["house"] == 22_000_000
    (total,) = totals_by_bill(lines)
    assert (total.summed, total.totals_left_out, total.parts_left_out) == (2, 1, 2)
    assert total.totals["house"] == 22_000_000 and total.hedged is False


def test_hedged_amounts_are_marked_and_make_the_sum_hedged() -> None:
    """Notes that say 'About $45 billion' or 'amounts vary' hedge the line and any sum it is in."""
    about = FundingLine(**funding_line(house=45, notes="About $45 billion for detention."))
    varies = FundingLine(**funding_line(purpose="Wall", house=1, notes="Amounts vary by outlet."))
    exact = FundingLine(**funding_line(purpose="Training", house=2, notes="Exactly $2."))
    assert [is_hedged(line) for line in (about, varies, exact)] == [True, True, False]
    assert totals_by_bill([exact])[0].hedged is False
    assert totals_by_bill([exact, about])[0].hedged is True


async def test_latest_by_chamber_sees_only_the_scope(db: Database) -> None:
    """An office's own action on a shared bill is not seen by another office."""
    await add(db, "measure", measure())
    await add(db, "action", action(vote="220-207"), scope=GUILD_A)
    async with db.session() as session:
        mine = await latest_by_chamber(session, GUILD_A, 2027)
        theirs = await latest_by_chamber(session, GUILD_B, 2027)
    assert mine[BILL]["house"].vote == "220-207"
    assert theirs == {}


async def test_line_listing_defaults_to_the_current_year(db: Database) -> None:
    """In November 2026 the listing shows fiscal 2027 lines, with the bill's label."""
    await add(db, "measure", measure())
    await add(db, "funding_line", funding_line(measure_key=BILL))
    await add(db, "funding_line", funding_line(fiscal_year=2026))
    async with db.session() as session:
        listing = await line_listing(session, SHARED, today=TODAY)
    assert (listing.fiscal_year, listing.requested_year, listing.years) == (
        2027,
        None,
        [2026, 2027],
    )
    assert [line.fiscal_year for line in listing.lines] == [2027]
    assert listing.measure_labels == {BILL: "H.R. 4213"}


async def test_line_listing_falls_back_to_the_latest_year_with_lines(db: Database) -> None:
    """With lines for fiscal 2025 and 2026 only, asking for 2027 shows 2026 and says so."""
    await add(db, "funding_line", funding_line(fiscal_year=2025))
    await add(db, "funding_line", funding_line(fiscal_year=2026))
    async with db.session() as session:
        listing = await line_listing(session, SHARED, today=TODAY)
    assert (listing.fiscal_year, listing.requested_year) == (2026, 2027)


async def test_a_search_that_matches_nothing_lists_the_years_lines(db: Database) -> None:
    """Searching 'wall' among camera lines finds nothing and hands back what exists."""
    await add(db, "funding_line", funding_line())
    async with db.session() as session:
        listing = await line_listing(session, SHARED, today=TODAY, search="  wall ")
    assert (listing.lines, listing.search) == ([], "wall")
    assert [line.purpose for line in listing.existing] == ["Body-worn cameras"]


async def test_line_listing_without_any_lines(db: Database) -> None:
    """An empty dataset has no year to show and says which year was asked."""
    async with db.session() as session:
        listing = await line_listing(session, SHARED, today=TODAY, fiscal_year=2030)
    assert (listing.fiscal_year, listing.years, listing.requested_year) == (None, [], 2030)


async def test_line_listing_sees_only_the_scope(db: Database) -> None:
    """An office's own line is not listed for another office, nor are its years."""
    await add(db, "funding_line", funding_line(), scope=GUILD_A)
    async with db.session() as session:
        mine = await line_listing(session, GUILD_A, today=TODAY)
        theirs = await line_listing(session, GUILD_B, today=TODAY)
        assert await line_years(session, GUILD_B) == []
    assert len(mine.lines) == 1
    assert (theirs.fiscal_year, theirs.lines) == (None, [])


async def test_a_percent_sign_in_a_line_search_is_a_plain_character(db: Database) -> None:
    """'100%' finds the line that says 100%, not every line; '_' likewise."""
    await add(db, "funding_line", funding_line(purpose="Cameras for 100% of officers"))
    await add(db, "funding_line", funding_line(purpose="Detention beds", requested=1))
    async with db.session() as session:
        found = await funding_lines(session, SHARED, fiscal_year=2027, search="100%")
        none = await funding_lines(session, SHARED, fiscal_year=2027, search="_")
    assert [line.purpose for line in found] == ["Cameras for 100% of officers"]
    assert none == []
