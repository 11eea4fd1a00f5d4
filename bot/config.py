"""Configuration: a TOML file plus environment overrides → one frozen, typed `Settings`.

Nothing is read at import time and there is no module-level instance: the entry point calls
`load_settings(config_path_from(args.config, os.environ))` and passes the result down.
Every problem is one `ConfigError` line: where the value came from, the key, what is accepted.
"""

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_CONFIG_FILE = Path("config.toml")
CONFIG_ENV_VAR = "OVERSIGHT_DESK_CONFIG"
# Environment variables that win over the file (deployments keep secrets out of files).
ENV_OVERRIDES = {
    "DISCORD_TOKEN": ("discord", "token"),
    "DATABASE_URL": ("database", "url"),
    "CONGRESS_API_KEY": ("congress", "api_key"),
    "DISCORD_SHARD_COUNT": ("discord", "shard_count"),
    "DISCORD_SHARD_IDS": ("discord", "shard_ids"),
}
# URL drivers we rewrite to the async driver db/engine.py needs; the values are the accepted ones.
_PG = "postgresql+asyncpg"
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgres": _PG, "postgresql": _PG}
# Strict: in TOML, "123" or true where an id belongs is a mistake, not an id.
DiscordId = Annotated[int, Field(gt=0, strict=True)]
_SECTION = ConfigDict(frozen=True, extra="forbid")


class ConfigError(Exception):
    """A bad configuration; `str(err)` is one line: source, key, problem, what is accepted."""

    def __str__(self) -> str:  # one line even if a quoted TOML key or an OS message holds one
        return " ".join(super().__str__().splitlines())


