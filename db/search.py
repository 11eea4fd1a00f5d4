"""Text search across every record kind the scope can see, best match first; and any record
found for a citation (/cite) by what people type."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, func, literal, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import candidates, resolve
from db.appropriations import NEWEST_ACTION_FIRST, find_measure
from db.candidates import KIND_WORDS, Row
from db.candidates import record_name as record_name  # read from here by /admin tools
from db.errors import NotFound
from db.keys import question_id
from db.models import RECORD_TABLES, Measure, MeasureAction, bill_label
from db.resolve import Term
from db.scope import GUILD_PARAM, Scope, visible, visible_template
from db.suggest import Choice, Found, look_up
from db.text import printable


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    snippet: str
    score: float
    command: str  # the slash command that shows the record


def _bodycam(row: Row) -> tuple[str, str, str]:
    title = f"{row.city}, {row.state} · {row.component}"
    return title, row.operation or row.notes or "", f"/bodycam city city:{row.city}, {row.state}"


def _question(row: Row) -> tuple[str, str, str]:
    return (
        f"{row.key}: {row.asked_by} → {row.addressed_to}",
        row.question,
        f"/oversight show question:{row.key}",
    )


def _measure(row: Row) -> tuple[str, str, str]:
    named = bill_label(row.bill_type, row.bill_number, row.title)
    return f"{named} — {row.title}", row.notes or "", f"/approps bill bill:{row.key}"


def _line(row: Row) -> tuple[str, str, str]:
    title = f"FY{row.fiscal_year} {row.component}: {row.purpose or row.account}"
    return title, row.notes or "", f"/approps lines fiscal_year:{row.fiscal_year}"


# What /search looks through (the columns: db.candidates.searched, notes included), and how a
# hit reads.
_DESCRIBE = {"bodycam": _bodycam, "question": _question, "measure": _measure, "funding_line": _line}
_PER_KIND = 200


def _score(title: str, body: str, query: str, terms: list[Term]) -> float:
    title_l, body_l, whole = title.lower(), body.lower(), query.lower().strip()
    score = 0.0
    if whole and whole in title_l:
        score += 10 + (5 if title_l.startswith(whole) else 0)
    for term in terms:
        if any(re.search(rf"\b{re.escape(alt)}", title_l) for alt in term.alternatives):
            score += 3
        elif term.found_in(title_l):
            score += 2
        if term.found_in(body_l):
            score += 1
    return score


async def search(session: AsyncSession, scope: Scope, query: str, *, limit: int = 25) -> list[Hit]:
    """Records whose text holds every thing typed (a word, or what else it may be written as:
    see db.resolve), ranked: the whole phrase in the title first, then words at word starts,
    then anywhere. One statement for every kind (db.candidates)."""
    terms = resolve.terms(query)
    if not terms:
        return []
    kinds = list(_DESCRIBE)
    rows = await candidates.matching(session, scope, kinds, terms, notes=True, limit=_PER_KIND)
    hits = []
    for row in rows:
        title, body, command = _DESCRIBE[row.kind](row)
        hits.append(
            Hit(row.kind, row.key, title, body[:300], _score(title, body, query, terms), command)
        )
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.key))
    return hits[:limit]


def search_terms(query: str) -> list[str]:
    """The things `search` looks for (none for a query of punctuation or single letters)."""
    return [term.typed for term in resolve.terms(query)]


# ---------------------------------------------------------------- any record, for citations


def _label(kind: str, name: str) -> str:
    text = f"{KIND_WORDS[kind]} {name}"
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def _value(kind: str, key: str) -> str:
    # Discord caps a choice value at 100 characters; a trailing '…' asks for a prefix match.
    value = f"{kind}:{key}"
    return value if len(value) <= 100 else value[:99] + "…"


async def suggest_records(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Up to 25 records of every citable kind, best match first (db.suggest.look_up); value
    'kind:key', label 'Question OQ-4: Spend plan …'. With nothing typed, the freshest records of
    each kind in turn."""
    return record_choices(await look_up(session, scope, text, candidates.KINDS))


