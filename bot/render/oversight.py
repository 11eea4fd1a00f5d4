"""Oversight questions → embeds: the list, one question in full, and what is due.

One visual language: a colour and a badge per status, red for anything overdue. Pure: records in,
embeds out; the caller passes `today` so the same question renders the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import discord

from bot.render.common import (
    AMBER,
    BLUE,
    BRAND,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    GREEN,
    GREY,
    PURPLE,
    RED,
    TITLE_LIMIT,
    add_field,
    clip,
    confidence_text,
    defang,
    footer_text,
    messages_of,
    sources_value,
    when,
    when_relative,
)
from db.dates import format_date
from db.kinds import QUESTION_STATUS_LABELS, VEHICLE_LABELS, label
from db.links import Related
from db.models import (
    OPEN_STATUSES,
    BillType,
    Measure,
    OversightQuestion,
    QuestionStatus,
    bill_label,
)
from db.oversight import (
    DueReport,
    QuestionDetail,
    QuestionFacets,
    QuestionPage,
    basis_disputed,
    days_outstanding,
    is_overdue,
    past_due,
    reports_past_due,
    series_dates,
)

Page = list[discord.Embed]
_STATUS_LOOK: dict[QuestionStatus, tuple[str, discord.Colour]] = {
    QuestionStatus.pending: ("⏳", AMBER),
    QuestionStatus.acknowledged: ("📨", BLUE),
    QuestionStatus.partially_answered: ("🌓", PURPLE),
    QuestionStatus.answered: ("✅", GREEN),
    QuestionStatus.refused: ("⛔", GREY),
    QuestionStatus.withdrawn: ("↩️", GREY),
}
STATUS_STYLE: dict[str, tuple[str, discord.Colour]] = {
    status: (f"{icon} {QUESTION_STATUS_LABELS[status]}", colour)
    for status, (icon, colour) in _STATUS_LOOK.items()
}
VEHICLES = VEHICLE_LABELS
EMBED_BUDGET = 5500  # characters per embed we build, under the 6,000 per message
SHORT_TEXT = 160  # a question's text in a list entry
_BILL_KEY = re.compile(r"\d+-([a-z]+)(\d+)")  # a measure key: 119-hr9002


def status_text(status: str) -> str:
    return STATUS_STYLE.get(str(status), (str(status).replace("_", " ").capitalize(), GREY))[0]


UNCERTAIN = "deadline uncertain (basis disputed)"


def colour_of(
    question: OversightQuestion, today: dt.date, disputed: bool = False
) -> discord.Colour:
    if is_overdue(question, today, disputed=disputed):
        return RED
    if past_due(question, today):  # and disputed
        return AMBER
    return STATUS_STYLE.get(str(question.status), ("", GREY))[1]


def days_overdue(question: OversightQuestion, today: dt.date, disputed: bool = False) -> int | None:
    if not is_overdue(question, today, disputed=disputed) or question.due_date is None:
        return None
    return (today - question.due_date).days


def overdue_marker(question: OversightQuestion, today: dt.date, disputed: bool = False) -> str:
    """'🔴 OVERDUE · 182 days' for an open question past its deadline; '⚠️ Deadline uncertain
    (basis disputed)' when that deadline's legal basis is disputed; else ''."""
    days = days_overdue(question, today, disputed)
    if days is None:
        return f"⚠️ {UNCERTAIN[0].upper()}{UNCERTAIN[1:]}" if past_due(question, today) else ""
    return f"🔴 OVERDUE · {days} day{'s' if days != 1 else ''}"


def rule_bill(question: OversightQuestion, measure: Measure | None) -> str:
    """The bill a due rule follows, as people write it ('H.R. 9002'); from its key
    ('119-hr9002') when the measure is not at hand."""
    if measure is not None:
        return bill_label(measure.bill_type, measure.bill_number, measure.title)
    key = question.due_rule_measure_key or ""
    if (found := _BILL_KEY.fullmatch(key)) and found[1] in BillType.__members__:
        return bill_label(found[1], int(found[2]), key)
    return key


_EVERY = {1: "monthly", 3: "quarterly", 6: "every six months", 12: "yearly"}


def every_text(months: int) -> str:
    """'quarterly', 'every 2 months'."""
    return _EVERY.get(months, f"every {months} months")


def rule_text(question: OversightQuestion, measure: Measure | None) -> str | None:
    """How the deadline is set, for a statutory or recurring one: '30 days after enactment of
    H.R. 7147', '90 days after enactment of H.R. 7147, then quarterly', 'quarterly from July 29,
    2026'; None for a plain due date."""
    months = question.repeat_months
    if not question.due_rule_measure_key or question.due_rule_days is None:
        if months is None or question.first_due_date is None:
            return None
        return f"{every_text(months)} from {format_date(question.first_due_date)}"
    rule = f"{question.due_rule_days} days after enactment of {rule_bill(question, measure)}"
    return rule if months is None else f"{rule}, then {every_text(months)}"


