"""A large synthetic dataset for tests at scale and for benchmarks.

Rows are validated by their *Fields classes like any write, then inserted in bulk (with one
revision each, so as-of queries and history work) — going through the Writer record by record would
take minutes at benchmark sizes. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from db.engine import Database
from db.models import (
    FIELDS_OF,
    RECORD_TABLES,
    CameraStatus,
    Component,
    QuestionStatus,
    Revision,
    Vehicle,
    table_of,
)

STATES = [
    *("AL", "AZ", "CA", "CO", "FL", "GA", "IL", "LA", "MA", "MD", "ME", "MI", "MN"),
    *("NC", "NJ", "NM", "NV", "NY", "OH", "OR", "PA", "TX", "UT", "VA", "WA"),
]
STEMS = [
    *("Spring", "River", "Lake", "Oak", "Cedar", "Mill", "Fair", "Green", "Clear", "Rock"),
    *("Maple", "Pine", "Stone", "Bright", "Salt", "Iron", "Silver", "Elm", "Ash", "Bay"),
]
ENDINGS = ["field", "ville", "ton", "port", " City", " Falls", "burg", " Heights", "wood", "dale"]
ASKERS = [
    "Rep. Alvarez",
    "Sen. Brooks",
    "Rep. Chen",
    "House Homeland Security Committee",
    "Senate HSGAC",
    "Rep. Dawson",
    "Sen. Ellison",
    "House Appropriations",
]
TARGETS = ["ICE Director", "CBP Commissioner", "DHS Secretary", "DHS OIG", "HSI"]
COMPONENTS = ["ICE", "CBP", "DHS"]
SOURCE = {"outlet": "Synthetic data", "url": "https://example.org/synthetic"}


@dataclass(frozen=True)
class Sizes:
    cities: int = 500  # each with 1–4 components
    questions: int = 5000
    guilds: tuple[int, ...] = ()  # questions are spread over these guilds (and shared when empty)
    camera_records: int | None = None  # stop at exactly this many city × component records
    revisions: int = 0  # total revisions wanted: questions get earlier as-of dates to reach it


def city_names(count: int) -> list[tuple[str, str]]:
    names = [
        (f"{stem}{ending}".strip(), state)
        for stem in STEMS
        for ending in ENDINGS
        for state in STATES
    ]
    if count > len(names):
        names += [(f"Town {n}", STATES[n % len(STATES)]) for n in range(count - len(names))]
    return names[:count]


def _row(
    kind: str, values: dict[str, Any], guild_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    fields = FIELDS_OF[kind].model_validate(values)
    table = table_of(RECORD_TABLES[kind])
    as_json = fields.model_dump(mode="json")
    native = fields.model_dump()
    row = {
        name: as_json[name] if name in ("sources", "responses", "components") else native[name]
        for name in native
        if name in table.c
    }
    return {**row, "guild_id": guild_id, "created_at": now, "updated_at": now}


def bodycam_rows(count: int, rng: random.Random, now: dt.datetime) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    components = list(Component)
    statuses = list(CameraStatus)
    for index, (city, state) in enumerate(city_names(count)):
        for component in rng.sample(components, rng.randint(1, 4)):
            effective = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
            values = {
                "city": city,
                "state": state,
                "component": component,
                "status": statuses[(index + len(rows)) % len(statuses)],
                "effective_date": effective,
                "officers_equipped": rng.choice([None, rng.randint(5, 3000)]),
                "operation": f"Operation {city.split()[0]}",
                "as_of": effective,
                "confidence": rng.choice(["confirmed", "reported"]),
                "sources": [SOURCE],
            }
            rows.append(_row("bodycam", values, None, now))
    return rows


def history_steps(questions: int, revisions: int, already: int) -> list[int]:
    """How many updates each question gets so the dataset holds `revisions` revisions in all."""
    extra = max(revisions - already, 0)
    if not questions:
        return []
    share, rest = divmod(extra, questions)
    return [share + (1 if index < rest else 0) for index in range(questions)]


def question_rows(sizes: Sizes, rng: random.Random, now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    scopes: list[int | None] = list(sizes.guilds) or [None]
    counters: dict[int | None, int] = {}
    today = now.date()
    for index in range(sizes.questions):
        guild_id = scopes[index % len(scopes)]
        counters[guild_id] = counters.get(guild_id, 0) + 1
        prefix = "OQ" if guild_id is None else "GQ"
        sent = today - dt.timedelta(days=rng.randint(1, 400))
        values = {
            "key": f"{prefix}-{counters[guild_id] + (100 if guild_id is None else 0)}",
            "question": f"Question {index}: what is the status of body cameras and footage "
            f"retention in {rng.choice(STEMS)} operations? "
            + "Details follow. "
            * rng.randint(0, 20),
            "asked_by": rng.choice(ASKERS),
            "addressed_to": rng.choice(TARGETS),
            "component": rng.choice(COMPONENTS),
            "vehicle": rng.choice(list(Vehicle)),
            "sent_date": sent,
            "due_date": rng.choice([None, sent + dt.timedelta(days=rng.randint(10, 120))]),
            "status": rng.choice(list(QuestionStatus)),
            "as_of": sent,
            "sources": [SOURCE],
        }
        rows.append(_row("question", values, guild_id, now))
    return rows


async def generate(database: Database, sizes: Sizes = Sizes(), *, seed: int = 7) -> dict[str, int]:
    """Add synthetic cities and questions; returns how many rows of each kind were written."""
    rng = random.Random(seed)
    now = database.clock.now()
    written: dict[str, int] = {}
    cameras = bodycam_rows(sizes.cities, rng, now)[: sizes.camera_records]
    questions = question_rows(sizes, rng, now)
    steps = history_steps(len(questions), sizes.revisions, len(cameras) + len(questions))
    async with database.sessions() as session, session.begin():
        for kind, rows, updates in (
            ("bodycam", cameras, [0] * len(cameras)),
            ("question", questions, steps),
        ):
            table = table_of(RECORD_TABLES[kind])
            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                result = await session.execute(insert(table).returning(table.c.id), chunk)
                ids = list(result.scalars())
                revisions = [
                    revision
                    for row, row_id, count in zip(
                        chunk, ids, updates[start : start + 1000], strict=True
                    )
                    for revision in _history(kind, row, row_id, count, now)
                ]
                await session.execute(insert(table_of(Revision)), revisions)
            written[kind] = len(rows)
        written["revisions"] = len(cameras) + len(questions) + sum(steps)
    return written


def _history(
    kind: str, row: dict[str, Any], row_id: int, updates: int, now: dt.datetime
) -> list[dict[str, Any]]:
    """A create revision, then `updates` revisions that each move the as-of date a day later,
    ending at the row as stored (so history and as-of queries agree with the row)."""
    first = row["as_of"] - dt.timedelta(days=updates)
    created = _create_revision(kind, {**row, "as_of": first}, row_id, now)
    created["recorded_at"] = now - dt.timedelta(days=updates)
    revisions = [created]
    for step in range(1, updates + 1):
        old, new = first + dt.timedelta(days=step - 1), first + dt.timedelta(days=step)
        revisions.append(
            {
                **created,
                "action": "update",
                "changes": {"as_of": [old.isoformat(), new.isoformat()]},
                "recorded_at": now - dt.timedelta(days=updates - step),
                "effective_on": new,
                "reason": "synthetic update",
            }
        )
    return revisions


def _create_revision(
    kind: str, row: dict[str, Any], row_id: int, now: dt.datetime
) -> dict[str, Any]:
    values = (
        FIELDS_OF[kind]
        .model_validate({k: v for k, v in row.items() if k in FIELDS_OF[kind].model_fields})
        .model_dump(mode="json")
    )
    return {
        "guild_id": row["guild_id"],
        "record_kind": kind,
        "record_id": row_id,
        "record_key": row["key"],
        "action": "create",
        "changes": {
            name: [None, value] for name, value in values.items() if value not in (None, [])
        },
        "actor_id": None,
        "actor_name": "synthetic",
        "recorded_at": now,
        "effective_on": row["as_of"],
        "reason": "synthetic dataset",
        "undoes_revision_id": None,
    }
