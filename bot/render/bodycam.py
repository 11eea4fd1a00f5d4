"""Body cameras → embeds: a city's records (one embed per component) and pages of the list.

Pure: records in, discord.Embed out. Every embed stays under EMBED_BUDGET characters, so a page
footer still fits; a record too long for one embed continues in the next, nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import discord

from bot.render.common import (
    AMBER,
    BRAND,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    GREEN,
    GREY,
    MESSAGE_EMBED_TEXT,
    PURPLE,
    RED,
    TITLE_LIMIT,
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
from db.dates import format_date
from db.kinds import CAMERA_STATUS_LABELS
from db.kinds import COMPONENT_LABELS as COMPONENT_WORDS
from db.models import CameraStatus

EMBED_BUDGET = 5000  # per embed: leaves room under 6,000 for the footer and "page N of M"
PAGE_FOOTER_ROOM = 40  # " · page 12 of 127", added by the paginator after grouping
LIST_FIELD_LIMIT = 400  # ten records (names up to ~120 characters) must fit one message
ANSWER_PAGE_LIMIT = 2000  # the first page of /bodycam city: the answer, readable at a glance
ANSWER_SENTENCE_LIMIT = 900  # a city in many states: the rest is on the pages after
NOT_COUNTED = "announced, not counted"
# The sources' own words for an announcement nobody has counted (Minneapolis, Feb 2026).
_ANNOUNCED_ONLY = re.compile(
    r"\bannounced,? (but )?not (yet )?(counted|confirmed|verified)\b", re.IGNORECASE
)


class StatusStyle(NamedTuple):
    emoji: str
    label: str
    colour: discord.Colour


_STATUS_LOOK: dict[CameraStatus, tuple[str, discord.Colour]] = {
    CameraStatus.full: ("🟢", GREEN),
    CameraStatus.partial: ("🟠", AMBER),
    CameraStatus.announced: ("🟠", AMBER),
    CameraStatus.court_ordered: ("🟣", PURPLE),
    CameraStatus.none_known: ("⚪", GREY),
    CameraStatus.suspended: ("🔴", RED),
    CameraStatus.ended: ("🔴", RED),
}
STATUS_STYLES: dict[str, StatusStyle] = {
    status: StatusStyle(icon, CAMERA_STATUS_LABELS[status], colour)
    for status, (icon, colour) in _STATUS_LOOK.items()
}
COMPONENT_LABELS: dict[str, str] = {str(c): label for c, label in COMPONENT_WORDS.items()}
_STAGES: tuple[tuple[str, str], ...] = (
    ("requested", "requested"),
    ("house", "House"),
    ("senate", "Senate"),
    ("enacted", "enacted"),
)


def status_style(status: Any) -> StatusStyle:
    value = str(getattr(status, "value", status))
    return STATUS_STYLES.get(value, StatusStyle("❔", value, GREY))


def status_text(status: Any) -> str:
    style = status_style(status)
    return f"{style.emoji} {style.label}"


def _value(item: Any) -> str:
    return str(getattr(item, "value", item))


def place(record: Any) -> str:
    """'Minneapolis, MN'; the nationwide records are just 'Nationwide'."""
    if record.state == "US" and record.city.lower() == "nationwide":
        return "Nationwide"
    return f"{defang(record.city)}, {record.state}"


def fitted_lines(lines: Sequence[str], limit: int = FIELD_VALUE_LIMIT, sep: str = "\n") -> str:
    """As many whole lines as fit in `limit`, then '… and N more' (never a silent cut)."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index - 1
        tail = f"{sep}… and {rest} more" if rest else ""
        if len(sep.join([*shown, line])) + len(tail) > limit:
            shown.append(f"… and {len(lines) - index} more")
            break
        shown.append(line)
    return clip(sep.join(shown), limit)


def counts_line(counts: Mapping[str, int]) -> str:
    """'🟢 Full 3 · ⚪ None known 5', in the order of the status list."""
    return " · ".join(f"{status_text(s)} **{counts[s]:,}**" for s in _status_order(counts))


def _status_order(counts: Mapping[str, int]) -> list[str]:
    return [s for s in STATUS_STYLES if s in counts] + sorted(set(counts) - set(STATUS_STYLES))


# ---------------------------------------------------------------- one city


@dataclass(frozen=True)
class CityEntry:
    """One component's record in a city, with what is linked to it."""

    record: Any  # a BodycamDeployment row, or BodycamFields rebuilt for a past date
    questions: Sequence[Any] = ()  # db.links.Related of kind "question"
    funding: Sequence[Any] = ()  # FundingLine rows: linked ones and the agency's camera lines
    closed_questions: int = 0  # linked questions already answered, refused or withdrawn