def trigger_text(question: OversightQuestion) -> str | None:
    """'July 1, 2026 is a condition, not a deadline: FY2027 budget hearings held before it
    count'; None without a trigger date."""
    if question.trigger_date is None:
        return None
    text = f"{format_date(question.trigger_date)} is a condition, not a deadline"
    return text + (f": {defang(question.trigger_note)}" if question.trigger_note else "")


def series_text(question: OversightQuestion, today: dt.date) -> str | None:
    """For a recurring duty: the reports past due beyond the current one and the next dates,
    e.g. 'Also past due: Oct 29, 2026. Then Jan 29, 2027, Apr 29, 2027. 0 reports received.'"""
    if question.repeat_months is None or question.due_date is None:
        return None
    late = reports_past_due(question, today)[1:]
    ahead = series_dates(
        question, after=max(question.due_date, today - dt.timedelta(days=1)), count=2
    )
    parts = []
    if late:
        parts.append("Also past due: " + ", ".join(format_date(d) for d in late) + ".")
    if ahead:
        parts.append("Then " + ", ".join(format_date(d) for d in ahead) + ".")
    received = len(question.responses)
    parts.append(f"{received} report{'s' if received != 1 else ''} received.")
    return " ".join(parts)


def waiting_text(question: OversightQuestion, measure: Measure | None = None) -> str:
    """Why a rule gives no date yet: 'waiting for enactment of H.R. 9002', or, for a bill marked
    enacted without a date, 'H.R. 9002 is enacted (date unknown)'."""
    bill = rule_bill(question, measure)
    if measure is not None and measure.stage == "enacted" and measure.enacted_on is None:
        return f"{bill} is enacted (date unknown)"
    return f"waiting for enactment of {bill}"


def due_value(question: OversightQuestion, measure: Measure | None, today: dt.date) -> str:
    """The due date with its relative time, and the rule it follows when there is one."""
    rule = rule_text(question, measure)
    if question.due_date is None:
        if rule is None:
            return "No due date."
        why = waiting_text(question, measure)
        return f"{why[0].upper()}{why[1:]} ({rule})."
    text = when_relative(question.due_date)
    if question.repeat_months is not None:
        text = f"Next report: {text}"
    if rule is not None:
        enacted_on = measure.enacted_on if measure is not None else None
        text += f"\n{rule}" + (f" (enacted {when(enacted_on)})" if enacted_on else "")
    if series := series_text(question, today):
        text += f"\n{series}"
    if marker := overdue_marker(question, today, basis_disputed(question, measure)):
        text += f"\n{marker}"
    return text


def _short_due(question: OversightQuestion) -> str:
    every = f" ({every_text(question.repeat_months)})" if question.repeat_months else ""
    if question.due_date is not None:
        report = "Next report due" if every else "Due"
        return f"{report} {when_relative(question.due_date)}{every}"
    if question.due_rule_days is not None:
        return f"Due {question.due_rule_days} days after enactment{every}: {waiting_text(question)}"
    if question.trigger_date is not None:
        return f"No due date · condition date {format_date(question.trigger_date)}, not a deadline"
    return "No due date"


def _who(question: OversightQuestion, limit: int = 70) -> str:
    return (
        f"{clip(defang(question.asked_by), limit)} → {clip(defang(question.addressed_to), limit)}"
    )


def _sources_of(questions: Iterable[OversightQuestion]) -> list[Any]:
    return [source for q in questions for source in q.sources]


