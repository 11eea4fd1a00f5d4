"""The visual language shared by every kind: colours, confidence, sources, footers, limits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import discord

from db.dates import discord_timestamp, format_date
from db.kinds import CONFIDENCE_LABELS, CONFIDENCE_REASONS
from db.models import Confidence

# Discord's documented limits (https://discord.com/developers/docs/resources/message#embed-limits)
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBEDS_PER_MESSAGE = 10
MESSAGE_EMBED_TEXT = 6000
PAGE_FOOTER_RESERVE = 40  # room for " · page 12 of 345", added by the paginator after grouping
CONTENT_LIMIT = 2000

BRAND = discord.Colour.from_rgb(34, 82, 140)
GREEN = discord.Colour.from_rgb(46, 160, 67)
AMBER = discord.Colour.from_rgb(219, 154, 4)
RED = discord.Colour.from_rgb(207, 34, 46)
GREY = discord.Colour.from_rgb(110, 118, 129)
BLUE = discord.Colour.from_rgb(9, 105, 218)
PURPLE = discord.Colour.from_rgb(130, 80, 223)

_CONFIDENCE_ICONS = {
    Confidence.confirmed: "✅",
    Confidence.reported: "🟡",
    Confidence.disputed: "⚠️",
}
_CONFIDENCE_HINTS = {Confidence.reported: " (one secondary source)"}
CONFIDENCE_BADGES = {
    level.value: f"{icon} {CONFIDENCE_LABELS[level]}{_CONFIDENCE_HINTS.get(level, '')}"
    for level, icon in _CONFIDENCE_ICONS.items()
}
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters, marking the cut with an ellipsis (never silently)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def defang(text: str) -> str:
    """User text shown as typed, but with mention syntax broken so it cannot ping even where
    allowed_mentions is not in force (an embed copied elsewhere)."""
    return _MENTION.sub(lambda m: m.group(0).replace("@", "@\u200b").replace("<", "<\u200b"), text)


def when(day: dt.date | dt.datetime | None, style: str = "D") -> str:
    """A Discord timestamp each reader sees in their own time zone; 'unknown' when missing."""
    return discord_timestamp(day, style) if day is not None else "unknown"


def when_relative(day: dt.date | None) -> str:
    return f"{when(day)} ({when(day, 'R')})" if day is not None else "unknown"


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def money(amount: int | None) -> str:
    """Whole dollars: $20,000,000; '—' when not known."""
    return f"${amount:,}" if amount is not None else "—"


# Official publishers: what they print is the source itself (a bill's text, a public law).
_PRIMARY_HOSTS = re.compile(r"(^|\.)(govinfo\.gov|congress\.gov|[a-z-]+\.(gov|mil))$")


def _field(source: Any, name: str) -> Any:
    return source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)


def is_primary(source: Any) -> bool:
    """A source published by the government itself at a deep link (a bill text on GovInfo),
    not a home page and not a news outlet."""
    url = deep_link(_field(source, "url"))
    return bool(url and _PRIMARY_HOSTS.search((urlsplit(url).hostname or "").lower()))


def confidence_reason(confidence: str, sources: Sequence[Any]) -> str:
    """Why the record has its confidence, from its sources: a primary source, several sources,
    or one secondary source."""
    if confidence == "disputed":
        return CONFIDENCE_REASONS["conflict"]
    if not sources:
        return CONFIDENCE_REASONS["unsourced"]
    secondary = [source for source in sources if not is_primary(source)]
    if confidence == "confirmed":
        if len(secondary) < len(sources):
            return CONFIDENCE_REASONS["primary"]
        return CONFIDENCE_REASONS["several" if len(sources) > 1 else "one_secondary"]
    # Reported: what it rests on is secondary (a primary source beside it backs another point).
    return CONFIDENCE_REASONS["secondary" if len(secondary) > 1 else "one_secondary"]


def confidence_text(confidence: str, note: str | None, sources: Sequence[Any] | None = None) -> str:
    """'✅ Confirmed (primary source)', '🟡 Reported (one secondary source)', '⚠️ Disputed: <what
    conflicts>'. Without `sources`, the badge alone (callers that do not pass them)."""
    confidence = str(confidence)
    if confidence == "disputed":
        badge = CONFIDENCE_BADGES["disputed"]
        return f"{badge}: {defang(note)}" if note else f"{badge}: {CONFIDENCE_REASONS['conflict']}"
    if sources is None:
        return CONFIDENCE_BADGES.get(confidence, confidence)
    icon = _CONFIDENCE_ICONS.get(Confidence(confidence), "") if confidence in _LEVELS else ""
    label = CONFIDENCE_LABELS.get(confidence, confidence)
    return f"{icon} {label} ({confidence_reason(confidence, sources)})".strip()


