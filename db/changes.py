"""Writes with their audit trail: every change to a record writes a Revision and a ChangeEvent in
the same transaction. A write that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON, BindParameter, bindparam, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db import rules
from db.counters import QUESTION_SERIES, advance
from db.errors import Duplicate, InvalidInput, NotFound, ScopeError, StaleEdit
from db.keys import question_number
from db.models import (
    FIELDS_OF,
    RECORD_TABLES,
    ChangeEvent,
    RecordFields,
    Revision,
    SourceRef,
    table_of,
)
from db.scope import Actor, Scope, visible
from db.sources import with_source
from db.text import dialect_of

Values = dict[str, Any]
Diff = dict[str, list[Any]]  # field → [old, new], JSON form, as revisions store it
Pair = tuple[str, str]  # (kind, key)
EMPTY: tuple[Any, ...] = (None, [], "")  # values a new or deleted record's diff leaves out
# pg_advisory_xact_lock(class, hash): the two-key form, so record locks never meet the one-key
# locks of the outbox (channel ids) and the seed.
_RECORD_LOCK_CLASS = 7011
_BATCH = 500  # keys per IN (...) lookup; keeps statements well under parameter limits
_JSON_COLUMNS = {
    kind: {c.name for c in table_of(table).columns if isinstance(c.type, JSON)}
    for kind, table in RECORD_TABLES.items()
}


def fields_of(row: RecordFields) -> type[RecordFields]:
    return FIELDS_OF[row.kind]


def validate(kind: str, values: Mapping[str, Any]) -> RecordFields:
    """Validate `values` as a record of `kind`; raise InvalidInput listing every problem."""
    try:
        return FIELDS_OF[kind].model_validate(dict(values))
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def plain_values(row: RecordFields) -> Values:
    """A record's fields in JSON form (dates as ISO strings): what revisions store and compare."""
    cls = fields_of(row)
    return cls.model_validate({name: getattr(row, name) for name in cls.model_fields}).model_dump(
        mode="json"
    )


def proposed(row: RecordFields, changes: Mapping[str, Any]) -> tuple[Values, RecordFields]:
    """The row's current values and its validated state once `changes` are applied."""
    old = plain_values(row)
    merged = {**old, **changes}
    if fields_of(row).derives_key and "key" not in changes:
        merged["key"] = ""  # re-derive: a renamed city gets the key of its new name
    return old, validate(row.kind, merged)


def field_diff(old: Values, fields: RecordFields) -> dict[str, list[Any]]:
    """Field → [old, new] for every field that differs (JSON form)."""
    new = fields.model_dump(mode="json")
    return {name: [old[name], new[name]] for name in new if old[name] != new[name]}


def _storage_values(fields: RecordFields) -> Values:
    """Column values: Python types, except JSON columns, which take JSON-ready lists and dicts."""
    as_json = fields.model_dump(mode="json", include=_JSON_COLUMNS[fields.kind])
    return fields.model_dump() | as_json


def _created(fields: RecordFields) -> Diff:
    """A new record's revision changes: every value it has, from None."""
    new = fields.model_dump(mode="json")
    return {name: [None, value] for name, value in new.items() if value not in EMPTY}


@dataclass(frozen=True)
class Change:
    """One write (or none) through the write path: the record, what happened to it and, field by
    field, how what the writer's scope saw before became what it sees now (JSON form)."""

    kind: str
    key: str
    # created | updated | copied (a guild's own copy of a shared record) | unchanged | deleted
    outcome: str
    diff: Diff
    row: Any
    shared_shows_again: bool = False  # a deleted guild copy uncovers the shared record

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"

    @property
    def after(self) -> Values:
        """The record's fields now (before the delete, for a deleted one)."""
        if self.outcome == "deleted":
            return {name: old for name, (old, _new) in self.diff.items()}
        return plain_values(self.row)


