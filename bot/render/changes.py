"""Change posts: what a subscribed channel sees when a record changes (the outbox dispatcher posts
them). One change → `change_post`; a batch of more than SUMMARY_OVER changes → `summary_post`, one
message listing them with counts per kind (never a flood).

Pure: data in, discord.Embed out, always inside Discord's limits. User text is defanged and clipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import discord

from bot.render.action_sentence import sentence_from_changes
from bot.render.common import (
    BLUE,
    BRAND,
    DESCRIPTION_LIMIT,
    FOOTER_LIMIT,
    GREEN,
    RED,
    add_field,
    clip,
    defang,
    sources_value,
    when,
)
from bot.render.history import (
    _summary,
    actor_text,
    as_day,
    diff_lines,
    label_from_changes,
    link_ends,
    link_name,
    record_title,
)
from db.dates import format_date
from db.kinds import KINDS

SUMMARY_OVER = 5  # a batch with more deliveries than this is posted as one summary
TITLE_BUDGET = 200
DIFF_LIMIT = 1500
LINE_LIMIT = 160  # one change in a summary
NEWS_LINE_LIMIT = 200  # a new bill action's: its day, its whole sentence and who
SUMMARY_BUDGET = 3500  # the summary's list: well within 4,096 and 6,000 with the other parts

EVENT_WORDS: dict[str, tuple[str, discord.Colour]] = {
    "created": ("New", GREEN),
    "updated": ("Changed", BLUE),
    "deleted": ("Removed", RED),
}
ACTIONS = {"created": "create", "updated": "update", "deleted": "delete"}


def _word(event: Any) -> tuple[str, discord.Colour]:
    default = (str(event.event_type).replace("_", " ").capitalize(), BRAND)
    return EVENT_WORDS.get(event.event_type, default)


def _action(event: Any, revision: Any | None) -> str:
    if revision is not None:
        return str(revision.action)
    return ACTIONS.get(event.event_type, "update")


SOURCES_LIMIT = 600  # keeps up to five change posts within one message


def name_of(event: Any, revision: Any | None, label: str | None = None) -> str:
    """The record as people know it: `label` (the record as it is now, from the post context),
    else the label its revision's values make (a create or a delete), else kind and key."""
    kind = event.record_kind
    if kind == "link":  # by its two ends, not 'link measure:119-hr7147~question:OQ-4'
        ends = link_ends(event.record_key, revision.changes if revision is not None else None)
        if ends is not None:
            return link_name(ends, {})
    if label is None and revision is not None:
        label = label_from_changes(kind, revision.changes)
    return record_title(kind, event.record_key, label)


def news_sentence(event: Any, revision: Any | None) -> str | None:
    """What a new bill action means, in one plain sentence ('H.R. 7147 passed the Senate 71-29
    (roll call 47).'); None for every other change."""
    if revision is None:
        return None
    return action_news(event.record_kind, _action(event, revision), revision.changes)


def action_news(kind: str, action: str, changes: Mapping[str, Sequence[Any]]) -> str | None:
    """news_sentence for a revision's kind, action and changes (a digest's change line)."""
    if kind != "action" or action != "create":
        return None
    sentence = sentence_from_changes(changes)
    return defang(sentence) if sentence else None


def news_line(kind: str, action: str, changes: Mapping[str, Sequence[Any]]) -> str | None:
    """A new bill action in a list, by its day and what happened: '**Mar 27, 2026**: H.R. 7147
    passed the Senate 71-29 (roll call 47)' (no closing period: the list adds who); None for
    every other change."""
    if (news := action_news(kind, action, changes)) is None:
        return None
    day = as_day(str(changes.get("action_date", [None, ""])[1]))
    head = f"**{format_date(day)}**: " if day is not None else ""
    return f"{head}{news.removesuffix('.')}"


