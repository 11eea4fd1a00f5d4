"""The charts as pictures (bot/render/charts.py) and as words (bot/render/chart_embeds.py), from
data built by hand: valid PNGs under 1 MB, 1200 px wide, the same bytes for the same data, and
every figure the picture shows also in the text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from bot.render.chart_embeds import camera_embed, funding_alt, funding_embed, funding_sentence
from bot.render.chart_facts import TOP_LINES, TOP_ROWS, bands
from bot.render.charts import camera_timeline, funding_chart, marked
from bot.render.common import MESSAGE_EMBED_TEXT, embed_text_length
from db.charts import (
    CameraHistory,
    CameraRow,
    CameraSpan,
    FundingBar,
    FundingSeries,
)

D = dt.date
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MEGABYTE = 1024 * 1024


def bar(n: int, *amounts: int | None, **over: object) -> FundingBar:
    values: dict[str, object] = {
        "key": f"fy2026-ice-line-{n:03}",
        "component": "ICE",
        "name": f"Line {n:03}",
        "account": "Operations and Support",
        "amounts": tuple(amounts) + (None,) * (4 - len(amounts)),
        "hedged": False,
        "total": False,
        "part": False,
        "bill": "H.R. 7147",
    }
    return FundingBar(**{**values, **over})  # type: ignore[arg-type]


def series(*lines: FundingBar) -> FundingSeries:
    return FundingSeries(
        fiscal_year=2026,
        lines=lines,
        years=(2026,),
        as_of=D(2026, 6, 5),
        outlets=("Roll Call", "CRS"),
    )


def row(city: str, *spans: CameraSpan, state: str = "MN", component: str = "ICE-ERO") -> CameraRow:
    key = f"{city.lower().replace(' ', '-')}-{state.lower()}-{component.lower()}"
    return CameraRow(key, city, state, component, spans)


def span(
    start: D, end: D | None, status: str, effective: D | None = None, notes: str | None = None
) -> CameraSpan:
    return CameraSpan(start, end, status, effective, notes)


def history(*rows: CameraRow) -> CameraHistory:
    return CameraHistory(rows=rows, today=D(2026, 11, 28), as_of=D(2026, 2, 2), outlets=("CBS",))


def opened(png: bytes) -> Image.Image:
    """The PNG as a picture: valid by its magic bytes and by PIL reading all of it."""
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


SEED_LIKE = series(
    bar(1, None, 64_400_000_000, total=True, component="DHS", name="Total discretionary"),
    bar(2, None, None, 38_500_000_000, name="June 2026 reconciliation bill"),
    bar(3, None, 20_000_000, name="Body-worn cameras for officers"),
    bar(4, None, 5_000_000, part=True, account="Office of the Secretary", name="Withheld"),
    bar(5, None, None, None, 45_000_000_000, hedged=True, name="Detention"),
    bar(6, None, None, None, None, name="Nothing recorded yet"),
)


def test_the_funding_chart_is_a_phone_sized_png_under_a_megabyte() -> None:
    png = funding_chart(SEED_LIKE)
    image = opened(png)
    assert len(png) < MEGABYTE
    width, height = image.size
    assert width == 1200
    assert 600 <= height <= 2400  # tall enough for its groups, not a scroll of its own


def test_the_same_data_draws_the_same_bytes() -> None:
    """Equal data (built twice, not the same objects) gives byte-identical PNGs; other data
    does not."""
    again = series(*(FundingBar(**vars(line)) for line in SEED_LIKE.lines))
    assert again == SEED_LIKE and again is not SEED_LIKE
    assert funding_chart(again) == funding_chart(SEED_LIKE)
    changed = series(*SEED_LIKE.lines[:-1], bar(7, 1_000_000))
    assert funding_chart(changed) != funding_chart(SEED_LIKE)
    timeline = history(row("Minneapolis", span(D(2026, 1, 24), None, "full")))
    assert camera_timeline(timeline) == camera_timeline(timeline)


def test_the_png_carries_no_software_or_date() -> None:
    """Nothing in the file's text chunks would change from one machine or day to the next."""
    image = opened(funding_chart(SEED_LIKE))
    assert not {"Software", "Creation Time", "CreationDate"} & set(image.info)