async def own_rows(
    session: AsyncSession, scope: Scope, wanted: Iterable[Pair], *, lock: bool = False
) -> dict[Pair, Any]:
    """The rows of exactly this scope (not what it sees) with these (kind, key) pairs; `lock`:
    locked for the transaction (PostgreSQL row locks), so a batch changes what is committed."""
    wanted = set(wanted)
    found: dict[Pair, Any] = {}
    for kind in FIELDS_OF:
        table: Any = RECORD_TABLES[kind]
        keys = sorted(key for k, key in wanted if k == kind)
        own = table.guild_id.is_(None) if scope.is_shared else table.guild_id == scope.guild_id
        for start in range(0, len(keys), _BATCH):
            # Keys as literals: PostgreSQL then hashes the list. A prepared statement's generic
            # plan would compare each of the scope's rows with every bound key (slow when
            # statistics are stale, as right after a large import).
            batch: BindParameter[list[str]] = bindparam(
                "keys", keys[start : start + _BATCH], literal_execute=True
            )
            query = select(table).where(own, table.key.in_(batch))
            if lock:
                query = query.with_for_update().execution_options(populate_existing=True)
            for row in (await session.execute(query)).scalars():
                found[(kind, row.key)] = row
    return found


async def version_of(session: AsyncSession, row: Any) -> int | None:
    """A record's version: the id of its latest revision (None before its first). An edit that
    shows someone a record passes this back, so a change made meanwhile is not overwritten."""
    query = select(func.max(col(Revision.id))).where(
        col(Revision.record_kind) == row.kind, col(Revision.record_id) == row.id
    )
    return (await session.execute(query)).scalar_one_or_none()


@dataclass
class _Staged:
    """A create (`new` holds the row's column values) or an update (`row` is the changed row)
    held back by Writer.stage_upsert until write_staged()."""

    kind: str
    key: str
    guild_id: int | None
    changes: dict[str, list[Any]]
    new: Values | None = None
    row: Any | None = None


def _describe(changes: Mapping[str, list[Any]], limit: int = 3) -> str:
    first = list(changes.items())[:limit]  # only these are shown: format no others
    shown = [f"{name}: {old!s:.40} → {new!s:.40}" for name, (old, new) in first]
    more = f" (+{len(changes) - limit} more)" if len(changes) > limit else ""
    return "; ".join(shown) + more


