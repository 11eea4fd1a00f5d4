"""A bill action in one plain sentence, the first line of its change post: "H.R. 7147 passed the
Senate 71-29 (roll call 47).", "H.R. 7147 was signed by the President.", "Cloture was invoked on
H.R. 7147 in the Senate 60-40 (a procedural vote, not passage)."

Pure: an action's fields in, one line out (at most SENTENCE_LIMIT characters). The bill is named
by its number, never its key. A procedural vote (db.appropriations.procedural_vote: cloture, a
motion to proceed, reconsider, table...) never reads as passage; an action nothing here
recognises is told in its own words after the bill and chamber.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from bot.render.common import clip
from bot.render.history import bill_name
from db.appropriations import procedural_vote
from db.kinds import CHAMBER_LABELS
from db.models import Chamber, Stage

SENTENCE_LIMIT = 130  # one line: no break, and room for the longest sentence built here
QUOTED_LIMIT = 100  # an action told in its own words is cut sooner

_TALLY = re.compile(r"\d{1,3}-\d{1,3}")
_FAILED = re.compile(r"(?i)\bfailed\b|\bnot\s+(?:agreed|invoked|passed|adopted)\b|\brejected\b")
_AGREED = re.compile(r"(?i)\b(?:invoked|agreed\s+to|passed|adopted|concurred)\b")
_WITHDRAWN = re.compile(r"(?i)\bwithdrawn\b")
# "Roll no. 23", "Record Vote Number: 47", "roll call 12", "roll call vote no. 5"
_ROLL_IN_TEXT = re.compile(
    r"(?i)\b(?:roll(?:\s*call)?(?:\s+vote)?(?:\s+(?:no\.?|number|#))?|record\s+vote\s+"
    r"(?:number|no\.?))\s*:?\s*#?(\d{1,4})\b"
)
# clerk.house.gov/evs/2026/roll047.xml, senate.gov/…/vote_119_2_00047.xml
_ROLL_IN_URL = re.compile(r"(?i)/roll(\d{1,4})\.(?:xml|htm)|/vote_\d+_\d+_(\d{1,5})\.(?:xml|htm)")
_WITH_AMENDMENT = re.compile(r"(?i)\bwith\s+(?:an\s+)?amendments?\b")
_CONCUR = re.compile(
    r"(?i)\b(?:agreed?\s+to|concur(?:red)?\s+in)\s+(?:the\s+)?(house|senate)\s+amendments?\b"
)
_CONFERENCE = re.compile(r"(?i)\bconference\s+report\b")
_PASSAGE_WORD = re.compile(r"(?i)\bpass(?:ed|age)?\b")
_REPORT = re.compile(r"\b([HS]\.\s?Rept\.\s?\d{1,3}-\d{1,4})")
_LAW = re.compile(r"(?i)\b(?:public\s+law(?:\s+no\.?)?:?|p\.\s?l\.)\s*(\d{1,3}-\d{1,4})\b")

FLOOR = {Chamber.house: "House", Chamber.senate: "Senate"}
OTHER_FLOOR = {Chamber.house: "Senate", Chamber.senate: "House"}


def roll_call_number(text: str, sources: Sequence[Mapping[str, Any]] = ()) -> int | None:
    """The roll call an action's text names ('Roll no. 23', 'Record Vote Number: 47'), else the
    one its roll-call source's address gives."""
    if (found := _ROLL_IN_TEXT.search(text)) is not None:
        return int(found[1])
    for source in sources:
        url = str(source.get("url") or "") if isinstance(source, Mapping) else ""
        if (found := _ROLL_IN_URL.search(url)) is not None:
            return int(found[1] or found[2])
    return None


def action_sentence(
    measure_key: str,
    chamber: str,
    text: str,
    vote: str | None = None,
    stage_after: str | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
) -> str:
    """What happened, in one sentence of at most SENTENCE_LIMIT characters."""
    text = " ".join(str(text or "").split())
    bill = bill_name(measure_key) or "the bill"
    facts = _Facts(bill, _chamber(chamber), text, vote or None, roll_call_number(text, sources))
    motion = _procedure(text, stage_after)
    if motion is not None:
        sentence = _procedural(facts, motion)
    elif stage_after in STAGE_SENTENCES:
        sentence = STAGE_SENTENCES[str(stage_after)](facts)
    else:
        sentence = _unstaged(facts)
    sentence = sentence[:1].upper() + sentence[1:]
    return clip(sentence, SENTENCE_LIMIT)


