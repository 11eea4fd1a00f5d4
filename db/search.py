"""Text search across every record kind the scope can see, best match first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import resolve
from db.appropriations import find_measure
from db.dates import format_date
from db.errors import NotFound
from db.keys import question_id
from db.kinds import label
from db.models import (
    RECORD_TABLES,
    BodycamDeployment,
    FundingLine,
    Measure,
    MeasureAction,
    OversightQuestion,
    bill_label,
    slug,
)
from db.resolve import Term
from db.scope import Scope, visible
from db.suggest import MAX_CHOICES, Choice, rank
from db.text import contains_folded, dialect_of, printable


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    snippet: str
    score: float
    command: str  # the slash command that shows the record


def _bodycam(row: BodycamDeployment) -> tuple[str, str, str]:
    title = f"{row.city}, {row.state} · {row.component}"
    return title, row.operation or row.notes or "", f"/bodycam city city:{row.city}, {row.state}"


def _question(row: OversightQuestion) -> tuple[str, str, str]:
    return (
        f"{row.key}: {row.asked_by} → {row.addressed_to}",
        row.question,
        f"/oversight show question:{row.key}",
    )


def _measure(row: Measure) -> tuple[str, str, str]:
    return f"{row.label} — {row.title}", row.notes or "", f"/approps bill bill:{row.key}"


def _line(row: FundingLine) -> tuple[str, str, str]:
    title = f"FY{row.fiscal_year} {row.component}: {row.purpose or row.account}"
    return title, row.notes or "", f"/approps lines fiscal_year:{row.fiscal_year}"


# kind → (table, searched columns, describe)
_KINDS: dict[str, tuple[Any, tuple[str, ...], Any]] = {
    "bodycam": (
        BodycamDeployment,
        ("city", "state", "component", "operation", "notes", "court_case"),
        _bodycam,
    ),
    "question": (
        OversightQuestion,
        ("key", "question", "asked_by", "addressed_to", "component", "notes"),
        _question,
    ),
    "measure": (Measure, ("key", "title", "public_law", "notes"), _measure),
    "funding_line": (FundingLine, ("component", "account", "purpose", "notes"), _line),
}


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
    then anywhere."""
    terms = resolve.terms(query)
    if not terms:
        return []
    hits: list[Hit] = []
    dialect = dialect_of(session)
    for kind, (table, columns, describe) in _KINDS.items():
        statement = visible(table, scope)
        for term in terms:
            statement = statement.where(
                or_(
                    *(
                        resolve.plain_contains(getattr(table, c), alt, dialect)
                        for c in columns
                        for alt in term.alternatives
                    )
                )
            )
        for row in (await session.execute(statement.limit(200))).scalars():
            text = " · ".join(str(getattr(row, c) or "") for c in columns)
            if not all(term.found_in(text) for term in terms):  # 'ICE' is not in 'office'
                continue
            title, body, command = describe(row)
            hits.append(
                Hit(kind, row.key, title, body[:300], _score(title, body, query, terms), command)
            )
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.key))
    return hits[:limit]


def search_terms(query: str) -> list[str]:
    """The things `search` looks for (none for a query of punctuation or single letters)."""
    return [term.typed for term in resolve.terms(query)]


# ---------------------------------------------------------------- any record, for citations

# The kinds a citation can name, in the order suggestions list them when nothing is typed.
_CITE_ORDER = ("question", "measure", "bodycam", "funding_line", "funding_period", "action")
KIND_WORDS: dict[str, str] = {name: label(name) for name in _CITE_ORDER}
_SUGGEST_COLUMNS: dict[str, tuple[str, ...]] = {
    "question": ("key", "question"),
    "measure": ("key", "title", "public_law"),
    "bodycam": ("key", "city", "state", "component"),
    "funding_line": ("key", "component", "account", "purpose"),
    "funding_period": ("key", "description", "period_type"),
    "action": ("key", "text"),
}
_PER_KIND = 200  # SQL candidates per kind; ranking in Python picks the best 25


def record_name(kind: str, row: Any, measure_label: str | None = None) -> str:
    """A record named for a person, without its kind: 'OQ-4: Spend plan …', 'H.R. 7147 — …'."""
    if kind == "question":
        return f"{row.key}: {row.question}"
    if kind == "measure":
        label = bill_label(row.bill_type, row.bill_number, row.title)
        return f"{label} — {row.title}" if label != row.title else label
    if kind == "bodycam":
        return f"{row.city}, {row.state} · {row.component}"
    if kind == "funding_line":
        return f"FY{row.fiscal_year} {row.component}: {row.purpose or row.account}"
    if kind == "funding_period":
        until = f" to {format_date(row.end_date)}" if row.end_date else " (open)"
        return f"FY{row.fiscal_year} {row.period_type} from {format_date(row.start_date)}{until}"
    if kind == "action":
        bill = f" · {measure_label}" if measure_label else ""
        return f"{format_date(row.action_date)}{bill} · {row.chamber}: {row.text}"
    raise ValueError(f"not a citable kind: {kind}")


def _label(kind: str, name: str) -> str:
    text = f"{KIND_WORDS[kind]} {name}"
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def _value(kind: str, key: str) -> str:
    # Discord caps a choice value at 100 characters; a trailing '…' asks for a prefix match.
    value = f"{kind}:{key}"
    return value if len(value) <= 100 else value[:99] + "…"


