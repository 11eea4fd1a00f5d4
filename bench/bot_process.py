"""The bot as the benchmark runs it: its own process, the real runner, pointed at the fake Discord.

    python -m bench.bot_process --api URL --gateway URL --config FILE

Only the two endpoints discord.py hard-codes are changed (as the offline console does) and one
baseline command is added; everything else is `python -m bot run`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.cli import prepare
from bot.config import load_settings
from bot.logs import setup_logging
from bot.runner import run_bot
from db.engine import Database

SCHEDULER_INTERVAL = 1.0  # ticks on every second (60 in production): digests post when due


async def main(args: argparse.Namespace) -> int:
    Route.BASE = args.api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway)
    settings = load_settings(args.config)
    assert settings.discord.token is not None, "the benchmark config sets a token"
    token = settings.discord.token.get_secret_value()
    setup_logging(settings.bot.log_level, [token])
    database = Database.from_url(settings.database.url, timezone=settings.bot.tz)
    try:
        await prepare(database, io.StringIO())
        return await run_bot(
            settings,
            database,
            token,
            extensions=("bench.noop",),
            scheduler_interval=SCHEDULER_INTERVAL,
        )
    finally:
        await database.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", required=True, help="REST base, e.g. http://127.0.0.1:N/api/v10")
    parser.add_argument("--gateway", required=True, help="gateway URL, e.g. ws://127.0.0.1:N/ws")
    parser.add_argument("--config", required=True, type=Path, help="a config.toml")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile here at exit")
    return parser.parse_args()


def run(args: argparse.Namespace) -> int:
    if args.profile is None:
        return asyncio.run(main(args))
    from pyinstrument import Profiler  # the bench extra: make bench installs it

    profiler = Profiler(interval=0.0005, async_mode="disabled")  # the whole process, all tasks
    with profiler:
        code = asyncio.run(main(args))
    args.profile.write_text(profiler.output_text(unicode=True, show_all=False))
    return code


if __name__ == "__main__":
    raise SystemExit(run(parse_args()))