def _newest_as_of(questions: Sequence[OversightQuestion]) -> dt.date | None:
    return max((q.as_of for q in questions), default=None)


# ---------------------------------------------------------------- /oversight list


def list_entry(
    question: OversightQuestion, today: dt.date, disputed: bool = False
) -> tuple[str, str]:
    """(field name, value): id, status and overdue marker; short text, who → whom, due date."""
    marker = overdue_marker(question, today, disputed)
    name = " · ".join(part for part in (question.key, status_text(question.status), marker) if part)
    value = "\n".join(
        [
            clip(defang(question.question), SHORT_TEXT),
            _who(question),
            _short_due(question),
        ]
    )
    return name, value


def list_page(page: QuestionPage, today: dt.date, filters: str) -> Page:
    """One page of the list: counts at the top, one compact entry per question."""
    total = f"{page.total:,} question{'s' if page.total != 1 else ''}"
    uncertain = f" · {page.uncertain:,} {UNCERTAIN}" if page.uncertain else ""
    lines = [f"**{total} · {page.overdue:,} overdue{uncertain}**"]
    if filters:
        lines.append(f"Filtered by {filters}")
    lines.append("Sorted by due date, overdue first.")
    colour = RED if page.overdue else BRAND
    embed = discord.Embed(title="Oversight questions", description="\n".join(lines), colour=colour)
    for question in page.questions:
        add_field(embed, *list_entry(question, today, question.id in page.disputed))
    embed.set_footer(text=footer_text(_newest_as_of(page.questions), _sources_of(page.questions)))
    return [embed]


def empty_list(filters: str, facets: QuestionFacets) -> Page:
    """No question matches: say what does exist instead."""
    if not facets.statuses:
        embed = discord.Embed(
            title="Oversight questions",
            description="No oversight questions are recorded yet.",
            colour=GREY,
        )
        return [embed]
    embed = discord.Embed(
        title="Oversight questions",
        description=f"No question matches {filters}. Here is what there is:",
        colour=GREY,
    )
    statuses = "\n".join(
        f"{status_text(status)}: {count:,}" for status, count in facets.statuses.items()
    )
    add_field(embed, "Statuses", statuses, inline=True)
    add_field(embed, "Components", ", ".join(map(defang, facets.components)) or "—", inline=True)
    add_field(embed, "Asked by (most questions first)", "\n".join(map(defang, facets.askers)))
    return [embed]


# ---------------------------------------------------------------- /oversight show


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, broken at a line or a space when possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text or not pieces else pieces


def _line_fields(name: str, lines: list[str], empty: str) -> list[tuple[str, str]]:
    """Lines as one or more fields named `name` (then 'name (continued)'), none cut."""
    if not lines:
        return [(name, empty)]
    values: list[str] = []
    for line in lines:
        for piece in split_text(line, FIELD_VALUE_LIMIT):
            if values and len(values[-1]) + 1 + len(piece) <= FIELD_VALUE_LIMIT:
                values[-1] += "\n" + piece
            else:
                values.append(piece)
    return [(name if i == 0 else f"{name} (continued)", v) for i, v in enumerate(values)]


def response_lines(question: OversightQuestion) -> list[str]:
    lines = []
    for response in question.responses:
        item = response if isinstance(response, dict) else response.model_dump(mode="json")
        received = dt.date.fromisoformat(str(item["received_on"]))
        line = f"• {when(received)}: {defang(str(item['summary']))}"
        if source := item.get("source"):
            line += f" ({sources_value([source]).removeprefix('• ')})"
        lines.append(line)
    return lines


def related_lines(related: Sequence[Related]) -> list[str]:
    return [f"• {label(r.kind)} {defang(r.label)}" for r in related]


def _pack(fields: list[tuple[str, str, bool]], colour: discord.Colour) -> list[discord.Embed]:
    """Fields over as many embeds as the per-embed limits need."""
    embeds = [discord.Embed(colour=colour)]
    used = 0
    for name, value, inline in fields:
        cost = len(name) + len(value)
        if len(embeds[-1].fields) >= FIELDS_PER_EMBED or used + cost > EMBED_BUDGET:
            embeds.append(discord.Embed(colour=colour))
            used = 0
        add_field(embeds[-1], name, value, inline=inline)
        used += cost
    return embeds


