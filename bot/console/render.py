"""The offline console's output: what the bot sent (message and modal payloads) as plain text.

Pure functions over Discord's JSON shapes; the caller supplies the time zone and "now", so
transcripts are reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

Json = dict[str, Any]
EPHEMERAL = 1 << 6
WIDTH = 100
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
# [text](url) and [text](<url>) (the second form only suppresses Discord's link preview).
_LINK = re.compile(r"\[([^\]\n]+)\]\(<?([a-z][a-z0-9+.-]*://[^\s)>]+)>?\)", re.IGNORECASE)
_MENTION = re.compile(r"<(?:#|@[!&]?)(\d+)>")
_SELECT_KINDS = {3: "", 5: "a user", 6: "a role", 7: "a user or role", 8: "a channel"}
_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


# --- inline text ----------------------------------------------------------------------------


def _clock(moment: dt.datetime, seconds: bool = False) -> str:
    hour = moment.hour % 12 or 12
    sec = f":{moment.second:02}" if seconds else ""
    return f"{hour}:{moment.minute:02}{sec} {'AM' if moment.hour < 12 else 'PM'}"


def _long_date(moment: dt.datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"  # no zero padding, on every platform


def relative(moment: dt.datetime, now: dt.datetime) -> str:
    """'in 3 days' / '5 days ago', in the largest whole unit (like Discord's R style)."""
    seconds = (moment - now).total_seconds()
    size = abs(seconds)
    if size < 1:
        return "just now"
    name, unit = next((n, u) for n, u in _UNITS if size >= u)
    count = max(1, round(size / unit))
    amount = f"{count} {name}{'' if count == 1 else 's'}"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def timestamp(unix: int, style: str, tz: dt.tzinfo, now: dt.datetime) -> str:
    """One Discord timestamp as the console's reader would see it in `tz` (en-US formats).

    Times carry the zone's abbreviation: unlike a Discord client, a transcript may be read
    elsewhere."""
    moment = dt.datetime.fromtimestamp(unix, dt.UTC).astimezone(tz)
    zone = moment.strftime("%Z")
    match style:
        case "t" | "T":
            return f"{_clock(moment, style == 'T')} {zone}"
        case "d":
            return f"{moment:%m/%d/%Y}"
        case "D":
            return _long_date(moment)
        case "F":
            return f"{moment:%A}, {_long_date(moment)} {_clock(moment)} {zone}"
        case "R":
            return relative(moment, now)
        case _:  # "f", Discord's default
            return f"{_long_date(moment)} {_clock(moment)} {zone}"


def inline(text: str, tz: dt.tzinfo, now: dt.datetime) -> str:
    """Discord markup a terminal cannot show: timestamps and masked links."""
    text = _TIMESTAMP.sub(lambda m: timestamp(int(m[1]), m[2] or "f", tz, now), text)
    return _LINK.sub(lambda m: f"{m[1]} <{m[2]}>", text)


def name_mentions(value: Any, names: Mapping[int, str]) -> Any:
    """`value` (a payload) with <#id>, <@id> and <@&id> replaced by the names in `names`
    (#general, @console): a terminal cannot show Discord's mention chips."""
    if isinstance(value, str):
        return _MENTION.sub(lambda m: names.get(int(m[1]), m[0]), value)
    if isinstance(value, list):
        return [name_mentions(v, names) for v in value]
    if isinstance(value, dict):
        return {k: name_mentions(v, names) for k, v in value.items()}
    return value


def wrap(text: str, indent: str = "") -> list[str]:
    """Lines of at most WIDTH columns; words (and URLs) are never broken."""
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        lines += textwrap.wrap(
            line,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [indent.rstrip()]
    return lines


# --- messages ---------------------------------------------------------------------------------


def walk(components: list[Json]) -> Iterator[Json]:
    """Every component, depth first (rows, containers, sections and their accessories)."""
    for component in components:
        yield component
        yield from walk(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk([component[key]])


def button_label(button: Json) -> str:
    emoji = (button.get("emoji") or {}).get("name") or ""
    return " ".join(p for p in (emoji, button.get("label") or "") if p) or button.get(
        "custom_id", "?"
    )


def _words_of(text: str) -> str:
    """A label as typed: lower case, symbols (▶, «, emoji) dropped, spaces single."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def pick_buttons(buttons: list[Json], wanted: str) -> list[Json]:
    """The buttons `wanted` names: its label or custom id exactly, else those whose label
    starts with it ("next" → "Next ▶"); enabled ones first when the prefix is shared."""
    exact = [
        b
        for b in buttons
        if wanted.lower() in (b.get("custom_id", "").lower(), button_label(b).lower())
        or (_words_of(wanted) and _words_of(wanted) == _words_of(button_label(b)))
    ]
    if exact or not _words_of(wanted):
        return exact[:1]
    starts = [b for b in buttons if _words_of(button_label(b)).startswith(_words_of(wanted))]
    enabled = [b for b in starts if not b.get("disabled")]
    return enabled if len(enabled) != len(starts) and enabled else starts


def _button(button: Json) -> str:
    label = button_label(button)
    if button.get("url"):
        label += f" <{button['url']}>"
    return f"[{label}{' (disabled)' if button.get('disabled') else ''}]"


def _select(select: Json) -> str:
    if select.get("type") == 3:
        options = select.get("options") or []
        choices = " | ".join(o.get("label", o.get("value", "")) for o in options)
    else:
        choices = _SELECT_KINDS.get(select.get("type", 0), "a value")
    placeholder = select.get("placeholder")
    disabled = " (disabled)" if select.get("disabled") else ""
    return f"<{placeholder}: {choices}>{disabled}" if placeholder else f"<{choices}>{disabled}"


def _components(components: list[Json], tz: dt.tzinfo, now: dt.datetime) -> list[str]:
    lines: list[str] = []
    for component in components:
        kind = component.get("type")
        if kind == 1:  # an action row: its buttons on one line, each select on its own
            children = component.get("components") or []
            buttons = [_button(c) for c in children if c.get("type") == 2]
            if buttons:
                lines.append(" ".join(buttons))
            lines += [_select(c) for c in children if c.get("type") in _SELECT_KINDS]
        elif kind == 2:
            lines.append(_button(component))
        elif kind in _SELECT_KINDS:
            lines.append(_select(component))
        elif kind == 10:  # components v2 text display
            lines += wrap(inline(component.get("content", ""), tz, now))
        elif kind == 14:
            lines.append("─" * 20)
        else:  # section, container, label…: render what they hold
            lines += _components(component.get("components") or [], tz, now)
            for key in ("component", "accessory"):
                if isinstance(component.get(key), dict):
                    lines += _components([component[key]], tz, now)
    return lines


def _embed(embed: Json, tz: dt.tzinfo, now: dt.datetime) -> list[str]:
    lines: list[str] = []
    if title := embed.get("title"):
        title = inline(title, tz, now)
        lines += [title + (f" <{embed['url']}>" if embed.get("url") else ""), "─" * len(title)]
    if author := (embed.get("author") or {}).get("name"):
        lines.append(author)
    if description := embed.get("description"):
        lines += wrap(inline(description, tz, now))
    for field in embed.get("fields") or []:
        lines.append(f"{inline(field.get('name', ''), tz, now)}:")
        lines += wrap(inline(field.get("value", ""), tz, now), "    ")
    for key in ("image", "thumbnail"):
        if url := (embed.get(key) or {}).get("url"):
            lines.append(f"({key} <{url}>)")
    if footer := (embed.get("footer") or {}).get("text"):
        lines.append(f"[{inline(footer, tz, now)}]")
    if stamp := embed.get("timestamp"):
        moment = dt.datetime.fromisoformat(stamp)
        lines.append(timestamp(int(moment.timestamp()), "f", tz, now))
    return lines


def render_message(message: Json, tz: dt.tzinfo, now: dt.datetime) -> str:
    """A message payload (content, embeds, components, attachments, flags) as text."""
    blocks: list[list[str]] = []
    if content := message.get("content"):
        blocks.append(wrap(inline(content, tz, now)))
    blocks += [_embed(embed, tz, now) for embed in message.get("embeds") or []]
    files = [a.get("filename", "?") for a in message.get("attachments") or []]
    if files:
        blocks.append([f"Attached: {', '.join(files)}"])
    if components := _components(message.get("components") or [], tz, now):
        blocks.append(components)
    text = "\n\n".join("\n".join(block) for block in blocks if block)
    if int(message.get("flags") or 0) & EPHEMERAL:
        return f"(only you can see this)\n{text}"
    return text


def render_modal(modal: Json) -> str:
    """A form the bot opened: its title and the labels of its fields."""
    labels: list[str] = []
    for row in modal.get("components") or []:
        if row.get("type") == 18:  # a label wrapping one input (its own label is not shown)
            labels.append(row.get("label", ""))
        else:
            labels += [c["label"] for c in row.get("components") or [] if c.get("label")]
    return f"Form '{modal.get('title', '')}': {', '.join(labels) or 'no fields'}"
