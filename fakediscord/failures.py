"""Failure injection: canned Discord errors and slow answers on routes matched by glob.

A glob is "METHOD /path" or just "/path"; `*` matches one path segment, `**` any number.
Paths are matched without the /api/v10 prefix and without the query string. A `lost` failure lets
the request take effect and then answers with the error: Discord acted, the answer never arrived.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Any

Json = dict[str, Any]


def compile_glob(glob: str) -> tuple[str | None, re.Pattern[str]]:
    method, _, path = glob.strip().rpartition(" ")
    parts = re.split(r"(\*\*|\*)", path)
    regex = "".join(
        ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part) for part in parts
    )
    return (method.upper() or None), re.compile(regex + r"/?\Z")


@dataclass
class Rule:
    glob: str
    method: str | None
    pattern: re.Pattern[str]
    status: int  # 0 for a slow-only rule
    times: int | None  # None: every matching request
    retry_after: float = 0.05
    global_: bool = False
    delay: float = 0.0
    lost: bool = False  # handled first, then answered with the failure
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.method in (None, method)) and bool(self.pattern.match(path))


class Failures:
    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(
        self,
        glob: str,
        status: int,
        *,
        times: int | None,
        retry_after: float = 0.05,
        global_: bool = False,
        delay: float = 0.0,
        lost: bool = False,
    ) -> Rule:
        method, pattern = compile_glob(glob)
        rule = Rule(glob, method, pattern, status, times, retry_after, global_, delay, lost)
        self.rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> tuple[float, Rule | None]:
        """Total delay to apply, and the failure (if any) this request must answer with."""
        delay = 0.0
        failure: Rule | None = None
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            if rule.status == 0:
                rule.hits += 1
                delay += rule.delay
            elif failure is None:
                rule.hits += 1
                delay += rule.delay
                failure = rule
        return delay, failure

    def clear(self) -> None:
        self.rules.clear()


def not_found(path: str) -> Json:
    """Discord's specific 404 for the kind of object the path names."""
    for marker, code, message in (
        ("/interactions/", 10062, "Unknown interaction"),
        ("/scheduled-events/", 10070, "Unknown Guild Scheduled Event"),
        ("/messages/", 10008, "Unknown Message"),
        ("/webhooks/", 10015, "Unknown Webhook"),
        ("/channels/", 10003, "Unknown Channel"),
        ("/members/", 10007, "Unknown Member"),
        ("/roles/", 10011, "Unknown Role"),
        ("/commands", 10063, "Unknown application command"),
        ("/guilds/", 10004, "Unknown Guild"),
        ("/users/", 10013, "Unknown User"),
    ):
        if marker in path:
            return {"message": message, "code": code}
    return {"message": "404: Not Found", "code": 0}


def error_response(rule: Rule, path: str) -> tuple[int, Json | str, dict[str, str]]:
    """(status, body, headers) of the failure a rule injects, shaped like Discord's."""
    status = rule.status
    if status == 429:
        scope = "global" if rule.global_ else "user"
        headers = {
            "Via": "1.1 google",  # without it discord.py assumes a Cloudflare ban and gives up
            "Retry-After": str(math.ceil(rule.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
            "X-RateLimit-Bucket": f"fake-{abs(hash(rule.glob)) % 10**8:08d}",
            "X-RateLimit-Scope": scope,
        }
        if rule.global_:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": rule.global_,
            "code": 0,
        }
        return status, body, headers
    if status in (502, 503, 504):  # Cloudflare answers these with a plain-text page
        return status, f"{status} Bad Gateway", {}
    canned: dict[int, Json] = {
        400: {"message": "400: Bad Request", "code": 0},
        401: {"message": "401: Unauthorized", "code": 0},
        403: {"message": "Missing Permissions", "code": 50013},
        404: not_found(path),
        500: {"message": "500: Internal Server Error", "code": 0},
    }
    return status, canned.get(status, {"message": f"{status}: Error", "code": 0}), {}
