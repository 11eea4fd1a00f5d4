"""Appropriations → embeds: the funding status of a fiscal year, a bill, and funding lines.

Pure: records in, pages of embeds out (a page is one message). Every list that can grow is
spread over fields and pages, and anything left out is counted ("… and N more").
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import discord

from bot.render.common import (
    AMBER,
    BLUE,
    CONFIDENCE_BADGES,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    GREEN,
    GREY,
    PURPLE,
    RED,
    add_field,
    as_date,
    clip,
    confidence_text,
    defang,
    embed_text_length,
    footer_text,
    messages_of,
    money,
    sources_value,
    when,
    when_relative,
)
from db.appropriations import (
    LINE_COLUMNS,
    BillSum,
    FundingStatus,
    LineListing,
    MeasureDetail,
    camera_lines,
    fiscal_year_bounds,
    is_hedged,
    is_part_line,
    is_total_line,
    last_period,
    procedural_vote,
    totals_by_bill,
)
from db.dates import format_date
from db.kinds import CHAMBER_LABELS, MEASURE_KIND_LABELS, STAGE_LABELS
from db.links import Related
from db.models import STAGE_ORDER, FundingLine, FundingPeriod, Measure, MeasureAction, Stage

Page = list[discord.Embed]
EMBED_BUDGET = 5500  # characters per embed, under the 6,000 a whole message may carry
LINES_PER_PAGE = 8
ACTION_TEXT = 120

STAGES = STAGE_LABELS
STAGE_COLOURS = {"enacted": GREEN, "vetoed": RED, "resolving_differences": AMBER}
CHAMBERS = CHAMBER_LABELS  # in the order a bill meets them
CHAMBER_ORDER = {chamber: index for index, chamber in enumerate(CHAMBERS)}
MEASURE_KINDS = MEASURE_KIND_LABELS
STATE_COLOURS = {"funded": GREEN, "lapsed": RED, "unknown": AMBER, "not_started": BLUE}
COLUMN_NAMES = {
    "requested": "Requested",
    "house": "House",
    "senate": "Senate",
    "enacted": "Enacted",
}
TOTALS_NOTE = (
    "sums are per bill, of the lines listed, leaving out totals and money withheld within "
    "another line"
)
MAX_SUM_FIELDS = 6


# ---------------------------------------------------------------- building blocks


def fit_lines(lines: Sequence[str], more: str = "", limit: int = FIELD_VALUE_LIMIT) -> str:
    """As many whole lines as fit in one field; the rest counted ('… and 3 more')."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = f"\n… and {rest} more{more}" if rest else ""
        candidate = "\n".join([*kept, clip(line, limit)])
        if len(candidate) + len(tail) > limit:
            kept.append(f"… and {len(lines) - index} more{more}")
            break
        kept.append(clip(line, limit))
    return "\n".join(kept)


def chunk_lines(lines: Sequence[str], limit: int = FIELD_VALUE_LIMIT) -> list[str]:
    """Every line, in as many field values as it takes (never dropping one)."""
    chunks: list[str] = []
    block: list[str] = []
    for line in (clip(line, limit) for line in lines):
        if block and len("\n".join([*block, line])) > limit:
            chunks.append("\n".join(block))
            block = []
        block.append(line)
    if block:
        chunks.append("\n".join(block))
    return chunks


Section = tuple[str, str]  # a field: name and value


def listed(name: str, lines: Sequence[str]) -> list[Section]:
    """Fields named `name`, then '`name` (continued)', holding every line."""
    chunks = chunk_lines(lines)
    return [(name + (" (continued)" if index else ""), chunk) for index, chunk in enumerate(chunks)]


