"""Revisions → embeds (a record's history, page by page), undo confirmations, autocomplete labels,
and the import preview, result and error list.

Pure: data in, discord.Embed or text out, always inside Discord's limits. User text is defanged
(mention syntax broken) and clipped with a visible ellipsis.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import discord

from bot.render.admin import DATE_FIELDS, field_name, show_value
from bot.render.common import (
    BLUE,
    BRAND,
    DESCRIPTION_LIMIT,
    GREEN,
    GREY,
    PURPLE,
    RED,
    TITLE_LIMIT,
    add_field,
    clip,
    defang,
    when,
)
from db.appropriations import parse_bill_number
from db.changes import validate
from db.dates import format_date
from db.errors import DomainError
from db.kinds import (
    BILL_TYPE_LABELS,
    CAMERA_STATUS_LABELS,
    CHAMBER_LABELS,
    CONFIDENCE_LABELS,
    KINDS,
    MEASURE_KIND_LABELS,
    PERIOD_TYPE_LABELS,
    QUESTION_STATUS_LABELS,
    STAGE_LABELS,
    VEHICLE_LABELS,
    singular,
)
from db.links import label_of
from db.models import BILL_PREFIX, KEY_LENGTH

PER_PAGE = 4  # revisions per page: four of the largest embeds stay under 6,000 characters
TITLE_BUDGET = 150
REASON_LIMIT = 200
DIFF_LIMIT = 700  # the diff lines of one revision
VALUE_LIMIT = 120  # one old or new value
LABEL_LIMIT = 100  # Discord's autocomplete choice name
NAME_SHORTEST = 40  # a record's name in a choice is cut no shorter than this for the change
ACTOR_LIMIT = 30  # 'by <name>' in a choice
PREVIEW_SHOWN = 10  # changes listed in an import preview
PREVIEW_FIELD = 400

ACTION_WORDS = {
    "create": ("Created", GREEN),
    "update": ("Updated", BLUE),
    "delete": ("Deleted", RED),
    "undo": ("Undone", PURPLE),
    "rule": ("Updated by a rule", GREY),
}
KIND_LABELS = {name: kind.heading for name, kind in KINDS.items()}
_ACTOR_ID = re.compile(r"\s*\(\d+\)$")
_LINK_KEY = re.compile(r"(?P<a_kind>[a-z_]+):(?P<a_key>.+?)~(?P<b_kind>[a-z_]+):(?P<b_key>.+)")
Record = tuple[str, str]  # (kind, key)
Rows = Mapping[Record, Any]  # records as they read now, by (kind, key): db.labels.visible_rows
# Keys and bookkeeping, not news: a post names the record by its label instead (city_key is
# derived from the city shown beside it; as_of is when the facts were last checked).
HIDDEN_FIELDS = frozenset({"key", "city_key", "as_of"})
LINK_ENDS = ("a_kind", "a_key", "b_kind", "b_key")  # a link's name says them ('Link: A ↔ B')
FIELD_WORDS: dict[str, Mapping[str, str]] = {
    "stage": STAGE_LABELS,
    "stage_after": STAGE_LABELS,
    "chamber": CHAMBER_LABELS,
    "confidence": CONFIDENCE_LABELS,
    "vehicle": VEHICLE_LABELS,
    "measure_kind": MEASURE_KIND_LABELS,
    "period_type": PERIOD_TYPE_LABELS,
    "bill_type": {str(k): v for k, v in BILL_TYPE_LABELS.items()},
}
STATUS_WORDS: dict[str, Mapping[str, str]] = {
    "bodycam": CAMERA_STATUS_LABELS,
    "question": QUESTION_STATUS_LABELS,
}


def field_title(field: str) -> str:
    """A field by its human name, capitalised: 'Status', 'Due rule bill'."""
    name = field_name(field)
    return name[:1].upper() + name[1:]


def field_value(kind: str, field: str, value: Any, limit: int = VALUE_LIMIT) -> str:
    """A field's value in words: enum labels from db.kinds, bills by number, dates by name,
    money with commas, other text quoted (admin.show_value)."""
    words = STATUS_WORDS.get(kind) if field == "status" else FIELD_WORDS.get(field)
    if isinstance(value, str) and words and value in words:
        return words[value]
    if field.endswith("measure_key") and isinstance(value, str) and (bill := bill_name(value)):
        return bill
    return clip(show_value(field, value), limit)


def value_text(value: Any, limit: int = VALUE_LIMIT) -> str:
    """One stored value as people read it: '—' for nothing, sources by outlet, lists compact."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list) and all(isinstance(v, Mapping) and "outlet" in v for v in value):
        text = "; ".join(str(v["outlet"]) for v in value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    return defang(clip(" ".join(text.split()), limit))


def diff_lines(
    changes: Mapping[str, Sequence[Any]], action: str, limit: int = DIFF_LIMIT, *, kind: str = ""
) -> str:
    """'**Status**: Full → Partial', one line per field by its human name, values in words; a
    create shows new values, a delete the old ones; keys and as-of dates left out. As many whole
    lines as fit, then '… and N more fields'."""
    lines = []
    for field, (old, new) in changes.items():
        if field in HIDDEN_FIELDS:
            continue
        name = field_title(field)
        if action == "create":
            lines.append(f"**{name}**: {field_value(kind, field, new)}")
        elif action == "delete":
            lines.append(f"**{name}**: ~~{field_value(kind, field, old)}~~")
        else:
            lines.append(
                f"**{name}**: {field_value(kind, field, old)} → {field_value(kind, field, new)}"
            )
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = f"\n… and {rest - 1} more fields" if rest > 1 else ""
        if len("\n".join([*shown, line])) + len(tail) > limit:
            shown.append(f"… and {rest} more field{'s' if rest != 1 else ''}")
            break
        shown.append(line)
    if not shown and changes:
        return "No other details." if action == "create" else "Only its as-of date or key changed."
    return "\n".join(shown) or "No field changed."


def actor_text(name: str, actor_id: int | None) -> str:
    """'<@123>' for a Discord user (a mention: posts never ping, allowed_mentions is none), the
    name for tools ('seed', 'import')."""
    if actor_id:
        return f"<@{actor_id}>"
    return defang(clip(_ACTOR_ID.sub("", name), 100))


def short_actor(name: str) -> str:
    return _ACTOR_ID.sub("", name)


def record_title(kind: str, key: str, label: str | None = None) -> str:
    """How a post or a history names a record: a bill by its number ('bill H.R. 7147'), an
    action by its bill, chamber and day ('H.R. 7147 · Senate · Mar 27, 2026'), others by their
    label when known ('Trackton, TX · ICE-ERO', 'OQ-4: …'), else by kind and key."""
    if kind == "measure" and (bill := bill_name(key)):
        return f"bill {bill}"
    if kind == "action" and (title := action_title(key)):
        return title
    if label:
        return label
    return f"{singular(kind)} {key}"


def action_title(key: str) -> str | None:
    """'H.R. 7147 · Senate · Mar 27, 2026' for '119-hr7147/2026-03-27/senate'; None for a key
    that does not say its bill, day and chamber."""
    bill_key, _, rest = key.partition("/")
    day_text, _, rest = rest.partition("/")
    chamber = rest.partition("/")[0]
    bill, day = bill_name(bill_key), as_day(day_text)
    if not bill or day is None or not chamber:
        return None
    return f"{bill} · {CHAMBER_LABELS.get(chamber, chamber.capitalize())} · {format_date(day)}"


def link_ends(
    key: str, changes: Mapping[str, Sequence[Any]] | None = None, row: Any | None = None
) -> tuple[Record, Record] | None:
    """The two records a link joins: from its row, else the values of a revision holding them (a
    create or a delete), else its key ('measure:119-hr7147~question:OQ-4') unless the key was
    shortened with a hash; None when none of these says."""
    if row is not None:
        return ends_of(row)
    values = {f: pair[1] if pair[1] is not None else pair[0] for f, pair in (changes or {}).items()}
    ends = [values.get(f) for f in ("a_kind", "a_key", "b_kind", "b_key")]
    if all(isinstance(end, str) and end for end in ends):
        a_kind, a_key, b_kind, b_key = (str(end) for end in ends)
        return (a_kind, a_key), (b_kind, b_key)
    found = _LINK_KEY.fullmatch(key) if len(key) < KEY_LENGTH else None  # 120: maybe hashed
    if found is None or found["a_kind"] not in KINDS or found["b_kind"] not in KINDS:
        return None
    return (found["a_kind"], found["a_key"]), (found["b_kind"], found["b_key"])


def ends_of(link: Any) -> tuple[Record, Record]:
    """A link row's (or its validated fields') two ends."""
    return (link.a_kind, link.a_key), (link.b_kind, link.b_key)


def end_name(kind: str, key: str, rows: Rows) -> str:
    """One end of a link, short: a bill by its number ('H.R. 7147'), a question by its id
    ('OQ-4'), an action by its bill, chamber and day, others by their label."""
    if kind == "question":
        return key
    if kind == "measure" and (bill := bill_name(key)):
        return bill
    row = rows.get((kind, key))
    return record_title(kind, key, label_of(kind, row) if row is not None else None)


def link_name(ends: tuple[Record, Record], rows: Rows) -> str:
    """'Link: H.R. 7147 ↔ OQ-4', each end named by end_name."""
    (a_kind, a_key), (b_kind, b_key) = ends
    return f"Link: {end_name(a_kind, a_key, rows)} ↔ {end_name(b_kind, b_key, rows)}"


def _named_by_key(kind: str, key: str, *, end: bool = False) -> bool:
    """Whether record_title (end_name, for a link's `end`) names the record from its key alone."""
    if kind == "measure":
        return bill_name(key) is not None
    if kind == "action":
        return action_title(key) is not None
    return end and kind == "question"


def rows_wanted(revisions: Iterable[Any]) -> set[Record]:
    """The records whose rows name these revisions (revision_name): each one's record, or a
    link's two ends, leaving out the ones named by their key (a numbered bill, an action)."""
    wanted: set[Record] = set()
    for revision in revisions:
        kind, key = revision.record_kind, revision.record_key
        if kind != "link":
            if not _named_by_key(kind, key):
                wanted.add((kind, key))
        elif (ends := link_ends(key, revision.changes)) is None:
            wanted.add((kind, key))  # its row says which records it joins
        else:
            wanted.update(e for e in ends if not _named_by_key(*e, end=True))
    return wanted


def revision_name(revision: Any, rows: Rows) -> str:
    """The record a revision changed as people know it: by its label as the record reads now
    (`rows`, see rows_wanted), else as the revision's values make it (a create or a delete); a
    link by its two ends ('Link: H.R. 7147 ↔ OQ-4')."""
    kind, key, changes = revision.record_kind, revision.record_key, revision.changes
    row = rows.get((kind, key))
    if kind == "link" and (ends := link_ends(key, changes, row)) is not None:
        return link_name(ends, rows)
    label = label_of(kind, row) if row is not None else label_from_changes(kind, changes)
    return record_title(kind, key, label)


def label_from_changes(kind: str, changes: Mapping[str, Sequence[Any]] | None) -> str | None:
    """The record's label from a revision that holds all its fields (a create's new values, a
    delete's old ones); None when they are not all there (an update)."""
    if not changes:
        return None
    values = {f: (pair[1] if pair[1] is not None else pair[0]) for f, pair in changes.items()}
    for field in DATE_FIELDS & values.keys():
        if isinstance(values[field], str):
            values[field] = as_day(values[field]) or values[field]
    try:
        return label_of(kind, SimpleNamespace(**values)) if kind in KINDS else None
    except (AttributeError, TypeError, ValueError, KeyError):
        return None


def bill_name(key: str) -> str | None:
    """'H.R. 7147' for '119-hr7147' (any spelling parse_bill_number reads, with its Congress);
    None for anything else, such as an unnumbered measure's key."""
    number = parse_bill_number(key)
    if number is None or number.congress is None or number.bill_type not in BILL_PREFIX:
        return None
    return f"{BILL_PREFIX[number.bill_type]} {number.number}"


def as_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def revision_embed(
    revision: Any, *, viewer_guild_id: int | None = None, label: str | None = None
) -> discord.Embed:
    """One revision: number, action, record (by `label` when given), field diffs, who, when,
    effective date, reason."""
    word, colour = ACTION_WORDS.get(revision.action, (revision.action.title(), BRAND))
    if revision.undoes_revision_id and revision.action in ("create", "delete"):
        word = f"{word} (undo)"
    kind, changes = revision.record_kind, revision.changes
    name = record_title(kind, revision.record_key, label or label_from_changes(kind, changes))
    embed = discord.Embed(
        title=clip(defang(f"#{revision.id} · {word} · {name}"), TITLE_BUDGET),
        description=diff_lines(changes, revision.action, kind=kind),
        colour=colour,
    )
    add_field(embed, "By", actor_text(revision.actor_name, revision.actor_id), inline=True)
    recorded = revision.recorded_at
    add_field(embed, "When", f"{when(recorded, 'f')} ({when(recorded, 'R')})", inline=True)
    add_field(embed, "Effective", when(revision.effective_on), inline=True)
    if revision.reason:
        add_field(embed, "Reason", defang(clip(revision.reason, REASON_LIMIT)))
    if revision.undoes_revision_id:
        add_field(embed, "Undoes", f"#{revision.undoes_revision_id}", inline=True)
    if viewer_guild_id is not None and revision.guild_id is None:
        add_field(embed, "Dataset", "shared (only the bot's owners can undo it)", inline=True)
    return embed


def history_page_count(revisions: Sequence[Any], per_page: int = PER_PAGE) -> int:
    return max(1, math.ceil(len(revisions) / per_page))


def history_page(
    revisions: Sequence[Any],
    index: int,
    *,
    kind: str,
    key: str,
    viewer_guild_id: int | None = None,
    per_page: int = PER_PAGE,
    label: str | None = None,
) -> list[discord.Embed]:
    """Page `index` of a record's revisions, newest first (`revisions` in any order); the
    record is named by `label` when given (db.links.label_of)."""
    if label is None:  # a revision that holds every field (the create) names it
        label = next(
            (n for r in revisions if (n := label_from_changes(kind, r.changes)) is not None), None
        )
    newest = sorted(revisions, key=lambda r: (r.recorded_at, r.id or 0), reverse=True)
    if not newest:
        return [
            discord.Embed(
                title=clip(defang(f"History of {record_title(kind, key, label)}"), TITLE_LIMIT),
                description="No revisions recorded for this record.",
                colour=GREY,
            )
        ]
    chunk = newest[index * per_page : (index + 1) * per_page]
    embeds = [revision_embed(r, viewer_guild_id=viewer_guild_id, label=label) for r in chunk]
    count = len(newest)
    title = record_title(kind, key, label)
    heading = f"History of {title} · {count} revision{'s' if count != 1 else ''}"
    embeds[0].set_author(name=clip(defang(heading), 256))
    embeds[-1].set_footer(text="Newest first · undo one with /admin undo revision:<number>")
    return embeds


# ---------------------------------------------------------------- undo


def _summary(
    changes: Mapping[str, Sequence[Any]], action: str, limit: int = 40, *, kind: str = ""
) -> str:
    """'Status: Full → Partial' (the first field shown, plus '+2 more')."""
    if action in ("create", "delete"):
        return "added" if action == "create" else "deleted"
    shown = [(f, pair) for f, pair in changes.items() if f not in HIDDEN_FIELDS]
    if not shown:
        return "as-of date updated" if changes else "no fields"
    field, (old, new) = shown[0]
    more = f" +{len(shown) - 1} more" if len(shown) > 1 else ""
    old_text, new_text = field_value(kind, field, old, limit), field_value(kind, field, new, limit)
    return f"{field_title(field)}: {old_text} → {new_text}{more}"


def revision_label(revision: Any, rows: Rows | None = None) -> str:
    """'#123 · Minneapolis, MN · ICE-ERO · Status: Full → Partial · by alice' (≤ 100): the record
    by revision_name; a long name is shortened before the change is."""
    head, name, change, tail = _label_parts(revision, rows or {})
    room = LABEL_LIMIT - len(head) - len(tail) - 3 * len(" · ")
    name = _clip_words(name, max(room - len(change), min(len(name), NAME_SHORTEST)))
    change = clip(change, max(room - len(name), 1))
    return " · ".join((head, name, change, tail))[:LABEL_LIMIT]


def _clip_words(text: str, limit: int) -> str:
    """clip, at the end of a word when one ends in the second half ('… provided for…')."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (space := cut.rfind(" ")) > limit // 2:
        cut = cut[:space].rstrip(" ·,:;")
    return cut.rstrip() + "…"


def _label_parts(revision: Any, rows: Rows) -> tuple[str, str, str, str]:
    """The number, the record, the change and its author ('by alice'), whole."""
    kind = revision.record_kind
    return (
        f"#{revision.id}",
        revision_name(revision, rows),
        _summary(revision.changes, revision.action, 20, kind=kind),
        clip(f"by {short_actor(revision.actor_name)}", ACTOR_LIMIT),
    )


def revision_choices(
    revisions: Sequence[Any], typed: str, limit: int = 25, rows: Rows | None = None
) -> list[tuple[str, int]]:
    """(label, revision id) for autocomplete, newest first: a typed number matches revision
    numbers starting with it, words match anywhere in the record's name, the change or the
    author. Records are named by `rows` (see rows_wanted), one read for all the revisions."""
    text = typed.strip().lower().lstrip("#")
    chosen = []
    for revision in sorted(revisions, key=lambda r: r.id or 0, reverse=True):
        if text.isdigit():
            if not str(revision.id).startswith(text):
                continue
        elif text:
            words = " ".join(_label_parts(revision, rows or {})).lower()
            if not all(word in words for word in text.split()):
                continue
        chosen.append((revision_label(revision, rows), int(revision.id)))
        if len(chosen) == limit:
            break
    return chosen


def undo_embed(undone: Any, new: Any, label: str | None = None) -> tuple[str, discord.Embed]:
    """The private confirmation of an undo: 'Undid #12: Minneapolis, MN · ICE-ERO set back
    (revision #13).', and what changed (old → new) as the new revision. The record is named by
    `label` (the record as it is now, db.links.label_of), else by the label a revision holding
    all its fields makes (the create undone, or the re-creation), else by kind and key."""
    kind = undone.record_kind
    label = label or label_from_changes(kind, undone.changes)
    label = label or label_from_changes(kind, new.changes)
    what = record_title(kind, undone.record_key, label)
    outcome = {"create": "deleted", "delete": "re-created"}.get(undone.action, "set back")
    content = clip(defang(f"Undid #{undone.id}: {what} {outcome} (revision #{new.id})."), 2000)
    return content, revision_embed(new, label=label)


# ---------------------------------------------------------------- import and export


def _counts(created: int, changed: int, unchanged: int) -> str:
    return f"**{created:,}** new · **{changed:,}** changed · **{unchanged:,}** unchanged"


def import_preview(
    filename: str,
    created: Sequence[Any],
    changed: Sequence[tuple[Any, Mapping[str, Sequence[Any]]]],
    unchanged: int,
    *,
    where: str,
    rows: Rows | None = None,
) -> discord.Embed:
    """What an import would do: counts, then the first changes (new records and field diffs),
    each record by its label; a link by its two ends, named from the file (an end imported with
    it) or `rows` (the records as they read now, db.labels.visible_rows)."""
    embed = discord.Embed(
        title=clip(defang(f"Import preview: {filename}"), TITLE_LIMIT),
        description=(
            f"Into {where}: {_counts(len(created), len(changed), unchanged)}.\n"
            "Nothing is written until you confirm; everything is applied together or not at all."
        ),
        colour=BRAND,
    )
    first_changed, first_created = _first(created, changed)
    shown = [(r, _validated(r)) for r in [*(r for r, _ in first_changed), *first_created]]
    wanted = preview_rows_wanted(created, changed)
    known = {**(rows or {}), **_file_rows([*(r for r, _ in changed), *created], wanted)}
    names = [f"{_record_name(r, f, known)} (row {r.row})" for r, f in shown]
    for (record, changes), name in zip(first_changed, names[: len(first_changed)], strict=True):
        diff = diff_lines(_unnamed(record, changes), "update", PREVIEW_FIELD, kind=record.kind)
        add_field(embed, defang(f"Changed: {name}"), diff)
    for record, name in zip(first_created, names[len(first_changed) :], strict=True):
        new = {k: [None, v] for k, v in record.values.items() if v not in (None, [])}
        diff = diff_lines(_unnamed(record, new), "create", PREVIEW_FIELD, kind=record.kind)
        add_field(embed, defang(f"New: {name}"), diff)
    rest = len(created) + len(changed) - len(shown)
    if rest > 0:
        embed.set_footer(text=f"… and {rest:,} more new or changed records not shown")
    return embed


def preview_rows_wanted(
    created: Sequence[Any], changed: Sequence[tuple[Any, Mapping[str, Sequence[Any]]]]
) -> set[Record]:
    """The records whose rows name the links import_preview shows (their ends not named by key),
    to read with db.labels.visible_rows and pass as its `rows`."""
    first_changed, first_created = _first(created, changed)
    ends: set[Record] = set()
    for record in [*(r for r, _ in first_changed), *first_created]:
        if record.kind == "link" and (fields := _validated(record)) is not None:
            ends.update(ends_of(fields))
    return {end for end in ends if not _named_by_key(*end, end=True)}


def _first(
    created: Sequence[Any], changed: Sequence[tuple[Any, Mapping[str, Sequence[Any]]]]
) -> tuple[list[tuple[Any, Mapping[str, Sequence[Any]]]], list[Any]]:
    """The changed and new records a preview shows: changes first, PREVIEW_SHOWN in all."""
    first_changed = list(changed[:PREVIEW_SHOWN])
    return first_changed, list(created[: PREVIEW_SHOWN - len(first_changed)])


def _unnamed(record: Any, changes: Mapping[str, Sequence[Any]]) -> dict[str, Sequence[Any]]:
    """The fields a preview lists: a link's ends are in its name, not repeated by key."""
    hidden = LINK_ENDS if record.kind == "link" else ()
    return {field: pair for field, pair in changes.items() if field not in hidden}


def _validated(record: Any) -> Any | None:
    """A file's record as its validated fields (key included); None if the values make none."""
    try:
        return validate(record.kind, record.values)
    except DomainError:
        return None


def _file_rows(records: Sequence[Any], wanted: set[Record]) -> dict[Record, Any]:
    """The file's own values for the `wanted` records (a link's ends imported with it), read only
    as far as needed: records of other kinds are not validated."""
    kinds = {kind for kind, _ in wanted}
    found: dict[Record, Any] = {}
    for record in records:
        if len(found) == len(wanted):
            break
        if record.kind not in kinds or (fields := _validated(record)) is None:
            continue
        if (record.kind, fields.key) in wanted:
            found[(record.kind, fields.key)] = fields
    return found


def _record_name(record: Any, fields: Any | None, rows: Rows) -> str:
    """The record as people know it, from the file's values: 'Denver, CO · ICE-ERO', 'H.R. 7147',
    'OQ-4: <its question>', an action by its bill, chamber and day (db.links.label_of,
    record_title), a link by its ends ('Link: H.R. 7147 ↔ OQ-4'); the kind alone if the values
    do not make a record."""
    if fields is None:
        return singular(record.kind)
    if record.kind == "link":
        return clip(link_name(ends_of(fields), rows), 150)
    label = label_of(record.kind, fields)
    name = label if record.kind == "measure" else record_title(record.kind, fields.key, label)
    return clip(name, 150)


def import_result(filename: str, created: int, changed: int, unchanged: int, where: str) -> str:
    return clip(
        defang(f"Imported {filename} into {where}: ")
        + f"{created:,} created, {changed:,} changed, {unchanged:,} unchanged.",
        2000,
    )


def import_errors(filename: str, lines: Sequence[str], total: int) -> discord.Embed:
    """The problems of a file (the first ones as given, and how many in all); nothing written."""
    title = f"{filename}: {total:,} problem{'s' if total != 1 else ''}; nothing was imported"
    body = "\n".join(f"• {defang(line)}" for line in lines)
    footer = "Fix the file and run /admin import again. Rows count data rows from 1."
    embed = discord.Embed(
        title=clip(defang(title), TITLE_LIMIT),
        description=clip(body, DESCRIPTION_LIMIT - 100),
        colour=RED,
    )
    embed.set_footer(text=footer)
    return embed


def progress_text(done: int, total: int) -> str:
    return f"Importing… {done:,} / {total:,}"


def size_text(size: int) -> str:
    """'1.5 MB', '12.0 KB', '512 bytes'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def export_text(kind_label: str, count: int, fmt: str, size: int, where: str) -> str:
    records = f"{count:,} record{'s' if count != 1 else ''}"
    return (
        f"{kind_label}: {records} visible in {where}, as {fmt.upper()} ({size_text(size)}). "
        "Cells that a spreadsheet would run as a formula start with an extra '."
    )
