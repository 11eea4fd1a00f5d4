"""Factories for valid record values, one per kind, and small write helpers for db tests.

Each factory returns a fresh dict that validates as its kind; keyword arguments override fields.
The fixed clock stands at 2026-11-28 (New York), inside federal fiscal year 2027.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from db.engine import Database
from db.scope import Actor, Scope

D = dt.date
TODAY = D(2026, 11, 28)
AS_OF = D(2026, 11, 1)
EDITOR = Actor("editor#1", 1001)
SHARED = Scope.shared()
GUILD_A = Scope.guild(1)
GUILD_B = Scope.guild(2)


def measure(**over: Any) -> dict[str, Any]:
    return {
        "congress": 119,
        "fiscal_year": 2027,
        "bill_type": "hr",
        "bill_number": 4213,
        "title": "Department of Homeland Security Appropriations Act, 2027",
        "as_of": AS_OF,
        **over,
    }


def action(measure_key: str = "119-hr4213", **over: Any) -> dict[str, Any]:
    return {
        "measure_key": measure_key,
        "action_date": D(2026, 10, 15),
        "chamber": "house",
        "text": "Reported by the Committee on Appropriations.",
        "as_of": AS_OF,
        **over,
    }


def funding_line(**over: Any) -> dict[str, Any]:
    return {
        "fiscal_year": 2027,
        "component": "ICE-ERO",
        "account": "Operations and Support",
        "purpose": "Body-worn cameras",
        "requested": 20_000_000,
        "as_of": AS_OF,
        **over,
    }


def funded(start: dt.date, end: dt.date | None, **over: Any) -> dict[str, Any]:
    return {
        "fiscal_year": 2027,
        "period_type": "funded",
        "measure_key": "119-hr4213",
        "start_date": start,
        "end_date": end,
        "as_of": AS_OF,
        **over,
    }


def lapse(start: dt.date, end: dt.date | None = None, **over: Any) -> dict[str, Any]:
    return {
        "fiscal_year": 2027,
        "period_type": "lapse",
        "start_date": start,
        "end_date": end,
        "as_of": AS_OF,
        **over,
    }


def bodycam(city: str = "Minneapolis", state: str = "MN", **over: Any) -> dict[str, Any]:
    return {
        "city": city,
        "state": state,
        "component": "ICE-ERO",
        "status": "announced",
        "as_of": AS_OF,
        **over,
    }


def question(**over: Any) -> dict[str, Any]:
    """A question without its key: give `key=` or write it with oversight.add_question."""
    return {
        "question": "How many ERO officers in the Minneapolis field office wear body cameras?",
        "asked_by": "Rep. Rivera (House Homeland Security)",
        "addressed_to": "ICE Office of Congressional Relations",
        "component": "ICE-ERO",
        "sent_date": D(2026, 10, 29),
        "as_of": AS_OF,
        **over,
    }


async def add(
    db: Database,
    kind: str,
    values: dict[str, Any],
    *,
    scope: Scope = SHARED,
    effective_on: dt.date | None = None,
) -> Any:
    """Create one record in its own transaction and return the row."""
    async with db.writer(scope, EDITOR, effective_on=effective_on) as writer:
        return await writer.create(kind, values)


async def change(
    db: Database,
    kind: str,
    key: str,
    changes: dict[str, Any],
    *,
    scope: Scope = SHARED,
    effective_on: dt.date | None = None,
) -> bool:
    """Update the scope's own record `key` in its own transaction; True if anything changed."""
    async with db.writer(scope, EDITOR, effective_on=effective_on) as writer:
        row = await writer.find(kind, key)
        assert row is not None, f"no {kind} {key} in {scope}"
        return await writer.update(row, changes)


async def remove(
    db: Database, kind: str, key: str, *, scope: Scope = SHARED, effective_on: dt.date | None = None
) -> None:
    async with db.writer(scope, EDITOR, effective_on=effective_on) as writer:
        row = await writer.find(kind, key)
        assert row is not None, f"no {kind} {key} in {scope}"
        await writer.delete(row)


async def count(db: Database, table: Any) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()
