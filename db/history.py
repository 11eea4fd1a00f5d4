"""Revision history and a record's state as of a past date, rebuilt from its revisions.

Rebuilding goes record by record (by id), so a record whose key changed is rebuilt once, and a
new record that later takes an old key is never mixed with the one that had it before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.changes import validate
from db.keys import question_id
from db.models import Revision
from db.scope import Scope

Values = dict[str, Any]


def _in_scope(guild_id: int | None) -> Any:
    return (
        col(Revision.guild_id).is_(None) if guild_id is None else col(Revision.guild_id) == guild_id
    )


def _scopes(scope: Scope) -> list[int | None]:
    """The scopes whose records `scope` can see, the most specific last."""
    return [None] if scope.guild_id is None else [None, scope.guild_id]


async def _by_record(
    session: AsyncSession, guild_id: int | None, kind: str, key_clause: Any
) -> dict[int, list[Revision]]:
    """Every revision of each record of one scope that ever matched `key_clause`, by record id."""
    ids = select(col(Revision.record_id)).where(
        col(Revision.record_kind) == kind, key_clause, _in_scope(guild_id)
    )
    query = (
        select(Revision)
        .where(
            col(Revision.record_kind) == kind, col(Revision.record_id).in_(ids), _in_scope(guild_id)
        )
        .order_by(col(Revision.id))
    )
    grouped: dict[int, list[Revision]] = defaultdict(list)
    for revision in (await session.execute(query)).scalars():
        grouped[revision.record_id].append(revision)
    return grouped


async def history(session: AsyncSession, scope: Scope, kind: str, key: str) -> list[Revision]:
    """Revisions of the records the scope sees under `key`, in the order they were recorded:
    in a guild, the shared record's history and its own copy's. Each run of revisions from a
    'create' on is one record (a database from before ids were never reused may have given a
    later record a deleted one's id); only runs that ever had `key` are kept. A question's id
    may be typed in any spelling ('oq1' is OQ-1)."""
    if kind == "question":
        key = question_id(key)
    runs: list[list[Revision]] = []
    for guild_id in _scopes(scope):
        grouped = await _by_record(session, guild_id, kind, col(Revision.record_key) == key)
        for revisions in grouped.values():
            record: list[list[Revision]] = [[]]
            for revision in revisions:
                if revision.action == "create" and record[-1]:
                    record.append([])
                record[-1].append(revision)
            runs += [run for run in record if any(r.record_key == key for r in run)]
    kept = [revision for run in runs for revision in run]
    return sorted(kept, key=lambda revision: (revision.recorded_at, revision.id or 0))


def replay(revisions: list[Revision], on: dt.date) -> Values | None:
    """One record's fields after the revisions effective on or before `on`, applied in effective
    order; None if it did not exist then. An update dated before the record's creation is skipped
    for the days before it existed."""
    state: Values | None = None
    for revision in sorted(revisions, key=lambda r: (r.effective_on, r.id or 0)):
        if revision.effective_on > on:
            break
        if revision.action == "delete":
            state = None
        elif revision.action == "create":
            state = {name: new for name, (_old, new) in revision.changes.items()}
        elif state is not None:
            state.update({name: new for name, (_old, new) in revision.changes.items()})
    return state


async def _states_on(
    session: AsyncSession, guild_id: int | None, kind: str, key_clause: Any, on: dt.date
) -> list[Values]:
    grouped = await _by_record(session, guild_id, kind, key_clause)
    states = (replay(revisions, on) for revisions in grouped.values())
    return [validate(kind, state).model_dump(mode="json") for state in states if state is not None]


async def state_as_of(
    session: AsyncSession, scope: Scope, kind: str, key: str, on: dt.date
) -> Values | None:
    """The record's fields (JSON form) as they stood on `on`, or None if it did not exist.

    In a guild, its own copy counts from the day it was made; before that, the shared record."""
    for guild_id in reversed(_scopes(scope)):
        states = await _states_on(session, guild_id, kind, col(Revision.record_key) == key, on)
        found = [state for state in states if state["key"] == key]
        if found:
            return found[0]
    return None


async def states_with_prefix(
    session: AsyncSession, scope: Scope, kind: str, prefix: str, on: dt.date
) -> list[Values]:
    """Every record of `kind` whose key started with `prefix` at some point, as it stood on `on`
    (a guild's own copy in place of the shared record with the same key)."""
    by_key: dict[str, Values] = {}
    for guild_id in _scopes(scope):
        clause = col(Revision.record_key).startswith(prefix)
        for state in await _states_on(session, guild_id, kind, clause, on):
            by_key[state["key"]] = state
    return [by_key[key] for key in sorted(by_key)]