def ordinal(number: int) -> str:
    """119 → '119th', 121 → '121st', 112 → '112th'."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def pages_of(
    title: str,
    description: str,
    colour: discord.Colour,
    sections: Iterable[Section],
    footer: str,
    url: str | None = None,
) -> list[Page]:
    """Fields spread over embeds within the limits, embeds grouped into messages; the footer
    closes every message."""
    first = discord.Embed(
        title=clip(title, 256), description=clip(description, 4096), colour=colour
    )
    if url:
        first.url = url
    embeds = [first]
    for name, value in sections:
        embed = embeds[-1]
        cost = len(name) + len(value) + len(footer)
        if len(embed.fields) >= FIELDS_PER_EMBED or embed_text_length(embed) + cost > EMBED_BUDGET:
            embed = discord.Embed(colour=colour)
            embeds.append(embed)
        add_field(embed, name, value)
    for embed in embeds:  # counted while grouping, then kept on each message's last embed only
        embed.set_footer(text=footer)
    pages = messages_of(embeds)
    for page in pages:
        for embed in page[:-1]:
            embed.remove_footer()
    return pages


def unique_sources(records: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The sources of several records, each once, in the order first met."""
    seen: set[tuple[str, str]] = set()
    found: list[Mapping[str, Any]] = []
    for record in records:
        for source in getattr(record, "sources", None) or []:
            source = source if isinstance(source, Mapping) else source.model_dump()
            key = (str(source.get("outlet")), str(source.get("url")))
            if key not in seen:
                seen.add(key)
                found.append(source)
    return found


def newest_as_of(records: Iterable[Any]) -> dt.date | None:
    days = [day for r in records if (day := as_date(getattr(r, "as_of", None)))]
    return max(days) if days else None


def badge(confidence: str) -> str:
    return CONFIDENCE_BADGES.get(str(confidence), str(confidence))


def record_confidence(record: Any, limit: int = 200) -> str:
    """The confidence label with why, from the record's own sources and note."""
    sources = cast(list[Any], getattr(record, "sources", None) or [])
    text = confidence_text(str(record.confidence), record.confidence_note, sources)
    return clip(text, limit)


def vote_text(action: MeasureAction) -> str:
    """What a vote was on, then the tally: 'motion to proceed (procedural, not passage) 53-46',
    'passed 220-207'. A procedural vote never reads as passage."""
    procedural = procedural_vote(action)
    vote = defang(action.vote) if action.vote else ""
    if procedural:
        return f"{procedural} (procedural, not passage) {vote}".strip()
    if action.stage_after:
        stage = str(action.stage_after)
        what = "passed" if stage.startswith("passed") else STAGES.get(stage, stage).lower()
        return f"{what} {vote}".strip()
    return f"{clip(defang(action.text).rstrip('.'), 60)} {vote}".strip()


def measure_name(measure: Measure) -> str:
    return defang(measure.label)


def vehicle_text(measure: Measure | None, key: str | None) -> str:
    """'H.R. 7147 (P.L. 119-86)'; the kind of measure when no public law number is on file."""
    if measure is None:
        return defang(key or "an unrecorded measure")
    detail = (
        f"P.L. {measure.public_law}"
        if measure.public_law
        else MEASURE_KINDS.get(str(measure.measure_kind), str(measure.measure_kind))
    )
    return f"{measure_name(measure)} ({detail})"


def span(period: FundingPeriod) -> str:
    end = when(period.end_date) if period.end_date else "no end recorded"
    return f"{when(period.start_date)} – {end}"


def period_line(period: FundingPeriod, measures: Mapping[str, Measure]) -> str:
    """'🟢 Funded Nov 12, 2025 – Jan 30, 2026 by H.R. 5371 (continuing resolution)'."""
    if period.period_type == "lapse":
        parts = [f"🔴 Lapse {span(period)}"]
        if period.components:
            parts.append(f"({defang(', '.join(period.components))})")
    else:
        vehicle = vehicle_text(measures.get(period.measure_key or ""), period.measure_key)
        parts = [f"🟢 Funded {span(period)} by {vehicle}"]
    if period.confidence == "disputed":
        parts.append("· ⚠️ disputed")
    return " ".join(parts)


