"""Creating and editing the bot's messages from REST payloads (shared by channel and webhook
routes), and turning limit findings into violations plus Discord's 400 answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .limits import Report, check_message
from .server import ApiRequest, ApiResponse, Upload, error, invalid_form
from .world import Json, Message, snowflake

if TYPE_CHECKING:
    from .fake import FakeDiscord
    from .interactions import Reply

# Flags a bot may set when creating a message (ephemeral only through interactions).
CREATE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)
EPHEMERAL = Message.EPHEMERAL
ATTACHMENT_LIMIT = 10 * 1024 * 1024  # the attachment_size_limit sent with every interaction


def judge(fake: FakeDiscord, route: str, report: Report) -> ApiResponse | None:
    """Record every finding as a Violation; a 400 answer if any of them is a hard limit."""
    for finding in report.findings:
        fake.violation(route, finding.rule, finding.message, finding.path)
    return invalid_form(report.hard) if report.hard else None


def check_payload(fake: FakeDiscord, api: ApiRequest, *, creating: bool) -> ApiResponse | None:
    size = sum(len(upload.data) for upload in api.files)
    if size > ATTACHMENT_LIMIT:
        detail = f"{size} bytes of files; the interaction payloads promise {ATTACHMENT_LIMIT}"
        fake.violation(api.route, "attachment_size", detail)
        return error(413, 40005, "Request entity too large")
    payload = api.body if isinstance(api.body, dict) else {}
    report = Report()
    check_message(payload, report, creating=creating, has_files=bool(api.files))
    return judge(fake, api.route, report)


def create(
    fake: FakeDiscord,
    api: ApiRequest,
    *,
    channel_id: int,
    source: str,
    reply: Reply | None = None,
    extra_flags: int = 0,
) -> Message:
    payload: Json = api.body if isinstance(api.body, dict) else {}
    allowed = CREATE_FLAGS | (EPHEMERAL if reply is not None else 0)
    guild = fake.world.guild_of(channel_id)
    message = Message(
        id=snowflake(),
        channel_id=channel_id,
        author=fake.bot_user,
        source=source,
        guild_id=None if guild is None else guild.id,
        nonce=payload.get("nonce"),
        enforce_nonce=bool(payload.get("enforce_nonce")),
        request=payload,
    )
    message.apply(payload, edit=False)
    message.flags = (message.flags & allowed) | extra_flags
    attach(fake, message, payload, api.files)
    if reply is not None:
        message.type = 20 if reply.kind == 2 else 0
        message.webhook_id = fake.application_id
        message.interaction_id = reply.id
        message.interaction_metadata = {
            "id": str(reply.id),
            "type": reply.kind,
            "user": reply.user.user.to_payload(),
            "authorizing_integration_owners": {"0": str(reply.guild.id)},
        }
    return fake.world.add_message(message)


def edit(fake: FakeDiscord, message: Message, api: ApiRequest) -> Message:
    payload: Json = api.body if isinstance(api.body, dict) else {}
    message.apply(payload)
    attach(fake, message, payload, api.files)
    return message


def attach(fake: FakeDiscord, message: Message, payload: Json, files: list[Upload]) -> None:
    """Keep the attachments an edit lists, add uploaded files ("files[n]" ↔ attachments id n)."""
    described = {str(a.get("id")): a for a in payload.get("attachments") or []}
    if "attachments" in payload:
        message.attachments = [a for a in message.attachments if a["id"] in described]
    for upload in files:
        meta = described.get(upload.field.removeprefix("files[").rstrip("]"), {})
        filename = meta.get("filename") or upload.filename
        attachment_id = snowflake()
        url = f"{fake.base_url}/attachments/{message.channel_id}/{attachment_id}/{filename}"
        message.attachments.append(
            {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
                "description": meta.get("description"),
                "ephemeral": message.ephemeral,
            }
        )
        message.files[filename] = upload.data
