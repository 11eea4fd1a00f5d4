"""The benchmark's bot process under pyinstrument, for the load scenario: besides the call tree
(as `bench.bot_process --profile` writes it), where the event loop's time went, summed by
library (`<profile>.json`): self time per package (sqlalchemy, asyncpg, discord, aiohttp, the
project's db/bot/cogs, the standard library's asyncio, json…) and the functions with the most.

    python -m bench.load_profile --api URL --gateway URL --config FILE --profile OUT.txt

Only the main thread is sampled: SQLite's statements run in aiosqlite's worker thread and show
here as the wait for it (the process's CPU time, read from /proc, counts every thread).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .bot_process import main, parse_args
from .harness import PROJECT, BotProcess

IDLE = "idle (waiting in epoll)"
TOP_FUNCTIONS = 25


def group_of(file_path: str | None, caller: str) -> str:
    """The library a frame's code belongs to; C functions count for their caller's."""
    path = file_path or ""
    if path == "<built-in>" or not path:
        return caller
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    if path.startswith(str(PROJECT)):
        return "project " + path[len(str(PROJECT)) + 1 :].split("/", 1)[0] + "/"
    if path.startswith("<frozen"):
        return "imports"
    if "/lib/python3" in path:
        inner = path.split("/lib/python3", 1)[1].split("/", 2)
        return "stdlib " + (inner[1].removesuffix(".py") if len(inner) > 1 else "?")
    return "other"


def self_time_by_group(root: Any) -> dict[str, Any]:
    """Walk pyinstrument's frame tree: seconds of self time per library, per function, and per
    owner: the nearest library on the stack that is not the standard library's (asyncio's socket
    writes count for asyncpg or aiohttp, whoever wrote)."""
    groups: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    stack: list[tuple[Any, str, str]] = [(root, "other", "the event loop")]
    while stack:
        frame, caller, owner = stack.pop()
        if frame.is_synthetic:
            continue
        if frame.file_path == "<built-in>" and frame.function.endswith("epoll.poll"):
            group = IDLE
        else:
            group = group_of(frame.file_path, caller)
        if (frame.file_path or "").endswith("asyncio/events.py") and frame.function.endswith(
            "_run"
        ):
            owner = "the event loop"  # a callback starts: its owner is whoever it calls
        elif not group.startswith(("stdlib ", "imports", "other", IDLE)):
            owner = group
        groups[group] += frame.total_self_time
        if group != IDLE:
            owners[owner] += frame.total_self_time
        if group != IDLE:
            where = (frame.file_path_short or "").split("site-packages/")[-1]
            functions[f"{frame.function} ({where}:{frame.line_no})"] += frame.total_self_time
        stack.extend((child, group, owner) for child in frame.children)
    return {
        "sampled_s": root.time,
        "busy_s": root.time - groups[IDLE],
        "groups": {g: round(s, 4) for g, s in groups.most_common()},
        "owners": {o: round(s, 4) for o, s in owners.most_common()},
        "functions": [[f, round(s, 4)] for f, s in functions.most_common(TOP_FUNCTIONS)],
    }


def run() -> int:
    args = parse_args()
    from pyinstrument import Profiler  # the bench extra: make bench installs it

    profiler = Profiler(interval=0.0005, async_mode="disabled")  # the whole process, all tasks
    with profiler:
        code = asyncio.run(main(args))
    session = profiler.last_session
    assert session is not None
    args.profile.write_text(profiler.output_text(unicode=True, show_all=False))
    summary = self_time_by_group(session.root_frame())
    args.profile.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n")
    return code


@dataclass
class ProfiledBotProcess(BotProcess):
    """A BotProcess that runs this module (the same bot, the same arguments)."""

    module: ClassVar[str] = "bench.load_profile"

    async def start(self) -> None:
        assert self.profile is not None, "a profiled bot needs a profile path"
        await super().start()


def summary_of(profile: Path) -> dict[str, Any] | None:
    path = profile.with_suffix(".json")
    return json.loads(path.read_text()) if path.exists() else None


if __name__ == "__main__":
    raise SystemExit(run())
