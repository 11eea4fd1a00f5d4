"""A new bill action's one plain sentence (bot.render.action_sentence) and where posts use it:
first line of a change post, the line of a summary. Every stage × chamber × vote, every
procedural motion (never told as passage), roll calls from text or source."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from bot.render.action_sentence import (
    SENTENCE_LIMIT,
    action_sentence,
    roll_call_number,
    sentence_from_changes,
)
from bot.render.changes import change_post, summary_post
from db.models import Chamber, Stage

KEY = "119-hr7147"
ACTION_KEY = f"{KEY}/2026-03-27/senate"
LONGEST = "119-hconres99999"  # the longest bill number a sentence can name: H.Con.Res. 99999
VOTES = [None, "71-29", "100-100", "voice vote", "unanimous consent"]
ROLL_SOURCE = {
    "outlet": "Roll call vote",
    "url": "https://www.senate.gov/legislative/LIS/roll_call_votes/vote1192/vote_119_2_00047.xml",
}
# Plain words for each stage, as an editor might type them
STAGE_TEXT = {
    Stage.introduced: "Introduced.",
    Stage.committee_reported: "Reported by the Appropriations Committee.",
    Stage.passed_house: "Passed the House.",
    Stage.passed_senate: "Passed the Senate.",
    Stage.resolving_differences: "Conferees appointed.",
    Stage.enacted: "Signed by President.",
    Stage.vetoed: "Vetoed by President.",
}
UNVOTED = (None, Stage.introduced, Stage.enacted, Stage.vetoed)
# Procedural actions as Congress.gov words them (and as editors do)
PROCEDURAL = [
    "Cloture invoked in Senate by Yea-Nay Vote. 60 - 40. Record Vote Number: 40.",
    "Cloture on the motion to proceed to the measure invoked in Senate by Yea-Nay Vote. 62 - 38.",
    "Cloture on the motion to proceed to the measure not invoked in Senate by Yea-Nay Vote. "
    "55 - 45. Record Vote Number: 550.",
    "Cloture motion on the motion to proceed to the measure presented in Senate.",
    "Cloture motion on the measure withdrawn by unanimous consent in Senate.",
    "Motion to proceed to consideration of measure agreed to in Senate by Yea-Nay Vote. 60 - 40.",
    "Motion to proceed to consideration of measure made in Senate.",
    "Motion to reconsider laid on the table Agreed to without objection.",
    "On motion to recommit Failed by the Yeas and Nays: 200 - 215 (Roll no. 22).",
    "Motion to table the amendment agreed to by voice vote.",
    "Motion to discharge the committee made.",
    "Rule providing for consideration of the bill agreed to.",
    "Motion to invoke cloture on the bill filed.",
]


@pytest.mark.parametrize(
    ("chamber", "text", "vote", "stage", "expected"),
    [
        ("senate", "Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.", "71-29",
         "passed_senate", "H.R. 7147 passed the Senate 71-29 (roll call 47)."),
        ("senate", "Passed Senate with an amendment by Yea-Nay Vote. 71 - 29. Record Vote "
         "Number: 12.", "71-29", "passed_senate",
         "H.R. 7147 passed the Senate 71-29 (roll call 12), with an amendment."),
        ("house", "On passage Passed by the Yeas and Nays: 220 - 207 (Roll no. 23).", "220-207",
         "passed_house", "H.R. 7147 passed the House 220-207 (roll call 23)."),
        ("house", "On motion to suspend the rules and pass the bill Agreed to by voice vote.",
         "voice vote", "passed_house", "H.R. 7147 passed the House by voice vote."),
        ("president", "Signed by President.", None, "enacted",
         "H.R. 7147 was signed by the President."),
        ("president", "Signed into law as Public Law 119-86, ending the DHS-only lapse.", None,
         "enacted", "H.R. 7147 was signed by the President, becoming Public Law 119-86."),
        ("president", "Became Public Law No: 119-37.", None, "enacted",
         "H.R. 7147 became Public Law 119-37."),
        ("president", "Vetoed by President.", None, "vetoed",
         "H.R. 7147 was vetoed by the President."),
        ("house", "Introduced in House", None, "introduced",
         "H.R. 7147 was introduced in the House."),
        ("house", "Original measure reported to House by Mr. Amodei. H. Rept. 119-173.", None,
         "committee_reported", "H.R. 7147 was reported by a House committee (H. Rept. 119-173)."),
        ("house", "On motion that the House agree to the Senate amendment Agreed to by the Yeas "
         "and Nays: 217 - 214 (Roll no. 40).", "217-214", "passed_house",
         "The House agreed to the Senate amendment to H.R. 7147, 217-214 (roll call 40)."),
        ("house", "House concurred in the Senate amendment.", "217-214", None,
         "The House agreed to the Senate amendment to H.R. 7147, 217-214."),
        ("house", "House disagreed to the Senate amendment and asked for a conference.", None,
         "resolving_differences",
         "The House acted to resolve differences with the Senate on H.R. 7147."),
        ("house", "On passage Failed by the Yeas and Nays: 200 - 215 (Roll no. 50).", "200-215",
         None, "H.R. 7147 failed to pass the House 200-215 (roll call 50)."),
        ("president", "Presented to President.", None, None,
         "H.R. 7147 was presented to the President."),
        ("house", "Referred to the House Committee on Appropriations.", None, None,
         "H.R. 7147 in the House: Referred to the House Committee on Appropriations."),
        ("senate", "Cloture invoked in Senate by Yea-Nay Vote. 60 - 40. Record Vote Number: 40.",
         "60-40", None,
         "Cloture was invoked on H.R. 7147 in the Senate 60-40 (a procedural vote, not passage)."),
        ("senate", "Cloture on the motion to proceed to the measure not invoked in Senate by "
         "Yea-Nay Vote. 55 - 45.", "55-45", None,
         "Cloture was not invoked on the motion to proceed to H.R. 7147 in the Senate 55-45 "
         "(a procedural vote, not passage)."),
        ("senate", "Cloture motion on the motion to proceed to the measure presented in Senate.",
         None, None, "A cloture motion on the motion to proceed to H.R. 7147 was filed in the "
         "Senate (a procedural step, not passage)."),
        ("senate", "Motion to proceed to consideration of measure agreed to in Senate by Yea-Nay "
         "Vote. 60 - 40.", "60-40", None, "The motion to proceed to H.R. 7147 was agreed to in "
         "the Senate 60-40 (a procedural vote, not passage)."),
        ("house", "Motion to reconsider laid on the table Agreed to without objection.",
         "unanimous consent", None, "A motion to reconsider the vote on H.R. 7147 was laid on "
         "the table in the House (a procedural step, not passage)."),
        ("house", "On motion to recommit Failed by the Yeas and Nays: 200 - 215 (Roll no. 22).",
         "200-215", None,
         "A motion to recommit H.R. 7147 failed in the House 200-215 (a procedural vote, not "
         "passage)."),
        # An editor's slip: a cloture vote marked as moving the bill is still not passage
        ("senate", "Cloture invoked.", "60-40", "passed_senate",
         "Cloture was invoked on H.R. 7147 in the Senate 60-40 (a procedural vote, not passage)."),
    ],
)  # fmt: skip
def test_each_kind_of_action_reads_as_one_plain_sentence(
    chamber: str, text: str, vote: str | None, stage: str | None, expected: str
) -> None:
    assert action_sentence(KEY, chamber, text, vote, stage) == expected


def test_a_bill_without_a_number_is_the_bill_never_its_key() -> None:
    key = "119-reconciliation-bill-for-ice-and-cbp-june-2026"
    sentence = action_sentence(key, "senate", "Senate agreed to the motion to proceed.", "53-46")
    assert sentence == (
        "The motion to proceed to the bill was agreed to in the Senate 53-46 (a procedural vote, "
        "not passage)."
    )
    assert action_sentence(key, "senate", "Passed Senate.", None, "passed_senate") == (
        "The bill passed the Senate."
    )


@pytest.mark.parametrize("stage", [*Stage, None])
def test_every_stage_chamber_and_vote_makes_one_whole_line(stage: Stage | None) -> None:
    """Whatever the stage, chamber and vote: one line within the limit, never cut, the bill by
    its number, the tally when there is one, and 'passed' only for passage."""
    text = STAGE_TEXT[stage] if stage is not None else "Placed on the calendar."
    for chamber, vote, key in itertools.product(Chamber, VOTES, [KEY, LONGEST]):
        bill = "H.R. 7147" if key == KEY else "H.Con.Res. 99999"
        sentence = action_sentence(key, chamber.value, text, vote, stage and stage.value)
        case = f"{chamber}, {vote}: {sentence}"
        assert "\n" not in sentence and len(sentence) <= SENTENCE_LIMIT, case
        assert not sentence.endswith("…") and sentence.endswith("."), case
        assert bill in sentence and key not in sentence, case
        if vote and vote[0].isdigit() and stage not in UNVOTED:
            assert vote in sentence, case  # nobody votes on an introduction or a veto
        passage = stage in (Stage.passed_house, Stage.passed_senate)
        assert (" passed the " in sentence) == passage, case
        if passage:
            floor = "House" if stage == Stage.passed_house else "Senate"
            assert sentence.startswith(f"{bill} passed the {floor}"), case


@pytest.mark.parametrize("text", PROCEDURAL)
def test_a_procedural_vote_is_never_told_as_passage(text: str) -> None:
    """Cloture, motions to proceed, reconsider, recommit, table, discharge, rules: whatever
    stage an editor gave it, in any chamber, with any vote, the sentence says it is procedural
    and never that the bill passed."""
    stages = [None, Stage.passed_house, Stage.passed_senate, Stage.enacted]
    for stage, chamber, vote in itertools.product(stages, Chamber, VOTES):
        sentence = action_sentence(LONGEST, chamber.value, text, vote, stage and stage.value)
        case = f"{stage}, {chamber}, {vote}: {sentence}"
        assert sentence.endswith(", not passage)."), case  # whole: the note is never cut off
        assert len(sentence) <= SENTENCE_LIMIT and "\n" not in sentence, case
        assert "passed" not in sentence.lower() and "H.Con.Res. 99999" in sentence, case
        decided = any(word in sentence for word in (" invoked", " agreed to", " failed"))
        if decided and vote and vote[0].isdigit():  # the tally, unless one line had no room
            short = action_sentence(KEY, chamber.value, text, vote, stage and stage.value)
            assert f" {vote} (a procedural vote, not passage)." in short, case


def test_an_action_told_in_its_own_words_is_cut_to_one_line() -> None:
    text = "Placed on the Union Calendar, Calendar No. 142. " * 30
    sentence = action_sentence(KEY, "house", text)
    assert sentence.startswith("H.R. 7147 in the House: Placed on the Union Calendar")
    assert sentence.endswith("…") and len(sentence) <= SENTENCE_LIMIT and "\n" not in sentence


@pytest.mark.parametrize(
    ("text", "sources", "number"),
    [
        ("On passage Passed by the Yeas and Nays: 220 - 207 (Roll no. 23).", [], 23),
        ("Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.", [], 47),
        ("Passed the Senate, roll call 12.", [], 12),
        ("Passed Senate by Yea-Nay Vote. 71 - 29.", [ROLL_SOURCE], 47),
        ("Passed.", [{"outlet": "Roll call vote",
                      "url": "https://clerk.house.gov/evs/2026/roll040.xml"}], 40),
        ("Passed.", [{"outlet": "Congress.gov", "url": "https://www.congress.gov/bill/1"}], None),
        ("Enrolled bill signed.", [], None),
    ],
)  # fmt: skip
def test_the_roll_call_comes_from_the_text_or_the_roll_call_source(
    text: str, sources: list[dict[str, str]], number: int | None
) -> None:
    assert roll_call_number(text, sources) == number


def test_the_sentence_reads_a_create_revision_and_not_an_update() -> None:
    changes = create_changes("Passed Senate by Yea-Nay Vote. 71 - 29.", "71-29", "passed_senate")
    changes["sources"] = [None, [ROLL_SOURCE]]
    assert sentence_from_changes(changes) == "H.R. 7147 passed the Senate 71-29 (roll call 47)."
    assert sentence_from_changes({"vote": ["70-30", "71-29"]}) is None
    assert sentence_from_changes(None) is None


# ---------------------------------------------------------------- in posts


def create_changes(text: str, vote: str | None, stage: str | None) -> dict[str, list[Any]]:
    values: dict[str, Any] = {"key": ACTION_KEY, "measure_key": KEY, "action_date": "2026-03-27",
              "chamber": "senate", "text": text, "vote": vote, "stage_after": stage,
              "as_of": "2026-03-27", "confidence": "confirmed", "sources": []}  # fmt: skip
    return {field: [None, value] for field, value in values.items()}


def action_event(event_id: int, changes: dict[str, list[Any]], action: str = "create") -> Any:
    event = SimpleNamespace(id=event_id, record_kind="action", record_key=ACTION_KEY,
                            event_type="created" if action == "create" else "updated",
                            revision_id=event_id, summary=None)  # fmt: skip
    revision = SimpleNamespace(id=event_id, action=action, changes=changes, reason=None,
                               actor_name="Congress.gov", actor_id=None,
                               recorded_at=dt.datetime(2026, 3, 27, 18, tzinfo=dt.UTC))  # fmt: skip
    return event, revision


def test_a_new_action_post_opens_with_its_sentence_before_the_fields() -> None:
    changes = create_changes(
        "Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.", "71-29", "passed_senate"
    )
    embed = change_post(*action_event(7, changes))
    first, blank, *fields = (embed.description or "").splitlines()
    assert first == "H.R. 7147 passed the Senate 71-29 (roll call 47)."
    assert blank == "" and "**Vote**: 71-29" in fields
    assert embed.title == "New · H.R. 7147 · Senate · Mar 27, 2026"


def test_an_update_of_an_action_has_no_sentence() -> None:
    """Only a new action is news; a corrected tally is a field change like any other."""
    event, revision = action_event(8, {"vote": ["70-30", "71-29"]}, action="update")
    embed = change_post(event, revision, label="2026-03-27 senate: Passed Senate.")
    assert embed.description == "**Vote**: 70-30 → 71-29"


def test_a_summary_lists_each_new_action_by_its_day_and_sentence() -> None:
    texts = [
        ("Cloture invoked in Senate by Yea-Nay Vote. 60 - 40.", "60-40", None),
        ("Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.", "71-29",
         "passed_senate"),
    ] * 3  # fmt: skip
    pairs = [action_event(n + 1, create_changes(*fields)) for n, fields in enumerate(texts)]
    [summary] = summary_post([e for e, _ in pairs], [r for _, r in pairs])
    lines = (summary.description or "").splitlines()
    assert lines[:2] == [
        "• **Mar 27, 2026**: Cloture was invoked on H.R. 7147 in the Senate 60-40 (a procedural "
        "vote, not passage) (by Congress.gov)",
        "• **Mar 27, 2026**: H.R. 7147 passed the Senate 71-29 (roll call 47) (by Congress.gov)",
    ]
