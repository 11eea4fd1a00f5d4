"""A digest as embeds (pure): changes, deadlines, the funding line and stale records, each section
listing its first entries and counting the rest, within Discord's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.render.approps import vehicle_text
from bot.render.changes import news_line
from bot.render.common import (
    AMBER,
    BRAND,
    FIELD_VALUE_LIMIT,
    GREEN,
    RED,
    add_field,
    clip,
    defang,
    when,
)
from bot.render.history import _summary, actor_text, label_from_changes, record_title
from bot.render.oversight import UNCERTAIN, every_text
from db.digests import ChangeLine, Digest
from db.kinds import KINDS
from db.models import OversightQuestion

ACTIONS = {"create": "added", "update": "updated", "delete": "deleted", "undo": "undone"}


def listed(
    lines: Sequence[str], total: int, limit: int = FIELD_VALUE_LIMIT, *, more: bool = False
) -> str:
    """As many lines as fit in `limit`, then '… and M more' counting the rest of `total` ('M+'
    when `more`: the total is a lower bound)."""
    plus = "+" if more else ""
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = total - index - 1
        tail = f"\n… and {rest:,}{plus} more" if rest or more else ""
        if len("\n".join([*shown, line])) + len(tail) > limit:
            break
        shown.append(line)
    rest = total - len(shown)
    if rest or more:
        shown.append(f"… and {rest:,}{plus} more")
    return "\n".join(shown) or "—"


def change_line(change: ChangeLine) -> str:
    """'• <time> **Trackton, TX · ICE-ERO**: Status: Announced → Full · by <@1001> · shared'; a
    new bill action as its change post tells it: '• <time> **Mar 27, 2026**: H.R. 7147 passed
    the Senate 71-29 (roll call 47) · by Congress.gov · shared'."""
    kind = change.record_kind
    where = " · shared" if change.shared else ""
    by = actor_text(change.actor_name, change.actor_id)
    recorded = when(change.recorded_at, "f")
    if (news := news_line(kind, change.action, change.changes)) is not None:
        return clip(f"• {recorded} {news} · by {by}{where}", 300)
    # A record deleted since has no label now: its create or delete revision still names it.
    label = change.label or label_from_changes(kind, change.changes)
    name = clip(defang(record_title(kind, change.record_key, label)), 90)
    if change.action in ("update", "rule"):
        what = _summary(change.changes, "update", kind=kind)
    else:
        what = ACTIONS.get(change.action, change.action)
    return clip(f"• {recorded} **{name}**: {what} · by {by}{where}", 300)


def question_line(
    question: OversightQuestion, today_ordinal: int, *, uncertain: bool = False
) -> str:
    due = question.due_date
    days = (
        f" · {today_ordinal - due.toordinal()} days late"
        if due and due.toordinal() < today_ordinal
        else ""
    )
    if uncertain:  # past due, but the basis is disputed: no count of days late
        days = f" · {UNCERTAIN}"
    whom = defang(question.addressed_to)
    text = clip(defang(" ".join(question.question.split())), 80)
    every = f" ({every_text(question.repeat_months)})" if question.repeat_months else ""
    return clip(
        f"• **{defang(question.key)}**: {text} · due {when(due)}{every}{days} · to {whom}", 300
    )


def funding_text(digest: Digest) -> str:
    status = digest.funding
    if status is None:
        return "No appropriations records."
    year, period = status.fiscal_year, status.period
    prefix = ""
    if status.requested_year is not None:
        prefix = f"No FY{status.requested_year} records yet; the latest year is FY{year}. "
    return prefix + _state_text(status, year, period)


def _state_text(status: Any, year: int, period: Any) -> str:
    if status.year_over:
        last = status.periods[-1] if status.periods else None
        if last is None:
            return f"FY{year} is over; no funding periods were recorded."
        ended = when(last.end_date) if last.end_date else "with no end date recorded"
        disputed = " (disputed)" if str(last.confidence) == "disputed" else ""
        kind = "funded" if str(last.period_type) == "funded" else "lapse"
        return f"FY{year} is over; its last recorded period ({kind}) ended {ended}{disputed}."
    if status.state == "not_started":
        return f"FY{year} has not started."
    if status.state == "funded" and period is not None:
        vehicle = vehicle_text(status.vehicle, period.measure_key)
        if period.end_date is None:
            return f"✅ FY{year}: funded by {vehicle}, no end date recorded."
        left = f"{status.days} day{'s' if status.days != 1 else ''} left"
        return f"✅ FY{year}: funded through {when(period.end_date)} by {vehicle} ({left})."
    if status.state == "lapsed" and period is not None:
        return f"🔴 FY{year}: funding lapsed {when(period.start_date)} (day {status.days})."
    return f"❔ FY{year}: no recorded funding period covers {when(status.on)}."


def digest_embeds(digest: Digest, *, title: str = "Oversight digest") -> list[discord.Embed]:
    """The digest in one embed (each section within its field limit, so always < 6,000)."""
    colour = RED if digest.overdue_count else AMBER if digest.due_soon_count else GREEN
    if colour == GREEN and digest.uncertain_count:
        colour = AMBER
    if digest.is_empty:
        colour = BRAND
    embed = discord.Embed(title=title, colour=colour)
    count = f"{digest.change_count:,}{'+' if digest.more_changes else ''}"
    embed.description = (
        f"Since {when(digest.since, 'f')} · {count} change"
        f"{'s' if digest.change_count != 1 else ''}"
        + ("\nNothing new, nothing due, nothing stale." if digest.is_empty else "")
    )
    if digest.change_count:
        lines = [change_line(c) for c in digest.changes]
        shown = listed(lines, digest.change_count, more=digest.more_changes)
        add_field(embed, f"Changes ({count})", shown)
    today = digest.today.toordinal()
    if digest.overdue_count:
        lines = [question_line(q, today) for q in digest.overdue]
        add_field(
            embed, f"🔴 Overdue ({digest.overdue_count})", listed(lines, digest.overdue_count)
        )
    if digest.uncertain_count:
        lines = [question_line(q, today, uncertain=True) for q in digest.uncertain]
        name = f"⚠️ Deadline uncertain, basis disputed ({digest.uncertain_count})"
        add_field(embed, name, listed(lines, digest.uncertain_count))
    if digest.due_soon_count:
        lines = [question_line(q, today) for q in digest.due_soon]
        name = f"⏳ Due within {digest.due_days} days ({digest.due_soon_count})"
        add_field(embed, name, listed(lines, digest.due_soon_count))
    add_field(embed, "Funding", funding_text(digest))
    if digest.stale:
        lines = []
        for stale in digest.stale:
            oldest = ", ".join(
                f"{clip(defang(record_title(stale.kind, r.key, r.label)), 60)} ({when(r.as_of)})"
                for r in stale.oldest
            )
            more = " …" if stale.count > len(stale.oldest) else ""
            kind = KINDS[stale.kind].heading if stale.kind in KINDS else stale.kind
            lines.append(clip(f"• {kind}: {stale.count} — oldest {oldest}{more}", 400))
        name = f"🕰️ Not updated in {digest.stale_days} days ({digest.stale_count})"
        add_field(embed, name, listed(lines, len(lines)))
    embed.set_footer(text="Times are shown in your own time zone")
    return [embed]
