"""/track replies: what a subscription follows, a preview of a change post, and the list with
each subscription's state and delivery counts.

Pure: data in, text or discord.Embed out, inside Discord's limits. The preview is rendered by the
same `change_post` the dispatcher uses, from a sample change, so it looks like a real post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import discord

from bot.render.changes import change_post
from bot.render.common import BRAND, CONTENT_LIMIT, DESCRIPTION_LIMIT, clip, defang
from bot.render.history import record_title

KIND_LABELS = {
    "appropriations": "appropriations (bills, actions, funding lines and periods)",
    "bodycam": "body cameras",
    "oversight": "oversight questions",
    "all": "every kind of record",
}
ONLY_LABELS = {"status": "status changes", "all": "all changes"}
STATE_ICONS = {"active": "🟢", "paused": "⏸️", "failed": "❌"}
PREVIEW_FOOTER = "Preview: a sample change, not a real one"
LIST_BUDGET = DESCRIPTION_LIMIT - 200  # room for the "… and N more" line

# The record kind a kind's preview shows, and a typical status change for each record kind.
SAMPLE_KIND = {
    "appropriations": "measure",
    "bodycam": "bodycam",
    "oversight": "question",
    "all": "bodycam",
}
SAMPLE_CHANGE: dict[str, tuple[str, Any, Any]] = {
    "measure": ("stage", "passed_house", "enacted"),
    "action": ("stage_after", "passed_house", "passed_senate"),
    "funding_line": ("enacted", False, True),
    "funding_period": ("end_date", "2026-12-19", "2027-01-30"),
    "bodycam": ("status", "full", "suspended"),
    "question": ("status", "pending", "answered"),
}


def target_text(kind: str, record_kind: str | None, record_key: str | None) -> str:
    """'question OQ-4' for one record, 'oversight questions' for a kind."""
    if record_kind and record_key:
        return defang(record_title(record_kind, record_key))
    return KIND_LABELS.get(kind, kind)


def subscription_text(subscription: Any) -> str:
    """'<#123> follows oversight questions (all changes)'."""
    what = target_text(subscription.kind, subscription.record_kind, subscription.record_key)
    only = ONLY_LABELS.get(subscription.only, subscription.only)
    return f"<#{subscription.channel_id}> follows {what} ({only})"


def added_text(subscription: Any, *, can_post: bool = True) -> str:
    """The private answer to /track add (the preview embed goes with it)."""
    lines = [
        f"Subscription #{subscription.id} set up: {subscription_text(subscription)}.",
        "It posts nothing from the past: only changes from now on appear here. A post will "
        "look like the preview below.",
        "See every subscription with `/track list`; stop with `/track remove`.",
    ]
    if not can_post:
        lines.append(
            "⚠️ I cannot post in this channel yet (I need View Channel, Send Messages and Embed "
            "Links). Until I can, the subscription will be paused."
        )
    return clip("\n".join(lines), CONTENT_LIMIT)


def preview_post(
    kind: str,
    record: tuple[str, str] | None,
    actor_name: str,
    actor_id: int | None,
    now: dt.datetime,
) -> discord.Embed:
    """A sample change post for `kind` (or the record), as the dispatcher would render it."""
    record_kind, record_key = record or (SAMPLE_KIND.get(kind, "bodycam"), "(example)")
    field, old, new = SAMPLE_CHANGE.get(record_kind, ("status", "old", "new"))
    event = SimpleNamespace(
        id=0,
        event_type="updated",
        record_kind=record_kind,
        record_key=record_key,
        summary=None,
        revision_id=0,
    )
    revision = SimpleNamespace(
        action="update",
        changes={field: [old, new]},
        actor_name=actor_name,
        actor_id=actor_id,
        recorded_at=now,
        reason=None,
    )
    embed = change_post(event, revision)
    embed.set_footer(text=PREVIEW_FOOTER)
    return embed


def state_text(status: Any) -> str:
    """'🟢 active', '⏸️ paused: channel deleted', '❌ failed: HTTP 503 …'."""
    subscription = status.subscription
    icon = STATE_ICONS.get(subscription.state, "•")
    if subscription.state == "active":
        return f"{icon} active"
    reason = subscription.state_reason or status.last_error or "no reason recorded"
    return f"{icon} {subscription.state}: {defang(clip(reason, 200))}"


def list_line(status: Any) -> str:
    subscription = status.subscription
    counts = f"{status.pending} pending · {status.failed} failed"
    head = f"**#{subscription.id}** · {subscription_text(subscription)}"
    return f"{head}\n{state_text(status)} · {counts}"


def list_embed(statuses: Sequence[Any]) -> discord.Embed:
    """Every subscription of the server, as many as fit, the rest counted."""
    embed = discord.Embed(title="Tracking in this server", colour=BRAND)
    if not statuses:
        embed.description = (
            "No channel follows anything yet. In the channel that should get posts, run "
            "`/track add`."
        )
        return embed
    lines: list[str] = []
    for index, status in enumerate(statuses):
        line = list_line(status)
        if len("\n\n".join([*lines, line])) > LIST_BUDGET:
            lines.append(f"… and {len(statuses) - index} more subscriptions")
            break
        lines.append(line)
    embed.description = clip("\n\n".join(lines), DESCRIPTION_LIMIT)
    stopped = sum(1 for s in statuses if s.subscription.state != "active")
    footer = f"{len(statuses)} subscription{'s' if len(statuses) != 1 else ''}"
    if stopped:
        footer += f" · {stopped} not active: re-enable below (posting resumes from now on)"
    embed.set_footer(text=footer)
    return embed


def removed_text(subscription: Any) -> str:
    return clip(
        f"Removed subscription #{subscription.id}: <#{subscription.channel_id}> no longer follows "
        f"{target_text(subscription.kind, subscription.record_kind, subscription.record_key)}. "
        "Nothing more will be posted for it.",
        CONTENT_LIMIT,
    )


def reenabled_text(subscription: Any) -> str:
    return clip(
        f"Re-enabled #{subscription.id}: {subscription_text(subscription)} again, from now on.",
        CONTENT_LIMIT,
    )


def choice_label(subscription: Any, channel_name: str | None) -> str:
    """An autocomplete label (≤ 100 characters): '#3 · #alerts · question OQ-4 · status changes'."""
    where = f"#{channel_name}" if channel_name else f"channel {subscription.channel_id}"
    what = target_text(subscription.kind, subscription.record_kind, subscription.record_key)
    if not (subscription.record_kind and subscription.record_key):
        what = subscription.kind
    only = ONLY_LABELS.get(subscription.only, subscription.only)
    state = "" if subscription.state == "active" else f" · {subscription.state}"
    return clip(f"#{subscription.id} · {where} · {what} · {only}{state}", 100)
