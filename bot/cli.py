"""The command-line tool: `python -m bot run | console | sync | db | import | export | history`.

Each command builds the settings and the database itself and passes them down; nothing global.
Exit codes: 0 done, 1 the data was refused (listed on stderr), 2 bad configuration or usage.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TextIO

import discord

from bot.config import ConfigError, Settings, config_path_from, load_settings
from bot.console import console_main
from bot.logs import setup_logging
from bot.runner import TOKEN_REJECTED, run_bot, sync_once
from db import migrations, transfer
from db.engine import Database
from db.errors import DomainError
from db.guild_import import against_shared
from db.history import history
from db.models import FIELDS_OF
from db.scope import Actor, Scope
from db.seed import load_seed, seed_if_empty

NO_TOKEN_CONSOLE = (
    "No Discord token is set: starting the offline console instead (nothing reaches Discord). "
    "To connect, set DISCORD_TOKEN (see README, 'Connect to Discord')."
)
NO_TOKEN = (
    "No Discord token is set, so the bot cannot connect to Discord.\n"
    "Set DISCORD_TOKEN in the environment (or [discord] token in config.toml; see README, "
    "'Connect to Discord')."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oversight-desk", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML settings file (default: ./config.toml if present)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate, seed an empty database, and run the bot")
    commands.add_parser("sync", help="sync the slash commands with Discord now, then exit")
    commands.add_parser("console", help="run the bot offline against a local stand-in for Discord")
    database = commands.add_parser("db", help="database maintenance")
    database.add_argument("action", choices=["upgrade", "seed"])
    scope_help = "a guild id: work on that server's own records (default: the shared dataset)"
    importer = commands.add_parser("import", help="import records from a CSV or JSON file")
    importer.add_argument("file", type=Path)
    importer.add_argument("--guild", type=int, help=scope_help)
    importer.add_argument("--dry-run", action="store_true", help="validate and preview only")
    exporter = commands.add_parser("export", help="export records as CSV or JSON")
    exporter.add_argument("--kind", action="append", choices=list(FIELDS_OF), help="repeatable")
    exporter.add_argument("--format", choices=transfer.FORMATS, default="json")
    exporter.add_argument("--out", type=Path, help="file to write (default: standard output)")
    exporter.add_argument("--guild", type=int, help=scope_help)
    shown = commands.add_parser("history", help="a record's revisions, oldest first")
    shown.add_argument("kind", choices=list(FIELDS_OF))
    shown.add_argument("key", help="the record's key, e.g. minneapolis-mn-ice-ero or OQ-4")
    shown.add_argument("--guild", type=int, help=scope_help)
    return parser


def _scope(guild: int | None) -> Scope:
    return Scope.shared() if guild is None else Scope.guild(guild)


async def prepare(database: Database, out: TextIO) -> None:
    """Bring the schema up to date and load the starter data into an empty database."""
    await migrations.upgrade(database.engine)
    report = await seed_if_empty(database)
    if report is not None:
        print(f"Loaded the starter dataset: {report.created} records.", file=out)


def _token(settings: Settings) -> str | None:
    """The token, with logging set up to redact it; None (and why, on stderr) when unset."""
    if settings.discord.token is None:
        return None
    token = settings.discord.token.get_secret_value()
    setup_logging(settings.bot.log_level, [token])
    return token


async def cmd_run(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await prepare(database, sys.stdout)
    token = _token(settings)
    if token is None:
        print(NO_TOKEN_CONSOLE, file=sys.stderr)
        return await console_main(settings, database)
    return await run_bot(settings, database, token)


async def cmd_console(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await prepare(database, sys.stdout)
    return await console_main(settings, database)


async def cmd_sync(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    token = _token(settings)
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        synced = await sync_once(settings, database, token)
    except discord.LoginFailure:
        print(TOKEN_REJECTED, file=sys.stderr)
        return 2
    print(f"Synced: {', '.join(synced)}.")
    return 0


async def cmd_db(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await migrations.upgrade(database.engine)
    print(f"Schema at {await migrations.current_revision(database.engine)}.")
    if args.action == "seed":
        report = await load_seed(database)
        print(
            f"Starter dataset: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
    return 0


async def cmd_import(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await migrations.upgrade(database.engine)
    fmt = transfer.detect_format(args.file.name)
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise DomainError(f"Cannot read {args.file}: {error.strerror}.") from None
    records = transfer.parse(data, fmt)
    scope = _scope(args.guild)
    # In a guild, rows that repeat the shared dataset stay shared instead of becoming copies.
    measured = await against_shared(database, scope, records)
    if args.dry_run:
        plan = await transfer.plan_import(database, scope, measured.records)
    else:
        plan = await transfer.apply_import(database, scope, Actor("cli import"), measured.records)
    verb = "Would import" if args.dry_run else "Imported"
    unchanged = plan.unchanged + measured.unchanged_shared
    print(
        f"{verb} {len(records)} records: {len(plan.created)} new, {len(plan.changed)} changed, "
        f"{unchanged} unchanged."
    )
    return 0


async def cmd_export(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await migrations.upgrade(database.engine)
    text = await transfer.export_records(
        database, _scope(args.guild), kinds=args.kind, fmt=args.format
    )
    if args.out:
        # A BOM lets spreadsheet programs read accented names in a CSV correctly.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        args.out.write_text(text, encoding=encoding, newline="")
        print(f"Wrote {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def cmd_history(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    await migrations.upgrade(database.engine)
    async with database.session() as session:
        revisions = await history(session, _scope(args.guild), args.kind, args.key)
    if not revisions:
        raise DomainError(f"No history for {args.kind} '{args.key}'.")
    for revision in revisions:
        when = revision.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
        scope = "shared" if revision.guild_id is None else f"guild {revision.guild_id}"
        print(
            f"#{revision.id} {revision.action} by {revision.actor_name} ({scope}), "
            f"effective {revision.effective_on}, recorded {when}"
            + (f" — {revision.reason}" if revision.reason else "")
        )
        for name, (old, new) in revision.changes.items():
            print(f"    {name}: {old!r} → {new!r}")
    return 0


COMMANDS: dict[str, Callable[[Settings, Database, argparse.Namespace], Awaitable[int]]] = {
    "run": cmd_run,
    "sync": cmd_sync,
    "console": cmd_console,
    "db": cmd_db,
    "import": cmd_import,
    "export": cmd_export,
    "history": cmd_history,
}


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    database = Database.from_url(settings.database.url, timezone=settings.bot.tz)
    try:
        return await COMMANDS[args.command](settings, database, args)
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await database.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(config_path_from(args.config, os.environ))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return asyncio.run(run_command(settings, args))