def action_line(
    action: MeasureAction, label: str | None = None, *, limit: int = ACTION_TEXT
) -> str:
    chamber = CHAMBERS.get(str(action.chamber), str(action.chamber))
    text = clip(defang(action.text), limit)
    vote = f" **{defang(action.vote)}**" if action.vote else ""
    if procedural_vote(action):
        vote += " (procedural vote, not passage)"
    who = f"{label} · {chamber}" if label else chamber
    return f"{when(action.action_date)} · {who}: {text}{vote}"


def amount_text(column: str, amount: int | None, *, about: bool = False) -> str:
    name = COLUMN_NAMES[column]
    if amount is None:
        return f"{name} —"
    return f"{name} {'about ' if about else ''}**{money(amount)}**"


def amounts(line: FundingLine, *, only_known: bool = False) -> str:
    """'Requested — · House **$20,000,000** · Senate — · Enacted —' (or only the known ones);
    an amount the sources hedge keeps its 'about'; money withheld says what it is part of."""
    hedged = is_hedged(line)
    parts = [
        amount_text(column, getattr(line, column), about=hedged)
        for column in LINE_COLUMNS
        if not (only_known and getattr(line, column) is None)
    ]
    text = " · ".join(parts) or "no amounts recorded"
    if is_part_line(line):
        text += f" (part of {defang(line.account)}, not extra)"
    return text


def line_name(line: FundingLine) -> str:
    return defang(f"{line.component} · {line.purpose or line.account}")


# ---------------------------------------------------------------- /approps status


def plain_vehicle(measure: Measure | None, key: str | None) -> str:
    """'P.L. 119-86' when the law is numbered, else 'H.R. 5371 (continuing resolution)'."""
    if measure is not None and measure.public_law:
        return f"P.L. {defang(measure.public_law)}"
    return vehicle_text(measure, key)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def answer_sentence(status: FundingStatus, *, today: dt.date) -> str:
    """One plain sentence that answers "is DHS funded?" for the day asked about: no markup,
    no Discord timestamps, so it reads the same wherever it is pasted."""
    first_day, last_day = fiscal_year_bounds(status.fiscal_year)
    period, year, on = status.period, status.fiscal_year, status.on
    past = on < today  # a day asked about (as_of), or a year that is over
    if status.requested_year is not None:
        fallback = f"No FY{status.requested_year} funding recorded; "
        if status.year_over:
            return f"{fallback}FY{year} ended {format_date(last_day)}."
        return f"{fallback}showing FY{year}: {_mid(_state_sentence(status, past))}"
    if status.state == "not_started":
        return f"FY{year} has not started: it begins {format_date(first_day)}."
    if status.year_over:
        ended = f"FY{year} ended {format_date(last_day)}"
        if period is None:
            if not status.periods:
                return f"{ended}; no funding periods are recorded for it."
            return f"{ended}, and no recorded funding period covers its last day."
        return f"{ended}; on its last day {_mid(_state_sentence(status, True))}"
    sentence = _state_sentence(status, past)
    return f"On {format_date(on)}, {_mid(sentence)}" if past else sentence


def _mid(sentence: str) -> str:
    """A sentence continued after a comma: 'No recorded …' → 'no recorded …'; 'DHS' stays."""
    return sentence if sentence.startswith("DHS") else sentence[:1].lower() + sentence[1:]


