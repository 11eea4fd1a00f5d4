"""README.md's examples, run in the offline console (issue 13: "the README's examples are true in
the console"). The examples are read from README.md itself, so the two cannot drift:

- each `oversight> ` line of a fenced block, and each line of a fenced block that is not a
  shell session and starts with a slash command: one console session per block, lines in order
  (`click next` presses a button of the answer before it). Lines under a command up to the next
  one are the answer README quotes; their first line must appear in the answer;
- each inline code span that is a whole command (`/track list`, `/admin import ./records.csv`),
  in one session, in README's order;
- the lines of the piped example (`printf '/about\\n/help\\n' | … bot console`), piped into the
  console's main loop.

Each session runs on a fresh copy of the starter dataset (SQLite) with the fixed clock, in a
folder of its own holding the one file README's examples name (`./records.csv`). An example must
get a real answer: no console refusal (unknown command, bad option), no error from the bot (its
tree's error handler or option check), nothing Discord would reject, no ERROR logged, and no
"No … matches" / "No record for '…'". A failure names README's line and the example.

Inline spans that only name a command (`/digest set`) or show its syntax
(`/bodycam city <city> [as_of]`, `/digest show|off|preview`) are checked against the commands the
bot registers: each exists, and `<x>` / `[x]` are its required / optional options.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import OversightBot
from bot.config import Settings
from bot.console.app import Console, console_main
from bot.console.parse import LineError, parse_command
from db.engine import Database

README = Path(__file__).resolve().parents[2] / "README.md"
PROMPT = "oversight> "
SHELL_FENCES = ("sh", "bash", "shell", "console", "toml", "json", "csv")
PLACEHOLDER = re.compile(r"[<\[|…]")
INLINE_COMMAND = re.compile(r"`(/[a-z][^`]*)`")
FENCED_COMMAND = re.compile(r"/[a-z][a-z-]*(?:\s|$)")
PIPED = re.compile(r"`printf '((?:[^'\\]|\\.)*)' \| [^`]*\bbot console`")
# The file README's import example names; the session's folder holds this one-record CSV.
RECORDS_CSV = (
    "kind,city,state,component,status,as_of\nbodycam,Denver,CO,ICE-ERO,announced,2026-11-20\n"
)

# What the console answers instead of sending a command (bot/console/parse.py, app.py).
CONSOLE_REFUSALS = (
    "Unknown command",
    "Missing required",
    "has no option",
    "Too many values",
    "Missing closing quote",
    "A command starts with",
    "No button",
    "There is nothing to click",
    "There is no menu",
    "The console could not",
    "No answer from the bot",
    "Option '",
    "Type a slash command",
    "(the bot acknowledged but showed nothing)",
)
# "No bill matches '99999'", "No record for 'Atlantis'", "No record matches “zzz”": a line of its
# own saying nothing was found for what was typed ("No FY2027 funding recorded; …" is an answer).
NOTHING_FOUND = re.compile(r"^No [^\n]*?(\bmatch|['‘“])[^\n]*", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    line: int  # README.md's line number
    command: str  # as typed in the console
    quoted: str | None = None  # the first line of the answer README shows under it

    def __str__(self) -> str:
        return f"README.md:{self.line}: `{self.command}`"


@dataclass
class Session:
    """Examples that run in one console, in order."""

    name: str
    examples: list[Example] = field(default_factory=list)


# ---------------------------------------------------------------- reading README.md


def fenced_sessions(markdown: str) -> list[Session]:
    """One session per fenced block holding commands (`oversight> …` or `/command …` lines);
    the lines after a command, up to the next, are the answer README shows for it."""
    sessions: list[Session] = []
    current: Session | None = None
    fence: str | None = None  # the open block's language, "" for none
    answer: list[str] = []

    def close_answer() -> None:
        if current is not None and current.examples and answer:
            last = current.examples[-1]
            quoted = next((line.strip() for line in answer if line.strip()), None)
            current.examples[-1] = Example(last.line, last.command, quoted)
        answer.clear()

    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            if fence is None:
                fence = line.strip().removeprefix("```").strip().lower()
                current = Session(f"block at README.md:{number}")
            else:
                close_answer()
                if current is not None and current.examples:
                    sessions.append(current)
                fence, current = None, None
            continue
        if fence is None or current is None:
            continue
        command = line.removeprefix(PROMPT) if line.startswith(PROMPT) else None
        if command is None and fence not in SHELL_FENCES and FENCED_COMMAND.match(line):
            command = line  # a Discord-style block: the command as typed, its answer under it
        if command is not None:
            close_answer()
            current.examples.append(Example(number, command.strip()))
        elif current.examples:
            answer.append(line)
    return sessions


def inline_spans(markdown: str) -> list[Example]:
    """Every inline code span starting with a slash, outside fenced blocks."""
    spans: list[Example] = []
    fenced = False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            spans += [Example(number, found) for found in INLINE_COMMAND.findall(line)]
    return spans


def piped_lines(markdown: str) -> list[Example]:
    """The lines the piped example sends to the console."""
    found = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        for script in PIPED.findall(line):
            lines = script.encode().decode("unicode_escape").splitlines()
            found += [Example(number, typed) for typed in lines if typed.strip()]
    return found


MARKDOWN = README.read_text(encoding="utf-8")


# ---------------------------------------------------------------- judging an answer


@dataclass
class Watched:
    """What the bot did wrong while the console ran: error answers and refused options."""

    errors: list[str] = field(default_factory=list)


def watching(watched: Watched) -> Callable[[Settings, Database], OversightBot]:
    """The console's bot, with its tree's error handler and option check recording what they
    refuse (they still answer as always)."""

    def make(settings: Settings, database: Database) -> OversightBot:
        bot = OversightBot(settings=settings, database=database, sync="force")
        tree = bot.tree
        on_error, check = tree.on_error, tree.interaction_check

        async def recorded_error(
            interaction: discord.Interaction[Any], error: app_commands.AppCommandError
        ) -> None:
            original = getattr(error, "original", error)
            watched.errors.append(f"the bot answered with an error ({type(original).__name__})")
            await on_error(interaction, error)

        async def recorded_check(interaction: discord.Interaction[Any]) -> bool:
            allowed = await check(interaction)
            if not allowed:
                watched.errors.append("the bot refused the options sent")
            return allowed

        tree.on_error = recorded_error  # type: ignore[method-assign]
        tree.interaction_check = recorded_check  # type: ignore[method-assign]
        return bot

    return make


def problems(example: Example, answer: str, errors: list[str], logged: list[str]) -> list[str]:
    """What is wrong with `answer` as README's example of a working command (none: it is)."""
    found = list(errors) + [f"logged an error: {message}" for message in logged]
    if answer.startswith(CONSOLE_REFUSALS):
        found.append("the console refused it")
    if "! Discord would reject" in answer:
        found.append("Discord would reject the answer")
    if (nothing := NOTHING_FOUND.search(answer)) is not None:
        found.append(f"nothing found: “{nothing[0]}”")
    if example.quoted is not None and example.quoted not in answer:
        found.append(f"README shows the answer starting {example.quoted!r}; it does not")
    return found


