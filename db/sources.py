"""Where a fact comes from: the one way to make a source from what someone typed, and the one rule
for when two sources are the same (so a record never lists one address twice)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from db.errors import InvalidInput
from db.models import SourceRef

URL_LIMIT = 500  # SourceRef.url
MAX_SOURCES = 20  # RecordFields.sources


def site_of(url: str) -> str:
    """'startribune.com' for https://www.startribune.com/…; the address itself if it has no host."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # 'http://[' and the like: not a host name
        host = ""
    return host.removeprefix("www.")[:120] or url[:120]


def make_source(
    url: str | None, outlet: str | None = None, published: dt.date | None = None
) -> SourceRef | None:
    """A source from what was typed, or None when neither an address nor an outlet is given.
    Without an outlet, the address's site names it. Errors name `url`, `outlet` and `published`
    (callers rename them after their options with db.errors.options_named)."""
    url = (url or "").strip() or None
    outlet = (outlet or "").strip() or None
    if url is None and outlet is None:
        if published is not None:
            raise InvalidInput.one("published", "give the source's address or outlet too")
        return None
    if url is not None and len(url) > URL_LIMIT:
        raise InvalidInput.one("url", f"must be at most {URL_LIMIT} characters")
    try:
        return SourceRef(outlet=outlet or site_of(url or ""), url=url, published=published)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None


def normal_url(url: str) -> str:
    """An address in the form two spellings of it share: scheme and host in lower case, no
    'www.', no fragment, no trailing slash ('HTTPS://www.X.gov/a/' and 'https://x.gov/a#b')."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.strip()
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}{query}"


def same_source(a: SourceRef | dict[str, Any], b: SourceRef | dict[str, Any]) -> bool:
    """Two sources are one when their addresses match once normalised; without addresses, when
    their outlets match ignoring case."""
    first, second = _plain(a), _plain(b)
    if first.get("url") or second.get("url"):
        return bool(first.get("url") and second.get("url")) and normal_url(
            first["url"]
        ) == normal_url(second["url"])
    return str(first.get("outlet", "")).casefold() == str(second.get("outlet", "")).casefold()


def with_source(sources: Iterable[Any], source: SourceRef | None) -> list[dict[str, Any]]:
    """The sources (JSON form) plus `source`, unless the same one is already there."""
    current = [_plain(s) for s in sources]
    if source is None or any(same_source(old, source) for old in current):
        return current
    if len(current) >= MAX_SOURCES:
        raise InvalidInput.one(
            "url", f"a record keeps at most {MAX_SOURCES} sources; this one has {len(current)}"
        )
    return [*current, _plain(source)]


def _plain(source: SourceRef | dict[str, Any]) -> dict[str, Any]:
    return source.model_dump(mode="json") if isinstance(source, SourceRef) else dict(source)