@dataclass
class _Card:
    """An embed's parts before they are packed into embeds within the budget."""

    title: str
    colour: discord.Colour
    description: str
    footer: str
    fields: list[tuple[str, str, bool]] = field(default_factory=list)

    def add(self, name: str, value: str | None, *, inline: bool = False) -> None:
        if value:
            self.fields.append((name, value, inline))


def _pack(card: _Card) -> list[discord.Embed]:
    """The card as one embed, or several ('… (continued)') when it outgrows the budget."""
    title = clip(card.title, TITLE_LIMIT)
    embeds = [discord.Embed(title=title, description=card.description, colour=card.colour)]
    for name, value, inline in card.fields:
        current = embeds[-1]
        size = len(name) + min(len(value), FIELD_VALUE_LIMIT)
        full = len(current.fields) >= FIELDS_PER_EMBED
        if full or embed_text_length(current) + size + len(card.footer) > EMBED_BUDGET:
            current = discord.Embed(title=clip(f"{title} (continued)", TITLE_LIMIT))
            current.colour = card.colour
            embeds.append(current)
        add_field(current, name, value, inline=inline)
    embeds[-1].set_footer(text=card.footer)
    return embeds


def _court(record: Any) -> str | None:
    """'*Case*, No. docket (court)', the judge, and the order's date: whichever are known."""
    named = [f"*{defang(record.court_case)}*" if record.court_case else ""]
    named.append(f"No. {defang(record.court_docket)}" if record.court_docket else "")
    line = ", ".join(part for part in named if part)
    if record.court_name:
        line = f"{line} ({defang(record.court_name)})".strip()
    lines = [line]
    if record.court_judge:
        lines.append(f"Judge {defang(record.court_judge)}")
    if record.court_order_date:
        lines.append(f"Order of {when(record.court_order_date)}")
    return "\n".join(text for text in lines if text) or None


def _question_line(related: Any) -> str:
    row = related.record
    due = getattr(row, "due_date", None)
    status = str(getattr(row, "status", "")).replace("_", " ")
    tail = f" · due {when(due)}" if due else ""
    return f"• {defang(related.label)} ({status}{tail})"


def funding_line_text(line: Any) -> str:
    amounts = [
        f"{label} {money(getattr(line, name))}"
        for name, label in _STAGES
        if getattr(line, name) is not None
    ]
    what = defang(line.purpose or line.account)
    shown = ", ".join(amounts) or "amount not recorded"
    return f"• FY{line.fiscal_year} {defang(line.component)}: {what} — {shown}"


def _questions_value(entry: CityEntry) -> str | None:
    lines = [_question_line(q) for q in entry.questions]
    if entry.closed_questions:
        lines.append(f"(+ {entry.closed_questions} closed: answered, refused or withdrawn)")
    return fitted_lines(lines) if lines else None


def _policies(record: Any) -> list[tuple[str, str]]:
    named = [
        ("Activation (when cameras are on)", record.activation_policy),
        ("Retention (how long footage is kept)", record.retention_policy),
        ("Release (who can see footage)", record.release_policy),
    ]
    return [(name, defang(text)) for name, text in named if text]


def record_embeds(entry: CityEntry, *, as_of: dt.date | None = None) -> list[discord.Embed]:
    """One component's record: status, dates, officers, policies, court order, links, sources."""
    record = entry.record
    style = status_style(record.status)
    component = _value(record.component)
    title = f"{place(record)} · {component}"
    head = f"{style.emoji} **{style.label}**"
    kind = COMPONENT_LABELS.get(component)
    if as_of is not None:
        title += f" — as of {format_date(as_of)}"
        head = f"📅 **Status on {when(as_of)}**, rebuilt from the record's history:\n{head}"
    if record.effective_date:
        head += f" since {when(record.effective_date)}"
    if only_announced(record) and _value(record.status) != CameraStatus.announced:
        head += f" — {NOT_COUNTED}"
    if kind:
        head = f"*{kind}*\n{head}"
    notes = f"\n\n{clip(defang(record.notes), 2500)}" if record.notes else ""
    card = _Card(
        title=title,
        colour=style.colour,
        description=head + notes,
        footer=footer_text(record.as_of, record.sources),
    )
    card.add("Status", honest_status(record), inline=True)
    effective = when_relative(record.effective_date) if record.effective_date else "not recorded"
    card.add("Effective", effective, inline=True)
    equipped = record.officers_equipped
    card.add(
        "Officers equipped",
        f"{equipped:,}" if equipped is not None else "not published",
        inline=True,
    )
    card.add("Operation", defang(record.operation) if record.operation else None, inline=True)
    card.add("Confidence", _confidence(record))
    policies = _policies(record)
    for name, text in policies:
        card.add(name, text)
    if not policies:
        card.add("Camera rules", "Activation, retention and release rules: none on record.")
    card.add("Court order", _court(record))
    questions = "Open questions (linked today)" if as_of else "Open questions"
    card.add(questions, _questions_value(entry))
    funding = [funding_line_text(line) for line in entry.funding]
    card.add("Funding", fitted_lines(funding) if funding else None)
    card.add("Sources", sources_value([_source(s) for s in record.sources]))
    return _pack(card)


