"""Shard settings ([discord] shard_count and shard_ids, or DISCORD_SHARD_COUNT/_IDS): validated
with one-line errors, turned into discord.py's AutoShardedBot arguments, and read back as
"does this process run this guild's shard"."""

from pathlib import Path

import discord
import pytest
from discord.ext import commands

from bot.config import ConfigError, DiscordSettings, load_settings
from bot.shards import describe, runs_guild, shard_of, shard_options

ACCEPTED_IDS = (
    "accepted: an array of the shards this process runs, each from 0 to shard_count - 1 and "
    "none twice (empty: every shard)"
)
ACCEPTED_ENV_IDS = "accepted: shard numbers separated by commas, such as 0,1"


def discord_settings(
    environ: dict[str, str], toml: str = "", tmp_path: Path | None = None
) -> DiscordSettings:
    path = None
    if tmp_path is not None:
        path = tmp_path / "config.toml"
        path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ=environ).discord


def error(environ: dict[str, str], toml: str = "", tmp_path: Path | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        discord_settings(environ, toml, tmp_path)
    return str(info.value)


def client(settings: DiscordSettings) -> commands.AutoShardedBot:
    """discord.py's own sharded bot, built as OversightBot builds itself (never connected)."""
    return commands.AutoShardedBot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.none(),
        **shard_options(settings),
    )


def test_by_default_discord_decides_and_this_process_runs_every_shard() -> None:
    settings = discord_settings({})
    assert (settings.shard_count, settings.shard_ids) == (0, ())
    assert shard_options(settings) == {"shard_count": None, "shard_ids": None}
    bot = client(settings)
    assert (bot.shard_count, bot.shard_ids) == (None, None)
    assert runs_guild(bot, 1 << 22) and runs_guild(bot, 2 << 22)


def test_the_environment_names_this_processes_shards() -> None:
    settings = discord_settings({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": " 2, 3 "})
    assert (settings.shard_count, settings.shard_ids) == (4, (2, 3))
    bot = client(settings)
    assert (bot.shard_count, bot.shard_ids) == (4, [2, 3])
    assert [runs_guild(bot, n << 22) for n in range(8)] == [False, False, True, True] * 2


def test_the_file_names_them_and_the_environment_wins(tmp_path: Path) -> None:
    toml = "[discord]\nshard_count = 2\nshard_ids = [1]\n"
    settings = discord_settings({}, toml, tmp_path)
    assert (settings.shard_count, settings.shard_ids) == (2, (1,))
    settings = discord_settings({"DISCORD_SHARD_IDS": "0"}, toml, tmp_path)
    assert settings.shard_ids == (0,)


def test_a_count_without_ids_runs_every_shard_of_it() -> None:
    bot = client(discord_settings({"DISCORD_SHARD_COUNT": "3"}))
    assert (bot.shard_count, bot.shard_ids) == (3, None)
    assert all(runs_guild(bot, n << 22) for n in range(3))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "every shard Discord recommends"),
        ({"DISCORD_SHARD_COUNT": "4"}, "every shard of 4"),
        ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "3"}, "shard 3 of 4"),
        ({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "0,1"}, "shards 0, 1 of 4"),
    ],
)
def test_the_log_says_which_shards_this_process_runs(
    environ: dict[str, str], expected: str
) -> None:
    assert describe(discord_settings(environ)) == expected


def test_shard_of_is_discords_rule() -> None:
    """(guild_id >> 22) % shard_count: the timestamp part decides, not the low bits."""
    guild_id = (5 << 22) | 4095
    assert [shard_of(guild_id, count) for count in (1, 2, 3, 4)] == [0, 1, 2, 1]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "shard_count = 2\nshard_ids = [2]",
            "discord.shard_ids: shard 2 does not exist: shard_count 2 means 0 to 1; "
            + ACCEPTED_IDS,
        ),
        (
            "shard_count = 3\nshard_ids = [1, 0, 1]",
            f"discord.shard_ids: shard 1 is listed twice; {ACCEPTED_IDS}",
        ),
        (
            "shard_ids = [0]",
            "discord.shard_ids: shard ids need shard_count too (the number of shards in all); "
            + ACCEPTED_IDS,
        ),
        ('shard_count = "2"', "discord.shard_count: wrong type: got string; accepted: the number"),
        ("shard_count = -1", "discord.shard_count: Input should be greater than or equal to 0"),
        ("shard_ids = [-1]", "discord.shard_ids[0]: Input should be greater than or equal to 0"),
    ],
)
def test_bad_shards_in_the_file_are_one_clear_line(
    tmp_path: Path, toml: str, expected: str
) -> None:
    message = error({}, f"[discord]\n{toml}\n", tmp_path)
    assert message.startswith(f"{tmp_path / 'config.toml'}: {expected}")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"DISCORD_SHARD_COUNT": "two"},
            "DISCORD_SHARD_COUNT: discord.shard_count: not a whole number: 'two'; accepted: a "
            "whole number such as 4 (0: as Discord recommends)",
        ),
        (
            {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0;1"},
            f"DISCORD_SHARD_IDS: discord.shard_ids: not a whole number: '0;1'; {ACCEPTED_ENV_IDS}",
        ),
        (
            {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "1,2"},
            "DISCORD_SHARD_IDS: discord.shard_ids: shard 2 does not exist: shard_count 2 means 0 "
            f"to 1; {ACCEPTED_ENV_IDS}",
        ),
        (
            {"DISCORD_SHARD_IDS": "1"},
            "DISCORD_SHARD_IDS: discord.shard_ids: shard ids need shard_count too (the number of "
            f"shards in all); {ACCEPTED_ENV_IDS}",
        ),
    ],
)
def test_bad_shards_in_the_environment_name_the_variable(
    environ: dict[str, str], expected: str
) -> None:
    assert error(environ) == expected