def _state_sentence(status: FundingStatus, past: bool) -> str:
    """'DHS is funded through Dec 19, 2026 by P.L. 119-120 — 21 days left.' and the like."""
    period, on = status.period, status.on
    is_, has = ("was", "had") if past else ("is", "has")
    if status.state == "funded" and period is not None:
        vehicle = plain_vehicle(status.vehicle, period.measure_key)
        if period.end_date is None:
            return f"DHS {is_} funded by {vehicle}, with no end date recorded."
        left = _plural(status.days or 0, "day") + " left" + (" then" if past else "")
        return f"DHS {is_} funded through {format_date(period.end_date)} by {vehicle} — {left}."
    if status.state == "lapsed" and period is not None:
        who = f" for {defang(', '.join(period.components))}" if period.components else ""
        return (
            f"DHS funding {has} lapsed{who} since {format_date(period.start_date)} — "
            f"day {status.days}."
        )
    if not status.periods:
        return f"No funding periods are recorded for FY{status.fiscal_year}."
    last = last_period(status.periods)
    end = last.end_date if last else None
    ended = f"; the last period ended {format_date(end)}" if end else ""
    if past:
        return f"No recorded funding covered DHS{ended}."
    return f"No recorded funding covers DHS today, {format_date(on)}{ended}."


def _context(status: FundingStatus, measures: Mapping[str, Measure], *, past: bool) -> str:
    """What the sentence leaves out: the last recorded period when none covers the day."""
    if status.state in ("funded", "lapsed") and status.period is not None:
        if status.state == "funded" and status.period.end_date is not None and not past:
            return f"Ends {when_relative(status.period.end_date)}."
        return ""
    if status.state == "not_started":
        first_day, _ = fiscal_year_bounds(status.fiscal_year)
        return f"Begins {when_relative(first_day)}."
    last = last_period(status.periods)
    if status.period is not None:
        return f"On its last day: {period_line(status.period, measures)}."
    return f"The last recorded period: {period_line(last, measures)}." if last else ""


def _colour(status: FundingStatus) -> discord.Colour:
    return GREY if status.year_over else STATE_COLOURS.get(status.state, GREY)


def _chamber_lines(
    status: FundingStatus, chambers: Mapping[str, Mapping[str, MeasureAction]]
) -> list[str]:
    ordered = sorted(
        status.measures,
        key=lambda m: (-STAGE_ORDER.get(Stage(m.stage), 0), m.key),
    )
    lines = []
    for measure in ordered:
        stage = STAGES.get(str(measure.stage), str(measure.stage))
        if measure.stage == "enacted" and measure.enacted_on:
            stage += f" {when(measure.enacted_on)}"
        if measure.public_law:
            stage += f" (P.L. {defang(measure.public_law)})"
        title = clip(defang(measure.title), 90)
        line = (
            f"**{measure_name(measure)}** {title}"
            if measure.label != measure.title
            else f"**{title}**"
        )
        done = [
            f"{CHAMBERS.get(chamber, chamber)} {when(action.action_date)}"
            + (f" {vote_text(action)}" if action.vote else "")
            for chamber, action in sorted(
                chambers.get(measure.key, {}).items(), key=lambda item: CHAMBER_ORDER[item[0]]
            )
        ]
        lines.append(f"{line} — {stage}" + (f"\n  {' · '.join(done)}" if done else ""))
    return lines


def _components(status: FundingStatus) -> str:
    period = status.period
    if period is not None and period.period_type == "lapse":
        affected = ", ".join(period.components) or "not recorded"
        return defang(f"{affected}\n{period.description or ''}").strip()
    lapses = [p for p in status.periods if p.period_type == "lapse"]
    if not lapses:
        return f"No lapse recorded in FY{status.fiscal_year}."
    latest = lapses[-1]
    now = "No lapse in force." if status.state == "funded" and not status.year_over else ""
    affected = defang(", ".join(latest.components)) or "components not recorded"
    text = f"{now} Latest lapse, {span(latest)}: {affected}.".strip()
    if latest.description:
        text += f"\n{defang(latest.description)}"
    return text


def _camera(
    status: FundingStatus, measures: Mapping[str, Measure], limit: int = FIELD_VALUE_LIMIT
) -> str:
    lines = camera_lines(status.lines)
    if not lines:
        return f"No body-camera line recorded for FY{status.fiscal_year}."
    out = []
    for line in lines:
        bill = measures.get(line.measure_key or "")
        where = f" ({measure_name(bill)})" if bill else ""
        out.append(f"**{line_name(line)}**{where}\n{amounts(line)} · {record_confidence(line)}")
    return fit_lines(out, " (see /approps lines)", limit=limit)


