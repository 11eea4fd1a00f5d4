"""Autocomplete: records named by what someone has typed so far, best matches first.

Ranking: the whole label starts with the text, then a word of it does, then it contains the text,
then fuzzy matches (typos). The candidate set is narrowed in SQL first so 10,000 records stay fast.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import resolve
from db.models import BodycamDeployment, Measure, OversightQuestion, bill_label, city_key, slug
from db.scope import Scope, scoped, visible_template
from db.text import contains_folded, dialect_of

MAX_CHOICES = 25  # Discord's limit for autocomplete
_SQL_CANDIDATES = 400
_FUZZY_POOL = 5000


@dataclass(frozen=True)
class Choice:
    label: str  # what the user sees (≤ 100 characters)
    value: str  # what the command receives: the record's key

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.label[:100])


def _natural(label: str) -> list[Any]:
    """Sort key that puts GQ-2 before GQ-10."""
    return [
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", label.lower())
    ]


def _score(label: str, value: str, wanted: str) -> int | None:
    """-1 best: the value, the label or its name (before ':' or ',') is exactly the text;
    0: the label starts with it; 1: a word starts with it; 2: contains it; None: no match.
    `wanted` is the typed text as a slug."""
    if not wanted:
        return 0
    folded = _slug(label)
    name = _NAME_END.split(label, maxsplit=1)[0]
    if wanted in (folded, _slug(name)) or (value != label and wanted == _slug(value)):
        return -1
    if folded.startswith(wanted):
        return 0
    if f"-{wanted}" in f"-{folded}":
        return 1
    if wanted.replace("-", "") in folded.replace("-", ""):
        return 2
    if all(word in folded for word in wanted.split("-")):  # title words in any order
        return 2
    return None


# Labels repeat from one keystroke to the next: fold each once (slug was ~70% of autocomplete).
_slug = functools.lru_cache(maxsize=65_536)(slug)
_NAME_END = re.compile(r"[:,]")


def rank(choices: list[Choice], text: str, limit: int = MAX_CHOICES) -> list[Choice]:
    """Order by match quality then label; append fuzzy matches when there is room."""
    wanted = slug(text)
    scored = [
        (s, _natural(c.label), c)
        for c in choices
        if (s := _score(c.label, c.value, wanted)) is not None
    ]
    ranked = [choice for _s, _l, choice in sorted(scored, key=lambda t: (t[0], t[1]))]
    if len(ranked) < limit and len(wanted) >= 3:
        seen = {choice.value for choice in ranked}
        pool = {_slug(c.label): c for c in choices[:_FUZZY_POOL] if c.value not in seen}
        keys = list(pool)
        found = process.extract(wanted, keys, scorer=fuzz.ratio, limit=limit, score_cutoff=55)
        if not any(ch.isdigit() for ch in wanted):  # numbers are ids: 714 is not 7481
            # A typo inside a long label ('minneapols' in a question's text) scores on its part.
            found += process.extract(
                wanted, keys, scorer=fuzz.partial_ratio, limit=limit, score_cutoff=90
            )
        ranked += [pool[key] for key, _score, _index in found]
    return _unique(ranked)[:limit]


def _unique(choices: list[Choice]) -> list[Choice]:
    seen: set[str] = set()
    unique: list[Choice] = []
    for choice in choices:
        if choice.value not in seen:
            seen.add(choice.value)
            unique.append(choice)
    return unique


def _narrow(columns: list[Any], text: str, dialect: str) -> Any:
    """SQL filter: any column contains what was typed — the whole token ('gq-12'), or the first
    word of several (cheap; ranking happens after)."""
    words = text.strip().lower().split()
    if not words:
        return None
    return or_(*(contains_folded(column, words[0], dialect) for column in columns))


async def _candidates(session: AsyncSession, query: Any, narrow: Any) -> list[Any]:
    narrowed = query.where(narrow) if narrow is not None else query
    rows = list((await session.execute(narrowed.limit(_SQL_CANDIDATES))).all())
    if len(rows) < MAX_CHOICES and narrow is not None:  # a typo: give fuzzy matching a pool
        rows += list((await session.execute(query.limit(_FUZZY_POOL))).all())
    return rows


def _sources(kind: str, scope: Scope) -> tuple[Any, list[Any]]:
    """The candidate query of a kind for a scope and the columns typed text may match."""
    query, columns = _source_template(kind, scope.is_shared)
    return scoped(query, scope), columns


@functools.cache
def _source_template(kind: str, shared: bool) -> tuple[Any, list[Any]]:
    """Built once per kind (see visible_template): a subquery's columns took longer to build
    than the query took to run."""
    if kind == "city":
        sub = visible_template(BodycamDeployment, shared).subquery()
        query = select(sub.c.city, sub.c.state).distinct().order_by(sub.c.city, sub.c.state)
        return query, [sub.c.city_key]
    if kind == "measure":
        sub = visible_template(Measure, shared).subquery()
        columns = (sub.c.key, sub.c.bill_type, sub.c.bill_number, sub.c.title, sub.c.public_law)
        return select(*columns).order_by(sub.c.key.desc()), [sub.c.key, sub.c.title]
    sub = visible_template(OversightQuestion, shared).subquery()
    return select(sub.c.key, sub.c.question, sub.c.id), [sub.c.key, sub.c.question]


async def suggest_cities(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    dialect = dialect_of(session)
    query, columns = _sources("city", scope)
    rows = await _candidates(session, query, _narrow(columns, city_key(text) or text, dialect))
    return rank([Choice(f"{city}, {state}", f"{city}, {state}") for city, state in rows], text)


async def suggest_measures(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Bills by number as typed so far ('71', 'HR 714', 'hjres 5'), public law ('P.L. 119-86')
    or title words; the bill typing names (db.resolve.find_measure) leads."""
    dialect = dialect_of(session)
    query, columns = _sources("measure", scope)
    key, _type, _number, _title, law = query.selected_columns
    typed = text.lower().replace(".", "").replace(" ", "")
    narrow = _narrow(columns, typed.removeprefix("hr") or text, dialect)
    exact = await resolve.find_measure(session, scope, text) if text.strip() else None
    if (found := resolve.public_law(text)) is not None:
        narrow = law == found
    if exact is not None:
        query = query.order_by(None).order_by(case((key == exact.key, 0), else_=1), key.desc())
    rows = await _candidates(session, query, narrow)
    choices = []
    for key_, type_, number_, title_, _law in rows:
        label = bill_label(type_, number_, title_)
        named = f"{label} — {title_}" if label != title_ else title_
        choices.append(Choice(named, key_))
    ranked = rank(choices, text)
    if exact is not None:  # what typing finds leads what autocomplete offers
        ranked.sort(key=lambda choice: choice.value != exact.key)
        if exact.key not in {choice.value for choice in ranked}:
            named = bill_label(exact.bill_type, exact.bill_number, exact.title)
            ranked.insert(0, Choice(f"{named} — {exact.title}", exact.key))
    return ranked[:MAX_CHOICES]


async def suggest_questions(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Questions by id typed loosely ('oq2', 'OQ 2', '2') or words of their text."""
    dialect = dialect_of(session)
    query, columns = _sources("question", scope)
    key, _question, row_id = query.selected_columns
    ids = [k.upper() for k in resolve.question_keys(text)] if text.strip() else []
    exact = case((func.upper(key).in_(ids), 0), else_=1)
    narrow = _narrow(columns, text, dialect)
    if ids and narrow is not None:
        narrow = or_(narrow, func.upper(key).in_(ids))
    rows = await _candidates(session, query.order_by(exact, row_id), narrow)
    ranked = rank([Choice(f"{key}: {question}", key) for key, question, _id in rows], text)
    ranked.sort(key=lambda choice: choice.value.upper() not in ids)  # the id typed leads
    return ranked