def test_no_amount_at_all_is_said_not_drawn() -> None:
    """A year whose lines have no amount is no chart: the drawing refuses, the words say so."""
    empty = series(bar(1), bar(2))
    with pytest.raises(ValueError, match="no funding line has an amount"):
        funding_chart(empty)
    assert funding_sentence(empty) == (
        "FY2026 has 2 funding lines, and no amount is recorded for any of them."
    )
    with pytest.raises(ValueError, match="no camera record"):
        camera_timeline(history())


def test_the_words_carry_every_amount_and_what_is_missing() -> None:
    """The embed answers first, then every line: exact dollars, 'about' for rough figures,
    missing amounts named as not recorded (never $0), totals and withheld money as such."""
    embed = funding_embed(SEED_LIKE, "funding-fy2026.png")
    text = embed.description or ""
    assert text.split("\n")[0] == (
        "FY2026 has 6 funding lines: House amounts for 3, Senate amounts for 1 and enacted "
        "amounts for 1; no requested amount is recorded."
    )
    assert (
        "**DHS · Total discretionary** (H.R. 7147): House $64,400,000,000; not recorded: "
        "Requested, Senate, Enacted; a total of other lines"
    ) in text
    assert "Enacted about $45,000,000,000" in text
    assert (
        "House $5,000,000; not recorded: Requested, Senate, Enacted; part of Office of the "
        "Secretary, not extra"
    ) in text
    assert "**ICE · Nothing recorded yet** (H.R. 7147): no amount recorded" in text
    assert "$0" not in text
    assert embed.image.url == "attachment://funding-fy2026.png"
    assert (
        embed.footer.text == "Source: Oversight Desk records (Roll Call; CRS) · as of Jun 5, 2026"
    )


def test_a_zero_is_an_amount_not_a_missing_one() -> None:
    """House $0 (zeroed out) is drawn as a labelled amount and said as $0; Senate, not given,
    is 'not recorded'."""
    zeroed = series(bar(1, 20_000_000, 0))
    opened(funding_chart(zeroed))
    text = funding_embed(zeroed, "f.png").description or ""
    assert "Requested $20,000,000; House $0; not recorded: Senate, Enacted" in text


def test_many_lines_draw_the_largest_and_list_them_all_within_limits() -> None:
    """40 lines: the chart draws the TOP_LINES largest; the words list lines largest first
    until the message is full, then count the rest."""
    many = series(*(bar(n, n * 1_000_000) for n in range(40, 0, -1)))
    image = opened(funding_chart(many))
    assert image.size[0] == 1200 and image.size[1] < 2400
    embed = funding_embed(many, "f.png")
    text = embed.description or ""
    assert f"The chart draws the {TOP_LINES} largest; every line:" in text
    assert text.index("Line 040") < text.index("Line 039")
    assert embed_text_length(embed) <= MESSAGE_EMBED_TEXT
    assert "\n… and " not in text  # 40 short lines fit
    huge = series(*(bar(n, n, name=f"Line {n:03} " + "word " * 40) for n in range(1, 60)))
    text = funding_embed(huge, "f.png").description or ""
    assert text.endswith("more (see /approps lines)")
    assert embed_text_length(funding_embed(huge, "f.png", limit=3000)) <= 3000
    assert len(funding_alt(huge)) <= 1000  # an attachment's description: 1,024 at most
    assert funding_alt(huge).startswith("Bar chart of FY2026 funding lines, the 8 largest: ")
    tight = funding_embed(huge, "f.png", limit=500)  # what a full digest leaves the chart
    assert embed_text_length(tight) <= 500 and tight.image.url == "attachment://f.png"
    assert (tight.description or "").startswith("FY2026 has 59 funding lines: requested amounts")
    assert (tight.description or "").endswith(
        "Every line's amounts: /approps chart fiscal_year:2026"
    )


