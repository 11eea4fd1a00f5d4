"""Discord's documented payload limits, checked on everything the bot sends.

Each check adds a Finding (rule, body path, Discord error code, message). The server turns
findings into Violation records and, for hard limits, into Discord's 400 "Invalid Form Body".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]

# Rules Discord itself would accept: recorded as violations, but answered 200.
SOFT_RULES = frozenset({"allowed_mentions"})
COMPONENTS_V2 = 1 << 15
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


@dataclass(frozen=True)
class Violation:
    route: str  # "POST /channels/123/messages"
    rule: str  # e.g. "content_length", "embed_total", "response_deadline"
    detail: str
    path: str = ""  # where in the body, e.g. "embeds.0.fields.3.value"


@dataclass(frozen=True)
class Finding:
    rule: str
    path: str
    code: str
    message: str


class Report:
    """Collects findings for one request body."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix  # "data" for interaction callbacks: Discord reports data.content
        self.findings: list[Finding] = []

    def add(self, rule: str, path: str, code: str, message: str) -> None:
        self.findings.append(Finding(rule, join(self.prefix, path), code, message))

    def max_len(self, rule: str, path: str, value: Any, limit: int) -> None:
        if isinstance(value, str | list | dict) and len(value) > limit:
            self.add(rule, path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length(self, rule: str, path: str, value: Any, low: int, high: int) -> None:
        size = len(value) if isinstance(value, str | list) else 0
        if not low <= size <= high:
            self.add(
                rule, path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
            )

    @property
    def hard(self) -> list[Finding]:
        return [f for f in self.findings if f.rule not in SOFT_RULES]


def join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p != "")


def form_errors(findings: list[Finding]) -> Json:
    """Nest findings the way Discord does: {"embeds": {"0": {"title": {"_errors": [...]}}}}."""
    top = [f for f in findings if not f.path]
    if top:  # discord.py's sync-error formatter only copes with a lone top-level "_errors"
        return {"_errors": [{"code": f.code, "message": f.message} for f in top]}
    errors: Json = {}
    for finding in findings:
        node = errors
        for part in finding.path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": finding.code, "message": finding.message})
    return errors


# --- messages ---------------------------------------------------------------------------------


def check_message(
    payload: Json, report: Report, *, creating: bool, has_files: bool = False
) -> None:
    """Content, nonce, embeds, components and allowed_mentions of a message create/edit."""
    flags = int(payload.get("flags") or 0)
    content = payload.get("content")
    report.max_len("content_length", "content", content, 2000)
    nonce = payload.get("nonce")
    if isinstance(nonce, str):
        report.max_len("nonce_length", "nonce", nonce, 25)
    embeds = payload.get("embeds") or []
    if flags & COMPONENTS_V2 and (content or embeds):
        report.add(
            "components_v2",
            "content" if content else "embeds",
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
            "content and embeds cannot be used with MessageFlags.IS_COMPONENTS_V2",
        )
    check_embeds(embeds, report)
    check_components(payload.get("components") or [], report, v2=bool(flags & COMPONENTS_V2))
    check_allowed_mentions(payload, report)
    empty = not (content or embeds or payload.get("components") or payload.get("sticker_ids"))
    if creating and empty and not has_files and not payload.get("poll"):
        report.add("empty_message", "", "50006", "Cannot send an empty message")


def check_allowed_mentions(payload: Json, report: Report) -> None:
    """Our house rule: every message payload says explicitly that nothing may ping."""
    mentions = payload.get("allowed_mentions")
    if mentions is None:
        report.add("allowed_mentions", "allowed_mentions", "HOUSE_RULE", "allowed_mentions missing")
        return
    pings = [
        *(f"parse {p}" for p in mentions.get("parse") or []),
        *(f"users {u}" for u in mentions.get("users") or []),
        *(f"roles {r}" for r in mentions.get("roles") or []),
    ]
    if mentions.get("replied_user"):
        pings.append("replied_user")
    if pings:
        report.add(
            "allowed_mentions", "allowed_mentions", "HOUSE_RULE", "may ping: " + ", ".join(pings)
        )


def embed_text_size(embed: Json) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field_ in embed.get("fields") or []:
        size += len(field_.get("name") or "") + len(field_.get("value") or "")
    return size


