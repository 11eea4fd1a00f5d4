"""The command surface is a contract: names, descriptions and options as synced to Discord."""

from __future__ import annotations

from typing import Any

from bot.client import OversightBot
from fakediscord import FakeDiscord
from tests.support.commands import leaves

STAFF_COMMANDS = {
    "approps status",
    "approps bill",
    "approps lines",
    "bodycam city",
    "bodycam list",
    "oversight list",
    "oversight show",
    "oversight due",
    "search",
    "cite",
}
META_COMMANDS = {"about", "help"}


async def test_the_synced_names_are_the_contract(fake: FakeDiscord, bot: OversightBot) -> None:
    """Every command the issues name is synced, under exactly that name."""
    names = set(leaves(fake.synced[None]))
    assert names >= STAFF_COMMANDS | META_COMMANDS


async def test_every_command_and_option_is_described(fake: FakeDiscord, bot: OversightBot) -> None:
    """Each command and each of its options carries a description a staffer can read."""
    for name, command in leaves(fake.synced[None]).items():
        assert 1 <= len(command.get("description", "")) <= 100, name
        for option in command.get("options", []):
            assert 1 <= len(option.get("description", "")) <= 100, f"{name} {option['name']}"


async def test_staff_commands_can_be_shared_and_are_guild_only(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    """Staff answers are private unless `share` is set, and the commands work in servers only."""
    synced = leaves(fake.synced[None])
    top = {command["name"]: command for command in fake.synced[None]}
    for name in STAFF_COMMANDS:
        options = {option["name"]: option for option in synced[name].get("options", [])}
        assert options.get("share", {}).get("type") == 5, name  # a boolean
        assert not options["share"].get("required", False), name
        root = top[name.split()[0]]
        assert root.get("contexts") == [0] or root.get("dm_permission") is False, name


def command_size(node: dict[str, Any]) -> int:
    """Characters Discord counts toward a command's 4,000: names, descriptions and choices."""
    total = len(node.get("name", "")) + len(node.get("description", ""))
    for choice in node.get("choices") or []:
        total += len(choice["name"]) + len(str(choice["value"]))
    return total + sum(command_size(option) for option in node.get("options") or [])


async def test_every_command_fits_discords_size_budget(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    """Each top-level command, all its subcommands included, stays within 4,000 characters
    (why /admin's descriptions are terse and its fixed lists are suggestions, not choices)."""
    sizes = {command["name"]: command_size(command) for command in fake.synced[None]}
    assert max(sizes.values()) <= 4000, sizes
