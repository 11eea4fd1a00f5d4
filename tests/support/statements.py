"""The SQL a block of code runs (SQLAlchemy's before_cursor_execute), for tests that bound the
statements of a lookup, a command or an autocomplete."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from db.engine import Database


def not_begin(statement: str) -> bool:
    return statement != "BEGIN"  # only SQLite sends it


@contextmanager
def statements(
    database: Database, *, keep: Callable[[str], bool] = not_begin
) -> Iterator[list[str]]:
    """The statements `keep` accepts (all but BEGIN by default) run while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if keep(statement):
            seen.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def interaction_statements(
    bot: Any, task_name: str = "CommandTree-invoker"
) -> Any:  # a context manager of list[str]
    """The statements the bot's interaction handlers run (discord.py runs each in a task of this
    name, a button's in "discord-ui-view-dispatch-…"; the caches name their builds after the
    asker's task), not its background services'; BEGIN left out."""

    def in_handler(statement: str) -> bool:
        task = asyncio.current_task()
        return not_begin(statement) and task is not None and task.get_name().startswith(task_name)

    return statements(bot.database, keep=in_handler)
