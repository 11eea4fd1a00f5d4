"""`python -m bot console`: the real bot, on the configured database, answering typed commands
through the fake Discord API in-process, so answers come from the same code as on Discord.

Nothing here talks to Discord: the fake has its own random application id (the stored command
hash is keyed by it) and the bot is given no token and no development guilds.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import signal
import sys
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from bot.client import OversightBot
from bot.config import Settings
from bot.console.files import FileHost, save
from bot.console.forms import CANCEL, Form, fields_of
from bot.console.guild import CONSOLE_GUILD_ID, pin_ids, slash_with_files
from bot.console.parse import (
    Invocation,
    LineError,
    LocalFile,
    Mention,
    convert,
    parse_command,
    split_words,
)
from bot.console.render import (
    Json,
    button_label,
    name_mentions,
    pick_buttons,
    render_message,
    render_modal,
    walk,
)
from bot.dispatch import Dispatcher
from bot.schedule import Scheduler
from db.engine import Database
from fakediscord import FakeDiscord, Message, Reply

BANNER = (
    "Offline console: the bot runs against a local stand-in for Discord, on your configured "
    "database; nothing is sent to Discord. Type commands as in Discord, e.g. /help or /about; "
    "options go in order or as name:value (a text value runs on, as in Discord: city:St. Paul; "
    'quotes end one: city:"San Diego" 2026-01-15). `click <button>` (the '
    "start of its label is enough) and `select [menu] <value>` use the last answer's buttons and "
    "menus; forms ask for each field in turn. A file option takes a path on this computer; files "
    "the bot sends are saved in {folder}. Change posts and digests appear as channel posts. "
    "Times are shown in {zone}. Ctrl-D (or quit) to quit."
)
HINT = "Type a slash command such as /help, or: click <button>, select [menu] <value>, quit."
ANSWER_SECONDS = 15.0  # generous: a real client waits up to 15 minutes for a deferred answer
QUIET_SECONDS = 0.05  # follow-ups count as part of the answer until the bot goes quiet
LOCAL_GUILD_READY_TIMEOUT = 0.2  # seconds: the local fake sends its one guild at once


class ConsoleStartError(Exception):
    """The bot stopped (or never connected) while the console was starting it."""


class Console:
    """The bot logged into a fresh fake guild "Console", answering one typed line at a time."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        out: TextIO,
        tz: dt.tzinfo,
        bot_factory: Callable[[Settings, Database], OversightBot] | None = None,
        save_dir: Path | None = None,
    ) -> None:
        # No token and no development guilds: the console must never reach the real Discord.
        # One process runs every shard: its one guild must never fall on a shard nobody runs.
        # The local fake sends its one guild at once: no need to wait 2 s for more.
        discord_settings = settings.discord.model_copy(
            update={
                "token": None,
                "dev_guild_ids": (),
                "shard_count": 0,
                "shard_ids": (),
                "guild_ready_timeout": LOCAL_GUILD_READY_TIMEOUT,
            }
        )
        self.settings = settings.model_copy(update={"discord": discord_settings})
        self.database = database
        self.out = out
        self.tz = tz
        self._make_bot = bot_factory or (
            lambda s, d: OversightBot(settings=s, database=d, sync="force")
        )
        self._token = secrets.token_urlsafe(24)
        self._stack = contextlib.AsyncExitStack()
        self._shown: list[Message] = []  # messages of earlier answers, newest last
        self._posted: set[int] = set()  # channel posts already printed
        self._saved: set[tuple[int, str]] = set()  # (message id, filename) already saved
        self._form: Form | None = None  # the form the bot opened, while it is being filled
        self._wrote = False  # a commit wrote change events since the last look at the outbox
        self.save_dir = save_dir or Path.cwd()
        self.files = FileHost()
        self.fake: FakeDiscord
        self.bot: OversightBot

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Console:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        self.fake = await self._stack.enter_async_context(
            FakeDiscord(token=self._token, bot_name="Oversight Desk", timeout=ANSWER_SECONDS)
        )
        self.guild = self.fake.add_guild("Console", guild_id=CONSOLE_GUILD_ID)
        pin_ids(self.guild)
        self.guild.owner.user.name = "console"  # the person at the keyboard; owner = every right
        await self.files.start()
        self._stack.push_async_callback(self.files.stop)
        self._stack.enter_context(self.fake.patched())
        # run_line prints violations after the answer; the fake's log line would repeat them.
        quiet = _DropViolations()
        logging.getLogger("fakediscord.fake").addFilter(quiet)
        self._stack.callback(logging.getLogger("fakediscord.fake").removeFilter, quiet)
        self.bot = self._make_bot(self.settings, self.database)
        # As bot.runner.run_bot: change posts and digests go out (the Congress.gov sync stays off:
        # the console reaches nothing outside this machine).
        self.dispatcher = Dispatcher(self.bot)
        self.scheduler = Scheduler(self.bot)
        self.bot.services += [self.dispatcher, self.scheduler]
        self.database.on_write(self._on_write)
        task = asyncio.create_task(self.bot.start(self._token))
        self._stack.push_async_callback(self._stop_bot, task)
        ready = asyncio.create_task(self._connected())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():  # the bot ended first: its exception says why
            ready.cancel()
            error = task.exception() if not task.cancelled() else None
            raise ConsoleStartError(f"the bot stopped while starting: {error!r}") from error
        try:
            ready.result()
        except AssertionError as error:  # the fake's "timed out waiting for …"
            raise ConsoleStartError(str(error)) from None

    async def _connected(self) -> None:
        await self.fake.wait_until_connected()
        await self.fake.wait_for_sync(scope="global")
        await self.bot.wait_until_ready()  # the dispatcher and scheduler run from here on

    async def _stop_bot(self, task: asyncio.Task[None]) -> None:
        await self.bot.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, 10)

    # --- lines -------------------------------------------------------------------------------

    @property
    def commands(self) -> list[Json]:
        """What Discord's client would offer here: global plus this guild's synced commands."""
        return [*self.fake.synced.get(None, []), *self.fake.synced.get(self.guild.id, [])]

    async def run_line(self, line: str) -> str:
        """The answer to one typed line, as text (errors included: they are answers too)."""
        line = line.strip()
        verb = line.split(maxsplit=1)[0].lower() if line else ""
        violations = len(self.fake.violations)
        form = self._form
        try:
            if self._form is not None and not line.startswith("/"):
                answer = await self._fill(line)
            elif line.startswith("/"):
                self._form = None  # a new command closes an open form, as in Discord
                invocation = parse_command(line, self.commands)
                answer = await self._command(invocation)
            elif verb in ("click", "select"):
                answer = await self._component(verb, line[len(verb) :])
            else:
                answer = HINT
            if self._form is not None and self._form is not form:  # just opened: first field
                answer = await self._next_field(answer)
        except LineError as error:
            answer = str(error)
        except (LookupError, ValueError, TypeError) as error:  # the fake disagrees with the parser
            answer = f"The console could not send this: {error}"
        except AssertionError as error:  # the fake's "no visible answer within …s"
            answer = f"No answer from the bot within {ANSWER_SECONDS:.0f} seconds ({error})."
        rejected = [
            f"! Discord would reject this: {v.rule}{f' at {v.path}' if v.path else ''}: {v.detail}"
            for v in self.fake.violations[violations:]
        ]
        return "\n".join([answer, *rejected])

    async def run(self, lines: AsyncIterator[str] | Iterable[str], *, echo: bool = True) -> int:
        """Answer each line in turn ('#' comments and blank lines skipped) until quit/exit."""
        async for raw in _aiter(lines):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower() in ("quit", "exit"):
                break
            if echo:
                print(f"> {line}", file=self.out)
            print(await self.run_line(line), end="\n\n", file=self.out, flush=True)
        await self._settle()
        await self.deliver()  # the change posts the last lines caused
        if late := self._new_posts():
            print(late, end="\n\n", file=self.out, flush=True)
        return 0

    # --- commands and forms --------------------------------------------------------------------

    async def _command(self, invocation: Invocation) -> str:
        values = {k: self._resolve(k, v) for k, v in invocation.values.items()}
        files = {k: v for k, v in values.items() if isinstance(v, LocalFile)}
        if files:
            fake, host, guild = self.fake, self.files, self.guild
            answer = await self._answer(
                lambda: slash_with_files(fake, host, guild, invocation.path, values)
            )
        else:
            answer = await self._answer(lambda: self.fake.slash(invocation.path, options=values))
        if self._form is not None and invocation.form:
            try:
                self._form.fill_named(invocation.form)
            except LineError as error:
                return f"{answer}\n{error}"
            return answer
        if invocation.form:
            return f"{answer}\n(no form opened: {', '.join(invocation.form)} not used)"
        return answer

    async def _fill(self, line: str) -> str:
        form = self._form
        assert form is not None
        if line.lower() == CANCEL:
            self._form = None
            return f"Form '{form.title}' closed: nothing was sent."
        try:
            form.fill_line(line)
        except LineError as error:
            field = form.current()
            return f"{error}\n{field.prompt() if field else ''}".rstrip()
        return await self._next_field("")

    async def _next_field(self, before: str) -> str:
        """Ask for the next field, or submit the filled form and show the bot's answer."""
        form = self._form
        assert form is not None
        field = form.current()
        if field is not None:
            return "\n".join(p for p in (before, field.prompt()) if p)
        self._form = None
        values, reply, fake = form.submitted(), form.reply, self.fake

        async def submit(**wait: Any) -> Reply:
            return await fake.submit_modal(reply, values=values, **wait)

        answer = await self._answer(lambda: self._component_reply(submit))
        return "\n".join(p for p in (before, answer) if p)

    # --- answers -----------------------------------------------------------------------------

    async def _answer(self, interact: Callable[[], Awaitable[Reply]]) -> str:
        reply = await interact()
        await self._settle()
        await self.deliver()
        shown = [m for m in (reply.message, *reply.followups) if m is not None]
        shown = [m for i, m in enumerate(shown) if m not in shown[:i] and not m.loading]
        self._shown += [m for m in shown if m not in self._shown]
        del self._shown[:-20]  # `click` looks back a few answers, not the whole session
        parts = [self._render(m) for m in shown]
        parts += [self._save_files(m) for m in shown]
        if reply.modal is not None:
            fields = fields_of(reply.modal)
            if fields:
                self._form = Form(reply.modal.get("title", ""), fields, reply)
                parts.append(self._form.intro())
            else:
                parts.append(render_modal(reply.modal))
        parts.append(self._new_posts())
        return "\n\n".join(p for p in parts if p) or "(the bot acknowledged but showed nothing)"

    def _render(self, message: Message) -> str:
        names = {c.id: f"#{c.name}" for c in self.guild.channels.values()}
        names |= {r.id: f"@{r.name}" for r in self.guild.roles.values()}
        names |= {m.id: f"@{m.name}" for m in self.guild.members.values()}
        payload = name_mentions(message.to_payload(), names)
        return render_message(payload, self.tz, self.database.clock.now())

    def _new_posts(self) -> str:
        """Channel posts not printed yet (change posts and digests come when they come)."""
        parts = []
        for key, message in list(self.fake.world.messages.items()):
            if message.source != "channel" or key in self._posted:
                continue
            self._posted.add(key)
            self._shown.append(message)
            channel = self.fake.world.channels.get(message.channel_id)
            name = channel.name if channel else message.channel_id
            text = self._render(message)
            saved = self._save_files(message)  # a digest's chart, say
            parts.append(f"(posted in #{name})\n{text}" + (f"\n\n{saved}" if saved else ""))
        return "\n\n".join(parts)

    def _save_files(self, message: Message) -> str:
        """Save what the bot attached (an export, a chart) and say where; each file once."""
        lines = []
        for filename, data in message.files.items():
            if (message.id, filename) in self._saved:
                continue
            self._saved.add((message.id, filename))
            try:
                where = save(self.save_dir, filename, data)
            except OSError as error:
                lines.append(f"Could not save {filename} in {self.save_dir}: {error.strerror}")
                continue
            lines.append(f"Saved {filename} ({len(data):,} bytes) to {where}")
        return "\n".join(lines)

    def _on_write(self) -> None:
        self._wrote = True  # may run off the loop's thread: a flag only

    async def deliver(self) -> None:
        """After a write, post its changes now (one dispatcher round, as the background one
        would a moment later), so they show with the answer that caused them."""
        if not self._wrote:
            return
        self._wrote = False
        try:
            await self.dispatcher.run_once()
        except Exception:  # the background round retries; the answer still shows
            logging.getLogger(__name__).warning("Could not post changes now", exc_info=True)
        await self._settle()

    async def _settle(self) -> None:
        """Wait until no request has arrived for QUIET_SECONDS (at most 2 s): late follow-ups."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2
        seen = -1
        while seen != len(self.fake.requests) and loop.time() < deadline:
            seen = len(self.fake.requests)
            await asyncio.sleep(QUIET_SECONDS)

    def _resolve(self, name: str, value: Any) -> Any:
        """A typed user/channel/role (id, mention or name) → the fake's member/channel/role."""
        if not isinstance(value, Mention):
            return value
        pools: list[dict[int, Any]] = []
        if value.kind in (6, 9):
            pools.append(self.guild.members)
        if value.kind in (8, 9):
            pools.append(self.guild.roles)
        if value.kind == 7:
            pools.append(self.guild.channels)
        for pool in pools:
            for key, thing in pool.items():
                if key == value.id or (value.id is None and thing.name == value.text):
                    return thing
        known = ", ".join(thing.name for pool in pools for thing in pool.values())
        raise LineError(f"Option '{name}': no '{value.text}' in this server. Known: {known}")

    # --- buttons and menus -------------------------------------------------------------------

    async def _component(self, verb: str, rest: str) -> str:
        words = [f"{w.name}:{w.text}" if w.name else w.text for w in split_words(rest)]
        live = [m for m in reversed(self._shown) if not m.deleted and m.components]
        if not live:
            return "There is nothing to click: the last answers have no buttons or menus."
        if verb == "click":
            if not words:
                return f"Click which button? {_buttons(live[0])}"
            wanted = " ".join(words)
            for message in live:
                buttons = _find(message, (2,))
                if found := pick_buttons(buttons, wanted):
                    if len(found) > 1:
                        labels = " ".join(f"[{button_label(b)}]" for b in found)
                        return f"'{wanted}' could be any of {labels}: type more of the label."
                    return await self._click(message, found[0])
            return f"No button '{wanted}'. {_buttons(live[0])}"
        return await self._select(live, words)

    async def _click(self, message: Message, button: Json) -> str:
        label = button_label(button)
        if button.get("url"):
            return f"[{label}] opens {button['url']} in a browser."
        if button.get("disabled"):
            return f"The button [{label}] is disabled."
        fake, custom_id = self.fake, button["custom_id"]
        return await self._answer(lambda: self._component_reply(fake.click, message, custom_id))

    async def _select(self, live: list[Message], words: list[str]) -> str:
        menus = [(m, s) for m in live for s in _find(m, (3, 5, 6, 7, 8))]
        if not menus:
            return "There is no menu on the last answers."
        key = words[0].lower() if words else ""
        named = [
            (m, s)
            for m, s in menus
            if key in (s.get("custom_id", "").lower(), (s.get("placeholder") or "").lower())
        ]
        latest = [(m, s) for m, s in menus if m is live[0]]
        if named:
            (message, menu), values = named[0], words[1:]
        elif len(latest) == 1:  # one menu on the newest message: `select <value>` is enough
            (message, menu), values = latest[0], words
        else:
            listed = ", ".join(s.get("custom_id", "?") for _, s in menus)
            return f"Which menu? select <menu> <value>; menus: {listed}"
        if not values:
            now = self.database.clock.now()
            return f"Select what? {render_message({'components': [menu]}, self.tz, now)}"
        try:
            chosen = [self._menu_value(menu, value) for value in values]
        except LineError as error:
            return str(error)
        fake = self.fake
        return await self._answer(
            lambda: self._component_reply(fake.select, message, menu["custom_id"], chosen)
        )

    def _menu_value(self, menu: Json, text: str) -> Any:
        if menu.get("type") != 3:
            kind = {5: 6, 6: 8, 7: 9, 8: 7}[menu["type"]]  # select type → option type
            name = menu.get("custom_id", "menu")
            return self._resolve(name, convert({"name": name, "type": kind}, text))
        for option in menu.get("options") or []:
            if text.lower() in (option["value"].lower(), option.get("label", "").lower()):
                return option["value"]
        offered = " | ".join(o.get("label", o["value"]) for o in menu.get("options") or [])
        raise LineError(f"The menu offers: {offered} (not '{text}')")

    async def _component_reply(self, action: Callable[..., Any], *args: Any) -> Reply:
        """Components may answer without anything new to see (a bare acknowledgement)."""
        reply: Reply = await action(*args, wait="callback")
        if reply.type == 5:  # "thinking…": the real answer follows
            await self.fake.wait_until(lambda: reply.visible, ANSWER_SECONDS, "the answer")
        return reply


