"""Records that may be what someone typed, of every kind asked for, in one statement.

/search, /cite and the record options read their candidates here: one UNION ALL of a SELECT per
kind, each with the scope's visibility, its own condition, order and limit. A kind's row comes
back as a `Row`: its kind, key and the fields that name, describe and are searched in it, typed as
the models type them (every field travels as text, so the kinds' SELECTs line up).
db.candidate_store reads a scope's rows once here (`everything`) and searches them in memory as
these statements do; tests/db/test_candidate_store.py holds the two to the same answers.

Statements are built once per shape (kinds, shared or guild, dialect, how many terms and
alternatives) with the typed text as bound parameters: building a statement and its cache key
cost more than running it on the small tables (BENCHMARKS.md, "Resolver").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import resolve
from db.appropriations import parse_bill_number
from db.dates import format_date
from db.kinds import label
from db.models import BILL_PREFIX, RECORD_TABLES, Measure, bill_label
from db.resolve import Term
from db.scope import GUILD_PARAM, Scope, visible, visible_template

# The columns typed text is looked for in, per kind: what names a record or says what it is
# about. Autocomplete, /cite and the options look here; /search also reads the notes
# (`notes=True`). A "did you mean" is corrected from the words of the same columns.
NAMED: dict[str, tuple[str, ...]] = {
    "question": ("key", "question", "asked_by", "addressed_to", "component"),
    "measure": ("key", "title", "public_law"),
    "bodycam": ("key", "city", "state", "component", "operation", "court_case"),
    "funding_line": ("key", "component", "account", "purpose"),
    "funding_period": ("key", "description", "period_type"),
    "action": ("key", "text"),
}
_WITH_NOTES = ("question", "measure", "bodycam", "funding_line")
# ... and what else naming a record (record_name) or describing a hit (db.search) takes.
_NAMING: dict[str, tuple[str, ...]] = {
    "measure": ("bill_type", "bill_number"),
    "funding_line": ("fiscal_year",),
    "funding_period": ("fiscal_year", "start_date", "end_date"),
    "action": ("action_date", "measure_key", "chamber"),
}
_SLOTS = max(len(named) + 1 + len(_NAMING.get(kind, ())) for kind, named in NAMED.items())
_SEPARATOR = " · "
KINDS = tuple(NAMED)  # in the order suggestions list them when nothing is typed
KIND_WORDS: dict[str, str] = {name: label(name) for name in KINDS}


def searched(kind: str, notes: bool) -> tuple[str, ...]:
    """The columns of `kind` typed text is looked for in (with its notes, or not)."""
    return (*NAMED[kind], "notes") if notes and kind in _WITH_NOTES else NAMED[kind]


def fields(kind: str, notes: bool) -> tuple[str, ...]:
    """What a Row of `kind` holds: its searched columns and what naming it takes."""
    return (*searched(kind, notes), *_NAMING.get(kind, ()))


class Row(SimpleNamespace):
    """One record as read here: `kind`, `key`, its `fields` as attributes, and `searched`, the
    columns it was looked for in, joined: what every term typed must be found in."""

    kind: str
    key: str
    searched: str


def record_name(kind: str, row: Any, measure_label: str | None = None) -> str:
    """A record named for a person, without its kind: 'OQ-4: Spend plan …', 'H.R. 7147 — …'."""
    if kind == "question":
        return f"{row.key}: {row.question}"
    if kind == "measure":
        named = bill_label(row.bill_type, row.bill_number, row.title)
        return f"{named} — {row.title}" if named != row.title else named
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


def row_of(kind: str, record: Any) -> Row:
    """A record the ORM read, as a Row."""
    text = _SEPARATOR.join(str(getattr(record, c) or "") for c in NAMED[kind])
    values = {field: getattr(record, field) for field in fields(kind, True)}
    return Row(kind=kind, searched=text, **values)


async def names(session: AsyncSession, scope: Scope, rows: Sequence[Row]) -> list[str]:
    """Each row's record_name, in order; an action's names its bill ('H.R. 7147'), read from the
    bill's key, or for an unnumbered bill from the bill itself (one query, only then)."""
    bills, unnumbered = bills_named(rows)
    if unnumbered:
        query = visible(Measure, scope).where(col(Measure.key).in_(unnumbered))
        for measure in (await session.execute(query)).scalars():
            bills[measure.key] = measure.label
    return named_with(rows, bills)


