"""Errors the data layer raises for things a user can fix; each message says what was wrong."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


class StaleEdit(DomainError):
    """The record changed after the caller read it; nothing was written."""


class InUse(DomainError):
    """Other records still need the one to delete; nothing was deleted."""


class Conflict(DomainError):
    """Another transaction wrote the same thing at the same moment; nothing was written."""


def renamed(error: InvalidInput, names: Mapping[str, str]) -> InvalidInput:
    """The same problems, each field named as the person typed it (`sent_date` → `sent`);
    nested fields (`sources.0.url`) are renamed by their first part."""

    def name(field: str) -> str:
        if field in names:
            return names[field]
        head, dot, _ = field.partition(".")
        return names.get(head, field) if dot else field

    renamed_error = InvalidInput([Problem(name(p.field), p.message) for p in error.problems])
    renamed_error.__cause__ = error.__cause__
    return renamed_error


@contextmanager
def options_named(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise InvalidInput from inside the block with its fields named after options."""
    try:
        yield
    except InvalidInput as error:
        raise renamed(error, names) from None
