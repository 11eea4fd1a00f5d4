"""REST routes that need the bot token: log-in, gateway discovery, command sync, channels,
messages and guild look-ups.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import messages
from .failures import not_found
from .limits import Report, check_commands
from .server import ApiRequest, ApiResponse, HttpServer, error, no_content, ok
from .world import FakeChannel, Json, Message, Perm, snowflake

if TYPE_CHECKING:
    from .fake import FakeDiscord


class RestRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, server: HttpServer) -> None:
        add = server.add
        add("GET", "/users/@me", self.me)
        add("GET", "/users/{user_id}", self.user)
        add("GET", "/oauth2/applications/@me", self.application)
        add("GET", "/applications/@me", self.application)
        add("GET", "/gateway", self.gateway, auth=False)
        add("GET", "/gateway/bot", self.gateway)
        for method in ("GET", "PUT"):
            add(method, "/applications/{app_id}/commands", self.commands)
            add(method, "/applications/{app_id}/guilds/{guild_id}/commands", self.commands)
        add("GET", "/channels/{channel_id}", self.channel)
        add("POST", "/channels/{channel_id}/typing", self.typing)
        add("GET", "/channels/{channel_id}/messages", self.history)
        add("POST", "/channels/{channel_id}/messages", self.post_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        add("GET", "/guilds/{guild_id}", self.guild)
        add("GET", "/guilds/{guild_id}/channels", self.guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.guild_roles)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.member)

    # --- identity ---

    async def me(self, api: ApiRequest) -> ApiResponse:
        extra = {
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
            "bio": "",
        }
        return ok(self.fake.bot_user.to_payload() | extra)

    async def user(self, api: ApiRequest) -> ApiResponse:
        user = self.fake.world.users.get(api.int_param("user_id") or 0)
        return ok(user.to_payload()) if user else ApiResponse(404, not_found(api.path))

    async def application(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        return ok(
            {
                "id": str(fake.application_id),
                "name": fake.bot_user.name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": fake.owner_user.to_payload(),
                "team": None,
                "bot": fake.bot_user.to_payload(),
                "interactions_endpoint_url": None,  # non-null makes discord.py refuse to start
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(fake.world.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    async def gateway(self, api: ApiRequest) -> ApiResponse:
        body: Json = {"url": self.fake.gateway_url}
        if api.path.endswith("/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            body |= {"shards": self.fake.recommended_shards, "session_start_limit": limit}
        return ok(body)

    # --- application commands ---

    async def commands(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        if api.int_param("app_id") != fake.application_id:
            return error(404, 10002, "Unknown Application")
        guild_id = api.int_param("guild_id")
        if "guild_id" in api.params and guild_id not in fake.world.guilds:
            return error(403, 50001, "Missing Access")
        if api.method == "GET":
            return ok(fake.synced.get(guild_id, []))
        if not isinstance(api.body, list):
            return error(400, 50035, "Invalid Form Body")
        report = Report()
        check_commands(api.body, report)
        rejected = messages.judge(fake, api.route, report)
        fake.sync_calls.append(SyncCall(guild_id, api.body, rejected is None, time.monotonic()))
        if rejected is not None:
            return rejected
        fake.synced[guild_id] = [self._command(c, guild_id) for c in api.body]
        return ok(fake.synced[guild_id])

    def _command(self, command: Json, guild_id: int | None) -> Json:
        kind = int(command.get("type") or 1)
        key = (guild_id, kind, command["name"])
        command_id = self.fake.command_ids.setdefault(key, snowflake())
        result: Json = {
            "id": str(command_id),
            "application_id": str(self.fake.application_id),
            "version": str(snowflake()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": command.get("options") or [],
            "default_member_permissions": command.get("default_member_permissions"),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "nsfw": bool(command.get("nsfw")),
        }
        if guild_id is not None:
            result["guild_id"] = str(guild_id)
        return result

    # --- channels and messages ---

    def _channel(self, api: ApiRequest) -> FakeChannel | None:
        return self.fake.world.channels.get(api.int_param("channel_id") or 0)

    async def channel(self, api: ApiRequest) -> ApiResponse:
        channel = self._channel(api)
        return ok(channel.to_payload()) if channel else error(404, 10003, "Unknown Channel")

    async def typing(self, api: ApiRequest) -> ApiResponse:
        return no_content() if self._channel(api) else error(404, 10003, "Unknown Channel")

    async def history(self, api: ApiRequest) -> ApiResponse:
        channel = self._channel(api)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        found = [m for m in self.fake.visible_messages(channel.id)]
        before, after = api.query.get("before"), api.query.get("after")
        if before:
            found = [m for m in found if m.id < int(before)]
        if after:
            found = [m for m in found if m.id > int(after)]
        limit = int(api.query.get("limit", 50))
        newest_first = sorted(found, key=lambda m: m.id, reverse=True)
        chosen = newest_first[-limit:][::-1] if after else newest_first[:limit]
        return ok([m.to_payload() for m in chosen])

    async def post_message(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        channel = self._channel(api)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        guild = fake.world.guilds[channel.guild_id]
        needed = Perm.VIEW_CHANNEL | Perm.SEND_MESSAGES
        if guild.channel_permissions(guild.me, channel) & needed != needed:
            return error(403, 50013, "Missing Permissions")
        rejected = messages.check_payload(fake, api, creating=True)
        if rejected is not None:
            return rejected
        payload = api.body if isinstance(api.body, dict) else {}
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            earlier = fake.nonces.get(str(nonce))
            if earlier is not None and time.monotonic() - earlier[1] < fake.nonce_window:
                return ok(earlier[0].to_payload())  # Discord returns the original, creates nothing
        message = messages.create(fake, api, channel_id=channel.id, source="channel")
        if nonce is not None:
            fake.nonces[str(nonce)] = (message, time.monotonic())
        fake.world.emit("MESSAGE_CREATE", message.to_payload() | {"guild_id": str(guild.id)})
        return ok(message.to_payload())

    def _message(self, api: ApiRequest) -> Message | None:
        message = self.fake.world.messages.get(api.int_param("message_id") or 0)
        ok_channel = message is not None and message.channel_id == api.int_param("channel_id")
        if message is None or not ok_channel or message.deleted or message.ephemeral:
            return None
        return message

    async def get_message(self, api: ApiRequest) -> ApiResponse:
        if self._channel(api) is None:
            return error(404, 10003, "Unknown Channel")
        message = self._message(api)
        return ok(message.to_payload()) if message else error(404, 10008, "Unknown Message")

    async def edit_message(self, api: ApiRequest) -> ApiResponse:
        message = self._message(api)
        if message is None:
            return error(404, 10008, "Unknown Message")
        rejected = messages.check_payload(self.fake, api, creating=False)
        if rejected is not None:
            return rejected
        messages.edit(self.fake, message, api)
        for reply in self.fake.replies.values():  # e.g. defer() then interaction.message.edit()
            if reply.message is message and reply.type is not None:
                reply.original_edits += 1
                reply.shown()
        return ok(message.to_payload())

    async def delete_message(self, api: ApiRequest) -> ApiResponse:
        message = self._message(api)
        if message is None:
            return error(404, 10008, "Unknown Message")
        message.deleted = True
        return no_content()

    # --- guilds ---

    async def guild(self, api: ApiRequest) -> ApiResponse:
        guild = self.fake.world.guilds.get(api.int_param("guild_id") or 0)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        counts = {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
        return ok(guild.to_payload() | counts)

    async def guild_channels(self, api: ApiRequest) -> ApiResponse:
        guild = self.fake.world.guilds.get(api.int_param("guild_id") or 0)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        return ok([c.to_payload() for c in guild.channels.values()])

    async def guild_roles(self, api: ApiRequest) -> ApiResponse:
        guild = self.fake.world.guilds.get(api.int_param("guild_id") or 0)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        return ok([r.to_payload() for r in guild.roles.values()])

    async def member(self, api: ApiRequest) -> ApiResponse:
        guild = self.fake.world.guilds.get(api.int_param("guild_id") or 0)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        member = guild.members.get(api.int_param("user_id") or 0)
        return ok(member.to_payload()) if member else error(404, 10007, "Unknown Member")


@dataclass
class SyncCall:
    """One bulk overwrite of commands: guild_id None for global."""

    guild_id: int | None
    commands: list[Json]
    accepted: bool
    time: float
