"""The one HTTP client: every request the pipeline makes goes through `HttpClient`.

Polite by construction: a descriptive User-Agent, timeouts, a cap on requests in flight and on
requests per second (shared by all threads), retries with exponential backoff and full jitter
on timeouts, connection errors, truncated bodies, 429 and 5xx, honouring Retry-After (seconds
or an HTTP date), a response-size limit and a total deadline per attempt (a body that trickles
in is cut off, however often the socket reads succeed). Redirects are followed only within the
requested origin (scheme, host and port): a redirect elsewhere is an error, so a body is never
stored under a URL it did not come from. A URL httpx cannot build (a NUL in an id) is a
FetchError for that URL, never a crash of the run. When retries run out the error names the
URL, the attempts and the last failure. Nothing else in the code base constructs an httpx
client.
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
    deadline_s: float = 300.0  # one attempt, from the request to the body's last byte
    max_redirects: int = 5

    def __post_init__(self) -> None:
        if (
            self.max_rps <= 0
            or self.max_concurrency < 1
            or self.max_attempts < 1
            or self.deadline_s <= 0
            or self.max_redirects < 0
        ):
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
            follow_redirects=False,  # followed by _attempt, within the origin only
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
        try:
            full = str(httpx.URL(url, params=pairs) if pairs else httpx.URL(url))
        except (httpx.InvalidURL, TypeError, ValueError) as e:
            raise FetchError(repr(url), 0, f"not a valid URL: {e}") from None
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
            deadline = time.monotonic() + self.settings.deadline_s
            target, query = httpx.URL(full), None
            try:
                for _hop in range(self.settings.max_redirects + 1):
                    with self._client.stream("GET", target, params=query) as resp:
                        if resp.is_redirect:
                            target = self._same_origin(full, target, resp, attempt)
                            self._limiter.wait()  # the next hop is a request like any
                            with self._count_lock:
                                self.requests_made += 1
                            continue
                        if resp.status_code in RETRY_STATUSES:
                            wait = retry_after_seconds(resp.headers.get("Retry-After"))
                            raise _Retry(f"HTTP {resp.status_code}", wait)
                        body = self._read_limited(resp, full, attempt, deadline)
                        break
                else:
                    raise FetchError(
                        full, attempt, f"more than {self.settings.max_redirects} redirects"
                    )
            except httpx.TimeoutException as e:
                raise _Retry(f"timeout ({type(e).__name__})") from None
            except (httpx.TransportError, httpx.DecodingError) as e:
                raise _Retry(f"{type(e).__name__}: {e}") from None
            except httpx.InvalidURL as e:
                raise FetchError(full, attempt, f"not a valid URL: {e}") from None
        return Fetched(
            full,
            params,
            resp.status_code,
            resp.headers.get("Content-Type", ""),
            body,
            datetime.now(UTC),
            attempt,
        )

    @staticmethod
    def _same_origin(
        full: str, current: httpx.URL, resp: httpx.Response, attempt: int
    ) -> httpx.URL:
        """Where a redirect points, if it stays within the requested origin; else FetchError."""
        location = resp.headers.get("Location", "")
        nxt = current.join(location)
        start = httpx.URL(full)
        if (nxt.scheme, nxt.host, nxt.port) != (start.scheme, start.host, start.port):
            raise FetchError(
                full,
                attempt,
                f"HTTP {resp.status_code} redirect to another origin refused: {location}",
            )
        return nxt

    def _read_limited(
        self, resp: httpx.Response, full: str, attempt: int, deadline: float
    ) -> bytes:
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
            if time.monotonic() > deadline:
                raise FetchError(
                    full,
                    attempt,
                    f"the {self.settings.deadline_s:g} s deadline passed with {size} bytes "
                    "of the body received (a body this slow is not retried)",
                )
            chunks.append(chunk)
        return b"".join(chunks)
