"""Staff commands' answers, read and rendered once per data version and served from memory.

Most staff commands ask the same things between two writes (the funding status, what is due, a
city), and reading and rendering them is most of a command's cost. `AnswerCache.get` keys an
answer by (command, guild id, the options as given, db.freshness token): any write by this
process changes the token at once, a write by another process within a second, and the date
at midnight, so a stale answer is never reachable. What an answer holds is built from one guild's
scope only, so a guild's key never serves another guild.

Only the read and the render are cached: the defer, cooldowns, sharing and the paginator stay
per interaction, and nothing that depends on who asks (permissions) or on charts is cached. An
`Answer` hands out new lists on every call, and the paginator marks pages on a copy of the last
embed (bot.render.common.page_footer), so a reply never changes a kept answer.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Hashable, Sequence
from typing import Any, Protocol, TypeVar

import discord

from bot.views import Page, RenderPage, respond
from db.memo import Memo

SIZE = 512  # entries per cache; each staff cog keeps one
T = TypeVar("T")


class Versioned(Protocol):
    """What keys the entries: db.freshness.DataVersion."""

    async def token(self) -> Hashable: ...


class Answer:
    """A reply as rendered: its page count, its content, and its pages, kept as rendered when
    built or rendered on first need by `render` (a pure function of data read in the build).
    Without `render`, pages not kept are a list's pages read when shown (reply's `later`)."""

    def __init__(
        self,
        page_count: int,
        render: Callable[[int], Page] | None = None,
        *,
        pages: Sequence[Page] = (),
        content: str | None = None,
    ) -> None:
        self.page_count = max(1, page_count)
        self.content = content
        self._render = render
        self._pages: dict[int, tuple[discord.Embed, ...]] = {
            index: tuple(page) for index, page in enumerate(pages)
        }

    @classmethod
    def of(
        cls, pages: Sequence[Page], *, page_count: int | None = None, content: str | None = None
    ) -> Answer:
        """An answer of pages rendered already; with a larger `page_count`, the first pages of
        a list whose others are read when shown."""
        pages = list(pages) or [[]]
        return cls(page_count or len(pages), pages=pages, content=content)

    def __contains__(self, index: int) -> bool:
        """Whether the answer gives page `index` itself (kept, or rendered when first needed)."""
        return index in self._pages or self._render is not None

    def page(self, index: int) -> Page:
        """Page `index` (rendered once), as a new list: the embeds themselves are not copied,
        since nothing that shows them changes them."""
        if index not in self._pages:
            if self._render is None:
                raise IndexError(f"page {index} is read when shown, not kept in the answer")
            self._pages[index] = tuple(self._render(index))
        return list(self._pages[index])


async def reply(
    interaction: discord.Interaction[Any],
    answer: Answer,
    *,
    ephemeral: bool,
    later: RenderPage | None = None,
) -> None:
    """Answer with `answer`: its first page, then (when given) pages past the first from `later`,
    for lists read page by page when the page is shown."""

    async def render(index: int) -> Page:
        return answer.page(index) if index in answer or later is None else await later(index)

    await respond(
        interaction,
        render=render,
        page_count=answer.page_count,
        content=answer.content,
        ephemeral=ephemeral,
    )


class AnswerCache:
    """Answers under the current data token, at most `size` (db.memo.Memo: least recently used
    dropped first, concurrent misses for one key built once, a failed build not kept)."""

    def __init__(self, version: Versioned, *, size: int = SIZE) -> None:
        self.version = version
        self._memo: Memo[Any] = Memo(size)

    def __len__(self) -> int:
        return len(self._memo)

    @property
    def hits(self) -> int:
        return self._memo.hits

    @property
    def misses(self) -> int:
        return self._memo.misses

    async def get(
        self,
        command: str,
        guild_id: int | None,
        options: Hashable,
        build: Callable[[], Coroutine[Any, Any, T]],
    ) -> T:
        """The answer to `command` with `options` in the guild: kept, being built, or built now
        by `build()` (which must read after this call began, so it is at least as new as the
        token it is kept under)."""
        token = await self.version.token()
        answer: T = await self._memo.get((command, guild_id, options), token, build)
        return answer
