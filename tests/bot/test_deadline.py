"""Discord's 3-second acknowledgement, kept under load (bot/deadline.py) end to end.

The commands of tests/bot/slow_cog.py are slow on purpose; most wait on a gate the test opens
only after it has seen the interaction acknowledged, so that acknowledgement can only be the
watchdog's. The fake judges the deadline itself: a first callback more than 3 s after dispatch is
refused and recorded as a violation, and so is a second callback; the autouse check in
tests/conftest.py fails any test whose fake saw one.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest

import fakediscord.interactions
from bot import deadline
from bot import views as views_module
from bot.admission import WAITS_FOR_PERSON, Admission
from bot.client import OversightBot
from bot.config import Settings
from db.engine import Database
from fakediscord import FakeDiscord, Reply
from tests.conftest import Office, running
from tests.support.replies import buttons

ANSWER, DEFERRED, DEFERRED_UPDATE, MODAL = 4, 5, 6, 9
CALLBACKS = "POST /interactions/*/*/callback"
QUICK = 0.5  # seconds: the watchdog's moment in tests that need not wait the real 2
QUEUED = 1.5  # seconds an interaction waited before it reached the bot


@pytest.fixture
async def slow_bot(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> AsyncIterator[OversightBot]:
    """The real bot with the slow test commands."""
    client = OversightBot(settings=settings, database=bot_db, extensions=["tests.bot.slow_cog"])
    async with running(fake, client):
        yield client


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog defers QUICK seconds after creation instead of 2 (Discord's rule stays 3)."""
    monkeypatch.setattr(deadline, "ACK_AFTER", QUICK)


def gate(bot: OversightBot) -> asyncio.Event:
    """The slow commands' gate (the extension is its own copy of the module: no isinstance)."""
    cog: Any = bot.get_cog("Slow")
    assert cog is not None
    gate: asyncio.Event = cog.gate
    return gate


def callbacks(fake: FakeDiscord, reply: Reply) -> int:
    """How many acknowledgements the bot sent for this interaction."""
    return sum(
        1 for r in fake.requests if r.method == "POST" and f"/interactions/{reply.id}/" in r.path
    )


async def shown(fake: FakeDiscord, reply: Reply) -> None:
    await fake.wait_until(lambda: reply.shown_at is not None, what=f"an answer: {reply.describe()}")


def assert_deferred_then_answered(fake: FakeDiscord, reply: Reply) -> None:
    """One acknowledgement, a defer, accepted; the answer came after it, in its place."""
    assert reply.type == DEFERRED, reply.describe()
    assert reply.rejected == [], reply.describe()
    assert callbacks(fake, reply) == 1
    assert reply.answered_at is not None and reply.shown_at is not None
    assert reply.answered_at < reply.shown_at
    assert reply.message is not None and not reply.message.loading


# ---------------------------------------------------------------- late answers


async def test_a_slow_command_is_deferred_in_time_and_answered_late(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot
) -> None:
    """Production timing: the command waits for the test, so the acknowledgement is the
    watchdog's: a private "thinking" within Discord's 3 seconds, then the answer replaces it."""
    reply = await fake.slash("slow answer", user=office.staffer, wait="callback")
    assert reply.type == DEFERRED and reply.rejected == [], reply.describe()
    assert reply.message is not None and reply.message.loading and reply.ephemeral
    assert reply.shown_at is None  # thinking: nothing to read yet
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == "Here is the slow answer."
    assert reply.ephemeral
    assert_deferred_then_answered(fake, reply)


