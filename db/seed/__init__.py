"""The starter dataset: facts with sources, shipped as JSON and loaded into the shared scope.

Each `<kind>.json` file is a list of rows whose keys are that kind's fields, plus two optional keys
that are not fields:
- `effective_on`: when the row's state took effect in the world (default: its `as_of`);
- `history`: earlier states, oldest first. Each lists only what differs from the final row, plus its
  own `effective_on` (default: that state's `as_of`). A record that does not exist yet is created
  from the first state and updated through the others to the final row, so as-of queries see
  its past; a record that already exists is only brought to the final row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import select, text
from sqlmodel import col

from db.changes import Writer, validate
from db.engine import Database
from db.models import RECORD_TABLES
from db.scope import Actor, Scope

SEED_KINDS: tuple[str, ...] = (
    "measure",
    "action",
    "funding_line",
    "funding_period",
    "bodycam",
    "question",
    "link",
)
SEED_ACTOR = Actor("seed")
SEED_REASON = "starter dataset"
META_KEYS = frozenset({"effective_on", "history"})

_FILES: dict[str, str] = {
    "measure": "measures.json",
    "action": "actions.json",
    "funding_line": "funding_lines.json",
    "funding_period": "funding_periods.json",
    "bodycam": "bodycams.json",
    "question": "questions.json",
    "link": "links.json",
}
# Any constant works: it only has to be the same for every process that seeds this database.
_PG_SEED_LOCK = 0x5EED_0D5C


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def seed_records() -> list[tuple[str, dict[str, Any]]]:
    """Every seed row as (kind, row), in load order, exactly as written in the JSON files.

    Rows are not validated here: the writer validates each one as it is loaded.
    """
    package = resources.files(__name__)
    records: list[tuple[str, dict[str, Any]]] = []
    for kind in SEED_KINDS:
        rows = json.loads(package.joinpath(_FILES[kind]).read_text(encoding="utf-8"))
        records.extend((kind, row) for row in rows)
    return records


def field_values(row: dict[str, Any]) -> dict[str, Any]:
    """The row without its seed-only keys: what the record's *Fields class validates."""
    return {name: value for name, value in row.items() if name not in META_KEYS}


def states(row: dict[str, Any]) -> list[tuple[dict[str, Any], dt.date]]:
    """The record's states oldest first, each as (field values, effective_on); the last is the
    final row. Earlier states are the final row with their own differences applied."""
    final = field_values(row)
    result = [
        ({**final, **field_values(state)}, _effective_on({**final, **state}))
        for state in row.get("history", [])
    ]
    result.append((final, _effective_on(row)))
    return result


def _effective_on(row: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(row.get("effective_on") or row["as_of"])


async def load_seed(db: Database) -> SeedReport:
    """Create or update every seed record in the shared scope, in one transaction."""
    async with db.writer(Scope.shared(), SEED_ACTOR, reason=SEED_REASON) as writer:
        await _lock(writer)
        return await _load(writer)


async def seed_if_empty(db: Database) -> SeedReport | None:
    """Load the seed only if the shared dataset has no records at all (first start)."""
    async with db.writer(Scope.shared(), SEED_ACTOR, reason=SEED_REASON) as writer:
        # Checked inside the write transaction, after taking the lock, so two processes
        # starting at once cannot both find the database empty and both seed it.
        await _lock(writer)
        if await _shared_has_records(writer):
            return None
        return await _load(writer)


async def _load(writer: Writer) -> SeedReport:
    report = SeedReport()
    for kind, row in seed_records():
        history = states(row)
        final, final_effective = history[-1]
        key = validate(kind, final).key
        if len(history) > 1 and await writer.find(kind, key) is None:
            await _replay(writer, kind, history)
            report.created += 1
            continue
        _, outcome = await writer.upsert(kind, final, effective_on=final_effective)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


async def _replay(writer: Writer, kind: str, history: list[tuple[dict[str, Any], dt.date]]) -> None:
    """Create a record from its first state and update it through each later one."""
    (first, first_effective), *later = history
    row = await writer.create(kind, first, effective_on=first_effective)
    for values, effective_on in later:
        # Give every field, not just the row's: a field an earlier state set and the final row
        # leaves at its default must return to that default.
        complete = validate(kind, values).model_dump(mode="json")
        await writer.update(row, complete, effective_on=effective_on)


async def _shared_has_records(writer: Writer) -> bool:
    for table in RECORD_TABLES.values():
        query = select(col(table.id)).where(col(table.guild_id).is_(None)).limit(1)
        if (await writer.session.execute(query)).first() is not None:
            return True
    return False


async def _lock(writer: Writer) -> None:
    """Serialise seeding. SQLite writers already hold the write lock from BEGIN IMMEDIATE;
    PostgreSQL needs an explicit lock, released at commit."""
    connection = await writer.session.connection()
    if connection.dialect.name == "postgresql":
        await writer.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SEED_LOCK}
        )