def outstanding_text(question: OversightQuestion, today: dt.date) -> str:
    if (days := days_outstanding(question, today)) is not None:
        return f"{days:,} day{'s' if days != 1 else ''}"
    if question.status not in OPEN_STATUSES:
        return "— (closed)"
    return "Not known (no sent date recorded)"


def _days(n: int) -> str:
    return f"{n:,} day{'s' if n != 1 else ''}"


def answer_sentence(question: OversightQuestion, measure: Measure | None, today: dt.date) -> str:
    """One plain sentence that answers "where does this stand?": status and deadline, no markup
    and no Discord timestamps, so it reads the same wherever it is pasted."""
    status = QUESTION_STATUS_LABELS.get(str(question.status), str(question.status)).lower()
    opening = f"{question.key} is {status}"
    if question.status not in OPEN_STATUSES:
        return f"{opening}: nothing is outstanding."
    due, rule = question.due_date, rule_text(question, measure)
    if due is None:
        if rule is not None:
            return f"{opening}, {waiting_text(question, measure)}: it is due {rule}."
        if question.trigger_date is not None:
            trigger = format_date(question.trigger_date)
            return f"{opening}; it has no due date ({trigger} is a condition, not a deadline)."
        return f"{opening}; no due date is recorded."
    on = format_date(due)
    why = f" ({rule})" if rule else ""
    if question.repeat_months is not None:
        return _duty_sentence(opening, question, measure, today, why)
    if due < today and basis_disputed(question, measure):
        return f"{opening}; {UNCERTAIN}: the recorded due date was {on}{why}."
    if due < today:
        return f"{opening} and {_days((today - due).days)} overdue: it was due {on}{why}."
    if due == today:
        return f"{opening} and due today, {on}{why}."
    return f"{opening} and due {on}{why}, in {_days((due - today).days)}."


def _duty_sentence(
    opening: str, question: OversightQuestion, measure: Measure | None, today: dt.date, why: str
) -> str:
    """A recurring duty: how many reports are past due, or when the next one is."""
    late = reports_past_due(question, today)
    if not late:
        due = question.due_date or today
        days = "today" if due == today else f"in {_days((due - today).days)}"
        return f"{opening}; its next report is due {format_date(due)}, {days}{why}."
    dates = _and(format_date(d) for d in late)
    count = f"{len(late)} report{'s' if len(late) != 1 else ''}"
    rule = f": it is due {why.strip(' ()')}" if why else ""
    if basis_disputed(question, measure):
        return f"{opening}; {UNCERTAIN}: {count} would be past due ({dates}){rule}."
    return f"{opening} and {count} {'are' if len(late) != 1 else 'is'} overdue ({dates}){rule}."


