"""Files in the console: a local path given to a file option is served to the bot as Discord's CDN
would serve an upload; files the bot attaches are saved to a folder, never over another file.
"""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.console.parse import LineError

Json = dict[str, Any]
MAX_UPLOAD = 25 * 1024 * 1024  # Discord's upload limit for a normal server


class FileHost:
    """Serves the console's uploads on 127.0.0.1 (the bot downloads attachments by URL)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/attachments/{id}/{name}", self._get)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _get(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["id"])
        return web.Response(status=404) if data is None else web.Response(body=data)

    def upload(self, option: str, path: str) -> Json:
        """The attachment Discord puts in the interaction for `path`, or LineError saying why the
        file cannot be sent."""
        file = Path(path).expanduser()
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise LineError(f"Option '{option}': no file {file.resolve()}") from None
        except OSError as error:
            raise LineError(f"Option '{option}': cannot read {file}: {error.strerror}") from None
        if len(data) > MAX_UPLOAD:
            raise LineError(f"Option '{option}': {file.name} is over Discord's 25 MB upload limit")
        attachment_id = str(secrets.randbelow(10**18) + 10**17)
        self.files[attachment_id] = data
        url = f"{self.base}/attachments/{attachment_id}/{file.name}"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return {
            "id": attachment_id,
            "filename": file.name,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": kind,
            "ephemeral": True,
        }


def save(folder: Path, filename: str, data: bytes) -> Path:
    """Write `data` as `filename` in `folder`, adding -2, -3 … rather than replacing a file."""
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(filename).name or "file"  # never a path from the bot
    stem, suffix = Path(name).stem, Path(name).suffix
    target, n = folder / name, 1
    while True:
        try:
            with target.open("xb") as out:
                out.write(data)
            return target.resolve()
        except FileExistsError:
            n += 1
            target = folder / f"{stem}-{n}{suffix}"
