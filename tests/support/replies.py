"""Reading what the bot answered, as end-to-end tests do: embed fields, titles, buttons, and the
Discord timestamps the answers carry. Clicking and choosing are the fake's own (`fake.click`,
`fake.select`); these only read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.dates import discord_timestamp
from fakediscord import FakeDiscord, Reply

Json = dict[str, Any]


def ts(year: int, month: int, day: int, style: str = "D") -> str:
    """The Discord timestamp the bot writes for that date (style "D": 'November 28, 2026')."""
    return discord_timestamp(dt.date(year, month, day), style)


def _embeds(source: Reply | list[Json]) -> list[Json]:
    return source.embeds if isinstance(source, Reply) else source


def fields(source: Reply | Json) -> dict[str, str]:
    """Field name → value: of one embed, or of every embed of a reply (a later name wins)."""
    embeds = [source] if isinstance(source, dict) else source.embeds
    return {f["name"]: f["value"] for embed in embeds for f in embed.get("fields", [])}


def field_list(source: Reply | list[Json]) -> list[tuple[str, str]]:
    """Every (name, value) of a reply's (or these) embeds in order, repeated names included
    ('… (continued)')."""
    return [(f["name"], f["value"]) for embed in _embeds(source) for f in embed.get("fields", [])]


def titles(reply: Reply) -> list[str]:
    return [embed.get("title", "") for embed in reply.embeds]


def by_title(reply: Reply, title: str) -> Json:
    """The reply's embed with exactly this title."""
    return next(embed for embed in reply.embeds if embed.get("title") == title)


def buttons(reply: Reply) -> dict[str, Json]:
    """The buttons (and other row components) of the reply's message now, by custom id."""
    assert reply.message is not None, f"no message to read buttons from: {reply.describe()}"
    return {
        button["custom_id"]: button
        for row in reply.message.components
        for button in row.get("components", [])
    }


async def wait_until_disabled(fake: FakeDiscord, reply: Reply, within: float = 5.0) -> None:
    """Until every button of the reply's message is disabled (a view's timeout edits them off);
    fails after `within` seconds, a bound on a broken bot rather than a measured time."""
    await fake.wait_until(
        lambda: all(b.get("disabled") for b in buttons(reply).values()),
        within,
        "every button of the reply to be disabled",
    )
