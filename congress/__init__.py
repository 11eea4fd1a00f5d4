"""A small async client for the Congress.gov API v3 (https://api.congress.gov/v3).

HTTP only: it knows nothing of the database or Discord. The key travels in the `x-api-key`
header, never in a URL or a log line; every request asks for JSON; pagination, a client-side
hourly budget, 429/5xx/timeout retries and malformed answers are handled here::

    async with CongressClient(base_url=url, api_key=key) as api:
        bill = await api.bill(119, "hr", 7147)
        async for listed in api.updated_bills(119, since):
            ...
"""

from .client import BILL_TYPES, CongressClient
from .errors import (
    AuthRejected,
    BudgetExhausted,
    CongressError,
    CongressUnavailable,
    MalformedResponse,
    NotFound,
)

__all__ = [
    "BILL_TYPES",
    "AuthRejected",
    "BudgetExhausted",
    "CongressClient",
    "CongressError",
    "CongressUnavailable",
    "MalformedResponse",
    "NotFound",
]
