"""The words that go with a chart (bot/render/charts.py): one plain sentence first, then every
figure the picture shows, so a screen reader gets the chart whole (within Discord's limits; the
rest counted). Pure: data in, embeds out, the image named by its attachment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import discord

from bot.render.approps import fit_lines
from bot.render.chart_facts import COLUMN_NAMES, TOP_LINES, TOP_ROWS, Band, bands, place_name
from bot.render.common import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    GREY,
    MESSAGE_EMBED_TEXT,
    PURPLE,
    TITLE_LIMIT,
    add_field,
    clip,
    defang,
    embed_text_length,
    money,
)
from db.appropriations import LINE_COLUMNS
from db.charts import BillTotal, CameraHistory, CameraRow, FundingBar, FundingSeries
from db.dates import format_date

# A column in a sentence: "House amounts for 6", "no requested or enacted amount".
AMOUNT_WORDS = {
    "requested": "requested",
    "house": "House",
    "senate": "Senate",
    "enacted": "enacted",
}
ALT_TEXT = 1000  # characters of an attachment's description (Discord allows 1,024)
FOOTER_ROOM = 300  # the footer's share of the message: source and as-of date
CAMERA_COLOUR = discord.Colour.from_rgb(0, 114, 178)  # Okabe-Ito blue, as the chart


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def _and(words: Sequence[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} {words[-1]}"


def footer(outlets: Sequence[str], as_of: dt.date | None) -> str:
    """'Source: Oversight Desk records (Roll Call; CRS and 2 more) · as of Jun 5, 2026' (an
    outlet named up to its first colon: some carry the article's title)."""
    text = "Source: Oversight Desk records"
    if outlets:
        named = [clip(outlet.split(":")[0], 60) for outlet in outlets[:3]]
        more = f" and {len(outlets) - 3} more" if len(outlets) > 3 else ""
        text += f" ({'; '.join(named)}{more})"
    day = format_date(as_of) if as_of else "unknown"
    return clip(defang(f"{text} · as of {day}"), FOOTER_ROOM)


def _finish(embed: discord.Embed, filename: str | None, foot: str) -> discord.Embed:
    if filename:
        embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text=foot)
    return embed


def _description_room(title: str, foot: str, limit: int, reserved: int = 0) -> int:
    return max(200, min(DESCRIPTION_LIMIT, limit - len(title) - len(foot) - reserved - 50))


# ---------------------------------------------------------------- funding


def funding_sentence(series: FundingSeries) -> str:
    """'FY2026 has 8 funding lines: House amounts for 6 and Senate amounts for 2; no requested
    or enacted amount is recorded.' (no markup: it reads the same wherever it is pasted)"""
    counts = {
        column: sum(line.amounts[index] is not None for line in series.lines)
        for index, column in enumerate(LINE_COLUMNS)
    }
    found = [f"{AMOUNT_WORDS[c]} amounts for {n:,}" for c, n in counts.items() if n]
    none = [AMOUNT_WORDS[c] for c, n in counts.items() if not n]
    text = f"FY{series.fiscal_year} has {_plural(len(series.lines), 'funding line')}"
    if not found:
        return text + ", and no amount is recorded for any of them."
    text += f": {_and(found)}"
    return text + (f"; no {_and(none, 'or')} amount is recorded." if none else ".")


def line_text(line: FundingBar) -> str:
    """'**ICE · Detention** (H.R. 1): Enacted about $45,000,000,000; not recorded: Requested,
    House, Senate', and what the rules say: a total, or money inside another line."""
    name = f"**{defang(f'{line.component} · {line.name}')}**"
    if line.bill:
        name += f" ({defang(line.bill)})"
    about = "about " if line.hedged else ""
    known = [
        f"{COLUMN_NAMES[c]} {about}{money(a)}"
        for c, a in zip(LINE_COLUMNS, line.amounts, strict=True)
        if a is not None
    ]
    missing = [
        COLUMN_NAMES[c] for c, a in zip(LINE_COLUMNS, line.amounts, strict=True) if a is None
    ]
    parts = ["; ".join(known)] if known else ["no amount recorded"]
    if known and missing:
        parts.append(f"not recorded: {', '.join(missing)}")
    if line.total:
        parts.append("a total of other lines")
    elif line.part:
        parts.append(f"part of {defang(line.account)}, not extra")
    return f"{name}: {'; '.join(parts)}"


