"""CongressClient: GET JSON from Congress.gov with budget, retries and pagination.

Every request counts against a sliding-hour budget (the key's real limit is 5,000/h; the default
1,000 leaves room for people sharing the key). 429 waits out Retry-After; 5xx, timeouts and
connection errors back off exponentially with jitter (each try, 429s included, counts against
`attempts`); 401/403, 404 and malformed JSON are not retried: asking again will not mend them.
MalformedResponse is logged here, once, at WARNING: callers skip the bill without logging again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from .errors import (
    AuthRejected,
    BudgetExhausted,
    CongressError,
    CongressUnavailable,
    MalformedResponse,
    NotFound,
)

log = logging.getLogger(__name__)

BILL_TYPES = frozenset({"hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres"})
PAGE_LIMIT = 250  # the API's maximum page size: 10,000 listed bills are 40 requests
HOUR = 3600.0
RETRY_AFTER_CAP = 900.0  # never park a sync longer than 15 min on one answer
BACKOFF_BASE = 1.0
BACKOFF_CAP = 60.0

Json = dict[str, Any]
Param = str | int


class CongressClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        requests_per_hour: int = 1000,
        timeout: float = 30.0,
        attempts: int = 5,
        session: aiohttp.ClientSession | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("a Congress.gov API key is required (CONGRESS_API_KEY)")
        if requests_per_hour < 1 or attempts < 1 or timeout <= 0:
            raise ValueError("requests_per_hour and attempts must be >= 1, timeout > 0")
        self.base = URL(base_url.rstrip("/"))
        self._key = api_key
        self.requests_per_hour = requests_per_hour
        self.timeout = timeout
        self.attempts = attempts
        self._session = session
        self._owns_session = session is None
        self._sleep = sleep
        self._now = now
        self._rng = rng or random.Random()
        self._sent: deque[float] = deque()  # send times within the sliding hour
        self.requests_made = 0

    async def __aenter__(self) -> CongressClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    # -- public API -------------------------------------------------------------------------

    async def get(self, path: str, **params: Param) -> Json:
        """One JSON object from `path` (relative to the base URL, e.g. "bill/119/hr/7147")."""
        return await self._fetch(self._url(path, params))

    async def items(self, path: str, key: str, **params: Param) -> AsyncIterator[Json]:
        """Every item of list `key` across all pages, following pagination.next."""
        params.setdefault("limit", PAGE_LIMIT)
        url: URL | None = self._url(path, params)
        seen: set[str] = set()
        while url is not None:
            seen.add(str(url))
            data = await self._fetch(url)
            page = data.get(key)
            if not isinstance(page, list):
                raise self._malformed(url, f'no "{key}" list in the answer')
            for item in page:
                if not isinstance(item, dict):
                    raise self._malformed(url, f'an item of "{key}" is not an object')
                yield item
            url = self._next_url(url, data)
            if url is not None and str(url) in seen:  # a server bug must not loop forever
                raise self._malformed(url, "pagination.next points back to a page already read")

    async def bill(self, congress: int, bill_type: str, number: int) -> Json:
        """The "bill" object of one bill."""
        path = _bill_path(congress, bill_type, number)
        url = self._url(path, {})
        bill = (await self._fetch(url)).get("bill")
        if not isinstance(bill, dict):
            raise self._malformed(url, 'no "bill" object in the answer')
        return bill

    async def actions(self, congress: int, bill_type: str, number: int) -> list[Json]:
        path = _bill_path(congress, bill_type, number) + "/actions"
        return [action async for action in self.items(path, "actions")]

    async def summaries(self, congress: int, bill_type: str, number: int) -> list[Json]:
        path = _bill_path(congress, bill_type, number) + "/summaries"
        return [summary async for summary in self.items(path, "summaries")]

    def updated_bills(self, congress: int, since: datetime | None) -> AsyncIterator[Json]:
        """List items of the bills of `congress` updated since `since`, oldest update first."""
        params: dict[str, Param] = {"sort": "updateDate asc"}  # sent as sort=updateDate+asc
        if since is not None:
            params["fromDateTime"] = api_datetime(since)
        return self.items(f"bill/{int(congress)}", "bills", **params)

    # -- HTTP -------------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, Param]) -> URL:
        if "api_key" in params:
            raise ValueError("the API key travels in the x-api-key header, never in a URL")
        query = {name: str(value) for name, value in params.items()}
        query["format"] = "json"
        return URL(f"{self.base}/{path.strip('/')}").with_query(query)

    def _next_url(self, current: URL, data: Json) -> URL | None:
        pagination = data.get("pagination")
        following = pagination.get("next") if isinstance(pagination, dict) else None
        if not following:
            return None
        if not isinstance(following, str):
            raise self._malformed(current, "pagination.next is not a URL")
        url = URL(following)
        if not url.absolute:
            url = current.join(url)
        if url.origin() != self.base.origin():
            # The key header only ever goes to the configured host (api.congress.gov's next URLs
            # name the public host even behind a proxy).
            url = url.with_scheme(self.base.scheme).with_host(self.base.raw_host or "")
            url = url.with_port(self.base.explicit_port)
        return url.without_query_params("api_key").update_query(format="json")

    def _take_budget(self, url: URL) -> None:
        now = self._now()
        while self._sent and self._sent[0] <= now - HOUR:
            self._sent.popleft()
        if len(self._sent) >= self.requests_per_hour:
            retry_in = self._sent[0] + HOUR - now
            raise BudgetExhausted(
                f"Congress.gov budget used up: {self.requests_per_hour} requests in the last "
                f"hour; next one possible in {math.ceil(retry_in / 60)} min (not sent: GET {url})",
                retry_in=retry_in,
            )
        self._sent.append(now)

    async def _fetch(self, url: URL) -> Json:
        last = "no attempt"
        last_status: int | None = None
        for attempt in range(1, self.attempts + 1):
            self._take_budget(url)
            self.requests_made += 1
            wait: float | None = None
            try:
                status, headers, body = await self._send(url)
            except TimeoutError:
                last, last_status = f"timed out after {self.timeout:g} s", None
            except aiohttp.ClientError as exc:
                last, last_status = f"connection error: {self._redact(str(exc))}", None
            else:
                log.debug("GET %s -> %s", url, status)
                if status == 200:
                    return self._decode(url, headers, body)
                last, last_status = f"HTTP {status}", status
                if status == 429:
                    wait = _retry_after(headers.get("Retry-After"))
                elif status < 500:
                    raise self._client_error(url, status)
            if attempt == self.attempts:
                break
            if wait is None:
                wait = self._backoff(attempt)
            log.debug("GET %s: %s; retrying in %.1f s", url, last, wait)
            await self._sleep(wait)
        raise CongressUnavailable(
            f"Congress.gov unavailable: GET {url} failed {self.attempts} time(s), last: {last}",
            url=str(url),
            last_status=last_status,
        )

    async def _send(self, url: URL) -> tuple[int, CIMultiDict[str], bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"x-api-key": self._key, "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with self._session.get(url, headers=headers, timeout=timeout) as response:
            return response.status, CIMultiDict(response.headers), await response.read()

    def _decode(self, url: URL, headers: CIMultiDict[str], body: bytes) -> Json:
        try:
            data = json.loads(body)
        except ValueError:
            kind = headers.get("Content-Type", "no content type")
            raise self._malformed(url, f"the answer is not JSON ({kind})") from None
        if not isinstance(data, dict):
            raise self._malformed(url, "the answer is not a JSON object")
        return data

    def _malformed(self, url: URL, why: str) -> MalformedResponse:
        message = f"Congress.gov sent a malformed answer to GET {url}: {why}"
        log.warning("%s", message)
        return MalformedResponse(message, url=str(url))

    def _client_error(self, url: URL, status: int) -> CongressError:
        if status in (401, 403):
            return AuthRejected(
                f"Congress.gov rejected the API key (HTTP {status}) for GET {url}: "
                "check CONGRESS_API_KEY",
                url=str(url),
                status=status,
            )
        if status == 404:
            return NotFound(f"Congress.gov has no such resource: GET {url}", url=str(url))
        return CongressError(f"Congress.gov refused GET {url} (HTTP {status})")

    def _backoff(self, attempt: int) -> float:
        # Half fixed, half random: spread out retries of clients that failed together.
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return delay / 2 + self._rng.uniform(0, delay / 2)

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "[key]")


def _bill_path(congress: int, bill_type: str, number: int) -> str:
    kind = bill_type.lower()
    if kind not in BILL_TYPES:
        accepted = ", ".join(sorted(BILL_TYPES))
        raise ValueError(f"unknown bill type {bill_type!r}; accepted: {accepted}")
    if int(congress) < 1 or int(number) < 1:
        raise ValueError("congress and bill number must be positive")
    return f"bill/{int(congress)}/{kind}/{int(number)}"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, capped; None (back off instead) when absent or a date."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or seconds != seconds:  # absent or NaN
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def api_datetime(moment: datetime) -> str:
    """YYYY-MM-DDTHH:MM:SSZ in UTC, as fromDateTime/toDateTime want it (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