def only_announced(record: Any) -> bool:
    """The record says cameras were announced, not seen in use: status Announced, or notes in
    the sources' words ('Announced, not counted'). Then no line may say cameras are worn."""
    if _value(record.status) == CameraStatus.announced:
        return True
    return bool(record.notes and _ANNOUNCED_ONLY.search(record.notes))


def honest_status(record: Any) -> str:
    """'🟢 Full', or '🟢 Full (announced, not counted)' when only the announcement is sourced."""
    text = status_text(record.status)
    if only_announced(record) and _value(record.status) != CameraStatus.announced:
        return f"{text} ({NOT_COUNTED})"
    return text


def _confidence(record: Any) -> str:
    """The confidence label, and for an announcement what it is confident of."""
    text = confidence_text(_value(record.confidence), record.confidence_note)
    if only_announced(record):
        text += "\nThe sources confirm the announcement; cameras in use are not counted."
    return text


def _source(source: Any) -> Mapping[str, Any]:
    return source if isinstance(source, Mapping) else source.model_dump()


def city_embeds(
    entries: Iterable[CityEntry], *, as_of: dt.date | None = None
) -> list[discord.Embed]:
    return [embed for entry in entries for embed in record_embeds(entry, as_of=as_of)]


# ---------------------------------------------------------------- the answer first


def component_name(component: Any) -> str:
    """'CBP U.S. Border Patrol', or 'ICE ERO' where the full name is too long for a sentence."""
    value = _value(component)
    label = COMPONENT_LABELS.get(value, value)
    return label if len(label) <= 22 else value.replace("-", " ")


def _camera_phrase(record: Any) -> str:
    """What the sources say about cameras, with '{c}' standing for the components' names.
    Only a counted 'Full' says cameras are worn; an announcement says announced."""
    status = _value(record.status)
    day = format_date(record.effective_date) if record.effective_date else None
    since = f" since {day}" if day else ""
    if status == CameraStatus.full and only_announced(record):
        return "{c} cameras announced for every officer" + (f", in effect {day}" if day else "")
    if status == CameraStatus.full:
        return "{c} cameras worn by every officer" + since
    if status == CameraStatus.partial:
        return "{c} cameras for some officers" + since
    if status == CameraStatus.announced:
        effective = f", effective {day}" if day else ""
        return "{c} cameras announced" + effective + ", not confirmed in use"
    if status == CameraStatus.court_ordered:
        case = f" ({defang(record.court_case)})" if record.court_case else ""
        return "{c} cameras required on by court order" + since + case
    if status == CameraStatus.none_known:
        return "no {c} cameras known"
    if status == CameraStatus.suspended:
        return "{c} cameras suspended" + since
    if status == CameraStatus.ended:
        return "{c} cameras ended" + (f" {day}" if day else "")
    return "{c} cameras: " + status_style(status).label.lower() + since


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


_HAS_CAMERAS = {CameraStatus.full, CameraStatus.partial, CameraStatus.court_ordered}
_RULES = (
    ("activation", "activation_policy"),
    ("retention", "retention_policy"),
    ("release", "release_policy"),
)


def _place_sentence(records: Sequence[Any]) -> str:
    """'Minneapolis, MN: CBP U.S. Border Patrol and ICE ERO cameras announced for every officer,
    in effect Feb 2, 2026 (how many are worn is not counted); activation, … not published.'"""
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(_camera_phrase(record), []).append(component_name(record.component))
    parts = [phrase.format(c=_and(names)) for phrase, names in groups.items()]
    if any(only_announced(r) for r in records if _value(r.status) == CameraStatus.full):
        parts[-1] += " (how many are worn is not counted)"
    equipped = [
        f"{r.officers_equipped:,} {component_name(r.component)} officers equipped"
        for r in records
        if r.officers_equipped is not None
    ]
    parts += equipped
    with_cameras = [
        r for r in records if _value(r.status) in _HAS_CAMERAS | {CameraStatus.announced}
    ]
    missing = [word for word, name in _RULES if not any(getattr(r, name) for r in with_cameras)]
    if with_cameras and missing:
        parts.append(f"{_and(missing)} rules not published")
    return f"{place(records[0])}: {'; '.join(parts)}."