def bills_named(rows: Sequence[Row]) -> tuple[dict[str, str], set[str]]:
    """The bills the actions among `rows` belong to, named from their keys ('H.R. 7147'); and
    the keys of unnumbered ones, which only the bill itself names."""
    bills: dict[str, str] = {}
    unnumbered = set()
    for row in rows:
        if row.kind == "action" and row.measure_key not in bills:
            if (number := parse_bill_number(row.measure_key)) is not None:
                bills[row.measure_key] = f"{BILL_PREFIX[number.bill_type]} {number.number}"
            else:
                unnumbered.add(row.measure_key)
    return bills, unnumbered


def named_with(rows: Sequence[Row], bills: dict[str, str]) -> list[str]:
    """Each row's record_name, an action's with its bill's name from `bills`."""
    return [record_name(row.kind, row, bills.get(getattr(row, "measure_key", ""))) for row in rows]


# ---------------------------------------------------------------- reading


def _patterns(names_and_patterns: Sequence[tuple[str, list[str]]], dialect: str) -> dict[str, Any]:
    """Bound values for _any_of: an array per name on PostgreSQL, one value per pattern else."""
    if dialect == "postgresql":
        return dict(names_and_patterns)
    return {
        f"{name}_{j}": pattern
        for name, patterns in names_and_patterns
        for j, pattern in enumerate(patterns)
    }


async def matching(
    session: AsyncSession,
    scope: Scope,
    kinds: Sequence[str],
    terms: Sequence[Term],
    *,
    exact: Sequence[str] = (),
    prefix: str = "",
    notes: bool = False,
    limit: int,
) -> list[Row]:
    """Up to `limit` rows of each kind that hold every term in some searched column (acronyms as
    whole words: 'ICE' is not in 'office'), or whose key is one of `exact` (any case); those
    first, then keys starting with `prefix`."""
    shape = tuple(tuple(alt.isascii() for alt in term.alternatives) for term in terms)
    dialect = _dialect(session)
    statement = _matching(tuple(kinds), scope.is_shared, dialect, shape, notes, limit)
    wanted = [
        (f"t{i}", [f"%{resolve.escaped(alt)}%" for alt in term.alternatives])
        for i, term in enumerate(terms)
    ]
    params = {
        **_patterns(wanted, dialect),
        "exact": [key.lower() for key in exact],
        "prefix": f"{resolve.escaped(prefix.lower())}%" if prefix else "",
    }
    rows = await _rows(session, scope, statement, params, notes)
    keys = set(params["exact"])
    named = [row for row in rows if row.key.lower() in keys]
    return named + holding([row for row in rows if row.key.lower() not in keys], terms)


async def freshest(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], *, limit: int
) -> list[Row]:
    """Up to `limit` rows of each kind, newest as-of date first."""
    statement = _freshest(tuple(kinds), scope.is_shared, _dialect(session), limit)
    return await _rows(session, scope, statement, {}, False)


@dataclass(frozen=True)
class Near:
    """Rows with a word starting as typed words do; `complete` when no kind had more than the
    limit, so every row holding such a word is here."""

    rows: list[Row]
    complete: bool