class Writer:
    """Creates, updates and deletes records of one scope inside one open transaction.

    For a batch of writes (an import), preload() reads the rows they touch in a few queries and
    stage_upsert() holds the writes back so write_staged() writes them in a few statements."""

    def __init__(
        self,
        session: AsyncSession,
        scope: Scope,
        actor: Actor,
        *,
        now: dt.datetime,
        effective_on: dt.date,
        reason: str | None = None,
    ) -> None:
        self.session = session
        self.scope = scope
        self.actor = actor
        self.now = now
        self.effective_on = effective_on
        self.reason = reason
        self.events_written = 0
        # Once preload() ran: own rows by (kind, key), None where there is none, kept current by
        # this writer's writes; and the shared rows a guild sees for pairs it has no row of.
        self._own: dict[Pair, Any] | None = None
        self._shared: dict[Pair, Any] = {}
        # Writes held back by stage_upsert, by the record's (kind, key): one per record, so that
        # write_staged can match each revision to its record.
        self._staged: dict[Pair, _Staged] = {}
        # Records stage_upsert created, written yet or not: known to exist, but no row in hand.
        self._bulk_created: set[Pair] = set()
        # PostgreSQL only: the (kind, id) rows this transaction holds locked, and the keys.
        self._locked_rows: set[tuple[str, int]] = set()
        self._locked_keys: set[tuple[str, int | None, str]] = set()
        self._serialises = dialect_of(session) == "postgresql"

    async def preload(self, pairs: Iterable[Pair]) -> dict[Pair, Any]:
        """Read the own rows, and the shared rows a guild sees, with these (kind, key) pairs in a
        few queries, so that finding or checking them needs no query each. Returns the own rows."""
        pairs = set(pairs)
        if self._own is None:
            self._own = {}
        wanted = pairs - set(self._own)
        own = await own_rows(self.session, self.scope, wanted, lock=self._serialises)
        self._own.update({pair: own.get(pair) for pair in wanted})
        self._locked_rows.update((row.kind, row.id) for row in own.values())
        if not self.scope.is_shared:
            shared = await own_rows(self.session, Scope.shared(), wanted - set(own))
            self._shared.update({pair: shared.get(pair) for pair in wanted - set(own)})
        return {pair: self._own[pair] for pair in pairs if self._own[pair] is not None}

    def _remember(self, kind: str, key: str, row: Any | None) -> None:
        self._bulk_created.discard((kind, key))
        if self._own is not None:
            self._own[(kind, key)] = row

    async def find(self, kind: str, key: str) -> Any | None:
        """The writer's own record with this key (shared records are not its own in a guild)."""
        if (kind, key) in self._staged:
            await self.write_staged()  # the caller needs the row itself: write it, read it back
        if self._own is not None and (kind, key) in self._own:
            return self._own[(kind, key)]
        table: Any = RECORD_TABLES[kind]
        in_scope = (
            table.guild_id.is_(None)
            if self.scope.guild_id is None
            else table.guild_id == self.scope.guild_id
        )
        query = select(table).where(table.key == key, in_scope)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def sees(self, kind: str, key: str) -> bool:
        """Whether the scope sees a record with this key (its own, or a shared one in a guild)."""
        return (kind, key) in self._bulk_created or await self.visible(kind, key) is not None

    async def visible(self, kind: str, key: str, *, fresh: bool = False) -> Any | None:
        """The record with this key the scope sees: its own, else (in a guild) the shared one.
        `fresh`: read from the database even where a row of it is in hand."""
        pair = (kind, key)
        if pair in self._staged:
            await self.write_staged()  # the caller needs the row itself: write it, read it back
        if not fresh and self._own is not None and pair in self._own:
            own = self._own[pair]
            if own is not None or self.scope.is_shared:
                return own
            if pair in self._shared:
                return self._shared[pair]
        table: Any = RECORD_TABLES[kind]
        query = visible(table, self.scope).where(table.key == key).limit(1)
        if fresh:
            query = query.execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalars().first()

    # ------------------------------------------------------------ no lost updates
    #
    # SQLite: the writer's BEGIN IMMEDIATE already serialises every write transaction, so what a
    # writer reads is what it overwrites. PostgreSQL (READ COMMITTED, several processes): a writer
    # takes a transaction lock on the (kind, scope, key) it is about to create or change, and a
    # row lock on each row it changes, then reads the row again; every statement after a lock
    # sees what the transaction that held it committed. So two edits of one record run one after
    # the other, each revision's old values are the previous one's new values, and two writers
    # creating one key (a guild's first copy of a shared record) make it once.

    async def lock_key(self, kind: str, key: str, guild_id: int | None = None) -> None:
        """Serialise the writers of the record `key` of `kind` in this writer's scope (or
        `guild_id`'s) until the transaction ends; a no-op on SQLite."""
        guild = self.scope.guild_id if guild_id is None else guild_id
        name = (kind, guild, key)
        if not self._serialises or name in self._locked_keys:
            return
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(:class, hashtext(:name))"),
            {"class": _RECORD_LOCK_CLASS, "name": f"{kind}\x1f{guild or ''}\x1f{key}"},
        )
        self._locked_keys.add(name)

    async def lock_row(self, row: Any) -> None:
        """Lock `row` for this transaction and read it again (PostgreSQL), so a change is made to
        the committed state, not to what was read before another writer committed."""
        if not self._serialises or (row.kind, row.id) in self._locked_rows:
            return
        table: Any = type(row)
        query = (
            select(table)
            .where(table.id == row.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if (await self.session.execute(query)).scalar_one_or_none() is None:
            raise NotFound(
                f"{row.kind.replace('_', ' ')} {row.key} was deleted by another edit a moment "
                "ago; nothing was written."
            )
        self._locked_rows.add((row.kind, row.id))

    async def load(self, kind: str, key: str, *, expected_version: int | None = None) -> Any:
        """The record `key` of `kind` the writer's scope sees (its own, else the shared one),
        locked for this transaction and read fresh: what an edit starts from. NotFound if there
        is none; StaleEdit if `expected_version` (the version the caller showed someone) is no
        longer the record's latest revision."""
        await self.write_staged()
        await self.lock_key(kind, key)
        row = await self.visible(kind, key, fresh=True)
        if row is None:
            raise NotFound(f"No {kind.replace('_', ' ')} '{key}' here.")
        await self.lock_row(row)
        if expected_version is not None:
            await self.check_version(row, expected_version)
        return row

    async def version_of(self, row: Any) -> int | None:
        return await version_of(self.session, row)

    async def check_version(self, row: Any, expected: int) -> None:
        """Refuse (StaleEdit) when `row` has revisions after version `expected`, naming who
        changed what in between."""
        query = (
            select(Revision)
            .where(
                col(Revision.record_kind) == row.kind,
                col(Revision.record_id) == row.id,
                col(Revision.id) > expected,
            )
            .order_by(col(Revision.id))
        )
        later = list((await self.session.execute(query)).scalars())
        if later:
            raise StaleEdit(stale_message(row.kind, row.key, later))

    async def change(
        self,
        kind: str,
        key: str,
        changes: Mapping[str, Any],
        *,
        also: Mapping[str, Any] | None = None,
        source: SourceRef | None = None,
        identity: Iterable[str] = (),
        expected_version: int | None = None,
    ) -> Change:
        """Change fields of the record the writer's scope sees (a guild changing a shared record
        gets its own copy). `also` (say a newer as-of date) and `source` are written only along
        with a real change: repeating an edit writes nothing and copies nothing. `identity`
        fields only found the record (they make its key) and are not changed: 'minneapolis'
        finds 'Minneapolis' and leaves it as it is."""
        row = await self.load(kind, key, expected_version=expected_version)
        changes = {name: value for name, value in changes.items() if name not in set(identity)}
        before = plain_values(row)
        _, fields = proposed(row, changes)
        sources = with_source(before["sources"], source)
        if not field_diff(before, fields) and sources == before["sources"]:
            return Change(kind, row.key, "unchanged", {}, row)
        if sources != before["sources"]:
            changes["sources"] = sources
        copied = row.guild_id is None and not self.scope.is_shared
        written, _ = await self.edit(row, {**(also or {}), **changes})
        diff = _plain_diff(before, plain_values(written))
        return Change(kind, written.key, "copied" if copied else "updated", diff, written)

    async def save(
        self,
        kind: str,
        values: Mapping[str, Any],
        *,
        key: str | None = None,
        also: Mapping[str, Any] | None = None,
        source: SourceRef | None = None,
        identity: Iterable[str] = (),
        expected_version: int | None = None,
    ) -> Change:
        """Create the record (its key derived from `values` unless given), or change the one
        the writer's scope sees under that key, as change() does. On a create `also` fills what
        `values` leave out."""
        key = key or validate(kind, {**(also or {}), **values}).key
        await self.lock_key(kind, key)
        if await self.visible(kind, key, fresh=True) is not None:
            return await self.change(
                kind,
                key,
                values,
                also=also,
                source=source,
                identity=identity,
                expected_version=expected_version,
            )
        sources = with_source(values.get("sources") or [], source)
        row = await self.create(kind, {**(also or {}), **values, "sources": sources})
        return Change(kind, row.key, "created", created_diff(row), row)

    async def remove(
        self, kind: str, key: str, *, expected_version: int | None = None, **revision: Any
    ) -> Change:
        """Delete the scope's own record `key` (its delete revision keeps every field). Links to
        it are deleted with it, questions whose due rule follows it keep their date but lose the
        rule, and channels following it alone stop (db.tracking). A guild deleting its own copy
        of a shared record sees the shared one again."""
        row = await self.load(kind, key, expected_version=expected_version)
        if row.guild_id != self.scope.guild_id:
            raise ScopeError(SHARED_DELETE.format(key=row.key))
        before = plain_values(row)
        await rules.before_delete(self, row)
        await self.delete(row, **revision)
        again = await self.visible(kind, row.key, fresh=True) is not None
        diff = {name: [value, None] for name, value in before.items() if value not in EMPTY}
        return Change(kind, row.key, "deleted", diff, row, shared_shows_again=again)

    async def create(
        self, kind: str, values: Mapping[str, Any], *, effective_on: dt.date | None = None
    ) -> Any:
        return await self._create(validate(kind, values), effective_on=effective_on)

    async def _create(self, fields: RecordFields, *, effective_on: dt.date | None = None) -> Any:
        await self.write_staged()  # writes stay in order, and rules see the staged records
        await self._check_new(fields)
        row = RECORD_TABLES[fields.kind](
            **_storage_values(fields),
            guild_id=self.scope.guild_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(row)
        await self.session.flush()
        self._remember(row.kind, row.key, row)
        await self._advance_counter(row.kind, row.key)
        changes = _created(fields)
        await self._record(row, "create", changes, "created", effective_on=effective_on)
        await rules.propagate(self, row, changes)
        return row

    async def _advance_counter(self, kind: str, key: str) -> None:
        """A question written under an explicit id (an import's OQ-12) moves the scope's id
        counter past it, so that id is never handed out again, even once it is deleted."""
        if kind == "question":
            await self._advance_counter_past([key])

    async def _advance_counter_past(self, question_keys: list[str]) -> None:
        """The counter past the highest of these question ids: one statement for a batch (an
        import of 8,000 questions made 8,000 of them, most of its time)."""
        prefix = "OQ" if self.scope.is_shared else "GQ"
        numbers = [question_number(key, prefix) for key in question_keys]
        highest = max((n for n in numbers if n is not None), default=None)
        if highest is not None:
            await advance(self.session, self.scope, QUESTION_SERIES, highest)

    async def _check_new(self, fields: RecordFields, *, lock: bool = True) -> None:
        """Fill derived values and check references, then refuse a key the scope already has.
        `lock=False` for batches: thousands of key locks would fill PostgreSQL's lock table;
        the unique index refuses a clash instead (Conflict, see db.engine)."""
        await rules.derive(self, fields)
        if lock:
            await self.lock_key(fields.kind, fields.key)
        if await self.find(fields.kind, fields.key) is not None:
            raise Duplicate(
                f"A {fields.kind} with key '{fields.key}' already exists in the {self.scope}."
            )

    async def update(
        self,
        row: Any,
        changes: Mapping[str, Any],
        *,
        action: str = "update",
        derived: bool = False,
        **revision: Any,
    ) -> bool:
        """Apply `changes` to the writer's own `row`; return False (and write nothing) if no field
        actually changes. `derived` is for rules only: a fact that follows from the writer's
        record may be updated in a guild that follows it."""
        if not derived:
            self._check_scope(row)
        await self.write_staged()  # writes stay in order, and rules see the staged records
        await self.lock_row(row)
        diff = await self._change(row, changes)
        if not diff:
            return False
        await self.session.flush()
        await self._record(row, action, diff, "updated", **revision)
        await rules.propagate(self, row, diff)
        return True

    async def _change(self, row: Any, changes: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Set the changed fields on the row (not flushed); the diff, empty if nothing changes."""
        old, fields = proposed(row, changes)
        await rules.derive(self, fields, old, changes)
        diff = field_diff(old, fields)
        if not diff:
            return {}
        if "key" in diff and await self.find(row.kind, fields.key) is not None:
            raise Duplicate(f"A {row.kind} with key '{fields.key}' already exists here.")
        stored = _storage_values(fields)
        for name in diff:
            setattr(row, name, stored[name])
        row.updated_at = self.now
        if "key" in diff:
            self._remember(row.kind, old["key"], None)
            self._remember(row.kind, row.key, row)
        return diff

    async def delete(self, row: Any, *, derived: bool = False, **revision: Any) -> None:
        """Delete the writer's own `row`. `derived` is for rules only (see update)."""
        if not derived:
            self._check_scope(row)
        await self.write_staged()  # writes stay in order
        await self.lock_row(row)
        old = plain_values(row)
        changes = {name: [value, None] for name, value in old.items() if value not in (None, [])}
        await self._record(row, "delete", changes, "deleted", **revision)
        await self.session.delete(row)
        await self.session.flush()
        self._remember(row.kind, row.key, None)

    async def upsert(
        self, kind: str, values: Mapping[str, Any], *, effective_on: dt.date | None = None
    ) -> tuple[Any, str]:
        """Create the record, or update the writer's own one with the same key.
        Returns the row and 'created', 'updated' or 'unchanged'."""
        fields = validate(kind, values)
        row = await self.find(kind, fields.key)
        if row is None:
            return await self._create(fields, effective_on=effective_on), "created"
        changed = await self.update(row, values, effective_on=effective_on)
        return row, "updated" if changed else "unchanged"

    async def stage_upsert(
        self, kind: str, values: Mapping[str, Any], *, valid: RecordFields | None = None
    ) -> str:
        """upsert() with the same checks, but the write is held back until write_staged().
        Not for kinds whose writes change other records (rules.CHANGES_OTHERS): use upsert.
        `valid`: `values` already validated, so not again. Returns 'created', 'updated' or
        'unchanged'."""
        if kind in rules.CHANGES_OTHERS:
            raise ValueError(f"a {kind} write can change other records; use upsert()")
        fields = valid or validate(kind, values)
        pair = (kind, fields.key)
        row = await self.find(*pair)
        if row is None:
            await self._check_new(fields, lock=False)
            new = _storage_values(fields)
            self._staged[pair] = _Staged(*pair, self.scope.guild_id, _created(fields), new=new)
            self._bulk_created.add(pair)
            if self._own is not None:
                self._own.pop(pair, None)  # no row in hand: find() reads it back once written
            return "created"
        self._check_scope(row)
        await self.lock_row(row)  # a no-op for rows preload() locked
        diff = await self._change(row, values)
        if not diff:
            return "unchanged"
        self._staged[(kind, row.key)] = _Staged(kind, row.key, row.guild_id, diff, row=row)
        return "updated"

    async def write_staged(self) -> None:
        """Write what stage_upsert() held back: the new rows (one INSERT per kind), the changed
        rows, then a Revision and a ChangeEvent for each, in staging order, as create() and
        update() write them one by one."""
        staged, self._staged = list(self._staged.values()), {}
        if not staged:
            return
        new_ids = await self._insert_new(staged)
        await self._advance_counter_past(
            [s.key for s in staged if s.row is None and s.kind == "question"]
        )
        await self.session.flush()  # the changed rows
        revisions = [
            self._revision_values(
                s.kind,
                new_ids[(s.kind, s.key)] if s.row is None else s.row.id,
                s.key,
                s.guild_id,
                "create" if s.row is None else "update",
                s.changes,
            )
            for s in staged
        ]
        table = table_of(Revision)
        query = insert(table).returning(table.c.id, table.c.record_kind, table.c.record_id)
        revision_ids = {(kind, id_): rid for rid, kind, id_ in await self._many(query, revisions)}
        events = [
            self._event_values(
                revision,
                revision_ids[(revision["record_kind"], revision["record_id"])],
                "created" if s.row is None else "updated",
            )
            for s, revision in zip(staged, revisions, strict=True)
        ]
        await self.session.execute(insert(table_of(ChangeEvent)), events)
        self.events_written += len(events)

    async def _insert_new(self, staged: list[_Staged]) -> dict[Pair, int]:
        """Insert the staged new rows, one statement per kind; their ids by (kind, key)."""
        ids: dict[Pair, int] = {}
        for kind in FIELDS_OF:
            rows = [
                {**s.new, "guild_id": s.guild_id, "created_at": self.now, "updated_at": self.now}
                for s in staged
                if s.kind == kind and s.new is not None
            ]
            if rows:
                table = table_of(RECORD_TABLES[kind])
                query = insert(table).returning(table.c.id, table.c.key)
                ids.update({(kind, key): id_ for id_, key in await self._many(query, rows)})
        return ids

    async def _many(self, query: Any, rows: list[Values]) -> list[Any]:
        # Matched back by columns, not by position: RETURNING does not promise row order.
        return list((await self.session.execute(query, rows)).all())

    async def edit(self, row: Any, changes: Mapping[str, Any]) -> tuple[Any, bool]:
        """Edit a visible record. A guild editing a shared record gets its own copy, shown in that
        guild in place of the shared one; the shared record is untouched."""
        if row.guild_id is None and self.scope.guild_id is not None:
            copy = await self.create(row.kind, {**plain_values(row), **changes})
            return copy, True
        return row, await self.update(row, changes)

    def _check_scope(self, row: Any) -> None:
        if row.guild_id != self.scope.guild_id:
            owner = "the shared dataset" if row.guild_id is None else "another server"
            raise ScopeError(f"That {row.kind} belongs to {owner}; it cannot be changed from here.")

    def _revision_values(
        self,
        kind: str,
        record_id: int,
        key: str,
        guild_id: int | None,
        action: str,
        changes: dict[str, list[Any]],
        *,
        undoes_revision_id: int | None = None,
        effective_on: dt.date | None = None,
    ) -> Values:
        return {
            "guild_id": guild_id,
            "record_kind": kind,
            "record_id": record_id,
            "record_key": key,
            "action": action,
            "changes": changes,
            "actor_id": self.actor.id,
            "actor_name": self.actor.name[:100],
            "recorded_at": self.now,
            "effective_on": effective_on or self.effective_on,
            "reason": self.reason[:500] if self.reason else None,
            "undoes_revision_id": undoes_revision_id,
        }

    def _event_values(self, revision: Values, revision_id: int, event_type: str) -> Values:
        kind, key = revision["record_kind"], revision["record_key"]
        return {
            "guild_id": revision["guild_id"],
            "revision_id": revision_id,
            "record_kind": kind,
            "record_id": revision["record_id"],
            "record_key": key,
            "event_type": event_type,
            "summary": f"{kind} {key} {event_type}: {_describe(revision['changes'])}"[:500],
            "created_at": self.now,
        }

    async def _record(
        self,
        row: Any,
        action: str,
        changes: dict[str, list[Any]],
        event_type: str,
        **revision_options: Any,
    ) -> Revision:
        values = self._revision_values(
            row.kind, row.id, row.key, row.guild_id, action, changes, **revision_options
        )
        revision = Revision(**values)
        self.session.add(revision)
        await self.session.flush()
        assert revision.id is not None  # the flush assigned it
        self.session.add(ChangeEvent(**self._event_values(values, revision.id, event_type)))
        self.events_written += 1
        return revision


SHARED_DELETE = (
    "{key} belongs to the shared dataset, which the bot's owners keep: a server can delete only "
    "its own records, so the shared record stays. You can change it instead (your server then "
    "keeps its own version)."
)


def created_diff(row: Any) -> Diff:
    """A new record's fields as [None, value], leaving out the empty ones."""
    return {name: [None, value] for name, value in plain_values(row).items() if value not in EMPTY}


def _plain_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


def stale_message(kind: str, key: str, later: Iterable[Revision]) -> str:
    """'question OQ-3 changed after you read it: #45 by alice on 2026-12-04 14:02 UTC (status,
    notes). Nothing was written; …'."""
    parts = []
    for revision in list(later)[:5]:
        who = revision.actor_name.split(" (")[0]
        when = revision.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
        fields = ", ".join(list(revision.changes)[:6])
        what = "deleted it" if revision.action == "delete" else fields
        parts.append(f"#{revision.id} by {who} on {when} ({what})")
    return (
        f"{kind.replace('_', ' ')} {key} changed after you read it: {'; '.join(parts)}. Nothing "
        "was written; look at the record again and repeat your change if it still applies."
    )
