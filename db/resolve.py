"""What people type → what they mean. One resolver for every option, autocomplete, /search and
/cite, so what autocomplete offers is what typing finds.

It knows bill numbers in any spelling (parse_bill_number) and bare ('7147'), public laws
('P.L. 119-86'), question ids loosely ('oq2', 'OQ 2', '2'), committee and component acronyms and
their names both ways (HSGAC ↔ Homeland Security and Governmental Affairs), and treats '%' and '_'
as plain characters. Fuzzy "did you mean" uses rapidfuzz: `respell` corrects each word typed to
the closest word the records themselves use (`vocabulary`), so a typo anywhere in a record's text
("retension") is corrected, and a query of several words is corrected word by word.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import oversight
from db.appropriations import parse_bill_number
from db.keys import QUESTION_PREFIXES, question_id
from db.kinds import COMPONENT_LABELS
from db.models import BILL_PREFIX, Component, Measure, OversightQuestion
from db.scope import Scope, visible
from db.text import dialect_of, printable

# Each group: an acronym and the names people write for the same body. Typing any one finds the
# others. Names come from db.kinds where it has them.
ALIAS_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ICE", "Immigration and Customs Enforcement"),
    ("ERO", "Enforcement and Removal Operations", COMPONENT_LABELS[Component.ice_ero], "ICE-ERO"),
    ("HSI", "Homeland Security Investigations", COMPONENT_LABELS[Component.ice_hsi], "ICE-HSI"),
    ("CBP", "Customs and Border Protection"),
    ("USBP", "Border Patrol", COMPONENT_LABELS[Component.cbp_usbp], "CBP-USBP"),
    ("OFO", "Office of Field Operations", COMPONENT_LABELS[Component.cbp_ofo], "CBP-OFO"),
    ("TSA", "Transportation Security Administration"),
    ("FEMA", "Federal Emergency Management Agency"),
    ("CISA", "Cybersecurity and Infrastructure Security Agency"),
    ("USCG", "Coast Guard"),
    ("USSS", "Secret Service"),
    ("HSGAC", "Homeland Security and Governmental Affairs"),
    ("HSC", "House Homeland Security Committee", "House Committee on Homeland Security"),
    ("HAC", "House Appropriations", "House and Senate Appropriations"),
    ("SAC", "Senate Appropriations", "House and Senate Appropriations"),
)
_ALIASES: dict[str, tuple[str, ...]] = {}
for _group in ALIAS_GROUPS:
    for _name in _group:
        _ALIASES[_name.lower()] = tuple(dict.fromkeys(n.lower() for n in _group))
_LONGEST_ALIAS = max(len(name.split()) for name in _ALIASES)
_ACRONYMS = {name for name in _ALIASES if name.isalpha() and len(name) <= 5}

_PUBLIC_LAW = re.compile(
    r"(?:p\.?\s*l\.?|pub(?:lic)?\.?\s*l(?:aw)?\.?)\s*(\d{1,3})\s*[-–]\s*(\d{1,4})"
)
_BARE_NUMBER = re.compile(r"#?\s*(\d{1,5})")
_WORD = re.compile(r"[\w.$%-]+")
# The words a typo may be corrected to, and the words corrected: letters only, at least four (a
# shorter word has too many close neighbours to guess from).
_SPELLED_WORD = re.compile(r"[^\W\d_]{4,}")
_LOOSE_QUESTION_ID = re.compile(r"(?i)(oq|gq)?[\s_-]*\d+")


@dataclass(frozen=True)
class Term:
    """One thing typed; a record matches it when its text holds any of `alternatives`
    (lowercase). Acronyms must stand as whole words: 'ICE' is not in 'office'."""

    typed: str
    alternatives: tuple[str, ...]

    def found_in(self, text: str) -> bool:
        lowered = text.lower()
        return any(_holds(lowered, alt) for alt in self.alternatives)


def _holds(lowered: str, alternative: str) -> bool:
    if alternative in _ACRONYMS:
        return re.search(rf"(?<![a-z0-9]){re.escape(alternative)}(?![a-z0-9])", lowered) is not None
    return alternative in lowered  # a word typed may be the start of one ('minn')


def public_law(text: str) -> str | None:
    """'119-86' for 'P.L. 119-86', 'PL 119-86', 'Public Law 119-86'; None otherwise."""
    found = _PUBLIC_LAW.fullmatch(printable(text).strip().lower())
    return f"{found[1]}-{found[2]}" if found else None


def bare_number(text: str) -> int | None:
    """7147 for '7147' or '#7147': a bill or question typed by number alone."""
    found = _BARE_NUMBER.fullmatch(printable(text).strip())
    return int(found[1]) if found else None


def question_keys(text: str) -> list[str]:
    """Ids a typed question may mean: 'oq2' and 'OQ 2' → OQ-2; a bare '2' → OQ-2, GQ-2."""
    if (number := bare_number(text)) is not None:
        return [f"{prefix}-{number}" for prefix in QUESTION_PREFIXES]
    wanted = question_id(printable(text))
    return [wanted] if wanted else []


def terms(query: str) -> list[Term]:
    """The things a search looks for, each with what else it may be written as."""
    text = printable(query).strip()
    if (law := public_law(text)) is not None:
        return [Term(text, (law,))]
    if (bill := parse_bill_number(text)) is not None:
        label = f"{BILL_PREFIX[bill.bill_type]} {bill.number}".lower()
        code = f"{bill.bill_type.value}{bill.number}"
        return [Term(text, (code, label, label.replace(" ", "")))]
    if re.fullmatch(r"(?i)(oq|gq)[\s_-]*\d+", text):
        return [Term(text, (question_id(text).lower(),))]
    words = [w.strip(".") for w in _WORD.findall(text.lower())]
    words = [w for w in words if len(w) > 1 or w in ("%", "_")]
    found: list[Term] = []
    i = 0
    while i < len(words) and len(found) < 8:
        for size in range(min(_LONGEST_ALIAS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            if phrase in _ALIASES:
                found.append(Term(phrase, _ALIASES[phrase]))
                i += size
                break
        else:
            found.append(Term(words[i], (words[i],)))
            i += 1
    return found


def escaped(folded: str) -> str:
    """`folded` for a LIKE pattern escaped by '\\': '%' and '_' as plain characters."""
    return folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def folded_like(column: Any, pattern: Any, ascii_only: bool, dialect: str) -> Any:
    """`column` LIKE `pattern` (lowercase, escaped by '\\': a string or a bound parameter),
    ignoring case."""
    if dialect == "postgresql":
        return column.ilike(pattern, escape="\\")
    if ascii_only:  # SQLite's LIKE folds ASCII case itself (see db.text.contains_folded)
        return column.like(pattern, escape="\\")
    return func.lower(column).like(pattern, escape="\\")


def plain_contains(column: Any, folded: str, dialect: str) -> Any:
    """`column` contains `folded` (lowercase) ignoring case, where '%' and '_' are plain
    characters, not wildcards."""
    return folded_like(column, f"%{escaped(folded)}%", folded.isascii(), dialect)


def did_you_mean(
    typed: str, names: Iterable[str], *, limit: int = 3, score_cutoff: float = 50
) -> list[str]:
    """The names closest to what was typed (typos, other word order), best first."""
    found = process.extract(
        typed,
        list(dict.fromkeys(names)),
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=score_cutoff,
    )
    return [name for name, _score, _index in found]


def vocabulary(texts: Iterable[str], starts: Collection[str] = ()) -> set[str]:
    """The distinct words (letters only, four or more, lowercase) of `texts`, or only those
    beginning with one of `starts`: what a typo may be corrected to."""
    if not starts:
        return {word for text in texts for word in _SPELLED_WORD.findall(text.lower())}
    alternatives = "|".join(map(re.escape, starts))
    beginning = re.compile(rf"(?<![^\W\d_])(?:{alternatives})[^\W\d_]*")
    found = {word for text in texts for word in beginning.findall(text.lower())}
    return {word for word in found if len(word) >= 4}


def starts(words: Iterable[str]) -> list[str]:
    """How the words begin, for finding what they may be misspellings of: their first two
    letters (typos tend to keep the start; the third is often the one missed: 'apropriations')."""
    return list(dict.fromkeys(word[:2] for word in words))


def misspellable(text: str) -> list[str]:
    """The words of `text` that `respell` may correct (not acronyms such as FEMA)."""
    words = (word.strip(".") for word in _WORD.findall(printable(text).lower()))
    return [w for w in words if _SPELLED_WORD.fullmatch(w) and w not in _ALIASES]


def respell(text: str, known: Collection[str]) -> str | None:
    """`text` with each word that no `known` word holds replaced by the closest known word (of
    equally close ones, the fewest edits away: 'retension' is 'retention', not 'extension'); None
    when no word changed. Every word is kept, so a query of several words is corrected as a
    whole: 'homland apropriations' → 'homeland appropriations'."""
    wrong = set(misspellable(text))
    choices = list(known)
    words = [w.strip(".") for w in _WORD.findall(printable(text).lower())]
    fixed = [
        _closest(w, choices) if w in wrong and not any(w in k for k in choices) else w
        for w in words
    ]
    return " ".join(fixed) if fixed != words else None


def _closest(word: str, known: list[str]) -> str:
    close = did_you_mean(word, known, limit=5, score_cutoff=80)
    return min(close, key=lambda k: Levenshtein.distance(word, k)) if close else word


def loose_question_id(text: str) -> bool:
    """'oq2', 'OQ 2', 'gq-12', '2': a question named by its id typed loosely."""
    return _LOOSE_QUESTION_ID.fullmatch(printable(text).strip()) is not None


def suggestion_text(names: list[str]) -> str:
    """' Did you mean: A, B or C?' (empty when there is nothing close)."""
    if not names:
        return ""
    quoted = [f"“{name}”" for name in names]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" Did you mean {joined}?"


# ---------------------------------------------------------------- records named by hand


async def find_question(session: AsyncSession, scope: Scope, text: str) -> OversightQuestion | None:
    """The question a person names: 'OQ-2', 'oq2', 'OQ 2', or a bare '2' (OQ-2, else GQ-2)."""
    for key in question_keys(text):
        if (found := await oversight.find_question(session, scope, key)) is not None:
            return found
    return None


@dataclass(frozen=True)
class BillReading:
    """How `find_measure` reads typed text, so the database and memory (db.candidate_store)
    read it alike: the bills whose columns equal each of `equal` in turn (field, value), the
    first that names one bill of the latest Congress among them; else the one bill whose title
    holds every word of `title_words` (none: not read by title)."""

    equal: tuple[tuple[tuple[str, Any], ...], ...]
    title_words: tuple[str, ...]


def bill_reading(text: str) -> BillReading | None:
    """How `text` may name a bill (find_measure); None when nothing is typed."""
    text = printable(text).strip()
    if not text:
        return None
    equal: list[tuple[tuple[str, Any], ...]] = [(("key", text),)]
    if (bill := parse_bill_number(text)) is not None:
        same: tuple[tuple[str, Any], ...] = (
            ("bill_type", bill.bill_type.value),
            ("bill_number", bill.number),
        )
        equal.append(same + ((("congress", bill.congress),) if bill.congress is not None else ()))
    if (law := public_law(text)) is not None:
        equal.append((("public_law", law),))
    if (number := bare_number(text)) is not None:
        equal.append((("bill_number", number),))
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1]
    by_title = () if bill is not None or number is not None else tuple(words)
    return BillReading(tuple(equal), by_title)


def only_latest(congresses: Sequence[int]) -> bool:
    """The first of the bills found (latest Congress first) is the only one of that Congress:
    H.R. 5 and S. 5 both typed as '5' name neither (ask which)."""
    return congresses.count(congresses[0]) == 1


async def find_measure(session: AsyncSession, scope: Scope, text: str) -> Measure | None:
    """The measure a person names: its key, its number in any spelling or bare ('7147', the
    latest Congress's), its public law ('P.L. 119-86'), or title words only it has."""
    if (reading := bill_reading(text)) is None:
        return None
    query = visible(Measure, scope).order_by(col(Measure.congress).desc(), col(Measure.id))
    for equal in reading.equal:
        condition = and_(*(getattr(Measure, field) == value for field, value in equal))
        rows = list((await session.execute(query.where(condition).limit(3))).scalars())
        if rows:
            return rows[0] if only_latest([row.congress for row in rows]) else None
    if not reading.title_words:
        return None
    dialect = dialect_of(session)
    for word in reading.title_words:
        query = query.where(plain_contains(col(Measure.title), word, dialect))
    rows = list((await session.execute(query.limit(2))).scalars())
    return rows[0] if len(rows) == 1 else None
