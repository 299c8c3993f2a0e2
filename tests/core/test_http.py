"""The one HTTP client against the real loopback replay server: retries, limits, errors."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from flows.core.http import FetchError, HttpClient, HttpSettings, RateLimiter, retry_after_seconds
from tests.conftest import ROOT
from tests.support.replay_server import ReplayServer, Routes

PATH = "/overview/lastsittingdate.json"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    routes = Routes()
    routes.add(PATH, {"house": "Commons"}, "2031-02-04T00:00:00")
    routes.add("/big.json", None, "x" * 5000)
    with ReplayServer(routes) as srv:
        yield srv


def client(**kw: object) -> HttpClient:
    settings = {"max_rps": 1000.0, "backoff_base_s": 0.01, "backoff_max_s": 0.05} | kw
    return HttpClient(HttpSettings(**settings))  # type: ignore[arg-type]


def get(srv: ReplayServer, c: HttpClient):  # noqa: ANN201
    return c.get(srv.url + PATH, {"house": "Commons"})


def hits(srv: ReplayServer) -> list:
    return [r for r in srv.requests if r.path == PATH]


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 500, "times": 2},
        {"kind": "status", "status": 503, "times": 1},
        {"kind": "status", "status": 429, "retry_after": 0, "times": 2},
        {"kind": "truncate", "times": 1},
        {"kind": "reset", "times": 1},
        {"kind": "timeout", "seconds": 2, "times": 1},
    ],
    ids=lambda f: f"{f['kind']}-{f.get('status', '')}",
)
def test_each_transient_fault_is_retried(server: ReplayServer, fault: dict) -> None:
    server.set(faults=[{"match": PATH, **fault}])
    with client(timeout_s=0.5) as c:
        got = get(server, c)
    assert got.ok and got.body == b'"2031-02-04T00:00:00"'
    assert got.attempts == fault["times"] + 1
    assert len(hits(server)) == fault["times"] + 1


def test_malformed_body_is_returned_for_the_parser_to_reject(server: ReplayServer) -> None:
    server.set(faults=[{"match": PATH, "kind": "malformed"}])
    with client() as c:
        got = get(server, c)
    assert got.ok and got.attempts == 1 and got.body != b'"2031-02-04T00:00:00"'


def test_retry_after_is_honoured(server: ReplayServer) -> None:
    server.set(faults=[{"match": PATH, "kind": "status", "status": 429, "retry_after": 1}])
    with client() as c:
        get(server, c)
    first, second = hits(server)
    assert second.time - first.time >= 0.95


def test_exhausted_retries_name_the_url_and_the_last_failure(server: ReplayServer) -> None:
    server.set(faults=[{"match": PATH, "kind": "status", "status": 500, "times": None}])
    with client(max_attempts=3) as c, pytest.raises(FetchError) as info:
        get(server, c)
    message = str(info.value)
    assert f"{server.url}{PATH}?house=Commons" in message
    assert "3 attempt" in message and "HTTP 500" in message
    assert len(hits(server)) == 3


def test_not_found_is_not_retried(server: ReplayServer) -> None:
    with client() as c:
        got = c.get(server.url + "/debates/debate/NOPE.json")
    assert got.status == 404 and got.attempts == 1


def test_rate_limit_spaces_requests_across_threads(server: ReplayServer) -> None:
    """Measured where the client decides to send: the limiter's granted start times, taken
    from its own clock, are at least one interval apart whatever the threads do; a loaded
    machine may delay a request further, never bring one forward."""
    rps = 20.0
    granted: list[float] = []
    with client(max_rps=rps, max_concurrency=4) as c:
        limiter = c._limiter
        real_clock, real_sleep = limiter.clock, limiter.sleep
        seen = threading.local()  # the clock reading each thread's slot was computed from

        def clock() -> float:
            seen.now = real_clock()
            return seen.now

        def sleep(seconds: float) -> None:
            granted.append(seen.now + seconds)  # exactly the start the limiter granted
            real_sleep(seconds)

        limiter.clock, limiter.sleep = clock, sleep
        threads = [threading.Thread(target=get, args=(server, c)) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(hits(server)) == 10
    # every start but the first is granted by a sleep until its slot
    assert len(granted) >= 9
    starts = sorted(granted)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= (1 / rps) * (1 - 1e-9), gaps


def test_rate_limiter_grants_evenly_spaced_slots() -> None:
    """The schedule itself, on a fake clock: slot k starts at k intervals."""
    now = [100.0]
    slept: list[float] = []
    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=slept.append)
    for _ in range(5):
        limiter.wait()
    assert slept == [0.25, 0.5, 0.75, 1.0]


def test_concurrency_cap_bounds_requests_in_flight(server: ReplayServer) -> None:
    server.set(latency_ms=200)
    with client(max_concurrency=2) as c:
        threads = [threading.Thread(target=get, args=(server, c)) for _ in range(6)]
        start = datetime.now(UTC)
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = (datetime.now(UTC) - start).total_seconds()
    assert elapsed >= 3 * 0.2 * 0.9  # 6 requests, 2 at a time, 200 ms each


def test_response_size_limit(server: ReplayServer) -> None:
    with client(max_response_bytes=1000) as c, pytest.raises(FetchError, match="1000-byte limit"):
        c.get(server.url + "/big.json")


def test_redirects_stay_within_the_origin(server: ReplayServer) -> None:
    """A same-origin redirect is followed; one to another origin is refused unfollowed (its
    body would be stored under the URL asked for), and is not retried."""
    server.set(
        faults=[{"match": "/moved", "kind": "redirect", "location": PATH + "?house=Commons"}]
    )
    with client() as c:
        got = c.get(server.url + "/moved")
    assert got.ok and got.body == b'"2031-02-04T00:00:00"'
    assert got.url == server.url + "/moved"  # stored under the URL asked for
    with ReplayServer(Routes()) as other:
        elsewhere = other.url + PATH + "?house=Commons"
        server.set(faults=[{"match": "/away", "kind": "redirect", "location": elsewhere}])
        with client() as c, pytest.raises(FetchError, match="another origin refused") as e:
            c.get(server.url + "/away")
        assert e.value.attempts == 1
        assert other.requests == []
    server.set(faults=[{"match": "/loop", "kind": "redirect", "location": "/loop", "times": None}])
    with client(max_redirects=3) as c, pytest.raises(FetchError, match="more than 3 redirects"):
        c.get(server.url + "/loop")
    assert len([r for r in server.requests if r.path == "/loop"]) == 4


def test_a_trickling_body_is_cut_off_at_the_deadline(server: ReplayServer) -> None:
    """Every read succeeds within the socket timeout, but the attempt has a total deadline."""
    server.set(faults=[{"match": "/big.json", "kind": "drip", "seconds": 0.05}])
    with client(timeout_s=5.0, deadline_s=0.3) as c, pytest.raises(FetchError) as e:
        c.get(server.url + "/big.json")
    assert "deadline passed" in e.value.reason and e.value.attempts == 1
    received = int(re.search(r"with (\d+) bytes", e.value.reason).group(1))  # type: ignore[union-attr]
    assert 0 < received < 5000
    assert len([r for r in server.requests if r.path == "/big.json"]) == 1


def test_a_url_httpx_cannot_build_is_a_fetch_error(server: ReplayServer) -> None:
    with client() as c, pytest.raises(FetchError, match="not a valid URL"):
        c.get(server.url + "/debates/item/\x00abc.json")
    assert server.requests == []


def test_retry_after_forms() -> None:
    now = datetime(2031, 2, 4, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert (
        retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    )
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_nothing_else_builds_an_http_client() -> None:
    pattern = re.compile(r"httpx\.(Client|AsyncClient|get|post|request|stream)\(")
    offenders = [
        p.relative_to(ROOT).as_posix()
        for folder in ("flows", "transforms", "bench")
        for p in (ROOT / folder).rglob("*.py")
        if pattern.search(p.read_text()) and p.name != "http.py"
    ]
    assert offenders == []
