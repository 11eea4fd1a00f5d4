"""Charts as PNG images: a fiscal year's funding lines, and body-camera status over time.

Drawn with matplotlib's Agg backend through the Figure API (bot/render/canvas.py), never pyplot,
so bot/charts.py can draw in a worker thread. Pure: data in, PNG bytes out, and the same data
gives the same bytes (the PNG carries no software version and no date).

Readable on a phone: 1200 px wide, type of 20 px and more, each group's name on a line of its own
above its bars (the full width for both), only the largest groups drawn (the message lists every
one). Colour-blind safe: the Okabe-Ito palette, and colour is never the only cue: each bar is
labelled with its column and amount, each band with its status where it fits and with a pattern
of its own, and hatching marks rough amounts and announcements nobody has counted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullLocator

from bot.render.canvas import (
    DPI,
    HEAD_PT,
    HEAD_ROW,
    INK,
    LABEL_PT,
    MARGIN,
    MUTED,
    NOTE_PT,
    OKABE_ITO,
    TICK_PT,
    TITLE_PT,
    WIDTH,
    Layout,
    headings,
    legend,
    png,
    say,
    short_money,
    source_note,
    wrapped,
)
from bot.render.chart_facts import (
    COLUMN_NAMES,
    TOP_LINES,
    TOP_ROWS,
    Band,
    bands,
    place_name,
)
from db.appropriations import LINE_COLUMNS
from db.charts import CameraHistory, CameraRow, FundingBar, FundingSeries
from db.kinds import CAMERA_STATUS_LABELS

COLUMN_COLOURS = {
    "requested": OKABE_ITO["blue"],
    "house": OKABE_ITO["orange"],
    "senate": OKABE_ITO["bluish green"],
    "enacted": OKABE_ITO["reddish purple"],
}
ROUGH_HATCH = "//"  # a rough amount ('about $45 billion'); an announcement nobody counted
# Status → (fill, hatch): each status a pattern of its own too; 'none known' an empty outline.
STATUS_LOOK = {
    "full": (OKABE_ITO["bluish green"], ""),
    "partial": (OKABE_ITO["sky blue"], ".."),
    "announced": (OKABE_ITO["yellow"], ROUGH_HATCH),
    "court_ordered": (OKABE_ITO["reddish purple"], "||"),
    "none_known": ("#FFFFFF", ""),
    "suspended": (OKABE_ITO["orange"], "--"),
    "ended": (OKABE_ITO["vermillion"], "xx"),
}
UNKNOWN_LOOK = ("#BBBBBB", "oo")  # a status this version has no look for
LOG_SPREAD = 25  # a log scale when the largest amount is over 25 times the smallest
BAR_ROW, GROUP_GAP, BAR_THICKNESS = 0.38, 0.26, 0.27  # inches


# ---------------------------------------------------------------- funding lines


def line_heading(line: FundingBar) -> str:
    """'ICE · Detention — H.R. 1', and what the rules say: a total, or money inside another."""
    text = f"{line.component} · {line.name}" + (f" — {line.bill}" if line.bill else "")
    if line.total:
        return text + " (a total of other lines)"
    return text + (f" (part of {line.account}, not extra)" if line.part else "")


def bar_label(column: str, amount: int, *, about: bool) -> str:
    return f"{COLUMN_NAMES[column]} {'about ' if about else ''}{short_money(amount)}"


def _scale(lines: Sequence[FundingBar]) -> tuple[bool, float, float]:
    """(log scale?, left end, right end): the largest bar ends two thirds of the way across,
    leaving room for its label; a log scale when amounts span more than LOG_SPREAD times."""
    known = [amount for line in lines for amount in line.amounts if amount]
    largest, smallest = max(known, default=1), min(known, default=1)
    if largest / smallest <= LOG_SPREAD:
        return False, 0.0, largest / 0.66
    low = 10 ** math.floor(math.log10(smallest) - 0.5)
    return True, low, 10 ** (math.log10(low) + (math.log10(largest) - math.log10(low)) / 0.66)


def funding_chart(series: FundingSeries, *, top: int = TOP_LINES) -> bytes:
    """The `top` largest lines, each its name, then a labelled bar per recorded amount
    (requested, House, Senate, enacted) and the amounts not recorded named as such.
    ValueError when no line has an amount: say so in words instead."""
    lines = series.top(top)
    if not lines:
        raise ValueError("no funding line has an amount to chart")
    groups = [
        (
            line,
            wrapped(line_heading(line), HEAD_PT, "bold"),
            [(c, a) for c, a in zip(LINE_COLUMNS, line.amounts, strict=True) if a is not None],
            [COLUMN_NAMES[c] for c, a in zip(LINE_COLUMNS, line.amounts, strict=True) if a is None],
        )
        for line in lines
    ]
    plot = sum(
        len(h) * HEAD_ROW + (len(k) + bool(m)) * BAR_ROW + GROUP_GAP for _, h, k, m in groups
    )
    subtitle = "Requested, House, Senate and enacted amounts of each line, rounded."
    if len(series.charted) > len(lines):
        subtitle += (
            f" The {len(lines)} largest of {len(series.charted):,} lines; the message lists all."
        )
    notes = [source_note(series.outlets, series.as_of)]
    if without := len(series.lines) - len(series.charted):
        notes.append(f"Not drawn: {without} line{'s' if without != 1 else ''} with no amount.")
    columns = [c for c in LINE_COLUMNS if any(c in [k for k, _ in g[2]] for g in groups)]
    hedged = any(line.hedged for line in lines)
    handles: list[Artist] = [
        Patch(facecolor=COLUMN_COLOURS[c], edgecolor=INK, label=COLUMN_NAMES[c]) for c in columns
    ]
    if hedged:
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=INK,
                hatch=ROUGH_HATCH,
                label="about: the sources give a rough figure",
            )
        )
    title = f"DHS funding lines · FY{series.fiscal_year}"
    layout = Layout(
        [(title, TITLE_PT, "bold"), *wrapped(subtitle, LABEL_PT)],
        plot,
        [line for note in notes for line in wrapped(note, NOTE_PT)],
        legend_rows=1 if len(handles) <= 3 else 2,
    )
    figure, axes, legend_top = layout.build()
    log, low, high = _scale(lines)
    if log:
        axes.set_xscale("log")
        axes.xaxis.set_major_locator(LogLocator(base=10))
        axes.xaxis.set_minor_locator(NullLocator())
        axis = "Dollars, log scale: each gridline is 10 times the one before"
    else:
        axes.xaxis.set_major_locator(MaxNLocator(5))
        axis = "Dollars"
    axes.set_xlabel(axis, fontsize=TICK_PT, color=MUTED)
    axes.set_xlim(low, high)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: short_money(round(x))))
    y = 0.0
    for line, heading, known, missing in groups:
        y = headings(axes, y, heading)
        for column, amount in known:
            centre = y + BAR_ROW / 2
            if amount > 0:  # $0 is an amount: labelled, with no bar
                axes.barh(
                    centre,
                    amount - low,
                    left=low,
                    height=BAR_THICKNESS,
                    color=COLUMN_COLOURS[column],
                    edgecolor=INK,
                    linewidth=0.8,
                    hatch=ROUGH_HATCH if line.hedged else None,
                )
            label = "  " + bar_label(column, amount, about=line.hedged)
            say(axes, max(amount, low), centre, label, LABEL_PT)
            y += BAR_ROW
        if missing:  # missing is not zero: named, never drawn as an empty bar
            say(
                axes,
                0,
                y + BAR_ROW / 2,
                "Not recorded: " + ", ".join(missing),
                LABEL_PT,
                style="italic",
                color=MUTED,
                transform=axes.get_yaxis_transform(),
            )
            y += BAR_ROW
        y += GROUP_GAP
    legend(figure, handles, legend_top, columns=len(handles) if len(handles) <= 3 else 3)
    return png(figure)


# ---------------------------------------------------------------- body cameras over time


def row_heading(row: CameraRow, row_bands: Sequence[Band]) -> str:
    now = row_bands[-1] if row_bands and row_bands[-1].end is None else None
    return f"{place_name(row)} · {row.component} — {f'now {now.label}' if now else 'no record now'}"


def marked(band: Band) -> dt.date | None:
    """The effective date drawn on a band: one inside its own stretch (an announcement that
    takes effect later). One before it began, or after it ended, is told in words only: on the
    chart it would sit on another band."""
    day = band.marker
    inside = day is not None and band.start < day and (band.end is None or day < band.end)
    return day if inside else None


def time_ticks(first: dt.date, last: dt.date) -> tuple[list[float], list[str]]:
    """Year starts over 18 months (every other year past 8), else at most 7 month starts."""
    if (last - first).days > 548:
        years = list(range(first.year + 1, last.year + 1))
        days = [dt.date(year, 1, 1) for year in years[:: 2 if len(years) > 8 else 1]]
        return [d.toordinal() for d in days], [str(d.year) for d in days]
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if first < (day := dt.date(year, month, 1)) <= last:
            months.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    days = months[:: max(1, math.ceil(len(months) / 7))]
    return [d.toordinal() for d in days], [f"{d:%b} {d.year}" for d in days]


def legend_handles(drawn: Sequence[Band]) -> list[Artist]:
    """Each status drawn, then what the patterns and marks mean."""
    statuses = list(dict.fromkeys(band.status for band in drawn))
    order = {status: index for index, status in enumerate(STATUS_LOOK)}
    statuses.sort(key=lambda status: (order.get(status, len(order)), status))
    handles: list[Artist] = []
    for status in statuses:
        fill, hatch = STATUS_LOOK.get(status, UNKNOWN_LOOK)
        handles.append(
            Patch(
                facecolor=fill,
                edgecolor=INK,
                hatch=hatch or None,
                label=CAMERA_STATUS_LABELS.get(status, status),
            )
        )
    if any(band.announced_only and band.status != "announced" for band in drawn):
        handles.append(
            Patch(
                facecolor="white", edgecolor=INK, hatch=ROUGH_HATCH, label="announced, not counted"
            )
        )
    if any(marked(band) for band in drawn):
        handles.append(
            Line2D(
                [],
                [],
                marker="v",
                markersize=12,
                color=INK,
                linestyle="none",
                label="in effect from, as the sources say",
            )
        )
    handles.append(Line2D([], [], color=MUTED, linestyle="--", linewidth=1.4, label="today"))
    return handles


def camera_timeline(history: CameraHistory, *, top: int = TOP_ROWS) -> bytes:
    """The `top` city·components that changed most recently: each its name and status now,
    then its status bands from its first record to today (a gap where it had none), with the
    effective date the sources give marked where it is not when the band starts.
    ValueError when there is no row: say so in words instead."""
    rows = history.top(top)
    if not rows:
        raise ValueError("no camera record to chart")
    drawn = [(bands(row), wrapped(row_heading(row, bands(row)), HEAD_PT, "bold")) for row in rows]
    every = [band for row_bands, _ in drawn for band in row_bands]
    today = history.today
    days = [d for b in every for d in (b.start, b.end, marked(b)) if d is not None]
    first, last = min(days), max([today, *days])
    pad = max(7, (last - first).days // 30)
    left, right = first.toordinal() - pad, last.toordinal() + pad
    filters = " · ".join(part for part in (history.state, history.component) if part)
    subtitle = "Each city·component's camera status, rebuilt from its record's history."
    if len(history.rows) > len(rows):
        subtitle += (
            f" The {len(rows)} changed most recently of {len(history.rows):,};"
            " the message lists all."
        )
    handles = legend_handles(every)
    title = "Body cameras over time" + (f" · {filters}" if filters else "")
    layout = Layout(
        [(title, TITLE_PT, "bold"), *wrapped(subtitle, LABEL_PT)],
        sum(len(h) * HEAD_ROW + BAR_ROW + GROUP_GAP for _, h in drawn),
        wrapped(source_note(history.outlets, history.as_of), NOTE_PT),
        legend_rows=math.ceil(len(handles) / 3),
    )
    figure, axes, legend_top = layout.build()
    axes.set_xlim(left, right)
    ticks, labels = time_ticks(dt.date.fromordinal(left), dt.date.fromordinal(right))
    axes.xaxis.set_major_locator(FixedLocator(ticks))
    axes.set_xticklabels(labels)
    axes.axvline(today.toordinal(), color=MUTED, linestyle="--", linewidth=1.4, zorder=3)
    px_per_day = (WIDTH - 2 * MARGIN) * DPI / (right - left)
    y = 0.0
    for row_bands, heading in drawn:
        y = headings(axes, y, heading)
        centre = y + BAR_ROW / 2
        for band in row_bands:
            start = band.start.toordinal()
            end = (band.end or max(today, band.start + dt.timedelta(days=1))).toordinal()
            fill, hatch = STATUS_LOOK.get(band.status, UNKNOWN_LOOK)
            if band.announced_only and ROUGH_HATCH not in hatch:
                hatch += ROUGH_HATCH
            axes.barh(
                centre,
                end - start,
                left=start,
                height=BAR_THICKNESS,
                color=fill,
                edgecolor=INK,
                linewidth=0.8,
                hatch=hatch or None,
                zorder=2,
            )
            room = (end - start) * px_per_day - 16
            label = next((t for t in (band.label, band.name) if len(t) * 9.5 < room), None)
            if label:  # ~9.5 px a character at 16 pt
                say(
                    axes,
                    (start + end) / 2,
                    centre,
                    label,
                    LABEL_PT,
                    ha="center",
                    zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
                )
            if (day := marked(band)) is not None:
                axes.plot(
                    [day.toordinal()],
                    [centre - BAR_THICKNESS / 2 - 0.03],
                    marker="v",
                    markersize=12,
                    color=INK,
                    zorder=5,
                    clip_on=False,
                )
        y += BAR_ROW + GROUP_GAP
    legend(figure, handles, legend_top, columns=3)
    return png(figure)
