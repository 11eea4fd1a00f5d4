"""Links between records (a city ↔ a funding line ↔ a question), read from either end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.changes import Change, Writer, validate
from db.errors import Duplicate, InvalidInput, options_named
from db.models import RECORD_TABLES, OversightQuestion, RecordLink, bill_label
from db.scope import Scope, find_visible, visible


@dataclass(frozen=True)
class Related:
    kind: str
    key: str
    label: str  # short, human: "OQ-4: Spend plan for …", "Minneapolis, MN · ICE-ERO"
    record: Any  # the row, for status and dates


def label_of(kind: str, row: Any) -> str:
    if kind == "bodycam":
        return f"{row.city}, {row.state} · {row.component}"
    if kind == "question":
        # Cut at 79 and mark it, with no space left before the mark ("where are they…").
        text = row.question if len(row.question) <= 80 else row.question[:79].rstrip() + "…"
        return f"{row.key}: {text}"
    if kind == "measure":
        return bill_label(row.bill_type, row.bill_number, row.title)
    if kind == "funding_line":
        return f"FY{row.fiscal_year} {row.component}: {row.purpose or row.account}"
    if kind == "funding_period":
        return f"FY{row.fiscal_year} {row.period_type} from {row.start_date.isoformat()}"
    if kind == "action":
        return f"{row.action_date.isoformat()} {row.chamber}: {row.text}"
    return f"{kind} {row.key}"


async def related(session: AsyncSession, scope: Scope, kind: str, key: str) -> list[Related]:
    """Records linked to (kind, key) that the scope can see, plus questions whose due rule
    follows the measure. Ordered by kind, then key."""
    link_query = visible(RecordLink, scope).where(
        or_(
            and_(col(RecordLink.a_kind) == kind, col(RecordLink.a_key) == key),
            and_(col(RecordLink.b_kind) == kind, col(RecordLink.b_key) == key),
        )
    )
    ends: set[tuple[str, str]] = set()
    for link in (await session.execute(link_query)).scalars():
        other = (
            (link.b_kind, link.b_key)
            if (link.a_kind, link.a_key) == (kind, key)
            else (
                link.a_kind,
                link.a_key,
            )
        )
        ends.add(other)
    found: list[Related] = []
    by_kind: dict[str, set[str]] = {}
    for other_kind, other_key in ends:
        by_kind.setdefault(other_kind, set()).add(other_key)
    for other_kind, keys in by_kind.items():
        table: Any = RECORD_TABLES[other_kind]
        rows = await session.execute(visible(table, scope).where(table.key.in_(keys)))
        found += [Related(other_kind, r.key, label_of(other_kind, r), r) for r in rows.scalars()]
    if kind == "measure":
        followers = await session.execute(
            visible(OversightQuestion, scope).where(
                col(OversightQuestion.due_rule_measure_key) == key
            )
        )
        known = {(r.kind, r.key) for r in found}
        found += [
            Related("question", q.key, label_of("question", q), q)
            for q in followers.scalars()
            if ("question", q.key) not in known
        ]
    return sorted(found, key=lambda r: (r.kind, r.key))


async def link_records(
    writer: Writer, record: tuple[str, str], other: tuple[str, str], note: str | None = None
) -> Change:
    """Link two visible records (in either order, one link); errors name `record`, `other`,
    `note`. A link the scope already sees is refused: nothing changed."""
    for option, (kind, key) in (("record", record), ("other", other)):
        if await find_visible(writer.session, writer.scope, kind, key) is None:
            raise InvalidInput.one(option, f"no {kind.replace('_', ' ')} '{key}' is visible here")
    if record == other:
        raise InvalidInput.one("other", "a record cannot be linked to itself; pick another one")
    values = {
        "a_kind": record[0],
        "a_key": record[1],
        "b_kind": other[0],
        "b_key": other[1],
        "as_of": writer.effective_on,
        "notes": note,
    }
    with options_named({"notes": "note"}):
        key = validate("link", values).key
    await writer.lock_key("link", key)
    if await find_visible(writer.session, writer.scope, "link", key) is not None:
        raise Duplicate(
            f"Those records are already linked ({record[0]} {record[1]} ↔ {other[0]} {other[1]}); "
            "nothing changed."
        )
    return await writer.save("link", values, key=key)