class _DropViolations(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("fake discord violation")


def _find(message: Message, kinds: tuple[int, ...]) -> list[Json]:
    return [c for c in walk(message.components) if c.get("type") in kinds and c.get("custom_id")]


def _buttons(message: Message) -> str:
    labels = [f"[{button_label(b)}]" for b in walk(message.components) if b.get("type") == 2]
    return f"Buttons: {' '.join(labels)}" if labels else "The last answer has no buttons."


async def _aiter(lines: AsyncIterator[str] | Iterable[str]) -> AsyncIterator[str]:
    if hasattr(lines, "__aiter__"):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


async def read_lines(stdin: TextIO, out: TextIO, prompt: str | None) -> AsyncGenerator[str, None]:
    """Lines from `stdin` read on a daemon thread, so the bot keeps its heartbeat while a person
    thinks (and a blocked read never holds up exit); SIGINT/SIGTERM end the input like EOF."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        try:
            for line in iter(stdin.readline, ""):
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):  # closed or unreadable stdin: treat as the end
            pass
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="console-stdin", daemon=True).start()
    signals = (signal.SIGINT, signal.SIGTERM)
    handled = []
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, queue.put_nowait, None)
            handled.append(sig)
    try:
        while True:
            if prompt:
                out.write(prompt)
                out.flush()
            line = await queue.get()
            if line is None:
                if prompt:
                    out.write("\n")  # leave the shell's prompt on a fresh line
                return
            yield line
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


async def console_main(
    settings: Settings,
    database: Database,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    save_dir: Path | None = None,
) -> int:
    """The banner, then answers to what is typed (a TTY: with a prompt) or piped in.

    stdin/out default to sys.stdin/sys.stdout at call time (not import time), so capture works."""
    stdin, out = stdin or sys.stdin, out or sys.stdout
    folder = save_dir or Path.cwd()
    banner = BANNER.format(zone=settings.bot.timezone, folder=folder)
    print(banner, end="\n\n", file=out, flush=True)
    interactive = stdin.isatty()
    try:
        async with Console(
            settings, database, out=out, tz=settings.bot.tz, save_dir=folder
        ) as console:
            lines = read_lines(stdin, out, "oversight> " if interactive else None)
            try:
                return await console.run(lines, echo=not interactive)
            finally:
                await lines.aclose()
    except ConsoleStartError as error:
        print(f"The console could not start the bot: {error}", file=sys.stderr)
        return 1
