"""Interactive views: a paginator that only the asker can turn and that goes quiet on timeout.

A click by the owner gets a bot.deadline watchdog: a page that takes long to render (or a
confirmation the waiting command answers late) is acknowledged in time with a silent update, and
the answer then edits the message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot import deadline
from bot.render.common import page_footer
from bot.tree import reply_privately

log = logging.getLogger(__name__)
Page = list[discord.Embed]
Interaction = discord.Interaction[Any]
RenderPage = Callable[[int], Awaitable[Page]]
GREY = discord.ButtonStyle.secondary
PAGE_TIMEOUT = 300.0  # seconds; interaction tokens last 15 minutes, so the final edit still works


def static_pages(pages: Sequence[Page]) -> RenderPage:
    async def render(index: int) -> Page:
        return list(pages[index])

    return render


class OwnedView(discord.ui.View):
    """A view only the person who asked may use; on timeout its controls are disabled."""

    def __init__(self, owner_id: int, *, timeout: float | None = None) -> None:
        # Read at call time so tests can shorten it.
        super().__init__(timeout=timeout if timeout is not None else PAGE_TIMEOUT)
        self.owner_id = owner_id
        self.interaction: discord.Interaction[Any] | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            deadline.watch(interaction, ephemeral=True)  # a click's defer updates silently
            return True
        await interaction.response.send_message(
            "Only the person who ran this command can use these buttons. Run it yourself to get "
            "your own copy.",
            ephemeral=True,
        )
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.interaction is not None and not self.interaction.client.is_closed():
            try:  # (a closed bot's HTTP session is gone: nothing can edit the message)
                await self.interaction.edit_original_response(view=self)
            except discord.HTTPException:
                log.debug("Could not disable an expired view", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        tree = interaction.client.tree
        wrapped = discord.app_commands.CommandInvokeError(interaction.command, error)  # type: ignore[arg-type]  # a component's interaction may carry no command; the tree copes
        if hasattr(tree, "on_error"):
            await tree.on_error(interaction, wrapped)
        else:  # pragma: no cover - every bot here uses OversightTree
            await reply_privately(interaction, "Something went wrong.")


class ConfirmView(OwnedView):
    """Confirm / Cancel for anything destructive; the asker's answer is in `.confirmed`."""

    def __init__(self, owner_id: int, *, confirm_label: str = "Confirm") -> None:
        super().__init__(owner_id, timeout=120)
        self.confirmed: bool | None = None
        self.confirm.label = confirm_label
        self.answer: discord.Interaction[Any] | None = None  # the click, to edit the message

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="confirm:yes")
    async def confirm(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        await self._decide(interaction, True)

    @discord.ui.button(label="Cancel", style=GREY, custom_id="confirm:no")
    async def cancel(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        await self._decide(interaction, False)

    async def _decide(self, interaction: discord.Interaction[Any], confirmed: bool) -> None:
        self.confirmed = confirmed
        self.answer = interaction
        self.disable_all()
        self.stop()


class Paginator(OwnedView):
    """◀ / ▶ through pages rendered on demand; first and last when there are many pages."""

    def __init__(self, render: RenderPage, page_count: int, owner_id: int) -> None:
        super().__init__(owner_id)
        self.render = render
        self.page_count = max(1, page_count)
        self.index = 0
        if self.page_count <= 3:
            self.remove_item(self.first)
            self.remove_item(self.last)
        self._sync_buttons()

    async def page(self, index: int) -> Page:
        """The page as shown: its last embed a copy marked "page N of M", so neither a page shown
        again nor a cached answer (bot.answers) is ever changed by showing it."""
        embeds = list(await self.render(index))
        if embeds:
            embeds[-1] = page_footer(embeds[-1], index, self.page_count)
        return embeds

    async def send(self, interaction: discord.Interaction[Any], *, ephemeral: bool) -> None:
        """Answer the command with the first page (and the buttons when there is more than one)."""
        embeds = await self.page(0)
        self.interaction = interaction
        if self.page_count == 1:
            self.stop()
            await _respond(interaction, embeds=embeds, ephemeral=ephemeral)
            return
        await _respond(interaction, embeds=embeds, view=self, ephemeral=ephemeral)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.first.disabled = self.index == 0
        self.next.disabled = self.last.disabled = self.index >= self.page_count - 1
        self.position.label = f"{self.index + 1} / {self.page_count}"

    async def _show(self, interaction: discord.Interaction[Any], index: int) -> None:
        self.index = min(max(index, 0), self.page_count - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embeds=await self.page(self.index), view=self)

    @discord.ui.button(label="«", style=GREY, custom_id="page:first")
    async def first(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._show(interaction, 0)

    @discord.ui.button(label="◀ Previous", style=GREY, custom_id="page:prev")
    async def previous(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="1 / 1", style=GREY, disabled=True, custom_id="page:at")
    async def position(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]
    ) -> None:  # pragma: no cover - disabled: a label, never clicked
        await interaction.response.defer()

    @discord.ui.button(label="Next ▶", style=GREY, custom_id="page:next")
    async def next(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.index + 1)

    @discord.ui.button(label="»", style=GREY, custom_id="page:last")
    async def last(self, interaction: discord.Interaction[Any], _: discord.ui.Button[Any]) -> None:
        await self._show(interaction, self.page_count - 1)


async def _respond(
    interaction: discord.Interaction[Any], *, ephemeral: bool, **kwargs: Any
) -> None:
    """First answer, or a follow-up after a defer (ours, or the deadline watchdog's, which
    `send_message` also turns into a follow-up); user text never pings (AllowedMentions.none)."""
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def respond(
    interaction: discord.Interaction[Any],
    pages: Sequence[Page] | None = None,
    *,
    ephemeral: bool,
    render: RenderPage | None = None,
    page_count: int | None = None,
    content: str | None = None,
) -> None:
    """Answer with one page, or with a paginator over many (given, or rendered on demand)."""
    if render is None:
        pages = list(pages or [[]])
        render, page_count = static_pages(pages), len(pages)
    if content is not None and (page_count or 1) == 1:
        await _respond(interaction, content=content, embeds=await render(0), ephemeral=ephemeral)
        return
    await Paginator(render, page_count or 1, interaction.user.id).send(
        interaction, ephemeral=ephemeral
    )
