"""A local replay of the Hansard API for the HTTP client, its flow, the tests and the benchmark.

Standard library only (`http.server.ThreadingHTTPServer`, bound to 127.0.0.1): no new
dependency and nothing mocked, so a client is exercised over real sockets.

**Routes.** Recorded replies are keyed by (method, path, query). Paths match case-insensitively,
as on the real API (hansard-api.md §1). Query names match case-insensitively and with or without
the `queryParameters.` / `queryParams.` prefix (both spellings bind upstream), in any order;
values compare exactly. An unknown route answers 404 with a JSON body naming the path, the query
and the queries recorded for that path, so a client bug shows at once. Route tables come from
`tests.support.replay_fixtures`: `corpus_routes` (the real recordings) and `fixture_routes` (our own
fixture folder); the route model (`Routes`, `Reply`, the matching rules) lives there too and is
re-exported here.

**Knobs**, at start-up (`ReplayServer(..., latency_ms=, faults=)`), from Python
(`srv.set(...)`) or over HTTP (`POST /_control` with the same JSON)::

    {"latency_ms": 150,
     "faults": [{"match": "/search/contributions/", "kind": "status", "status": 429,
                 "retry_after": 2, "times": 3},
                {"match": "skip=100", "kind": "timeout", "seconds": 5}]}

`latency_ms` delays every replayed response. A fault applies to the next `times` requests
(default 1; null = until reset) whose target (path and query as sent) contains `match`
(case-insensitive; "" matches all); the first matching fault wins. Kinds: `status` answers
`status` (default 503) with `Retry-After: retry_after` when given (seconds or an HTTP-date);
`timeout` stalls `seconds` (default 30; set it above the client's timeout) and then answers
normally; `truncate` declares the full Content-Length, sends half the body and closes;
`malformed` answers 200 with invalid JSON; `reset` aborts the connection (TCP RST) unanswered;
`redirect` answers `status` (301/302/303/307/308; default 302) with `Location: location`;
`drip` sends the headers, then the body one byte every `seconds` (a slowloris).
`GET /_control` shows the settings, remaining faults and per-route hit counts;
`GET /_control/requests` the request log; `POST /_control/reset` restores the start-up
settings and clears the log. Control requests are neither delayed, faulted nor logged.

Run it by hand or for the benchmark::

    uv run python -m tests.support.replay_server --corpus ../shared/corpus \\
        --fixtures tests/support/fixtures/hansard_api --port 8765 --latency-ms 150
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support.replay_fixtures import (
    JSON_HEADERS,
    Reply,
    Routes,
    canonical_path,
    canonical_query,
    corpus_routes,
    fixture_routes,
    json_body,
    route_key,
    route_label,
)

__all__ = [
    "Fault",
    "ReplayServer",
    "Reply",
    "RequestRecord",
    "Routes",
    "corpus_routes",
    "fixture_routes",
]

HOST = "127.0.0.1"
CONTROL_PATH = "/_control"
FAULT_KINDS = ("status", "timeout", "truncate", "malformed", "reset", "redirect", "drip")
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class Fault:
    kind: str
    match: str = ""
    status: int = 503
    retry_after: int | str | None = None
    seconds: float = 30.0
    times: int | None = 1
    location: str = ""

    @classmethod
    def parse(cls, spec: Mapping[str, Any] | Fault) -> Fault:
        if isinstance(spec, Fault):
            fault = replace(spec)
        else:
            if not isinstance(spec, Mapping):
                raise ValueError(f"a fault is a JSON object, got {spec!r}")
            unknown = set(spec) - {f.name for f in fields(cls)}
            if unknown or "kind" not in spec:
                raise ValueError(f"fault {dict(spec)!r}: needs 'kind'; unknown {sorted(unknown)}")
            fault = cls(**spec)
        fault._check()
        return fault

    def _check(self) -> None:
        problems = []
        if self.kind not in FAULT_KINDS:
            problems.append(f"kind must be one of {FAULT_KINDS}")
        if not isinstance(self.match, str):
            problems.append("match must be a string")
        if self.kind == "redirect":
            if self.status == 503:  # the default of the other kinds
                self.status = 302
            if self.status not in REDIRECTS or not self.location:
                problems.append(f"a redirect needs a status in {REDIRECTS} and a location")
        elif type(self.status) is not int or not 400 <= self.status <= 599:
            problems.append("status must be an int 400-599")
        if self.retry_after is not None and type(self.retry_after) not in (int, str):
            problems.append("retry_after must be whole seconds or an HTTP-date string")
        if type(self.seconds) not in (int, float) or self.seconds <= 0:
            problems.append("seconds must be > 0")
        if self.times is not None and (type(self.times) is not int or self.times < 1):
            problems.append("times must be an int >= 1 or null (until reset)")
        if problems:
            raise ValueError(f"fault {asdict(self)!r}: " + "; ".join(problems))


@dataclass
class RequestRecord:
    """One replayed request. `time` is time.monotonic() on arrival; `status` stays None when no
    response was sent (reset, or a timeout the server stopped during)."""

    method: str
    path: str
    query: str
    time: float
    route: str
    status: int | None = None
    fault: str | None = None

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def params(self) -> dict[str, str]:
        return dict(canonical_query(self.query))


@dataclass
class _Knobs:
    """Settings and the request log, shared by the handler threads under one lock."""

    initial_latency_ms: float
    initial_faults: list[Fault]
    latency_ms: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    log: list[RequestRecord] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.reset()

    def set(self, latency_ms: float | None = None, faults: Iterable[Any] | None = None) -> None:
        if latency_ms is not None and (type(latency_ms) not in (int, float) or latency_ms < 0):
            raise ValueError(f"latency_ms must be a number >= 0, got {latency_ms!r}")
        parsed = None if faults is None else [Fault.parse(f) for f in faults]
        with self.lock:
            if latency_ms is not None:
                self.latency_ms = latency_ms
            if parsed is not None:
                self.faults = parsed

    def reset(self) -> None:
        with self.lock:
            self.latency_ms = self.initial_latency_ms
            self.faults = [replace(f) for f in self.initial_faults]
            self.log.clear()
            self.hits.clear()

    def arrive(self, record: RequestRecord) -> tuple[Fault | None, float]:
        """Log a request; take the first fault matching it. Returns (fault, delay in seconds)."""
        target = record.target.lower()
        with self.lock:
            self.log.append(record)
            self.hits[record.route] += 1
            for fault in self.faults:
                if fault.match.lower() in target:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self.faults.remove(fault)
                    return replace(fault), self.latency_ms / 1000
            return None, self.latency_ms / 1000

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "latency_ms": self.latency_ms,
                "faults": [asdict(f) for f in self.faults],
                "requests": len(self.log),
                "hits": dict(sorted(self.hits.items())),
            }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, port: int, routes: Routes, knobs: _Knobs, verbose: bool) -> None:
        self.routes = routes
        self.knobs = knobs
        self.verbose = verbose
        self.open_sockets: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        with self.open_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.open_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: socket.socket, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away, or we reset the connection on purpose
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a pooled client expects
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = canonical_path(parts.path).rstrip("/")
        if path == CONTROL_PATH or path.startswith(CONTROL_PATH + "/"):
            self._control(method, path)
        else:
            self._replay(method, parts.path, parts.query)

    def _replay(self, method: str, path: str, query: str) -> None:
        knobs = self.server.knobs
        key = route_key(method, path, query)
        record = RequestRecord(method, path, query, time.monotonic(), route_label(key))
        fault, delay = knobs.arrive(record)
        if delay and knobs.stopping.wait(delay):
            return self._abort()
        reply = self.server.routes.get(key) or self._not_found(method, path, query)
        if fault is None:
            return self._send(reply, record)
        record.fault = fault.kind
        if fault.kind == "status":
            extra = () if fault.retry_after is None else (("Retry-After", str(fault.retry_after)),)
            message = json_body({"Message": f"replay fault: HTTP {fault.status}"})
            return self._send(Reply(fault.status, message, (*JSON_HEADERS, *extra)), record)
        if fault.kind == "timeout":
            if knobs.stopping.wait(fault.seconds):
                return self._abort()
            return self._send(reply, record)
        if fault.kind == "malformed":
            return self._send(Reply(200, _malformed(reply.body)), record)
        if fault.kind == "redirect":
            moved = Reply(fault.status, b"", (("Location", fault.location),))
            return self._send(moved, record)
        if fault.kind == "drip":
            return self._drip(reply, record, fault.seconds)
        if fault.kind == "truncate":
            sent = reply.body[: len(reply.body) // 2]
            self._send(
                replace(reply, body=sent), record, declared=max(len(reply.body), len(sent) + 1)
            )
            self.close_connection = True
            return None
        return self._abort()  # "reset"

    def _not_found(self, method: str, path: str, query: str) -> Reply:
        known = self.server.routes.queries_for(method, path, query)
        return Reply(
            404,
            json_body(
                {
                    "Message": f"replay: no recorded response for {method} {path}",
                    "method": method,
                    "path": path,
                    "query": query,
                    "params": dict(canonical_query(query)),
                    "recorded_queries_for_path": known[:5],
                    "recorded_queries_for_path_total": len(known),
                }
            ),
        )

    def _send(
        self, reply: Reply, record: RequestRecord | None, declared: int | None = None
    ) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header(
                "Content-Length", str(len(reply.body) if declared is None else declared)
            )
            self.end_headers()
            if record is not None:
                record.status = reply.status
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:  # the client has gone (it timed out, or closed early)
            self.close_connection = True

    def _drip(self, reply: Reply, record: RequestRecord, seconds: float) -> None:
        """The full headers, then the body a byte at a time until sent or the client leaves."""
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.flush()
            record.status = reply.status
            for i in range(len(reply.body)):
                if self.server.knobs.stopping.wait(seconds):
                    break
                self.wfile.write(reply.body[i : i + 1])
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def _abort(self) -> None:
        """Close without a response, with SO_LINGER 0 so the client sees a TCP reset."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _control(self, method: str, path: str) -> None:
        knobs, status = self.server.knobs, 200
        if method == "GET" and path == CONTROL_PATH + "/requests":
            with knobs.lock:
                body: Any = [{**asdict(r), "target": r.target} for r in knobs.log]
        elif method == "GET" and path == CONTROL_PATH:
            body = {**knobs.snapshot(), "routes": len(self.server.routes)}
        elif method == "POST" and path == CONTROL_PATH + "/reset":
            knobs.reset()
            body = {**knobs.snapshot(), "routes": len(self.server.routes)}
        elif method == "POST" and path == CONTROL_PATH:
            try:
                knobs.set(**_settings(self._read_json()))
                body = {**knobs.snapshot(), "routes": len(self.server.routes)}
            except (ValueError, TypeError) as exc:
                status, body = 400, {"Message": f"replay control: {exc}"}
        else:
            status, body = 404, {"Message": f"replay control: no {method} {path}"}
        self._send(Reply(status, json_body(body)), None)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else {}


