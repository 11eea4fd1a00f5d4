"""Tests for bot.config: TOML + environment → frozen Settings, one-line ConfigErrors."""

import tomllib
import traceback
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from bot.config import (
    DEFAULT_CONFIG_FILE,
    ConfigError,
    Settings,
    config_path_from,
    load_settings,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
TOKEN = "MTIz.secret-token-value.xyz"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ=environ or {})
    message = str(info.value)
    assert "\n" not in message
    return message


def test_example_file_gives_exactly_the_defaults() -> None:
    """config.example.toml loads to the same settings as no file at all."""
    assert load_settings(EXAMPLE, environ={}) == load_settings(None, environ={}) == Settings()


def test_example_file_names_every_field() -> None:
    """Every section and key of Settings appears in config.example.toml, so the two cannot drift."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert set(example) == set(Settings.model_fields)
    for section, field in Settings.model_fields.items():
        assert isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        assert set(example[section]) == set(field.annotation.model_fields), section


def test_no_file_gives_defaults() -> None:
    """load_settings(None) with an empty environment gives the documented defaults."""
    settings = load_settings(None, environ={})
    assert settings.discord.token is None
    assert settings.discord.dev_guild_ids == ()
    assert settings.database.url == "sqlite+aiosqlite:///data/oversight-desk.db"
    assert settings.bot.owner_ids == ()
    assert settings.bot.timezone == "America/New_York"
    assert settings.bot.log_level == "INFO"


def test_file_values_are_loaded(tmp_path: Path) -> None:
    """Every key set in the file reaches the typed settings."""
    path = write(
        tmp_path,
        '[discord]\ntoken = "file-token"\ndev_guild_ids = [111, 222]\n'
        '[database]\nurl = "postgresql+asyncpg://u@db/desk"\n'
        '[bot]\nowner_ids = [333]\ntimezone = "Europe/Berlin"\nlog_level = "DEBUG"\n',
    )
    settings = load_settings(path, environ={})
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "file-token"
    assert settings.discord.dev_guild_ids == (111, 222)
    assert settings.database.url == "postgresql+asyncpg://u@db/desk"
    assert settings.bot.owner_ids == (333,)
    assert settings.bot.tz == ZoneInfo("Europe/Berlin")
    assert settings.bot.log_level == "DEBUG"


def test_env_overrides_file(tmp_path: Path) -> None:
    """DISCORD_TOKEN and DATABASE_URL win over the file's values."""
    path = write(tmp_path, '[discord]\ntoken = "file"\n[database]\nurl = "sqlite:///file.db"\n')
    environ = {"DISCORD_TOKEN": "env", "DATABASE_URL": "postgresql+asyncpg://h/env"}
    settings = load_settings(path, environ=environ)
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "env"
    assert settings.database.url == "postgresql+asyncpg://h/env"


def test_environ_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an environ argument the process environment is used."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.db")
    assert load_settings(None).database.url == "sqlite+aiosqlite:///from-env.db"


def test_empty_env_variable_counts_as_unset(tmp_path: Path) -> None:
    """An empty DISCORD_TOKEN does not wipe out the file's token."""
    path = write(tmp_path, '[discord]\ntoken = "file"\n')
    token = load_settings(path, environ={"DISCORD_TOKEN": ""}).discord.token
    assert token is not None and token.get_secret_value() == "file"