class DiscordSettings(BaseModel):
    model_config = _SECTION
    token: SecretStr | None = Field(None, description='a bot token string, or "" for none')
    dev_guild_ids: tuple[DiscordId, ...] = Field((), description="an array of integer guild ids")
    # Sharding: each process runs `shard_ids` of `shard_count` shards (all of them when empty);
    # 0 asks Discord how many to run, all in this one process.
    shard_count: int = Field(
        0,
        ge=0,
        strict=True,
        description="the number of shards across all processes (an integer ≥ 1), or 0 for "
        "Discord's recommendation, all run by this process",
    )
    shard_ids: tuple[Annotated[int, Field(ge=0, strict=True)], ...] = Field(
        (),
        description="an array of the shards this process runs, each from 0 to shard_count - 1 "
        "and none twice (empty: every shard)",
    )

    # discord.py waits this long after the last server's GUILD_CREATE before the bot is ready
    # (its guild_ready_timeout); Discord streams them at connect. The offline console and the
    # tests talk to a local fake that sends them all at once, and wait less.
    guild_ready_timeout: float = Field(
        2.0,
        ge=0,
        le=60,
        description="seconds (0 to 60) to wait for servers to arrive at start-up",
    )

    @field_validator("token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: Any) -> Any:
        # "" (the example's value) means no token: the offline console. Strip pasted newlines.
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("shard_ids")
    @classmethod
    def _shards_exist(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        count = info.data.get("shard_count")
        if not value or count is None:  # None: shard_count itself is wrong, and reported
            return value
        if count == 0:
            raise ValueError("shard ids need shard_count too (the number of shards in all)")
        if missing := [shard for shard in value if shard >= count]:
            last = f"0 to {count - 1}" if count > 1 else "only 0"
            raise ValueError(f"shard {missing[0]} does not exist: shard_count {count} means {last}")
        if twice := [shard for shard in set(value) if value.count(shard) > 1]:
            raise ValueError(f"shard {min(twice)} is listed twice")
        return value


class DatabaseSettings(BaseModel):
    model_config = _SECTION
    url: str = Field(
        "sqlite+aiosqlite:///data/oversight-desk.db",
        description="a URL starting sqlite+aiosqlite:// or postgresql+asyncpg:// (or sqlite://, "
        "postgres://, postgresql://, which are rewritten)",
    )

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL") from None
        driver = _ASYNC_DRIVERS.get(url.drivername, url.drivername)
        if driver not in _ASYNC_DRIVERS.values():  # name only the driver: URLs carry passwords
            raise ValueError(f"unsupported driver '{url.drivername}'")
        # Swap the scheme as text: re-rendering the URL would re-quote the rest (':memory:').
        return driver + value[len(url.drivername) :]


class BotSettings(BaseModel):
    model_config = _SECTION
    owner_ids: tuple[DiscordId, ...] = Field((), description="an array of integer Discord user ids")
    timezone: str = Field("America/New_York", description="an IANA name such as America/New_York")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory like 'America'
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # cached by zoneinfo, so cheap


class CongressSettings(BaseModel):
    model_config = _SECTION
    api_base: str = Field(
        "https://api.congress.gov/v3", description="an http(s) URL, the API's base"
    )
    api_key: SecretStr | None = Field(
        None, description='an api.data.gov key string, or "" for none'
    )
    poll_minutes: int = Field(15, ge=0, le=1440, strict=True, description="minutes, 0 to 1440")
    congresses: tuple[Annotated[int, Field(ge=93, le=200, strict=True)], ...] = Field(
        (), description="an array of congress numbers such as [119] (empty: the current one)"
    )
    requests_per_hour: int = Field(
        1000, ge=1, le=4500, strict=True, description="an integer from 1 to 4500"
    )

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("api_base")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value.rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="forbid", case_sensitive=True)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    congress: CongressSettings = Field(default_factory=CongressSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Constructor arguments only, never os.environ/.env behind our back: load_settings merges
        # file and environment itself, so tests can inject environ and errors name the variable.
        return (init_settings,)


def config_path_from(argv_path: str | None, environ: Mapping[str, str]) -> Path | None:
    """--config, then $OVERSIGHT_DESK_CONFIG, then ./config.toml if present, else None."""
    explicit = argv_path or environ.get(CONFIG_ENV_VAR)
    if explicit:
        return Path(explicit)  # returned even if missing: load_settings then says so
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(
    path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read `path` (None: defaults only), apply environment overrides, validate; or ConfigError."""
    environ = os.environ if environ is None else environ
    label = str(path) if path is not None else "defaults"
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file; accepted: an existing file") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}; accepted: UTF-8 TOML") from None
    if hidden := [key for key in data if key.startswith("_")]:  # BaseSettings options, not data
        raise ConfigError(f"{label}: {_unknown((hidden[0],))}")
    origins: dict[str, str] = {}
    for var, (section, key) in ENV_OVERRIDES.items():
        table = data.setdefault(section, {})
        if environ.get(var) and isinstance(table, dict):  # empty variable = unset
            table[key] = _from_env(var, environ[var])
            origins[f"{section}.{key}"] = var
    try:
        return Settings(**data)
    except ValidationError as exc:
        # `from None`: the ValidationError prints input values, and one may be the token.
        problems = [_problem(err, origins, label) for err in exc.errors()]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(problems[0] + more) from None


def _whole_number(text: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text):
        raise ValueError(f"not a whole number: {text.strip()!r}")
    return int(text)


def _whole_numbers(text: str) -> tuple[int, ...]:
    return tuple(_whole_number(part) for part in re.split(r"[,\s]+", text.strip()) if part)


# Variables that are not strings: parsed here (TOML types them; the environment cannot), each with
# what it accepts. Their values are no secrets, so a bad one is quoted back.
ENV_PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "DISCORD_SHARD_COUNT": (_whole_number, "a whole number such as 4 (0: as Discord recommends)"),
    "DISCORD_SHARD_IDS": (_whole_numbers, "shard numbers separated by commas, such as 0,1"),
}


def _from_env(var: str, text: str) -> Any:
    if var not in ENV_PARSERS:
        return text
    parse, accepted = ENV_PARSERS[var]
    try:
        return parse(text)
    except ValueError as exc:
        section, key = ENV_OVERRIDES[var]
        raise ConfigError(f"{var}: {section}.{key}: {exc}; accepted: {accepted}") from None


def _unknown(names: tuple[str, ...]) -> str:
    keys = ", ".join(_node_at(names[:-1]).model_fields)
    if len(names) == 1:
        return f"unknown section [{names[0]}]; accepted sections: {keys}"
    return f"unknown key '{'.'.join(names)}'; accepted keys in [{'.'.join(names[:-1])}]: {keys}"


def _node_at(names: tuple[str, ...]) -> Any:
    """The model (or leaf type) found by following field names down from Settings."""
    node: Any = Settings
    for name in names:
        node = node.model_fields[name].annotation
    return node


_TOML = {"bool": "boolean", "int": "integer", "str": "string", "list": "array", "dict": "table"}


def _problem(err: ErrorDetails, origins: Mapping[str, str], label: str) -> str:
    """One `source: key: what is wrong; accepted: …` line; never echoes an input but ours."""
    names = tuple(part for part in err["loc"] if isinstance(part, str))
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{label}: {_unknown(names)}"
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    field = _node_at(names[:-1]).model_fields[names[-1]]
    origin = origins.get(".".join(names), label)
    accepted = field.description or f"a table with keys {', '.join(_node_at(names).model_fields)}"
    accepted = ENV_PARSERS[origin][1] if origin in ENV_PARSERS else accepted
    if kind == "value_error":
        detail = str(err.get("ctx", {}).get("error", err["msg"]))
    elif kind == "literal_error":
        detail = f"unknown value {err['input']!r}"
    elif kind.endswith("_type"):  # name the TOML type only: the input may be a secret
        got = type(err["input"]).__name__
        detail = f"wrong type: got {_TOML.get(got, got)}"
    else:
        detail = err["msg"]
    return f"{origin}: {key}: {detail}; accepted: {accepted}"
