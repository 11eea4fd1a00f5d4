"""What can go wrong talking to Congress.gov. str() of each is one line for people and logs,
and never contains the API key (URLs are built without it; foreign text is redacted)."""

from __future__ import annotations


class CongressError(Exception):
    """Base of every Congress.gov client error."""


class CongressUnavailable(CongressError):
    """5xx, 429, timeouts or connection errors still failing after the last attempt."""

    def __init__(self, message: str, *, url: str, last_status: int | None) -> None:
        super().__init__(message)
        self.url = url
        self.last_status = last_status  # None when the last attempt got no HTTP answer


class BudgetExhausted(CongressError):
    """The client-side hourly budget is used up; nothing was sent."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in  # seconds until the oldest request leaves the sliding hour


class MalformedResponse(CongressError):
    """A 200 answer that is not JSON, or JSON without the expected shape."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class AuthRejected(CongressError):
    """401/403: the key is missing or wrong. Retrying cannot help."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class NotFound(CongressError):
    """404: no such bill or resource (a typo in a followed bill, usually)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url
