"""Reading the command tree the bot synced to the fake Discord."""

from __future__ import annotations

from typing import Any

from fakediscord import FakeDiscord

Json = dict[str, Any]
SUBCOMMAND, GROUP = 1, 2


def leaves(commands: list[Json]) -> dict[str, Json]:
    """Qualified name ("bodycam city") → the leaf command's payload (a subcommand or a top-level
    command), for every command in a synced payload."""
    found: dict[str, Json] = {}

    def walk(prefix: str, node: Json) -> None:
        subs = [o for o in node.get("options", []) if o.get("type") in (SUBCOMMAND, GROUP)]
        if not subs:
            found[prefix] = node
        for sub in subs:
            walk(f"{prefix} {sub['name']}", sub)

    for command in commands:
        walk(command["name"], command)
    return found


def synced_command(fake: FakeDiscord, name: str) -> Json:
    """The top-level global command `name` as last synced."""
    return next(c for c in fake.synced[None] if c["name"] == name)
