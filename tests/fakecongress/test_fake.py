"""FakeCongress answers like api.congress.gov: fixtures, synthesised lists, paging, filters,
the key check, the XML default and injected failures. Plain aiohttp requests, no client."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDictProxy

from fakecongress import FakeCongress

SAMPLES = Path(__file__).parents[1] / "fixtures" / "congress_samples"
KEY = "test-key"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LIST_ITEM_KEYS = {
    "congress",
    "latestAction",
    "number",
    "originChamber",
    "originChamberCode",
    "title",
    "type",
    "updateDate",
    "updateDateIncludingText",
    "url",
}


class Api:
    """GET helper: the key in the header and format=json unless told otherwise."""

    def __init__(self, fake: FakeCongress, session: aiohttp.ClientSession) -> None:
        self.fake, self.session = fake, session

    async def get(
        self, path: str, *, key: str | None = KEY, fmt: str | None = "json", **params: Any
    ) -> tuple[int, CIMultiDictProxy[str], Any]:
        query = {k: str(v) for k, v in params.items()}
        if fmt is not None:
            query["format"] = fmt
        headers = {"x-api-key": key} if key is not None else {}
        url = f"{self.fake.base_url}/{path}"
        async with self.session.get(url, params=query, headers=headers) as response:
            body: Any = await response.text()
            if response.content_type == "application/json":
                with contextlib.suppress(json.JSONDecodeError):  # malformed() on purpose
                    body = json.loads(body)
            return response.status, response.headers, body

    async def json(self, path: str, **params: Any) -> Any:
        status, _, body = await self.get(path, **params)
        assert status == 200, body
        return body

    async def follow(self, url: str) -> Any:
        async with self.session.get(url, headers={"x-api-key": KEY}) as response:
            assert response.status == 200
            return await response.json()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeCongress]:
    """Not named `fake`: the root conftest checks a `fake` fixture for Discord violations."""
    async with FakeCongress(SAMPLES) as fake:
        yield fake


@pytest.fixture
async def api(fake_api: FakeCongress) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(fake_api, session)


def bill(number: int, update: str, kind: str = "HR", **extra: Any) -> dict[str, Any]:
    return {
        "congress": 119,
        "type": kind,
        "number": str(number),
        "title": f"Bill {number}",
        "updateDate": update,
        **extra,
    }


# -- the real API's manners ----------------------------------------------------------------


async def test_no_key_is_403_api_key_missing(api: Api) -> None:
    status, _, body = await api.get("bill/117/hr/21", key=None)
    assert status == 403
    assert body["error"]["code"] == "API_KEY_MISSING"
    assert "api.congress.gov/sign-up" in body["error"]["message"]


async def test_a_wrong_key_is_403_api_key_invalid(api: Api) -> None:
    status, _, body = await api.get("bill/117/hr/21", key="nope")
    assert (status, body["error"]["code"]) == (403, "API_KEY_INVALID")


async def test_a_key_in_the_query_is_not_accepted(api: Api) -> None:
    # The project only ever sends the header; the fake refuses a query key to catch regressions.
    status, _, _ = await api.get("bill/117/hr/21", key=None, api_key=KEY)
    assert status == 403


async def test_without_format_json_the_answer_is_xml(api: Api) -> None:
    status, headers, body = await api.get("bill/117/hr/21", fmt=None)
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert body.startswith("<?xml")


async def test_unknown_resources_are_404(api: Api) -> None:
    for path in ("bill/117/hr/99", "bill/117/hr/21/nothing", "member/X1", "bill/117/xx"):
        status, _, body = await api.get(path)
        assert status == 404, path
        assert body["error"]["code"] == "NOT_FOUND"


async def test_requests_are_recorded_for_assertions(api: Api, fake_api: FakeCongress) -> None:
    await api.get("bill/119", sort="updateDate asc", limit=5)
    await api.get("bill/117/hr/21", key=None)
    first, second = fake_api.requests
    assert (first.method, first.path, first.route) == ("GET", "/v3/bill/119", "bill/119")
    assert first.query == {"sort": "updateDate asc", "limit": "5", "format": "json"}
    assert first.raw_query == "sort=updateDate+asc&limit=5&format=json"
    assert first.headers["x-api-key"] == KEY and first.status == 200
    assert "x-api-key" not in second.headers and second.status == 403


# -- recorded fixtures ---------------------------------------------------------------------


async def test_the_official_bill_sample_is_served_as_recorded(api: Api) -> None:
    recorded = json.loads((SAMPLES / "bill/117/hr/21.json").read_text())
    assert await api.json("bill/117/hr/21") == recorded


async def test_a_recorded_sub_list_is_paged_by_the_fake(api: Api) -> None:
    whole = await api.json("bill/117/hr/21/actions", limit=250)
    assert len(whole["actions"]) == 10
    assert whole["pagination"] == {"count": 10}
    assert whole["actionByCounts"] == {"houseOfRepresentatives": 9, "senate": 1}  # kept
    first = await api.json("bill/117/hr/21/actions", limit=4)
    assert first["actions"] == whole["actions"][:4]
    assert first["pagination"]["next"].endswith(
        "/bill/117/hr/21/actions?offset=4&limit=4&format=json"
    )
    third = await api.json("bill/117/hr/21/actions", limit=4, offset=8)
    assert third["actions"] == whole["actions"][8:]
    assert "next" not in third["pagination"] and third["pagination"]["prev"].count("offset=4")


async def test_a_recorded_bill_list_is_served_from_its_fixture(api: Api) -> None:
    recorded = json.loads((SAMPLES / "bill/117/hr.json").read_text())["bills"]
    page = await api.json("bill/117/hr")
    assert page["bills"] == recorded  # 20 items: the default limit
    assert page["pagination"] == {"count": 20}
    newest_first = await api.json("bill/117/hr", sort="updateDate desc", limit=250)
    dates = [b["updateDate"] for b in newest_first["bills"]]
    assert dates == sorted(dates, reverse=True)


# -- synthesised lists ---------------------------------------------------------------------


async def test_lists_are_synthesised_from_held_bills_in_the_api_shape(
    api: Api, fake_api: FakeCongress
) -> None:
    fake_api.add_bill(
        bill(7147, "2026-03-01T10:00:00Z", policyArea={"name": "Economics"}),
        [
            {
                "actionDate": "2026-02-28",
                "text": "Became Public Law No: 119-21.",
                "type": "BecameLaw",
            }
        ],
    )
    fake_api.add_bill(bill(20, "2026-03-02T10:00:00Z", kind="S"))
    listed = await api.json("bill/119")
    assert [(b["type"], b["number"]) for b in listed["bills"]] == [("S", "20"), ("HR", "7147")]
    item = listed["bills"][1]
    assert set(item) == LIST_ITEM_KEYS
    assert item["congress"] == 119 and item["originChamber"] == "House"
    assert item["latestAction"] == {
        "actionDate": "2026-02-28",
        "text": "Became Public Law No: 119-21.",
    }
    assert item["url"] == f"{fake_api.base_url}/bill/119/hr/7147?format=json"
    assert listed["request"] == {
        "congress": "119",
        "contentType": "application/json",
        "format": "json",
    }
    only_hr = await api.json("bill/119/hr")
    assert [b["number"] for b in only_hr["bills"]] == ["7147"]
    everything = await api.json("bill")
    assert {b["congress"] for b in everything["bills"]} == {117, 119}  # H.R. 21 from the fixtures


async def test_lists_honour_from_to_date_time_and_sort(api: Api, fake_api: FakeCongress) -> None:
    for day in range(1, 6):
        fake_api.add_bill(bill(day, f"2026-03-0{day}T10:00:00Z"))
    found = await api.json(
        "bill/119",
        fromDateTime="2026-03-02T10:00:00Z",
        toDateTime="2026-03-04T10:00:00Z",
        sort="updateDate asc",
    )
    assert [b["number"] for b in found["bills"]] == ["2", "3", "4"]
    assert found["pagination"]["count"] == 3
    newest = await api.json("bill/119", sort="updateDate desc")
    assert [b["number"] for b in newest["bills"]] == ["5", "4", "3", "2", "1"]
    status, _, body = await api.get("bill/119", fromDateTime="2026-03-02")
    assert status == 400 and "fromDateTime must look like" in body["error"]["message"]
    status, _, body = await api.get("bill/119", sort="title asc")
    assert status == 400 and "sort must be" in body["error"]["message"]


async def test_list_pages_carry_next_with_every_param_but_no_key(
    api: Api, fake_api: FakeCongress
) -> None:
    fake_api.synthetic_bills(119, 600, start=T0)
    page = await api.json(
        "bill/119", sort="updateDate asc", fromDateTime="2026-11-01T12:00:00Z", limit=250
    )
    seen = [b["number"] for b in page["bills"]]
    assert page["pagination"]["count"] == 600
    following = page["pagination"]["next"]
    assert following == (
        f"{fake_api.base_url}/bill/119?offset=250&limit=250&sort=updateDate+asc"
        "&fromDateTime=2026-11-01T12:00:00Z&format=json"
    )
    while following:
        page = await api.follow(following)
        seen += [b["number"] for b in page["bills"]]
        following = page["pagination"].get("next")
    assert seen == [str(20_000 + i) for i in range(600)]
    assert all("x-api-key" in r.headers and "api_key" not in r.query for r in fake_api.requests)


async def test_limit_defaults_to_20_and_is_capped_at_250(api: Api, fake_api: FakeCongress) -> None:
    fake_api.synthetic_bills(119, 300, start=T0)
    assert len((await api.json("bill/119"))["bills"]) == 20
    assert len((await api.json("bill/119", limit=1000))["bills"]) == 250
    status, _, body = await api.get("bill/119", limit="many")
    assert status == 400 and "limit must be a whole number" in body["error"]["message"]


async def test_add_bill_serves_detail_and_paged_sub_lists(api: Api, fake_api: FakeCongress) -> None:
    actions = [{"actionDate": "2026-01-01", "text": f"A{i}"} for i in range(30)]
    summaries = [
        {"actionDate": "2026-01-01", "actionDesc": "Introduced in House", "text": "<p>x</p>"}
    ]
    fake_api.add_bill(bill(117, "2026-01-02T00:00:00Z", kind="HJRES"), actions, summaries)
    detail = (await api.json("bill/119/hjres/117"))["bill"]
    assert detail["type"] == "HJRES" and detail["number"] == "117"
    assert detail["actions"] == {
        "count": 30,
        "url": f"{fake_api.base_url}/bill/119/hjres/117/actions?format=json",
    }
    assert detail["summaries"]["count"] == 1
    page = await api.json("bill/119/hjres/117/actions")
    assert [a["text"] for a in page["actions"]] == [f"A{i}" for i in range(20)]
    assert page["pagination"]["count"] == 30 and "offset=20" in page["pagination"]["next"]
    assert (await api.json("bill/119/hjres/117/summaries"))["summaries"] == summaries


async def test_add_bill_replaces_a_fixture_bill(api: Api, fake_api: FakeCongress) -> None:
    fake_api.add_bill(bill(21, "2026-05-05T00:00:00Z", congress=117, title="Renamed"))
    assert (await api.json("bill/117/hr/21"))["bill"]["title"] == "Renamed"
    assert (await api.json("bill/117/hr/21/actions"))["actions"] == []


async def test_set_serves_a_document_and_lists_a_bill_document(
    api: Api, fake_api: FakeCongress
) -> None:
    fake_api.set("/bill/119/s/9", {"bill": bill(9, "2026-06-01T00:00:00Z", kind="S")})
    fake_api.set("bill/119/s/9/titles", {"titles": [{"title": "T"}]})
    assert (await api.json("bill/119/s/9"))["bill"]["number"] == "9"
    assert await api.json("bill/119/s/9/titles") == {"titles": [{"title": "T"}]}
    assert [b["number"] for b in (await api.json("bill/119/s"))["bills"]] == ["9"]


async def test_synthetic_bills_are_list_only_and_not_appropriations(
    api: Api, fake_api: FakeCongress
) -> None:
    fake_api.synthetic_bills(119, 10_000, start=T0)
    started = time.perf_counter()
    pages = 1
    page = await api.json("bill/119", sort="updateDate asc", limit=250)
    titles = [b["title"] for b in page["bills"]]
    while following := page["pagination"].get("next"):
        page = await api.follow(following)
        titles += [b["title"] for b in page["bills"]]
        pages += 1
    elapsed = time.perf_counter() - started
    print(f"10,000 listed bills: {pages} pages in {elapsed:.2f} s")  # for BENCHMARKS.md
    assert pages == 40 and len(titles) == 10_000
    assert not any("appropriation" in title.lower() for title in titles)
    status, _, _ = await api.get("bill/119/hr/20000")
    assert status == 404  # list-only: discovery must not need details of these


# -- injected failures ---------------------------------------------------------------------


async def test_fail_answers_n_times_then_recovers(api: Api, fake_api: FakeCongress) -> None:
    fake_api.fail("bill/*/hr/*", 503, times=2)
    statuses = [(await api.get("bill/117/hr/21"))[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert (await api.get("bill/117/hr"))[0] == 200  # `*` is one path segment


async def test_fail_429_carries_retry_after_and_the_rate_limit_error(
    api: Api, fake_api: FakeCongress
) -> None:
    fake_api.fail("bill/**", 429, retry_after=30)
    status, headers, body = await api.get("bill/117/hr/21/actions")
    assert (status, headers["Retry-After"]) == (429, "30")
    assert body["error"]["code"] == "OVER_RATE_LIMIT"


async def test_fail_5xx_is_an_html_page(api: Api, fake_api: FakeCongress) -> None:
    fake_api.fail("bill/117/hr/21", 502, times=None)
    for _ in range(2):
        status, headers, body = await api.get("bill/117/hr/21")
        assert status == 502 and headers["Content-Type"].startswith("text/html")
        assert "502" in body


async def test_malformed_is_a_200_with_broken_json(api: Api, fake_api: FakeCongress) -> None:
    fake_api.malformed("bill/117/hr/21")
    status, headers, body = await api.get("bill/117/hr/21", fmt="json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    assert (await api.get("bill/117/hr/21"))[0] == 200


async def test_slow_delays_the_answer(api: Api, fake_api: FakeCongress) -> None:
    fake_api.slow("bill/117/hr/21", 5.0)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TimeoutError):
            await session.get(
                f"{fake_api.base_url}/bill/117/hr/21?format=json",
                headers={"x-api-key": KEY},
                timeout=aiohttp.ClientTimeout(total=0.1),
            )
    assert (await api.get("bill/117/hr/21"))[0] == 200  # times=1: the next one is quick
    # Leaving the fake does not wait the 5 s out (the fixture's exit would hang otherwise).
