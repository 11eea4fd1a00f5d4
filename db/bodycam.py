"""Body cameras: a city's records (today or as of a past date), filtered pages, city suggestions."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.history import states_with_prefix
from db.models import BodycamDeployment, BodycamFields, CameraStatus, city_key
from db.scope import Scope, visible


@dataclass
class CityResult:
    """A city's records; when there are none, the nearest known cities instead."""

    query: str
    records: list[Any]  # BodycamDeployment rows, or BodycamFields rebuilt for a past date
    suggestions: list[str] = field(default_factory=list)
    as_of: dt.date | None = None


async def known_cities(session: AsyncSession, scope: Scope) -> list[tuple[str, str]]:
    """Distinct (city, state) pairs the scope can see, alphabetical."""
    sub = visible(BodycamDeployment, scope).subquery()
    query = select(sub.c.city, sub.c.state).distinct().order_by(sub.c.city, sub.c.state)
    return [(city, state) for city, state in (await session.execute(query)).all()]


def _split_state(text: str) -> tuple[str, str | None]:
    """'Portland, ME' → ('Portland', 'ME'); a trailing two-letter state narrows the match."""
    name, _, state = text.rpartition(",")
    if name and len(state.strip()) == 2:
        return name, state.strip().upper()
    return text, None


async def suggest_cities(
    session: AsyncSession, scope: Scope, text: str, limit: int = 3
) -> list[str]:
    labels: dict[str, list[str]] = {}  # one city name may exist in several states
    for city, state in await known_cities(session, scope):
        labels.setdefault(city_key(city), []).append(f"{city}, {state}")
    close = difflib.get_close_matches(city_key(text), list(labels), n=limit, cutoff=0.6)
    return [label for key in close for label in labels[key]][: limit * 2]


async def city_records(
    session: AsyncSession, scope: Scope, text: str, *, as_of: dt.date | None = None
) -> CityResult:
    """Every component's record for the city named by `text` (case, accents and 'St.'/'Saint'
    do not matter; 'City, ST' narrows to one state)."""
    name, state = _split_state(text)
    wanted = city_key(name)
    result = CityResult(query=text, records=[], as_of=as_of)
    if as_of is None:
        query = visible(BodycamDeployment, scope).where(BodycamDeployment.city_key == wanted)
        if state:
            query = query.where(BodycamDeployment.state == state)
        query = query.order_by(BodycamDeployment.state, BodycamDeployment.component)
        result.records = list((await session.execute(query)).scalars())
    else:
        for then in await states_with_prefix(session, scope, "bodycam", f"{wanted}-", as_of):
            if then["city_key"] == wanted and state in (None, then["state"]):
                result.records.append(BodycamFields.model_validate(then))
        result.records.sort(key=lambda r: (r.state, r.component.value))
    if not result.records:
        result.suggestions = await suggest_cities(session, scope, name)
    return result


@dataclass
class BodycamPage:
    records: list[BodycamDeployment]
    total: int
    counts: dict[str, int]  # by status, over the whole filtered set
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


async def list_bodycams(
    session: AsyncSession,
    scope: Scope,
    *,
    status: CameraStatus | None = None,
    state: str | None = None,
    component: str | None = None,
    page: int = 0,
    per_page: int = 10,
) -> BodycamPage:
    base = visible(BodycamDeployment, scope)
    if status is not None:
        base = base.where(BodycamDeployment.status == status.value)
    if state:
        base = base.where(BodycamDeployment.state == state.upper())
    if component:
        base = base.where(BodycamDeployment.component == component)
    sub = base.subquery()
    counts = {
        status_value: count
        for status_value, count in (
            await session.execute(select(sub.c.status, func.count()).group_by(sub.c.status))
        ).all()
    }
    ordered = base.order_by(
        BodycamDeployment.city_key, BodycamDeployment.state, BodycamDeployment.component
    )
    rows = await session.execute(ordered.offset(page * per_page).limit(per_page))
    return BodycamPage(
        records=list(rows.scalars()),
        total=sum(counts.values()),
        counts=counts,
        page=page,
        per_page=per_page,
    )