def answer_sentence(records: Sequence[Any], *, as_of: dt.date | None = None) -> str:
    """One plain sentence per place that answers "do immigration officers wear cameras in
    <city>?" across its components: no markup, so it reads the same wherever it is pasted."""
    by_place: dict[str, list[Any]] = {}
    for record in records:
        by_place.setdefault(place(record), []).append(record)
    sentences = [_place_sentence(group) for group in by_place.values()]
    shown: list[str] = []
    for index, sentence in enumerate(sentences):
        rest = len(sentences) - index
        if shown and len(" ".join([*shown, sentence])) > ANSWER_SENTENCE_LIMIT:
            shown.append(f"… and {rest} more place{'s' if rest != 1 else ''} on the next pages.")
            break
        shown.append(sentence)
    text = " ".join(shown)
    return f"As of {format_date(as_of)} — {text}" if as_of is not None else text


def _summary_line(record: Any) -> str:
    style = status_style(record.status)
    facts = [f"{style.emoji} **{defang(_value(record.component))}** {style.label}"]
    if record.effective_date:
        facts.append(f"since {when(record.effective_date)}")
    if only_announced(record) and _value(record.status) != CameraStatus.announced:
        facts.append(NOT_COUNTED)
    facts.append(confidence_text(_value(record.confidence), None))
    return " · ".join(facts)


def answer_embed(entries: Sequence[CityEntry], *, as_of: dt.date | None = None) -> discord.Embed:
    """The first page: the answer sentence, one line per component, then 'more on the next
    pages'. Stays within ANSWER_PAGE_LIMIT characters however many records the city has."""
    records = [entry.record for entry in entries]
    places = list(dict.fromkeys(place(r) for r in records))
    where = places[0] if len(places) == 1 else f"{defang(records[0].city)} ({len(places)} places)"
    title = f"Body cameras · {where}" + (f" — as of {format_date(as_of)}" if as_of else "")
    sources = {(s.get("outlet"), s.get("url")): s for r in records for s in map(_source, r.sources)}
    newest = max((d for r in records if (d := as_date(r.as_of)) is not None), default=None)
    footer = footer_text(newest, list(sources.values()))
    sentence = answer_sentence(records, as_of=as_of)
    more = "Each component in full, with sources, on the next pages."
    lines = [(f"{place(r)} · " if len(places) > 1 else "") + _summary_line(r) for r in records]
    used = len(title) + len(footer) + PAGE_FOOTER_ROOM + len(sentence) + len(more) + 3
    room = ANSWER_PAGE_LIMIT - used
    description = f"{sentence}\n\n{fitted_lines(lines, max(room, 0))}\n{more}"
    colour = status_style(records[0].status).colour if len(records) == 1 else BRAND
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), description=description, colour=colour)
    embed.set_footer(text=footer)
    return embed


def city_pages(
    entries: Sequence[CityEntry], *, as_of: dt.date | None = None
) -> list[list[discord.Embed]]:
    """The answer first, then one component per page (a long record keeps its continuation)."""
    pages = [[answer_embed(entries, as_of=as_of)]]
    for entry in entries:
        pages += pages_of(record_embeds(entry, as_of=as_of))
    return pages


def pages_of(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """messages_of, keeping room on each page for the paginator's 'page N of M'."""
    pages: list[list[discord.Embed]] = []
    for page in messages_of(embeds):
        used = sum(embed_text_length(embed) for embed in page)
        if len(page) > 1 and used + PAGE_FOOTER_ROOM > MESSAGE_EMBED_TEXT:
            pages += [page[:-1], page[-1:]]
        else:
            pages.append(page)
    return pages


def not_on_record_embed(
    label: str, as_of: dt.date, first_recorded: dt.date, *, known_now: bool
) -> discord.Embed:
    """A date with no record for a city the data does know."""
    title = f"{defang(label)} — as of {format_date(as_of)}"
    if as_of < first_recorded:
        text = (
            f"There was **no record yet** for {defang(label)} on {when(as_of)}. "
            f"The first record starts {when(first_recorded)}."
        )
    else:
        text = (
            f"There is **no record** for {defang(label)} on {when(as_of)}: the records that "
            f"started {when(first_recorded)} had been removed by then."
        )
    if known_now:
        text += "\nRun `/bodycam city` without `as_of` for today's record."
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), description=text, colour=GREY)
    embed.set_footer(text=f"as of {format_date(as_of)} · rebuilt from the record's history")
    return embed