def report(failures: list[str]) -> str:
    return "README.md examples that are not true in the console:\n" + "\n\n".join(failures)


def failure(example: Example, found: list[str], answer: str) -> str:
    shown = "\n      ".join(answer.splitlines()[:6])
    return f"- {example}: {'; '.join(found)}\n    answer:\n      {shown}"


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The console's current folder: README's ./records.csv is here; saved files go here."""
    (tmp_path / "records.csv").write_text(RECORDS_CSV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
async def console_and_errors(
    bot_db: Database, settings: Settings, workdir: Path
) -> AsyncIterator[tuple[Console, Watched]]:
    watched = Watched()
    async with Console(
        settings,
        bot_db,
        out=io.StringIO(),
        tz=settings.bot.tz,
        bot_factory=watching(watched),
        save_dir=workdir,
    ) as console:
        yield console, watched


async def run_examples(
    console: Console, watched: Watched, error_log: ErrorLog, examples: list[Example]
) -> tuple[dict[Example, str], list[str]]:
    """Each example's answer, and what was wrong with each that failed."""
    answers: dict[Example, str] = {}
    failures: list[str] = []
    for example in examples:
        errors, logged = len(watched.errors), len(error_log.messages)
        answer = await console.run_line(example.command)
        answers[example] = answer
        found = problems(example, answer, watched.errors[errors:], error_log.messages[logged:])
        if found:
            failures.append(failure(example, found, answer))
    return answers, failures


# ---------------------------------------------------------------- the examples


