"""Writes with their audit trail: every change to a record writes a Revision and a ChangeEvent in
the same transaction. A write that changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import JSON, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import rules
from db.errors import Duplicate, InvalidInput, ScopeError
from db.models import FIELDS_OF, RECORD_TABLES, ChangeEvent, RecordFields, Revision
from db.scope import Actor, Scope

Values = dict[str, Any]


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
    table = RECORD_TABLES[fields.kind].__table__  # type: ignore[attr-defined]
    as_json = fields.model_dump(mode="json")
    native = fields.model_dump()
    return {
        name: as_json[name] if isinstance(table.c[name].type, JSON) else native[name]
        for name in native
    }


def _describe(changes: Mapping[str, list[Any]], limit: int = 3) -> str:
    shown = [f"{name}: {old!s:.40} → {new!s:.40}" for name, (old, new) in changes.items()]
    more = f" (+{len(shown) - limit} more)" if len(shown) > limit else ""
    return "; ".join(shown[:limit]) + more


class Writer:
    """Creates, updates and deletes records of one scope inside one open transaction."""

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

    async def find(self, kind: str, key: str) -> Any | None:
        """The writer's own record with this key (shared records are not its own in a guild)."""
        table: Any = RECORD_TABLES[kind]
        in_scope = (
            table.guild_id.is_(None)
            if self.scope.guild_id is None
            else table.guild_id == self.scope.guild_id
        )
        query = select(table).where(table.key == key, in_scope)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def create(
        self, kind: str, values: Mapping[str, Any], *, effective_on: dt.date | None = None
    ) -> Any:
        fields = validate(kind, values)
        await rules.derive(self, fields)
        if await self.find(kind, fields.key) is not None:
            raise Duplicate(f"A {kind} with key '{fields.key}' already exists in the {self.scope}.")
        row = RECORD_TABLES[kind](
            **_storage_values(fields),
            guild_id=self.scope.guild_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(row)
        await self.session.flush()
        new = fields.model_dump(mode="json")
        changes = {name: [None, value] for name, value in new.items() if value not in (None, [])}
        await self._record(row, "create", changes, "created", effective_on=effective_on)
        await rules.propagate(self, row, changes)
        return row

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
        old, fields = proposed(row, changes)
        await rules.derive(self, fields, old, changes)
        diff = field_diff(old, fields)
        if not diff:
            return False
        if "key" in diff and await self.find(row.kind, fields.key) is not None:
            raise Duplicate(f"A {row.kind} with key '{fields.key}' already exists here.")
        stored = _storage_values(fields)
        for name in diff:
            setattr(row, name, stored[name])
        row.updated_at = self.now
        await self.session.flush()
        await self._record(row, action, diff, "updated", **revision)
        await rules.propagate(self, row, diff)
        return True

    async def delete(self, row: Any, **revision: Any) -> None:
        self._check_scope(row)
        old = plain_values(row)
        changes = {name: [value, None] for name, value in old.items() if value not in (None, [])}
        await self._record(row, "delete", changes, "deleted", **revision)
        await self.session.delete(row)
        await self.session.flush()

    async def upsert(
        self, kind: str, values: Mapping[str, Any], *, effective_on: dt.date | None = None
    ) -> tuple[Any, str]:
        """Create the record, or update the writer's own one with the same key.
        Returns the row and 'created', 'updated' or 'unchanged'."""
        key = validate(kind, values).key
        row = await self.find(kind, key)
        if row is None:
            return await self.create(kind, values, effective_on=effective_on), "created"
        changed = await self.update(row, values, effective_on=effective_on)
        return row, "updated" if changed else "unchanged"

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

    async def _record(
        self,
        row: Any,
        action: str,
        changes: dict[str, list[Any]],
        event_type: str,
        *,
        undoes_revision_id: int | None = None,
        effective_on: dt.date | None = None,
    ) -> Revision:
        revision = Revision(
            guild_id=row.guild_id,
            record_kind=row.kind,
            record_id=row.id,
            record_key=row.key,
            action=action,
            changes=changes,
            actor_id=self.actor.id,
            actor_name=self.actor.name[:100],
            recorded_at=self.now,
            effective_on=effective_on or self.effective_on,
            reason=self.reason[:500] if self.reason else None,
            undoes_revision_id=undoes_revision_id,
        )
        self.session.add(revision)
        await self.session.flush()
        self.session.add(
            ChangeEvent(
                guild_id=row.guild_id,
                revision_id=revision.id,
                record_kind=row.kind,
                record_id=row.id,
                record_key=row.key,
                event_type=event_type,
                summary=f"{row.kind} {row.key} {event_type}: {_describe(changes)}"[:500],
                created_at=self.now,
            )
        )
        self.events_written += 1
        return revision
