"""bot.answers: the cache's keys, bound and single build; Answer's pages; and the paginator,
which marks "page N of M" on a copy so neither a page shown again nor a kept answer collects a
second mark (it used to: paging 1 → 2 → 1 read "page 1 of 2 · page 1 of 2")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import discord
import pytest

from bot.answers import Answer, AnswerCache
from bot.client import OversightBot
from bot.render.common import page_footer
from fakediscord import FakeDiscord
from tests.conftest import Office


class Version:
    """A token the test moves by hand (db.freshness.DataVersion in the bot)."""

    def __init__(self) -> None:
        self.value = 0

    async def token(self) -> int:
        return self.value


def counting(value: Any = "answer") -> tuple[list[int], Callable[[], Coroutine[Any, Any, Any]]]:
    builds: list[int] = []

    async def build() -> Any:
        builds.append(1)
        return value

    return builds, build


# ---------------------------------------------------------------- the cache


async def test_an_answer_is_built_once_per_token() -> None:
    version = Version()
    cache = AnswerCache(version)
    builds, build = counting()
    assert await cache.get("due", 1, 14, build) == "answer"
    assert await cache.get("due", 1, 14, build) == "answer"
    assert len(builds) == 1 and (cache.hits, cache.misses) == (1, 1)
    version.value += 1  # a write, another process's write, or midnight
    await cache.get("due", 1, 14, build)
    assert len(builds) == 2


async def test_a_new_token_drops_every_older_entry() -> None:
    """Tokens only move forward, so older entries could never be served again."""
    version = Version()
    cache = AnswerCache(version)
    for days in range(5):
        await cache.get("due", 1, days, counting()[1])
    assert len(cache) == 5
    version.value += 1
    await cache.get("due", 1, 0, counting()[1])
    assert len(cache) == 1


async def test_options_command_and_guild_are_all_in_the_key() -> None:
    """A guild sees its own records plus the shared ones: guild 2 never gets guild 1's answer,
    nor one command another's, nor one option another's."""
    cache = AnswerCache(Version())
    assert await cache.get("show", 1, "OQ-4", counting("guild 1's OQ-4")[1]) == "guild 1's OQ-4"
    assert await cache.get("show", 2, "OQ-4", counting("guild 2's OQ-4")[1]) == "guild 2's OQ-4"
    assert await cache.get("show", 1, "OQ-5", counting("OQ-5")[1]) == "OQ-5"
    assert await cache.get("bill", 1, "OQ-4", counting("a bill")[1]) == "a bill"
    assert await cache.get("show", 1, "OQ-4", counting("built again")[1]) == "guild 1's OQ-4"


async def test_the_least_recently_used_entry_goes_first() -> None:
    cache = AnswerCache(Version(), size=3)
    for days in (1, 2, 3):
        await cache.get("due", 1, days, counting(days)[1])
    await cache.get("due", 1, 1, counting("not built")[1])  # 1 is now the most recent
    await cache.get("due", 1, 4, counting(4)[1])  # 2 goes
    assert len(cache) == 3
    builds, build = counting("built again")
    assert await cache.get("due", 1, 2, build) == "built again" and builds == [1]
    for days in (4, 1):
        assert await cache.get("due", 1, days, counting("evicted")[1]) == days


async def test_concurrent_misses_for_one_key_build_once() -> None:
    """Ten askers at once: one build, which all of them await, and one entry."""
    cache = AnswerCache(Version())
    started, gate = asyncio.Event(), asyncio.Event()
    builds: list[int] = []

    async def build() -> object:
        builds.append(1)
        started.set()
        await gate.wait()
        return object()

    askers = [asyncio.create_task(cache.get("status", 1, None, build)) for _ in range(10)]
    await started.wait()
    await asyncio.sleep(0)  # the other nine reach the build in progress
    gate.set()
    answers = await asyncio.gather(*askers)
    assert builds == [1]
    assert all(answer is answers[0] for answer in answers)
    assert len(cache) == 1 and cache.misses == 1


async def test_a_failed_build_reaches_every_asker_and_is_not_kept() -> None:
    cache = AnswerCache(Version())
    gate = asyncio.Event()

    async def fail() -> str:
        await gate.wait()
        raise LookupError("no such city")

    askers = [asyncio.create_task(cache.get("city", 1, "Nowhere", fail)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*askers, return_exceptions=True)
    assert all(isinstance(result, LookupError) for result in results)
    assert len(cache) == 0
    assert await cache.get("city", 1, "Nowhere", counting("found now")[1]) == "found now"


async def test_an_asker_giving_up_does_not_cancel_the_others_build() -> None:
    cache = AnswerCache(Version())
    gate = asyncio.Event()

    async def build() -> str:
        await gate.wait()
        return "answer"

    first = asyncio.create_task(cache.get("due", 1, 14, build))
    second = asyncio.create_task(cache.get("due", 1, 14, build))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await second == "answer"
    assert len(cache) == 1


async def test_a_build_that_ends_after_the_token_moved_is_not_kept() -> None:
    """Its asker gets it; nobody else could (its token is gone), so it takes no room."""
    version = Version()
    cache = AnswerCache(version)
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        return "old data"

    asker = asyncio.create_task(cache.get("due", 1, 14, slow))
    await asyncio.sleep(0)
    version.value += 1
    assert await cache.get("due", 1, 14, counting("new data")[1]) == "new data"
    gate.set()
    assert await asker == "old data"
    assert len(cache) == 1
    assert await cache.get("due", 1, 14, counting("built again")[1]) == "new data"


# ---------------------------------------------------------------- answers and their pages


def embed(title: str) -> discord.Embed:
    return discord.Embed(title=title)


def test_an_answer_hands_out_new_lists_of_its_pages() -> None:
    answer = Answer.of([[embed("one"), embed("two")], [embed("three")]])
    page = answer.page(0)
    page.append(embed("added by a reply"))
    assert [e.title for e in answer.page(0)] == ["one", "two"]
    assert answer.page_count == 2 and 1 in answer


def test_pages_rendered_on_demand_are_rendered_once() -> None:
    rendered: list[int] = []

    def render(index: int) -> list[discord.Embed]:
        rendered.append(index)
        return [embed(f"page {index}")]

    answer = Answer(3, render)
    assert answer.page(2)[0].title == "page 2"
    assert answer.page(2)[0].title == "page 2"
    assert rendered == [2]


def test_a_list_read_page_by_page_keeps_only_its_first_page() -> None:
    answer = Answer.of([[embed("first")]], page_count=50)
    assert answer.page_count == 50 and 0 in answer and 1 not in answer
    with pytest.raises(IndexError):
        answer.page(1)


def test_page_footer_marks_a_copy() -> None:
    original = embed("status").set_footer(text="Sources as of Nov 28")
    marked = page_footer(original, 0, 3)
    assert marked.footer.text == "Sources as of Nov 28 · page 1 of 3"
    assert original.footer.text == "Sources as of Nov 28"
    assert page_footer(original, 0, 1) is original  # one page: nothing to mark


# ---------------------------------------------------------------- end to end: the paginator


async def test_paging_there_and_back_shows_one_page_mark(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """/approps status has two pages: 1 → 2 → 1 reads "page 1 of 2" once, and asking again
    (the kept answer) still does."""

    def footer(reply: Any) -> str:
        return str(reply.embeds[-1]["footer"]["text"])

    reply = await fake.slash("approps status", user=office.staffer)
    assert footer(reply).endswith("page 1 of 2") and footer(reply).count("page") == 1
    there = await fake.click(reply, "page:next", user=office.staffer)
    assert footer(there).endswith("page 2 of 2") and footer(there).count("page") == 1
    back = await fake.click(there, "page:prev", user=office.staffer)
    assert footer(back) == footer(reply)
    again = await fake.slash("approps status", user=office.staffer)
    assert footer(again) == footer(reply)
