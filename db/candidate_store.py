"""Autocomplete's candidates kept in memory: every record of a kind a scope sees, read once per
data token and searched in Python as db.candidates searches them in SQL.

Why: an autocomplete cannot be deferred and Discord drops it after 3 s; past saturation they were
99 % of the failed interactions, each running 1–4 statements (BENCHMARKS.md, "Load (issue 15)").
From here a guild's second autocomplete runs none.

- *Fresh.* What is kept is valid for one token (db.freshness.DataVersion.token(), passed in): a
  new token drops everything, since any write may change what any scope sees.
- *Shared once.* The shared dataset's rows are read once for every guild (one statement for all
  the kinds asked); a guild adds its own (one more) and points at the shared rows it has not
  replaced, so a guild without records of its own costs next to nothing.
- *Bounded.* At most `guilds` guilds are kept, the least recently used dropped first: a guild of
  the large benchmark dataset (500 questions of its own) is ~0.45 MB, its shared dataset 1.5 MB.
- *Read once.* Concurrent first requests for a (scope, kind, token) share one read.
- *Lean.* A row is one tuple of str, int, date and None: (id, as-of date, Congress, its searched
  text lowercased, its fields as text). The cyclic garbage collector stops scanning such tuples
  once it has seen them; strings repeated across rows (who asked, components) are kept once.

What was worked out is kept too, per token (`Memo`: least recently used dropped first, concurrent
first asks share one run), so a repeat runs no statement and no ranking: the ranked answer to a
typed text (`found`, autocompletes), and what a typed option named when its command ran
(`resolved`, the options' transforms in cogs/_options.py: a record read from the database, 3–11 KB
each on the large dataset, so RESOLVED_KEPT of them stay near 10 MB).

`Snapshot` is a db.suggest.Source: the rows, order and limits of db.candidates' statements
(`matching`, `freshest`, `near`) and the bill db.resolve.find_measure reads, so db.suggest.find
ranks them into the same choices. Case is ignored as Python's str.lower ignores it, which is what
PostgreSQL's lower() and SQLite's registered one do (db.engine).
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import candidates, resolve
from db.candidates import Near, Row, fields, loaded, searched_text
from db.engine import Database
from db.errors import NotFound
from db.memo import Memo
from db.models import BodycamDeployment, bill_label
from db.resolve import Term
from db.scope import GUILD_PARAM, Scope, scoped, visible_template

GUILDS = 128  # guilds kept at most (the large benchmark dataset has 100)
FOUND_KEPT = 2048  # typed texts remembered with what they found (all scopes together)
RESOLVED_KEPT = 1024  # typed options remembered with the record they named (all scopes together)
T = TypeVar("T")
FRESHEST = 25  # newest rows of each kind kept in order: what an empty autocomplete offers
CITIES = "city"  # not a kind: the cities with camera records (db.suggest.cities_from)

Entry = tuple[Any, ...]  # (id, as-of date, Congress or None, searched text lowercased, *fields)
_ID, _AS_OF, _CONGRESS, _TEXT, _KEY = 0, 1, 2, 3, 4  # every kind's fields start with its key
_FIELDS = 4
City = tuple[str, str, str]  # (city, state, its city keys lowercase, one a line)
_MEASURE_FIELDS = {name: _FIELDS + i for i, name in enumerate(fields("measure", False))}
_WIDTH = {kind: len(fields(kind, False)) for kind in candidates.KINDS}


@dataclass(frozen=True, eq=False)
class Records:
    """The rows of one kind one scope sees, by id, and the FRESHEST newest, newest first."""

    kind: str
    rows: tuple[Entry, ...]
    freshest: tuple[Entry, ...]

    @classmethod
    def of(cls, kind: str, rows: tuple[Entry, ...]) -> Records:
        return cls(kind, rows, _newest(rows, FRESHEST))

    @functools.cached_property
    def by_congress(self) -> tuple[Entry, ...]:
        """Bills as find_measure orders them: latest Congress first, then by id."""
        return tuple(sorted(self.rows, key=lambda entry: -entry[_CONGRESS]))


def _newest(rows: tuple[Entry, ...], limit: int) -> tuple[Entry, ...]:
    # ORDER BY as_of DESC, id: rows are by id, and a reversed sort is still stable.
    return tuple(sorted(rows, key=itemgetter(_AS_OF), reverse=True)[:limit])


class Snapshot:
    """What one scope sees of some kinds at one token (and its cities, when CITIES is asked
    for): a db.suggest.Source."""

    def __init__(self, records: Mapping[str, Any]) -> None:
        self._records = records  # kind → Records; CITIES → the cities

    def rows(self, kind: str) -> tuple[Entry, ...]:
        records: Records = self._records[kind]
        return records.rows

    def cities(self) -> tuple[City, ...]:
        """The cities with camera records the scope sees (db.suggest.cities_from ranks them)."""
        cities: tuple[City, ...] = self._records[CITIES]
        return cities

    async def freshest(self, kinds: Sequence[str], *, limit: int) -> list[Row]:
        found: list[Row] = []
        for kind in kinds:
            kept = self._records[kind]
            newest = kept.freshest if limit <= FRESHEST else _newest(kept.rows, limit)
            found += [loaded(kind, entry[_FIELDS:]) for entry in newest[:limit]]
        return found

    async def matching(
        self,
        kinds: Sequence[str],
        terms: Sequence[Term],
        *,
        exact: Sequence[str],
        prefix: str,
        limit: int,
    ) -> list[Row]:
        """As db.candidates.matching: per kind, keys in `exact` first, then keys starting with
        `prefix`, then the rest holding every term, each by id, at most `limit`."""
        keys = {key.lower() for key in exact}
        start = prefix.lower()
        wanted = [term.alternatives for term in terms]
        found: list[Row] = []
        for kind in kinds:
            rows = self._records[kind].rows
            # A whole-list filter per term (a comprehension, not a generator per row: ~3x faster
            # on a guild's 2,500 records), each keeping the rows' order (by id).
            holding: Sequence[Entry] = rows
            for alts in wanted:
                if len(alts) == 1:
                    holding = [e for e in holding if alts[0] in e[_TEXT]]
                else:
                    holding = [e for e in holding if any(alt in e[_TEXT] for alt in alts)]
            by_key = [e for e in rows if e[_KEY].lower() in keys] if keys else []
            if keys:
                holding = [e for e in holding if e[_KEY].lower() not in keys]
            by_prefix: list[Entry] = []
            if start:
                by_prefix = [e for e in holding if e[_KEY].lower().startswith(start)]
                holding = [e for e in holding if not e[_KEY].lower().startswith(start)]
            ordered = [*by_key, *by_prefix, *holding][:limit]
            found += [loaded(kind, entry[_FIELDS:]) for entry in ordered]
        named = [row for row in found if row.key.lower() in keys]
        others = [row for row in found if row.key.lower() not in keys]
        return named + candidates.holding(others, terms)

    async def near(self, kinds: Sequence[str], starts: Sequence[str], *, limit: int) -> Near:
        """As db.candidates.near: per kind, up to limit + 1 rows by id whose text or a word of
        it (after a space) starts with one of `starts`."""
        beginnings = tuple(starts)
        spaced = [f" {start}" for start in starts]
        found: list[Row] = []
        complete = True
        for kind in kinds:
            rows = self._records[kind].rows
            hits = (
                entry
                for entry in rows
                if entry[_TEXT].startswith(beginnings) or any(s in entry[_TEXT] for s in spaced)
            )
            taken = list(itertools.islice(hits, limit + 1))
            complete = complete and len(taken) <= limit
            found += [loaded(kind, entry[_FIELDS:]) for entry in taken]
        return Near(found, complete)

    async def names(self, rows: Sequence[Row]) -> list[str]:
        bills, unnumbered = candidates.bills_named(rows)
        if unnumbered:  # only the bill names an unnumbered bill
            for entry in self._records["measure"].rows:
                if entry[_KEY] in unnumbered:
                    bill = loaded("measure", entry[_FIELDS:])
                    bills[bill.key] = bill_label(bill.bill_type, bill.bill_number, bill.title)
        return candidates.named_with(rows, bills)

    async def bill(self, typed: str) -> Row | None:
        """The bill db.resolve.find_measure reads in `typed`, read the same way here."""
        if (reading := resolve.bill_reading(typed)) is None:
            return None
        bills = self._records["measure"].by_congress
        for equal in reading.equal:
            same = (e for e in bills if all(_equals(e, field, v) for field, v in equal))
            first = list(itertools.islice(same, 3))
            if first:
                if not resolve.only_latest([entry[_CONGRESS] for entry in first]):
                    return None
                return loaded("measure", first[0][_FIELDS:])
        if not reading.title_words:
            return None
        title = _MEASURE_FIELDS["title"]
        holding = (
            e for e in bills if all(word in e[title].lower() for word in reading.title_words)
        )
        first = list(itertools.islice(holding, 2))
        return loaded("measure", first[0][_FIELDS:]) if len(first) == 1 else None


def _equals(bill: Entry, field: str, value: Any) -> bool:
    if field == "congress":
        return bool(bill[_CONGRESS] == value)
    # Fields are kept as the database casts them to text: a number as its digits.
    return bool(bill[_MEASURE_FIELDS[field]] == (str(value) if isinstance(value, int) else value))


@dataclass(frozen=True)
class Refused:
    """A NotFound kept as its message: one exception object raised by every command that asks
    would gather each raiser's traceback, and hold their frames."""

    message: str