def test_readme_has_examples_to_check() -> None:
    """The reading finds README's console block, inline commands and piped lines (a README
    rewritten into another form would otherwise pass with nothing checked)."""
    blocks = fenced_sessions(MARKDOWN)
    assert blocks and sum(len(block.examples) for block in blocks) >= 5
    assert [e.command for e in piped_lines(MARKDOWN)] == ["/about", "/help"]
    assert any(e.command == "/admin import ./records.csv" for e in inline_spans(MARKDOWN))


@pytest.mark.parametrize("session", fenced_sessions(MARKDOWN), ids=lambda s: s.name)
async def test_readme_console_block_is_true(
    session: Session,
    console_and_errors: tuple[Console, Watched],
    error_log: ErrorLog,
    workdir: Path,
) -> None:
    """Each command of README's console block gets a real answer (and the answer README shows,
    where it shows one). What README says about them holds too: an edit of something the
    channel follows is shown as `(posted in #general)` under its answer; an export is saved
    in the current folder and the answer says where."""
    console, watched = console_and_errors
    answers, failures = await run_examples(console, watched, error_log, session.examples)
    failures += prose_claims(answers, workdir)
    assert not failures, report(failures)


def prose_claims(answers: dict[Example, str], folder: Path) -> list[str]:
    """What README's prose says of its block's answers: a camera record set after `/track add`
    shows its change post under the answer; an export is saved in the current folder and the
    answer says where. (The first edit only: the dispatcher posts at most once a second in a
    channel, so a second edit's post may come under a later answer when lines are piped.)"""
    failures = []
    tracking = False
    for example, answer in answers.items():
        tracking = tracking or example.command.startswith("/track add")
        posted = "\n\n(posted in #general)\n" in answer
        if tracking and example.command.startswith("/admin bodycam set") and not posted:
            failures.append(failure(example, ["no '(posted in #general)' under it"], answer))
        saved = "\nSaved oversight-desk-" in answer and f" to {folder}" in answer
        if example.command.startswith("/admin export") and not saved:
            failures.append(failure(example, ["no file saved in the current folder"], answer))
    return failures


async def test_readme_inline_commands_are_true(
    console_and_errors: tuple[Console, Watched], error_log: ErrorLog
) -> None:
    """Each inline span that is a whole command (`/about`, `/track list`, `/admin import
    ./records.csv`) gets a real answer; spans that only name a command or show its syntax are
    for the next test."""
    console, watched = console_and_errors
    runnable = []
    for span in inline_spans(MARKDOWN):
        if PLACEHOLDER.search(span.command):
            continue
        try:
            parse_command(span.command, console.commands)
        except LineError as error:
            if "Missing required option" in str(error) or "needs a subcommand" in str(error):
                continue  # names a command: checked by the next test
        runnable.append(span)
    assert len(runnable) >= 3, runnable
    _answers, failures = await run_examples(console, watched, error_log, runnable)
    assert not failures, report(failures)


async def test_readme_piped_example_is_true(
    bot_db: Database, settings: Settings, workdir: Path, error_log: ErrorLog
) -> None:
    """The lines README pipes into the console are each echoed and really answered."""
    examples = piped_lines(MARKDOWN)
    out = io.StringIO()
    stdin = io.StringIO("".join(f"{e.command}\n" for e in examples))
    assert await console_main(settings, bot_db, stdin=stdin, out=out, save_dir=workdir) == 0
    transcript = out.getvalue()
    failures = []
    for example, following in zip(examples, [*examples[1:], None], strict=True):
        echo = f"\n> {example.command}\n"
        if echo not in transcript:
            failures.append(failure(example, ["not echoed in the transcript"], transcript))
            continue
        answer = transcript.split(echo, 1)[1]
        if following is not None:
            answer = answer.split(f"\n> {following.command}\n", 1)[0]
        found = problems(example, answer.strip(), [], error_log.messages)
        if found:
            failures.append(failure(example, found, answer.strip()))
    assert not failures, report(failures)


# ---------------------------------------------------------------- commands named and their syntax


def command_node(commands: list[dict[str, Any]], path: list[str]) -> dict[str, Any] | None:
    """The synced command, group or subcommand at `path` (its JSON), or None."""
    nodes = [c for c in commands if c.get("type", 1) == 1]
    node = None
    for word in path:
        node = next((n for n in nodes if n["name"] == word), None)
        if node is None:
            return None
        nodes = [o for o in node.get("options") or [] if o.get("type") in (1, 2)]
    return node


