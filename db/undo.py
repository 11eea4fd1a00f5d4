"""Undoing one revision, as a new revision written in one transaction.

- An update (or a rule's or an earlier undo's field changes) is reverted field by field to its old
  values: a revision with action 'undo'.
- A create is undone by deleting the record, a delete by re-creating the record with its old
  values. These keep the actions 'delete' and 'create' (db.history rebuilds past states from
  those two actions), like every undo with `undoes_revision_id` set and the reason 'undo of #N'.

The undo takes effect on the undone revision's effective date, so as-of queries see the mistaken
change as never having happened. It is refused, naming the later revisions and their fields, when a
later revision changed the same fields of the same record (for a create: any later change, since
deleting the record would discard it). Only the scope's own revisions can be undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.changes import Writer
from db.engine import Database
from db.errors import DomainError, NotFound, ScopeError
from db.models import RECORD_TABLES, Revision
from db.scope import Actor, Scope

CANDIDATES = 200  # newest revisions offered to autocomplete before filtering by what was typed


class UndoRefused(DomainError):
    """The revision cannot be undone as things stand; the message says why and what to do."""


@dataclass(frozen=True)
class UndoResult:
    """The revision undone and the new revision that undid it."""

    undone: Revision
    revision: Revision

    @property
    def outcome(self) -> str:
        """'reverted' (fields set back), 'deleted' (a create undone) or 'recreated'."""
        return {"create": "deleted", "delete": "recreated"}.get(self.undone.action, "reverted")


def _own(scope: Scope) -> Any:
    column = col(Revision.guild_id)
    return column.is_(None) if scope.guild_id is None else column == scope.guild_id


def _where(scope: Scope) -> str:
    return "the shared dataset" if scope.is_shared else "this server's records"


def revision_kind(revision: Revision) -> str:
    return {"create": "create", "delete": "delete"}.get(revision.action, "update")


async def load_revision(session: AsyncSession, scope: Scope, revision_id: int) -> Revision:
    """The scope's own revision `revision_id`: NotFound for another guild's (or none at all),
    ScopeError for the shared dataset's when the scope is a guild."""
    revision = await session.get(Revision, revision_id) if 0 < revision_id < 2**63 else None
    if revision is not None and revision.guild_id == scope.guild_id:
        return revision
    if revision is not None and revision.guild_id is None:
        raise ScopeError(
            f"Revision #{revision_id} changed the shared dataset; only the bot's owners can undo "
            "it (with dataset: shared). Change the record instead to keep your office's own copy."
        )
    raise NotFound(
        f"No revision #{revision_id} in {_where(scope)}. Pick one from the list, or find its "
        "number with /admin history."
    )


async def later_revisions(session: AsyncSession, revision: Revision) -> list[Revision]:
    """Revisions of the same record written after `revision`, up to its deletion (SQLite may give
    a later record the id of a deleted one: that is another record)."""
    guild = col(Revision.guild_id)
    query = (
        select(Revision)
        .where(
            col(Revision.record_kind) == revision.record_kind,
            col(Revision.record_id) == revision.record_id,
            col(Revision.id) > revision.id,
            guild.is_(None) if revision.guild_id is None else guild == revision.guild_id,
        )
        .order_by(col(Revision.id))
    )
    found: list[Revision] = []
    if revision.action == "delete":
        return found
    for later in (await session.execute(query)).scalars():
        if later.action == "create":
            break  # a new record that reused the id
        found.append(later)
        if later.action == "delete":
            break
    return found


def _named(revisions: Sequence[Revision], fields: set[str] | None = None) -> str:
    """'#14 (status, notes), #15 (deleted)'."""
    parts = []
    for later in revisions:
        if later.action == "delete":
            parts.append(f"#{later.id} (deleted the record)")
            continue
        names = [name for name in later.changes if fields is None or name in fields]
        parts.append(f"#{later.id} ({', '.join(names) or 'no fields'})")
    return ", ".join(parts)