def unknown_city_text(query: str, suggestions: Sequence[str], known: int) -> str:
    """'No record for 'Minneapols'. Did you mean Minneapolis, MN?' or what to do instead."""
    shown = f"'{clip(defang(query), 100)}'"
    if suggestions:
        names = list(suggestions)
        options = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
        return f"No record for {shown}. Did you mean {options}?"
    if not known:
        return f"No record for {shown}: there are no body-camera records yet."
    cities = f"{known:,} cit{'y' if known == 1 else 'ies'}"
    return (
        f"No record for {shown}, and no known city is close to it. I have records for "
        f"{cities}: browse them with `/bodycam list` (filter by status, state or component)."
    )


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class ListFilters:
    status: str | None = None
    state: str | None = None
    component: str | None = None

    def describe(self) -> str:
        parts = []
        if self.status:
            parts.append(f"status {status_style(self.status).label}")
        if self.state:
            parts.append(f"state {self.state}")
        if self.component:
            parts.append(f"component {self.component}")
        return ", ".join(parts)


def _list_title(filters: ListFilters) -> str:
    described = filters.describe()
    return "Body cameras by city" + (f" — {described}" if described else "")


def _list_value(record: Any) -> str:
    facts = [honest_status(record)]
    if record.effective_date:
        facts.append(f"since {when(record.effective_date)}")
    if record.officers_equipped is not None:
        facts.append(f"{record.officers_equipped:,} officers equipped")
    lines = [" · ".join(facts)]
    if record.operation:
        lines.append(clip(defang(record.operation), 80))
    # The full note is in /bodycam city; here it is cut short so the sources keep their room.
    note = clip(record.confidence_note, 120) if record.confidence_note else None
    lines.append(confidence_text(_value(record.confidence), note))
    head = "\n".join(lines)
    sources = sources_value([_source(s) for s in record.sources], LIST_FIELD_LIMIT - len(head) - 1)
    return clip(f"{head}\n{sources}", LIST_FIELD_LIMIT)


def list_page_embed(page: Any, filters: ListFilters) -> discord.Embed:
    """One page of ten records, with counts by status over the whole filtered set on top."""
    colour = status_style(filters.status).colour if filters.status else BRAND
    first = page.page * page.per_page + 1
    last = first + len(page.records) - 1
    showing = (
        f"Showing {first:,}–{last:,}, sorted by city. `/bodycam city` shows a city in full."
        if page.records
        else "Nothing left on this page: the list has changed. Run `/bodycam list` again."
    )
    total = f"**{page.total:,} record{'s' if page.total != 1 else ''}**"
    description = f"{total}: {counts_line(page.counts)}\n{showing}"
    embed = discord.Embed(
        title=clip(_list_title(filters), TITLE_LIMIT), description=description, colour=colour
    )
    sources: dict[tuple[str, str | None], Any] = {}
    for record in page.records:
        name = f"{place(record)} · {_value(record.component)}"
        add_field(embed, name, _list_value(record))
        for source in record.sources:
            plain = _source(source)
            sources[(plain.get("outlet", ""), plain.get("url"))] = plain
    newest = max((d for r in page.records if (d := as_date(r.as_of)) is not None), default=None)
    embed.set_footer(text=footer_text(newest, list(sources.values())))
    return embed


def empty_list_embed(filters: ListFilters, hints: Mapping[str, Mapping[str, int]]) -> discord.Embed:
    """Nothing matches: say what does exist once each filter is dropped."""
    described = filters.describe()
    embed = discord.Embed(
        title="No body-camera records match",
        description=f"Nothing on record for {described}." if described else "No records yet.",
        colour=GREY,
    )
    names = {"status": "Statuses", "state": "States", "component": "Components"}
    for facet, counts in hints.items():
        others = ListFilters(**{**filters.__dict__, facet: None}).describe()
        where = f" with {others}" if others else ""
        if facet == "status":
            items = [f"{status_text(s)} {counts[s]:,}" for s in _status_order(counts)]
        else:
            items = [f"{value} {n:,}" for value, n in counts.items()]
        value = fitted_lines(items, sep=" · ") if items else "none"
        add_field(embed, f"{names[facet]} on record{where}", value)
    return embed