def syntax_problems(span: str, commands: list[dict[str, Any]]) -> list[str]:
    """`/a b|c <x> [y]`: each path exists; <x> is a required option, [y] an optional one, and
    no required option is left out."""
    words = span.removeprefix("/").split()
    path = [w for w in words if not w.startswith(("<", "["))]
    shown = {w.strip("<>[]"): w.startswith("<") for w in words if w.startswith(("<", "["))}
    found = []
    for last in path[-1].split("|"):
        name = "/" + " ".join([*path[:-1], last])
        node = command_node(commands, [*path[:-1], last])
        if node is None:
            found.append(f"{name} is not a command")
            continue
        options = {
            o["name"]: bool(o.get("required"))
            for o in node.get("options") or []
            if o.get("type") not in (1, 2)
        }
        for option, required in shown.items():
            if option not in options:
                found.append(f"{name} has no option '{option}'")
            elif options[option] != required:
                found.append(
                    f"{name}: '{option}' is {'required' if options[option] else 'optional'}"
                )
        if shown:
            left_out = [o for o, required in options.items() if required and o not in shown]
            found += [f"{name}: the required '{o}' is not shown" for o in left_out]
    return found


async def test_commands_readme_names_exist_as_shown(
    console_and_errors: tuple[Console, Watched],
) -> None:
    """Every command README names exists; where README shows options, they are the command's,
    required ones in <angle brackets>, optional ones in [square brackets]."""
    console, _watched = console_and_errors
    commands = console.commands
    failures = []
    for span in inline_spans(MARKDOWN):
        if PLACEHOLDER.search(span.command):
            found = syntax_problems(span.command, commands)
        else:
            words = span.command.removeprefix("/").split()
            # A path, or a whole example: the longest run of words naming a command.
            named = any(command_node(commands, words[:n]) for n in range(len(words), 0, -1))
            found = [] if named else [f"{span.command} names no command"]
        failures += [f"- {span}: {problem}" for problem in found]
    assert not failures, "README.md names commands the bot does not have:\n" + "\n".join(failures)


# ---------------------------------------------------------------- the checks can fail

FALSE_README = """\
Try it:

```
oversight> /bodycam city Atlantis
oversight> /about
Oversight Desk has no records
oversight> /bodycam town Minneapolis
oversight> /help

  Commands: Looking things up
```

And `/oversight show oq99`, `/about`, or `/bodycam city <town> [when]`.
"""


async def test_a_false_example_fails_and_is_named(
    console_and_errors: tuple[Console, Watched], error_log: ErrorLog
) -> None:
    """A README with false examples: each is reported with its line and what is wrong (a city
    with no record, a quoted answer that is not the answer, an unknown command, a question that
    does not exist, options the command does not have); a true one with its answer is not."""
    console, watched = console_and_errors
    (block,) = fenced_sessions(FALSE_README)
    assert [(e.line, e.command, e.quoted) for e in block.examples] == [
        (4, "/bodycam city Atlantis", None),
        (5, "/about", "Oversight Desk has no records"),
        (7, "/bodycam town Minneapolis", None),
        (8, "/help", "Commands: Looking things up"),  # true: not reported
    ]
    _answers, failures = await run_examples(console, watched, error_log, block.examples)
    assert len(failures) == 3
    assert failures[0].startswith(
        "- README.md:4: `/bodycam city Atlantis`: the bot answered with an error (NotFound); "
        "nothing found: “No record for 'Atlantis', and no known city is close to it."
    )
    assert "README shows the answer starting 'Oversight Desk has no records'" in failures[1]
    assert failures[2].startswith("- README.md:7: `/bodycam town Minneapolis`: the console")
    inline = [e for e in inline_spans(FALSE_README) if not PLACEHOLDER.search(e.command)]
    _answers, failures = await run_examples(console, watched, error_log, inline)
    assert len(failures) == 1
    assert "README.md:13: `/oversight show oq99`: the bot answered with an error (" in failures[0]
    assert syntax_problems("/bodycam city <town> [when]", console.commands) == [
        "/bodycam city has no option 'town'",
        "/bodycam city has no option 'when'",
        "/bodycam city: the required 'city' is not shown",
    ]