def sentence_from_changes(changes: Mapping[str, Sequence[Any]] | None) -> str | None:
    """The sentence of a new action from its create revision (field → [old, new]); None when the
    revision does not hold the action's bill, chamber and text (an update)."""
    values = {f: pair[1] for f, pair in (changes or {}).items() if len(pair) == 2}
    if not all(isinstance(values.get(f), str) for f in ("measure_key", "chamber", "text")):
        return None
    return action_sentence(
        values["measure_key"],
        values["chamber"],
        values["text"],
        values.get("vote"),
        values.get("stage_after"),
        values.get("sources") or (),
    )


@dataclass(frozen=True)
class _Facts:
    bill: str  # 'H.R. 7147', or 'the bill' for one without a number
    chamber: str | None  # a Chamber value, None when unknown
    text: str
    vote: str | None
    roll: int | None

    def tally(self, *, after_bill: bool = False, roll: bool = True) -> str:
        """' 71-29 (roll call 47)', ' by voice vote', ' by unanimous consent' or ''; a tally
        straight after a bill number gets a comma ('H.R. 7148, 217-214')."""
        vote = self.vote or ""
        number = f" (roll call {self.roll})" if roll and self.roll is not None else ""
        if _TALLY.fullmatch(vote):
            return f"{',' if after_bill else ''} {vote}{number}"
        if vote in ("voice vote", "unanimous consent"):
            return f" by {vote}"
        return number

    def floor(self) -> str:
        """' in the Senate', or '' where the chamber is not a floor."""
        return f" in the {FLOOR[Chamber(self.chamber)]}" if self.chamber in FLOOR else ""

    def voted(self) -> bool:
        return bool(self.vote) and self.vote != "unanimous consent"


def _chamber(value: str) -> str | None:
    return value if value in CHAMBER_LABELS else None


def _outcome(text: str) -> str:
    """'failed', 'agreed', 'withdrawn' or 'made' (filed, presented, or nothing said)."""
    if _FAILED.search(text):
        return "failed"
    if _WITHDRAWN.search(text):
        return "withdrawn"
    if _AGREED.search(text):
        return "agreed"
    return "made"


# ---------------------------------------------------------------- procedural votes


def _procedure(text: str, stage_after: str | None) -> str | None:
    """The procedural motion an action is about (db.appropriations.procedural_vote), or None
    when it is on the bill itself. An action that moved the bill is not procedural, unless its
    words say nothing of passage: a motion is never told as passage."""
    motion = procedural_vote(cast(Any, SimpleNamespace(stage_after=None, text=text)))
    if motion is None or (stage_after is not None and _PASSAGE_WORD.search(text)):
        return None
    return motion


def _procedural(facts: _Facts, motion: str) -> str:
    """'Cloture was invoked on H.R. 7147 in the Senate 60-40 (a procedural vote, not
    passage).' The roll call is left to the sources, and a sentence too long for one line
    names less (the bill, not the motion to proceed to it; no tally) rather than be cut."""
    full = _motion_sentence(facts, motion, detail=True)
    return full if len(full) <= SENTENCE_LIMIT else _motion_sentence(facts, motion, detail=False)


def _motion_sentence(facts: _Facts, motion: str, *, detail: bool) -> str:
    note = f" (a procedural {'vote' if facts.voted() else 'step'}, not passage)"
    outcome = _outcome(facts.text)
    tally = facts.tally(roll=False) if detail and outcome in ("agreed", "failed") else ""
    low = facts.text.lower()
    if motion in ("cloture", "motion to invoke cloture"):
        target = facts.bill
        if detail and "motion to proceed" in low:
            target = f"the motion to proceed to {facts.bill}"
        if outcome in ("agreed", "failed"):
            said = "was not invoked" if outcome == "failed" else "was invoked"
            return f"Cloture {said} on {target}{facts.floor()}{tally}{note}."
        said = "was withdrawn" if outcome == "withdrawn" else "was filed"
        return f"A cloture motion on {target} {said}{facts.floor()}{note}."
    subject = MOTION_SUBJECTS.get(motion, f"a {motion} on {{bill}}").format(bill=facts.bill)
    if "laid on the table" in low:
        return f"{subject} was laid on the table{facts.floor()}{note}."
    return f"{subject} {OUTCOME_WORDS[outcome]}{facts.floor()}{tally}{note}."


