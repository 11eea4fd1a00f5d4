"""A bot process that only dispatches the outbox, for the crash and two-process tests.

    python -m tests.bot.outbox_worker --db URL --api BASE --gateway WS --token T
        [--schema S] [--worker NAME] [--lease SECONDS] [--max-batch N]

It points discord.py at the fake Discord (REST base and gateway), builds the real OversightBot
(settings with no token, commands not synced) with a Dispatcher, prints "ready" on stdout once the
bot is ready (its services then run), and runs until killed.

By default the Dispatcher runs with the production lease and heartbeat (the crash test measures
how soon a restarted worker takes over); `--lease` overrides the lease, in seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import sys

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import OversightBot
from bot.config import load_settings
from bot.dispatch import Dispatcher
from db.engine import Database, make_engine


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="outbox_worker")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the database")
    parser.add_argument("--schema", help="PostgreSQL search_path")
    parser.add_argument(
        "--api", required=True, help="REST base, e.g. http://127.0.0.1:1234/api/v10"
    )
    parser.add_argument("--gateway", required=True, help="gateway URL, e.g. ws://127.0.0.1:1234/ws")
    parser.add_argument("--token", required=True)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--lease", type=float, default=None, help="seconds")
    parser.add_argument("--max-batch", type=int, default=1)
    parser.add_argument("--poll", type=float, default=0.2, help="seconds")
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> None:
    Route.BASE = args.api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway)
    kwargs = {}
    if args.schema:
        kwargs["connect_args"] = {"server_settings": {"search_path": args.schema}}
    database = Database(make_engine(args.db, **kwargs))
    client = OversightBot(settings=load_settings(None, environ={}), database=database, sync="off")
    client.services.append(
        Dispatcher(
            client,
            worker=args.worker,
            poll_seconds=args.poll,
            max_batch=args.max_batch,
            pace=0.0,  # these tests are about exactly-once, not pacing
            **({"lease": dt.timedelta(seconds=args.lease)} if args.lease is not None else {}),
        )
    )

    async def say_ready() -> None:
        await client.wait_until_ready()
        print("ready", flush=True)

    announce = asyncio.create_task(say_ready())
    try:
        await client.start(args.token)
    finally:
        announce.cancel()
        await database.close()


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    asyncio.run(main(parse(sys.argv[1:])))