def check_embeds(embeds: list[Json], report: Report) -> None:
    report.max_len("embed_count", "embeds", embeds, 10)
    for i, embed in enumerate(embeds):
        at = join("embeds", i)
        report.max_len("embed_title", join(at, "title"), embed.get("title"), 256)
        report.max_len("embed_description", join(at, "description"), embed.get("description"), 4096)
        footer = embed.get("footer") or {}
        report.max_len("embed_footer", join(at, "footer", "text"), footer.get("text"), 2048)
        author = embed.get("author") or {}
        report.max_len("embed_author", join(at, "author", "name"), author.get("name"), 256)
        fields = embed.get("fields") or []
        report.max_len("embed_field_count", join(at, "fields"), fields, 25)
        for j, field_ in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                path = join(at, "fields", j, key)
                value = field_.get(key)
                if not value:
                    report.add(
                        f"embed_field_{key}", path, "BASE_TYPE_REQUIRED", "This field is required"
                    )
                else:
                    report.max_len(f"embed_field_{key}", path, value, limit)
    total = sum(embed_text_size(e) for e in embeds)
    if total > 6000:
        report.add(
            "embed_total",
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of 6000 ({total})",
        )


# --- components -------------------------------------------------------------------------------


def _walk(components: list[Json], path: str) -> list[tuple[str, Json]]:
    """Every component with its body path, depth first (rows, containers, sections, labels)."""
    found: list[tuple[str, Json]] = []
    for i, component in enumerate(components):
        at = join(path, i)
        found.append((at, component))
        found.extend(_walk(component.get("components") or [], join(at, "components")))
        if isinstance(component.get("component"), dict):
            found.append((join(at, "component"), component["component"]))
        if isinstance(component.get("accessory"), dict):
            found.append((join(at, "accessory"), component["accessory"]))
    return found


