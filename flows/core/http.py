"""The one HTTP client: every request the pipeline makes goes through `HttpClient`.

Polite by construction: a descriptive User-Agent, timeouts, a cap on requests in flight and on
requests per second (shared by all threads), retries with exponential backoff and full jitter
on timeouts, connection errors, truncated bodies, 429 and 5xx, honouring Retry-After (seconds
or an HTTP date), and a response-size limit. When retries run out the error names the URL, the
attempts and the last failure. Nothing else in the code base constructs an httpx client.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

USER_AGENT = (
    "hansard-warehouse/0.1 (open data pipeline for UK Parliament debates; "
    "polite: rate-limited, retries with backoff)"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSettings:
    timeout_s: float = 60.0
    connect_timeout_s: float = 10.0
    user_agent: str = USER_AGENT
    max_concurrency: int = 4
    max_rps: float = 10.0
    max_attempts: int = 6
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 300.0
    max_response_bytes: int = 64 * 2**20

    def __post_init__(self) -> None:
        if self.max_rps <= 0 or self.max_concurrency < 1 or self.max_attempts < 1:
            raise ValueError(f"invalid HTTP settings: {self}")


@dataclass(frozen=True)
class Fetched:
    url: str  # the full URL requested, query included
    params: dict[str, str]
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime
    attempts: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class FetchError(RuntimeError):
    def __init__(self, url: str, attempts: int, reason: str) -> None:
        super().__init__(f"GET {url} failed after {attempts} attempt(s): {reason}")
        self.url, self.attempts, self.reason = url, attempts, reason


class _Retry(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait_s = reason, wait_s


class RateLimiter:
    """At most `rps` request starts per second across all threads (evenly spaced)."""

    def __init__(
        self,
        rps: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rps
        self.clock, self.sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self.sleep(start - now)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HttpClient:
    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        s = self.settings
        self._client = httpx.Client(
            headers={
                "User-Agent": s.user_agent,
                "Accept": "application/json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            },
            timeout=httpx.Timeout(s.timeout_s, connect=s.connect_timeout_s),
            limits=httpx.Limits(max_connections=s.max_concurrency),
            follow_redirects=True,
            transport=transport,
        )
        self._slots = threading.BoundedSemaphore(s.max_concurrency)
        self._limiter = RateLimiter(s.max_rps, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.requests_made = 0
        self._count_lock = threading.Lock()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _backoff(self, attempt: int) -> float:
        cap = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2 ** (attempt - 1))
        return self._rng.uniform(0, cap)  # full jitter

    def get(
        self, url: str, params: Mapping[str, object] | Sequence[tuple[str, object]] | None = None
    ) -> Fetched:
        """GET with retries. Non-retryable statuses (e.g. 404) come back as a Fetched.

        `params` is a mapping, or a sequence of (name, value) pairs for a name that repeats
        (`ids=1&ids=2`); `Fetched.params` then joins the repeated values with commas (the full
        query is in `Fetched.url`)."""
        items = params.items() if isinstance(params, Mapping) else (params or ())
        pairs = [(k, str(v)) for k, v in items]
        full = str(httpx.URL(url, params=pairs) if pairs else httpx.URL(url))
        joined: dict[str, str] = {}
        for k, v in pairs:
            joined[k] = f"{joined[k]},{v}" if k in joined else v
        last = "no attempt made"
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                return self._attempt(url, full, pairs, joined, attempt)
            except _Retry as e:
                last = e.reason
                if attempt == self.settings.max_attempts:
                    break
                wait = e.wait_s if e.wait_s is not None else self._backoff(attempt)
                if wait > self.settings.max_retry_after_s:
                    raise FetchError(
                        full,
                        attempt,
                        f"{last}; server asks to wait {wait:.0f} s, "
                        f"more than the {self.settings.max_retry_after_s:.0f} s "
                        "allowed",
                    ) from None
                self._sleep(wait)
        raise FetchError(full, self.settings.max_attempts, last)

    def _attempt(
        self,
        url: str,
        full: str,
        pairs: list[tuple[str, str]],
        params: dict[str, str],
        attempt: int,
    ) -> Fetched:
        self._limiter.wait()
        with self._slots:
            with self._count_lock:
                self.requests_made += 1
            try:
                with self._client.stream("GET", url, params=pairs or None) as resp:
                    if resp.status_code in RETRY_STATUSES:
                        wait = retry_after_seconds(resp.headers.get("Retry-After"))
                        raise _Retry(f"HTTP {resp.status_code}", wait)
                    body = self._read_limited(resp, full, attempt)
            except httpx.TimeoutException as e:
                raise _Retry(f"timeout ({type(e).__name__})") from None
            except (httpx.TransportError, httpx.DecodingError) as e:
                raise _Retry(f"{type(e).__name__}: {e}") from None
        return Fetched(
            full,
            params,
            resp.status_code,
            resp.headers.get("Content-Type", ""),
            body,
            datetime.now(UTC),
            attempt,
        )

    def _read_limited(self, resp: httpx.Response, full: str, attempt: int) -> bytes:
        limit = self.settings.max_response_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(
                full, attempt, f"response of {declared} bytes exceeds the {limit}-byte limit"
            )
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(full, attempt, f"response exceeds the {limit}-byte limit")
            chunks.append(chunk)
        return b"".join(chunks)
