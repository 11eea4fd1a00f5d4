"""The console's server: the same ids in every run, and commands sent with local files."""

from __future__ import annotations

from typing import Any

from bot.console.files import FileHost
from bot.console.parse import LocalFile
from fakediscord import FakeDiscord, FakeGuild, Reply
from fakediscord.interactions import (
    APPLICATION_COMMAND,
    build_options,
    command_data,
    resolve_command,
)

# Fixed, so what the console writes for "this server" (its records, the channel's subscriptions
# and digests, the person's edits) is found again next time on the same database.
CONSOLE_GUILD_ID = 100_000_000_000_000_001
CONSOLE_CHANNEL_ID = 100_000_000_000_000_002
CONSOLE_USER_ID = 100_000_000_000_000_003


def pin_ids(guild: FakeGuild) -> None:
    """Give the console's channel and person fixed ids (the fake draws new ones each run), so
    subscriptions, digests and edits made in one run point at them in the next."""
    channel, owner = guild.channel, guild.owner
    _rekey(guild.channels, channel.id, CONSOLE_CHANNEL_ID)
    _rekey(guild.world.channels, channel.id, CONSOLE_CHANNEL_ID)
    channel.id = CONSOLE_CHANNEL_ID
    _rekey(guild.members, owner.id, CONSOLE_USER_ID)
    _rekey(guild.world.users, owner.id, CONSOLE_USER_ID)
    owner.user.id = guild.owner_id = CONSOLE_USER_ID


def _rekey(pool: dict[int, Any], old: int, new: int) -> None:
    """`pool` with the entry `old` under `new`, in its place (the fake lists in order)."""
    items = [(new if key == old else key, value) for key, value in pool.items()]
    pool.clear()
    pool.update(items)


async def slash_with_files(
    fake: FakeDiscord, host: FileHost, guild: FakeGuild, path: str, values: dict[str, Any]
) -> Reply:
    """The fake has no file options: its payload builders, with each upload added."""
    command, chain, is_guild = resolve_command(fake.synced, guild.id, path)
    leaf = chain[-1] if chain else command
    uploads = {k: v for k, v in values.items() if isinstance(v, LocalFile)}
    plain_leaf = {**leaf, "options": [o for o in leaf["options"] if o["name"] not in uploads]}
    plain = {k: v for k, v in values.items() if k not in uploads}
    if chain:
        options, resolved = build_options(command, [*chain[:-1], plain_leaf], plain, guild)
    else:
        options, resolved = build_options(plain_leaf, [], plain, guild)
    node = options
    for _ in chain:
        node = node[0]["options"]
    for name, upload in uploads.items():
        attachment = host.upload(name, upload.path)
        node.append({"name": name, "type": 11, "value": attachment["id"]})
        resolved.setdefault("attachments", {})[attachment["id"]] = attachment
    data = command_data(command, options, resolved, guild.id if is_guild else None)
    # _interact: the fake's own entry for a payload its slash() cannot build (type 11).
    return await fake._interact(
        APPLICATION_COMMAND,
        f"/{path}",
        guild,
        guild.channel,
        guild.owner,
        data,
        None,
        "visible",
        None,
    )