_LEVELS = {level.value for level in Confidence}


def deep_link(url: Any) -> str | None:
    """The address when it points at the item itself; None for a bare home page
    ('https://punchbowl.news/'), which would be presented as the source without being it."""
    if not url:
        return None
    text = str(url)
    parts = urlsplit(text)
    return text if parts.path.strip("/") or parts.query else None


def source_line(source: Mapping[str, Any]) -> str:
    """'[Deseret News](https://…/article) · Jan 20, 2026'; a source without a deep link shows
    outlet and date without a link ('Punchbowl News · Jun 3, 2026')."""
    outlet = defang(str(source.get("outlet") or "source"))
    url = deep_link(source.get("url"))
    text = f"[{outlet}]({url})" if url else outlet
    published = as_date(source.get("published"))
    return f"{text} · {format_date(published)}" if published else text


def sources_value(sources: Sequence[Mapping[str, Any]], limit: int = FIELD_VALUE_LIMIT) -> str:
    """Every source on its own line, as many as fit; the rest counted, never dropped silently."""
    if not sources:
        return "No source recorded."
    lines: list[str] = []
    for index, source in enumerate(sources):
        line = f"• {source_line(source)}"
        remaining = len(sources) - index - 1
        more = f"\n… and {remaining} more" if remaining else ""
        if len("\n".join([*lines, line])) + len(more) > limit:
            lines.append(f"… and {len(sources) - index} more")
            break
        lines.append(line)
    return clip("\n".join(lines), limit)


def footer_text(as_of: Any, sources: Sequence[Any], *, extra: str = "") -> str:
    """'as of Feb 2, 2026 · 2 sources' (footers cannot show Discord timestamps)."""
    day = as_date(as_of)
    count = len(sources)
    parts = [f"as of {format_date(day)}" if day else "as of: unknown"]
    parts.append(f"{count} source{'s' if count != 1 else ''}")
    if extra:
        parts.append(extra)
    return clip(" · ".join(parts), FOOTER_LIMIT)


def add_field(embed: discord.Embed, name: str, value: str, *, inline: bool = False) -> None:
    """Add a field within the limits; empty values become '—' (Discord rejects empty fields)."""
    if len(embed.fields) >= FIELDS_PER_EMBED:
        raise ValueError("too many fields for one embed; paginate")
    embed.add_field(
        name=clip(name, FIELD_NAME_LIMIT) or "—",
        value=clip(value, FIELD_VALUE_LIMIT) or "—",
        inline=inline,
    )


def embed_text_length(embed: discord.Embed) -> int:
    """What counts toward Discord's 6,000 characters per message."""
    total = len(embed.title or "") + len(embed.description or "")
    total += len(embed.footer.text or "") + len(embed.author.name or "")
    return total + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def messages_of(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages that each respect the 10-embed and 6,000-character limits."""
    pages: list[list[discord.Embed]] = [[]]
    used = 0
    for embed in embeds:
        size = embed_text_length(embed)
        full = used + size + PAGE_FOOTER_RESERVE > MESSAGE_EMBED_TEXT
        if pages[-1] and (full or len(pages[-1]) == EMBEDS_PER_MESSAGE):
            pages.append([])
            used = 0
        pages[-1].append(embed)
        used += size
    return [page for page in pages if page]


def page_footer(embed: discord.Embed, page: int, pages: int) -> discord.Embed:
    """The embed with 'page N of M' appended to its footer when there is more than one page: a
    copy, so a page shown again (or an answer kept in a cache) never collects a second one."""
    if pages <= 1:
        return embed
    text = embed.footer.text or ""
    marked = embed.copy()
    marked.set_footer(
        text=clip(f"{text} · page {page + 1} of {pages}".lstrip(" ·"), FOOTER_LIMIT),
        icon_url=embed.footer.icon_url,
    )
    return marked
