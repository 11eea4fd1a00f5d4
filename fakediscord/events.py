"""Guild scheduled events: the REST routes and Discord's checks on them.

List, create, get, edit and delete, as discord.py's Guild.fetch_scheduled_events,
Guild.create_scheduled_event, ScheduledEvent.edit and ScheduledEvent.delete send them. What
Discord refuses is recorded as a Violation and answered in Discord's shape: a missing permission
is 403 50013, a bad field 400 50035 naming the field, the 101st live event 400 30038. Every change
reaches the bot as GUILD_SCHEDULED_EVENT_CREATE/UPDATE/DELETE (with the scheduled events intent).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .limits import Report
from .messages import judge
from .server import ApiRequest, ApiResponse, HttpServer, error, no_content, ok
from .world import FakeGuild, FakeScheduledEvent, Json, Perm, snowflake

if TYPE_CHECKING:
    from .fake import FakeDiscord

MAX_EVENTS = 100  # live (scheduled or active) events per guild
NAME_MAX = 100
DESCRIPTION_MAX = 1000
LOCATION_MAX = 100
GUILD_ONLY = 2  # the only privacy level Discord accepts
STAGE, VOICE, EXTERNAL = 1, 2, 3
VOICE_CHANNEL_TYPES = {STAGE: 13, VOICE: 2}
TRANSITIONS = {1: {2, 4}, 2: {3}}  # scheduled → active | cancelled; active → completed
MANAGE = Perm.MANAGE_EVENTS
CREATE = Perm.CREATE_EVENTS


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 timestamp as Discord reads it (naive means UTC); None if unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def check_event(
    payload: Json,
    report: Report,
    *,
    guild: FakeGuild,
    now: dt.datetime,
    existing: FakeScheduledEvent | None = None,
) -> None:
    """The create (existing None) or edit payload, on its own and merged with the event."""
    creating = existing is None
    for key in ("name", "privacy_level", "scheduled_start_time"):
        if creating and payload.get(key) is None:
            report.add(f"event_{key}", key, "BASE_TYPE_REQUIRED", "This field is required")
    if "name" in payload:
        report.length("event_name", "name", payload["name"], 1, NAME_MAX)
    report.max_len("event_description", "description", payload.get("description"), DESCRIPTION_MAX)
    level = payload.get("privacy_level")
    if level is not None and level != GUILD_ONLY:
        report.add(
            "event_privacy_level", "privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}."
        )
    start = _time_field(payload, "scheduled_start_time", report, existing)
    end = _time_field(payload, "scheduled_end_time", report, existing)
    if "scheduled_start_time" in payload and start is not None and start < now:
        report.add(
            "event_start_past",
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    kind = _entity_type(payload, existing)
    if kind not in (STAGE, VOICE, EXTERNAL):
        report.add(
            "event_entity_type",
            "entity_type",
            "BASE_TYPE_CHOICES",
            "Value must be one of {1, 2, 3}.",
        )
    elif kind == EXTERNAL:
        _check_external(payload, report, existing, start, end)
    else:
        _check_channel(payload, report, guild, kind, existing)
    status = payload.get("status")
    allowed = TRANSITIONS.get(existing.status, set()) if existing is not None else set()
    if existing is not None and "status" in payload and status not in allowed:
        report.add(
            "event_status",
            "status",
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
            f"Cannot change status from {existing.status} to {status}.",
        )


def _time_field(
    payload: Json, key: str, report: Report, existing: FakeScheduledEvent | None
) -> dt.datetime | None:
    """The field's time as sent, else the event's; a present but unreadable value is an error."""
    if key in payload and payload[key] is not None:
        parsed = parse_time(payload[key])
        if parsed is None:
            report.add(f"event_{key}", key, "DATE_TIME_TYPE_PARSE", "Could not parse the time.")
        return parsed
    if key in payload or existing is None:
        return None
    return existing.start if key == "scheduled_start_time" else existing.end


def _entity_type(payload: Json, existing: FakeScheduledEvent | None) -> Any:
    if payload.get("entity_type") is not None:
        return payload["entity_type"]
    if existing is not None:
        return existing.entity_type
    # discord.py leaves entity_type out when only a location is given: external.
    return VOICE if payload.get("channel_id") else EXTERNAL


def _location(payload: Json, existing: FakeScheduledEvent | None) -> Any:
    metadata = payload.get("entity_metadata")
    if isinstance(metadata, dict) and "location" in metadata:
        return metadata["location"]
    return None if existing is None or "entity_metadata" in payload else existing.location


def _check_external(
    payload: Json,
    report: Report,
    existing: FakeScheduledEvent | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> None:
    if payload.get("channel_id") is not None:
        report.add(
            "event_channel",
            "channel_id",
            "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED",
            "An external event has no channel.",
        )
    location = _location(payload, existing)
    if location is None:
        report.add(
            "event_location",
            "entity_metadata.location",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        )
    else:
        report.length("event_location", "entity_metadata.location", location, 1, LOCATION_MAX)
    if end is None:
        report.add(
            "event_end", "scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required"
        )
    elif start is not None and end <= start:
        report.add(
            "event_end",
            "scheduled_end_time",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "The end time must be after the start time.",
        )


def _check_channel(
    payload: Json, report: Report, guild: FakeGuild, kind: int, existing: FakeScheduledEvent | None
) -> None:
    channel_id = str(payload.get("channel_id", existing.channel_id if existing else None))
    channel = guild.channels.get(int(channel_id)) if channel_id.isdigit() else None
    if channel is None or channel.type != VOICE_CHANNEL_TYPES[kind]:
        report.add(
            "event_channel",
            "channel_id",
            "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL",
            "A stage or voice event needs a stage or voice channel of this server.",
        )


def apply(event: FakeScheduledEvent, payload: Json) -> None:
    """Take the fields an edit sends (times normalised to UTC, as Discord answers them)."""
    for key in ("name", "description", "privacy_level", "entity_type", "status"):
        if key in payload:
            setattr(event, key, payload[key])
    for key in ("scheduled_start_time", "scheduled_end_time"):
        if key in payload:
            parsed = parse_time(payload[key])
            setattr(event, key, None if parsed is None else parsed.astimezone(dt.UTC).isoformat())
    if "channel_id" in payload:
        channel_id = payload["channel_id"]
        event.channel_id = None if channel_id is None else int(channel_id)
    location = _location(payload, None)
    if location is not None:
        event.location = location
    if event.entity_type != EXTERNAL:
        event.location = None


class ScheduledEventRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, server: HttpServer) -> None:
        base = "/guilds/{guild_id}/scheduled-events"
        server.add("GET", base, self.list_events)
        server.add("POST", base, self.create)
        server.add("GET", base + "/{event_id}", self.get)
        server.add("PATCH", base + "/{event_id}", self.edit)
        server.add("DELETE", base + "/{event_id}", self.delete)

    # --- lookups ---

    def _guild(self, api: ApiRequest) -> FakeGuild | None:
        return self.fake.world.guilds.get(api.int_param("guild_id") or 0)

    def _event(self, guild: FakeGuild, api: ApiRequest) -> FakeScheduledEvent | None:
        event = guild.event_records.get(api.int_param("event_id") or 0)
        return event if event is not None and event.live else None

    def _missing(self, api: ApiRequest, guild: FakeGuild, allowed: int, what: str) -> bool:
        """Whether the bot lacks every permission in `allowed` (recorded as a violation)."""
        if guild.me.permissions & allowed:
            return False
        self.fake.violation(api.route, "missing_permissions", f"the bot lacks {what}")
        return True

    def _may_change(self, api: ApiRequest, guild: FakeGuild, event: FakeScheduledEvent) -> bool:
        """Manage Events changes any event; Create Events only the bot's own."""
        own = event.creator.id == self.fake.bot_user.id
        allowed = MANAGE | CREATE if own else MANAGE
        what = "Manage Events" if own else "Manage Events (the event is another member's)"
        return not self._missing(api, guild, allowed, what)

    def _emit(self, guild: FakeGuild, name: str, event: FakeScheduledEvent) -> None:
        guild._emit(name, event.to_payload())

    # --- handlers ---

    async def list_events(self, api: ApiRequest) -> ApiResponse:
        guild = self._guild(api)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        counts = api.query.get("with_user_count") in ("1", "true", "True")
        return ok([e.to_payload(with_user_count=counts) for e in guild.scheduled_events()])

    async def get(self, api: ApiRequest) -> ApiResponse:
        guild = self._guild(api)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        event = self._event(guild, api)
        if event is None:
            return error(404, 10070, "Unknown Guild Scheduled Event")
        counts = api.query.get("with_user_count") in ("1", "true", "True")
        return ok(event.to_payload(with_user_count=counts))

    async def create(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        guild = self._guild(api)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        if self._missing(api, guild, MANAGE | CREATE, "Manage Events (or Create Events)"):
            return error(403, 50013, "Missing Permissions")
        payload: Json = api.body if isinstance(api.body, dict) else {}
        report = Report()
        check_event(payload, report, guild=guild, now=fake.clock())
        rejected = judge(fake, api.route, report)
        if rejected is not None:
            return rejected
        if len(guild.scheduled_events()) >= MAX_EVENTS:
            message = f"Maximum number of guild scheduled events reached ({MAX_EVENTS})"
            fake.violation(api.route, "scheduled_event_count", message)
            return error(400, 30038, message)
        event = FakeScheduledEvent(
            id=snowflake(),
            guild_id=guild.id,
            creator=fake.bot_user,
            name="",
            scheduled_start_time="",
            entity_type=_entity_type(payload, None),
            request=payload,
        )
        apply(event, {k: v for k, v in payload.items() if k != "status"})
        guild.event_records[event.id] = event
        self._emit(guild, "GUILD_SCHEDULED_EVENT_CREATE", event)
        return ok(event.to_payload())

    async def edit(self, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        found = self._found(api)
        if isinstance(found, ApiResponse):
            return found
        guild, event = found
        if not self._may_change(api, guild, event):
            return error(403, 50013, "Missing Permissions")
        payload: Json = api.body if isinstance(api.body, dict) else {}
        report = Report()
        check_event(payload, report, guild=guild, now=fake.clock(), existing=event)
        rejected = judge(fake, api.route, report)
        if rejected is not None:
            return rejected
        apply(event, payload)
        event.edits.append(payload)
        self._emit(guild, "GUILD_SCHEDULED_EVENT_UPDATE", event)
        return ok(event.to_payload())

    async def delete(self, api: ApiRequest) -> ApiResponse:
        found = self._found(api)
        if isinstance(found, ApiResponse):
            return found
        guild, event = found
        if not self._may_change(api, guild, event):
            return error(403, 50013, "Missing Permissions")
        del guild.event_records[event.id]
        self._emit(guild, "GUILD_SCHEDULED_EVENT_DELETE", event)
        return no_content()

    def _found(self, api: ApiRequest) -> tuple[FakeGuild, FakeScheduledEvent] | ApiResponse:
        guild = self._guild(api)
        if guild is None:
            return error(404, 10004, "Unknown Guild")
        event = self._event(guild, api)
        if event is None:
            return error(404, 10070, "Unknown Guild Scheduled Event")
        return guild, event
