"""What the /admin tests share: revision counts, the newest revision, and a bot owner."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.client import OversightBot
from bot.config import Settings
from db.engine import Database
from db.models import Revision


def _database(source: Database | OversightBot) -> Database:
    return source.database if isinstance(source, OversightBot) else source


async def revision_count(source: Database | OversightBot) -> int:
    """How many revisions exist: a refused or rejected write must not change it."""
    async with _database(source).session() as session:
        return (await session.execute(select(func.count()).select_from(Revision))).scalar_one()


async def last_revision(source: Database | OversightBot) -> Revision:
    async with _database(source).session() as session:
        query = select(Revision).order_by(Revision.id.desc()).limit(1)  # type: ignore[union-attr]
        return (await session.execute(query)).scalar_one()


def with_owner(settings: Settings, owner_id: int) -> Settings:
    """Settings in which `owner_id` is one of the bot's owners (may edit the shared dataset)."""
    return settings.model_copy(
        update={"bot": settings.bot.model_copy(update={"owner_ids": (owner_id,)})}
    )