def change_post(
    event: Any,
    revision: Any | None,
    sources: Sequence[Mapping[str, Any]] = (),
    label: str | None = None,
) -> discord.Embed:
    """One change: the record by its label, old → new per field by its human name, who made it
    (a mention) and when, the record's sources as links, 'change #<id>'. A new bill action opens
    with what happened, in one sentence (news_sentence)."""
    word, colour = _word(event)
    title = f"{word} · {name_of(event, revision, label)}"
    if revision is None:  # time-driven (overdue, funding lapsing): the event says it all
        description = defang(clip(event.summary or word, DESCRIPTION_LIMIT))
    else:
        action = _action(event, revision)
        description = diff_lines(revision.changes, action, DIFF_LIMIT, kind=event.record_kind)
        if (news := news_sentence(event, revision)) is not None:
            description = f"{news}\n\n{description}"
    embed = discord.Embed(
        title=clip(defang(title), TITLE_BUDGET), description=description, colour=colour
    )
    if revision is not None:
        add_field(embed, "By", actor_text(revision.actor_name, revision.actor_id), inline=True)
        recorded = revision.recorded_at
        add_field(embed, "When", f"{when(recorded, 'f')} ({when(recorded, 'R')})", inline=True)
        if revision.reason:
            add_field(embed, "Reason", defang(clip(revision.reason, 300)))
    if sources:
        add_field(embed, "Sources", sources_value(sources, limit=SOURCES_LIMIT))
    embed.set_footer(text=clip(f"change #{event.id}", FOOTER_LIMIT))
    return embed


def _line(event: Any, revision: Any | None, label: str | None) -> str:
    """'• **Trackton, TX · ICE-ERO**: Status: Announced → Full (by <@1001>)'; a new bill action
    by its day and what happened: '• **Mar 27, 2026**: H.R. 7147 passed the Senate 71-29 (roll
    call 47) (by Congress.gov)'."""
    if revision is not None:
        news = news_line(event.record_kind, _action(event, revision), revision.changes)
        if news is not None:
            by = actor_text(revision.actor_name, revision.actor_id)
            return clip(f"• {news} (by {by})", NEWS_LINE_LIMIT)
    name = defang(name_of(event, revision, label))
    if revision is None:
        what = defang(str(event.summary or event.event_type))
    else:
        what = _summary(revision.changes, _action(event, revision), kind=event.record_kind)
        what = f"{what} (by {actor_text(revision.actor_name, revision.actor_id)})"
    return clip(f"• **{name}**: {what}", LINE_LIMIT)


def _counts(events: Sequence[Any]) -> str:
    """'3 body-camera records · 2 oversight questions'."""
    counts = Counter(str(e.record_kind) for e in events)
    return " · ".join(
        KINDS[kind].count(n) if kind in KINDS else f"{kind.replace('_', ' ')}: {n}"
        for kind, n in sorted(counts.items())
    )


def summary_post(
    events: Sequence[Any],
    revisions: Mapping[int, Any] | Sequence[Any | None],
    labels: Mapping[int, str] | None = None,
) -> list[discord.Embed]:
    """Many changes at once: one embed with counts per kind and the first changes listed (each
    record by its label, as change_post names it), then '… and M more'. `revisions` maps
    revision id → Revision (or is parallel to `events`); `labels` maps event id → label."""
    if isinstance(revisions, Mapping):
        paired = [(e, revisions.get(e.revision_id) if e.revision_id else None) for e in events]
    else:
        paired = list(zip(events, revisions, strict=True))
    count_text = _counts(events)
    lines: list[str] = []
    for index, (event, revision) in enumerate(paired):
        line = _line(event, revision, (labels or {}).get(event.id or 0))
        rest = len(paired) - index
        tail = f"\n… and {rest - 1} more" if rest > 1 else ""
        if len("\n".join([*lines, line])) + len(tail) > SUMMARY_BUDGET:
            lines.append(f"… and {rest} more")
            break
        lines.append(line)
    embed = discord.Embed(
        title=f"{len(events)} changes",
        description=clip("\n".join(lines), DESCRIPTION_LIMIT),
        colour=BRAND,
    )
    add_field(embed, "By kind", count_text or "—")
    ids = [e.id for e in events]
    embed.set_footer(text=clip(f"changes #{min(ids)}–#{max(ids)}", FOOTER_LIMIT) if ids else "")
    return [embed]