class CandidateStore:
    """Autocomplete's candidates per (scope, kind), in memory while the data token is the same,
    with what was worked out from them and what typed options named."""

    def __init__(self, database: Database, *, guilds: int = GUILDS) -> None:
        self.database = database
        self.guilds = guilds
        self._token: Hashable = None
        self._shared: dict[str, Any] = {}  # kind (or CITIES) → Records (or cities)
        self._kept: OrderedDict[int, dict[str, Any]] = OrderedDict()  # guild → the same
        self._loading: dict[tuple[int | None, str, Hashable], asyncio.Task[dict[str, Any]]] = {}
        # What was typed → what was found, per scope and kinds: people in a burst type the same
        # few prefixes, and ranking 500 questions costs ~2 ms each time.
        self._found: Memo[Any] = Memo(FOUND_KEPT)
        # What was typed into an option → the record it named (or the refusal), per scope and
        # option: a command's option otherwise reads the database on every call.
        self._resolved: Memo[Any] = Memo(RESOLVED_KEPT)

    async def found(
        self,
        scope: Scope,
        kinds: Sequence[str],
        text: str,
        token: Hashable,
        find: Callable[[Snapshot], Awaitable[T]],
    ) -> T:
        """`find` on the scope's snapshot of `kinds` for `text`, remembered (at most
        FOUND_KEPT) until the token changes. `find` must depend only on the snapshot and
        `text`."""
        self._see(token)

        async def work() -> T:
            return await find(await self.snapshot(scope, kinds, token))

        found: T = await self._found.get((scope.guild_id, tuple(kinds), text), token, work)
        return found

    async def resolved(
        self,
        scope: Scope,
        option: str,
        text: str,
        token: Hashable,
        resolve: Callable[[], Awaitable[T]],
    ) -> T:
        """What `resolve` gives for `text` typed into `option` in `scope`, or the NotFound it
        raises (raised again, a new one each time), remembered (at most RESOLVED_KEPT) until the
        token changes; concurrent first asks share one call. `resolve` must depend only on the
        scope, the text and the data. Every command given the same text gets the same objects,
        so they are read only: database rows detached from their session (closed, with
        expire_on_commit off, so every column stays loaded; the models have no relationships to
        load lazily)."""
        self._see(token)

        async def outcome() -> T | Refused:
            try:
                return await resolve()
            except NotFound as refusal:
                return Refused(str(refusal))

        result = await self._resolved.get((scope.guild_id, option, text), token, outcome)
        if isinstance(result, Refused):
            raise NotFound(result.message)
        resolved: T = result
        return resolved

    async def snapshot(self, scope: Scope, kinds: Sequence[str], token: Hashable) -> Snapshot:
        """What `scope` sees of `kinds` at `token` (with the bills when actions are asked for:
        an action is named by its bill)."""
        wanted = tuple(kinds)
        if "action" in wanted and "measure" not in wanted:
            wanted += ("measure",)
        self._see(token)
        return Snapshot(await self._get(scope.guild_id, wanted, token))

    @property
    def guilds_kept(self) -> list[int]:
        """The guilds kept, least recently used first."""
        return list(self._kept)

    def _see(self, token: Hashable) -> None:
        if token != self._token:  # any write may have changed what anyone sees: start again
            self._token, self._shared, self._kept = token, {}, OrderedDict()
        self._found.see(token)
        self._resolved.see(token)

    async def _get(
        self, guild_id: int | None, names: tuple[str, ...], token: Hashable
    ) -> dict[str, Any]:
        found = self._cached(guild_id, names)
        missing = [(guild_id, name, token) for name in names if name not in found]
        if not missing:
            return found
        if new := [key for key in missing if key not in self._loading]:
            # Its own task, so a caller given up on (an autocomplete past its deadline) does not
            # cancel the read the others wait for; named after the caller's, whose work it is.
            asker = asyncio.current_task()
            task = asyncio.get_running_loop().create_task(
                self._load(guild_id, tuple(key[1] for key in new), token),
                name=asker.get_name() if asker else None,
            )
            for key in new:
                self._loading[key] = task
            task.add_done_callback(functools.partial(self._loaded, new))
        waits = [(key[1], self._loading[key]) for key in missing]
        for name, task in waits:
            found[name] = (await asyncio.shield(task))[name]
        return found

    def _cached(self, guild_id: int | None, names: tuple[str, ...]) -> dict[str, Any]:
        if guild_id is None:
            kept = self._shared
        elif (kept_for := self._kept.get(guild_id)) is not None:
            self._kept.move_to_end(guild_id)
            kept = kept_for
        else:
            return {}
        return {name: kept[name] for name in names if name in kept}

    def _loaded(
        self, keys: list[tuple[int | None, str, Hashable]], task: asyncio.Task[Any]
    ) -> None:
        for key in keys:
            if self._loading.get(key) is task:
                del self._loading[key]
        if not task.cancelled():
            task.exception()  # seen (its waiters get it), so asyncio does not log it as lost

    async def _load(
        self, guild_id: int | None, names: tuple[str, ...], token: Hashable
    ) -> dict[str, Any]:
        kinds = tuple(name for name in names if name != CITIES)
        if guild_id is None:
            async with self.database.session() as session:
                rows = await _read_rows(session, kinds, None)
                found: dict[str, Any] = {kind: Records.of(kind, rows[kind]) for kind in kinds}
                if CITIES in names:
                    found[CITIES] = await _read_cities(session, Scope.shared())
        else:
            shared = await self._get(None, names, token)
            async with self.database.session() as session:
                own = await _read_rows(session, kinds, guild_id)
                found = {kind: _with_own(shared[kind], own[kind]) for kind in kinds}
                if CITIES in names:
                    found[CITIES] = await _guild_cities(session, guild_id, shared[CITIES])
        self._keep(guild_id, found, token)
        return found

    def _keep(self, guild_id: int | None, found: dict[str, Any], token: Hashable) -> None:
        if token != self._token:  # read for an older token: good for its callers only
            return
        if guild_id is None:
            self._shared.update(found)
            return
        self._kept.setdefault(guild_id, {}).update(found)
        self._kept.move_to_end(guild_id)
        while len(self._kept) > self.guilds:
            self._kept.popitem(last=False)


