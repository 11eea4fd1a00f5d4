"""Records and facts → Discord embeds, always inside Discord's limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import discord

from bot.render.common import BRAND, clip, defang
from db.calendar_events import CalendarStatus
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
    calendar: tuple[CalendarStatus, dt.datetime | None] | None = None,
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
    if calendar is not None:
        embed.add_field(name="Calendar events", value=calendar_text(*calendar), inline=False)
    return embed


def calendar_text(status: CalendarStatus, next_sync: dt.datetime | None) -> str:
    """'On · 12 scheduled · next sync in 14 minutes', 'Paused: the bot lacks Manage Events' or
    'Off'."""
    if not status.enabled:
        return "Off (`/calendar events on` makes deadlines this server's scheduled events)"
    if status.paused_reason:
        return f"Paused: {status.paused_reason}"
    parts = ["On", f"{status.scheduled} scheduled"]
    if next_sync is not None:
        parts.append(f"next sync {discord_timestamp(next_sync, 'R')}")
    return " · ".join(parts)


@dataclass(frozen=True)
class SyncStatus:
    """What /about says of the sync."""

    off_reason: str | None  # None: on
    followed: int
    last_success: dt.datetime | None
    last_error: str | None
    next_run: dt.datetime | None
    elsewhere: bool = False  # polled by another process (the one running shard 0)


def sync_text(sync: SyncStatus) -> str:
    """'On · 6 bills followed · last sync Dec 4, 2026 … · next …' or 'Off: no API key …'."""
    if sync.off_reason is not None:
        return f"Off: {sync.off_reason}. Bills change only when an editor records it."[:1024]
    on = "On (polled by the process running shard 0)" if sync.elsewhere else "On"
    parts = [f"{on} · {sync.followed} bill{'s' if sync.followed != 1 else ''} followed"]
    last = sync.last_success
    parts.append(f"last sync {discord_timestamp(last, 'R')}" if last else "not synced yet")
    if sync.next_run is not None:
        parts.append(f"next {discord_timestamp(sync.next_run, 'R')}")
    text = " · ".join(parts)
    if sync.last_error:
        text += f"\nLast error: {clip(defang(sync.last_error), 300)}"
    return text[:1024]


# Families in the order /help shows them: answers for staff first, then setting up channels,
# then the bot itself; /admin last (and only to editors). Unknown families go before /admin.
HELP_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Looking things up", ("approps", "bodycam", "oversight", "search", "cite")),
    ("Channel posts, digests and calendars", ("track", "digest", "calendar")),
    ("About the bot", ("about", "help")),
    ("Editing records (editors)", ("admin",)),
)
OTHER_SECTION = 2
HELP_PAGE_BUDGET = 5000  # per page: under the 6,000 of a message, with room for title and footer
HELP_FOOTER = (
    "Options in [brackets] are optional; type them in any order as name:value. Replies are "
    "private: share:true posts the answer in the channel for everyone."
)
# A value worth typing for an option, by name, for the generated examples.
SAMPLE_VALUES = {
    "bill": '"H.R. 7147"',
    "city": "Minneapolis",
    "question": "OQ-4",
    "record": "OQ-4",
    "query": "HSGAC",
    "fiscal_year": "2026",
    "days": "30",
    "schedule": '"weekdays 8:30"',
    "kind": "oversight",
    "subscription": "1",
    "state": "MN",
    "component": "ICE",
    "status": "full",
    "summary": '"Partial answer received"',
    "date": "2026-01-22",
    "start": "2026-10-01",
    "text": '"Passed the House"',
    "chamber": "house",
    "account": '"Operations and Support"',
    "type": "funded",
    "role": "@Staff",
    "file": "records.csv",
}


@dataclass(frozen=True)
class HelpOption:
    name: str
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class HelpEntry:
    name: str  # qualified, e.g. "approps status"
    description: str
    options: tuple[HelpOption, ...] = ()
    example: str | None = None  # typed as a staffer would; None: made from the options


def help_syntax(entry: HelpEntry) -> str:
    """`/bodycam city <city> [as_of] [share]`: required options in angle brackets."""
    parts = [f"/{entry.name}"]
    parts += [f"<{o.name}>" if o.required else f"[{o.name}]" for o in entry.options]
    return " ".join(parts)


def help_example(entry: HelpEntry) -> str:
    """The entry's own example, or one made of its required options (and, when it has none, its
    first optional one with a known sample value) as name:value."""
    if entry.example:
        return entry.example
    shown = [o for o in entry.options if o.required]
    if not shown:
        shown = [o for o in entry.options if o.name in SAMPLE_VALUES and o.name != "share"][:1]
    words = [f"/{entry.name}"]
    for option in shown:
        value = _sample(option)
        if " " in value and not value.startswith('"'):
            value = f'"{value}"'
        words.append(f"{option.name}:{value}")
    return " ".join(words)


def _sample(option: HelpOption) -> str:
    """A value the option accepts: one of its choices (the sample if it is one), else the
    sample for its name."""
    sample = SAMPLE_VALUES.get(option.name, "…")
    if option.choices:
        wanted = sample.strip('"').lower()
        return next((c for c in option.choices if c.lower() == wanted), option.choices[0])
    return sample


def _help_field(entry: HelpEntry) -> tuple[str, str]:
    lines = [entry.description]
    for option in entry.options:
        if option.name == "share":  # on most answers: the footer says what it does
            continue
        choices = f" ({', '.join(option.choices)})" if option.choices else ""
        lines.append(f"• `{option.name}` — {option.description}{choices}")
    lines.append(f"Example: `{help_example(entry)}`")
    value = "\n".join(lines)
    if len(value) > FIELD_VALUE_LIMIT:  # keep the example: drop option lines from the end
        keep = lines[:-1]
        while keep and len("\n".join([*keep, "…", lines[-1]])) > FIELD_VALUE_LIMIT:
            keep.pop()
        value = "\n".join([*keep, "…", lines[-1]])[:FIELD_VALUE_LIMIT]
    return clip(f"`{help_syntax(entry)}`", 256), value


def _rank(entry: HelpEntry) -> tuple[int, int, str]:
    """(section, family's place in it, name); a family no section names joins "About the bot",
    so a new command is never shown under the editors' heading nor hidden from staff."""
    family = entry.name.split()[0]
    for index, (_, families) in enumerate(HELP_SECTIONS):
        if family in families:
            return index, families.index(family), entry.name
    return OTHER_SECTION, len(HELP_SECTIONS[OTHER_SECTION][1]), entry.name


def help_pages(entries: list[HelpEntry], *, editor: bool) -> list[list[discord.Embed]]:
    """Every command with its options and an example, staff commands first, as pages of one
    embed each (a page never splits a command); /admin only when `editor`."""
    shown = [e for e in entries if editor or e.name.split()[0] != "admin"]
    pages: list[list[discord.Embed]] = []
    heading = None
    used = 0
    for entry in sorted(shown, key=_rank):
        section = HELP_SECTIONS[_rank(entry)[0]][0]
        name, value = _help_field(entry)
        cost = len(name) + len(value)
        embed = pages[-1][0] if pages else None
        if (
            embed is None
            or section != heading
            or used + cost > HELP_PAGE_BUDGET
            or len(embed.fields) == 25
        ):
            more = " (continued)" if section == heading else ""
            embed = discord.Embed(title=f"Commands: {section}{more}", colour=BRAND)
            pages.append([embed])
            heading, used = section, len(embed.title or "")
        embed.add_field(name=name, value=value, inline=False)
        used += cost
    if not pages:
        pages.append([discord.Embed(title="Commands", description="No commands.", colour=BRAND)])
    if not editor:
        pages[0][0].description = "Editors also see the /admin commands here."
    for page in pages:
        page[0].set_footer(text=HELP_FOOTER)
    return pages


def help_embeds(entries: list[HelpEntry], *, editor: bool = True) -> list[discord.Embed]:
    """Every help page's embeds in one list (at most 10), for callers that cannot page."""
    return [embed for page in help_pages(entries, editor=editor) for embed in page][:10]
