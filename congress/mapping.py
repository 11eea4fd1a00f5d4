"""Congress.gov API v3 records → Oversight Desk facts: pure functions, no I/O, no writes.

`bill_facts` reads one bill's detail, actions and CRS summaries; `is_dhs_appropriations` decides
whether discovery keeps a listed bill. Everything is derived from the API's own fields (action
`type`, `actionCode`, `sourceSystem`, text) so the same input always gives equal facts.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db.appropriations import BillNumber
from db.keys import bounded_key
from db.models import BILL_PREFIX, STAGE_ORDER, BillType, Chamber, MeasureKind, Stage

KEY_LENGTH = 120  # MeasureAction.key
TEXT_LENGTH = 1000  # MeasureAction.text
TITLE_LENGTH = 300  # Measure.title
DESCRIPTION_LENGTH = 500  # FundingPeriod.description
SOURCE_TEXT_LENGTH = 500

_URL_TYPES = {
    BillType.hr: "house-bill",
    BillType.s: "senate-bill",
    BillType.hjres: "house-joint-resolution",
    BillType.sjres: "senate-joint-resolution",
    BillType.hconres: "house-concurrent-resolution",
    BillType.sconres: "senate-concurrent-resolution",
    BillType.hres: "house-resolution",
    BillType.sres: "senate-resolution",
}
# Only bills and joint resolutions become law; a rule (H.Res.) naming the DHS bill funds nothing.
_LAW_TYPES = frozenset({BillType.hr, BillType.s, BillType.hjres, BillType.sjres})
_LOC = 9  # sourceSystem code of the Library of Congress (its actionCode list is authoritative)
_HOUSE_SYSTEMS = frozenset({1, 2})
_SENATE_SYSTEM = 0


@dataclass(frozen=True)
class ActionFacts:
    key: str  # "<measure key>/<date>/<chamber>/<meaning>", bounded to 120 characters
    action_date: dt.date
    chamber: Chamber
    text: str  # at most 1000 characters
    vote: str | None  # "220-207", "voice vote" or "unanimous consent"
    stage_after: Stage | None  # introduction, report, passage, enactment, veto only
    procedural: bool  # cloture, motion to proceed / reconsider, rule, debate, consideration
    roll_call_url: str | None
    url: str  # the bill's all-actions page


@dataclass(frozen=True)
class PeriodFacts:
    fiscal_year: int
    start_date: dt.date
    end_date: dt.date | None
    description: str
    source_text: str  # the CRS summary words the end date was read from


@dataclass(frozen=True)
class BillFacts:
    congress: int
    bill_type: BillType
    number: int
    key: str  # "119-hr7147"
    title: str
    fiscal_year: int | None
    measure_kind: MeasureKind
    stage: Stage  # the furthest stage the actions reached
    public_law: str | None
    enacted_on: dt.date | None
    url: str
    actions: tuple[ActionFacts, ...]
    period: PeriodFacts | None  # the funded-through period a continuing resolution creates
    update_date: dt.datetime | None
    report: str | None = None  # "H. Rept. 119-173", the first committee report


# ---------------------------------------------------------------- text helpers


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_TAG = re.compile(r"(?i)</?(?:p|br|div|li|ul|ol|h\d|tr|td|table)\b[^>]*>")


def _plain(text: str) -> str:
    """HTML to one line of text: tags dropped, entities and non-breaking spaces resolved."""
    text = _BLOCK_TAG.sub("\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", "", text)).replace("\u00a0", " ")
    text = _CONTROL.sub(" ", text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _clip(text: str, limit: int) -> str:
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bill_url(congress: int, bill_type: BillType, number: int) -> str:
    """https://www.congress.gov/bill/119th-congress/house-bill/7147"""
    return (
        f"https://www.congress.gov/bill/{_ordinal(congress)}-congress/"
        f"{_URL_TYPES[bill_type]}/{number}"
    )


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _instant(value: object) -> dt.datetime | None:
    """updateDate: '2022-03-25T01:16:59Z' in details, sometimes only '2022-04-03' in lists."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- dates in CRS summaries


_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_WORDS = rf"({_MONTH})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})"
_THROUGH = re.compile(rf"(?i)\b(?:through|until)\s+(?:and\s+including\s+)?{_DATE_WORDS}")
_BEGINNING = re.compile(rf"(?i)\bbeginning\s+(?:on\s+)?{_DATE_WORDS}")
# A sentence ends after a word of 3+ letters: 'U.S. Coast Guard' and 'Dec. 20' do not end one.
_SENTENCE_END = re.compile(r"(?<=[a-z][a-z][a-z][.;])\s+(?=[A-Z<])")
_DHS = re.compile(
    r"\b(?:Department of Homeland Security|DHS|Federal Emergency Management Agency|FEMA|"
    r"Coast Guard|Transportation Security Administration|TSA|Customs and Border Protection|CBP|"
    r"Immigration and Customs Enforcement|ICE|Secret Service|"
    r"Cybersecurity and Infrastructure Security Agency|CISA)\b"
)
_EXCEPT = re.compile(r"(?i)\b(?:except|excluding|other than|but not)\b[^.;]{0,40}$")
_LOOKBACK = 400


def _words_date(month: str, day: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), _MONTHS[month.lower()], int(day))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Through:
    end: dt.date
    sentence: str  # the words from the sentence start to the date
    continuing: bool  # the sentence speaks of continuing appropriations
    names_dhs: bool  # the text since the previous date names DHS (not as an exception)


def _throughs(text: str) -> list[_Through]:
    found: list[_Through] = []
    previous_end = 0
    for match in _THROUGH.finditer(text):
        end = _words_date(*match.groups())
        before = text[max(0, match.start() - _LOOKBACK) : match.start()]
        # DHS must be named since the previous date, as funded (not excepted, not an extension)
        window = text[max(previous_end, match.start() - _LOOKBACK) : match.start()]
        previous_end = match.end()
        if end is None:
            continue
        sentence = _SENTENCE_END.split(before.split("\n")[-1])[-1]
        dhs = not re.search(r"(?i)\bextend", window) and any(
            not _EXCEPT.search(window[: m.start()]) for m in _DHS.finditer(window)
        )
        found.append(
            _Through(
                end, f"{sentence}{match.group(0)}", bool(re.search(r"(?i)continu", sentence)), dhs
            )
        )
    return found


def _pick(found: Sequence[_Through], *, strict: bool) -> _Through | None:
    """The date DHS is funded through: among continuing-appropriations dates (any date unless
    `strict`), the first naming DHS, else the first (a general CR funds DHS)."""
    candidates = [t for t in found if t.continuing] or ([] if strict else list(found))
    named = [t for t in candidates if t.names_dhs]
    if named:
        return named[0]
    return candidates[0] if candidates else None


def cr_end_date(summary_html: str) -> dt.date | None:
    """The date a continuing resolution funds DHS through, from a CRS summary ('... through
    December 20, 2019' → 2019-12-20); with several dates, the one said of DHS."""
    picked = _pick(_throughs(_plain(summary_html)), strict=False)
    return picked.end if picked else None


_FY_TITLE = (
    re.compile(r"(?i)fiscal\s+year\s+ending\s+september\s+30,?\s+(\d{4})"),
    re.compile(r"(?i)\bact,?\s+(\d{4})\b"),
    re.compile(r"(?i)\b(?:fiscal\s+year|FY)\s*(\d{4})\b"),
)
_FY_SUMMARY = re.compile(r"(?i)\b(?:FY|fiscal\s+year\s*)(\d{4})\b")


def fiscal_year_of(title: str, summary_text: str | None) -> int | None:
    """The fiscal year an appropriations measure is for: from its title ('..., 2026', 'fiscal
    year ending September 30, 2026', 'FY2026'), else from its CRS summary ('FY2026')."""
    for pattern in _FY_TITLE:
        if (match := pattern.search(title)) is not None and 1990 <= int(match[1]) <= 2100:
            return int(match[1])
    if summary_text and (match := _FY_SUMMARY.search(_plain(summary_text))) is not None:
        year = int(match[1])
        return year if 1990 <= year <= 2100 else None
    return None


# ---------------------------------------------------------------- discovery


_APPROPRIATIONS = re.compile(r"(?i)\bappropriations?\b")
_CONTINUING = re.compile(r"(?i)\bcontinuing\s+appropriations\b")
_CONSOLIDATED = re.compile(r"(?i)\b(?:consolidated|omnibus|minibus)\b")
_SUPPLEMENTAL = re.compile(r"(?i)\bsupplemental\b")
_HOMELAND = re.compile(r"(?i)\bhomeland\s+security\b")
# 'Making continuing appropriations for military pay ...': a CR for one purpose only.
_CR_FOR = re.compile(r"(?i)continuing\s+appropriations\s+for\s+(?!(?:the\s+)?fiscal\s+year)(.+)")


def _bill_type(value: object) -> BillType | None:
    try:
        return BillType(str(value).lower())
    except ValueError:
        return None


def is_dhs_appropriations(
    item: Mapping[str, Any], summaries: Sequence[Mapping[str, Any]] | None = None
) -> bool | None:
    """Whether discovery keeps a listed bill: True for the regular DHS bill, a consolidated /
    omnibus / minibus act or a continuing appropriations act (a CR funds DHS unless it names
    another purpose); for a supplemental, None until its `summaries` are given, then whether
    they name DHS or one of its components; False otherwise."""
    title = str(item.get("title") or "")
    bill_type = _bill_type(item.get("type"))
    if bill_type is None or bill_type not in _LAW_TYPES or not _APPROPRIATIONS.search(title):
        return False
    if _HOMELAND.search(title):
        return True
    if _SUPPLEMENTAL.search(title):
        if _DHS.search(title):
            return True
        if summaries is None:
            return None
        return any(_DHS.search(_plain(str(s.get("text") or ""))) for s in summaries)
    if _CONTINUING.search(title):
        narrowed = _CR_FOR.search(title)
        return narrowed is None or _DHS.search(narrowed[1]) is not None
    return _CONSOLIDATED.search(title) is not None


def _measure_kind(title: str) -> MeasureKind:
    if _CONTINUING.search(title):
        return MeasureKind.cr
    if _SUPPLEMENTAL.search(title):
        return MeasureKind.supplemental
    if _CONSOLIDATED.search(title):
        return MeasureKind.omnibus_division
    return MeasureKind.regular


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class _Meaning:
    slug: str  # what the action means, the dedupe key's last part
    stage: Stage | None  # None: the stage follows from the chamber (passage)
    advances: bool  # whether the action moves the stage at all
    procedural: bool = False


_NOTHING = _Meaning("", None, False)
_VOTE_TALLY = re.compile(
    r"(?i)(?:yeas\s+and\s+nays|yea-nay\s+vote|recorded\s+vote|roll\s+call\s+vote)"
    r"[^0-9]{0,30}(?:\(2/3 required\):?\s*)?\b(\d{1,3})\s*-\s*(\d{1,3})\b"
)
_PASSAGE = re.compile(
    r"(?i)\bon\s+passage\s+passed\b|\bpassed/agreed\s+to\s+in\s+(?:house|senate)\b|"
    r"\bpassed\s+(?:the\s+)?(?:house|senate)\b|suspend\s+the\s+rules\s+and\s+pass\s+the\s+"
    r"(?:bill|resolution|joint\s+resolution)(?:,\s+as\s+amended)?,?\s+agreed\s+to"
)
_FAILED = re.compile(r"(?i)\bfailed\b|\bnot\s+(?:agreed|invoked|passed)\b")
_DIFFERENCES = re.compile(
    r"(?i)resolving\s+differences|agree\s+to\s+the\s+(?:house|senate)\s+amendment|"
    r"concur(?:red)?\s+in\s+the\s+(?:house|senate)\s+amendment|conference\s+report|conferees"
)
_REPORTED = re.compile(r"(?i)\breported\b")
_RULE = re.compile(
    r"\brules?\s+(?:committee\s+resolution\s+)?h\.\s*res\.|"
    r"providing\s+for\s+(?:the\s+)?consideration|^rule\b"
)
_AMENDS = re.compile(r"with\s+(?:an\s+)?amendment|disagree|insist|conferees|conference\s+asked")


def _outcome(text: str) -> str:
    if _FAILED.search(text):
        return "failed"
    if re.search(r"(?i)\b(?:invoked|agreed\s+to|passed|adopted)\b", text):
        return "agreed"
    return "made"


def _meaning(action: Mapping[str, Any], text: str) -> _Meaning:
    """What an action means, from its type, LoC action code and text (house codes are not
    documented, so text decides there); checked most specific first."""
    kind = str(action.get("type") or "")
    code = str(action.get("actionCode") or "")
    low = text.lower()
    if kind == "BecameLaw" or low.startswith(("became public law", "became private law")):
        return _Meaning("became-law", Stage.enacted, True)
    if "signed by president" in low:
        return _Meaning("signed", Stage.enacted, True)
    if "veto" in low and "override" not in low and "over veto" not in low:
        if "vetoed by president" in low or "pocket vetoed" in low:
            return _Meaning("vetoed", Stage.vetoed, True)
        return _Meaning(f"veto-{_slug(low)[:40]}", None, False)
    if code == "28000" or "presented to president" in low:
        return _Meaning("presented", None, False)
    if "cloture" in low:
        target = "-motion-to-proceed" if "motion to proceed" in low else ""
        state = "filed" if re.search(r"\b(?:presented|filed)\b", low) else _outcome(low)
        return _Meaning(f"cloture{target}-{state}", None, False, procedural=True)
    if "motion to proceed" in low:
        return _Meaning(f"motion-to-proceed-{_outcome(low)}", None, False, procedural=True)
    if "motion to reconsider" in low:
        return _Meaning("reconsider", None, False, procedural=True)
    if low.startswith(("debate", "considered", "measure laid before")):
        return _Meaning(f"floor-{_slug(low)[:40]}", None, False, procedural=True)
    if _RULE.search(low):
        return _Meaning("rule", None, False, procedural=True)
    if kind == "ResolvingDifferences" or code in {"19500", "20500"} or _DIFFERENCES.search(low):
        if re.search(r"\bmoved\s+(?:that|to)\b", low):
            return _Meaning("differences-motion", None, False, procedural=True)
        if _AMENDS.search(low):
            return _Meaning("differences-amended", Stage.resolving_differences, True)
        if _outcome(low) == "agreed":
            slug = "conference-report-agreed" if "conference report" in low else "concurred"
            return _Meaning(slug, None, True)  # passage of the final text: passed_<chamber>
        return _Meaning(f"differences-{_outcome(low)}", None, False)
    if code in {"8000", "17000"} or _PASSAGE.search(low):
        if _FAILED.search(low):
            return _Meaning("passage-failed", None, False)
        return _Meaning("passed", None, True)
    if code in {"5000", "14000"} or (_REPORTED.search(low) and "ordered to be reported" not in low):
        return _Meaning("reported", Stage.committee_reported, True)
    if code in {"1000", "10000", "Intro-H", "Intro-S"} or low.startswith("introduced in"):
        return _Meaning("introduced", Stage.introduced, True)
    if re.search(r"\bmoved\s+(?:that|to)\b|previous\s+question", low):
        return _Meaning(f"floor-{_slug(low)[:40]}", None, False, procedural=True)
    return _Meaning(_slug(re.sub(r"\((?:text|consideration)[^)]*\)", "", low))[:60], None, False)


def _chamber(action: Mapping[str, Any], text: str, meaning: _Meaning) -> Chamber:
    if meaning.slug in {"became-law", "signed", "presented", "vetoed"}:
        return Chamber.president
    system = _source_system(action)
    if system == _SENATE_SYSTEM:
        return Chamber.senate
    if system in _HOUSE_SYSTEMS:
        return Chamber.house
    code = str(action.get("actionCode") or "")
    if code in {"1000", "5000", "8000", "19500", "Intro-H"}:
        return Chamber.house
    if code in {"10000", "14000", "17000", "20500", "Intro-S"}:
        return Chamber.senate
    # LoC texts say where: 'Passed/agreed to in Senate', 'Resolving differences -- House actions'
    if (where := re.search(r"\b(House|Senate)\b", text)) is not None:
        return Chamber.house if where[1] == "House" else Chamber.senate
    return Chamber.other


def _source_system(action: Mapping[str, Any]) -> int | None:
    system = action.get("sourceSystem")
    code = system.get("code") if isinstance(system, Mapping) else None
    return code if isinstance(code, int) else None


def _vote(text: str) -> str | None:
    if (tally := _VOTE_TALLY.search(text)) is not None:
        return f"{int(tally[1])}-{int(tally[2])}"
    if re.search(r"(?i)\bvoice\s+vote\b", text):
        return "voice vote"
    if re.search(r"(?i)\bunanimous\s+consent\b|\bwithout\s+objection\b", text):
        return "unanimous consent"
    return None


def _roll_call(action: Mapping[str, Any]) -> str | None:
    for vote in action.get("recordedVotes") or ():
        url = vote.get("url") if isinstance(vote, Mapping) else None
        if isinstance(url, str) and re.fullmatch(r"https?://\S+", url):
            return url
    return None


@dataclass(frozen=True)
class _Parsed:
    date: dt.date
    time: str
    chamber: Chamber
    meaning: _Meaning
    text: str
    vote: str | None
    roll_call_url: str | None
    from_loc: bool


def _parse_action(action: Mapping[str, Any]) -> _Parsed | None:
    date = _date(action.get("actionDate"))
    text = _clip(str(action.get("text") or ""), TEXT_LENGTH)
    if date is None or not text:
        return None  # nothing to record without a day and words
    meaning = _meaning(action, text)
    return _Parsed(
        date,
        str(action.get("actionTime") or ""),
        _chamber(action, text, meaning),
        meaning,
        text,
        _vote(text),
        _roll_call(action),
        _source_system(action) == _LOC,
    )


def _stage_after(parsed: _Parsed) -> Stage | None:
    meaning = parsed.meaning
    if not meaning.advances:
        return None
    if meaning.stage is not None:
        return meaning.stage
    return {Chamber.house: Stage.passed_house, Chamber.senate: Stage.passed_senate}.get(
        parsed.chamber
    )


def _merge_event(key: str, group: list[_Parsed], url: str) -> ActionFacts:
    """One event reported by several source systems: the chamber's own words first (LoC's
    copy prefixes them), any tally and roll call any copy carries."""
    ordered = sorted(group, key=lambda p: (p.from_loc, p.text))
    first = ordered[0]
    tallies = [p.vote for p in ordered if p.vote and p.vote[0].isdigit()]
    votes = tallies or [p.vote for p in ordered if p.vote]
    rolls = [p.roll_call_url for p in ordered if p.roll_call_url]
    return ActionFacts(
        key=key,
        action_date=first.date,
        chamber=first.chamber,
        text=first.text,
        vote=votes[0] if votes else None,
        stage_after=_stage_after(first),
        procedural=first.meaning.procedural,
        roll_call_url=rolls[0] if rolls else None,
        url=url,
    )


def _actions(
    measure_key: str, actions: Iterable[Mapping[str, Any]], url: str
) -> list[tuple[str, ActionFacts]]:
    """The bill's events, oldest first, each once: copies from several source systems share
    a key (day, chamber, meaning) and merge."""
    groups: dict[str, list[_Parsed]] = {}
    first_time: dict[str, tuple[dt.date, str, int]] = {}
    for position, action in enumerate(actions):
        if not isinstance(action, Mapping) or (parsed := _parse_action(action)) is None:
            continue
        day, chamber = parsed.date.isoformat(), parsed.chamber.value
        key = bounded_key(f"{measure_key}/{day}/{chamber}/{parsed.meaning.slug}", KEY_LENGTH)
        groups.setdefault(key, []).append(parsed)
        when = (parsed.date, parsed.time or "99", -position)  # the API lists newest first
        first_time[key] = min(first_time.get(key, when), when)
    return [
        (groups[key][0].meaning.slug, _merge_event(key, groups[key], url))
        for key in sorted(groups, key=lambda k: (first_time[k], k))
    ]


# ---------------------------------------------------------------- the bill


def _summary_order(summary: Mapping[str, Any]) -> tuple[str, str]:
    return (str(summary.get("actionDate") or ""), str(summary.get("updateDate") or ""))


def _final_summary(
    summaries: Sequence[Mapping[str, Any]], events: Sequence[tuple[str, ActionFacts]]
) -> Mapping[str, Any] | None:
    """The latest CRS summary that describes the final text: the Public Law summary, or one
    written on or after the last passage that changed the text (an earlier summary describes an
    earlier version, e.g. H.R. 5371 as passed by the House ran to November 21, not January 30)."""
    changed = {"passed", "differences-amended"}
    versions = [a.action_date for slug, a in events if slug in changed]
    last_version = max(versions, default=None)
    floor = last_version or dt.date.max

    def final(summary: Mapping[str, Any]) -> bool:
        if str(summary.get("actionDesc") or "").lower() in {"public law", "enrolled bill"}:
            return True
        return (_date(summary.get("actionDate")) or dt.date.min) >= floor

    usable = [s for s in summaries if isinstance(s, Mapping) and final(s)]
    return max(usable, key=_summary_order, default=None)


def _fiscal_year_of_day(day: dt.date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def _period(
    label: str, title: str, enacted_on: dt.date | None, summary: Mapping[str, Any] | None
) -> PeriodFacts | None:
    """A continuing resolution's funded period: from the day it was enacted (or the summary's
    'beginning' date) through the date its CRS summary gives for DHS."""
    if enacted_on is None or summary is None:
        return None
    text = _plain(str(summary.get("text") or ""))
    picked = _pick(_throughs(text), strict=True)
    if picked is None:
        return None
    start = enacted_on
    if (begins := _BEGINNING.search(text)) is not None:
        start = _words_date(*begins.groups()) or enacted_on
    if picked.end < start:
        return None  # a summary of an earlier version: no period rather than a wrong one
    fiscal_year = fiscal_year_of(title, text) or _fiscal_year_of_day(start)
    description = (
        f"DHS funded by {label} (enacted {enacted_on.isoformat()}) through "
        f"{picked.end.isoformat()}, per the CRS summary on Congress.gov."
    )
    return PeriodFacts(
        fiscal_year=fiscal_year,
        start_date=start,
        end_date=picked.end,
        description=_clip(description, DESCRIPTION_LENGTH),
        source_text=_clip(picked.sentence, SOURCE_TEXT_LENGTH),
    )


def _stage(actions: Sequence[ActionFacts]) -> Stage:
    """The furthest stage reached, never moved back; a law passed over a veto is enacted."""
    reached = {a.stage_after for a in actions if a.stage_after is not None}
    if Stage.enacted in reached:
        return Stage.enacted
    return max(reached, key=STAGE_ORDER.__getitem__, default=Stage.introduced)


def _public_law(bill: Mapping[str, Any]) -> str | None:
    for law in bill.get("laws") or ():
        if isinstance(law, Mapping) and str(law.get("type") or "").lower() == "public law":
            number = str(law.get("number") or "").strip()
            if re.fullmatch(r"\d{1,3}-\d{1,4}", number):
                return number
    return None


def _report(bill: Mapping[str, Any]) -> str | None:
    for report in bill.get("committeeReports") or ():
        if isinstance(report, Mapping) and (citation := str(report.get("citation") or "").strip()):
            return _clip(citation, 60)
    return None


def bill_facts(
    bill: Mapping[str, Any],
    actions: Sequence[Mapping[str, Any]],
    summaries: Sequence[Mapping[str, Any]],
) -> BillFacts:
    """One bill's facts from its detail (`bill{...}`), actions and CRS summaries. Raises
    ValueError when the detail lacks what identifies a bill (congress, type, number, title)."""
    try:
        congress = int(bill["congress"])
        bill_type = BillType(str(bill["type"]).lower())
        number = int(bill["number"])
    except (KeyError, TypeError, ValueError) as error:
        problem = f"not a Congress.gov bill record (congress, type, number): {error}"
        raise ValueError(problem) from None
    if bill_type not in _URL_TYPES or not 1 <= congress <= 200 or not 1 <= number <= 99999:
        raise ValueError(f"not a Congress.gov bill: {congress} {bill_type} {number}")
    title = _clip(str(bill.get("title") or ""), TITLE_LENGTH)
    if not title:
        raise ValueError(f"bill {congress} {bill_type} {number} has no title")
    key = BillNumber(bill_type, number, congress).key(congress)
    url = bill_url(congress, bill_type, number)
    events = _actions(key, actions, f"{url}/all-actions")
    facts = tuple(action for _, action in events)
    stage = _stage(facts)
    enacted_days = [a.action_date for a in facts if a.stage_after == Stage.enacted]
    law_days = [a.action_date for slug, a in events if slug == "became-law"]
    enacted_on = min(law_days or enacted_days, default=None) if stage == Stage.enacted else None
    summary = _final_summary(summaries, events)
    latest = max((s for s in summaries if isinstance(s, Mapping)), key=_summary_order, default=None)
    summary_text = str((summary or latest or {}).get("text") or "") or None
    kind = _measure_kind(title)
    label = f"{BILL_PREFIX[bill_type]} {number}"
    return BillFacts(
        congress=congress,
        bill_type=bill_type,
        number=number,
        key=key,
        title=title,
        fiscal_year=fiscal_year_of(title, summary_text),
        measure_kind=kind,
        stage=stage,
        public_law=_public_law(bill) if stage == Stage.enacted else None,
        enacted_on=enacted_on,
        url=url,
        actions=facts,
        period=_period(label, title, enacted_on, summary),
        update_date=_instant(bill.get("updateDate")),
        report=_report(bill),
    )
