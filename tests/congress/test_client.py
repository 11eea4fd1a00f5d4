"""CongressClient against the loopback FakeCongress: pagination, the key's secrecy, retries,
malformed answers and the hourly budget. Sleeping is injected: no test waits for a backoff."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from congress.client import CongressClient
from congress.errors import (
    AuthRejected,
    BudgetExhausted,
    CongressUnavailable,
    MalformedResponse,
    NotFound,
)
from fakecongress import FakeCongress

SAMPLES = Path(__file__).parents[1] / "fixtures" / "congress_samples"
KEY = "s3cret-Key-7f1c9a"  # distinctive, so a leak anywhere is found by substring
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class Waits(list[float]):
    """The injected sleep: records what the client would have waited, returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeCongress]:
    """Not named `fake`: the root conftest checks a `fake` fixture for Discord violations."""
    async with FakeCongress(SAMPLES, api_key=KEY) as fake_api:
        yield fake_api


@pytest.fixture
def waits() -> Waits:
    return Waits()


def client(fake_api: FakeCongress, waits: Waits, **options: Any) -> CongressClient:
    options.setdefault("api_key", KEY)
    options.setdefault("base_url", fake_api.base_url)
    return CongressClient(sleep=waits, rng=random.Random(12), **options)


def action(i: int) -> dict[str, Any]:
    return {"actionDate": f"2026-01-{1 + i % 28:02d}", "text": f"Action {i}", "type": "Floor"}


def routes(fake_api: FakeCongress) -> list[str]:
    return [request.route for request in fake_api.requests]


# -- reading -------------------------------------------------------------------------------


async def test_bill_reads_the_official_sample_with_a_lower_case_path(
    fake_api: FakeCongress, waits: Waits
) -> None:
    async with client(fake_api, waits) as api:
        bill = await api.bill(117, "HR", 21)
        actions = await api.actions(117, "hr", 21)
        summaries = await api.summaries(117, "hr", 21)
    assert bill["title"] == "FedRAMP Authorization Act"
    assert len(actions) == 10 and actions[-1]["text"] == "Introduced in House"
    assert summaries[0]["actionDesc"] == "Introduced in House"
    assert routes(fake_api) == [
        "bill/117/hr/21",
        "bill/117/hr/21/actions",
        "bill/117/hr/21/summaries",
    ]
    assert all(r.query["format"] == "json" for r in fake_api.requests)
    assert api.requests_made == 3


async def test_actions_follow_pagination_next_across_pages_in_order(
    fake_api: FakeCongress, waits: Waits
) -> None:
    bill = {"congress": 119, "type": "HR", "number": "7147"}
    fake_api.add_bill(bill, [action(i) for i in range(600)])
    async with client(fake_api, waits) as api:
        actions = await api.actions(119, "hr", 7147)
    assert [a["text"] for a in actions] == [f"Action {i}" for i in range(600)]
    queries = [r.query for r in fake_api.requests]
    assert queries[0] == {"limit": "250", "format": "json"}
    assert queries[1:] == [
        {"offset": "250", "limit": "250", "format": "json"},
        {"offset": "500", "limit": "250", "format": "json"},
    ]


async def test_next_urls_keep_their_parameters_gain_format_json_and_lose_any_key(
    fake_api: FakeCongress, waits: Waits
) -> None:
    # As the real API writes them: its own host, no format, and (had a key been sent in the
    # query) the key echoed back. The client stays on its base URL and never sends a key there.
    first = {
        "actions": [action(0)],
        "pagination": {
            "count": 2,
            "next": "https://api.congress.gov/v3/bill/119/hr/1/more?offset=1&limit=1"
            "&sort=updateDate+asc&api_key=ECHOED",
        },
    }
    fake_api.set("bill/119/hr/1/actions", first, raw=True)
    fake_api.set(
        "bill/119/hr/1/more", {"actions": [action(1)], "pagination": {"count": 2}}, raw=True
    )
    async with client(fake_api, waits) as api:
        items = [item async for item in api.items("bill/119/hr/1/actions", "actions")]
    assert [a["text"] for a in items] == ["Action 0", "Action 1"]
    second = fake_api.requests[1]
    assert second.route == "bill/119/hr/1/more"
    assert second.query == {
        "offset": "1",
        "limit": "1",
        "sort": "updateDate asc",
        "format": "json",
    }
    assert "ECHOED" not in second.raw_query and "api_key" not in second.query


