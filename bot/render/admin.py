"""Confirmations of /admin changes: what changed, field by field, old → new.

Pure: a diff in (field → [old, new], JSON form, as revisions store it), text out, within Discord's
2,000 characters per message. User text is defanged so it cannot ping when shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.render.common import CONTENT_LIMIT, as_date, clip, defang, money
from db.changes import Change
from db.dates import format_date
from db.kinds import singular
from db.models import FIELDS_OF

FIELD_NAMES = {
    "as_of": "as of",
    "sent_date": "sent",
    "due_date": "due",
    "due_rule_measure_key": "due rule bill",
    "due_rule_days": "due rule days",
    "repeat_months": "repeats every (months)",
    "confidence_note": "confidence note",
    "asked_by": "asked by",
    "addressed_to": "addressed to",
    "measure_key": "bill",
    "a_kind": "from kind",
    "a_key": "from",
    "b_kind": "to kind",
    "b_key": "to",
}
MONEY_FIELDS = frozenset({"requested", "house", "senate", "enacted"})
# Codes and ids, shown bare; other text is quoted so its ends are visible.
BARE_FIELDS = frozenset(
    {
        "key",
        "confidence",
        "status",
        "vehicle",
        "component",
        "stage",
        "stage_after",
        "chamber",
        "bill_type",
        "measure_kind",
        "period_type",
        "state",
        "city_key",
        "measure_key",
        "due_rule_measure_key",
        "public_law",
        "vote",
        "a_kind",
        "a_key",
        "b_kind",
        "b_key",
    }
)
# Fields that hold dates: only their values are read as dates (a note that says '2026-02-30' is
# text, and must never fail a confirmation after its write committed).
DATE_FIELDS = frozenset(
    name
    for fields in FIELDS_OF.values()
    for name, info in fields.model_fields.items()
    if info.annotation in (dt.date, dt.date | None)
)
VALUE_LIMIT = 120  # characters of one shown value
SUMMARY_LIMIT = 1800  # leaves room in a 2,000-character message for a sentence around it
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_name(field: str) -> str:
    return FIELD_NAMES.get(field, field.replace("_", " "))


def kind_name(kind: str) -> str:
    return singular(kind)


def _item(value: Any) -> str:
    """One entry of a list field: a source, a response, or plain text."""
    if isinstance(value, Mapping):
        if "summary" in value:  # a response
            day = as_date(value.get("received_on"))
            text = clip(defang(str(value["summary"])), VALUE_LIMIT)
            return f"{format_date(day)}: “{text}”" if day else f"“{text}”"
        parts = []
        if value.get("outlet"):
            parts.append(clip(defang(str(value["outlet"])), 60))
        if value.get("url"):
            parts.append(f"<{defang(str(value['url']))[:300]}>")
        if value.get("published"):
            day = as_date(value["published"])
            parts.append(format_date(day) if day else str(value["published"]))
        return " · ".join(parts) or "—"
    return show_value("", value)


def show_value(field: str, value: Any) -> str:
    """A field's value for a person: '—' for nothing, dates by name, dollars with commas."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and field in MONEY_FIELDS:
        return money(value)
    if isinstance(value, str) and field in DATE_FIELDS and _ISO_DATE.fullmatch(value):
        return format_date(dt.date.fromisoformat(value))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(_item(v) for v in value) if len(value) <= 2 else f"{len(value)} entries"
    if isinstance(value, Mapping):
        return _item(value)
    if isinstance(value, str):
        text = clip(defang(value), VALUE_LIMIT)
        return text if field in BARE_FIELDS else f"“{text}”"
    return defang(str(value))


def change_lines(field: str, old: Any, new: Any) -> list[str]:
    """'• status: pending → answered'; a list that grew or shrank shows the entries added (+) and
    removed (−)."""
    name = field_name(field)
    if isinstance(old, list | type(None)) and isinstance(new, list | type(None)):
        before, after = old or [], new or []
        if before or after:
            added = [v for v in after if v not in before]
            removed = [v for v in before if v not in after]
            if len(added) + len(removed) <= 3:
                lines = [f"• {name}: + {_item(v)}" for v in added]
                lines += [f"• {name}: − {_item(v)}" for v in removed]
                return lines or [f"• {name}: reordered"]
            return [f"• {name}: {len(before)} → {len(after)} entries"]
    return [f"• {name}: {show_value(field, old)} → {show_value(field, new)}"]


HIDDEN_FIELDS = frozenset({"city_key"})  # derived from another field shown beside it


def change_summary(diff: dict[str, list[Any]], *, created: bool = False) -> str:
    """One line per changed field, old → new (a new record's values alone), within
    SUMMARY_LIMIT characters (the rest counted)."""
    lines: list[str] = []
    used = 0
    items = [(field, pair) for field, pair in diff.items() if field not in HIDDEN_FIELDS]
    for index, (field, (old, new)) in enumerate(items):
        if created:
            block = f"• {field_name(field)}: {show_value(field, new)}"
        else:
            block = "\n".join(change_lines(field, old, new))
        left = len(items) - index
        more = f"… and {left} more field{'s' if left != 1 else ''} changed"
        if used + len(block) + len(more) + 2 > SUMMARY_LIMIT:
            lines.append(more)
            break
        lines.append(block)
        used += 1 + len(block)
    return clip("\n".join(lines), min(SUMMARY_LIMIT, CONTENT_LIMIT))


def record_label(kind: str, name: str) -> str:
    """'question **GQ-1**', 'body-camera record **Denver, CO · ICE-ERO**'."""
    return f"{kind_name(kind)} **{clip(defang(name), 120)}**"


def change_message(change: Change, *, shared: bool, name: str | None = None) -> str:
    """The private confirmation of a write: what happened to which record, where, and (except
    for a deletion) each changed field old → new. `name` is how people know the record (its key
    by default). Pure and total: whatever the values, it renders within Discord's limit."""
    label = record_label(change.kind, name or change.key)
    where = "the shared dataset" if shared else "this server's records"
    if change.outcome == "unchanged":
        return f"Nothing changed: {label} already says that. Nothing was written."
    if change.outcome == "deleted":
        return f"Deleted {label} from {where}; its history keeps a delete revision."
    first = {
        "created": f"Added {label} to {where}.",
        "copied": (
            f"Saved as this server's own version of the shared {label}; other servers still see "
            "the shared one."
        ),
    }.get(change.outcome, f"Updated {label} in {where}.")
    summary = change_summary(change.diff, created=change.outcome == "created")
    return clip(f"{first}\n{summary}", CONTENT_LIMIT)