async def test_share_true_is_deferred_publicly(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """share:true: the channel sees the thinking and then the answer (a deferred reply keeps the
    defer's visibility, so the watchdog defers as the command will answer)."""
    reply = await fake.slash("slow answer", share=True, user=office.staffer, wait="callback")
    assert reply.message is not None and not reply.message.ephemeral
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == "Here is the slow answer."
    assert not reply.ephemeral
    assert_deferred_then_answered(fake, reply)


async def test_a_command_that_defers_itself_after_the_watchdog_still_answers(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """Commands that defer first thing (/approps, /calendar export) find it already done: no
    'already acknowledged' error, and their follow-up is the answer."""
    reply = await fake.slash("slow defer", user=office.staffer, wait="callback")
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == "Deferred, then answered."
    assert_deferred_then_answered(fake, reply)


async def test_an_error_after_the_watchdog_deferred_is_the_answer(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """A user error raised after the defer still reaches the user, privately, in its place."""
    reply = await fake.slash("slow fail", user=office.staffer, wait="callback")
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == "That record does not exist. Pick one from the list."
    assert reply.ephemeral
    assert_deferred_then_answered(fake, reply)


async def test_a_fast_command_is_not_deferred(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """An answer before the watchdog's moment is the one acknowledgement; no defer follows."""
    gate(slow_bot).set()
    reply = await fake.slash("slow answer", user=office.staffer)
    assert (reply.type, reply.content) == (ANSWER, "Here is the slow answer.")
    # A second command that answers after its own moment: by then the first's moment has passed.
    later = await fake.slash("slow at", offset=0.2, user=office.staffer)
    assert (later.type, later.content) == (DEFERRED, "Answered at the deadline.")
    assert callbacks(fake, reply) == 1


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Callable[[Reply], None]:
    """The next interaction was created QUEUED seconds before it reached the bot, as when
    Discord's gateway or the bot's event loop is backed up: its id (Discord's creation time)
    and the time the fake judges its deadline from are both moved back."""
    made = fakediscord.interactions.snowflake

    def aged() -> int:
        return made() - (int(QUEUED * 1000) << 22)

    monkeypatch.setattr(fakediscord.interactions, "snowflake", aged)

    def created_earlier(reply: Reply) -> None:
        reply.dispatched_at -= QUEUED
        monkeypatch.setattr(fakediscord.interactions, "snowflake", made)

    return created_earlier


async def test_time_spent_queued_counts_toward_the_deadline(
    fake: FakeDiscord,
    office: Office,
    slow_bot: OversightBot,
    queued: Callable[[Reply], None],
) -> None:
    """An interaction that reaches the bot 1.5 s after Discord created it is deferred by 2 s
    after creation: counting from its arrival would acknowledge it 3.5 s after creation, which
    Discord (and the fake) refuses."""
    reply = await fake.slash("slow answer", user=office.staffer, wait="none")
    queued(reply)
    await fake.wait_until(lambda: reply.type is not None or bool(reply.rejected), what="a defer")
    assert reply.type == DEFERRED and reply.rejected == [], reply.describe()
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == "Here is the slow answer."
    assert_deferred_then_answered(fake, reply)


# ---------------------------------------------------------------- races at the deadline


async def test_an_answer_while_the_watchdog_defers_becomes_the_follow_up(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """The watchdog's defer is on the wire (the fake holds it 0.5 s) when the command answers:
    the answer waits for it and follows it; one acknowledgement, no 'already acknowledged'."""
    fake.slow(CALLBACKS, 0.5, times=1)
    reply = await fake.slash("slow at", offset=0.1, user=office.staffer)
    await shown(fake, reply)
    assert reply.content == "Answered at the deadline."
    assert_deferred_then_answered(fake, reply)


async def test_the_watchdog_stands_down_while_the_answer_is_on_the_wire(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """The command's answer is on the wire (held 0.5 s) when the watchdog's moment comes: the
    watchdog waits for it and sends nothing; the answer is the one acknowledgement."""
    fake.slow(CALLBACKS, 0.5, times=1)
    reply = await fake.slash("slow at", offset=-0.1, user=office.staffer)
    assert (reply.type, reply.content) == (ANSWER, "Answered at the deadline.")
    assert reply.rejected == []
    assert callbacks(fake, reply) == 1


# ---------------------------------------------------------------- forms and buttons


async def test_a_command_marked_as_opening_a_form_is_not_deferred(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """A modal can only be a first answer: the marked command opens its form after the moment
    the watchdog would have deferred it."""
    reply = await fake.slash("slow form", user=office.staffer, wait="callback")
    assert reply.type == MODAL, reply.describe()
    assert reply.modal is not None and reply.modal["title"] == "A form"
    assert callbacks(fake, reply) == 1


async def test_an_unmarked_form_after_a_defer_asks_to_run_the_command_again(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """A form that can no longer open says so privately instead of failing silently."""
    reply = await fake.slash("slow late-form", user=office.staffer, wait="callback")
    gate(slow_bot).set()
    await shown(fake, reply)
    assert reply.content == (
        "I was too slow to open the form this time. Run /slow late-form again to open it."
    )
    assert reply.ephemeral
    assert_deferred_then_answered(fake, reply)


async def test_a_slow_page_turn_is_acknowledged_then_shown(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """▶ on a page that renders slowly: a silent update in time, then the page replaces the
    first one on the same message, buttons moved on."""
    reply = await fake.slash("slow pages", user=office.staffer)
    assert reply.embeds[0]["title"] == "Page 1"
    click = await fake.click(reply, "page:next", wait="callback")
    assert click.type == DEFERRED_UPDATE and click.rejected == [], click.describe()
    gate(slow_bot).set()
    await fake.wait_until(lambda: click.original_edits > 0, what="the page to turn")
    assert reply.embeds[0]["title"] == "Page 2"
    assert buttons(reply)["page:at"]["label"] == "2 / 3"
    assert callbacks(fake, click) == 1


# ---------------------------------------------------------------- autocompletes past the deadline


def cog_of(bot: OversightBot) -> Any:
    cog = bot.get_cog("Slow")
    assert cog is not None
    return cog


async def test_an_autocomplete_already_too_late_is_not_computed(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An autocomplete created 2.8 s before it reaches the bot cannot be answered within
    Discord's 3 s and cannot be deferred: the bot skips it (no callback, its code never runs)
    and answers the next, fresh one as usual."""
    made = fakediscord.interactions.snowflake
    monkeypatch.setattr(fakediscord.interactions, "snowflake", lambda: made() - (2800 << 22))
    late = await fake.autocomplete_reply(
        "slow pick", focused="what", value="x", user=office.staffer, wait="none"
    )
    monkeypatch.setattr(fakediscord.interactions, "snowflake", made)
    fresh = await fake.autocomplete_reply(
        "slow pick", focused="what", value="y", user=office.staffer
    )
    assert fresh.choices == [{"name": "y one", "value": "one"}]
    # The fresh one was dispatched after the late one on the same gateway, so the bot has seen both.
    assert callbacks(fake, late) == 0 and late.type is None, late.describe()
    assert cog_of(slow_bot).suggested == 1


# ---------------------------------------------------------------- admission: slots for commands


async def test_commands_past_the_slots_wait_their_turn_deferred_in_time(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """With one slot, a second command waits while the first holds it: the watchdog defers it in
    time and it answers once the first is done. An autocomplete meanwhile is not held."""
    slow_bot.tree.admission = Admission(1)
    first = await fake.slash("slow answer", user=office.staffer, wait="none")
    second = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    choices = await fake.autocomplete("slow pick", focused="what", value="z", user=office.staffer)
    assert choices == [{"name": "z one", "value": "one"}]
    await fake.wait_until(lambda: second.type == DEFERRED, what="the waiting command deferred")
    assert second.shown_at is None  # still waiting for the slot
    gate(slow_bot).set()
    for reply in (first, second):
        await shown(fake, reply)
        assert_deferred_then_answered(fake, reply)
    assert second.content == "Answered at the deadline."


async def test_a_congested_line_answers_new_commands_first_and_deferred_ones_after(
    fake: FakeDiscord,
    office: Office,
    slow_bot: OversightBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One slot, held. A command waits until the watchdog defers it (owed); two more arrive
    (due) and the line counts as congested at once: when the slot frees, the newest due one is
    answered first, then the other, each directly (no defer), then the deferred one."""
    monkeypatch.setattr(deadline, "ACK_AFTER", 1.0)
    slow_bot.tree.admission = admission = Admission(1, congested_after=0.0)
    holder = await fake.slash("slow answer", user=office.staffer, wait="none")
    owed = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    await fake.wait_until(lambda: owed.type == DEFERRED, what="the waiting command deferred")
    first = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    second = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    await fake.wait_until(lambda: admission.waiting == 3, what="three commands in line")
    gate(slow_bot).set()
    for reply in (holder, owed, first, second):
        await shown(fake, reply)
    assert (first.type, second.type) == (ANSWER, ANSWER), (first.describe(), second.describe())
    assert_deferred_then_answered(fake, owed)
    assert second.shown_at is not None and first.shown_at is not None and owed.shown_at
    assert second.shown_at < first.shown_at < owed.shown_at


async def test_a_short_line_answers_in_arrival_order(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot
) -> None:
    """One slot, held; two commands wait briefly (not congested): served first come, first
    served, both answered directly."""
    slow_bot.tree.admission = admission = Admission(1)
    holder = await fake.slash("slow answer", user=office.staffer, wait="none")
    first = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    second = await fake.slash("slow at", offset=-2.0, user=office.staffer, wait="none")
    await fake.wait_until(lambda: admission.waiting == 2, what="two commands in line")
    gate(slow_bot).set()
    for reply in (holder, first, second):
        await shown(fake, reply)
    assert (first.type, second.type) == (ANSWER, ANSWER)
    assert first.shown_at is not None and second.shown_at is not None
    assert first.shown_at < second.shown_at


async def test_a_command_waiting_for_a_person_holds_no_slot(
    fake: FakeDiscord, office: Office, slow_bot: OversightBot, quick: None
) -> None:
    """A confirmation prompt waiting for its click (marked waits_for_person) leaves the one slot
    free: the next command answers at once, not deferred."""
    slow_bot.tree.admission = Admission(1)
    prompt = await fake.slash("slow prompt", user=office.staffer)
    assert prompt.content == "Sure?"
    answer = await fake.slash("slow at", offset=-2.0, user=office.staffer)
    assert answer.type == ANSWER and answer.content == "Answered at the deadline."
    gate(slow_bot).set()
    await fake.wait_until(lambda: prompt.content == "Confirmed.", what="the prompt's outcome")


async def test_the_admin_commands_that_ask_for_confirmation_are_marked(
    slow_bot: OversightBot,
) -> None:
    """/admin delete and /admin import wait for a Confirm click: they hold no slot."""
    admin = slow_bot.tree.get_command("admin")
    assert isinstance(admin, discord.app_commands.Group)
    for name in ("delete", "import"):
        command = admin.get_command(name)
        assert command is not None and command.extras.get(WAITS_FOR_PERSON), name


async def test_a_page_view_expiring_after_the_bot_closed_stays_quiet(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A paginator whose timeout comes after the bot closed does not try to edit its message
    with a closed HTTP session (it raised 'Session is closed', an error nobody retrieved)."""
    monkeypatch.setattr(views_module, "PAGE_TIMEOUT", 0.3)
    errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        client = OversightBot(settings=settings, database=bot_db, extensions=["tests.bot.slow_cog"])
        async with running(fake, client):
            reply = await fake.slash("slow pages", user=office.staffer)
            assert "page:next" in buttons(reply)
        await asyncio.sleep(0.6)  # the view's timeout fires after the close
        gc.collect()  # an error nobody retrieved is reported when its task is collected
    finally:
        loop.set_exception_handler(previous)
    assert [str(e.get("exception") or e.get("message")) for e in errors] == []
