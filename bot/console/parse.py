"""The offline console's input: a typed line → a command path and typed option values, checked
against the synced command payloads the way Discord's client checks them before anything reaches
the bot. Pure functions over Discord's JSON shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

SUBCOMMAND, GROUP, STRING, INTEGER, BOOLEAN, NUMBER, ATTACHMENT = 1, 2, 3, 4, 5, 10, 11
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}  # typographic quotes: pasted or autocorrected
# `name:value` only when the name starts like an option name and is not a URL scheme ("https://").
_NAMED = re.compile(r"([A-Za-z][\w-]{0,31}):(?!//)")
_MENTION = re.compile(r"<(?:@[!&]?|#)(\d+)>|(\d{15,21})")
_TRUE, _FALSE = {"true", "yes", "y", "on", "1"}, {"false", "no", "n", "off", "0"}


class LineError(Exception):
    """What Discord's client would tell the person instead of sending the command."""


@dataclass(frozen=True)
class Word:
    text: str
    name: str | None = None  # set for `name:value`
    quoted: bool = False  # began with a quote: a value on its own, never run on


@dataclass(frozen=True)
class Mention:
    """A user/channel/role option as typed: an id (or <@id>, <#id>) or a name."""

    kind: int  # 6 user, 7 channel, 8 role, 9 mentionable
    id: int | None
    text: str


@dataclass(frozen=True)
class LocalFile:
    """A file option as typed: a path on this machine, uploaded as the attachment."""

    path: str


@dataclass(frozen=True)
class Invocation:
    path: str  # "bodycam city"
    values: dict[str, Any]
    # name:value words for the form the command opens (only commands saying "opens a form").
    form: dict[str, str] = field(default_factory=dict)


def opens_form(leaf: Json) -> bool:
    """The bot's commands that answer with a form say so in their description."""
    return "opens a form" in (leaf.get("description") or "").lower()


def split_words(line: str) -> list[Word]:
    """Shell-like words; quotes group only at the start of a value, so O'Hare stays one word."""
    words: list[Word] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        name = None
        if match := _NAMED.match(line, i):
            name, i = match[1].lower(), match.end()
        if i < n and line[i] in _QUOTES:
            close = line.find(_QUOTES[line[i]], i + 1)
            if close < 0:
                raise LineError(f"Missing closing quote in: {line[i:]}")
            text, i, quoted = line[i + 1 : close], close + 1, True
        else:
            text, quoted = "", False
        end = i
        while end < n and not line[end].isspace():
            end += 1
        words.append(Word(text + line[i:end], name, quoted))
        i = end
    return words


def command_paths(commands: list[Json]) -> list[tuple[str, str, Json]]:
    """(path, description, leaf) of every runnable slash command, sorted by path."""
    found: list[tuple[str, str, Json]] = []

    def visit(node: Json, path: str) -> None:
        subs = [o for o in node.get("options") or [] if o.get("type") in (SUBCOMMAND, GROUP)]
        if not subs:
            found.append((path, node.get("description", ""), node))
        for sub in subs:
            visit(sub, f"{path} {sub['name']}")

    for command in commands:
        if int(command.get("type") or 1) == 1:  # chat input; not user/message context menus
            visit(command, command["name"])
    return sorted(found, key=lambda item: item[0])


def command_list(commands: list[Json], family: str | None = None) -> str:
    return "\n".join(
        f"/{path} — {description}"
        for path, description, _ in command_paths(commands)
        if family is None or path.split()[0] == family
    )


def parse_command(line: str, commands: list[Json]) -> Invocation:
    """`/group sub value name:"quoted value"` → Invocation, or LineError saying what is wrong.

    Positional values fill the options not given by name: required first, then optional, in
    declared order; surplus words join the last one if it is a string (`/search body cameras`).
    """
    words = split_words(line)
    if not words or words[0].name or not words[0].text.startswith("/"):
        raise LineError("A command starts with '/', for example /help.")
    typed = [words[0].text[1:].lower()]
    leaves = {path: leaf for path, _, leaf in command_paths(commands)}
    # The longest run of leading words that names a command path.
    rest = words[1:]
    while " ".join(typed) not in leaves and rest and rest[0].name is None:
        prefix = " ".join(typed)
        if not any(path.startswith(prefix + " ") for path in leaves):
            break
        typed.append(rest.pop(0).text.lower())
    path = " ".join(typed)
    if any(p.startswith(path + " ") for p in leaves):
        raise LineError(f"'/{path}' needs a subcommand:\n{command_list(commands, typed[0])}")
    if path not in leaves:
        family = typed[0] if any(p.split()[0] == typed[0] for p in leaves) else None
        raise LineError(f"Unknown command '/{path}'.\n{command_list(commands, family)}")
    form: dict[str, str] = {}
    values = _options(path, leaves[path], rest, form if opens_form(leaves[path]) else None)
    return Invocation(path, values, form)


