"""congress.mapping on the recorded Congress.gov shapes: the official 117th H.R. 21 sample and the
hand-made FY2026 DHS fixtures (tests/fixtures/congress). Pure: no database, no network."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from congress.mapping import (
    ActionFacts,
    BillFacts,
    bill_facts,
    cr_end_date,
    fiscal_year_of,
    is_dhs_appropriations,
)
from db.models import (
    BillType,
    Chamber,
    FundingPeriodFields,
    MeasureActionFields,
    MeasureFields,
    MeasureKind,
    PeriodType,
    Stage,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "congress"
BILLS = ["117/hr/21", "119/hr/4213", "119/hr/5371", "119/hr/7147", "119/hr/7148", "119/hr/7481"]


def _read(rel: str) -> Any:
    return json.loads((FIXTURES / "bill" / rel).read_text())


def _inputs(rel: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    return (
        _read(f"{rel}.json")["bill"],
        _read(f"{rel}/actions.json")["actions"],
        _read(f"{rel}/summaries.json")["summaries"],
    )


def _facts(rel: str) -> BillFacts:
    return bill_facts(*_inputs(rel))


def _only(facts: BillFacts, **match: object) -> ActionFacts:
    found = [a for a in facts.actions if all(getattr(a, k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


def test_hr21_two_source_systems_give_one_passage() -> None:
    facts = _facts("117/hr/21")
    assert (facts.key, facts.bill_type, facts.number, facts.congress) == (
        "117-hr21",
        BillType.hr,
        21,
        117,
    )
    assert facts.stage == Stage.passed_house
    assert facts.url == "https://www.congress.gov/bill/117th-congress/house-bill/21"
    assert facts.update_date == dt.datetime(2022, 3, 25, 1, 16, 59, tzinfo=dt.UTC)
    passage = _only(facts, stage_after=Stage.passed_house)  # H37300 and LoC 8000: one event
    assert passage.action_date == dt.date(2021, 1, 5)
    assert passage.chamber == Chamber.house
    assert passage.vote == "voice vote"
    assert not passage.procedural
    assert passage.url == "https://www.congress.gov/bill/117th-congress/house-bill/21/all-actions"
    _only(facts, stage_after=Stage.introduced)  # 'Intro-H' and '1000' from LoC: one event
    reconsider = _only(facts, key="117-hr21/2021-01-05/house/reconsider")
    assert reconsider.procedural and reconsider.stage_after is None
    received = [a for a in facts.actions if a.chamber == Chamber.senate]
    assert [a.stage_after for a in received] == [None]  # received and referred: no passage
    assert len(facts.actions) == 8  # ten recorded actions, two of them copies


def test_hr7147_enacted_with_its_votes() -> None:
    facts = _facts("119/hr/7147")
    assert facts.stage == Stage.enacted
    assert facts.public_law == "119-86"
    assert facts.enacted_on == dt.date(2026, 4, 30)
    assert facts.fiscal_year == 2026
    assert facts.measure_kind == MeasureKind.regular
    house = _only(facts, stage_after=Stage.passed_house, action_date=dt.date(2026, 1, 22))
    assert house.vote == "220-207"
    assert house.roll_call_url == "https://clerk.house.gov/evs/2026/roll023.xml"
    assert house.text.startswith("On passage Passed by the Yeas and Nays: 220 - 207")
    senate = _only(facts, stage_after=Stage.passed_senate)
    assert (senate.action_date, senate.chamber, senate.vote) == (
        dt.date(2026, 3, 27),
        Chamber.senate,
        "voice vote",
    )
    assert not senate.procedural and senate.roll_call_url is None
    signed = [a for a in facts.actions if a.stage_after == Stage.enacted]
    assert {a.chamber for a in signed} == {Chamber.president}
    # Its CRS summary (Public Law version) reads a DHS CR through 2026-05-22.
    assert facts.period is not None
    assert (facts.period.start_date, facts.period.end_date) == (
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 22),
    )


def test_hr7148_cloture_is_procedural_passage_is_not() -> None:
    facts = _facts("119/hr/7148")
    cloture = _only(facts, action_date=dt.date(2026, 1, 29), vote="62-38")
    assert cloture.procedural
    assert cloture.stage_after is None
    assert cloture.chamber == Chamber.senate
    assert "senate.gov" in (cloture.roll_call_url or "")
    passage = _only(facts, vote="71-29")
    assert passage.stage_after == Stage.passed_senate
    assert not passage.procedural
    assert passage.roll_call_url == (
        "https://www.senate.gov/legislative/LIS/roll_call_votes/vote1192/vote_119_2_00012.xml"
    )
    assert _only(facts, vote="341-88").stage_after == Stage.passed_house
    concurred = _only(facts, vote="217-214")
    assert concurred.chamber == Chamber.house and concurred.action_date == dt.date(2026, 2, 3)
    assert facts.stage == Stage.enacted and facts.enacted_on == dt.date(2026, 2, 3)
    assert facts.measure_kind == MeasureKind.omnibus_division
    assert facts.period is not None and facts.period.end_date == dt.date(2026, 2, 13)  # Division H


def test_hr5371_is_a_cr_funding_through_january_30() -> None:
    facts = _facts("119/hr/5371")
    assert facts.measure_kind == MeasureKind.cr
    assert facts.stage == Stage.enacted
    assert facts.enacted_on == dt.date(2025, 11, 12)
    assert facts.period is not None
    assert facts.period.fiscal_year == 2026
    assert facts.period.start_date == dt.date(2025, 11, 12)
    assert facts.period.end_date == dt.date(2026, 1, 30)  # not the House version's November 21
    assert "January 30, 2026" in facts.period.source_text
    failed = _only(facts, action_date=dt.date(2025, 10, 1))
    assert failed.procedural and failed.stage_after is None and failed.vote == "55-45"


def test_hr5371_before_the_public_law_summary_has_no_period() -> None:
    """Only the House-passed summary (November 21) exists: the enacted text differs, so no
    period rather than a wrong end date."""
    bill, actions, summaries = _inputs("119/hr/5371")
    facts = bill_facts(bill, actions, [s for s in summaries if s["actionDesc"] != "Public Law"])
    assert facts.stage == Stage.enacted
    assert facts.period is None


def test_reported_and_introduced_bills() -> None:
    reported = _facts("119/hr/4213")
    assert reported.stage == Stage.committee_reported
    assert reported.report == "H. Rept. 119-173"
    assert reported.period is None and reported.enacted_on is None and reported.public_law is None
    _only(reported, stage_after=Stage.committee_reported)  # House floor and LoC copies: one
    introduced = _facts("119/hr/7481")
    assert introduced.stage == Stage.introduced
    assert introduced.fiscal_year == 2026
    assert introduced.period is None


def test_discovery_keeps_dhs_appropriations_only() -> None:
    listing = _read("119.json")["bills"]
    decided = {f"{i['type'].lower()}{i['number']}": is_dhs_appropriations(i) for i in listing}
    kept = {bill for bill, keep in decided.items() if keep}
    assert kept == {"hr5371", "hr4213", "hr7147", "hr7148", "hr7481"}  # 7148: the consolidated act
    assert decided["hr7390"] is False  # names DHS but appropriates nothing
    assert decided["hr4553"] is False  # another subcommittee's bill
    assert decided["hres1001"] is False  # the rule for H.R. 7147 funds nothing
    assert decided["hr5830"] is None  # a supplemental: look at its summaries
    supplemental = next(i for i in listing if i["number"] == "5830")
    assert is_dhs_appropriations(supplemental, _read("119/hr/5830/summaries.json")["summaries"])
    other = [{"text": "<p>Provides supplemental appropriations for the Department of Defense.</p>"}]
    assert is_dhs_appropriations(supplemental, other) is False


@pytest.mark.parametrize(
    ("title", "keep"),
    [
        ("Further Continuing Appropriations Act, 2026", True),
        ("Making continuing appropriations for fiscal year 2026, and for other purposes.", True),
        ("Making continuing appropriations for military pay in the event of a shutdown.", False),
        ("Making continuing appropriations for the Coast Guard.", True),
        ("Further Consolidated Appropriations Act, 2024", True),
        ("Emergency Supplemental Appropriations for FEMA Act", True),
        ("Agriculture, Rural Development, FDA Appropriations Act, 2026", False),
        ("", False),
    ],
)
def test_discovery_on_titles(title: str, keep: bool) -> None:
    assert is_dhs_appropriations({"type": "HR", "number": "1", "title": title}) is keep


@pytest.mark.parametrize(
    ("summary", "end"),
    [
        ("through December 20, 2019", dt.date(2019, 12, 20)),
        (
            "<p>This bill provides continuing FY2020 appropriations to federal agencies through "
            "December 20, 2019.</p>",
            dt.date(2019, 12, 20),
        ),
        ("<p>... through&nbsp;<b>January</b>&nbsp;30,\u00a02026.</p>", dt.date(2026, 1, 30)),
        ("continuing appropriations through Dec. 20, 2019", dt.date(2019, 12, 20)),
        (
            "<p>Provides continuing appropriations to federal agencies through January 30, 2026."
            "</p><p><b>Division H</b></p><p>Provides continuing appropriations for the "
            "Department of Homeland Security through February 13, 2026.</p>",
            dt.date(2026, 2, 13),
        ),
        (
            "<p>Provides continuing appropriations for all agencies except the Department of "
            "Homeland Security through March 14, 2025, and for DHS through March 28, 2025.</p>",
            dt.date(2025, 3, 28),
        ),
        (
            "<p>This act provides continuing FY2026 appropriations through January 30, 2026.</p>"
            "<p>It extends the National Flood Insurance Program through September 30, 2026.</p>",
            dt.date(2026, 1, 30),
        ),
        ("<p>Provides FY2026 appropriations for DHS.</p>", None),
        ("through February 30, 2026", None),
    ],
)
def test_cr_end_date_wordings(summary: str, end: dt.date | None) -> None:
    assert cr_end_date(summary) == end


def test_fiscal_year_from_title_or_summary() -> None:
    assert fiscal_year_of("Department of Homeland Security Appropriations Act, 2026", None) == 2026
    assert fiscal_year_of("Making appropriations ... fiscal year ending September 30, 2027", None)
    assert fiscal_year_of("A bill", "<p>Provides continuing FY2020 appropriations</p>") == 2020
    assert fiscal_year_of("FedRAMP Authorization Act", "<p>Act of 2021</p>") is None


@pytest.mark.parametrize("rel", BILLS)
def test_remapping_gives_equal_facts(rel: str) -> None:
    bill, actions, summaries = _inputs(rel)
    first = bill_facts(bill, actions, summaries)
    assert bill_facts(*_inputs(rel)) == first
    # The same actions listed in another order: the same facts (only same-day ties may reorder).
    shuffled = bill_facts(bill, list(reversed(actions)), summaries)
    assert set(shuffled.actions) == set(first.actions)
    assert replace(shuffled, actions=()) == replace(first, actions=())


@pytest.mark.parametrize("rel", BILLS)
def test_facts_fit_the_model(rel: str) -> None:
    facts = _facts(rel)
    keys = [a.key for a in facts.actions]
    assert len(keys) == len(set(keys))
    assert all(len(k) <= 120 and k.startswith(f"{facts.key}/") for k in keys)
    as_of = dt.date(2026, 12, 4)
    measure = MeasureFields(
        congress=facts.congress,
        fiscal_year=facts.fiscal_year,
        bill_type=facts.bill_type,
        bill_number=facts.number,
        title=facts.title,
        measure_kind=facts.measure_kind,
        stage=facts.stage,
        public_law=facts.public_law,
        enacted_on=facts.enacted_on,
        report=facts.report,
        url=facts.url,
        as_of=as_of,
    )
    assert measure.key == facts.key
    for action in facts.actions:
        MeasureActionFields(
            key=action.key,
            measure_key=facts.key,
            action_date=action.action_date,
            chamber=action.chamber,
            text=action.text,
            vote=action.vote,
            stage_after=action.stage_after,
            as_of=action.action_date,
        )
    if facts.period is not None:
        FundingPeriodFields(
            fiscal_year=facts.period.fiscal_year,
            period_type=PeriodType.funded,
            measure_key=facts.key,
            start_date=facts.period.start_date,
            end_date=facts.period.end_date,
            description=facts.period.description,
            as_of=facts.period.start_date,
        )


def test_long_texts_are_bounded() -> None:
    bill, actions, summaries = _inputs("119/hr/7481")
    long = {**actions[0], "text": "Referred " + "very long words " * 200}
    facts = bill_facts({**bill, "title": "T" * 400}, [long], summaries)
    assert len(facts.title) <= 300
    (action,) = facts.actions
    assert len(action.text) <= 1000 and len(action.key) <= 120


@pytest.mark.parametrize("broken", [{}, {"congress": 119, "type": "XX", "number": "1"}])
def test_a_record_that_is_not_a_bill_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"Congress\.gov bill"):
        bill_facts(broken, [], [])
