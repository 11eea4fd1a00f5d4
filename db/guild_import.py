"""Importing into a guild, measured against the shared records the guild sees.

A record the file repeats exactly as the shared dataset has it (and the guild has no copy of) is
left out, so it stays shared and keeps receiving the owners' updates; a record that differs
becomes the guild's own complete copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from db.changes import field_diff, own_rows, plain_values, proposed, validate
from db.engine import Database
from db.errors import InvalidInput
from db.scope import Scope
from db.transfer import ParsedRecord


@dataclass
class GuildImport:
    """A file's records as they apply to a guild that also sees the shared dataset.

    `records` is what to apply: a record the file repeats exactly as the shared dataset has it
    (and the guild has no copy of) is left out, so it stays shared; a record that differs from the
    shared one carries the shared record's values under the file's, so the guild's own copy is
    complete. `copies` maps those records' rows to their changes against the shared record."""

    records: list[ParsedRecord]
    unchanged_shared: int = 0
    copies: dict[int, dict[str, list[Any]]] = field(default_factory=dict)


async def against_shared(db: Database, scope: Scope, records: list[ParsedRecord]) -> GuildImport:
    """Measure a guild's import against the shared records it sees (no change for the shared
    dataset itself). Records that do not validate are passed through for plan_import to report."""
    if scope.is_shared:
        return GuildImport(list(records))
    keyed: list[tuple[ParsedRecord, str | None]] = []
    for record in records:
        try:
            keyed.append((record, validate(record.kind, record.values).key))
        except InvalidInput:
            keyed.append((record, None))
    wanted = {(r.kind, key) for r, key in keyed if key}
    async with db.session() as session:
        own = await own_rows(session, scope, wanted)
        shared = await own_rows(session, Scope.shared(), wanted - set(own))
    result = GuildImport([])
    for record, key in keyed:
        base = shared.get((record.kind, key)) if key else None
        if base is None:
            result.records.append(record)
            continue
        try:
            diff = field_diff(*proposed(base, record.values))
        except InvalidInput:
            result.records.append(record)
            continue
        if not diff:
            result.unchanged_shared += 1
            continue
        values = {**plain_values(base), **record.values}
        result.records.append(replace(record, values=values))
        result.copies[record.row] = diff
    return result
