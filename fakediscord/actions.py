"""The user's side of Discord, mixed into FakeDiscord: slash commands, autocomplete, clicks,
selects and modal submits, each sent as INTERACTION_CREATE and awaited until answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    Reply,
    build_options,
    command_data,
    custom_ids,
    find_component,
    interaction_payload,
    modal_submit_components,
    resolve_command,
)
from .world import FakeChannel, FakeGuild, FakeMember, FakeRole, Json, Message, Perm, World

if TYPE_CHECKING:
    from .fake import Changes
    from .gateway import Gateway
    from .limits import Violation

Wait = Literal["visible", "callback", "none"]
SELECTS = {3: "string", 5: "user", 6: "role", 7: "mentionable", 8: "channel"}


class UserActions:
    """What a guild member can do; FakeDiscord provides the state declared here."""

    world: World
    gateway: Gateway
    synced: dict[int | None, list[Json]]
    replies: dict[int, Reply]
    violations: list[Violation]
    application_id: int
    timeout: float
    _tokens: dict[str, Reply]
    _changes: Changes

    if TYPE_CHECKING:

        async def wait_until_connected(self, within: float | None = None) -> None: ...

    async def slash(
        self,
        path: str,
        *,
        user: FakeMember | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        options: Mapping[str, Any] | None = None,
        locale: str = "en-US",
        wait: Wait = "visible",
        within: float | None = None,
        **values: Any,
    ) -> Reply:
        """Run `/path` (e.g. "bodycam city") against the synced tree, with typed options.

        Defaults: the only guild, its default channel, its owner (who has every permission).
        Options named like a keyword here (user, guild, channel, …) go in `options={...}`.
        """
        guild, channel, user = self._where(guild, channel, user)
        command, chain, is_guild = resolve_command(self.synced, guild.id, path)
        opts, resolved = build_options(command, chain, {**values, **(options or {})}, guild)
        data = command_data(command, opts, resolved, guild.id if is_guild else None)
        label = "/" + " ".join(path.strip().lstrip("/").split())
        return await self._interact(
            APPLICATION_COMMAND, label, guild, channel, user, data, None, wait, within, locale
        )

    async def autocomplete(
        self,
        path: str,
        *,
        focused: str,
        value: str = "",
        user: FakeMember | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        options: Mapping[str, Any] | None = None,
        locale: str = "en-US",
        within: float | None = None,
        **values: Any,
    ) -> list[Json]:
        """The choices the bot offers while `focused` holds the partial text `value`."""
        reply = await self.autocomplete_reply(
            path,
            focused=focused,
            value=value,
            user=user,
            guild=guild,
            channel=channel,
            options=options,
            locale=locale,
            within=within,
            **values,
        )
        return reply.choices

    async def autocomplete_reply(
        self,
        path: str,
        *,
        focused: str,
        value: str = "",
        user: FakeMember | None = None,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        options: Mapping[str, Any] | None = None,
        locale: str = "en-US",
        within: float | None = None,
        wait: Wait = "visible",
        **values: Any,
    ) -> Reply:
        """As `autocomplete`, but the whole interaction (timings included); `wait="none"`
        returns at once (for an autocomplete the bot is expected to leave unanswered)."""
        guild, channel, user = self._where(guild, channel, user)
        command, chain, is_guild = resolve_command(self.synced, guild.id, path)
        typed = {**values, **(options or {}), focused: value}
        opts, resolved = build_options(command, chain, typed, guild, focused=focused)
        data = command_data(command, opts, resolved, guild.id if is_guild else None)
        label = f"/{' '.join(path.split())} autocomplete {focused}={value!r}"
        return await self._interact(
            AUTOCOMPLETE, label, guild, channel, user, data, None, wait, within, locale
        )

    async def click(
        self,
        target: Reply | Message,
        custom_id: str,
        *,
        user: FakeMember | None = None,
        wait: Wait = "visible",
        within: float | None = None,
    ) -> Reply:
        """Press the button `custom_id` on the reply's message (or on a given message)."""
        message, component, user = self._component(target, custom_id, user)
        if component.get("type") != 2:
            raise TypeError(
                f"{custom_id!r} is a {SELECTS.get(component['type'])} select: use select()"
            )
        if component.get("disabled"):
            raise ValueError(f"button {custom_id!r} is disabled")
        data: Json = {"custom_id": custom_id, "component_type": 2}
        return await self._component_interaction(message, user, data, component, wait, within)

    async def select(
        self,
        target: Reply | Message,
        custom_id: str,
        values: list[Any],
        *,
        user: FakeMember | None = None,
        wait: Wait = "visible",
        within: float | None = None,
    ) -> Reply:
        """Choose `values` in select `custom_id`: option values, or members/roles/channels."""
        message, component, user = self._component(target, custom_id, user)
        kind = component.get("type")
        if kind not in SELECTS:
            raise TypeError(f"{custom_id!r} is not a select menu (type {kind})")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: Json = {"custom_id": custom_id, "component_type": kind}
        if kind == 3:
            offered = [o["value"] for o in component.get("options") or []]
            if any(v not in offered for v in values):
                raise ValueError(f"select {custom_id!r} offers {offered}, not {values}")
            data["values"] = list(values)
        else:
            data["values"], data["resolved"] = _resolved_values(values, message)
        return await self._component_interaction(message, user, data, component, wait, within)

    async def submit_modal(
        self,
        reply: Reply,
        custom_id: str | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        user: FakeMember | None = None,
        wait: Wait = "visible",
        within: float | None = None,
    ) -> Reply:
        """Fill in and submit the modal `reply` opened (callback type 9)."""
        modal = reply.modal
        if modal is None:
            raise LookupError(f"{reply.describe()} did not open a modal")
        if custom_id is not None and custom_id != modal.get("custom_id"):
            raise LookupError(f"the open modal is {modal.get('custom_id')!r}, not {custom_id!r}")
        data = {
            "custom_id": modal["custom_id"],
            "components": modal_submit_components(modal, values or {}),
        }
        label = f"modal {modal['custom_id']!r}"
        return await self._interact(
            MODAL_SUBMIT,
            label,
            reply.guild,
            reply.channel,
            user or reply.user,
            data,
            reply.source_message,
            wait,
            within,
        )

    # --- helpers --------------------------------------------------------------------------------

    def _within(self, within: float | None, default: float | None = None) -> float:
        if within is not None:
            return within
        return self.timeout if default is None else max(default, self.timeout)

    def _where(
        self, guild: FakeGuild | None, channel: FakeChannel | None, user: FakeMember | None
    ) -> tuple[FakeGuild, FakeChannel, FakeMember]:
        if guild is None:
            if len(self.world.guilds) != 1:
                raise ValueError(f"pass guild=: the fake has {len(self.world.guilds)} guilds")
            guild = next(iter(self.world.guilds.values()))
        channel = channel or guild.channel
        user = user or guild.owner
        if channel.guild_id != guild.id:
            raise ValueError(f"channel {channel.name!r} is not in guild {guild.name!r}")
        if guild.members.get(user.id) is not user:
            raise ValueError(f"{user.name!r} is not a member of guild {guild.name!r}")
        return guild, channel, user

    def _component(
        self, target: Reply | Message, custom_id: str, user: FakeMember | None
    ) -> tuple[Message, Json, FakeMember]:
        message = target.message if isinstance(target, Reply) else target
        if message is None or message.deleted:
            where = target.describe() if isinstance(target, Reply) else "the message"
            raise LookupError(f"nothing to interact with: {where} has no (live) message")
        component = find_component(message.components, custom_id)
        if component is None:
            have = custom_ids(message.components)
            raise LookupError(f"no component {custom_id!r} on message {message.id}; it has {have}")
        guild = self.world.guilds[message.guild_id or 0]
        invoker = target.user if isinstance(target, Reply) else guild.owner
        user = user or invoker
        if message.ephemeral and user is not invoker:
            raise ValueError(
                f"{user.name!r} cannot see an ephemeral message meant for {invoker.name!r}"
            )
        return message, component, user

    async def _component_interaction(
        self,
        message: Message,
        user: FakeMember,
        data: Json,
        component: Json,
        wait: Wait,
        within: float | None,
    ) -> Reply:
        if "id" in component:
            data["id"] = component["id"]
        guild = self.world.guilds[message.guild_id or 0]
        channel = self.world.channels[message.channel_id]
        label = f"component {data['custom_id']!r}"
        return await self._interact(
            COMPONENT, label, guild, channel, user, data, message, wait, within
        )

    async def _interact(
        self,
        kind: int,
        label: str,
        guild: FakeGuild,
        channel: FakeChannel,
        user: FakeMember,
        data: Json,
        source: Message | None,
        wait: Wait,
        within: float | None,
        locale: str = "en-US",
    ) -> Reply:
        seconds = self._within(within)
        if self.gateway.session is None:
            await self.wait_until_connected(seconds)
        interaction_id, token, payload = interaction_payload(
            kind=kind,
            application_id=self.application_id,
            guild=guild,
            channel=channel,
            user=user,
            data=data,
            message=source,
            locale=locale,
        )
        reply = Reply(interaction_id, token, kind, label, guild, channel, user, payload)
        reply.source_message = source
        self.replies[interaction_id] = reply
        self._tokens[token] = reply
        self.gateway.dispatch("INTERACTION_CREATE", payload)
        if wait == "none":
            return reply
        done: Callable[[], bool] = (
            (lambda: reply.visible)
            if wait == "visible"
            else (lambda: reply.type is not None or bool(reply.rejected))
        )
        if not await self._changes.wait_for(done, seconds):
            mine = [
                v for v in self.violations if {str(reply.id), reply.token} & set(v.route.split("/"))
            ]
            extra = f"; violations: {mine}" if mine else ""
            raise AssertionError(f"no {wait} answer within {seconds}s: {reply.describe()}{extra}")
        return reply


def _resolved_values(values: list[Any], message: Message) -> tuple[list[str], Json]:
    resolved: Json = {}
    ids: list[str] = []
    for value in values:
        if isinstance(value, FakeMember):
            resolved.setdefault("users", {})[str(value.id)] = value.user.to_payload()
            member = value.to_payload(with_permissions=True)
            del member["user"]
            resolved.setdefault("members", {})[str(value.id)] = member
        elif isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = value.to_payload()
        elif isinstance(value, FakeChannel):
            channel = value.to_payload() | {"permissions": str(Perm.ALL)}
            resolved.setdefault("channels", {})[str(value.id)] = channel
        else:
            raise TypeError(f"select on message {message.id}: cannot resolve {value!r}")
        ids.append(str(value.id))
    return ids, resolved
