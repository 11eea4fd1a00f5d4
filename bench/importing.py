"""Benchmark of a large CSV import into a guild: parse → against_shared → plan → apply.

    .venv/bin/python -m bench.importing [--backend sqlite|postgres] [--rows N] [--seed S]

Migrates a fresh database (a temporary SQLite file, or a PostgreSQL schema of its own that is
dropped afterwards), loads the starter dataset, then times two imports into one guild:
- "create": a file of new records (80% questions, 20% body camera city × component rows);
- "mixed": a file whose first ~10% of rows change records of the first file, the rest new.
Prints the seconds per phase and what was written (counted in the database) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col

from bench.dataset import ASKERS, COMPONENTS, SOURCE, STEMS, TARGETS, city_names
from db.engine import Database, make_engine
from db.guild_import import against_shared
from db.migrations import upgrade
from db.models import (
    FIELDS_OF,
    CameraStatus,
    ChangeEvent,
    Component,
    QuestionStatus,
    Revision,
    Vehicle,
)
from db.scope import Actor, Scope
from db.seed import load_seed
from db.transfer import apply_import, dump, parse, plan_import

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
GUILD_ID = 4242
QUESTION_SHARE = 0.8  # the rest are body camera rows, one per city × component
RULE_MEASURES = ["119-hr7147", "119-hr1", "119-hr5371"]  # seed measures a due rule may follow
Record = tuple[str, dict[str, Any]]


# ---------------------------------------------------------------- the file


def question(number: int, seed: int) -> Record:
    """Guild question GQ-<number>; the same number and seed always give the same record."""
    rng = random.Random(f"{seed}-question-{number}")
    sent = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
    values: dict[str, Any] = {
        "key": f"GQ-{number}",
        "question": f"Question {number}: what is the status of body cameras in "
        f"{rng.choice(STEMS)} operations? " + "Details follow. " * rng.randint(0, 12),
        "asked_by": rng.choice(ASKERS),
        "addressed_to": rng.choice(TARGETS),
        "component": rng.choice(COMPONENTS),
        "vehicle": rng.choice(list(Vehicle)),
        "sent_date": sent,
        "status": rng.choice(list(QuestionStatus)),
        "as_of": sent,
        "sources": [SOURCE],
    }
    if rng.random() < 0.25:  # a statutory deadline: a reference to check, a due date to derive
        values |= {"due_rule_measure_key": rng.choice(RULE_MEASURES), "due_rule_days": 30}
    else:
        values["due_date"] = rng.choice([None, sent + dt.timedelta(days=rng.randint(10, 120))])
    return _json_form("question", values)


def bodycams(city: str, state: str, seed: int) -> list[Record]:
    """The city's five component rows."""
    records = []
    for component in Component:
        rng = random.Random(f"{seed}-bodycam-{city}-{state}-{component.value}")
        effective = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
        values = {
            "city": city,
            "state": state,
            "component": component,
            "status": rng.choice(list(CameraStatus)),
            "effective_date": effective,
            "officers_equipped": rng.choice([None, rng.randint(5, 3000)]),
            "operation": f"Operation {city.split()[0]}",
            "as_of": effective,
            "confidence": rng.choice(["confirmed", "reported"]),
            "sources": [SOURCE],
        }
        records.append(_json_form("bodycam", values))
    return records


def _json_form(kind: str, values: dict[str, Any]) -> Record:
    """Every field in JSON form, as an export writes it (derived keys included)."""
    return kind, FIELDS_OF[kind].model_validate(values).model_dump(mode="json")


def _changed(record: Record) -> Record:
    """The record with a status moved on and a note: what a re-import of edits looks like."""
    kind, values = record
    statuses = list(QuestionStatus if kind == "question" else CameraStatus)
    status = statuses[(statuses.index(values["status"]) + 1) % len(statuses)]
    return kind, {**values, "status": status.value, "notes": "Updated in the re-import."}