async def near(
    session: AsyncSession,
    scope: Scope,
    kinds: Sequence[str],
    starts: Sequence[str],
    *,
    notes: bool = False,
    limit: int,
) -> Near:
    """Up to `limit` rows of each kind with a word starting with one of `starts` (lowercase):
    a vocabulary to correct typos from, and the rows holding a correction."""
    escaped = [resolve.escaped(start) for start in starts]
    # The text starts with it, or a word in it does (after a space: columns join with one).
    patterns = [pattern for start in escaped for pattern in (f"{start}%", f"% {start}%")]
    shape = tuple(pattern.isascii() for pattern in patterns)
    dialect = _dialect(session)
    statement = _near(tuple(kinds), scope.is_shared, dialect, shape, notes, limit + 1)
    rows = await _rows(session, scope, statement, _patterns([("s", patterns)], dialect), notes)
    per_kind = Counter(row.kind for row in rows)
    return Near(rows, all(count <= limit for count in per_kind.values()))


def holding(rows: Sequence[Row], terms: Sequence[Term]) -> list[Row]:
    """The rows whose searched text holds every term (acronyms as whole words)."""
    return [row for row in rows if all(t.found_in(row.searched) for t in terms)]


async def _rows(
    session: AsyncSession, scope: Scope, statement: Any, params: dict[str, Any], notes: bool
) -> list[Row]:
    if not scope.is_shared:
        params = {**params, GUILD_PARAM: scope.guild_id}
    result = await session.execute(statement, params)
    return [_row(kind, values, notes) for kind, *values in result.all()]


def loaded(kind: str, values: Sequence[Any]) -> Row:
    """A row of `kind` from its fields as text (without notes), as `everything` reads them."""
    return _row(kind, values, False)


def searched_text(kind: str, values: Sequence[Any]) -> str:
    """What `matching` looks in, from a row's fields as text (without notes): Row.searched."""
    return _SEPARATOR.join(value or "" for value in values[: len(NAMED[kind])])


def _row(kind: str, values: Sequence[Any], notes: bool) -> Row:
    readers, searched_count = _readers(kind, notes)
    typed = {
        field: read(value) if read is not None and value is not None else value
        for (field, read), value in zip(readers, values, strict=False)
    }
    text = _SEPARATOR.join(value or "" for value in values[:searched_count])
    return Row(kind=kind, searched=text, **typed)


Reader = Callable[[str], Any] | None  # how a field is read back from text (None: it is text)


@functools.cache
def _readers(kind: str, notes: bool) -> tuple[tuple[tuple[str, Reader], ...], int]:
    """Each field of a kind's rows with its Reader, and how many of them, first, are
    searched."""
    table = RECORD_TABLES[kind]
    readers = tuple((f, _reader(getattr(table, f).type)) for f in fields(kind, notes))
    return readers, len(searched(kind, notes))


def _reader(column_type: Any) -> Reader:
    if isinstance(column_type, Integer):
        return int
    return _date if isinstance(column_type, Date) else None


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


# ---------------------------------------------------------------- building (once per shape)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def _as_text(column: Any, dialect: str) -> Any:
    if isinstance(column.type, Date) and dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    if isinstance(column.type, Integer | Date):
        return cast(column, String)
    return column


def _texts(table: Any, kind: str, dialect: str, notes: bool) -> list[Any]:
    return [
        _as_text(getattr(table, f), dialect).label(f"f{i}")
        for i, f in enumerate(fields(kind, notes))
    ]


def _select(kind: str, shared: bool, dialect: str, notes: bool) -> tuple[Any, Any]:
    """A kind's visible rows as (kind, its fields as text, NULL to fill the slots), and its
    table."""
    table: Any = RECORD_TABLES[kind]
    texts = _texts(table, kind, dialect, notes)
    padding = [cast(null(), String).label(f"f{i}") for i in range(len(texts), _SLOTS)]
    columns = [literal(kind, String).label("kind"), *texts, *padding]
    return visible_template(table, shared).with_only_columns(*columns), table


def _union(branches: list[Any]) -> Any:
    # Each kind keeps its own ORDER BY and LIMIT inside a subquery (SQLite allows neither on a
    # compound's members).
    subqueries = [branch.subquery() for branch in branches]
    return union_all(*(select(*sub.c) for sub in subqueries))


