"""Interactions: building INTERACTION_CREATE payloads from the synced command tree, and the
Reply record of everything the bot answered (callback, follow-ups, edits of the original).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .world import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Json, Message, snowflake

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
OPTION_TYPES = {
    3: "string",
    4: "integer",
    5: "boolean",
    6: "user",
    7: "channel",
    8: "role",
    9: "mentionable",
    10: "number",
    11: "attachment",
}


@dataclass(eq=False)
class Reply:
    """One interaction and everything the bot answered to it.

    `message` is the live message the interaction's answer shows (the response message, or
    for component updates the message the component sits on), so later edits show through.
    """

    id: int
    token: str
    kind: int  # interaction type: 2 command, 3 component, 4 autocomplete, 5 modal submit
    label: str  # "/bodycam city", "component 'next'": names it in failure messages
    guild: FakeGuild
    channel: FakeChannel
    user: FakeMember
    payload: Json
    dispatched_at: float = field(default_factory=time.monotonic)
    type: int | None = None  # the callback type (4 message, 5 defer, 6 deferred update, …)
    callback: Json | None = None  # the callback body verbatim
    answered_at: float | None = None
    shown_at: float | None = None  # when the user first saw an answer (see `shown`)
    message: Message | None = None
    followups: list[Message] = field(default_factory=list)
    original_edits: int = 0
    rejected: list[str] = field(default_factory=list)  # why callbacks were refused
    source_message: Message | None = None  # for components/modals: the message clicked on

    # --- what the bot answered ---

    @property
    def data(self) -> Json:
        return (self.callback or {}).get("data") or {}

    @property
    def content(self) -> str | None:
        return None if self.message is None else self.message.content

    @property
    def embeds(self) -> list[Json]:
        return [] if self.message is None else self.message.embeds

    @property
    def components(self) -> list[Json]:
        if self.type == 9:
            return list(self.data.get("components") or [])
        return [] if self.message is None else self.message.components

    @property
    def ephemeral(self) -> bool:
        return self.message is not None and self.message.ephemeral

    @property
    def choices(self) -> list[Json]:
        return list(self.data.get("choices") or []) if self.type == 8 else []

    @property
    def modal(self) -> Json | None:
        return self.data if self.type == 9 else None

    @property
    def elapsed(self) -> float | None:
        """Seconds from dispatch to the first callback."""
        return None if self.answered_at is None else self.answered_at - self.dispatched_at

    @property
    def until_shown(self) -> float | None:
        """Seconds from dispatch until the user saw an answer: the callback itself, or after a
        defer the first follow-up or edit of the original."""
        return None if self.shown_at is None else self.shown_at - self.dispatched_at

    def shown(self) -> None:
        """Note that the user now sees an answer (the first time counts)."""
        if self.shown_at is None:
            self.shown_at = time.monotonic()

    @property
    def visible(self) -> bool:
        """Is there something for the user to see (or has Discord refused the answer)?"""
        if self.rejected or self.type in (4, 7, 8, 9):
            return True
        return self.type in (5, 6) and (bool(self.followups) or self.original_edits > 0)

    def describe(self) -> str:
        if self.type is None:
            arrived = "no callback"
        else:
            arrived = f"callback type {self.type} after {self.elapsed or 0:.2f}s"
            arrived += (
                f", {len(self.followups)} follow-up(s), {self.original_edits} original edit(s)"
            )
        if self.rejected:
            arrived += f"; refused: {'; '.join(self.rejected)}"
        return f"interaction {self.id} ({self.label}): {arrived}"

    async def wait_for_followups(self, count: int = 1, within: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + within
        while len(self.followups) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} follow-up(s): {self.describe()}")
            await asyncio.sleep(0.01)
        return self.followups


def new_token() -> str:
    return "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)


# --- resolving a command path against the synced tree ----------------------------------------


def resolve_command(
    synced: Mapping[int | None, list[Json]], guild_id: int, path: str
) -> tuple[Json, list[Json], bool]:
    """(top-level command, chain of subcommand group/subcommand options, is_guild_command)."""
    words = path.strip().lstrip("/").split()
    if not words:
        raise LookupError("empty command path")
    for scope in (guild_id, None):
        for command in synced.get(scope, []):
            if command["name"] == words[0] and int(command.get("type") or 1) == 1:
                chain = _walk_subcommands(command, words)
                return command, chain, scope is not None
    known = sorted(_paths(synced.get(guild_id, [])) + _paths(synced.get(None, [])))
    raise LookupError(f"no synced command /{path.strip()}; synced: {', '.join(known) or 'nothing'}")


def _walk_subcommands(command: Json, words: list[str]) -> list[Json]:
    chain: list[Json] = []
    node = command
    for word in words[1:]:
        subs = {o["name"]: o for o in node.get("options") or [] if o.get("type") in (1, 2)}
        if word not in subs:
            where = " ".join(words[: len(chain) + 1])
            raise LookupError(
                f"/{where} has no subcommand {word!r}; it has: {sorted(subs) or 'none'}"
            )
        node = subs[word]
        chain.append(node)
    if any(o.get("type") in (1, 2) for o in node.get("options") or []):
        names = sorted(o["name"] for o in node.get("options") or [])
        raise LookupError(f"/{' '.join(words)} is a group; pick one of: {names}")
    return chain


def _paths(commands: list[Json]) -> list[str]:
    found: list[str] = []

    def walk(node: Json, prefix: str) -> None:
        subs = [o for o in node.get("options") or [] if o.get("type") in (1, 2)]
        if not subs:
            found.append(prefix)
        for sub in subs:
            walk(sub, f"{prefix} {sub['name']}")

    for command in commands:
        walk(command, "/" + command["name"])
    return found


# --- options ---------------------------------------------------------------------------------

Resolvable = FakeMember | FakeUser | FakeChannel | FakeRole


def build_options(
    command: Json,
    chain: list[Json],
    values: Mapping[str, Any],
    guild: FakeGuild,
    *,
    focused: str | None = None,
) -> tuple[list[Json], Json]:
    """Typed option payloads (nested under the subcommand chain) and their `resolved` data."""
    leaf = chain[-1] if chain else command
    declared = {o["name"]: o for o in leaf.get("options") or []}
    unknown = sorted(set(values) - set(declared))
    label = "/" + " ".join([command["name"], *(c["name"] for c in chain)])
    if unknown:
        raise LookupError(f"{label} has no option(s) {unknown}; it has: {sorted(declared)}")
    resolved: Json = {}
    options: list[Json] = []
    for name, spec in declared.items():
        if name not in values:
            if spec.get("required") and focused is None:
                raise ValueError(f"{label}: required option {name!r} missing")
            continue
        if name == focused:
            if not spec.get("autocomplete"):
                raise ValueError(f"{label}: option {name!r} has no autocomplete")
            options.append(
                {"name": name, "type": spec["type"], "value": str(values[name]), "focused": True}
            )
            continue
        value = _coerce(label, spec, values[name], guild, resolved)
        options.append({"name": name, "type": spec["type"], "value": value})
    if focused is not None and focused not in declared:
        raise LookupError(f"{label} has no option {focused!r}; it has: {sorted(declared)}")
    for node in reversed(chain):
        options = [{"name": node["name"], "type": node["type"], "options": options}]
    return options, resolved


def _coerce(label: str, spec: Json, value: Any, guild: FakeGuild, resolved: Json) -> Any:
    kind = spec["type"]
    name = spec["name"]
    where = f"{label} option {name!r} ({OPTION_TYPES.get(kind, kind)})"
    if kind == 3:
        if not isinstance(value, str):
            raise TypeError(f"{where} needs a str, got {value!r}")
        low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise ValueError(f"{where}: length must be {low}..{high}")
    elif kind in (4, 10):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} needs a number, got {value!r}")
        if kind == 4 and not float(value).is_integer():
            raise TypeError(f"{where} needs an integer, got {value!r}")
        value = int(value) if kind == 4 else float(value)
        low, high = spec.get("min_value"), spec.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{where}: must be within {low}..{high}")
    elif kind == 5:
        if not isinstance(value, bool):
            raise TypeError(f"{where} needs a bool, got {value!r}")
    elif kind in (6, 7, 8, 9):
        return str(_resolve(where, kind, value, guild, resolved))
    else:
        raise NotImplementedError(f"{where}: option type not supported by the fake")
    choices = spec.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise ValueError(f"{where}: {value!r} is not one of {[c['value'] for c in choices]}")
    return value


def _resolve(where: str, kind: int, value: Any, guild: FakeGuild, resolved: Json) -> int:
    if isinstance(value, FakeMember) and kind in (6, 9):
        resolved.setdefault("users", {})[str(value.id)] = value.user.to_payload()
        member = value.to_payload(with_permissions=True)
        del member["user"]
        resolved.setdefault("members", {})[str(value.id)] = member
    elif isinstance(value, FakeUser) and kind in (6, 9):
        resolved.setdefault("users", {})[str(value.id)] = value.to_payload()
    elif isinstance(value, FakeRole) and kind in (8, 9):
        resolved.setdefault("roles", {})[str(value.id)] = value.to_payload()
    elif isinstance(value, FakeChannel) and kind == 7:
        channel = value.to_payload()
        channel["permissions"] = str(guild.me.permissions)
        resolved.setdefault("channels", {})[str(value.id)] = channel
    else:
        raise TypeError(f"{where}: cannot use {value!r} here")
    return value.id


# --- payloads ---------------------------------------------------------------------------------


def interaction_payload(
    *,
    kind: int,
    application_id: int,
    guild: FakeGuild,
    channel: FakeChannel,
    user: FakeMember,
    data: Json,
    message: Message | None = None,
    locale: str = "en-US",
) -> tuple[int, str, Json]:
    """(id, token, payload) of an INTERACTION_CREATE, as Discord sends it for a guild."""
    interaction_id, token = snowflake(), new_token()
    channel_payload = channel.to_payload()
    channel_payload["permissions"] = str(guild.channel_permissions(user, channel))
    payload: Json = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,
        "data": data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
        "channel_id": str(channel.id),
        "channel": channel_payload,
        "member": user.to_payload(with_permissions=True),
        "token": token,
        "version": 1,
        "app_permissions": str(guild.channel_permissions(guild.me, channel)),
        "locale": locale,
        "guild_locale": guild.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,  # messages.ATTACHMENT_LIMIT enforces it
    }
    if message is not None:
        payload["message"] = message.to_payload()
    return interaction_id, token, payload


def command_data(command: Json, options: list[Json], resolved: Json, guild_id: int | None) -> Json:
    data: Json = {"id": command["id"], "name": command["name"], "type": 1, "options": options}
    if resolved:
        data["resolved"] = resolved
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


# --- components on a message -----------------------------------------------------------------


def find_component(components: list[Json], custom_id: str) -> Json | None:
    for component in _flatten(components):
        if component.get("custom_id") == custom_id:
            return component
    return None


def custom_ids(components: list[Json]) -> list[str]:
    return [c["custom_id"] for c in _flatten(components) if c.get("custom_id")]


def _flatten(components: list[Json]) -> list[Json]:
    found: list[Json] = []
    for component in components:
        found.append(component)
        found.extend(_flatten(component.get("components") or []))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                found.extend(_flatten([component[key]]))
    return found


def modal_submit_components(modal: Json, values: Mapping[str, Any]) -> list[Json]:
    """Mirror a modal's layout with the user's input, as Discord's modal-submit data does."""
    known = custom_ids(modal.get("components") or [])
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise LookupError(
            f"modal {modal.get('custom_id')!r} has no field(s) {unknown}; it has {known}"
        )

    def answer(component: Json) -> Json | None:
        custom_id = component.get("custom_id")
        if custom_id is None:  # text displays and the like carry no input
            return None
        out: Json = {"type": component.get("type"), "custom_id": custom_id}
        if "id" in component:
            out["id"] = component["id"]
        value = values.get(custom_id, component.get("value") or "")
        if component.get("required", True) and component.get("type") == 4 and not value:
            raise ValueError(f"modal field {custom_id!r} is required")
        max_length = component.get("max_length")
        if isinstance(value, str) and max_length is not None and len(value) > max_length:
            raise ValueError(f"modal field {custom_id!r} allows at most {max_length} characters")
        out["values" if isinstance(value, list | tuple) else "value"] = (
            list(value) if isinstance(value, list | tuple) else value
        )
        return out

    rows: list[Json] = []
    for row in modal.get("components") or []:
        if row.get("type") == 1:
            answers = [a for c in row.get("components") or [] if (a := answer(c)) is not None]
            rows.append({"type": 1, "components": answers})
        elif row.get("type") == 18 and isinstance(row.get("component"), dict):
            inner = answer(row["component"])
            if inner is not None:
                rows.append({"type": 18, "id": row.get("id"), "component": inner})
    return rows
