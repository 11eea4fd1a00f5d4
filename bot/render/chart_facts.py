"""What a chart shows, told the same in the picture (bot/render/charts.py) and in its words
(bot/render/chart_embeds.py): how many groups are drawn, the columns' names, and a city's camera
status as bands. Kept apart from the drawing so that matplotlib loads only when a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.render.bodycam import only_announced
from db.charts import CameraRow
from db.kinds import CAMERA_STATUS_LABELS

TOP_LINES = 8  # funding lines drawn; the words list every one
TOP_ROWS = 12  # city·components drawn: those that changed most recently
COLUMN_NAMES = {
    "requested": "Requested",
    "house": "House",
    "senate": "Senate",
    "enacted": "Enacted",
}


@dataclass(frozen=True)
class Band:
    """A stretch of one status as the chart and its text tell it."""

    start: dt.date
    end: dt.date | None  # not included; None: still so
    status: str
    announced_only: bool  # the sources say announced, not counted (bot/render/bodycam.py)
    effective_date: dt.date | None

    @property
    def name(self) -> str:
        return CAMERA_STATUS_LABELS.get(self.status, self.status)

    @property
    def label(self) -> str:
        if self.announced_only and self.status != "announced":
            return f"{self.name} (announced, not counted)"
        return self.name

    @property
    def marker(self) -> dt.date | None:
        """The effective date the sources give, when it is not the day the band starts."""
        return None if self.effective_date in (None, self.start) else self.effective_date


def bands(row: CameraRow) -> list[Band]:
    """The row's spans as bands: neighbours that differ only in wording (notes that do not
    change what is announced) are one band."""
    found: list[Band] = []
    for span in row.spans:
        band = Band(span.start, span.end, span.status, only_announced(span), span.effective_date)
        last = found[-1] if found else None
        same = (band.status, band.announced_only, band.effective_date)
        if (
            last
            and last.end == band.start
            and (last.status, last.announced_only, last.effective_date) == same
        ):
            found[-1] = Band(last.start, band.end, *same)
        else:
            found.append(band)
    return found


def place_name(row: CameraRow) -> str:
    if row.state == "US" and row.city.lower() == "nationwide":
        return "Nationwide"
    return f"{row.city}, {row.state}"