def test_bands_merge_wording_and_keep_announcements_apart() -> None:
    """Spans that differ only in notes are one band; an announcement nobody counted is not the
    same as a counted Full, and an effective date the sources give apart from the start is
    kept."""
    counted = "Counted: 300 cameras in use."
    minneapolis = row(
        "Minneapolis",
        span(D(2026, 1, 24), D(2026, 1, 30), "none_known", notes="No cameras."),
        span(D(2026, 1, 30), D(2026, 2, 2), "none_known", notes="No cameras known."),
        span(D(2026, 2, 2), D(2026, 3, 1), "full", D(2026, 2, 2), "Announced, not counted."),
        span(D(2026, 3, 1), None, "full", D(2026, 2, 2), counted),
    )
    found = bands(minneapolis)
    assert [(b.start, b.label) for b in found] == [
        (D(2026, 1, 24), "None known"),
        (D(2026, 2, 2), "Full (announced, not counted)"),
        (D(2026, 3, 1), "Full"),
    ]
    assert found[2].marker == D(2026, 2, 2)  # in effect before this band began: said …
    assert marked(found[2]) is None  # … not drawn, where it would sit on the band before
    coming = row("Austin", span(D(2026, 11, 1), None, "announced", D(2026, 12, 15)), state="TX")
    assert marked(bands(coming)[0]) == D(2026, 12, 15)  # announced, to take effect later
    embed = camera_embed(history(minneapolis), "t.png")
    assert (
        "**Minneapolis, MN · ICE-ERO**: None known from Jan 24, 2026 → Full (announced, not "
        "counted) from Feb 2, 2026 → Full from Mar 1, 2026 (in effect Feb 2, 2026, as the "
        "sources say)"
    ) in (embed.description or "")


def test_the_timeline_words_say_gaps_and_what_holds_today() -> None:
    deleted = row("Denver", span(D(2025, 3, 1), D(2025, 9, 1), "partial"), state="CO")
    back = row(
        "Austin",
        span(D(2025, 1, 1), D(2025, 6, 1), "announced", D(2025, 8, 1)),
        span(D(2025, 7, 1), None, "suspended"),
        state="TX",
    )
    embed = camera_embed(history(back, deleted), "t.png")
    lines = (embed.description or "").split("\n")
    assert lines[0] == (
        "Today, 2 city·component records: 1 Suspended and 1 with no record now. The latest "
        "change: Denver, CO · ICE-ERO, no record from Sep 1, 2025."
    )
    assert lines[1] == (
        "**Austin, TX · ICE-ERO**: Announced from Jan 1, 2025 (in effect Aug 1, 2025, as the "
        "sources say) → no record from Jun 1, 2025 → Suspended from Jul 1, 2025"
    )
    assert (
        lines[2]
        == "**Denver, CO · ICE-ERO**: Partial from Mar 1, 2025 → no record from Sep 1, 2025"
    )
    image = opened(camera_timeline(history(back, deleted)))
    assert image.size[0] == 1200 and len(camera_timeline(history(back, deleted))) < MEGABYTE


def test_many_rows_draw_the_newest_and_list_the_drawn_first() -> None:
    """30 cities: the chart draws the TOP_ROWS that changed most recently; the words list those
    first, then the others."""
    rows = [
        row(f"Town {n:02}", span(D(2025, 1, 1), D(2025, 1, 1) + dt.timedelta(days=n), "partial"),
            span(D(2025, 1, 1) + dt.timedelta(days=n), None, "full"))
        for n in range(30)
    ]  # fmt: skip
    many = history(*rows)
    image = opened(camera_timeline(many))
    assert image.size[0] == 1200 and image.size[1] < 2400
    text = camera_embed(many, "t.png").description or ""
    assert f"The chart draws the {TOP_ROWS} changed most recently, listed first." in text
    listed = [line.split("**")[1] for line in text.split("\n") if line.startswith("**")]
    assert listed[:TOP_ROWS] == [f"Town {n:02}, MN · ICE-ERO" for n in range(18, 30)]
    assert len(listed) == 30
