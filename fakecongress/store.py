"""What the fake serves: JSON documents by API path, and the bills it holds for synthesised lists.

A document that has "pagination" and exactly one list (a recorded actions page, a bill list) is
the whole list: the fake pages through it itself, so recorded pages stay self-consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from yarl import URL

Json = dict[str, Any]

BILL_TYPES = ("hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres")
DEFAULT_LIMIT = 20
MAX_LIMIT = 250
API_DATETIME = "%Y-%m-%dT%H:%M:%SZ"


class BadRequest(ValueError):
    """A query parameter the real API would refuse (answered 400)."""


def parse_update(value: Any) -> datetime:
    """An updateDate: "2022-04-03" (recorded lists) or "2022-03-25T01:16:59Z"; else the epoch."""
    text = str(value or "")
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(API_DATETIME)


@dataclass
class HeldBill:
    bill: Json  # the API's "bill" object (type upper case, number a string)
    updated: datetime
    list_only: bool = False

    @property
    def key(self) -> tuple[int, str, int]:
        return int(self.bill["congress"]), str(self.bill["type"]).lower(), int(self.bill["number"])

    @property
    def path(self) -> str:
        congress, kind, number = self.key
        return f"bill/{congress}/{kind}/{number}"

    def list_item(self, base_url: str) -> Json:
        bill = self.bill
        default = "House" if self.key[1].startswith("h") else "Senate"
        chamber = bill.get("originChamber") or default
        update = bill.get("updateDate") or api_time(self.updated)
        return {
            "congress": self.key[0],
            "latestAction": {
                k: v
                for k, v in (bill.get("latestAction") or {}).items()
                if k in ("actionDate", "actionTime", "text")
            },
            "number": str(self.key[2]),
            "originChamber": chamber,
            "originChamberCode": chamber[0],
            "title": bill.get("title", ""),
            "type": self.key[1].upper(),
            "updateDate": update,
            "updateDateIncludingText": bill.get("updateDateIncludingText", update),
            "url": f"{base_url}/{self.path}?format=json",
        }

    def detail(self, base_url: str, counts: Mapping[str, int]) -> Json:
        bill = dict(self.bill)
        for name, count in counts.items():
            url = f"{base_url}/{self.path}/{name}?format=json"
            bill.setdefault(name, {"count": count, "url": url})
        return {"bill": bill, "request": self.request()}

    def request(self) -> Json:
        congress, kind, number = self.key
        return {
            "billNumber": str(number),
            "billType": kind,
            "congress": str(congress),
            "contentType": "application/json",
            "format": "json",
        }


def held_bill(bill: Mapping[str, Any], *, list_only: bool = False) -> HeldBill:
    kind = str(bill["type"]).lower()
    if kind not in BILL_TYPES:
        raise ValueError(f"unknown bill type {bill['type']!r}; accepted: {', '.join(BILL_TYPES)}")
    stored = {**bill, "congress": int(bill["congress"]), "type": kind.upper()}
    stored["number"] = str(int(bill["number"]))
    update = stored.get("updateDate")
    if not update:
        update = stored["updateDate"] = api_time(datetime.now(UTC))
    return HeldBill(stored, parse_update(update), list_only)


def list_key(doc: Any) -> str | None:
    """The one list of a paginated document, or None when it is served verbatim."""
    if not isinstance(doc, dict) or "pagination" not in doc:
        return None
    lists = [name for name, value in doc.items() if isinstance(value, list)]
    return lists[0] if len(lists) == 1 else None


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    @classmethod
    def of(cls, query: Mapping[str, str]) -> Page:
        limit = _int(query, "limit", DEFAULT_LIMIT)
        offset = _int(query, "offset", 0)
        if limit < 1 or offset < 0:
            raise BadRequest("limit must be 1 to 250 and offset >= 0")
        return cls(min(limit, MAX_LIMIT), offset)


def _int(query: Mapping[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {value!r}") from None


def paginate(
    doc: Json,
    key: str,
    items: Sequence[Any],
    query: Mapping[str, str],
    url: str,
    render: Callable[[Any], Any] = lambda item: item,
) -> Json:
    """`doc` with one page of `items` (each through `render`) under `key` and the API's
    pagination block. Rendering only the page keeps a 10,000-bill list cheap to page through."""
    page = Page.of(query)
    pagination: Json = {"count": len(items)}
    end = page.offset + page.limit
    if end < len(items):
        pagination["next"] = _page_url(url, query, end, page.limit)
    if page.offset > 0:
        pagination["prev"] = _page_url(url, query, max(0, page.offset - page.limit), page.limit)
    shown = [render(item) for item in items[page.offset : end]]
    return {**doc, key: shown, "pagination": pagination}


def _page_url(url: str, query: Mapping[str, str], offset: int, limit: int) -> str:
    # Like the real API: offset and limit first, the caller's other parameters, format=json;
    # never the key (a client that put it in the query must not see it echoed back).
    rest = {k: v for k, v in query.items() if k not in ("offset", "limit", "format", "api_key")}
    return str(URL(url).with_query({"offset": offset, "limit": limit, **rest, "format": "json"}))


@dataclass(frozen=True)
class BillFilter:
    since: datetime | None
    until: datetime | None
    descending: bool | None  # None: keep the source order

    @classmethod
    def of(cls, query: Mapping[str, str]) -> BillFilter:
        sort = query.get("sort")
        order = None if sort is None else sort.replace("+", " ").strip()
        if order not in (None, "updateDate asc", "updateDate desc"):
            raise BadRequest(f"sort must be updateDate+asc or updateDate+desc, got {sort!r}")
        descending = None if order is None else order.endswith("desc")
        return cls(_moment(query, "fromDateTime"), _moment(query, "toDateTime"), descending)

    def keep(self, updated: datetime) -> bool:
        if self.since is not None and updated < self.since:
            return False
        return self.until is None or updated <= self.until


def _moment(query: Mapping[str, str], name: str) -> datetime | None:
    value = query.get(name)
    if value is None:
        return None
    try:
        return datetime.strptime(value, API_DATETIME).replace(tzinfo=UTC)
    except ValueError:
        raise BadRequest(f"{name} must look like 2026-01-31T00:00:00Z, got {value!r}") from None


def select_bills(
    recorded: list[Json] | None,
    held: Iterable[HeldBill],
    query: Mapping[str, str],
) -> list[Json] | list[HeldBill]:
    """What a bill list endpoint answers with, before paging: recorded list items as they are,
    or held bills (render them with HeldBill.list_item)."""
    wanted = BillFilter.of(query)
    if recorded is not None:
        dated = [(parse_update(item.get("updateDate")), item) for item in recorded]
        kept = [(updated, item) for updated, item in dated if wanted.keep(updated)]
        if wanted.descending is not None:
            kept.sort(key=lambda pair: pair[0], reverse=wanted.descending)
        return [item for _, item in kept]
    chosen = [bill for bill in held if wanted.keep(bill.updated)]
    # The real API lists the most recently updated first unless told otherwise.
    chosen.sort(key=lambda bill: (bill.updated, bill.key), reverse=wanted.descending is not False)
    return chosen