@pytest.mark.parametrize("value", ['""', '"  "'])
def test_blank_token_is_none(tmp_path: Path, value: str) -> None:
    """An empty (or blank) token means no token."""
    path = write(tmp_path, f"[discord]\ntoken = {value}\n")
    assert load_settings(path, environ={}).discord.token is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgresql://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("sqlite+aiosqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ],
)
def test_database_url_rewritten_to_async_driver(given: str, expected: str) -> None:
    """postgres://, postgresql:// and sqlite:// URLs are rewritten to the async drivers."""
    assert load_settings(None, environ={"DATABASE_URL": given}).database.url == expected


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[discord]\ntokn = "x"\n',
            "config.toml: unknown key 'discord.tokn'; accepted keys in [discord]: token, "
            "dev_guild_ids",
        ),
        ("[extras]\nx = 1\n", "config.toml: unknown section [extras]; accepted sections: "),
        ('[bot]\nowner_ids = "abc"\n', "config.toml: bot.owner_ids: wrong type: got string"),
        ('[bot]\nowner_ids = ["1"]\n', "config.toml: bot.owner_ids[0]: wrong type: got string"),
        ("[bot]\nowner_ids = [-5]\n", "bot.owner_ids[0]: Input should be greater than 0"),
        ("discord = 5\n", "config.toml: discord: wrong type: got integer; accepted: a table"),
        ('[database]\nurl = "mysql://u:p@h/db"\n', "database.url: unsupported driver 'mysql'"),
        ('[database]\nurl = "no url"\n', "config.toml: database.url: not a database URL"),
        (
            '[bot]\ntimezone = "Mars/Base"\n',
            "config.toml: bot.timezone: unknown time zone 'Mars/Base'; "
            "accepted: an IANA name such as America/New_York",
        ),
        ('[bot]\nlog_level = "LOUD"\n', "bot.log_level: unknown value 'LOUD'; accepted: DEBUG,"),
        ("[bot\n", "config.toml: not valid TOML: "),
        ('_env_file = "x"\n', "config.toml: unknown section [_env_file]"),
        ('"a\\nb" = 1\n', "config.toml: unknown section [a b]"),
    ],
    ids=lambda v: v.split("\n")[0][:30],
)
def test_bad_file_gives_one_line_naming_key_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, expected: str
) -> None:
    """Each kind of mistake is one ConfigError line naming the file and the key."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, toml)
    message = config_error(Path("config.toml"))
    assert message.startswith("config.toml: ")
    assert expected in message
    assert "accepted" in message


def test_bad_env_value_names_the_variable_not_the_file(tmp_path: Path) -> None:
    """A bad DATABASE_URL is blamed on the variable, not on the file."""
    path = write(tmp_path, '[database]\nurl = "sqlite:///ok.db"\n')
    message = config_error(path, {"DATABASE_URL": "ftp://u:hunter2@h/x"})
    assert message.startswith("DATABASE_URL: database.url: unsupported driver 'ftp'; accepted: ")
    assert str(path) not in message
    assert "hunter2" not in message


def test_several_problems_still_give_one_line(tmp_path: Path) -> None:
    """With several mistakes the first is reported and the rest counted, on one line."""
    path = write(tmp_path, '[bot]\ntimezone = "Mars/Base"\nlog_level = "LOUD"\n')
    assert config_error(path).endswith("(and 1 more problems)")


def test_missing_named_file_is_an_error_naming_the_path(tmp_path: Path) -> None:
    """An explicitly named file that does not exist is an error, not silent defaults."""
    missing = tmp_path / "nope.toml"
    assert str(missing) in config_error(missing)


def test_settings_are_frozen() -> None:
    """Neither the settings nor their sections can be assigned to."""
    settings = load_settings(None, environ={})
    with pytest.raises(ValidationError):
        settings.bot = settings.bot  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.bot.timezone = "UTC"  # type: ignore[misc]


def test_token_hidden_in_repr_and_str() -> None:
    """The token never shows in repr() or str() of the settings."""
    settings = load_settings(None, environ={"DISCORD_TOKEN": TOKEN})
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == TOKEN
    for text in (repr(settings), str(settings), repr(settings.discord), str(settings.discord)):
        assert TOKEN not in text


@pytest.mark.parametrize(
    "toml",
    [f'[discord]\ntoken = ["{TOKEN}"]\n', f'[discord]\ntokn = "{TOKEN}"\n'],
    ids=["wrong-type", "misspelt-key"],
)
def test_token_never_in_errors(tmp_path: Path, toml: str) -> None:
    """A rejected token value appears neither in the message nor in the printed traceback."""
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert "discord.tok" in str(info.value)
    assert TOKEN not in "".join(traceback.format_exception(info.value))


def test_env_token_never_in_errors(tmp_path: Path) -> None:
    """When another key is bad, the environment's token is not printed either."""
    path = write(tmp_path, '[bot]\ntimezone = "Mars/Base"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in "".join(traceback.format_exception(info.value))


def test_log_level_is_case_insensitive() -> None:
    """log_level 'debug' is read as DEBUG."""
    settings = Settings(bot={"log_level": "debug"})  # type: ignore[arg-type]
    assert settings.bot.log_level == "DEBUG"


def test_settings_constructor_ignores_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings() reads no environment variables by itself; only load_settings applies them."""
    # Spelt exactly as the fields: pydantic-settings' own env source would take these.
    monkeypatch.setenv("discord", '{"token": "x"}')
    monkeypatch.setenv("database", '{"url": "postgres://h/db"}')
    settings = Settings()
    assert settings.discord.token is None
    assert settings.database.url == "sqlite+aiosqlite:///data/oversight-desk.db"


def test_config_path_argv_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--config wins over OVERSIGHT_DESK_CONFIG and ./config.toml."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "")
    environ = {"OVERSIGHT_DESK_CONFIG": "env.toml"}
    assert config_path_from("argv.toml", environ) == Path("argv.toml")


def test_config_path_env_beats_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OVERSIGHT_DESK_CONFIG wins over ./config.toml."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "")
    assert config_path_from(None, {"OVERSIGHT_DESK_CONFIG": "env.toml"}) == Path("env.toml")


def test_config_path_default_file_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing named, ./config.toml is used if it exists."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "")
    assert config_path_from(None, {}) == DEFAULT_CONFIG_FILE


def test_config_path_none_without_any_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing named and no ./config.toml, the answer is None (defaults)."""
    monkeypatch.chdir(tmp_path)
    assert config_path_from(None, {}) is None