def _haystack(table: Any, columns: Sequence[str]) -> Any:
    """The columns joined as Row.searched joins them: one LIKE a pattern instead of one a
    column (ILIKE per column was most of a PostgreSQL candidate query)."""
    parts = [func.coalesce(getattr(table, c), "") for c in columns]
    joined: Any = parts[0]
    for part in parts[1:]:
        joined = joined.concat(_SEPARATOR).concat(part)
    return joined


def _any_of(text: Any, name: str, ascii_only: Sequence[bool], dialect: str) -> Any:
    """`text` is like one of the patterns bound as `name` (lowercase, escaped by '\\'),
    ignoring case. PostgreSQL folds the text once for them all (ILIKE folds it per pattern);
    SQLite's LIKE folds ASCII itself."""
    if dialect == "postgresql":
        return func.lower(text).like(any_(bindparam(name, type_=ARRAY(String))))
    like = resolve.folded_like
    return or_(
        *(like(text, bindparam(f"{name}_{j}"), a, dialect) for j, a in enumerate(ascii_only))
    )


@functools.lru_cache(maxsize=256)
def everything(kinds: tuple[str, ...], shared: bool, dialect: str) -> Any:
    """Every row of `kinds` in the shared dataset, or (`shared` False) of one guild, its own
    only (the guild bound as GUILD_PARAM), in one statement: its kind, id, as-of date, Congress
    (a bill's; else NULL) and its fields as text (`loaded` reads them; NULL fills the slots
    after them). For db.candidate_store, which keeps them."""
    branches = []
    for kind in kinds:
        table: Any = RECORD_TABLES[kind]
        whose = table.guild_id.is_(None) if shared else table.guild_id == bindparam(GUILD_PARAM)
        congress = table.congress if kind == "measure" else cast(null(), Integer)
        texts = _texts(table, kind, dialect, False)
        padding = [cast(null(), String).label(f"f{i}") for i in range(len(texts), _SLOTS)]
        columns = [
            literal(kind, String).label("kind"),
            table.id.label("id"),
            table.as_of.label("as_of"),
            congress.label("congress"),
        ]
        branches.append(select(*columns, *texts, *padding).where(whose))
    return union_all(*branches)


@functools.lru_cache(maxsize=512)
def _matching(
    kinds: tuple[str, ...],
    shared: bool,
    dialect: str,
    shape: tuple[tuple[bool, ...], ...],
    notes: bool,
    limit: int,
) -> Any:
    branches = []
    for kind in kinds:
        query, table = _select(kind, shared, dialect, notes)
        text = _haystack(table, searched(kind, notes))
        exact = func.lower(table.key).in_(bindparam("exact", expanding=True))
        every_term = and_(*(_any_of(text, f"t{i}", alts, dialect) for i, alts in enumerate(shape)))
        first = case(
            (exact, 0), (func.lower(table.key).like(bindparam("prefix"), escape="\\"), 1), else_=2
        )
        branches.append(query.where(or_(exact, every_term)).order_by(first, table.id).limit(limit))
    return _union(branches)


@functools.lru_cache(maxsize=64)
def _freshest(kinds: tuple[str, ...], shared: bool, dialect: str, limit: int) -> Any:
    branches = []
    for kind in kinds:
        query, table = _select(kind, shared, dialect, False)
        branches.append(query.order_by(table.as_of.desc(), table.id).limit(limit))
    return _union(branches)


@functools.lru_cache(maxsize=256)
def _near(
    kinds: tuple[str, ...],
    shared: bool,
    dialect: str,
    shape: tuple[bool, ...],
    notes: bool,
    limit: int,
) -> Any:
    branches = []
    for kind in kinds:
        query, table = _select(kind, shared, dialect, notes)
        starting = _any_of(_haystack(table, searched(kind, notes)), "s", shape, dialect)
        branches.append(query.where(starting).order_by(table.id).limit(limit))
    return _union(branches)