def _options(
    path: str, leaf: Json, words: list[Word], form: dict[str, str] | None = None
) -> dict[str, Any]:
    """Typed values by option name; with `form`, unknown name:value words go there instead."""
    declared = {o["name"]: o for o in leaf.get("options") or []}
    texts: dict[str, str] = {}
    for word in words:
        if word.name is None:
            continue
        if word.name not in declared and form is not None:
            form[word.name] = word.text
            continue
        if word.name not in declared:
            names = ", ".join(declared) or "none"
            raise LineError(f"'/{path}' has no option '{word.name}'. Options: {names}")
        if word.name in texts:
            raise LineError(f"Option '{word.name}' is given twice.")
        texts[word.name] = word.text
    order = sorted(declared.values(), key=lambda o: not o.get("required"))  # stable sort
    free = [o for o in order if o["name"] not in texts]
    words = _continued(words, declared, free, texts)
    positional = [w.text for w in words if w.name is None]
    if len(positional) > len(free):
        last = free[-1] if free else None
        if last is None or last["type"] != STRING or last.get("choices"):
            extra = " ".join(positional[len(free) :])
            raise LineError(f"Too many values for '/{path}': '{extra}' has no option to go to.")
        positional[len(free) - 1 :] = [" ".join(positional[len(free) - 1 :])]
    texts.update((option["name"], text) for option, text in zip(free, positional, strict=False))
    for name, option in declared.items():
        if option.get("required") and not texts.get(name):
            raise LineError(f"Missing required option '{name}' for '/{path}'")
    return {name: convert(declared[name], text) for name, text in texts.items() if text}


def _continued(
    words: list[Word], declared: dict[str, Json], free: list[Json], texts: dict[str, str]
) -> list[Word]:
    """As in Discord, where a text option runs on until the next option: a bare word after
    `name:value` of a free-text option continues that value, unless the next option in order is
    a typed one (a number, true/false, a choice) that the word fits. `/search query:body cameras`
    is "body cameras", not share:cameras; `/bodycam city city:St. Paul` is St. Paul, not a city
    "St." as of "Paul" (a date is text to the console). Quotes end a value: after
    `city:"St. Paul"`, or before `"2026-01-15"`, the next value is positional."""
    joined: list[Word] = []
    position = 0  # the next option a bare word would go to
    for word in words:
        previous = joined[-1] if joined else None
        option = declared.get(previous.name) if previous and previous.name else None
        quoted = word.quoted or (previous is not None and previous.quoted)
        if word.name is None and option is not None and _free_text(option) and not quoted:
            following = free[position] if position < len(free) else None
            if following is None or _free_text(following) or not _fits(following, word.text):
                assert previous is not None and previous.name is not None
                joined[-1] = Word(f"{previous.text} {word.text}", previous.name)
                texts[previous.name] = joined[-1].text
                continue
        if word.name is None:
            position += 1
        joined.append(word)
    return joined


def _free_text(option: Json) -> bool:
    return bool(option["type"] == STRING and not option.get("choices"))


def _fits(option: Json, text: str) -> bool:
    try:
        convert(option, text)
    except LineError:
        return False
    return True


def convert(option: Json, text: str) -> Any:
    """A typed value for one option, or the message Discord's client shows for a bad one."""
    name, kind = option["name"], option["type"]
    if choices := option.get("choices"):
        for choice in choices:
            if text.lower() in (str(choice["value"]).lower(), choice["name"].lower()):
                return choice["value"]
        offered = ", ".join(str(c["value"]) for c in choices)
        raise LineError(f"Option '{name}' must be one of: {offered} (got '{text}')")
    if kind == STRING:
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(text) <= high:
            raise LineError(f"Option '{name}' must be {low} to {high} characters long.")
        return text
    if kind in (INTEGER, NUMBER):
        return _number(option, text)
    if kind == BOOLEAN:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise LineError(f"Option '{name}' expects true or false, got '{text}'")
    if kind in (6, 7, 8, 9):
        match = _MENTION.fullmatch(text)
        found = None if match is None else int(match[1] or match[2])
        return Mention(kind, found, text.lstrip("@#"))
    if kind == ATTACHMENT:
        return LocalFile(text)
    raise LineError(f"Option '{name}' has a type the console cannot send ({kind}).")


def _number(option: Json, text: str) -> int | float:
    name, whole = option["name"], option["type"] == INTEGER
    try:
        value: int | float = int(text) if whole else float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        kind = "a whole number" if whole else "a number"
        raise LineError(f"Option '{name}' expects {kind}, got '{text}'")
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"between {low} and {high}" if None not in (low, high) else None
        span = span or (f"at least {low}" if low is not None else f"at most {high}")
        raise LineError(f"Option '{name}' must be {span}, got {text}")
    return value
