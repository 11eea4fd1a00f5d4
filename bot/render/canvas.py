"""The canvas the charts share (bot/render/charts.py): a figure laid out top to bottom in inches
for a phone (1200 px wide, large type), text as typed, a legend, and PNG bytes that depend only
on what was drawn.

matplotlib's Figure API with the Agg canvas, never pyplot: no global figure state, so drawing in
a worker thread (bot/charts.py) is safe.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from db.dates import format_date

DPI = 100
WIDTH = 12.0  # inches: 1200 px
MARGIN = 0.35  # inches, left and right
TITLE_PT, HEAD_PT, LABEL_PT, TICK_PT, NOTE_PT = 24, 19, 16, 15, 14  # 19 pt = 26 px
INK, MUTED, GRID = "#222222", "#555555", "#DDDDDD"
# Okabe & Ito (2008), "Color Universal Design": told apart with any colour vision.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
HEAD_ROW = 0.36  # inches: a line of a group's name
Lines = list[tuple[str, float, str]]  # (text, points, weight)


def points_to_px(points: float) -> float:
    return points * DPI / 72


def line_height(points: float) -> float:
    return points / 72 * 1.45


def wrapped(text: str, points: float, weight: str = "normal") -> Lines:
    """`text` in lines that fit the width at `points` (DejaVu Sans averages ~0.56 em)."""
    per_line = max(20, int((WIDTH - 2 * MARGIN) * DPI / (points_to_px(points) * 0.56)))
    return [(line, points, weight) for line in textwrap.wrap(text, per_line) or [""]]


def say(target: Figure | Axes, x: float, y: float, text: str, points: float, **style: Any) -> None:
    """Text as typed: `parse_math=False`, or two '$' in a line would start a formula."""
    look = {"va": "center", "ha": "left", "color": INK, "fontsize": points, "parse_math": False}
    target.text(x, y, text, **{**look, **style})


def short_money(amount: int) -> str:
    """'$64.4B', '$20M', '$950K', '$0': three significant figures at most."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if amount >= size * 0.9995:
            return f"${amount / size:.3g}{suffix}"
    return f"${amount:,}"


def source_note(outlets: Sequence[str], as_of: dt.date | None) -> str:
    """'Source: Oversight Desk records, from Roll Call, CRS and 2 more · as of Jun 5, 2026'
    (an outlet named up to its first colon: some carry the article's title)."""
    named = [outlet.split(":")[0][:40].strip() for outlet in outlets[:2]]
    more = len(outlets) - len(named)
    text = "Source: Oversight Desk records"
    if named:
        text += ", from " + ", ".join(named) + (f" and {more} more" if more else "")
    return text + (f" · as of {format_date(as_of)}" if as_of else "")


@dataclass
class Layout:
    """A figure built top to bottom in inches: header lines, the legend, the plot (its y data
    unit is one inch, downward), the x axis, then footer lines."""

    header: Lines
    plot: float
    footer: Lines
    legend_rows: int

    def build(self) -> tuple[Figure, Axes, float]:
        """The figure, its axes, and where the legend's top goes (a figure fraction)."""
        head = 0.4 + sum(line_height(points) for _, points, _ in self.header)
        legend = self.legend_rows * line_height(LABEL_PT) + 0.2
        axis = 0.75  # tick labels and the axis label
        foot = sum(line_height(points) for _, points, _ in self.footer) + 0.3
        height = head + legend + self.plot + axis + foot
        figure = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor="white")
        self._write(figure, self.header, height - 0.3, height, INK)
        self._write(figure, self.footer, foot - 0.15, height, MUTED)
        box = (MARGIN / WIDTH, (foot + axis) / height, 1 - 2 * MARGIN / WIDTH, self.plot / height)
        axes = figure.add_axes(box)
        axes.set_ylim(self.plot, 0)
        axes.set_yticks([])
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="x", labelsize=TICK_PT, colors=INK)
        axes.set_axisbelow(True)
        axes.grid(axis="x", color=GRID, linewidth=1)
        return figure, axes, (height - head) / height

    @staticmethod
    def _write(figure: Figure, lines: Lines, top: float, height: float, colour: str) -> None:
        for text, points, weight in lines:
            say(
                figure,
                MARGIN / WIDTH,
                top / height,
                text,
                points,
                va="top",
                fontweight=weight,
                color=colour,
            )
            top -= line_height(points)


def headings(axes: Axes, y: float, lines: Lines) -> float:
    """A group's name over the full width, line by line from `y`; returns the y below it."""
    for text, points, weight in lines:
        say(
            axes,
            0,
            y + HEAD_ROW / 2,
            text,
            points,
            fontweight=weight,
            transform=axes.get_yaxis_transform(),
        )
        y += HEAD_ROW
    return y


def legend(figure: Figure, handles: Sequence[Artist], top: float, columns: int) -> None:
    figure.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(MARGIN / WIDTH, top),
        ncol=columns,
        fontsize=LABEL_PT,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )


def png(figure: Figure) -> bytes:
    """The figure as PNG, without the 'Software' entry (a version would change the bytes)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
