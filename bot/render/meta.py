"""Records and facts → Discord embeds, always inside Discord's limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import discord

from bot.render.common import BRAND, clip, defang
from db.dates import discord_timestamp
from db.kinds import KINDS
from db.stats import Freshness

FIELD_VALUE_LIMIT = 1024
EMBED_TEXT_BUDGET = 5500  # under Discord's 6,000 per message, leaving room for titles and footers

ABOUT_TEXT = (
    "Tracks DHS appropriations, body-camera rollout by city, and oversight questions to DHS. "
    "Every fact carries its sources, an as-of date and a confidence (confirmed, reported or "
    "disputed), and every change is kept as a revision."
)
DATA_ORIGIN = (
    "A shared starter dataset compiled from public sources (congress.gov, govinfo.gov, the "
    "House Appropriations Committee, court records, news reporting), kept by the bot's owners. "
    "Each answer lists its own sources. Records your office adds are seen only in this server."
)


def count_phrase(kind: str, count: int) -> str:
    return KINDS[kind].count(count)


def tracking_text(states: list[tuple[str, str | None]]) -> str:
    """'2 active · 1 paused (channel deleted)': how this server's channel subscriptions stand."""
    if not states:
        return "No channel follows changes yet (`/track add`)."
    counts: dict[str, int] = {}
    for state, _reason in states:
        counts[state] = counts.get(state, 0) + 1
    parts = [f"{counts[s]} {s}" for s in ("active", "paused", "failed") if s in counts]
    reasons = sorted({reason for state, reason in states if state != "active" and reason})
    text = " · ".join(parts)
    if reasons:
        text += " — " + "; ".join(reasons[:3]) + ". See `/track list` to re-enable."
    return text[:1024]


def about_embed(
    version: str,
    data: Freshness,
    tracking: list[tuple[str, str | None]] | None = None,
    sync: SyncStatus | None = None,
) -> discord.Embed:
    embed = discord.Embed(title="Oversight Desk", description=ABOUT_TEXT, colour=BRAND)
    embed.add_field(name="Version", value=version, inline=True)
    changed = data.newest_change
    newest = (
        f"{discord_timestamp(changed, 'f')} ({discord_timestamp(changed, 'R')})"
        if changed
        else "no changes yet"
    )
    embed.add_field(name="Newest change", value=newest, inline=True)
    oldest = discord_timestamp(data.oldest_as_of, "D") if data.oldest_as_of else "no records yet"
    embed.add_field(name="Oldest as-of date", value=oldest, inline=True)
    counts = " · ".join(count_phrase(kind, n) for kind, n in data.counts.items() if n)
    embed.add_field(name=f"Records ({data.total})", value=counts or "none yet", inline=False)
    embed.add_field(name="Where the data comes from", value=DATA_ORIGIN, inline=False)
    if tracking is not None:
        embed.add_field(name="Change posts in this server", value=tracking_text(tracking))
    if sync is not None:
        embed.add_field(name="Live data from Congress.gov", value=sync_text(sync), inline=False)
    return embed


@dataclass(frozen=True)
class SyncStatus:
    """What /about says of the sync."""

    off_reason: str | None  # None: on
    followed: int
    last_success: dt.datetime | None
    last_error: str | None
    next_run: dt.datetime | None


def sync_text(sync: SyncStatus) -> str:
    """'On · 6 bills followed · last sync Dec 4, 2026 … · next …' or 'Off: no API key …'."""
    if sync.off_reason is not None:
        return f"Off: {sync.off_reason}. Bills change only when an editor records it."[:1024]
    parts = [f"On · {sync.followed} bill{'s' if sync.followed != 1 else ''} followed"]
    last = sync.last_success
    parts.append(f"last sync {discord_timestamp(last, 'R')}" if last else "not synced yet")
    if sync.next_run is not None:
        parts.append(f"next {discord_timestamp(sync.next_run, 'R')}")
    text = " · ".join(parts)
    if sync.last_error:
        text += f"\nLast error: {clip(defang(sync.last_error), 300)}"
    return text[:1024]


@dataclass(frozen=True)
class HelpEntry:
    name: str  # qualified, e.g. "approps status"
    description: str


def _chunks(lines: list[str], limit: int) -> Iterable[str]:
    """Join lines into blocks of at most `limit` characters, never splitting a line."""
    block: list[str] = []
    size = 0
    for line in lines:
        line = line[:limit]
        if block and size + len(line) + 1 > limit:
            yield "\n".join(block)
            block, size = [], 0
        block.append(line)
        size += len(line) + 1
    if block:
        yield "\n".join(block)


def help_embeds(entries: list[HelpEntry], *, today: dt.date | None = None) -> list[discord.Embed]:
    """Every command with its description, one field per command family, split over as many
    embeds as Discord's limits need (at most 10)."""
    families: dict[str, list[str]] = {}
    for entry in sorted(entries, key=lambda e: e.name):
        families.setdefault(entry.name.split()[0], []).append(
            f"`/{entry.name}` — {entry.description}"
        )
    embeds = [discord.Embed(title="Oversight Desk commands", colour=BRAND)]
    used = len(embeds[0].title or "")
    for family, lines in families.items():
        for part, value in enumerate(_chunks(lines, FIELD_VALUE_LIMIT)):
            name = f"/{family}" + (" (continued)" if part else "")
            cost = len(name) + len(value)
            if used + cost > EMBED_TEXT_BUDGET or len(embeds[-1].fields) == 25:
                embeds.append(discord.Embed(colour=BRAND))
                used = 0
            embeds[-1].add_field(name=name, value=value, inline=False)
            used += cost
    embeds[-1].set_footer(
        text="Options in [brackets] are optional. Replies are private unless "
        "you choose to share them."
    )
    return embeds[:10]
