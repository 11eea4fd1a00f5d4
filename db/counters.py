"""Counters that hand out numbers (question ids): one atomic statement each, inside the caller's
transaction, so two writers at once get distinct numbers and a number is never given twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models import SHARED_COUNTER_SCOPE, KeyCounter
from db.scope import Scope
from db.text import dialect_of

QUESTION_SERIES = "question"


def _insert(
    session: AsyncSession,
) -> Callable[[type[KeyCounter]], postgresql.Insert | sqlite.Insert]:
    return postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert


async def draw(
    session: AsyncSession, scope: Scope, series: str, highest: Callable[[], Awaitable[int]]
) -> int:
    """The next number of the scope's `series`. A concurrent writer waits on the counter row,
    then draws the next. The scope's first draw starts after `highest()` (the numbers it
    already holds, seeded or imported)."""
    owner = scope.guild_id or SHARED_COUNTER_SCOPE
    row = (col(KeyCounter.scope) == owner) & (col(KeyCounter.name) == series)
    bump = update(KeyCounter).where(row).values(value=col(KeyCounter.value) + 1)
    drawn = await session.execute(bump.returning(col(KeyCounter.value)))
    if (number := drawn.scalar_one_or_none()) is not None:
        return number
    # A writer that created the row meanwhile wins the insert; this one takes the next number.
    first = _insert(session)(KeyCounter).values(scope=owner, name=series, value=await highest() + 1)
    upsert = first.on_conflict_do_update(
        index_elements=["scope", "name"], set_={"value": col(KeyCounter.value) + 1}
    )
    return (await session.execute(upsert.returning(col(KeyCounter.value)))).scalar_one()


async def advance(session: AsyncSession, scope: Scope, series: str, number: int) -> None:
    """Make sure the scope's `series` never hands out `number` or below (a record written
    under an explicit number, such as an imported OQ-12)."""
    owner = scope.guild_id or SHARED_COUNTER_SCOPE
    greatest = "max" if dialect_of(session) == "sqlite" else "greatest"
    statement = _insert(session)(KeyCounter).values(scope=owner, name=series, value=number)
    larger = getattr(func, greatest)(col(KeyCounter.value), statement.excluded.value)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["scope", "name"], set_={"value": larger})
    )
