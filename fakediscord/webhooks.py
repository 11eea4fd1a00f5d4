"""Interaction callbacks and the interaction webhook (follow-ups, @original), which Discord
authenticates by the interaction token in the URL rather than the bot token.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import messages
from .interactions import APPLICATION_COMMAND, AUTOCOMPLETE, COMPONENT, MODAL_SUBMIT, Reply
from .limits import Report, check_autocomplete, check_message, check_modal
from .server import ApiRequest, ApiResponse, HttpServer, error, no_content, ok
from .world import Json, Message

if TYPE_CHECKING:
    from .fake import FakeDiscord

# Which callback types each interaction type may answer with.
ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {4, 5, 9},
    COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}


class WebhookRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, server: HttpServer) -> None:
        add = server.add
        add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        add("POST", "/webhooks/{app_id}/{token}", self.followup, auth=False)
        for method in ("GET", "PATCH", "DELETE"):
            add(
                method, "/webhooks/{app_id}/{token}/messages/{message_id}", self.message, auth=False
            )

    # --- POST /interactions/{id}/{token}/callback ---

    async def callback(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        reply = fake.replies.get(api.int_param("interaction_id") or 0)
        if reply is None or reply.token != api.params["token"]:
            return error(404, 10062, "Unknown interaction")
        now = time.monotonic()
        if reply.type is not None:
            fake.violation(api.route, "double_ack", f"{reply.label} answered twice")
            reply.rejected.append("already acknowledged")
            return error(400, 40060, "Interaction has already been acknowledged.")
        late = now - reply.dispatched_at
        if late > fake.response_deadline:
            detail = (
                f"{reply.label}: first response after {late:.2f}s (limit {fake.response_deadline}s)"
            )
            fake.violation(api.route, "response_deadline", detail)
            reply.rejected.append(f"late by {late - fake.response_deadline:.2f}s")
            return error(404, 10062, "Unknown interaction")
        body: Json = api.body if isinstance(api.body, dict) else {}
        kind = int(body.get("type") or 0)
        data: Json = body.get("data") or {}
        refused = self._check(api, reply, kind, data)
        if refused is not None:
            reply.rejected.append(f"callback type {kind} refused with {refused.status}")
            return refused
        reply.type, reply.callback, reply.answered_at = kind, body, now
        if kind not in (5, 6):  # a defer is not an answer yet
            reply.shown_at = now
        if kind == 4:
            reply.message = messages.create(
                fake, _as(api, data), channel_id=reply.channel.id, source="interaction", reply=reply
            )
        elif kind == 5:
            flags = Message.LOADING | (int(data.get("flags") or 0) & Message.EPHEMERAL)
            reply.message = messages.create(
                fake,
                _as(api, {}),
                channel_id=reply.channel.id,
                source="interaction",
                reply=reply,
                extra_flags=flags,
            )
        elif kind in (6, 7) and reply.source_message is not None:
            reply.message = reply.source_message
            if kind == 7:
                messages.edit(fake, reply.message, _as(api, data))
        return ok(self._callback_answer(reply, kind))

    def _check(self, api: ApiRequest, reply: Reply, kind: int, data: Json) -> ApiResponse | None:
        allowed = set(ALLOWED_CALLBACKS.get(reply.kind, set()))
        if reply.source_message is None:
            allowed -= {6, 7}  # nothing to update: a modal opened from a slash command
        report = Report()
        if kind not in allowed:
            report.add(
                "callback_type",
                "type",
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"callback type {kind} is not valid for {reply.label} (valid: {sorted(allowed)})",
            )
        else:
            inner = Report(prefix="data")
            if kind in (4, 7):
                check_message(data, inner, creating=kind == 4, has_files=bool(api.files))
            elif kind == 8:
                check_autocomplete(data, inner)
            elif kind == 9:
                check_modal(data, inner)
            report.findings += inner.findings
        return messages.judge(self.fake, api.route, report)

    def _callback_answer(self, reply: Reply, kind: int) -> Json:
        """The with_response=1 body: interaction.response_message_id lets views find clicks."""
        message = reply.message if kind in (4, 5, 6, 7) else None
        interaction: Json = {
            "id": str(reply.id),
            "type": reply.kind,
            "activity_instance_id": None,
            "response_message_id": None if message is None else str(message.id),
            "response_message_loading": kind == 5,
            "response_message_ephemeral": message is not None and message.ephemeral,
        }
        answer: Json = {"interaction": interaction}
        if message is not None and kind in (4, 5, 7):
            answer["resource"] = {"type": kind, "message": message.to_payload()}
        return answer

    # --- the interaction webhook ---

    def _reply(self, api: ApiRequest) -> Reply | None:
        if api.int_param("app_id") != self.fake.application_id:
            return None
        return self.fake.reply_by_token(api.params["token"])

    async def followup(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        reply = self._reply(api)
        if reply is None or reply.type is None:
            if reply is not None:
                fake.violation(api.route, "followup_before_ack", f"{reply.label}: not acknowledged")
            return error(404, 10015, "Unknown Webhook")
        rejected = messages.check_payload(fake, api, creating=True)
        if rejected is not None:
            return rejected
        original = reply.message
        if reply.type == 5 and original is not None and original.loading:
            # Discord: the first follow-up after a thinking defer replaces the "thinking" message.
            message = messages.edit(fake, original, api)
            message.flags &= ~Message.LOADING
        else:
            message = messages.create(
                fake, api, channel_id=reply.channel.id, source="followup", reply=reply
            )
        reply.followups.append(message)
        reply.shown()
        if api.query.get("wait", "").lower() in ("1", "true"):
            return ok(message.to_payload())
        return no_content()

    async def message(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        reply = self._reply(api)
        if reply is None or reply.type is None:
            return error(404, 10015, "Unknown Webhook")
        target = self._target(reply, api.params["message_id"])
        if target is None:
            return error(404, 10008, "Unknown Message")
        if api.method == "GET":
            return ok(target.to_payload())
        if api.method == "DELETE":
            target.deleted = True
            return no_content()
        rejected = messages.check_payload(fake, api, creating=False)
        if rejected is not None:
            return rejected
        messages.edit(fake, target, api)
        if target is reply.message:
            target.flags &= ~Message.LOADING  # editing @original also ends "thinking"
            reply.original_edits += 1
            reply.shown()
        return ok(target.to_payload())

    @staticmethod
    def _target(reply: Reply, message_id: str) -> Message | None:
        candidates = [reply.message, *reply.followups]
        if message_id == "@original":
            found = reply.message
        else:
            found = next((m for m in candidates if m is not None and str(m.id) == message_id), None)
        return None if found is None or found.deleted else found


def _as(api: ApiRequest, body: Json) -> ApiRequest:
    """The same request with the callback's `data` as the message payload."""
    return ApiRequest(api.method, api.path, api.params, api.query, body, api.files)
