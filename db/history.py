"""Revision history and a record's state as of a past date, rebuilt from its revisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import validate
from db.models import Revision
from db.scope import Scope


def _in_scope(guild_id: int | None) -> Any:
    return Revision.guild_id.is_(None) if guild_id is None else Revision.guild_id == guild_id  # type: ignore[union-attr]


async def _revisions(
    session: AsyncSession, guild_id: int | None, kind: str, key: str
) -> list[Revision]:
    """Every revision of the records of one scope that ever carried `key` (renames included)."""
    ids = select(Revision.record_id).where(
        Revision.record_kind == kind, Revision.record_key == key, _in_scope(guild_id)
    )
    query = (
        select(Revision)
        .where(Revision.record_kind == kind, Revision.record_id.in_(ids), _in_scope(guild_id))  # type: ignore[attr-defined]
        .order_by(Revision.id)
    )
    return list((await session.execute(query)).scalars())


async def history(session: AsyncSession, scope: Scope, kind: str, key: str) -> list[Revision]:
    """Revisions of the record the scope sees under `key`, oldest first: a guild sees the shared
    record's history and then its own copy's."""
    revisions = await _revisions(session, None, kind, key)
    if scope.guild_id is not None:
        revisions += await _revisions(session, scope.guild_id, kind, key)
    return sorted(revisions, key=lambda revision: (revision.recorded_at, revision.id or 0))


def replay(revisions: list[Revision], on: dt.date) -> dict[str, Any] | None:
    """Apply revisions effective on or before `on`, in effective order; None if absent then."""
    state: dict[str, Any] | None = None
    for revision in sorted(revisions, key=lambda r: (r.effective_on, r.id or 0)):
        if revision.effective_on > on:
            break
        if revision.action == "delete":
            state = None
            continue
        state = {} if revision.action == "create" or state is None else state
        for name, (_old, new) in revision.changes.items():
            state[name] = new
    return state


async def state_as_of(
    session: AsyncSession, scope: Scope, kind: str, key: str, on: dt.date
) -> dict[str, Any] | None:
    """The record's fields (JSON form) as they stood on `on`, or None if it did not exist.

    In a guild, its own copy counts from the day it was made; before that, the shared record."""
    if scope.guild_id is not None:
        own = replay(await _revisions(session, scope.guild_id, kind, key), on)
        if own is not None:
            return validate(kind, own).model_dump(mode="json")
    shared = replay(await _revisions(session, None, kind, key), on)
    return validate(kind, shared).model_dump(mode="json") if shared is not None else None


async def keys_ever(session: AsyncSession, scope: Scope, kind: str, prefix: str) -> list[str]:
    """Keys of `kind` starting with `prefix` that the scope's records have ever had."""
    scopes = (
        [_in_scope(None)]
        if scope.guild_id is None
        else [_in_scope(None), _in_scope(scope.guild_id)]
    )
    keys: set[str] = set()
    for in_scope in scopes:
        query = select(Revision.record_key).where(
            Revision.record_kind == kind,
            Revision.record_key.startswith(prefix),
            in_scope,  # type: ignore[attr-defined]
        )
        keys.update((await session.execute(query.distinct())).scalars())
    return sorted(keys)
