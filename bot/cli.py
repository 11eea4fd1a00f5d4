"""The command-line tool: `python -m bot run | console | sync | db | import | export | history`.

Each command builds the settings and the database itself and passes them down; nothing global.
Exit codes: 0 done, 1 the data was refused (listed on stderr), 2 bad configuration or usage.
Every failure is one line on stderr saying what and what to do (`run_command` translates them).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import aiohttp
import discord
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.calendar_export import export_calendar
from bot.config import ConfigError, Settings, config_path_from, load_settings
from bot.console.app import console_main
from bot.logs import setup_logging
from bot.render.ics import KINDS as ICS_KINDS
from bot.runner import TOKEN_REJECTED, run_bot, sync_once
from congress.client import CongressClient
from congress.sync import CongressSync
from db import migrations, transfer
from db.engine import Database
from db.errors import DomainError
from db.follows import BillRef
from db.guild_import import against_shared
from db.history import history
from db.models import FIELDS_OF
from db.scope import Actor, Scope
from db.seed import load_seed, seed_if_empty

NO_TOKEN_CONSOLE = (
    "No Discord token is set: starting the offline console instead (nothing reaches Discord). "
    "To connect, set DISCORD_TOKEN (see README, 'Connect to Discord')."
)
NO_CONGRESS_KEY = (
    "error: no Congress.gov API key: set CONGRESS_API_KEY (or [congress] api_key in the config "
    "file; a free key comes from api.data.gov). Nothing was synced."
)
NO_TOKEN = (
    "No Discord token is set, so the bot cannot connect to Discord.\n"
    "Set DISCORD_TOKEN in the environment (or [discord] token in config.toml; see README, "
    "'Connect to Discord')."
)


MAX_SNOWFLAKE = 2**63 - 1  # Discord ids are positive 64-bit; the database stores them signed


class CommandFailed(Exception):
    """A one-line failure and its exit code (2: configuration or usage, 1: input refused)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(" ".join(message.splitlines()))
        self.code = code


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and where to read the usage), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}. See `{self.prog} --help`.\n")


def guild_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= MAX_SNOWFLAKE:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a Discord server id; accepted: a whole number from 1 to "
            f"{MAX_SNOWFLAKE} (in Discord: right-click the server, Copy Server ID)"
        )
    return value


def output_file(text: str) -> Path:
    """A file we could create: checked before any work, so a typo does not waste an export."""
    path = Path(text)
    problem = None
    if path.is_dir():
        problem = f"{text} is a folder; give a file name inside it"
    elif not path.parent.is_dir():
        problem = f"the folder {path.parent} does not exist; create it or choose another"
    elif not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        problem = f"cannot write {text}; choose a file in a folder you can write to"
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="oversight-desk", description=__doc__.splitlines()[0])
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
    importer.add_argument("--guild", type=guild_id, help=scope_help)
    importer.add_argument("--dry-run", action="store_true", help="validate and preview only")
    exporter = commands.add_parser("export", help="export records as CSV or JSON")
    exporter.add_argument("--kind", action="append", choices=list(FIELDS_OF), help="repeatable")
    exporter.add_argument("--format", choices=transfer.FORMATS, default="json")
    exporter.add_argument("--out", type=output_file, help="file to write (default: stdout)")
    exporter.add_argument("--guild", type=guild_id, help=scope_help)
    shown = commands.add_parser("history", help="a record's revisions, oldest first")
    shown.add_argument("kind", choices=list(FIELDS_OF))
    shown.add_argument("key", help="the record's key, e.g. minneapolis-mn-ice-ero or OQ-4")
    shown.add_argument("--guild", type=guild_id, help=scope_help)
    congress = commands.add_parser("congress", help="follow DHS appropriations on Congress.gov")
    congress_commands = congress.add_subparsers(dest="congress_command", required=True)
    follow = congress_commands.add_parser(
        "sync", help="sync the shared dataset with Congress.gov now and print what changed"
    )
    follow.add_argument(
        "--bill",
        action="append",
        default=[],
        help="CONGRESS/TYPE/NUMBER such as 119/hr/7147: follow and sync it (repeatable)",
    )
    follow.add_argument(
        "--congress", type=int, action="append", help="a congress to search (repeatable)"
    )
    follow.add_argument("--since", type=day, help="search bills updated since YYYY-MM-DD")
    calendar = commands.add_parser("calendar", help="deadlines for calendar apps")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    ics = calendar_commands.add_parser(
        "export", help="write the deadlines (a year back, two ahead) as an iCalendar .ics file"
    )
    ics.add_argument("--guild", type=guild_id, help=scope_help)
    ics.add_argument("--kinds", choices=list(ICS_KINDS), default="all")
    ics.add_argument("--out", type=output_file, help="file to write (default: stdout)")
    return parser


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


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
        try:
            args.out.write_text(text, encoding=encoding, newline="")
        except OSError as error:  # e.g. /proc, a full disk: passed the checks, failed the write
            raise CommandFailed(
                f"Cannot write {args.out} ({error.strerror}): choose another --out file."
            ) from None
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


