"""Logging through discord.py's setup, with secrets scrubbed from every formatted line."""

from __future__ import annotations

import logging

import discord


class RedactingFormatter(logging.Formatter):
    """Formats with the wrapped formatter, then replaces each secret (tracebacks included)."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text


def setup_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr at `level` (discord.py's format and colours); no secret is ever printed.
    Calling it again replaces the handler it installed (one process may run several commands,
    and a handler left on a closed stream would fail every line)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler.formatter, RedactingFormatter):
            root.removeHandler(handler)
    discord.utils.setup_logging(level=logging.getLevelName(level), root=True)
    for handler in logging.getLogger().handlers:
        inner = handler.formatter or logging.Formatter()
        if not isinstance(inner, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(inner, secrets))