def status_pages(
    status: FundingStatus | None,
    chambers: Mapping[str, Mapping[str, MeasureAction]],
    *,
    requested: int,
    today: dt.date,
) -> list[Page]:
    """The funding picture of one fiscal year on one day. The first page answers (one sentence,
    then the period, its confidence, who is affected, camera money, its sources) within about
    2,000 characters; the pages after it hold the detail (bills, actions, timeline, sources)."""
    if status is None:
        embed = discord.Embed(
            title=f"DHS funding · FY{requested}",
            description=(
                f"No FY{requested} funding recorded: no bills, funding periods or lines yet."
            ),
            colour=GREY,
        )
        return [[embed]]
    measures = {m.key: m for m in status.measures}
    if status.vehicle is not None:
        measures.setdefault(status.vehicle.key, status.vehicle)
    year = status.fiscal_year
    shown = status.period or last_period(status.periods)
    lapses = [p for p in status.periods if p.period_type == "lapse"]
    everything = [*status.periods, *status.measures, *status.recent_actions, *status.lines]
    # Cite what the answer rests on: the period shown, its vehicle, the lapse, the camera line;
    # a year without periods rests on its bills.
    vehicle = [measures[shown.measure_key]] if shown and shown.measure_key in measures else []
    basis = [*([shown] if shown else status.measures), *vehicle]
    cited = unique_sources([*basis, *lapses[-1:], *camera_lines(status.lines)])
    footer = footer_text(newest_as_of(everything), cited)
    first = _first_screen(status, measures, shown, unique_sources(basis), today=today)
    first.set_footer(text=footer)
    sections: list[Section] = []
    bills = _chamber_lines(status, chambers)
    if bills:
        sections.append(("What each chamber has done", fit_lines(bills, " (see /approps bill)")))
    if status.recent_actions:
        labels = {k: m.label for k, m in measures.items()}
        newest = [
            action_line(a, defang(labels.get(a.measure_key, a.measure_key)))
            for a in status.recent_actions
        ]
        sections.append(("Newest actions", fit_lines(newest)))
    if status.periods:
        timeline = [period_line(p, measures) for p in status.periods]
        sections.append((f"FY{year} funding periods", fit_lines(timeline)))
    sections.append(("All sources", sources_value(cited)))
    detail = pages_of(
        f"DHS funding · FY{year} · the detail",
        "Each bill's progress, the newest actions, the year's funding periods and every source.",
        _colour(status),
        sections,
        footer,
    )
    return [[first], *detail]


FIRST_SCREEN = 2000  # characters of the first page: the answer, readable without scrolling
# Each part's share of it, so the whole can never outgrow it (title, names and footer ~160).
FIRST_LIMITS = {
    "description": 360,
    "period": 240,
    "Confidence": 320,
    "Components affected": 320,
    "Body-camera funding": 300,
    "Sources": 240,
}


def _first_screen(
    status: FundingStatus,
    measures: Mapping[str, Measure],
    shown: FundingPeriod | None,
    sources: Sequence[Mapping[str, Any]],
    *,
    today: dt.date,
) -> discord.Embed:
    past = status.on < today
    context = _context(status, measures, past=past)
    description = answer_sentence(status, today=today) + (f"\n{context}" if context else "")
    embed = discord.Embed(
        title=f"DHS funding · FY{status.fiscal_year}",
        description=clip(description, FIRST_LIMITS["description"]),
        colour=_colour(status),
    )
    if shown is not None:
        name = "Period in force" if status.period is not None else "Last recorded period"
        if past and not status.year_over and status.period is not None:
            name = f"Period in force on {format_date(status.on)}"
        # The sentence names the period; the field says what it covered.
        text = defang(shown.description) if shown.description else period_line(shown, measures)
        add_field(embed, name, clip(text, FIRST_LIMITS["period"]))
        confidence = record_confidence(shown, FIRST_LIMITS["Confidence"])
        add_field(embed, "Confidence", clip(confidence, FIRST_LIMITS["Confidence"]))
    limit = FIRST_LIMITS["Components affected"]
    add_field(embed, "Components affected", clip(_components(status), limit))
    camera = _camera(status, measures, FIRST_LIMITS["Body-camera funding"])
    add_field(embed, "Body-camera funding", camera)
    add_field(embed, "Sources", sources_value(sources, limit=FIRST_LIMITS["Sources"]))
    return embed