def check_components(
    components: list[Json], report: Report, *, v2: bool = False, path: str = "components"
) -> None:
    if v2:
        report.max_len("component_count", path, _walk(components, path), 40)
    else:
        report.max_len("action_rows", path, components, 5)
        for i, row in enumerate(components):
            children = row.get("components") or []
            if row.get("type") == 1:
                report.max_len("row_width", join(path, i, "components"), children, 5)
                has_select = any(c.get("type") in SELECT_TYPES for c in children)
                if has_select and len(children) > 1:
                    report.add(
                        "row_width",
                        join(path, i, "components"),
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "A select menu must be alone in its action row",
                    )
    seen: set[str] = set()
    for at, component in _walk(components, path):
        custom_id = component.get("custom_id")
        if custom_id is not None:
            report.max_len("custom_id", join(at, "custom_id"), custom_id, 100)
            if custom_id in seen:
                report.add(
                    "custom_id_duplicate",
                    join(at, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)
        _check_component(component, at, report)


def _check_component(component: Json, at: str, report: Report) -> None:
    kind = component.get("type")
    if kind == 2:  # button
        report.max_len("button_label", join(at, "label"), component.get("label"), 80)
        if component.get("style") == 5:
            report.max_len("button_url", join(at, "url"), component.get("url"), 512)
        elif component.get("style") != 6 and not component.get("custom_id"):
            report.add(
                "custom_id", join(at, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required"
            )
    elif kind in SELECT_TYPES:
        report.max_len(
            "select_placeholder", join(at, "placeholder"), component.get("placeholder"), 150
        )
        options = component.get("options")
        if kind == 3:
            report.length("select_options", join(at, "options"), options, 1, 25)
        for j, option in enumerate(options or []):
            for key in ("label", "value", "description"):
                report.max_len(
                    f"select_option_{key}", join(at, "options", j, key), option.get(key), 100
                )
        for key, low in (("min_values", 0), ("max_values", 1)):
            value = component.get(key)
            if value is not None and not low <= int(value) <= 25:
                report.add(
                    f"select_{key}",
                    join(at, key),
                    "NUMBER_TYPE_MAX",
                    f"Must be between {low} and 25.",
                )
    elif kind == 4:  # text input
        report.max_len("text_input_label", join(at, "label"), component.get("label"), 45)
        report.max_len(
            "text_input_placeholder", join(at, "placeholder"), component.get("placeholder"), 100
        )
        report.max_len("text_input_value", join(at, "value"), component.get("value"), 4000)
    elif kind == 18:  # label (modals)
        report.max_len("label_text", join(at, "label"), component.get("label"), 45)
        report.max_len(
            "label_description", join(at, "description"), component.get("description"), 100
        )


# --- interaction callbacks --------------------------------------------------------------------


def check_autocomplete(data: Json, report: Report) -> None:
    choices = data.get("choices") or []
    report.max_len("autocomplete_choices", "choices", choices, 25)
    check_choices(choices, "choices", report, count=False)


def check_choices(choices: list[Json], path: str, report: Report, *, count: bool = True) -> None:
    if count:
        report.max_len("choice_count", path, choices, 25)
    for i, choice in enumerate(choices):
        report.length("choice_name", join(path, i, "name"), choice.get("name"), 1, 100)
        value = choice.get("value")
        if isinstance(value, str):
            report.max_len("choice_value", join(path, i, "value"), value, 100)


def check_modal(data: Json, report: Report) -> None:
    report.length("modal_title", "title", data.get("title"), 1, 45)
    report.max_len("custom_id", "custom_id", data.get("custom_id"), 100)
    components = data.get("components") or []
    report.length("modal_components", "components", components, 1, 5)
    for at, component in _walk(components, "components"):
        custom_id = component.get("custom_id")
        if custom_id is not None:
            report.max_len("custom_id", join(at, "custom_id"), custom_id, 100)
        _check_component(component, at, report)


# --- application commands ---------------------------------------------------------------------


def valid_name(name: Any) -> bool:
    """Emulates ^[-_\\p{L}\\p{N}]{1,32}$ plus "lowercase when a lowercase form exists"."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return False
    return all(c.isalnum() or c in "-_" for c in name) and name == name.lower()


def check_commands(commands: list[Json], report: Report) -> None:
    counts: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        kind = int(command.get("type") or 1)
        counts[kind] = counts.get(kind, 0) + 1
        name = command.get("name")
        if (kind, name) in seen:
            report.add(
                "command_duplicate",
                join(i, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique ({name})",
            )
        seen.add((kind, str(name)))
        if kind == 1:
            _check_named(command, str(i), report, "command")
            _check_options(command.get("options") or [], join(i, "options"), report, depth=0)
        elif not isinstance(name, str) or not 1 <= len(name) <= 32:
            report.add(
                "command_name", join(i, "name"), "BASE_TYPE_BAD_LENGTH", "Must be 1-32 long."
            )
        size = _command_size(command)
        if size > 4000:
            report.add(
                "command_size",
                str(i),
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size (4000): {size}",
            )
    for kind, limit in ((1, 100), (2, 15), (3, 15)):
        if counts.get(kind, 0) > limit:
            report.add(
                "command_count",
                "",
                "30032",
                f"Maximum number of application commands reached ({limit} of type {kind})",
            )


def _check_named(item: Json, at: str, report: Report, what: str) -> None:
    if not valid_name(item.get("name")):
        report.add(
            f"{what}_name",
            join(at, "name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            f"Command name is invalid: {item.get('name')!r}",
        )
    report.length(f"{what}_description", join(at, "description"), item.get("description"), 1, 100)


def _check_options(options: list[Json], at: str, report: Report, *, depth: int) -> None:
    report.max_len("option_count", at, options, 25)
    kinds = {int(o.get("type") or 0) for o in options}
    if kinds & {1, 2} and kinds - {1, 2}:
        report.add(
            "option_mix",
            at,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-commands and groups cannot be mixed with other options",
        )
    optional_seen = False
    for i, option in enumerate(options):
        path = join(at, i)
        kind = int(option.get("type") or 0)
        _check_named(option, path, report, "option")
        if kind in (1, 2):
            nested_ok = (kind == 2 and depth == 0) or (kind == 1 and depth <= 1)
            if not nested_ok:
                report.add(
                    "option_nesting", path, "BASE_TYPE_CHOICES", "Invalid sub-command nesting"
                )
            _check_options(
                option.get("options") or [], join(path, "options"), report, depth=depth + 1
            )
            continue
        if option.get("required"):
            if optional_seen:
                report.add(
                    "option_order",
                    join(path, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        choices = option.get("choices") or []
        check_choices(choices, join(path, "choices"), report)
        if choices and option.get("autocomplete"):
            report.add(
                "option_autocomplete",
                join(path, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
                "Autocomplete cannot be combined with choices",
            )


def _command_size(item: Json) -> int:
    size = len(str(item.get("name") or "")) + len(str(item.get("description") or ""))
    for choice in item.get("choices") or []:
        size += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    return size + sum(_command_size(option) for option in item.get("options") or [])
