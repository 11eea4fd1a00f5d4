"""Tenancy: who sees what. Every read and write names its scope; there is no query without one."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased


@dataclass(frozen=True, slots=True)
class Scope:
    """The shared dataset (guild_id None) or one guild, which also sees the shared dataset."""

    guild_id: int | None

    @classmethod
    def shared(cls) -> Scope:
        return cls(None)

    @classmethod
    def guild(cls, guild_id: int) -> Scope:
        return cls(guild_id)

    @property
    def is_shared(self) -> bool:
        return self.guild_id is None

    def __str__(self) -> str:
        return "shared dataset" if self.guild_id is None else f"guild {self.guild_id}"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who writes: a Discord user (id and name) or a tool such as the CLI, an import or the seed."""

    name: str
    id: int | None = None


@functools.lru_cache(maxsize=4096)
def visible(table: Any, scope: Scope) -> Select[Any]:
    """Rows of `table` the scope can see: its own, plus shared ones it has not replaced.

    A guild's record with the same key as a shared one is that guild's own version of it, shown in
    place of the shared record in that guild only.

    Cached: building this (an aliased table, an EXISTS) cost ~450 µs a call, more than running the
    query. A Select is immutable (every .where() makes a new one), so sharing it is safe.
    """
    if scope.guild_id is None:
        return select(table).where(table.guild_id.is_(None))
    own = aliased(table)
    replaced = exists().where(and_(own.guild_id == scope.guild_id, own.key == table.key))
    return select(table).where(
        or_(table.guild_id == scope.guild_id, and_(table.guild_id.is_(None), ~replaced))
    )