async def counts(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """How many records of each kind (links included) the scope sees, in one statement."""
    statement = _counts(scope.is_shared)
    params = {} if scope.is_shared else {GUILD_PARAM: scope.guild_id}
    found = dict((await session.execute(statement, params)).all())
    return {kind: int(found.get(kind, 0)) for kind in RECORD_TABLES}


@functools.cache
def _counts(shared: bool) -> Any:
    return union_all(
        *(
            visible_template(table, shared)
            .with_only_columns(literal(kind, String).label("kind"), func.count())
            .order_by(None)
            for kind, table in RECORD_TABLES.items()
        )
    )


@dataclass(frozen=True)
class Close:
    """What is close to a search that found nothing."""

    respelled: str | None  # the query corrected from the records' own words, if it needed it
    labels: list[str]  # the closest records, best first: 'Question OQ-6: Minneapolis …'


async def close_to(session: AsyncSession, scope: Scope, query: str) -> Close:
    """For a /search that found nothing: its "did you mean", read in the records' text and notes
    as /search reads them (db.suggest.look_up)."""
    found = await look_up(session, scope, query, candidates.KINDS, notes=True)
    return Close(found.respelled, [choice.label for choice in record_choices(found)])


def record_choices(found: Found) -> list[Choice]:
    return [Choice(_label(row.kind, name), _value(row.kind, row.key)) for row, name in found.ranked]


@dataclass(frozen=True)
class CitedRecord:
    """A record with what its citation needs from elsewhere."""

    kind: str
    key: str
    record: Any
    measure: Measure | None = None  # the bill it belongs to (or whose enactment it follows)
    latest_action: MeasureAction | None = None  # for a bill: its newest action


_MEASURE_OF = {
    "question": "due_rule_measure_key",
    "action": "measure_key",
    "funding_line": "measure_key",
    "funding_period": "measure_key",
}


async def load_record(session: AsyncSession, scope: Scope, kind: str, key: str) -> CitedRecord:
    """The visible record of `kind` with `key` (a key ending in '…' matches one prefix);
    NotFound otherwise."""
    if kind not in KIND_WORDS:
        kinds = ", ".join(KIND_WORDS)
        raise NotFound(f"'{kind}' is not a kind of record I can cite (kinds: {kinds}).")
    table: Any = RECORD_TABLES[kind]
    key = printable(key).strip()
    if key.endswith("…"):
        condition = table.key.startswith(key[:-1], autoescape=True)
    elif kind == "question":  # typed ids: 'oq 4', 'OQ4' and 'oq-4' are OQ-4
        condition = func.upper(table.key) == question_id(key).upper()
    else:
        condition = table.key == key
    rows = list((await session.execute(visible(table, scope).where(condition).limit(2))).scalars())
    if len(rows) != 1:
        raise NotFound(
            f"No {KIND_WORDS[kind].lower()} '{key}' here. Type part of its name and pick it "
            "from the list."
        )
    row = rows[0]
    measure_key = getattr(row, _MEASURE_OF.get(kind, ""), None)
    measure = await find_measure(session, scope, measure_key) if measure_key else None
    latest = None
    if kind == "measure":
        measure = row
        query = (
            visible(MeasureAction, scope)
            .where(col(MeasureAction.measure_key) == row.key)
            .order_by(*NEWEST_ACTION_FIRST)
            .limit(1)
        )
        latest = (await session.execute(query)).scalars().first()
    return CitedRecord(kind, row.key, row, measure, latest)


async def find_record(session: AsyncSession, scope: Scope, reference: str) -> CitedRecord:
    """A record from an autocomplete value ('question:OQ-4') or typed by hand as the options read
    it (db.suggest.look_up): a key in any case ('OQ-4', '119-hr7147'), a loose question id
    ('oq2', '2'), a bill ('7147', 'HR 7147', 'P.L. 119-86', title words only it has); NotFound
    with what to type and what is close otherwise."""
    reference = printable(reference)
    kind, _, key = reference.strip().partition(":")
    if key and kind in KIND_WORDS:
        return await load_record(session, scope, kind, key)
    text = reference.strip()
    found = await look_up(session, scope, text, candidates.KINDS) if text else None
    if found is not None and found.named is not None:
        return await load_record(session, scope, found.named.kind, found.named.key)
    close = record_choices(found) if found is not None else []
    raise NotFound(
        f"No record '{_clip(text, 60)}'. Type part of its name (a question id such as OQ-4, a "
        "bill such as 7147, a city) and pick it from the list."
        + resolve.suggestion_text([_clip(c.label, 80) for c in close[:3]])
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