async def test_a_next_url_pointing_back_to_a_read_page_is_malformed_not_a_loop(
    fake_api: FakeCongress, waits: Waits
) -> None:
    loop = {"actions": [], "pagination": {"next": f"{fake_api.base_url}/bill/119/hr/2/actions"}}
    fake_api.set("bill/119/hr/2/actions", loop, raw=True)
    async with client(fake_api, waits) as api:
        with pytest.raises(MalformedResponse, match="already read"):
            await api.actions(119, "hr", 2)
    assert len(fake_api.requests) == 2


async def test_updated_bills_asks_from_date_time_sorted_ascending(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.synthetic_bills(119, 600, start=T0)
    async with client(fake_api, waits) as api:
        listed = [b async for b in api.updated_bills(119, T0 + timedelta(seconds=100))]
    assert len(listed) == 500
    updates = [b["updateDate"] for b in listed]
    assert updates == sorted(updates) and updates[0] == "2026-11-01T12:01:40Z"
    assert fake_api.requests[0].raw_query == (
        "sort=updateDate+asc&fromDateTime=2026-11-01T12:01:40Z&limit=250&format=json"
    )
    assert len(fake_api.requests) == 2
    assert fake_api.requests[1].query["fromDateTime"] == "2026-11-01T12:01:40Z"


async def test_updated_bills_without_since_lists_everything(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.synthetic_bills(119, 3, start=T0)
    async with client(fake_api, waits) as api:
        listed = [b async for b in api.updated_bills(119, None)]
    assert [b["number"] for b in listed] == ["20000", "20001", "20002"]
    assert "fromDateTime" not in fake_api.requests[0].query


async def test_a_bad_bill_type_is_refused_before_any_request(
    fake_api: FakeCongress, waits: Waits
) -> None:
    async with client(fake_api, waits) as api:
        with pytest.raises(ValueError, match="unknown bill type 'hx'; accepted: hconres, hjres"):
            await api.bill(119, "hx", 1)
    assert fake_api.requests == []


def test_a_client_needs_a_key() -> None:
    with pytest.raises(ValueError, match="API key is required"):
        CongressClient(base_url="http://127.0.0.1:9/v3", api_key="")


# -- the key -------------------------------------------------------------------------------


async def test_the_key_travels_only_in_the_header_and_never_reaches_logs_or_errors(
    fake_api: FakeCongress, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.synthetic_bills(119, 300, start=T0)
    fake_api.fail("bill/117/hr/21/actions", 503, times=None)
    fake_api.malformed("bill/117/hr/21/summaries")
    errors: list[Exception] = []
    async with client(fake_api, waits, attempts=2) as api:
        await api.bill(117, "hr", 21)
        _ = [b async for b in api.updated_bills(119, T0)]
        for call in (api.actions, api.summaries):
            try:
                await call(117, "hr", 21)
            except (CongressUnavailable, MalformedResponse) as error:
                errors.append(error)
    async with client(fake_api, waits, api_key=KEY + "-wrong") as wrong:
        with pytest.raises(AuthRejected) as rejected:
            await wrong.bill(117, "hr", 21)
    assert len(errors) == 2
    assert len(fake_api.requests) == 7
    for request in fake_api.requests[:-1]:
        assert request.headers["x-api-key"] == KEY
    for request in fake_api.requests:
        assert KEY not in request.path and KEY not in request.raw_query
        assert "api_key" not in request.query
    texts = [str(e) for e in [*errors, rejected.value]] + [caplog.text]
    assert "GET http://127.0.0.1" in caplog.text  # URLs were logged: the check means something
    assert all(KEY not in text for text in texts)


async def test_a_connection_error_names_the_url_without_the_key(waits: Waits) -> None:
    async with FakeCongress(api_key=KEY) as gone:
        base_url = gone.base_url  # the port is closed once the fake has stopped
    async with CongressClient(base_url=base_url, api_key=KEY, sleep=waits, attempts=2) as api:
        with pytest.raises(CongressUnavailable) as raised:
            await api.bill(119, "hr", 1)
    message = str(raised.value)
    assert "connection error" in message and f"{base_url}/bill/119/hr/1?format=json" in message
    assert KEY not in message and raised.value.last_status is None
    assert len(waits) == 1


async def test_403_is_auth_rejected_and_not_retried(fake_api: FakeCongress, waits: Waits) -> None:
    async with client(fake_api, waits, api_key="not-the-key") as api:
        with pytest.raises(AuthRejected, match=r"HTTP 403.*check CONGRESS_API_KEY") as raised:
            await api.bill(117, "hr", 21)
    assert raised.value.status == 403
    assert len(fake_api.requests) == 1 and waits == []


async def test_404_is_not_found(fake_api: FakeCongress, waits: Waits) -> None:
    async with client(fake_api, waits) as api:
        with pytest.raises(NotFound, match="bill/119/hr/99999"):
            await api.bill(119, "hr", 99999)
    assert len(fake_api.requests) == 1


# -- retries -------------------------------------------------------------------------------


async def test_429_waits_out_retry_after_then_succeeds(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.fail("bill/117/hr/21", 429, retry_after=7)
    async with client(fake_api, waits) as api:
        bill = await api.bill(117, "hr", 21)
    assert bill["number"] == "21"
    assert waits == [7.0]
    assert [r.status for r in fake_api.requests] == [429, 200]


async def test_429_retry_after_is_capped(fake_api: FakeCongress, waits: Waits) -> None:
    fake_api.fail("bill/117/hr/21", 429, retry_after=86_400)
    async with client(fake_api, waits) as api:
        await api.bill(117, "hr", 21)
    assert waits == [900.0]


async def test_429_without_retry_after_backs_off(fake_api: FakeCongress, waits: Waits) -> None:
    fake_api.fail("bill/117/hr/21", 429)
    async with client(fake_api, waits) as api:
        await api.bill(117, "hr", 21)
    assert len(waits) == 1 and 0.5 <= waits[0] <= 1.0


async def test_5xx_backs_off_exponentially_with_jitter_then_succeeds(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.fail("bill/117/hr/21", 503, times=3)
    async with client(fake_api, waits) as api:
        await api.bill(117, "hr", 21)
    assert [r.status for r in fake_api.requests] == [503, 503, 503, 200]
    assert len(waits) == 3
    for attempt, waited in enumerate(waits, start=1):
        full = 2 ** (attempt - 1)
        assert full / 2 <= waited <= full
    assert len(set(waits)) == 3  # jittered, not a fixed ladder


async def test_5xx_past_attempts_is_unavailable_naming_url_and_status(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.fail("bill/*/hr/*", 500, times=None)
    async with client(fake_api, waits, attempts=3) as api:
        with pytest.raises(CongressUnavailable) as raised:
            await api.bill(117, "hr", 21)
    message = str(raised.value)
    assert f"GET {fake_api.base_url}/bill/117/hr/21?format=json" in message
    assert "failed 3 time(s), last: HTTP 500" in message
    assert raised.value.last_status == 500
    assert len(fake_api.requests) == 3 and len(waits) == 2  # no pointless wait after the last try


async def test_a_slow_answer_times_out_and_is_retried(fake_api: FakeCongress, waits: Waits) -> None:
    fake_api.slow("bill/117/hr/21", 0.4)
    async with client(fake_api, waits, timeout=0.1) as api:
        bill = await api.bill(117, "hr", 21)
    assert bill["number"] == "21"
    assert len(fake_api.requests) == 2 and len(waits) == 1


async def test_slow_answers_past_attempts_are_unavailable(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.slow("bill/117/hr/21", 0.4, times=None)
    async with client(fake_api, waits, timeout=0.1, attempts=2) as api:
        with pytest.raises(CongressUnavailable, match=r"last: timed out after 0.1 s") as raised:
            await api.bill(117, "hr", 21)
    assert raised.value.last_status is None
    assert len(fake_api.requests) == 2


# -- malformed answers ---------------------------------------------------------------------


async def test_broken_json_is_malformed_with_the_url_and_logged_once(
    fake_api: FakeCongress, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_api.malformed("bill/117/hr/21")
    async with client(fake_api, waits) as api:
        with pytest.raises(MalformedResponse, match="not JSON") as raised:
            await api.bill(117, "hr", 21)
        assert (await api.bill(117, "hr", 21))["number"] == "21"  # the next call is fine
    assert raised.value.url == f"{fake_api.base_url}/bill/117/hr/21?format=json"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and raised.value.url in warnings[0].getMessage()
    assert len(fake_api.requests) == 2  # not retried: asking again would not mend it


async def test_json_without_the_expected_key_is_malformed(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.set("bill/119/hr/5", {"request": {"format": "json"}})
    fake_api.set("bill/119/hr/5/actions", {"pagination": {"count": 0}}, raw=True)
    async with client(fake_api, waits) as api:
        with pytest.raises(MalformedResponse, match='no "bill" object'):
            await api.bill(119, "hr", 5)
        with pytest.raises(MalformedResponse, match='no "actions" list') as raised:
            await api.actions(119, "hr", 5)
        with pytest.raises(MalformedResponse, match="not a JSON object"):
            fake_api.set("bill/119/hr/6", [1, 2])
            await api.get("bill/119/hr/6")
    assert raised.value.url.endswith("/bill/119/hr/5/actions?limit=250&format=json")


# -- budget --------------------------------------------------------------------------------


async def test_the_budget_refuses_request_n_plus_one_in_a_sliding_hour_without_sending(
    fake_api: FakeCongress, waits: Waits
) -> None:
    clock = Clock()
    async with client(fake_api, waits, requests_per_hour=3, now=clock) as api:
        for offset in (0, 1000, 2000):
            clock.t = 1000.0 + offset
            await api.bill(117, "hr", 21)
        clock.t = 1000.0 + 3000
        with pytest.raises(BudgetExhausted, match="3 requests in the last hour") as raised:
            await api.bill(117, "hr", 21)
        assert raised.value.retry_in == 600
        assert len(fake_api.requests) == 3 and api.requests_made == 3
        clock.t = 1000.0 + 3600  # the first request has left the hour
        await api.bill(117, "hr", 21)
    assert len(fake_api.requests) == 4


async def test_retries_and_pages_count_against_the_budget(
    fake_api: FakeCongress, waits: Waits
) -> None:
    fake_api.add_bill(
        {"congress": 119, "type": "S", "number": "1"}, [action(i) for i in range(600)]
    )
    fake_api.fail("bill/119/s/1/actions", 503)
    async with client(fake_api, waits, requests_per_hour=3, now=Clock()) as api:
        with pytest.raises(BudgetExhausted):
            await api.actions(119, "s", 1)  # 503, page 1, page 2, then page 3 is refused
    assert [r.status for r in fake_api.requests] == [503, 200, 200]


async def test_a_relative_next_url_is_resolved_against_the_page_read(
    fake_api: FakeCongress, waits: Waits
) -> None:
    first = {"actions": [action(0)], "pagination": {"next": "more?offset=1"}}
    fake_api.set("bill/119/hr/3/actions", first, raw=True)
    fake_api.set("bill/119/hr/3/more", {"actions": [action(1)], "pagination": {}}, raw=True)
    async with client(fake_api, waits) as api:
        assert len(await api.actions(119, "hr", 3)) == 2
    assert fake_api.requests[1].route == "bill/119/hr/3/more"
    assert fake_api.requests[1].query == {"offset": "1", "format": "json"}
