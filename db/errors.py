"""Errors the data layer raises for things a user can fix; each message says what was wrong."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


class DomainError(Exception):
    """An expected, user-facing failure. `str(error)` is ready to show."""


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidInput(DomainError):
    """One or more fields were rejected; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([Problem(field, message)])

    @classmethod
    def from_validation(cls, error: ValidationError) -> InvalidInput:
        problems = []
        for item in error.errors(include_url=False):
            field = ".".join(str(part) for part in item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            # Model-level validators name their field as 'field: message'.
            if not field and ": " in message:
                field, message = message.split(": ", 1)
            problems.append(Problem(field, message))
        return cls(problems)


class NotFound(DomainError):
    """No record with that key in the caller's scope."""


class Duplicate(DomainError):
    """A record with that key already exists in the caller's scope."""


class ScopeError(DomainError):
    """The record belongs to another scope than the writer's."""
