"""Benchmark the Hansard API ingest (fetch + publish) against the loopback replay server.

    cd /work/main && uv run python bench/bench_api.py [--profile] [--json FILE]
    cd /work/main && uv run python bench/bench_api.py --quick      # smoke run, < 30 s

The replay server (tests.support.replay_server.ReplayServer over corpus_routes: the real recorded
Commons items, 148 sitting days 2024-07-17..2026-07-16) runs in this process with a fixed
per-response latency (default 100 ms); the ingest runs in a child process (its own peak RSS; the
server's CPU is not charged to it) as `hansard ingest api` runs it in local mode: the run engine
in-process, flows.app.run("hansard_api", "ingest", ...), no Prefect. The child changes the
server's latency and reads its request log over the server's own /_control endpoint.

Runs, each into a fresh warehouse unless said otherwise, over the whole corpus range
(2024-07-01..2026-07-31; --quick: July 2024 only):
  * max_concurrency 1, 2, 4, 8 with the default cap max_rps=10, and concurrency 8 at max_rps=50;
  * a no-change incremental run: one month ingested, then the same month again into the same
    warehouse (its summary line is printed; it must publish nothing);
  * latency 0 with the caps out of the way (max_rps 1000, concurrency 8): the ingest's own
    overhead; with --profile a further such run under cProfile (every thread profiled).
Per run: wall time of the app.run call, CPU time (the child and any worker processes it
joined), requests (client count, cross-checked against the server's log), achieved requests/s,
contributions published, peak requests in flight (client side), and where the time went: the
run's own seconds per step (RunSummary.seconds: acquire, manifest, plan, parse, merge, gate,
swap, derived, views) and, inside acquire, plain functions wrapped from here (calendar, day
fetches, HTTP, rate-limiter and slot waits, raw zone, snapshots). No project file is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import header, peak_rss_mb, print_profile, profiled  # noqa: E402

FULL_RANGE = ("2024-07-01", "2026-07-31")
QUICK_RANGE = ("2024-07-01", "2024-07-31")
MONTH = ("2025-03-01", "2025-03-31")  # the corpus's busiest month: 11 sitting days
DEFAULT_CORPUS = Path(os.environ.get("HANSARD_CORPUS", ROOT.parent / "shared" / "corpus"))


def plan(quick: bool, latency_ms: float, profile: bool) -> list[dict]:
    """The runs, in order. `wh` names the warehouse; `fresh` deletes it first. --quick keeps
    one July 2024 run of each kind (its range is one month, so the incremental pair is the
    default-settings run and a repeat of it)."""
    lo, hi = QUICK_RANGE if quick else FULL_RANGE
    runs = []
    sweep = ((8, 50),) if quick else ((1, 10), (2, 10), (4, 10), (8, 10), (8, 50))
    for conc, rps in sweep:
        runs.append(
            {
                "name": f"c{conc} cap{rps}",
                "start": lo,
                "end": hi,
                "max_rps": rps,
                "max_concurrency": conc,
                "latency_ms": latency_ms,
                "wh": f"c{conc}-r{rps}",
                "fresh": True,
            }
        )
    month = QUICK_RANGE if quick else MONTH
    base = {
        "start": month[0],
        "end": month[1],
        "max_rps": 10,
        "max_concurrency": 4,
        "latency_ms": latency_ms,
        "wh": "month",
    }
    runs.insert(0, {**base, "name": "month, first run (c4 cap10)", "fresh": True})
    runs.insert(1, {**base, "name": "month, again (no change)", "fresh": False})
    if not quick:  # the sweep first, then the month pair
        runs = runs[2:] + runs[:2]
    fast = {"start": lo, "end": hi, "max_rps": 1000, "latency_ms": 0, "fresh": True}
    for conc in (8,) if quick else (1, 4, 8):
        runs.append(
            {
                **fast,
                "name": f"latency 0, cap 1000, c{conc}",
                "wh": f"lat0-c{conc}",
                "max_concurrency": conc,
            }
        )
    if profile:
        runs.append(
            {
                **fast,
                "name": "latency 0, c1, under cProfile",
                "wh": "lat0-prof",
                "max_concurrency": 1,
                "profile": True,
            }
        )
    return runs


def select(runs: list[dict], only: list[str] | None, repeat: int) -> list[dict]:
    kept = [r for r in runs if not only or any(o in r["name"] for o in only)]
    if repeat <= 1:
        return kept
    return [{**r, "name": f"{r['name']} #{k + 1}"} for r in kept for k in range(repeat)]


# --------------------------------------------------------------------------- child: probes


class Probe:
    """Wrappers around module attributes (no project file changed): spans of the fetch steps
    inside the run's acquire step, and every HTTP exchange with the replay server (for
    requests in flight)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, float, float]] = []
        self.http: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        self.spans.clear()
        self.http.clear()

    def wrap(self, owner: object, name: str, label: str) -> None:
        fn = getattr(owner, name)
        spans = self.spans

        def timed(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spans.append((label, threading.current_thread().name, t0, time.perf_counter()))

        setattr(owner, name, timed)

    def install(self, base_url: str) -> None:
        import httpx

        from flows.core import http, raw_zone
        from flows.sources.hansard_api import fetch

        for owner, name, label in (
            (fetch, "sitting_days", "calendar: sitting_days"),
            (fetch, "fetch_day", "fetch_day (one house-day, on the day pool)"),
            (http.HttpClient, "_attempt", "request attempt (limiter + slot + HTTP)"),
            (http.RateLimiter, "wait", "rate-limiter wait"),
            (raw_zone, "store", "raw_zone.store (response to raw zone)"),
            (fetch, "read_snapshot", "read_snapshot"),
            (fetch, "write_snapshot", "write_snapshot (incl. read_snapshot)"),
        ):
            if hasattr(owner, name):  # the code moves on: wrap what this version has
                self.wrap(owner, name, label)

        stream = httpx.Client.stream
        exchanges = self.http

        @contextlib.contextmanager
        def counted(client, method, url, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
            if not str(url).startswith(base_url):
                with stream(client, method, url, *a, **kw) as resp:
                    yield resp
                return
            t0 = time.perf_counter()
            try:
                with stream(client, method, url, *a, **kw) as resp:
                    yield resp
            finally:
                exchanges.append((t0, time.perf_counter()))

        httpx.Client.stream = counted

    def report(self, t0: float, t1: float) -> dict:
        totals: dict[str, list] = {}
        for label, _th, a, b in self.spans:
            acc = totals.setdefault(label, [0.0, 0])
            acc[0] += b - a
            acc[1] += 1
        cal = [(a, b) for n, _t, a, b in self.spans if n.startswith("calendar")]
        days = [(a, b) for n, _t, a, b in self.spans if n.startswith("fetch_day")]
        phases = {}
        if cal and days:
            phases = {
                "before calendar (lock, run record, HTTP client)": cal[0][0] - t0,
                "calendar (sequential, one request a month)": cal[-1][1] - cal[0][0],
                "calendar end -> first fetch_day": min(a for a, _ in days) - cal[-1][1],
                "day fetches (first start -> last end)": max(b for _, b in days)
                - min(a for a, _ in days),
                "after fetches (snapshots, parse, publish, derived, views)": t1
                - max(b for _, b in days),
            }
        http_s = [b - a for a, b in self.http]
        return {
            "totals": {k: {"s": v[0], "calls": v[1]} for k, v in totals.items()},
            "phases": phases,
            "http_exchanges": len(self.http),
            "http_total_s": sum(http_s),
            "http_median_ms": statistics.median(http_s) * 1000 if http_s else None,
            "http_p95_ms": sorted(http_s)[int(0.95 * (len(http_s) - 1))] * 1000 if http_s else None,
            "peak_in_flight": peak_overlap(self.http),
            "fetch_threads": len({th for n, th, _a, _b in self.spans if n.startswith("fetch_day")}),
        }


def peak_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    peak = cur = 0
    for _t, d in events:
        cur += d
        peak = max(peak, cur)
    return peak


def control(url: str, path: str, body: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url + path,
        data=data,
        method="GET" if data is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
        return json.loads(resp.read())


def server_stats(log: list[dict]) -> dict:
    statuses: dict[str, int] = {}
    for r in log:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    times = sorted(r["time"] for r in log)
    kinds: dict[str, int] = {}
    for r in log:
        kind = r["path"].strip("/").split("/")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "requests": len(log),
        "statuses": statuses,
        "by_kind": kinds,
        "span_s": times[-1] - times[0] if len(times) > 1 else 0.0,
    }


# --------------------------------------------------------------------------- child: runs


def cpu_s() -> float:
    """CPU seconds of this process and of the worker processes it has joined."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def summary_dict(summary) -> dict:  # noqa: ANN001  (a flows.run.RunSummary)
    """The summary's fields, with its source-specific details (requests, days_changed, ...)
    alongside."""
    data = summary.to_dict()
    return {**data.pop("details"), **data}


def one_run(run: dict, url: str, work: Path, probe: Probe) -> dict:
    from flows import app
    from flows.core.publish import read_table
    from flows.core.warehouse import Warehouse
    from transforms.schema import CONTRIBUTIONS

    wh = work / "warehouses" / run["wh"]
    if run["fresh"]:
        shutil.rmtree(wh, ignore_errors=True)
    control(url, "/_control/reset", {})
    control(url, "/_control", {"latency_ms": run["latency_ms"]})
    probe.clear()

    def call():  # noqa: ANN202
        return app.run(
            "hansard_api",
            "ingest",
            wh,
            opts=app.options(None),
            start=run["start"],
            end=run["end"],
            houses=["Commons"],
            base_url=url,
            max_rps=float(run["max_rps"]),
            max_concurrency=run["max_concurrency"],
        )

    cpu0 = cpu_s()
    t0 = time.perf_counter()
    summary, error = None, None
    try:
        summary = profiled(call, work / "api-lat0.pstats")[0] if run.get("profile") else call()
    except Exception as e:  # a failed run is a result too: record it and go on
        tb = traceback.format_exception(e)
        error = {"error": f"{type(e).__name__}: {e}", "traceback_tail": "".join(tb[-4:])}
    t1 = time.perf_counter()
    cpu1 = cpu_s()
    log = control(url, "/_control/requests")
    assert isinstance(log, list)
    return {
        **run,
        "wall_s": t1 - t0,
        "cpu_s": cpu1 - cpu0,
        "summary": summary_dict(summary) if summary else None,
        "describe": summary.describe() if summary else None,
        "failed": error,
        "server": server_stats(log),
        "probe": probe.report(t0, t1),
        "contributions_in_warehouse": read_table(Warehouse.at(wh), CONTRIBUTIONS).height,
        "rss_mb": peak_rss_mb(),
    }


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s | %(name)s - %(message)s")
    t_start = time.perf_counter()
    from flows import app  # noqa: F401  (the engine and the registered sources)

    out: dict = {"import_s": time.perf_counter() - t_start, "runs": []}
    out["rss_before_mb"] = peak_rss_mb()
    probe = Probe()
    probe.install(args.url)
    runs = json.loads(Path(args.plan).read_text())
    for run in runs:
        result = one_run(run, args.url, work, probe)
        out["runs"].append(result)
        print(
            f"  {run['name']}: {result['wall_s']:.2f} s, {result['server']['requests']} requests",
            flush=True,
        )
        Path(args.out).write_text(json.dumps(out, indent=1, default=str))
    out["child_total_s"] = time.perf_counter() - t_start
    Path(args.out).write_text(json.dumps(out, indent=1, default=str))


# --------------------------------------------------------------------------- parent


def run_child(url: str, runs: list[dict], work: Path) -> dict:
    plan_file, out = work / "api-plan.json", work / "api-child.json"
    plan_file.write_text(json.dumps(runs, indent=1))
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--url",
        url,
        "--plan",
        str(plan_file),
        "--work",
        str(work),
        "--out",
        str(out),
    ]
    t0 = time.perf_counter()
    with (work / "api-child.stderr").open("w") as err:
        proc = subprocess.run(cmd, cwd=ROOT, stderr=err, text=True)
    wall = time.perf_counter() - t0
    stderr = (work / "api-child.stderr").read_text().splitlines()
    if proc.returncode != 0:
        sys.stderr.write("\n".join(stderr[-80:]) + "\n")
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    result = json.loads(out.read_text())
    result["process_wall_s"] = wall
    result["stderr_lines"] = len(stderr)
    result["stderr_head"] = stderr[:5]
    result["stderr_messages"] = log_messages(stderr)
    return result


def log_messages(lines: list[str]) -> dict[str, int]:
    """The child's log lines (`LEVEL | logger - message`, warnings and worse) counted by
    level, logger and message."""
    counts: dict[str, int] = {}
    for line in lines:
        parts = line.split(" | ", 1)
        if len(parts) == 2 and parts[0].strip() in ("WARNING", "ERROR", "CRITICAL"):
            key = f"{parts[0].strip()} {parts[1][:150]}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def table(runs: list[dict]) -> str:
    head = (
        "run",
        "dates",
        "latency",
        "cap rps",
        "conc",
        "wall s",
        "run CPU s",
        "requests",
        "req/s",
        "% of cap",
        "peak in flight",
        "contributions",
        "days changed/unchanged",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in runs:
        s, n = r["summary"], r["server"]["requests"]
        rps = n / r["wall_s"]
        if s is None:
            outcome = [
                f"{n}",
                f"{rps:.1f}",
                f"{rps / r['max_rps']:.0%}",
                str(r["probe"]["peak_in_flight"]),
                "**FAILED**",
                r["failed"]["error"][:60],
            ]
        else:
            outcome = [
                f"{n}" + ("" if n == s["requests"] else f" (client {s['requests']})"),
                f"{rps:.1f}",
                f"{rps / r['max_rps']:.0%}",
                str(r["probe"]["peak_in_flight"]),
                str(s["contributions"]),
                f"{s['days_changed']}/{s['days_unchanged']}",
            ]
        cells = [
            r["name"],
            f"{r['start']}..{r['end']}",
            f"{r['latency_ms']:.0f} ms",
            f"{r['max_rps']:g}",
            str(r["max_concurrency"]),
            f"{r['wall_s']:.2f}",
            f"{r['cpu_s']:.1f}",
            *outcome,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(r: dict, top: int = 8) -> str:
    p = r["probe"]
    lines = [
        f"{r['name']} ({r['wall_s']:.2f} s): server saw {r['server']['requests']} requests "
        f"{r['server']['by_kind']} statuses {r['server']['statuses']}, first->last arrival "
        f"{r['server']['span_s']:.2f} s; HTTP exchange median {p['http_median_ms']:.1f} ms, "
        f"p95 {p['http_p95_ms']:.1f} ms; fetch_day ran on {p['fetch_threads']} threads; "
        f"peak RSS so far {r['rss_mb']:.0f} MB; warehouse holds "
        f"{r['contributions_in_warehouse']} contributions",
        f"    {r['describe'] or 'FAILED: ' + r['failed']['error']}",
    ]
    if r["failed"]:
        lines += ["    " + x for x in r["failed"]["traceback_tail"].splitlines()]
    if r["summary"]:
        steps = ", ".join(f"{k} {v:.2f}" for k, v in r["summary"]["seconds"].items())
        lines.append(f"    run steps (s): {steps}")
    for name, secs in p["phases"].items():
        lines.append(f"    phase {secs:7.2f} s  {name}")
    for name, t in sorted(p["totals"].items(), key=lambda kv: -kv[1]["s"])[:top]:
        lines.append(f"    sum   {t['s']:7.2f} s  {name}  ({t['calls']} calls)")
    attempts = p["totals"].get("request attempt (limiter + slot + HTTP)", {}).get("s", 0.0)
    limiter = p["totals"].get("rate-limiter wait", {}).get("s", 0.0)
    slot = attempts - limiter - p["http_total_s"]
    lines.append(
        f"    of the request attempts: rate-limiter wait {limiter:.2f} s, waiting for a slot "
        f"~{slot:.2f} s, HTTP {p['http_total_s']:.2f} s (all threads summed)"
    )
    return "\n".join(lines)


def shared_bodies(routes) -> str:  # noqa: ANN001
    """Routes whose response bytes equal another route's (they are stored under one object
    path in the raw zone, whichever request fetched them)."""
    import hashlib

    groups: dict[str, list] = {}
    for key in routes:
        body = routes.get(key).body
        groups.setdefault(hashlib.sha256(body).hexdigest(), []).append(key)
    shared = [keys for keys in groups.values() if len(keys) > 1]
    kinds: dict[str, int] = {}
    for keys in shared:
        for k in keys:
            kind = "/".join(k[1].strip("/").split("/")[:3])
            kinds[kind] = kinds.get(kind, 0) + 1
    return (
        f"{sum(map(len, shared))} of {len(routes)} routes share their body bytes with another "
        f"route ({len(shared)} distinct bodies); by path: {kinds}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark the Hansard API fetch + publish.")
    ap.add_argument("--quick", action="store_true", help="smoke run: July 2024 only, < 30 s")
    ap.add_argument("--latency-ms", type=float, default=100.0, help="replay latency per response")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="$HANSARD_CORPUS")
    ap.add_argument("--profile", action="store_true", help="cProfile a further latency-0 run")
    ap.add_argument("--work", type=Path, help="folder for the warehouses")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    ap.add_argument(
        "--only", action="append", help="keep the runs whose name contains this (repeatable)"
    )
    ap.add_argument("--repeat", type=int, default=1, help="do each kept run this many times")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    from tests.support.replay_server import ReplayServer, corpus_routes

    t_all = time.perf_counter()
    runner = "uv run python" if "UV" in os.environ else sys.executable  # as invoked
    cmd = f"cd {ROOT} && {runner} " + shlex.join(["bench/bench_api.py", *sys.argv[1:]])
    info = header(cmd)
    tmp = None if args.work else Path(tempfile.mkdtemp(prefix="hansard-bench-api-"))
    work = (args.work or tmp).resolve()
    work.mkdir(parents=True, exist_ok=True)
    runs = select(plan(args.quick, args.latency_ms, args.profile), args.only, args.repeat)
    try:
        t0 = time.perf_counter()
        routes = corpus_routes(args.corpus.resolve())
        print(
            f"corpus {args.corpus.resolve()}: {len(routes)} routes loaded in "
            f"{time.perf_counter() - t0:.2f} s; work {work}",
            flush=True,
        )
        print("identical responses:", shared_bodies(routes), flush=True)
        with ReplayServer(routes, latency_ms=args.latency_ms) as srv:
            print(
                f"replay server {srv.url}, latency {args.latency_ms:g} ms; child process:",
                flush=True,
            )
            result = run_child(srv.url, runs, work)
        print(
            f"\nchild: imports {result['import_s']:.1f} s, RSS after imports "
            f"{result['rss_before_mb']:.0f} MB, process {result['process_wall_s']:.1f} s in all; "
            f"{result['stderr_lines']} stderr lines\n"
        )
        print(table(result["runs"]))
        print("\nwhere the time went (plain functions wrapped from the bench; sums add threads):")
        for r in result["runs"]:
            print(details(r))
        for msg, n in sorted(result["stderr_messages"].items(), key=lambda kv: -kv[1]):
            print(f"  child stderr, {n}x: {msg}")
        prof = work / "api-lat0.pstats"
        if args.profile and prof.exists():
            print(f"\nprofile of a latency-0 run under cProfile, {prof}:")
            print(print_profile(prof, 25))
        if args.json:
            payload = {"command": cmd, "machine": info, "plan": runs, **result}
            args.json.write_text(json.dumps(payload, indent=1, default=str))
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nbench total {time.perf_counter() - t_all:.1f} s; load average at end {load}")
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep or args.work:
            print(f"kept: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