async def cmd_congress(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    """`congress sync`: discovery then every followed bill, or the --bill ones only."""
    key = settings.congress.api_key
    if key is None:
        print(NO_CONGRESS_KEY, file=sys.stderr)
        return 2
    await prepare(database, sys.stderr)
    bills = [BillRef.parse(text, today=database.today()) for text in args.bill]
    since = (
        dt.datetime.combine(args.since, dt.time(), tzinfo=dt.UTC)
        if args.since is not None
        else None
    )
    async with CongressClient(
        base_url=settings.congress.api_base,
        api_key=key.get_secret_value(),
        requests_per_hour=settings.congress.requests_per_hour,
    ) as client:
        sync = CongressSync(
            database, client, congresses=args.congress or settings.congress.congresses
        )
        report = await sync.run(bills=bills, since=since)
    print("\n".join(report.lines()))
    return 2 if report.error else 0


async def cmd_calendar(settings: Settings, database: Database, args: argparse.Namespace) -> int:
    """`calendar export`: the scope's deadlines as an .ics file (stdout, or --out)."""
    await migrations.upgrade(database.engine)
    where = "shared dataset" if args.guild is None else f"server {args.guild}"
    exported = await export_calendar(
        database,
        _scope(args.guild),
        kinds=args.kinds,
        name=f"Oversight Desk deadlines ({where})",
        timezone=settings.bot.timezone,
    )
    if args.out:
        try:
            args.out.write_bytes(exported.data)
        except OSError as error:
            raise CommandFailed(
                f"Cannot write {args.out} ({error.strerror}): choose another --out file."
            ) from None
        print(
            f"Wrote {args.out}: {exported.events} deadlines from {exported.start} to "
            f"{exported.end}.",
            file=sys.stderr,
        )
    else:
        sys.stdout.buffer.write(exported.data)
        sys.stdout.flush()
    return 0


COMMANDS: dict[str, Callable[[Settings, Database, argparse.Namespace], Awaitable[int]]] = {
    "run": cmd_run,
    "sync": cmd_sync,
    "console": cmd_console,
    "db": cmd_db,
    "import": cmd_import,
    "export": cmd_export,
    "history": cmd_history,
    "congress": cmd_congress,
    "calendar": cmd_calendar,
}


def shown_url(url: str) -> str:
    """How a database is named in messages: a SQLite file's path, a server URL without password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def cannot_open(url: str, error: Exception) -> str:
    """Why the database could not be opened, and what to do, in one line."""
    parsed, where = make_url(url), shown_url(url)
    reason = str(error.orig if isinstance(error, DBAPIError) else error)
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror
    if parsed.get_backend_name() != "sqlite":
        return (
            f"Cannot connect to the database {where} ({reason}): check that PostgreSQL is running "
            "there and that DATABASE_URL names the right host, port, user and database."
        )
    path = Path(parsed.database or "")
    if path.is_dir():
        return (
            f"The database {where} is a folder, not a file: point DATABASE_URL at a file, e.g. "
            f"sqlite+aiosqlite:///{path / 'oversight-desk.db'}."
        )
    if "not a database" in reason:
        return (
            f"{where} is not a SQLite database ({reason}): point DATABASE_URL at an Oversight "
            "Desk database, or at a new file name to start one."
        )
    if path.parent.exists() and not path.parent.is_dir():
        reason = f"{path.parent} is a file, not a folder"
    return (
        f"Cannot open the database {where} ({reason}): check that its folder exists and is "
        "writable, or point DATABASE_URL at another file."
    )


async def open_database(settings: Settings) -> Database:
    """Connect once and check the schema is one this program knows, before any command runs."""
    url = settings.database.url
    try:
        database = Database.from_url(url, timezone=settings.bot.tz)
    except OSError as error:  # the SQLite file's folder could not be made
        raise CommandFailed(cannot_open(url, error)) from None
    try:
        current = await migrations.current_revision(database.engine)
    except (OSError, SQLAlchemyError) as error:
        await database.close()
        raise CommandFailed(cannot_open(url, error)) from None
    if current is not None and current not in migrations.known_revisions():
        await database.close()
        raise CommandFailed(
            f"The database {shown_url(url)} was made by a newer Oversight Desk (migration "
            f"{current}; this one knows up to {migrations.newest_revision()}): upgrade the "
            "program or point DATABASE_URL at another database."
        )
    return database


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run one command; the one place that turns a failure into its line and exit code."""
    try:
        database = await open_database(settings)
        try:
            return await COMMANDS[args.command](settings, database, args)
        finally:
            await database.close()
    except CommandFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    except DomainError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except aiohttp.ClientConnectionError as error:  # `run` and `sync` log in over the network
        print(
            f"error: Cannot reach Discord ({' '.join(str(error).splitlines())}): check this "
            "machine's network connection (and any proxy or firewall), then run the command again.",
            file=sys.stderr,
        )
        return 2
    except DBAPIError as error:  # the database failed mid-command (damaged, disk full, …)
        where = shown_url(settings.database.url)
        reason = " ".join(str(error.orig).splitlines())
        print(
            f"error: the database {where} failed ({reason}): the command stopped and its "
            "unfinished change was not saved. Check the database (disk space, damage) and run "
            "the command again.",
            file=sys.stderr,
        )
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error already printed in one line
        return stop.code if isinstance(stop.code, int) else 2
    try:
        settings = load_settings(config_path_from(args.config, os.environ))
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return asyncio.run(run_command(settings, args))
