"""Links between records (a city ↔ a funding line ↔ a question), read from either end."""

from __future__ import annotations

from collections.abc import Sequence
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
    return (await related_to_each(session, scope, kind, [key]))[key]


async def related_to_each(
    session: AsyncSession, scope: Scope, kind: str, keys: Sequence[str]
) -> dict[str, list[Related]]:
    """`related` for several records of one kind in one read per kind of record at the other
    end (a city's ten records: three statements, not thirty)."""
    wanted = set(keys)
    link_query = visible(RecordLink, scope).where(
        or_(
            and_(col(RecordLink.a_kind) == kind, col(RecordLink.a_key).in_(wanted)),
            and_(col(RecordLink.b_kind) == kind, col(RecordLink.b_key).in_(wanted)),
        )
    )
    ends: dict[str, set[tuple[str, str]]] = {key: set() for key in wanted}
    for link in (await session.execute(link_query)).scalars():
        a, b = (link.a_kind, link.a_key), (link.b_kind, link.b_key)
        if a[0] == kind and a[1] in wanted:
            ends[a[1]].add(b)
        if b[0] == kind and b[1] in wanted:
            ends[b[1]].add(a)
    by_kind: dict[str, set[str]] = {}
    for other_kind, other_key in {end for linked in ends.values() for end in linked}:
        by_kind.setdefault(other_kind, set()).add(other_key)
    rows: dict[tuple[str, str], Related] = {}
    for other_kind, other_keys in by_kind.items():
        table: Any = RECORD_TABLES[other_kind]
        query = visible(table, scope).where(table.key.in_(other_keys))
        for r in (await session.execute(query)).scalars():
            rows[(other_kind, r.key)] = Related(other_kind, r.key, label_of(other_kind, r), r)
    found = {key: [rows[end] for end in ends[key] if end in rows] for key in wanted}
    if kind == "measure":
        rule = col(OversightQuestion.due_rule_measure_key)
        followers = await session.execute(visible(OversightQuestion, scope).where(rule.in_(wanted)))
        for q in followers.scalars():
            key = q.due_rule_measure_key
            assert key is not None  # the query asked for it
            if all((r.kind, r.key) != ("question", q.key) for r in found[key]):
                found[key].append(Related("question", q.key, label_of("question", q), q))
    return {key: sorted(found[key], key=lambda r: (r.kind, r.key)) for key in keys}


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
