"""The runtime end to end through the fake Discord: log-in, sync, errors, resume, shutdown."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import signal
import sys
from pathlib import Path

import pytest

import cogs.meta
from bot.client import OversightBot, extension_names
from bot.config import Settings, load_settings
from bot.logs import setup_logging
from bot.runner import run_bot
from bot.sync import hash_key, tree_payload
from db.dates import discord_timestamp
from db.engine import Database
from db.meta import get_meta
from db.seed import seed_records
from fakediscord import FakeDiscord
from tests.conftest import TOKEN, Office, running
from tests.support.commands import leaves
from tests.support.replies import buttons


async def test_logs_in_and_syncs_the_global_tree(fake: FakeDiscord, bot: OversightBot) -> None:
    """The bot identifies once, syncs its global commands, and the tree passes every limit."""
    assert fake.identifies == 1
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert {"about", "help"} <= set(leaves(fake.synced[None]))
    assert bot.synced == ["global"]


async def test_an_unchanged_tree_is_not_synced_again(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """A second start with the same commands does not sync; the stored hash matches the tree."""
    async with running(fake, OversightBot(settings=settings, database=bot_db)) as first:
        assert await get_meta(bot_db, hash_key(fake.application_id)) is not None
        assert await get_meta(bot_db, hash_key(fake.application_id + 1)) is None
        payload = tree_payload(first.tree)
    calls = len(fake.sync_calls)
    second = OversightBot(settings=settings, database=bot_db)
    async with running(fake, second, wait_for_sync=False):
        await fake.slash("help", user=office.staffer)
        assert second.synced == []
        assert tree_payload(second.tree) == payload
    assert len(fake.sync_calls) == calls


async def test_dev_guilds_are_synced_and_global_is_left_alone(
    fake: FakeDiscord, office: Office, bot_db: Database
) -> None:
    """With a development guild configured, only that guild's copy is synced, at every start."""
    settings = load_settings(None, environ={})
    dev = settings.model_copy(
        update={
            "discord": settings.discord.model_copy(update={"dev_guild_ids": (office.guild.id,)})
        }
    )
    async with running(fake, OversightBot(settings=dev, database=bot_db)) as client:
        assert client.synced == [f"guild {office.guild.id}"]
        assert None not in fake.synced
        assert {"about", "help"} <= set(leaves(fake.synced[office.guild.id]))
        reply = await fake.slash("about", user=office.staffer)
        assert reply.embeds[0]["title"] == "Oversight Desk"