def _settings(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict) or set(spec) - {"latency_ms", "faults"}:
        raise ValueError(f"expected an object with latency_ms and/or faults, got {spec!r}")
    if "faults" in spec and not isinstance(spec["faults"], list):
        raise ValueError("faults must be a list")
    return spec


def _malformed(body: bytes) -> bytes:
    """Half of the recorded body, which no longer parses (a tiny body falls back to `{"Re`)."""
    half = body[: len(body) // 2]
    try:
        json.loads(half)
    except ValueError:
        return half
    return b'{"Re'


class ReplayServer:
    """A running replay on 127.0.0.1. Use as a context manager::

    with ReplayServer(routes, port=0, latency_ms=0) as srv:
        client.get(f"{srv.url}/overview/calendar.json", params)  # flows.core.http.HttpClient
        srv.set(faults=[{"match": "Spoken.json", "kind": "status", "status": 429}])
        assert srv.hits("Spoken.json") == 1
    """

    def __init__(
        self,
        routes: Routes,
        *,
        port: int = 0,
        latency_ms: float = 0,
        faults: Iterable[Mapping[str, Any] | Fault] = (),
        verbose: bool = False,
    ) -> None:
        self.routes = routes
        self._knobs = _Knobs(latency_ms, [Fault.parse(f) for f in faults])
        self._knobs.set(latency_ms=latency_ms)  # validates it
        self._port = port
        self._verbose = verbose
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ReplayServer:
        if self._httpd is None:
            self._knobs.stopping.clear()
            self._httpd = _Server(self._port, self.routes, self._knobs, self._verbose)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"replay-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, wake stalled handlers and close open connections."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._knobs.stopping.set()
        httpd.shutdown()
        with httpd.open_lock:
            for sock in list(httpd.open_sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the replay server is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def set(
        self, *, latency_ms: float | None = None, faults: Iterable[Any] | None = None
    ) -> dict[str, Any]:
        """Change knobs at run time (None leaves one as it is); returns the settings."""
        self._knobs.set(latency_ms=latency_ms, faults=faults)
        return self.settings()

    def reset(self) -> None:
        """Back to the start-up knobs; clears the request log and hit counts."""
        self._knobs.reset()

    def settings(self) -> dict[str, Any]:
        return {**self._knobs.snapshot(), "routes": len(self.routes)}

    @property
    def requests(self) -> list[RequestRecord]:
        with self._knobs.lock:
            return list(self._knobs.log)

    def hits(self, path_substring: str = "") -> int:
        """How many logged requests have a target (path?query as sent) containing the text."""
        needle = path_substring.lower()
        return sum(needle in r.target.lower() for r in self.requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.replay_server",
        description="Replay the Hansard API on 127.0.0.1 from the real corpus and/or fixtures.",
    )
    parser.add_argument("--corpus", type=Path, default=os.environ.get("HANSARD_CORPUS") or None)
    parser.add_argument("--fixtures", type=Path, help="a folder with routes.json or routes.jsonl")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--fault", action="append", default=[], type=json.loads, metavar="JSON")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)

    routes = Routes()
    if args.corpus:
        routes.update(corpus_routes(args.corpus))
    if args.fixtures:
        routes.update(fixture_routes(args.fixtures))
    if not len(routes):
        parser.error("give --corpus DIR (default $HANSARD_CORPUS) and/or --fixtures DIR")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = ReplayServer(
        routes, port=args.port, latency_ms=args.latency_ms, faults=args.fault, verbose=args.verbose
    )
    with server as srv:
        print(f"{srv.url} {len(routes)} routes; knobs at {srv.url}{CONTROL_PATH}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
