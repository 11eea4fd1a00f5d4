"""Search hits → embeds, and any record → a memo-ready citation in plain text.

Citations use absolute dates ("Apr 30, 2026"), not Discord timestamps: they are pasted into memos.
Pure, so the console and digests can reuse `citation_text`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.render.common import (
    BRAND,
    CONTENT_LIMIT,
    GREY,
    add_field,
    as_date,
    clip,
    defang,
)
from bot.render.meta import count_phrase
from bot.render.oversight import (
    UNCERTAIN,
    days_overdue,
    rule_text,
    status_text,
    trigger_text,
    waiting_text,
)
from db.dates import format_date
from db.models import bill_label
from db.oversight import basis_disputed, past_due
from db.search import KIND_WORDS, CitedRecord, Hit

Page = list[discord.Embed]
HITS_PER_PAGE = 10
CLOSE_SHOWN = 5  # records a "did you mean" names
FENCE = "```"


# ---------------------------------------------------------------- /search


def hit_field(number: int, hit: Hit) -> tuple[str, str]:
    name = f"{number}. {KIND_WORDS.get(hit.kind, hit.kind)} · {defang(hit.title)}"
    snippet = clip(defang(" ".join(hit.snippet.split())), 200)
    value = "\n".join(part for part in (snippet, f"→ `{hit.command}`") if part)
    return name, value


def search_page(
    query: str, hits: Sequence[Hit], index: int, today: dt.date, *, capped: bool
) -> Page:
    """Page `index` of the hits, best first, each naming the command that shows it."""
    count = f"{'the best ' if capped else ''}{len(hits)} result{'s' if len(hits) != 1 else ''}"
    embed = discord.Embed(
        title=clip(f"Search: {defang(query)}", 256),
        description=f"**{count}**, best match first. Each names the command that shows it.",
        colour=BRAND,
    )
    start = index * HITS_PER_PAGE
    for number, hit in enumerate(hits[start : start + HITS_PER_PAGE], start=start + 1):
        add_field(embed, *hit_field(number, hit))
    embed.set_footer(text=f"Searched {format_date(today)}")
    return [embed]


def page_count(hits: Sequence[Hit]) -> int:
    return max(1, -(-len(hits) // HITS_PER_PAGE))


def no_hits(
    query: str, counts: Mapping[str, int], close: Sequence[str] = (), respelled: str | None = None
) -> Page:
    """Nothing found: say so, offer the closest records (`close`, found by the query `respelled`
    when its words needed correcting), suggest broader words, and say what the data holds."""
    embed = discord.Embed(
        title=clip(f"Search: {defang(query)}", 256),
        description=(
            f"No record matches “{clip(defang(query), 100)}”. Every word must match, so try fewer "
            "or broader words: a city (Minneapolis), a bill number (7147), a component (ICE), "
            "or a question id (OQ-4)."
        ),
        colour=GREY,
    )
    if close:
        asked = f"Did you mean “{defang(clip(respelled, 200))}”?" if respelled else "Did you mean"
        shown = close[:CLOSE_SHOWN]
        add_field(embed, asked, "\n".join(f"• {defang(clip(c, 100))}" for c in shown))
    held = " · ".join(count_phrase(kind, n) for kind, n in counts.items() if n and kind != "link")
    add_field(embed, "What there is to search", held or "No records yet.")
    return [embed]


# ---------------------------------------------------------------- /cite


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _date(value: Any) -> str:
    day = as_date(value)
    return format_date(day) if day else "unknown"


def _money(amount: int | None) -> str:
    return f"${amount:,}" if amount is not None else "not reported"


def _chamber(chamber: str) -> str:
    return str(chamber).capitalize()


def _bill(measure: Any) -> str:
    return bill_label(measure.bill_type, measure.bill_number, measure.title)


def _question(rec: CitedRecord, today: dt.date) -> list[str]:
    q = rec.record
    lines = [f'Oversight question {q.key}: "{clip(q.question, 300)}"']
    lines.append(f"Asked by: {q.asked_by}. Addressed to: {q.addressed_to}. Vehicle: {q.vehicle}.")
    status = f"Status: {status_text(q.status).split(' ', 1)[-1].lower()}"
    disputed = basis_disputed(q, rec.measure)
    if (late := days_overdue(q, today, disputed)) is not None:
        status += f"; overdue by {late} day{'s' if late != 1 else ''}"
    elif disputed and past_due(q, today):
        status += f"; {UNCERTAIN}"
    lines.append(status + ".")
    if q.sent_date:
        lines.append(f"Sent: {format_date(q.sent_date)}.")
    rule = rule_text(q, rec.measure)
    if q.due_date is not None:
        enacted = rec.measure.enacted_on if rec.measure is not None else None
        how = f" ({rule}; enacted {format_date(enacted)})" if rule and enacted else ""
        if not how and rule:
            how = f" ({rule})"
        due = "Next report due" if q.repeat_months else "Due"
        lines.append(f"{due}: {format_date(q.due_date)}{how}.")
    elif rule:
        lines.append(f"Due: {rule}; {waiting_text(q, rec.measure)}.")
    else:
        lines.append("Due: no due date recorded.")
    if trigger := trigger_text(q):
        lines.append(f"Trigger date: {trigger}.")
    if q.responses:
        last = q.responses[-1]
        item = last if isinstance(last, dict) else last.model_dump(mode="json")
        lines.append(
            f"Latest response ({len(q.responses)} in all): {_date(item['received_on'])}: "
            f"{clip(str(item['summary']), 200)}"
        )
    return lines


def _measure(rec: CitedRecord, today: dt.date) -> list[str]:
    m = rec.record
    label = _bill(m)
    what = f"{label}, {m.title}" if label != m.title else m.title
    lines = [f"{what} ({_ordinal(m.congress)} Congress)."]
    stage = f"Stage: {str(m.stage).replace('_', ' ')}"
    if m.public_law:
        stage += f"; Public Law {m.public_law}"
    if m.enacted_on:
        stage += f", enacted {format_date(m.enacted_on)}"
    lines.append(stage + ".")
    if (action := rec.latest_action) is not None:
        vote = f" ({action.vote})" if action.vote else ""
        lines.append(
            f"Latest action: {format_date(action.action_date)}, {_chamber(action.chamber)}: "
            f"{clip(action.text, 200)}{vote}"
        )
    if m.report:
        lines.append(f"Report: {m.report}.")
    if m.url:
        lines.append(f"Text: {m.url}")
    return lines


def _action(rec: CitedRecord, today: dt.date) -> list[str]:
    a = rec.record
    bill = _bill(rec.measure) if rec.measure is not None else a.measure_key
    lines = [f"{bill}: {clip(a.text, 300)}"]
    detail = f"Date: {format_date(a.action_date)}; chamber: {_chamber(a.chamber)}"
    if a.vote:
        detail += f"; vote: {a.vote}"
    if a.stage_after:
        detail += f"; stage after: {str(a.stage_after).replace('_', ' ')}"
    return [*lines, detail + "."]


def _funding_line(rec: CitedRecord, today: dt.date) -> list[str]:
    f = rec.record
    lines = [
        f"FY{f.fiscal_year} {f.component}, {f.account}" + (f": {f.purpose}" if f.purpose else "")
    ]
    amounts = ("requested", "house", "senate", "enacted")
    names = {"requested": "Requested", "house": "House", "senate": "Senate", "enacted": "Enacted"}
    lines.append("; ".join(f"{names[a]}: {_money(getattr(f, a))}" for a in amounts) + ".")
    if rec.measure is not None:
        lines.append(f"In: {_bill(rec.measure)}, {rec.measure.title}.")
    return lines


def _funding_period(rec: CitedRecord, today: dt.date) -> list[str]:
    p = rec.record
    kind = "Funded" if p.period_type == "funded" else "Lapse in appropriations"
    end = format_date(p.end_date) if p.end_date else "still open"
    days = ((p.end_date or today) - p.start_date).days
    lines = [f"FY{p.fiscal_year} {kind}: {format_date(p.start_date)} to {end} ({days} days)."]
    if rec.measure is not None:
        lines.append(f"Vehicle: {_bill(rec.measure)}, {rec.measure.title}.")
    if p.components:
        lines.append(f"Components: {', '.join(p.components)}.")
    if p.description:
        lines.append(clip(p.description, 300))
    return lines


def _bodycam(rec: CitedRecord, today: dt.date) -> list[str]:
    b = rec.record
    lines = [f"Body cameras: {b.city}, {b.state}, {b.component}"]
    if b.operation:
        lines[0] += f" ({b.operation})"
    status = f"Status: {str(b.status).replace('_', ' ')}"
    if b.effective_date:
        status += f", effective {format_date(b.effective_date)}"
    lines.append(status + ".")
    if b.officers_equipped is not None:
        lines.append(f"Officers equipped: {b.officers_equipped:,}.")
    if b.court_case:
        judge = f"Judge {b.court_judge}" if b.court_judge else None
        court = [b.court_case, b.court_docket, b.court_name, judge]
        order = f"; order {format_date(b.court_order_date)}" if b.court_order_date else ""
        lines.append(f"Court: {', '.join(c for c in court if c)}{order}.")
    return lines


_WHAT = {
    "question": _question,
    "measure": _measure,
    "action": _action,
    "funding_line": _funding_line,
    "funding_period": _funding_period,
    "bodycam": _bodycam,
}


def source_text(source: Mapping[str, Any]) -> str:
    """'Deseret News, https://…, published Jan 20, 2026'."""
    parts = [str(source.get("outlet") or "source")]
    if source.get("url"):
        parts.append(str(source["url"]))
    if published := as_date(source.get("published")):
        parts.append(f"published {format_date(published)}")
    return ", ".join(parts)


def citation_text(rec: CitedRecord, today: dt.date, *, limit: int = CONTENT_LIMIT - 8) -> str:
    """What, status or stage, key dates, sources, as-of date and confidence, as plain text of
    at most `limit` characters (sources that do not fit are counted, never dropped silently)."""
    r = rec.record
    head = _WHAT[rec.kind](rec, today)
    if r.confidence == "disputed":
        confidence = f"Confidence: disputed. What conflicts: {r.confidence_note}"
    elif r.confidence_note:
        confidence = f"Confidence: {r.confidence} ({r.confidence_note})"
    else:
        confidence = f"Confidence: {r.confidence}"
    tail = [f"As of {format_date(r.as_of)}.", clip(confidence.rstrip(".") + ".", 600)]
    sources = [f"Source: {source_text(s)}" for s in r.sources] or ["Source: none recorded."]
    body = [clip(line, 600) for line in head]
    for count, line in enumerate(sources):
        rest = len(sources) - count
        room = limit - len("\n".join([*body, line, *tail])) - len(f"\n… and {rest} more sources")
        if room < 0:
            body.append(f"… and {rest} more source{'s' if rest != 1 else ''}")
            break
        body.append(line)
    text = defang("\n".join([*body, *tail]))
    return clip(text.replace(FENCE, "ʼʼʼ"), limit)


def citation_message(text: str) -> str:
    """The citation in a code block, so it copies cleanly."""
    return f"{FENCE}\n{text}\n{FENCE}"
