"""The bills the Congress.gov sync follows (db side: no HTTP). A bill is followed when discovery
found it, an owner named it (/admin approps follow, `congress sync --bill`), or the shared dataset
has a numbered measure of it; an owner's unfollow keeps discovery from taking it up again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from db.appropriations import current_congress, parse_bill_number
from db.engine import Database
from db.errors import InvalidInput
from db.models import CongressFollow, Measure


@dataclass(frozen=True, order=True)
class BillRef:
    """A bill on Congress.gov: its congress, lower-case type and number."""

    congress: int
    bill_type: str
    number: int

    @property
    def key(self) -> str:
        return f"{self.congress}-{self.bill_type}{self.number}"

    def __str__(self) -> str:
        return f"{self.congress}/{self.bill_type}/{self.number}"

    @classmethod
    def parse(cls, text: str, *, today: dt.date) -> BillRef:
        """'119/hr/7147', '119-hr7147', 'H.R. 7147' (the current congress) and every other
        spelling db.appropriations.parse_bill_number reads; InvalidInput naming `bill` else."""
        typed = text.strip().replace("/", "-", 1).replace("/", "")
        number = parse_bill_number(typed) or parse_bill_number(text)
        if number is None or number.bill_type.value == "unnumbered":
            raise InvalidInput.one(
                "bill", f"'{text[:60]}' is not a bill: use CONGRESS/TYPE/NUMBER such as 119/hr/7147"
            )
        return cls(
            number.congress or current_congress(today), number.bill_type.value, number.number
        )


# ---------------------------------------------------------------- following


async def follow(
    db: Database, bills: Iterable[BillRef], *, source: str, followed_by: int | None = None
) -> bool:
    """Follow the bills (again, when an owner names one that was unfollowed). Discovery does not
    take up a bill an owner unfollowed. True if anything was added or re-activated."""
    added = False
    async with db.transaction() as session:
        for ref in bills:
            row = await _find(session, ref)
            if row is None:
                session.add(
                    CongressFollow(
                        congress=ref.congress,
                        bill_type=ref.bill_type,
                        number=ref.number,
                        source=source,
                        followed_by=followed_by,
                        followed_at=db.clock.now(),
                    )
                )
                added = True
            elif not row.active and source == "owner":
                row.active, row.source, row.followed_by = True, source, followed_by
                added = True
    return added


async def unfollow(db: Database, ref: BillRef) -> bool:
    """Stop following the bill (its records stay); False if it was not followed."""
    async with db.transaction() as session:
        row = await _find(session, ref)
        if row is None or not row.active:
            return False
        row.active = False
        return True


async def followed_bills(db: Database) -> list[BillRef]:
    """Every active follow, plus each shared numbered measure not unfollowed, in order."""
    async with db.session() as session:
        rows = list((await session.execute(select(CongressFollow))).scalars())
        query = select(
            col(Measure.congress), col(Measure.bill_type), col(Measure.bill_number)
        ).where(col(Measure.guild_id).is_(None), col(Measure.bill_number).is_not(None))
        measures = list((await session.execute(query)).all())
    stopped = {BillRef(r.congress, r.bill_type, r.number) for r in rows if not r.active}
    refs = {BillRef(r.congress, r.bill_type, r.number) for r in rows if r.active}
    refs |= {
        BillRef(c, str(t), n) for c, t, n in measures if n is not None and str(t) != "unnumbered"
    }
    return sorted(refs - stopped)


async def _find(session: Any, ref: BillRef) -> CongressFollow | None:
    query = select(CongressFollow).where(
        col(CongressFollow.congress) == ref.congress,
        col(CongressFollow.bill_type) == ref.bill_type,
        col(CongressFollow.number) == ref.number,
    )
    found: CongressFollow | None = (await session.execute(query)).scalar_one_or_none()
    return found


async def follow_row(db: Database, ref: BillRef) -> CongressFollow | None:
    async with db.session() as session:
        return await _find(session, ref)


async def mark_synced(
    db: Database, ref: BillRef, *, update_date: str | None = None, error: str | None = None
) -> None:
    """Remember what was synced of the bill (a followed measure gets its follow row here)."""
    async with db.transaction() as session:
        row = await _find(session, ref)
        if row is None:
            row = CongressFollow(
                congress=ref.congress,
                bill_type=ref.bill_type,
                number=ref.number,
                source="record",
                followed_at=db.clock.now(),
            )
            session.add(row)
        if update_date is not None:
            row.update_date, row.synced_at, row.error = update_date, db.clock.now(), None
        if error is not None:
            row.error = error[:500]


async def follow_counts(db: Database) -> tuple[int, int]:
    """(bills followed, of which synced at least once): for /about."""
    async with db.session() as session:
        active = col(CongressFollow.active).is_(True)
        total = select(func.count()).select_from(CongressFollow).where(active)
        synced = total.where(CongressFollow.synced_at.is_not(None))  # type: ignore[union-attr]  # SQLModel column
        return (await session.execute(total)).scalar_one(), (
            await session.execute(synced)
        ).scalar_one()