# ---------------------------------------------------------------- /approps bill


def bill_pages(detail: MeasureDetail, related: Sequence[Related]) -> list[Page]:
    """One bill: its stage timeline with dates and votes, the public law, linked lines and
    questions, confidence and sources."""
    measure = detail.measure
    stage = str(measure.stage)
    title = (
        f"{measure_name(measure)} — {defang(measure.title)}"
        if measure.label != measure.title
        else defang(measure.title)
    )
    if stage == "enacted":
        law = f" as **Public Law {defang(measure.public_law)}**" if measure.public_law else ""
        day = when_relative(measure.enacted_on) if measure.enacted_on else "(date unknown)"
        headline = f"**Enacted** {day}{law}."
        if not measure.public_law:
            headline += " Public law number not on our sources."
    else:
        headline = f"**{STAGES.get(stage, stage)}** · not enacted."
    facts = [f"FY{measure.fiscal_year}" if measure.fiscal_year else "no fiscal year recorded"]
    facts.append(MEASURE_KINDS.get(str(measure.measure_kind), str(measure.measure_kind)))
    facts.append(f"{ordinal(measure.congress)} Congress")
    if measure.report:
        facts.append(defang(measure.report))
    sections: list[Section] = [("Confidence", record_confidence(measure, FIELD_VALUE_LIMIT))]
    timeline = [
        action_line(a, limit=900) + (f" → {STAGES[str(a.stage_after)]}" if a.stage_after else "")
        for a in detail.actions
    ]
    sections += listed("Stage timeline", timeline or ["No actions recorded."])
    lines = {line.key: line for line in detail.lines}
    lines.update({r.key: r.record for r in related if r.kind == "funding_line"})
    funding = [
        f"**{line_name(line)}** (FY{line.fiscal_year}): {amounts(line, only_known=True)}"
        for line in sorted(lines.values(), key=lambda line: (line.fiscal_year, line.key))
    ]
    sections += listed("Funding lines", funding or ["No funding lines linked."])
    questions = [_question_line(r.record) for r in related if r.kind == "question"]
    sections += listed("Oversight questions", questions or ["No questions linked."])
    others = [
        f"{r.kind.replace('_', ' ')}: {defang(r.label)}"
        for r in related
        if r.kind not in ("funding_line", "question")
    ]
    sections += listed("Other linked records", others)
    if measure.notes:  # up to 2,000 characters: split at words over fields, never cut
        sections += listed("Notes", textwrap.wrap(defang(measure.notes), 1000))
    stored = cast(list[Mapping[str, Any]], measure.sources)  # a loaded row holds the JSON dicts
    sections.append(("Sources", sources_value(stored)))
    return pages_of(
        title,
        f"{headline}\n{' · '.join(facts)}",
        STAGE_COLOURS.get(stage, BLUE if stage.startswith("passed") else GREY),
        sections,
        footer_text(measure.as_of, measure.sources),
        url=measure.url,
    )


def _question_line(question: Any) -> str:
    text = clip(defang(question.question), 120)
    status = str(question.status).replace("_", " ")
    due = f" · due {when(question.due_date)}" if question.due_date else ""
    return f"**{defang(question.key)}** {text} — {status}{due}"


# ---------------------------------------------------------------- /approps lines


