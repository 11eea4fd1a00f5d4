"""Per-member cooldowns on the heavy commands, so that one member flooding them cannot starve the
rest: past its allowance a command is refused at once, privately, with "You're going fast: try
/search again in 4 s." (bot.tree's error handler), and nothing runs.

discord.py's own cooldown (app_commands.Cooldown, CommandOnCooldown), with the buckets kept per
bot and per command: a member's /search does not count against their /calendar export, and two
bots in one process (tests, the console's fixed ids) never share a bucket. The key is the user, so
a member flooding from several servers is still one member; other members are never affected.
`lift(bot)` turns them off for one bot: tests and benchmarks that flood on purpose.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")
Buckets = dict[int, app_commands.Cooldown]  # user id → that member's bucket
PRUNE_AT = 1000  # members remembered per command and bot before idle ones are forgotten


@dataclass(frozen=True)
class Allowance:
    uses: int
    per: float  # seconds


# Generous for a person, tight for a loop: a staffer refines a search a few times in a row;
# nobody needs a fresh export or chart every few seconds.
SEARCH = Allowance(4, 10.0)
APPROPS_STATUS = Allowance(3, 10.0)
CHART = Allowance(2, 10.0)
CALENDAR_EXPORT = Allowance(2, 30.0)
ADMIN_EXPORT = Allowance(2, 30.0)
ADMIN_IMPORT = Allowance(2, 30.0)  # a refused file is fixed and sent again

_lifted: weakref.WeakSet[discord.Client] = weakref.WeakSet()


def lift(client: discord.Client) -> None:
    """No cooldowns for this bot (tests and benchmarks that flood on purpose)."""
    _lifted.add(client)


class PerMember:
    """One command's allowance, counted for each member of each bot."""

    def __init__(self, allowance: Allowance) -> None:
        self.allowance = allowance
        self.buckets: weakref.WeakKeyDictionary[discord.Client, Buckets] = (
            weakref.WeakKeyDictionary()
        )

    async def check(self, interaction: discord.Interaction[Any]) -> bool:
        """Count this run; raise CommandOnCooldown when the member has used up the allowance."""
        if interaction.client in _lifted:
            return True
        now = interaction.created_at.timestamp()  # Discord's clock, as discord.py's cooldowns
        buckets = self.buckets.setdefault(interaction.client, {})
        if len(buckets) >= PRUNE_AT:
            self._forget_idle(buckets, now)
        bucket = buckets.get(interaction.user.id)
        if bucket is None:
            bucket = buckets[interaction.user.id] = app_commands.Cooldown(
                self.allowance.uses, self.allowance.per
            )
        retry_after = bucket.update_rate_limit(now)
        if retry_after is not None:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
        return True

    @staticmethod
    def _forget_idle(buckets: Buckets, now: float) -> None:
        for user_id in [u for u, b in buckets.items() if b.get_tokens(now) >= b.rate]:
            del buckets[user_id]


def per_member(allowance: Allowance) -> Callable[[T], T]:
    """A cooldown for one command (decorate below @app_commands.command): `allowance.uses` runs
    per `allowance.per` seconds for each member."""
    return app_commands.check(PerMember(allowance).check)