def sum_text(total: BillTotal) -> str:
    """'H.R. 7147, 2 lines added: House $22,000,000 (leaves out 3 totals and 1 withheld within
    another line)'."""
    about = "about " if total.hedged else ""
    known = [
        f"{COLUMN_NAMES[c]} {about}{money(a)}"
        for c, a in zip(LINE_COLUMNS, total.amounts, strict=True)
        if a is not None
    ]
    left = []
    if total.totals_left_out:
        left.append(_plural(total.totals_left_out, "total"))
    if total.parts_left_out:
        left.append(f"{total.parts_left_out:,} withheld within another line")
    tail = f" (leaves out {_and(left)})" if left else ""
    amounts = "; ".join(known) or "nothing to add"
    return f"{defang(total.bill)}, {_plural(total.summed, 'line')} added: {amounts}{tail}"


def funding_embed(
    series: FundingSeries, filename: str | None, *, limit: int = MESSAGE_EMBED_TEXT
) -> discord.Embed:
    """The chart's figures in words: the answer, each line largest first, the sums per bill;
    `limit` characters in all (a digest leaves the chart what it does not use)."""
    title = clip(f"DHS funding lines · FY{series.fiscal_year} · chart", TITLE_LIMIT)
    foot = footer(series.outlets, series.as_of)
    notice = ""
    if series.requested_year is not None:
        notice = (
            f"No funding lines for FY{series.requested_year}; showing FY{series.fiscal_year}, "
            "the latest year with lines.\n"
        )
    drawn = len(series.top(TOP_LINES))
    chart = ""
    if filename and len(series.lines) > drawn:
        chart = f"\nThe chart draws the {drawn} largest; every line:"
    head = notice + funding_sentence(series) + chart
    sums = [sum_text(total) for total in series.sums]
    sums_value = fit_lines(sums, limit=min(FIELD_VALUE_LIMIT, max(200, limit // 6)))
    reserved = len("Sums per bill") + len(sums_value) if sums else 0
    room = _description_room(title, foot, limit, reserved) - len(head) - 1
    listing = fit_lines([line_text(line) for line in series.lines], " (see /approps lines)", room)
    embed = discord.Embed(
        title=title,
        description=clip(f"{head}\n{listing}", DESCRIPTION_LIMIT),
        colour=PURPLE if filename else GREY,
    )
    if sums:
        add_field(embed, "Sums per bill", sums_value)
    _finish(embed, filename, foot)
    if embed_text_length(embed) <= limit and not listing.startswith("…"):
        return embed
    # No room for a line (a full digest): the answer, and where every amount is in words.
    foot = clip(foot, max(60, limit // 5))
    where = f"\nEvery line's amounts: /approps chart fiscal_year:{series.fiscal_year}"
    text = clip(head + where, max(60, limit - len(title) - len(foot) - 10))
    compact = discord.Embed(title=title, description=text, colour=embed.colour)
    return _finish(compact, filename, foot)


def funding_alt(series: FundingSeries) -> str:
    """The picture described for a screen reader: 'Bar chart of FY2026 funding lines, the 8
    largest: DHS · Total discretionary, House $64,400,000,000; …'."""
    drawn = series.top(TOP_LINES)
    parts = []
    for line in drawn:
        about = "about " if line.hedged else ""
        amounts = ", ".join(
            f"{COLUMN_NAMES[c]} {about}{money(a)}"
            for c, a in zip(LINE_COLUMNS, line.amounts, strict=True)
            if a is not None
        )
        parts.append(f"{line.component} · {line.name}, {amounts}")
    which = f"the {len(drawn)} largest" if len(series.charted) > len(drawn) else "each"
    return clip(
        f"Bar chart of FY{series.fiscal_year} funding lines, {which}: {'; '.join(parts)}.", ALT_TEXT
    )


def no_funding_embed() -> discord.Embed:
    """No funding lines at all: said plainly, no chart."""
    text = "No funding lines recorded yet, for any fiscal year: nothing to chart."
    return discord.Embed(title="DHS funding lines · chart", description=text, colour=GREY)


# ---------------------------------------------------------------- body cameras


def band_text(band: Band) -> str:
    """'Announced from Jan 5, 2026 (in effect Mar 1, 2026, as the sources say)': the effective
    date the sources give, where it is not the day the status began."""
    text = f"{band.label} from {format_date(band.start)}"
    if band.marker is not None:
        text += f" (in effect {format_date(band.marker)}, as the sources say)"
    return text


def row_text(row: CameraRow) -> str:
    """'**Minneapolis, MN · ICE-ERO**: None known from Jan 24, 2026 → Full (announced, not
    counted) from Feb 2, 2026'; a stretch without a record reads 'no record from …'."""
    steps: list[str] = []
    row_bands = bands(row)
    for index, band in enumerate(row_bands):
        steps.append(band_text(band))
        following = row_bands[index + 1] if index + 1 < len(row_bands) else None
        if band.end is not None and (following is None or following.start != band.end):
            steps.append(f"no record from {format_date(band.end)}")
    name = defang(f"{place_name(row)} · {row.component}")
    return f"**{name}**: {' → '.join(steps)}"


def camera_sentence(history: CameraHistory) -> str:
    """'Today, 10 city·component records: 2 Full (announced, not counted), 3 Partial, …. The
    latest change: Minneapolis, MN · ICE-ERO, Full (announced, not counted) from Feb 2, 2026.'"""
    now: dict[str, int] = {}
    for row in history.rows:
        current = bands(row)[-1]
        if current.end is None:
            now[current.label] = now.get(current.label, 0) + 1
    gone = len(history.rows) - sum(now.values())
    counts = [f"{count:,} {label}" for label, count in sorted(now.items(), key=lambda i: -i[1])]
    if gone:
        counts.append(f"{gone:,} with no record now")
    text = f"Today, {_plural(len(history.rows), 'city·component record')}: {_and(counts)}."
    latest = max(history.rows, key=lambda row: (row.last_change, row.key))
    band = bands(latest)[-1]
    change = (
        f"{band.label} from {format_date(band.start)}"
        if band.end is None
        else f"no record from {format_date(band.end)}"
    )
    return f"{text} The latest change: {defang(place_name(latest))} · {latest.component}, {change}."


def camera_embed(
    history: CameraHistory, filename: str | None, *, limit: int = MESSAGE_EMBED_TEXT
) -> discord.Embed:
    """Every status change in words, the rows the chart draws first."""
    filters = " · ".join(part for part in (history.state, history.component) if part)
    title = clip("Body cameras over time" + (f" · {filters}" if filters else ""), TITLE_LIMIT)
    foot = footer(history.outlets, history.as_of)
    drawn = history.top(TOP_ROWS)
    chart = ""
    if filename and len(history.rows) > len(drawn):
        chart = f"\nThe chart draws the {len(drawn)} changed most recently, listed first."
    head = camera_sentence(history) + chart
    keys = {row.key for row in drawn}
    ordered = [*drawn, *(row for row in history.rows if row.key not in keys)]
    more = " (narrow with state or component)"
    room = _description_room(title, foot, limit) - len(head) - 1
    listing = fit_lines([row_text(row) for row in ordered], more, room)
    embed = discord.Embed(
        title=title, description=clip(f"{head}\n{listing}", DESCRIPTION_LIMIT), colour=CAMERA_COLOUR
    )
    return _finish(embed, filename, foot)


def camera_alt(history: CameraHistory) -> str:
    """'Timeline of body-camera status, one band per status: Minneapolis, MN · ICE-ERO, None
    known from Jan 24, 2026, then Full (announced, not counted) from Feb 2, 2026; …'."""
    parts = []
    for row in history.top(TOP_ROWS):
        steps = ", then ".join(
            f"{band.label} from {format_date(band.start)}" for band in bands(row)
        )
        parts.append(f"{place_name(row)} · {row.component}, {steps}")
    return clip(
        f"Timeline of body-camera status, one band per status: {'; '.join(parts)}.", ALT_TEXT
    )


def no_camera_embed(state: str | None, component: str | None) -> discord.Embed:
    """No record matches: said plainly, with what to drop."""
    asked = [f"state {state}" if state else "", f"component {component}" if component else ""]
    named = " and ".join(part for part in asked if part)
    text = (
        f"No body-camera record for {named}: nothing to chart. Try without "
        f"{'that filter' if len([p for p in asked if p]) == 1 else 'one of the filters'}, or "
        "see /bodycam list."
        if named
        else "No body-camera records yet: nothing to chart."
    )
    return discord.Embed(title="Body cameras over time", description=text, colour=GREY)