async def _measure_labels(session: AsyncSession, scope: Scope, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = await session.execute(visible(Measure, scope).where(col(Measure.key).in_(keys)))
    return {m.key: bill_label(m.bill_type, m.bill_number, m.title) for m in rows.scalars()}


async def _kind_candidates(
    session: AsyncSession, scope: Scope, kind: str, text: str, *, narrow: bool, fuzzy: bool = False
) -> list[Any]:
    """Rows that contain every typed word (exact key, then key prefix first); for a fuzzy pool,
    rows that contain the first three letters typed (typos tend to keep the start)."""
    table: Any = RECORD_TABLES[kind]
    statement = visible(table, scope)
    words = [w for w in slug(text).split("-") if w][:4]
    if narrow and words:
        dialect = dialect_of(session)
        for word in words if not fuzzy else [words[0][:3]]:  # each word in some column
            statement = statement.where(
                or_(
                    *(
                        contains_folded(getattr(table, c), word, dialect)
                        for c in _SUGGEST_COLUMNS[kind]
                    )
                )
            )
        lead = func.lower(table.key)
        wanted = slug(text)
        statement = statement.order_by(
            case((lead == wanted, 0), (lead.like(f"{wanted}%"), 1), else_=2), table.id
        )
    else:
        statement = statement.order_by(table.as_of.desc(), table.id)
    return list((await session.execute(statement.limit(_PER_KIND))).scalars())


async def _choices(
    session: AsyncSession, scope: Scope, rows: dict[str, list[Any]]
) -> list[tuple[str, Choice]]:
    """(kind, Choice named without its kind word) for each row."""
    action_keys = {row.measure_key for row in rows.get("action", [])}
    bills = await _measure_labels(session, scope, action_keys)
    return [
        (
            kind,
            Choice(
                record_name(kind, row, bills.get(getattr(row, "measure_key", ""))),
                f"{kind}:{row.key}",
            ),
        )
        for kind, kind_rows in rows.items()
        for row in kind_rows
    ]


async def suggest_records(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Up to 25 records of every citable kind, best match first; value 'kind:key', label
    'Question OQ-4: Spend plan …'. With nothing typed, the freshest records of each kind."""
    narrow = bool(slug(text))
    rows = {k: await _kind_candidates(session, scope, k, text, narrow=narrow) for k in KIND_WORDS}
    if narrow and sum(map(len, rows.values())) < MAX_CHOICES:  # a typo: give fuzzy matching a pool
        for kind in KIND_WORDS:
            rows[kind] += await _kind_candidates(
                session, scope, kind, text, narrow=True, fuzzy=True
            )
    named = await _choices(session, scope, rows)
    kind_of = {choice.value: kind for kind, choice in named}
    if narrow:
        ranked = rank([choice for _kind, choice in named], text, limit=_PER_KIND)
        typed = text.strip().lower()
        # The record whose key was typed exactly (GQ-12) leads, ahead of GQ-120 … GQ-129.
        best = sorted(ranked, key=lambda c: c.value.split(":", 1)[1].lower() != typed)
    else:  # round-robin so every kind shows
        queues = [[c for k, c in named if k == kind] for kind in KIND_WORDS]
        best = [q[i] for i in range(MAX_CHOICES) for q in queues if i < len(q)][:MAX_CHOICES]
    return [
        Choice(_label(kind_of[c.value], c.label), _value(*c.value.split(":", 1)))
        for c in best[:MAX_CHOICES]
    ]


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
            .order_by(col(MeasureAction.action_date).desc(), col(MeasureAction.id).desc())
            .limit(1)
        )
        latest = (await session.execute(query)).scalars().first()
    return CitedRecord(kind, row.key, row, measure, latest)


async def find_record(session: AsyncSession, scope: Scope, reference: str) -> CitedRecord:
    """A record from an autocomplete value ('question:OQ-4') or a bare key typed by hand
    ('OQ-4', '119-hr7147'); NotFound with what to type otherwise."""
    reference = printable(reference)
    kind, _, key = reference.strip().partition(":")
    if key and kind in KIND_WORDS:
        return await load_record(session, scope, kind, key)
    text = reference.strip()
    for kind in KIND_WORDS:
        table: Any = RECORD_TABLES[kind]
        query = visible(table, scope).where(func.lower(table.key) == text.lower()).limit(1)
        if (row := (await session.execute(query)).scalars().first()) is not None:
            return await load_record(session, scope, kind, row.key)
    # As the options read it: 'oq2', '2', '7147', 'HR 7147', 'P.L. 119-86', title words.
    if re.fullmatch(r"(?i)(oq|gq)?[\s_-]*\d+", text) and (
        question := await resolve.find_question(session, scope, text)
    ):
        return await load_record(session, scope, "question", question.key)
    if (measure := await resolve.find_measure(session, scope, text)) is not None:
        return await load_record(session, scope, "measure", measure.key)
    close = await suggest_records(session, scope, text[:100]) if text else []
    raise NotFound(
        f"No record '{_clip(text, 60)}'. Type part of its name (a question id such as OQ-4, a "
        "bill such as 7147, a city) and pick it from the list."
        + resolve.suggestion_text([_clip(c.label, 80) for c in close[:3]])
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