async def test_about_reports_version_counts_and_freshness(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/about shows the version, records per kind of the starter data, and how fresh they are."""
    reply = await fake.slash("about", user=office.staffer)
    assert reply.ephemeral
    embed = reply.embeds[0]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Version"] == cogs.meta.package_version() != "unknown"
    assert fields["Records (67)"].startswith("7 bills · 12 bill actions · 12 funding lines")
    assert "10 body-camera records" in fields["Records (67)"]
    assert re.fullmatch(r"<t:\d+:f> \(<t:\d+:R>\)", fields["Newest change"])
    oldest = min(dt.date.fromisoformat(row["as_of"]) for _kind, row in seed_records())
    assert fields["Oldest as-of date"] == discord_timestamp(oldest, "D")
    assert "congress.gov" in fields["Where the data comes from"]


async def test_help_lists_every_command_from_the_tree(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/help, paged through by an editor, names each synced command with its description,
    generated from the tree."""
    reply = await fake.slash("help", user=office.admin)
    assert reply.ephemeral
    names: list[str] = []
    values: list[str] = []
    while True:
        fields = [f for embed in reply.embeds for f in embed.get("fields", [])]
        names += [f["name"] for f in fields]
        values += [f["value"] for f in fields]
        following = buttons(reply).get("page:next")
        if following is None or following.get("disabled"):
            break
        reply = await fake.click(reply, "page:next", user=office.admin)
    for name in set(leaves(fake.synced[None])):
        assert any(shown.startswith(f"`/{name}") for shown in names), name
    about = bot.tree.get_command("about")
    assert about is not None and any(about.description in value for value in values)


async def test_unexpected_error_gives_a_ref_and_the_bot_keeps_serving(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A command that raises answers privately with a ref that is in the log; the next works."""

    async def broken(*args: object) -> None:
        raise RuntimeError("database on fire")

    # load_extension executes a fresh module object: patch the one the bot runs.
    monkeypatch.setattr(sys.modules["cogs.meta"], "freshness", broken)
    with caplog.at_level(logging.ERROR, logger="bot.tree"):
        reply = await fake.slash("about", user=office.staffer)
    match = re.fullmatch(r"Something went wrong \(ref ([0-9A-F]{6})\)\. .*", reply.content or "")
    assert match and reply.ephemeral
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and "database on fire" in str(logged[0].exc_info[1])  # type: ignore[index]
    monkeypatch.undo()
    assert (await fake.slash("about", user=office.staffer)).embeds


async def test_gateway_drop_resumes_and_keeps_answering(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """When the gateway connection drops, the bot resumes the session and still answers."""
    await fake.drop_gateway()
    await fake.wait_until(lambda: fake.resumes == 1)
    assert fake.identifies == 1
    assert (await fake.slash("help", user=office.staffer)).embeds


async def test_stop_event_shuts_down_within_five_seconds(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """Asking the bot to stop closes the connection and its services within 5 seconds."""
    stopped: list[str] = []

    class Service:
        async def start(self) -> None:
            stopped.append("started")

        async def stop(self) -> None:
            stopped.append("stopped")

    stop = asyncio.Event()
    with fake.patched():
        running_bot = asyncio.create_task(
            run_bot(settings, bot_db, TOKEN, stop=stop, services=[Service()])
        )
        await fake.wait_until_connected()
        await fake.slash("help", user=office.staffer)
        stop.set()
        assert await asyncio.wait_for(running_bot, 5) == 0
    assert stopped == ["started", "stopped"]


async def test_sigterm_stops_the_bot_gracefully(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """SIGTERM to the process stops the bot cleanly (exit code 0) instead of killing it."""
    with fake.patched():
        running_bot = asyncio.create_task(run_bot(settings, bot_db, TOKEN))
        await fake.wait_until_connected()
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running_bot, 5) == 0


async def test_rejected_token_is_one_line_and_exit_2(
    fake: FakeDiscord, bot_db: Database, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token Discord refuses ends the run with one clear line and exit code 2."""
    with fake.patched():
        code = await asyncio.wait_for(run_bot(settings, bot_db, "not-the-token"), 10)
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("Discord rejected the token") and len(error.splitlines()) == 1


async def test_token_never_reaches_the_log(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """At DEBUG level, through log-in, a command and an error, no log line holds the token."""
    setup_logging("DEBUG", [TOKEN])
    try:
        log = logging.getLogger("test")
        log.debug("token in a message: %s", TOKEN)
        try:
            raise ValueError(f"token in an exception: {TOKEN}")
        except ValueError:
            log.exception("failure")
        async with running(fake, OversightBot(settings=settings, database=bot_db)):
            await fake.slash("help", user=office.staffer)
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.setLevel(logging.WARNING)
    err = capsys.readouterr().err
    assert "IDENTIFY" in err or "identify" in err.lower()  # the log really was at DEBUG
    assert "[redacted]" in err and TOKEN not in err


def test_every_cog_module_is_an_extension() -> None:
    """Every public module under cogs/ is loaded as an extension; private helpers are not."""
    names = set(extension_names())
    folder = Path(cogs.meta.__file__).parent
    files = {f"cogs.{p.stem}" for p in folder.glob("*.py") if not p.stem.startswith("_")}
    files |= {f"cogs.{p.parent.name}" for p in folder.glob("*/__init__.py")}
    assert names == files and "cogs.meta" in names


def test_readme_invite_permissions_match_discord_py() -> None:
    """The invite URL in the README asks exactly for the permissions the README lists."""
    import discord

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    wanted = discord.Permissions(
        view_channel=True,
        send_messages=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
    )
    assert f"permissions={wanted.value}" in readme
    assert "scope=bot%20applications.commands" in readme


async def test_about_says_when_change_posts_are_paused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/about tells the server that a channel's change posts are paused, and why."""
    from db.tracking import add_subscription, pause_channel

    before = await fake.slash("about", user=office.staffer)
    assert "No channel follows changes yet" in str(before.embeds)
    await add_subscription(bot.database, office.guild.id, office.guild.channel.id, "bodycam")
    await pause_channel(bot.database, office.guild.channel.id, "missing access (403)")
    reply = await fake.slash("about", user=office.staffer)
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert fields["Change posts in this server"].startswith("1 paused — missing access (403).")
