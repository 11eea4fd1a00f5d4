"""Autocomplete: records named by what someone has typed so far, best matches first.

Every record option and /cite read what was typed the same way (`look_up`): db.resolve's
reading of it (bill spellings, loose question ids, acronyms both ways) over db.candidates' one
query across the kinds asked for, so what autocomplete offers is what typing finds. Ranking: the
record the text names, then names that are the text, start with it, have a word starting with it
or contain it, then records holding it elsewhere. A typo that matches nothing is corrected from
the records' own words (db.resolve.respell), and the correction looked up instead.

`find` runs that over a `Source`: the database (`look_up`, one session) or the candidates kept
in memory (db.candidate_store), which the autocompletes read; both give the same choices in the
same order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import candidates, resolve
from db.candidates import Near, Row
from db.models import BodycamDeployment, city_key, slug
from db.resolve import Term
from db.scope import Scope, scoped, visible_template
from db.text import contains_folded, dialect_of, printable

MAX_CHOICES = 25  # Discord's limit for autocomplete
_SQL_CANDIDATES = 400  # cities matching what was typed
_FUZZY_POOL = 5000  # cities whose names a typo is matched against
_PER_KIND = 200  # candidate rows per kind (and rows a typo is corrected from); ranking in Python
# picks the best 25
MEASURES = ("measure",)
QUESTIONS = ("question",)


@dataclass(frozen=True)
class Choice:
    label: str  # what the user sees (≤ 100 characters)
    value: str  # what the command receives: the record's key

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.label[:100])


_DIGITS = re.compile(r"(\d+)")
NATURAL_KEPT = 8192  # labels whose sort keys are kept: every city of the large dataset, and more
Natural = tuple[tuple[int, int | str], ...]  # a label's sort key: its text and numbers in turn


@functools.lru_cache(maxsize=NATURAL_KEPT)
def _natural(label: str) -> Natural:
    """Sort key that puts GQ-2 before GQ-10. Kept per label (a tuple: shared, never changed):
    a city autocomplete sorted its matches' labels, the same ~1,200 each time, on every call."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(label.lower())
    )


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
    """Order by match quality then label; append fuzzy matches when there is room: the labels
    holding every word typed once each is corrected from the labels' words ('homland
    apropriations' ranks by both words), then labels close to the text as a whole."""
    wanted = slug(text)
    ranked = _scored(choices, wanted)
    if len(ranked) < limit and len(wanted) >= 3:
        seen = {choice.value for choice in ranked}
        pool = [c for c in choices[:_FUZZY_POOL] if c.value not in seen]
        if respelled := resolve.respell(text, resolve.vocabulary(c.label for c in pool)):
            ranked += _scored(pool, slug(respelled))
        labels = {_slug(c.label): c for c in pool}
        found = process.extract(
            wanted, list(labels), scorer=fuzz.ratio, limit=limit, score_cutoff=55
        )
        ranked += [labels[key] for key, _score, _index in found]
    return _unique(ranked)[:limit]


def _scored(choices: list[Choice], wanted: str) -> list[Choice]:
    scored = [
        (s, _natural(c.label), c)
        for c in choices
        if (s := _score(c.label, c.value, wanted)) is not None
    ]
    return [choice for _s, _l, choice in sorted(scored, key=lambda t: (t[0], t[1]))]


def _unique(choices: list[Choice]) -> list[Choice]:
    seen: set[str] = set()
    unique: list[Choice] = []
    for choice in choices:
        if choice.value not in seen:
            seen.add(choice.value)
            unique.append(choice)
    return unique


async def _candidates(session: AsyncSession, query: Any, narrow: Any) -> list[Any]:
    narrowed = query.where(narrow) if narrow is not None else query
    rows = list((await session.execute(narrowed.limit(_SQL_CANDIDATES))).all())
    if len(rows) < MAX_CHOICES and narrow is not None:  # a typo: give fuzzy matching a pool
        rows += list((await session.execute(query.limit(_FUZZY_POOL))).all())
    return rows


@functools.cache
def _cities(shared: bool) -> tuple[Any, Any]:
    """Built once (see visible_template): a subquery's columns took longer to build than the
    query took to run."""
    sub = visible_template(BodycamDeployment, shared).subquery()
    query = select(sub.c.city, sub.c.state).distinct().order_by(sub.c.city, sub.c.state)
    return query, sub.c.city_key


