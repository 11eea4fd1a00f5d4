"""Failure injection: errors, slow answers and broken JSON on API paths matched by glob.

A glob is a path relative to /v3 ("bill/119/hr/7147/actions"); `*` matches one path segment,
`**` any number of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    FAIL = "fail"
    SLOW = "slow"
    MALFORMED = "malformed"


def compile_glob(glob: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*)", glob.strip("/"))
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part) for part in parts
    )
    return re.compile(regex + r"\Z")


@dataclass
class Rule:
    glob: str
    pattern: re.Pattern[str]
    kind: Kind
    times: int | None  # None: every matching request
    status: int = 200
    retry_after: int | None = None
    seconds: float = 0.0
    hits: int = 0

    def take(self, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if not self.pattern.match(path):
            return False
        self.hits += 1
        return True


class Rules:
    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(
        self,
        glob: str,
        kind: Kind,
        times: int | None,
        *,
        status: int = 200,
        retry_after: int | None = None,
        seconds: float = 0.0,
    ) -> Rule:
        if times is not None and times < 1:
            raise ValueError("times must be >= 1, or None for every request")
        rule = Rule(glob, compile_glob(glob), kind, times, status, retry_after, seconds)
        self.rules.append(rule)
        return rule

    def take(self, path: str) -> tuple[float, Rule | None]:
        """Total delay for this request, and the failure (if any) it must answer with."""
        delay = 0.0
        failure: Rule | None = None
        for rule in self.rules:
            if rule.kind is Kind.SLOW:
                if rule.take(path):
                    delay += rule.seconds
            elif failure is None and rule.take(path):
                failure = rule
        return delay, failure

    def clear(self) -> None:
        self.rules.clear()
