"""Text search across every record kind the scope can see, best match first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    BodycamDeployment,
    FundingLine,
    Measure,
    OversightQuestion,
)
from db.scope import Scope, visible


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    snippet: str
    score: float
    command: str  # the slash command that shows the record


def _bodycam(row: BodycamDeployment) -> tuple[str, str, str]:
    title = f"{row.city}, {row.state} · {row.component}"
    return title, row.operation or row.notes or "", f"/bodycam city city:{row.city}, {row.state}"


def _question(row: OversightQuestion) -> tuple[str, str, str]:
    return (
        f"{row.key}: {row.asked_by} → {row.addressed_to}",
        row.question,
        f"/oversight show question:{row.key}",
    )


def _measure(row: Measure) -> tuple[str, str, str]:
    return f"{row.label} — {row.title}", row.notes or "", f"/approps bill bill:{row.key}"


def _line(row: FundingLine) -> tuple[str, str, str]:
    title = f"FY{row.fiscal_year} {row.component}: {row.purpose or row.account}"
    return title, row.notes or "", f"/approps lines fiscal_year:{row.fiscal_year}"


# kind → (table, searched columns, describe)
_KINDS: dict[str, tuple[Any, tuple[str, ...], Any]] = {
    "bodycam": (
        BodycamDeployment,
        ("city", "state", "component", "operation", "notes", "court_case"),
        _bodycam,
    ),
    "question": (
        OversightQuestion,
        ("key", "question", "asked_by", "addressed_to", "component", "notes"),
        _question,
    ),
    "measure": (Measure, ("key", "title", "public_law", "notes"), _measure),
    "funding_line": (FundingLine, ("component", "account", "purpose", "notes"), _line),
}


def _terms(query: str) -> list[str]:
    return [term for term in re.findall(r"[\w.$-]+", query.lower()) if len(term) > 1][:8]


def _score(title: str, body: str, query: str, terms: list[str]) -> float:
    title_l, body_l, whole = title.lower(), body.lower(), query.lower().strip()
    score = 0.0
    if whole and whole in title_l:
        score += 10 + (5 if title_l.startswith(whole) else 0)
    for term in terms:
        if re.search(rf"\b{re.escape(term)}", title_l):
            score += 3
        elif term in title_l:
            score += 2
        if term in body_l:
            score += 1
    return score


async def search(session: AsyncSession, scope: Scope, query: str, *, limit: int = 25) -> list[Hit]:
    """Records whose text contains every word of `query`, ranked: the whole phrase in the title
    first, then words at word starts, then anywhere."""
    terms = _terms(query)
    if not terms:
        return []
    hits: list[Hit] = []
    for kind, (table, columns, describe) in _KINDS.items():
        statement = visible(table, scope)
        for term in terms:
            pattern = f"%{term}%"
            statement = statement.where(
                or_(
                    *(
                        func.lower(func.coalesce(getattr(table, c), "")).like(pattern)
                        for c in columns
                    )
                )
            )
        for row in (await session.execute(statement.limit(200))).scalars():
            title, body, command = describe(row)
            hits.append(
                Hit(kind, row.key, title, body[:300], _score(title, body, query, terms), command)
            )
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.key))
    return hits[:limit]
