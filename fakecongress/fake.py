"""FakeCongress: a loopback aiohttp server answering like api.congress.gov/v3."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from .rules import Kind, Rule, Rules
from .store import (
    BILL_TYPES,
    BadRequest,
    HeldBill,
    Json,
    api_time,
    held_bill,
    list_key,
    paginate,
    select_bills,
)

PREFIX = "/v3"
SIGN_UP = "Get one at https://api.congress.gov/sign-up/"
XML = '<?xml version="1.0" encoding="utf-8"?>\n<api-root><!-- ask for format=json --></api-root>\n'
BROKEN_JSON = '{"bill": {"congress": 119, "title": "Department of Homeland Security Appropri'
SUB_LISTS = ("actions", "summaries")


@dataclass
class Request:
    method: str
    path: str  # as received, e.g. "/v3/bill/119/hr/7147"
    query: dict[str, str]
    raw_query: str  # exactly as sent ("sort=updateDate+asc&format=json")
    headers: dict[str, str]  # names in lower case
    status: int = 0  # filled in once answered

    @property
    def route(self) -> str:
        """The path relative to /v3, as set() and the fixtures name it: "bill/119/hr/7147"."""
        return self.path.removeprefix(PREFIX).strip("/")


class FakeCongress:
    """Recorded fixtures plus whatever a test adds; every request is kept in `requests`."""

    def __init__(
        self, fixtures: Path | None = None, *, api_key: str = "test-key", port: int = 0
    ) -> None:
        """`port` 0 takes a free one; a fixed one lets a config file name the address first."""
        self.api_key = api_key
        self.requests: list[Request] = []
        self.documents: dict[str, Any] = {}
        self.raw: set[str] = set()
        self.bills: dict[tuple[int, str, int], HeldBill] = {}
        self.rules = Rules()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._wanted_port = port
        self._closing = asyncio.Event()
        if fixtures is not None:
            self.load(fixtures)

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> FakeCongress:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._wanted_port).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()  # slow answers stop waiting
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("FakeCongress is not running: use `async with FakeCongress()`")
        return f"http://127.0.0.1:{self._port}{PREFIX}"

    # -- content ------------------------------------------------------------------------

    def load(self, fixtures: Path) -> None:
        """Every `<api path>.json` under `fixtures` (e.g. bill/119/hr/7147/actions.json)."""
        for file in sorted(fixtures.rglob("*.json")):
            path = file.relative_to(fixtures).with_suffix("").as_posix()
            self.set(path, json.loads(file.read_text(encoding="utf-8")))

    def set(self, path: str, body: Any, *, raw: bool = False) -> None:
        """Serve `body` at `path` ("bill/119/hr/7147/actions"); a bill document also lists it.
        A document with "pagination" and one list is paged by the fake; `raw` serves `body`
        exactly as given whatever the query (odd pagination blocks, for client tests)."""
        path = path.strip("/")
        self.documents[path] = body
        if raw:
            self.raw.add(path)
        else:
            self.raw.discard(path)
        parts = path.split("/")
        bill = body.get("bill") if isinstance(body, dict) else None
        if len(parts) == 4 and parts[0] == "bill" and isinstance(bill, dict):
            held = held_bill(bill)
            self.bills[held.key] = held

    def add_bill(
        self, bill: Mapping[str, Any], actions: Iterable[Json] = (), summaries: Iterable[Json] = ()
    ) -> None:
        """Hold a bill (its "bill" object: congress, type, number, title, updateDate...) with its
        actions (newest first, as the API orders them) and CRS summaries; replaces any earlier
        version of the same bill."""
        actions, summaries = list(actions), list(summaries)
        if "latestAction" not in bill and actions:
            latest = actions[0]
            bill = {**bill, "latestAction": {k: latest[k] for k in ("actionDate", "text")}}
        held = held_bill(bill)
        self.bills[held.key] = held
        self.documents.pop(held.path, None)
        self.raw.difference_update({held.path, *(f"{held.path}/{name}" for name in SUB_LISTS)})
        for name, items in zip(SUB_LISTS, (actions, summaries), strict=True):
            self.documents[f"{held.path}/{name}"] = {
                name: items,
                "pagination": {"count": len(items)},
                "request": held.request(),
            }

    def synthetic_bills(self, congress: int, n: int, *, start: datetime) -> None:
        """Add `n` list-only bills (no details; nothing about appropriations), updated one
        second apart from `start`: the raw material of a discovery benchmark."""
        for i in range(n):
            kind = BILL_TYPES[i % len(BILL_TYPES)]
            number = 20_000 + i  # clear of every real bill number
            title = _SYNTHETIC_TITLES[i % len(_SYNTHETIC_TITLES)].format(i=i)
            bill = {
                "congress": congress,
                "type": kind.upper(),
                "number": str(number),
                "title": title,
                "latestAction": {
                    "actionDate": start.date().isoformat(),
                    "text": "Referred to the Committee on Oversight and Government Reform.",
                },
                "updateDate": api_time(start + timedelta(seconds=i)),
            }
            held = held_bill(bill, list_only=True)
            self.bills[held.key] = held

    # -- failures -----------------------------------------------------------------------

    def fail(
        self, path_glob: str, status: int, *, times: int | None = 1, retry_after: int | None = None
    ) -> Rule:
        """Answer matching paths with `status` (429: api.data.gov's OVER_RATE_LIMIT, with
        Retry-After when given; 5xx: a gateway's HTML page)."""
        return self.rules.add(path_glob, Kind.FAIL, times, status=status, retry_after=retry_after)

    def slow(self, path_glob: str, seconds: float, *, times: int | None = 1) -> Rule:
        return self.rules.add(path_glob, Kind.SLOW, times, seconds=seconds)

    def malformed(self, path_glob: str, *, times: int | None = 1) -> Rule:
        """Answer 200 application/json with a truncated body."""
        return self.rules.add(path_glob, Kind.MALFORMED, times)

    # -- serving ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        record = Request(
            request.method,
            request.path,
            dict(request.query),
            request.raw_path.partition("?")[2],
            {name.lower(): value for name, value in request.headers.items()},
        )
        self.requests.append(record)
        delay, failure = self.rules.take(record.route)
        if delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
        response = self._respond(request, record, failure)
        record.status = response.status
        return response

    def _respond(self, request: web.Request, record: Request, failure: Rule | None) -> web.Response:
        if record.method != "GET":
            return _error(405, "METHOD_NOT_ALLOWED", "The API only answers GET")
        key = request.headers.get("x-api-key")
        if not key:
            return _error(403, "API_KEY_MISSING", f"No api_key was supplied. {SIGN_UP}")
        if key != self.api_key:
            return _error(403, "API_KEY_INVALID", f"An invalid api_key was supplied. {SIGN_UP}")
        if failure is not None:
            return _failure(failure)
        if record.query.get("format") != "json":  # XML by default since April 2026
            return web.Response(text=XML, content_type="text/xml")
        if not request.path.startswith(PREFIX + "/"):
            return _error(404, "NOT_FOUND", f"Unknown resource {request.path}")
        try:
            body = self._serve(record.route, record.query)
        except BadRequest as exc:
            return _error(400, "INVALID_PARAMETER", str(exc))
        if body is None:
            return _error(404, "NOT_FOUND", f"Unknown resource {request.path}")
        return web.json_response(body)

    def _serve(self, path: str, query: Mapping[str, str]) -> Json | None:
        url = f"{self.base_url}/{path}"
        parts = path.split("/")
        doc = self.documents.get(path)
        if path in self.raw:
            return doc
        if parts[0] == "bill" and len(parts) <= 3:
            return self._bill_list(path, parts, query, url)
        if doc is not None:
            key = list_key(doc)
            return paginate(doc, key, doc[key], query, url) if key else doc
        held = self._held(parts[:4]) if len(parts) >= 4 else None
        if held is None or held.list_only or len(parts) > 4:
            return None  # sub-resource lists are documents (add_bill or fixtures)
        counts = {
            name: len(self.documents.get(f"{path}/{name}", {}).get(name, [])) for name in SUB_LISTS
        }
        return held.detail(self.base_url, counts)

    def _bill_list(
        self, path: str, parts: list[str], query: Mapping[str, str], url: str
    ) -> Json | None:
        congress = parts[1] if len(parts) > 1 else None
        kind = parts[2] if len(parts) > 2 else None
        if (congress is not None and not congress.isdigit()) or kind not in (None, *BILL_TYPES):
            return None
        doc = self.documents.get(path)
        recorded = doc.get("bills") if isinstance(doc, dict) else None
        held = [
            bill
            for bill in self.bills.values()
            if (congress is None or bill.key[0] == int(congress))
            and (kind is None or bill.key[1] == kind)
        ]
        items = select_bills(recorded if isinstance(recorded, list) else None, held, query)
        request: Json = {"contentType": "application/json", "format": "json"}
        if congress is not None:
            request["congress"] = congress
        if kind is not None:
            request["billType"] = kind
        base = {k: v for k, v in (doc or {}).items() if k not in ("bills", "pagination")}
        return paginate(
            {**base, "request": request}, "bills", items, query, url, self._render_listed
        )

    def _render_listed(self, item: Json | HeldBill) -> Json:
        return item.list_item(self.base_url) if isinstance(item, HeldBill) else item

    def _held(self, parts: list[str]) -> HeldBill | None:
        if parts[0] != "bill" or not parts[1].isdigit() or not parts[3].isdigit():
            return None
        return self.bills.get((int(parts[1]), parts[2], int(parts[3])))


def _error(status: int, code: str, message: str) -> web.Response:
    """api.data.gov's error shape."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _failure(rule: Rule) -> web.Response:
    if rule.kind is Kind.MALFORMED:
        return web.Response(text=BROKEN_JSON, content_type="application/json")
    if rule.status == 429:
        response = _error(429, "OVER_RATE_LIMIT", "You have exceeded your rate limit.")
        if rule.retry_after is not None:
            response.headers["Retry-After"] = str(rule.retry_after)
        return response
    if rule.status >= 500:
        page = f"<html><body><h1>{rule.status} Server Error</h1></body></html>"
        return web.Response(status=rule.status, text=page, content_type="text/html")
    return _error(rule.status, "INJECTED", f"injected HTTP {rule.status}")


_SYNTHETIC_TITLES = (
    "To designate the facility of the United States Postal Service at {i} Main Street as the "
    '"Post Office Building No. {i}".',
    "Rural Broadband Mapping Improvement Act of 2026 (version {i})",
    "Expressing support for the designation of National Library Week {i}.",
    "Veterans Benefits Clarification Act, part {i}",
)
