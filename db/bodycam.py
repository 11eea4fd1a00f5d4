"""Body cameras: a city's records (today or as of a past date), filtered pages, city suggestions."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.errors import InvalidInput
from db.history import states_with_prefix
from db.models import (
    BodycamDeployment,
    BodycamFields,
    CameraStatus,
    Component,
    FundingLine,
    Revision,
    city_key,
)
from db.scope import Scope, visible


@dataclass
class CityResult:
    """A city's records; when there are none, the nearest known cities instead."""

    query: str
    records: list[Any]  # BodycamDeployment rows, or BodycamFields rebuilt for a past date
    suggestions: list[str] = field(default_factory=list)
    as_of: dt.date | None = None
    # With as_of and no records then: the day the city's first record took effect (None: never).
    first_recorded: dt.date | None = None


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
        query = visible(BodycamDeployment, scope).where(col(BodycamDeployment.city_key) == wanted)
        if state:
            query = query.where(col(BodycamDeployment.state) == state)
        query = query.order_by(col(BodycamDeployment.state), col(BodycamDeployment.component))
        result.records = list((await session.execute(query)).scalars())
    else:
        for then in await states_with_prefix(session, scope, "bodycam", f"{wanted}-", as_of):
            if then["city_key"] == wanted and state in (None, then["state"]):
                result.records.append(BodycamFields.model_validate(then))
        result.records.sort(key=lambda r: (r.state, r.component.value))
        if not result.records:
            result.first_recorded = await first_recorded(session, scope, wanted, state)
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
        base = base.where(col(BodycamDeployment.status) == status.value)
    if state:
        base = base.where(col(BodycamDeployment.state) == state.upper())
    if component:
        base = base.where(col(BodycamDeployment.component) == component)
    sub = base.subquery()
    counts = {
        status_value: count
        for status_value, count in (
            await session.execute(select(sub.c.status, func.count()).group_by(sub.c.status))
        ).all()
    }
    ordered = base.order_by(
        col(BodycamDeployment.city_key),
        col(BodycamDeployment.state),
        col(BodycamDeployment.component),
    )
    rows = await session.execute(ordered.offset(page * per_page).limit(per_page))
    return BodycamPage(
        records=list(rows.scalars()),
        total=sum(counts.values()),
        counts=counts,
        page=page,
        per_page=per_page,
    )


# ---------------------------------------------------------------- additions for /bodycam

Facet = Literal["status", "state", "component"]
# A record's key is '<city key>-<state>-<component>'; this is the part after the city key.
_KEY_TAIL = re.compile("[a-z]{2}-(" + "|".join(re.escape(c.value.lower()) for c in Component) + ")")
_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP US"
)
STATE_CODES = frozenset(_STATES.split())  # states, DC, territories, and US for nationwide


def state_code(text: str) -> str:
    """'mn' → 'MN'; anything but a US state, DC, a territory or US (nationwide) is refused."""
    code = text.strip().upper()
    if code not in STATE_CODES:
        raise InvalidInput.one(
            "state",
            f"'{text.strip()[:20]}' is not a state code; use two letters such as MN or TX "
            "(DC, PR and other territories work too; US means nationwide)",
        )
    return code


async def first_recorded(
    session: AsyncSession, scope: Scope, wanted: str, state: str | None = None
) -> dt.date | None:
    """The earliest day any of the city's records took effect (its first create revision)."""
    in_scope: ColumnElement[bool] = col(Revision.guild_id).is_(None)
    if scope.guild_id is not None:
        in_scope = or_(in_scope, col(Revision.guild_id) == scope.guild_id)
    query = select(col(Revision.record_key), col(Revision.effective_on)).where(
        col(Revision.record_kind) == "bodycam",
        col(Revision.action) == "create",
        col(Revision.record_key).startswith(f"{wanted}-"),
        in_scope,
    )
    days = [
        day
        for key, day in (await session.execute(query)).all()
        # 'minneapolis-' also starts 'minneapolis-heights-…': keep this city's keys only.
        if _KEY_TAIL.fullmatch(tail := key[len(wanted) + 1 :]) and state in (None, tail[:2].upper())
    ]
    return min(days, default=None)


def _filtered(
    scope: Scope,
    status: CameraStatus | str | None = None,
    state: str | None = None,
    component: str | None = None,
) -> Any:
    query = visible(BodycamDeployment, scope)
    if status is not None:
        query = query.where(col(BodycamDeployment.status) == CameraStatus(status).value)
    if state:
        query = query.where(col(BodycamDeployment.state) == state.upper())
    if component:
        query = query.where(col(BodycamDeployment.component) == component)
    return query


async def counts_by(
    session: AsyncSession,
    scope: Scope,
    facet: Facet,
    *,
    status: CameraStatus | str | None = None,
    state: str | None = None,
    component: str | None = None,
) -> dict[str, int]:
    """How many visible records have each status / state / component, under the other filters
    (what an empty list offers instead)."""
    sub = _filtered(scope, status, state, component).subquery()
    column = sub.c[facet]
    rows = await session.execute(select(column, func.count()).group_by(column).order_by(column))
    return {value: count for value, count in rows.all()}


async def camera_funding_of_each(
    session: AsyncSession, scope: Scope, components: Sequence[str]
) -> dict[str, list[FundingLine]]:
    """Per component, the funding lines for body cameras that cover its agency (ICE for
    ICE-ERO, …) or all of DHS, newest fiscal year first ('other' gets every camera line): one
    read for all of them (a city's records)."""
    text = or_(
        func.lower(col(FundingLine.purpose)).like("%camera%"),
        func.lower(col(FundingLine.account)).like("%camera%"),
    )
    query = visible(FundingLine, scope).where(text)
    query = query.order_by(col(FundingLine.fiscal_year).desc(), col(FundingLine.key))
    lines = list((await session.execute(query)).scalars())
    return {component: _covering(lines, component) for component in components}


def _covering(lines: list[FundingLine], component: str) -> list[FundingLine]:
    if component == Component.other:
        return lines
    agency = re.compile(rf"\b({re.escape(component.split('-')[0].upper())}|DHS)\b")
    return [line for line in lines if agency.search(line.component.upper())]