def import_records(rows: int = 10_000, *, seed: int = 7, changed: int = 0) -> list[Record]:
    """`rows` records grouped by kind as in an export: the first `changed` change records of
    import_records(rows, seed=seed); the others are new, numbered after that file's."""
    cities = round(rows * (1 - QUESTION_SHARE) / len(Component))
    questions = rows - cities * len(Component)
    old_cities = round(changed * (1 - QUESTION_SHARE) / len(Component))
    old_questions = changed - old_cities * len(Component)
    # A follow-up file's new records come after the first file's (which has changed == 0).
    new_cities, new_numbers = (cities, questions) if changed else (0, 0)
    names = city_names(2 * cities)
    places = [*names[:old_cities], *names[new_cities:][: cities - old_cities]]
    numbers = [
        *range(1, old_questions + 1),
        *range(new_numbers + 1, new_numbers + questions - old_questions + 1),
    ]
    cams = [record for city, state in places for record in bodycams(city, state, seed)]
    asked = [question(number, seed) for number in numbers]
    changed_cams = old_cities * len(Component)
    return [
        *map(_changed, cams[:changed_cams]),
        *cams[changed_cams:],
        *map(_changed, asked[:old_questions]),
        *asked[old_questions:],
    ]


def import_csv(rows: int = 10_000, *, seed: int = 7, changed: int = 0) -> bytes:
    """import_records as a CSV file in the export format."""
    return dump(import_records(rows, seed=seed, changed=changed), "csv").encode()


# ---------------------------------------------------------------- measuring


async def _written(database: Database, guild_id: int) -> tuple[int, int]:
    """(revisions, change events) of the guild."""
    async with database.session() as session:
        revisions = select(func.count(col(Revision.id))).where(col(Revision.guild_id) == guild_id)
        events = select(func.count(col(ChangeEvent.id))).where(
            col(ChangeEvent.guild_id) == guild_id
        )
        return (await session.scalar(revisions) or 0, await session.scalar(events) or 0)


async def measure_import(database: Database, data: bytes, *, guild_id: int) -> dict[str, float]:
    """Import `data` (CSV) into the guild, phase by phase; seconds per phase and counts."""
    scope = Scope.guild(guild_id)
    revisions_before, events_before = await _written(database, guild_id)
    times: dict[str, float] = {}
    start = last = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[phase], last = now - last, now

    records = parse(data, "csv")
    lap("parse")
    measured = await against_shared(database, scope, records)
    lap("against_shared")
    await plan_import(database, scope, measured.records)
    lap("plan")
    plan = await apply_import(database, scope, Actor("bench import"), measured.records)
    lap("apply")
    times["total"] = time.perf_counter() - start
    revisions, events = await _written(database, guild_id)
    return {
        **{name: round(seconds, 3) for name, seconds in times.items()},
        "rows": len(records),
        "created": len(plan.created),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
        "revisions_written": revisions - revisions_before,
        "events_written": events - events_before,
    }


async def _run(database: Database, rows: int, seed: int) -> dict[str, Any]:
    await upgrade(database.engine)
    await load_seed(database)
    create = await measure_import(database, import_csv(rows, seed=seed), guild_id=GUILD_ID)
    mixed_file = import_csv(rows, seed=seed, changed=rows // 10)
    mixed = await measure_import(database, mixed_file, guild_id=GUILD_ID)
    return {"backend": database.dialect, "create": create, "mixed": mixed}


async def _admin(statement: str) -> None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def main(backend: str, rows: int, seed: int) -> dict[str, Any]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            database = Database(make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"))
            try:
                return await _run(database, rows, seed)
            finally:
                await database.close()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE SCHEMA "{schema}"')
    server_settings = {"server_settings": {"search_path": schema}}
    database = Database(make_engine(PG_URL, connect_args=server_settings))
    try:
        return await _run(database, rows, seed)
    finally:
        await database.close()
        await _admin(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.backend, args.rows, args.seed)), indent=2))