async def _refusal(writer: Writer, revision: Revision) -> str | None:
    """Why `revision` cannot be undone now, or None."""
    session = writer.session
    query = select(col(Revision.id)).where(col(Revision.undoes_revision_id) == revision.id)
    undone_by = (await session.execute(query.limit(1))).scalar_one_or_none()
    if undone_by is not None:
        return f"#{revision.id} was already undone by #{undone_by}."
    kind = revision_kind(revision)
    later = await later_revisions(session, revision)
    what = f"{revision.record_kind} {revision.record_key}"
    if kind == "create" and later:
        return (
            f"Undoing #{revision.id} would delete {what}, but later revisions changed it: "
            f"{_named(later)}. Undo those first (newest first)."
        )
    if kind == "update":
        deleted = [r for r in later if r.action == "delete"]
        if deleted:
            return (
                f"{what} was deleted by #{deleted[0].id} after #{revision.id}. Undo "
                f"#{deleted[0].id} first to bring it back."
            )
        fields = set(revision.changes)
        clashing = [r for r in later if fields & set(r.changes)]
        if clashing:
            return (
                f"Later revisions changed the same fields of {what}: "
                f"{_named(clashing, fields)}. Undo those first (newest first), or change the "
                "record directly."
            )
    if kind == "delete":
        key = revision.changes.get("key", [revision.record_key])[0]
        if await writer.find(revision.record_kind, key) is not None:
            made = await _created_since(session, revision, key)
            since = f" (#{made})" if made is not None else ""
            return (
                f"Undoing #{revision.id} would re-create {revision.record_kind} {key}, but a "
                f"record with that key exists again{since}. Change that record instead."
            )
    return None


async def _created_since(session: AsyncSession, revision: Revision, key: str) -> int | None:
    guild = col(Revision.guild_id)
    query = (
        select(col(Revision.id))
        .where(
            col(Revision.record_kind) == revision.record_kind,
            col(Revision.record_key) == key,
            col(Revision.action) == "create",
            col(Revision.id) > revision.id,
            guild.is_(None) if revision.guild_id is None else guild == revision.guild_id,
        )
        .order_by(col(Revision.id).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def undo(db: Database, scope: Scope, actor: Actor, revision_id: int) -> UndoResult:
    """Undo the scope's own revision `revision_id` as a new revision (see the module docstring);
    UndoRefused, NotFound or ScopeError (nothing written) when it cannot be undone."""
    async with db.writer(scope, actor, reason=f"undo of #{revision_id}") as writer:
        session = writer.session
        revision = await load_revision(session, scope, revision_id)
        table: Any = RECORD_TABLES[revision.record_kind]
        current = await session.get(table, revision.record_id)
        if current is not None and current.guild_id == revision.guild_id:
            # Edits of the record wait from here on, and the check below sees every one that
            # committed before: an undo and an edit never both apply to the same old values.
            await writer.lock_row(current)
        why = await _refusal(writer, revision)
        if why is not None:
            raise UndoRefused(why)
        kind = revision_kind(revision)
        if kind == "delete":
            old = {name: old for name, (old, _new) in revision.changes.items()}
            row = await writer.create(revision.record_kind, old, effective_on=revision.effective_on)
            new = await _latest(session, revision.record_kind, row.id, "create")
            new.undoes_revision_id = revision.id
            await session.flush()
        else:
            row = await session.get(table, revision.record_id)
            if row is None or row.guild_id != revision.guild_id:
                raise UndoRefused(f"{revision.record_kind} {revision.record_key} no longer exists.")
            if kind == "create":
                await writer.delete(
                    row, undoes_revision_id=revision.id, effective_on=revision.effective_on
                )
            else:
                old = {name: old for name, (old, _new) in revision.changes.items()}
                changed = await writer.update(
                    row,
                    old,
                    action="undo",
                    undoes_revision_id=revision.id,
                    effective_on=revision.effective_on,
                )
                if not changed:
                    raise UndoRefused(
                        f"{revision.record_kind} {revision.record_key} already has the values "
                        f"#{revision.id} replaced; nothing to undo."
                    )
            query = select(Revision).where(col(Revision.undoes_revision_id) == revision.id)
            new = (
                await session.execute(query.order_by(col(Revision.id).desc()).limit(1))
            ).scalar_one()
    return UndoResult(revision, new)


async def _latest(session: AsyncSession, kind: str, record_id: int, action: str) -> Revision:
    query = (
        select(Revision)
        .where(
            col(Revision.record_kind) == kind,
            col(Revision.record_id) == record_id,
            col(Revision.action) == action,
        )
        .order_by(col(Revision.id).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one()


async def recent_revisions(
    session: AsyncSession, scope: Scope, *, limit: int = CANDIDATES, including: int | None = None
) -> list[Revision]:
    """The scope's own newest revisions, newest first (plus revision `including` when it is the
    scope's own, however old)."""
    query = select(Revision).where(_own(scope)).order_by(col(Revision.id).desc()).limit(limit)
    found = list((await session.execute(query)).scalars())
    if including is not None and 0 < including < 2**63 and all(r.id != including for r in found):
        extra = await session.get(Revision, including)
        if extra is not None and extra.guild_id == scope.guild_id:
            found.insert(0, extra)
    return found
