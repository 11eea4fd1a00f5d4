"""HTTP plumbing: one catch-all aiohttp handler that logs, injects failures, checks the token,
parses JSON or multipart bodies and routes to plain `ApiRequest -> ApiResponse` handlers.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .failures import error_response
from .limits import Finding, form_errors

if TYPE_CHECKING:
    from .fake import FakeDiscord

Json = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    field: str  # "files[0]"
    filename: str
    content_type: str
    data: bytes


@dataclass
class ApiRequest:
    method: str
    path: str  # without /api/v10 and without the query string
    params: dict[str, str]
    query: Mapping[str, str]
    body: Any = None
    files: list[Upload] = field(default_factory=list)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def int_param(self, name: str) -> int | None:
        value = self.params.get(name, "")
        return int(value) if value.isdigit() else None


@dataclass
class ApiResponse:
    status: int = 200
    body: Any = None  # JSON-able, str for plain text, None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    time: float  # time.monotonic() at arrival
    query: Mapping[str, str]
    body: Any


Handler = Callable[[ApiRequest], Awaitable[ApiResponse]]


def ok(body: Any) -> ApiResponse:
    return ApiResponse(200, body)


def no_content() -> ApiResponse:
    return ApiResponse(204)


def error(status: int, code: int, message: str) -> ApiResponse:
    return ApiResponse(status, {"message": message, "code": code})


def invalid_form(findings: list[Finding]) -> ApiResponse:
    if [f.rule for f in findings] == ["empty_message"]:
        return error(400, 50006, "Cannot send an empty message")
    body = {"code": 50035, "message": "Invalid Form Body", "errors": form_errors(findings)}
    return ApiResponse(400, body)


class HttpServer:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.routes: list[tuple[str, re.Pattern[str], Handler, bool]] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self.routes.append((method, re.compile(regex + r"\Z"), handler, auth))

    async def start(self, host: str, port: int) -> int:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/ws", self.fake.gateway.handle)
        app.router.add_get("/ws/", self.fake.gateway.handle)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        self.port = int(self.runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def _match(self, method: str, path: str) -> tuple[Handler, dict[str, str], bool] | None:
        for route_method, pattern, handler, auth in self.routes:
            found = pattern.match(path)
            if found and route_method == method:
                return handler, found.groupdict(), auth
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        arrived = time.monotonic()
        method = request.method
        path = "/" + request.match_info.get("tail", "")
        api = ApiRequest(method, path, {}, dict(request.query))
        delay, failure = fake.failures.take(method, path)
        if delay:
            await asyncio.sleep(delay)
        try:
            api.body, api.files = await _read_body(request)
        except ValueError as exc:
            response = error(400, 50109, f"The request body contains invalid JSON ({exc})")
        else:
            response = await self._respond(request, api, failure)
        fake.requests.append(
            RequestRecord(method, path, response.status, arrived, api.query, api.body)
        )
        fake.notify()
        return _to_web(response)

    async def _respond(self, request: web.Request, api: ApiRequest, failure: Any) -> ApiResponse:
        if failure is not None and not failure.lost:
            status, body, headers = error_response(failure, api.path)
            return ApiResponse(status, body, headers)
        response = await self._route(request, api)
        if failure is not None:  # lost: the request took effect, its answer is the failure
            status, body, headers = error_response(failure, api.path)
            return ApiResponse(status, body, headers)
        return response

    async def _route(self, request: web.Request, api: ApiRequest) -> ApiResponse:
        fake = self.fake
        matched = self._match(api.method, api.path)
        if matched is None:
            fake.unhandled.append(api.route)
            fake.violation(api.route, "unhandled_route", "the fake has no handler for this route")
            return error(404, 0, "404: Not Found")
        handler, api.params, auth = matched
        if auth and request.headers.get("Authorization") != f"Bot {fake.token}":
            return error(401, 0, "401: Unauthorized")
        return await handler(api)


async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    if not request.can_read_body:
        return None, []
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        body: Any = None
        files: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                data = await part.read()
                kind = part.headers.get("Content-Type", "application/octet-stream")
                files.append(Upload(part.name or "", part.filename or "", kind, bytes(data)))
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except json.JSONDecodeError as exc:
        raise ValueError(str(exc)) from exc


def _to_web(response: ApiResponse) -> web.Response:
    if response.body is None:
        return web.Response(status=response.status, headers=response.headers)
    if isinstance(response.body, str):
        headers = {"Content-Type": "text/plain", **response.headers}
        return web.Response(status=response.status, body=response.body.encode(), headers=headers)
    # Exactly "application/json": discord.py only decodes JSON when the header matches verbatim.
    headers = {"Content-Type": "application/json", **response.headers}
    return web.Response(
        status=response.status, body=json.dumps(response.body).encode(), headers=headers
    )