# ---------------------------------------------------------------- reading


def _with_own(shared: Records, own: tuple[Entry, ...]) -> Records:
    """What a guild sees: its own rows, and the shared ones it has not replaced (db.scope)."""
    if not own:
        return shared
    replaced = {entry[_KEY] for entry in own}
    kept = (entry for entry in shared.rows if entry[_KEY] not in replaced)
    return Records.of(shared.kind, tuple(heapq.merge(own, kept, key=itemgetter(_ID))))


async def _read_rows(
    session: AsyncSession, kinds: tuple[str, ...], guild_id: int | None
) -> dict[str, tuple[Entry, ...]]:
    """Each kind's rows (the shared dataset's, or a guild's own), by id, in one statement."""
    if not kinds:
        return {}
    found: dict[str, list[Entry]] = {kind: [] for kind in kinds}
    statement = candidates.everything(kinds, guild_id is None, session.get_bind().dialect.name)
    params = {} if guild_id is None else {GUILD_PARAM: guild_id}
    once: dict[Any, Any] = {}  # equal strings and dates kept as one object
    for kind, row_id, as_of, congress, *values in await session.execute(statement, params):
        texts = tuple(None if v is None else once.setdefault(v, v) for v in values[: _WIDTH[kind]])
        text = searched_text(kind, texts).lower()
        found[kind].append((row_id, once.setdefault(as_of, as_of), congress, text, *texts))
    return {kind: tuple(sorted(rows, key=itemgetter(_ID))) for kind, rows in found.items()}


async def _guild_cities(
    session: AsyncSession, guild_id: int, shared: tuple[City, ...]
) -> tuple[City, ...]:
    table: Any = BodycamDeployment
    mine = select(table.id).where(table.guild_id == guild_id).limit(1)
    if await session.scalar(mine) is None:  # no camera records of its own: the shared cities
        return shared
    return await _read_cities(session, Scope.guild(guild_id))


@functools.cache
def _cities_statement(shared: bool) -> Any:
    """db.suggest's cities, with their city keys (what typing narrows them by)."""
    sub = visible_template(BodycamDeployment, shared).subquery()
    columns = (sub.c.city, sub.c.state, sub.c.city_key)
    return select(*columns).distinct().order_by(*columns)


async def _read_cities(session: AsyncSession, scope: Scope) -> tuple[City, ...]:
    result = await session.execute(scoped(_cities_statement(scope.is_shared), scope))
    keys: dict[tuple[str, str], list[str]] = {}
    for city, state, key in result.all():
        keys.setdefault((city, state), []).append(key.lower())
    return tuple((city, state, "\n".join(found)) for (city, state), found in keys.items())
