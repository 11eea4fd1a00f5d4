"""Confirmations of /admin changes: what changed, field by field, old → new.

Pure: a diff in (field → [old, new], JSON form, as revisions store it), text out, within Discord's
2,000 characters per message. User text is defanged so it cannot ping when shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.render.common import CONTENT_LIMIT, as_date, clip, defang, money
from db.dates import format_date

KIND_NAMES = {
    "measure": "bill",
    "action": "action",
    "funding_line": "funding line",
    "funding_period": "funding period",
    "bodycam": "body-camera record",
    "question": "question",
    "link": "link",
}
FIELD_NAMES = {
    "as_of": "as of",
    "sent_date": "sent",
    "due_date": "due",
    "due_rule_measure_key": "due rule bill",
    "due_rule_days": "due rule days",
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
VALUE_LIMIT = 120  # characters of one shown value
SUMMARY_LIMIT = 1800  # leaves room in a 2,000-character message for a sentence around it
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def field_name(field: str) -> str:
    return FIELD_NAMES.get(field, field.replace("_", " "))


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("_", " "))


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
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return format_date(as_date(value))  # type: ignore[arg-type]
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


def change_summary(kind: str, key: str, diff: dict[str, list[Any]]) -> str:
    """The header '**question GQ-1**' and one line per changed field, old → new, within
    SUMMARY_LIMIT characters (the rest counted). An empty diff says nothing changed."""
    head = f"**{kind_name(kind)} {clip(defang(key), 120)}**"
    if not diff:
        return f"{head}: nothing changed."
    lines = [head]
    used = len(head)
    items = list(diff.items())
    for index, (field, (old, new)) in enumerate(items):
        block = "\n".join(change_lines(field, old, new))
        left = len(items) - index
        more = f"\n… and {left} more field{'s' if left != 1 else ''} changed"
        if used + 1 + len(block) + len(more) > SUMMARY_LIMIT:
            lines.append(more.strip())
            break
        lines.append(block)
        used += 1 + len(block)
    return clip("\n".join(lines), min(SUMMARY_LIMIT, CONTENT_LIMIT))


def change_message(
    kind: str, key: str, outcome: str, diff: dict[str, list[Any]], *, shared: bool
) -> str:
    """A private confirmation: what happened to the record, where, and (except for a deletion)
    each changed field old → new."""
    name = f"{kind_name(kind)} **{clip(defang(key), 120)}**"
    where = "the shared dataset" if shared else "this server's records"
    if outcome == "unchanged":
        return f"Nothing changed: {name} already says that."
    if outcome == "deleted":
        return f"Deleted {name} from {where}; its history keeps a delete revision."
    first = {
        "created": f"Added {name} to {where}.",
        "copied": (
            f"Saved as this server's own version of the shared {name}; other servers still see "
            "the shared one."
        ),
    }.get(outcome, f"Updated {name} in {where}.")
    return f"{first}\n{change_summary(kind, key, diff)}"