def _city_word(text: str) -> str | None:
    """The word a city is narrowed by: the first of what was typed, as city keys spell it."""
    typed = (city_key(text) or text).strip().lower().split()
    return typed[0] if typed else None


async def suggest_cities(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Cities with camera records, by name as typed ('St. Paul' is 'Saint Paul'), typos
    forgiven."""
    query, column = _cities(scope.is_shared)
    word = _city_word(text)
    narrow = contains_folded(column, word, dialect_of(session)) if word else None
    rows = await _candidates(session, scoped(query, scope), narrow)
    return _city_choices(rows, text)


def cities_from(cities: Sequence[tuple[str, str, str]], text: str) -> list[Choice]:
    """suggest_cities over cities in memory (db.candidate_store): each (city, state, its city
    keys, lowercase, one a line), in the order the database lists them."""
    word = _city_word(text)
    if not word:
        return _city_choices(cities[:_SQL_CANDIDATES], text)
    rows = [city for city in cities if word in city[2]][:_SQL_CANDIDATES]
    if len(rows) < MAX_CHOICES:  # as _candidates
        rows += cities[:_FUZZY_POOL]
    return _city_choices(rows, text)


def _city_choices(rows: Sequence[Sequence[str]], text: str) -> list[Choice]:
    return rank([Choice(f"{row[0]}, {row[1]}", f"{row[0]}, {row[1]}") for row in rows], text)


async def suggest_measures(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Bills by number as typed so far ('71', 'HR 714', 'hjres 5'), public law ('P.L. 119-86')
    or title words; the bill typing names (db.resolve.find_measure) leads."""
    return choices(await look_up(session, scope, text, MEASURES))


async def suggest_questions(session: AsyncSession, scope: Scope, text: str) -> list[Choice]:
    """Questions by id typed loosely ('oq2', 'OQ 2', '2'), words of their text, or who asked
    them as people write it ('HSGAC')."""
    return choices(await look_up(session, scope, text, QUESTIONS))


def choices(found: Found) -> list[Choice]:
    """What a bill or question option offers for what `look_up` or `find` found."""
    return [Choice(name, row.key) for row, name in found.ranked]


# ---------------------------------------------------------------- records of any kind


@dataclass(frozen=True)
class Found:
    """What typing some text finds among the records of some kinds."""

    named: Row | None  # the record the text names: its key, a loose question id, a bill
    ranked: list[tuple[Row, str]]  # (record, its name) best first, at most MAX_CHOICES
    respelled: str | None  # the text corrected from the records' words, when nothing held it


class Source(Protocol):
    """Where `find` reads records: the database (`InDatabase`) or memory
    (db.candidate_store.Snapshot), which answer alike (db.candidates says what each means)."""

    async def freshest(self, kinds: Sequence[str], *, limit: int) -> list[Row]: ...

    async def matching(
        self,
        kinds: Sequence[str],
        terms: Sequence[Term],
        *,
        exact: Sequence[str],
        prefix: str,
        limit: int,
    ) -> list[Row]: ...

    async def near(self, kinds: Sequence[str], starts: Sequence[str], *, limit: int) -> Near: ...

    async def names(self, rows: Sequence[Row]) -> list[str]: ...

    async def bill(self, typed: str) -> Row | None:
        """The bill db.resolve.find_measure reads in `typed`."""
        ...


@dataclass(frozen=True)
class InDatabase:
    """Records as the database reads them (db.candidates), in one session; `notes`: look in
    the records' notes too, as /search does."""

    session: AsyncSession
    scope: Scope
    notes: bool = False

    async def freshest(self, kinds: Sequence[str], *, limit: int) -> list[Row]:
        return await candidates.freshest(self.session, self.scope, kinds, limit=limit)

    async def matching(
        self,
        kinds: Sequence[str],
        terms: Sequence[Term],
        *,
        exact: Sequence[str],
        prefix: str,
        limit: int,
    ) -> list[Row]:
        return await candidates.matching(
            self.session,
            self.scope,
            kinds,
            terms,
            exact=exact,
            prefix=prefix,
            notes=self.notes,
            limit=limit,
        )

    async def near(self, kinds: Sequence[str], starts: Sequence[str], *, limit: int) -> Near:
        return await candidates.near(
            self.session, self.scope, kinds, starts, notes=self.notes, limit=limit
        )

    async def names(self, rows: Sequence[Row]) -> list[str]:
        return await candidates.names(self.session, self.scope, rows)

    async def bill(self, typed: str) -> Row | None:
        measure = await resolve.find_measure(self.session, self.scope, typed)
        return None if measure is None else candidates.row_of("measure", measure)


async def look_up(
    session: AsyncSession, scope: Scope, text: str, kinds: Sequence[str], *, notes: bool = False
) -> Found:
    """`find` in the database. `notes`: look in the records' notes too, as /search does."""
    return await find(InDatabase(session, scope, notes), text, kinds)


async def find(source: Source, text: str, kinds: Sequence[str]) -> Found:
    """Records of `kinds` for what was typed, best first: the record it names (its key in any
    case, a question id typed loosely, the bill db.resolve.find_measure reads), other keys it
    names, then names that are the text, start with it, have a word starting with it or contain
    it, then records that hold it elsewhere (an acronym's full name, their notes). Nothing typed:
    the newest of each kind in turn. When no record holds what was typed, its words are
    corrected from the records' own (db.resolve.respell) and the correction is looked up: the
    "did you mean"."""
    typed = printable(text).strip()[:100]
    if not slug(typed):
        rows = await source.freshest(kinds, limit=MAX_CHOICES)
        queues = [[row for row in rows if row.kind == kind] for kind in kinds]
        rows = [q[i] for i in range(MAX_CHOICES) for q in queues if i < len(q)][:MAX_CHOICES]
        names = await source.names(rows)
        return Found(None, list(zip(rows, names, strict=True)), None)
    exact = [typed, *(resolve.question_keys(typed) if "question" in kinds else ())]
    rows = await _matching(source, kinds, typed, exact)
    named = await _named(source, rows, typed)
    if named is not None and not any(row is named for row in rows):
        rows.append(named)
    respelled = None
    if not rows and (words := resolve.misspellable(typed)):
        begins = resolve.starts(words)
        near = await source.near(kinds, begins, limit=_PER_KIND)
        texts = (row.searched for row in near.rows)
        respelled = resolve.respell(typed, resolve.vocabulary(texts, begins))
        if respelled and near.complete:  # every row holding a correction is at hand
            rows = candidates.holding(near.rows, _terms(respelled))
        elif respelled:
            rows = await _matching(source, kinds, respelled, [])
        respelled = respelled if rows else None
    names = await source.names(rows)
    ranked = _ranked(rows, names, respelled or typed, named, [] if respelled else exact)
    return Found(named, ranked[:MAX_CHOICES], respelled)


async def _matching(
    source: Source, kinds: Sequence[str], typed: str, exact: list[str]
) -> list[Row]:
    return await source.matching(
        kinds, _terms(typed), exact=exact, prefix=slug(typed), limit=_PER_KIND
    )


def _terms(typed: str) -> list[Term]:
    # Single letters are no search term (db.resolve.terms), but while typing they narrow.
    return resolve.terms(typed) or [Term(word, (word,)) for word in slug(typed).split("-")[:1]]


async def _named(source: Source, rows: list[Row], typed: str) -> Row | None:
    """The record `typed` names, as /cite resolves it: a key in any case (kinds in order), a
    question id typed loosely, or the bill db.resolve.find_measure reads (asked only when some
    bill holds the text: the bill it reads always does)."""
    lowered = typed.lower()
    if (row := next((r for r in rows if r.key.lower() == lowered), None)) is not None:
        return row
    if resolve.loose_question_id(typed):
        questions = {r.key.upper(): r for r in rows if r.kind == "question"}
        for key in resolve.question_keys(typed):
            if key.upper() in questions:
                return questions[key.upper()]
    if any(r.kind == "measure" for r in rows):
        bill = await source.bill(typed)
        if bill is not None:
            same = (r for r in rows if r.kind == "measure" and r.key == bill.key)
            return next(same, None) or bill
    return None


def _ranked(
    rows: list[Row], names: list[str], text: str, named: Row | None, exact: list[str]
) -> list[tuple[Row, str]]:
    wanted = slug(text)
    keys = {key.lower(): index for index, key in enumerate(exact)}

    def order(pair: tuple[Row, str]) -> tuple[float, Natural]:
        row, name = pair
        if row is named:
            tier: float = -3
        elif row.key.lower() in keys:  # the other ids typed ('2': OQ-2, then GQ-2)
            tier = -3 + (1 + keys[row.key.lower()]) / (1 + len(keys))
        else:
            score = _score(name, row.key, wanted)
            tier = 3 if score is None else score  # 3: it holds the text elsewhere
        return tier, _natural(name)

    return sorted(zip(rows, names, strict=True), key=order)
