"""A fake Congress.gov API v3 on 127.0.0.1 for tests and benchmarks (no internet needed).

It serves recorded responses laid out as `<api path>.json` (bill/119/hr/7147.json,
bill/119/hr/7147/actions.json, ...), bills a test adds, and lists synthesised from them, with the
real API's paging, date filters, sorting, key check (403) and XML default; failures on demand::

    async with FakeCongress(Path("tests/fixtures/congress")) as fake:
        fake.add_bill({"congress": 119, "type": "HR", "number": "7147", "title": "..."})
        fake.fail("bill/119/hr/*/actions", 503, times=2)
        async with CongressClient(base_url=fake.base_url, api_key=fake.api_key) as api:
            ...
        assert all("api_key" not in r.query for r in fake.requests)
"""

from .fake import FakeCongress, Request
from .rules import Rule

__all__ = ["FakeCongress", "Request", "Rule"]