def line_page_count(listing: LineListing) -> int:
    return max(1, -(-len(listing.lines) // LINES_PER_PAGE))


def line_page(listing: LineListing, index: int) -> Page:
    """One page of funding lines side by side by column, with the totals of every line listed."""
    if listing.fiscal_year is None:
        return [
            discord.Embed(
                title="DHS funding lines",
                description="No funding lines recorded yet, for any fiscal year.",
                colour=GREY,
            )
        ]
    year = listing.fiscal_year
    notice = ""
    if listing.requested_year is not None:
        known = ", ".join(f"FY{y}" for y in listing.years)
        notice = (
            f"No funding lines for FY{listing.requested_year}; showing FY{year}, the latest year "
            f"with lines (years with lines: {known}).\n"
        )
    if not listing.lines:
        return [_no_match(listing, notice)]
    found = listing.lines[index * LINES_PER_PAGE : (index + 1) * LINES_PER_PAGE]
    search = f" matching “{clip(defang(listing.search), 60)}”" if listing.search else ""
    count = len(listing.lines)
    description = (
        f"{notice}{count} line{'s' if count != 1 else ''}{search}. Whole dollars; — = no "
        "amount recorded."
    )
    embed = discord.Embed(
        title=f"DHS funding lines · FY{year}", description=clip(description, 4096), colour=PURPLE
    )
    for line in found:
        bill = listing.measure_labels.get(line.measure_key or "")
        detail = [defang(line.account)] if line.purpose else []
        if bill:
            detail.append(defang(bill))
        detail.append(record_confidence(line))
        mark = " (a total)" if is_total_line(line) else ""
        add_field(embed, line_name(line) + mark, f"{amounts(line)}\n{' · '.join(detail)}")
    sums = totals_by_bill(listing.lines)
    for total in sums[:MAX_SUM_FIELDS]:
        name, value = sum_field(total, listing.measure_labels)
        add_field(embed, name, value)
    if len(sums) > MAX_SUM_FIELDS:
        add_field(embed, "More sums", f"… and {len(sums) - MAX_SUM_FIELDS} more bills: search one.")
    add_field(embed, "Sources", sources_value(unique_sources(found), limit=900))
    every = unique_sources(listing.lines)
    embed.set_footer(text=footer_text(newest_as_of(listing.lines), every, extra=TOTALS_NOTE))
    return [embed]


def sum_field(total: BillSum, labels: Mapping[str, str]) -> Section:
    """'Sum of 3 listed lines, H.R. 7147' and its amounts, saying what it leaves out and why;
    'about' when any line added is hedged."""
    key = total.measure_key
    bill = labels.get(key or "", key) if key else "lines naming no bill"
    name = f"Sum of {_plural(total.summed, 'listed line')}, {bill}"
    amounts_ = " · ".join(amount_text(c, total.totals[c], about=total.hedged) for c in LINE_COLUMNS)
    left = []
    if total.totals_left_out:
        left.append(f"{_plural(total.totals_left_out, 'total')} (would count lines twice)")
    if total.parts_left_out:
        left.append(f"{total.parts_left_out} withheld within another line (not extra money)")
    notes = [f"Leaves out {' and '.join(left)}."] if left else []
    if total.hedged:
        notes.append("Some amounts are approximate, as the sources give them.")
    return name, "\n".join([amounts_, *notes])


def _no_match(listing: LineListing, notice: str) -> discord.Embed:
    search = clip(defang(listing.search or ""), 60)
    names = [f"• {line_name(line)}" for line in listing.existing]
    text = fit_lines(names, limit=3000) if names else "none"
    embed = discord.Embed(
        title=clip(f"No FY{listing.fiscal_year} funding line matches “{search}”", 256),
        description=(
            f"{notice}Searched component, account and purpose. "
            f"Lines for FY{listing.fiscal_year}:\n{text}"
        ),
        colour=GREY,
    )
    embed.set_footer(
        text=footer_text(newest_as_of(listing.existing), unique_sources(listing.existing))
    )
    return embed