OUTCOME_WORDS = {
    "failed": "failed",
    "agreed": "was agreed to",
    "withdrawn": "was withdrawn",
    "made": "was made",
}
MOTION_SUBJECTS = {
    "motion to proceed": "the motion to proceed to {bill}",
    "motion to reconsider": "a motion to reconsider the vote on {bill}",
    "motion to recommit": "a motion to recommit {bill}",
    "motion to discharge": "a motion to discharge {bill}",
    "motion to table": "a motion to table during debate on {bill}",
    "rule providing for consideration": "the rule providing for consideration of {bill}",
}


# ---------------------------------------------------------------- actions that move the bill


def _introduced(facts: _Facts) -> str:
    return f"{facts.bill} was introduced{facts.floor()}."


def _reported(facts: _Facts) -> str:
    by = f"a {FLOOR[Chamber(facts.chamber)]} committee" if facts.chamber in FLOOR else "committee"
    report = _REPORT.search(facts.text)
    return f"{facts.bill} was reported by {by}{facts.tally()}{f' ({report[1]})' if report else ''}."


def _passed(chamber: str) -> Callable[[_Facts], str]:
    """Passage in `chamber`: a concurrence or conference report said as such."""

    def sentence(facts: _Facts) -> str:
        if (agreed := _final_text(facts, chamber)) is not None:
            return agreed
        amended = ", with an amendment" if _WITH_AMENDMENT.search(facts.text) else ""
        return f"{facts.bill} passed the {chamber}{facts.tally()}{amended}."

    return sentence


def _final_text(facts: _Facts, chamber: str) -> str | None:
    """'The House agreed to the Senate amendment to H.R. 7148, 217-214 (roll call 40).': a
    chamber passing the other's version (or the conference report), when the text says so."""
    if _outcome(facts.text) != "agreed":
        return None
    if (concur := _CONCUR.search(facts.text)) is not None:
        other = concur[1].capitalize()
        what = f"the {other} amendment to {facts.bill}"
    elif _CONFERENCE.search(facts.text):
        what = f"the conference report on {facts.bill}"
    else:
        return None
    return f"The {chamber} agreed to {what}{facts.tally(after_bill=True)}."


def _differences(facts: _Facts) -> str:
    if facts.chamber in FLOOR:
        chamber = Chamber(facts.chamber)
        return (
            f"The {FLOOR[chamber]} acted to resolve differences with the {OTHER_FLOOR[chamber]} "
            f"on {facts.bill}{facts.tally(after_bill=True)}."
        )
    return f"{facts.bill} moved to resolving House–Senate differences{facts.tally()}."


def _enacted(facts: _Facts) -> str:
    law = _LAW.search(facts.text)
    low = facts.text.lower()
    if low.startswith(("became public law", "became law")):
        return f"{facts.bill} became {f'Public Law {law[1]}' if law else 'law'}."
    becoming = f", becoming Public Law {law[1]}" if law else ""
    if "signed" in low:
        return f"{facts.bill} was signed by the President{becoming}."
    return f"{facts.bill} was enacted{f' as Public Law {law[1]}' if law else ''}."


def _vetoed(facts: _Facts) -> str:
    pocket = "pocket " if "pocket" in facts.text.lower() else ""
    return f"{facts.bill} was {pocket}vetoed by the President."


STAGE_SENTENCES = {
    Stage.introduced.value: _introduced,
    Stage.committee_reported.value: _reported,
    Stage.passed_house.value: _passed("House"),
    Stage.passed_senate.value: _passed("Senate"),
    Stage.resolving_differences.value: _differences,
    Stage.enacted.value: _enacted,
    Stage.vetoed.value: _vetoed,
}


# ---------------------------------------------------------------- actions that do not


def _unstaged(facts: _Facts) -> str:
    """A concurrence or failed passage said plainly; anything else in its own words."""
    floor = FLOOR.get(Chamber(facts.chamber)) if facts.chamber is not None else None
    if floor is not None and (agreed := _final_text(facts, floor)) is not None:
        return agreed
    if floor is not None and _outcome(facts.text) == "failed" and _PASSAGE_WORD.search(facts.text):
        return f"{facts.bill} failed to pass the {floor}{facts.tally()}."
    if "presented to president" in facts.text.lower():
        return f"{facts.bill} was presented to the President."
    where = f" in the {floor}" if floor else ""
    head = f"{facts.bill}{where}: "
    words = clip(facts.text, QUOTED_LIMIT - len(head)) or "an action was recorded."
    ends = "" if words.endswith((".", "!", "?", "…")) else "."
    return f"{head}{words}{ends}"