def _and(items: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    words = list(items)
    return " and ".join(words) if len(words) < 3 else f"{', '.join(words[:-1])} and {words[-1]}"


def question_pages(detail: QuestionDetail, today: dt.date) -> list[Page]:
    """A question in full: its whole text, then its facts; more pages only when it needs them."""
    q = detail.question
    disputed = basis_disputed(q, detail.rule_measure)
    colour = colour_of(q, today, disputed)
    marker = overdue_marker(q, today, disputed)
    title = " · ".join(part for part in (q.key, status_text(q.status), marker) if part)
    lead = answer_sentence(q, detail.rule_measure, today)
    texts = split_text(f"{lead}\n\n{defang(q.question)}", DESCRIPTION_LIMIT)
    embeds = [
        discord.Embed(
            title=clip(title if i == 0 else f"{q.key} (continued)", TITLE_LIMIT),
            description=text,
            colour=colour,
        )
        for i, text in enumerate(texts)
    ]
    fields: list[tuple[str, str, bool]] = [
        ("Asked by", defang(q.asked_by), True),
        ("Addressed to", defang(q.addressed_to), True),
        ("Vehicle", VEHICLES.get(str(q.vehicle), str(q.vehicle)), True),
        ("Component", defang(q.component or "—"), True),
        ("Sent", when_relative(q.sent_date) if q.sent_date else "Not recorded.", True),
        ("Due", due_value(q, detail.rule_measure, today), True),
        *([("Trigger date", trigger, True)] if (trigger := trigger_text(q)) else []),
        ("Days outstanding", outstanding_text(q, today), True),
        ("Status", status_text(q.status), True),
        ("Confidence", confidence_text(q.confidence, q.confidence_note), True),
    ]
    named = _line_fields("Responses", response_lines(q), "No response recorded.")
    named += _line_fields("Related records", related_lines(detail.related), "None linked.")
    named += _line_fields("Notes", [defang(q.notes)] if q.notes else [], "—")
    fields += [(name, value, False) for name, value in named]
    stored = cast(list[Mapping[str, Any]], q.sources)  # a loaded row holds the JSON dicts
    fields.append(("Sources", sources_value(stored), False))
    embeds += _pack(fields, colour)
    pages = messages_of(embeds)
    for page in pages:
        page[-1].set_footer(text=footer_text(q.as_of, q.sources))
    return pages


# ---------------------------------------------------------------- /oversight due


def due_line(question: OversightQuestion, today: dt.date, disputed: bool = False) -> str:
    text = clip(defang(question.question), 90)
    every = f" ({every_text(question.repeat_months)})" if question.repeat_months else ""
    line = f"`{question.key}` {text} · due {when_relative(question.due_date)}{every}"
    if (days := days_overdue(question, today, disputed)) is not None:
        line += f" · **{days} day{'s' if days != 1 else ''} overdue**"
    elif disputed:
        line += f" · **{UNCERTAIN}**"
    return line


def _more(shown: int, total: int) -> list[str]:
    missing = total - shown
    return [f"… and {missing:,} more: `/oversight list` shows them all."] if missing > 0 else []


def due_pages(
    report: DueReport,
    counts: tuple[int, int],
    next_question: OversightQuestion | None,
    today: dt.date,
) -> list[Page]:
    """Overdue, then due within the window, each with its due date; empty groups say so."""
    overdue_count, soon_count = counts
    uncertain_count = max(report.uncertain_count, len(report.uncertain))
    horizon = today + dt.timedelta(days=report.days)
    window = f"{report.days} day{'s' if report.days != 1 else ''}"
    uncertain_head = f" · {uncertain_count:,} {UNCERTAIN}" if uncertain_count else ""
    header = discord.Embed(
        title=f"Oversight questions due within {window}",
        description=(
            f"**{overdue_count:,} overdue{uncertain_head} · {soon_count:,} due by "
            f"{format_date(horizon)}**\n"
            "Open questions only (pending, acknowledged or partially answered)."
        ),
        colour=RED if overdue_count else (AMBER if soon_count or uncertain_count else GREEN),
    )
    overdue = [due_line(q, today) for q in report.overdue] + _more(
        len(report.overdue), overdue_count
    )
    soon = [due_line(q, today, q.id in report.disputed) for q in report.due_soon]
    soon += _more(len(report.due_soon), soon_count)
    uncertain = [due_line(q, today, True) for q in report.uncertain]
    uncertain += _more(len(report.uncertain), uncertain_count)
    if not soon:
        if next_question is not None and next_question.due_date is not None:
            soon = [
                f"Nothing is due in the next {window}. The next due date is "
                f"{when_relative(next_question.due_date)}: {due_line(next_question, today)}"
            ]
        else:
            soon = [f"Nothing is due in the next {window}, and no open question is due later."]
    named = _line_fields(f"Overdue ({overdue_count:,})", overdue, "Nothing is overdue.")
    if uncertain:
        heading = f"{UNCERTAIN[0].upper()}{UNCERTAIN[1:]} ({uncertain_count:,})"
        named += _line_fields(heading, uncertain, "—")
    named += _line_fields(f"Due within {window} ({soon_count:,})", soon, "—")
    embeds = [header, *_pack([(n, v, False) for n, v in named], header.colour or BRAND)]
    shown = [*report.overdue, *report.uncertain, *report.due_soon]
    pages = messages_of(embeds)
    for page in pages:
        page[-1].set_footer(text=footer_text(_newest_as_of(shown) or today, _sources_of(shown)))
    return pages
