"""How fresh the data is, for /about: records per kind, the newest change, the oldest as-of date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import RECORD_TABLES, Revision
from db.scope import Scope, visible


@dataclass(frozen=True)
class Freshness:
    counts: dict[str, int]  # kind → records the scope sees
    newest_change: dt.datetime | None
    oldest_as_of: dt.date | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def freshness(session: AsyncSession, scope: Scope) -> Freshness:
    counts: dict[str, int] = {}
    oldest: list[dt.date] = []
    for kind, table in RECORD_TABLES.items():
        sub = visible(table, scope).subquery()
        count, as_of = (
            await session.execute(select(func.count(), func.min(sub.c.as_of)).select_from(sub))
        ).one()
        counts[kind] = int(count)
        if as_of is not None:
            oldest.append(as_of)
    in_scope = (
        col(Revision.guild_id).is_(None)
        if scope.guild_id is None
        else or_(col(Revision.guild_id).is_(None), col(Revision.guild_id) == scope.guild_id)
    )
    newest = (
        await session.execute(select(func.max(col(Revision.recorded_at))).where(in_scope))
    ).scalar()
    if newest is not None and newest.tzinfo is None:  # SQLite aggregates skip the column type
        newest = newest.replace(tzinfo=dt.UTC)
    return Freshness(counts, newest, min(oldest, default=None))
