"""Benchmark the transcript-text pipeline on generated family-A pages.

    cd /work/main && uv run python bench/bench_text.py --mb 100 [--keep] [--profile]
    cd /work/main && uv run python bench/bench_text.py --mb 1          # smoke (CI), < 1 min

Measures, on a corpus made by bench/generate_text.py (deterministic from --seed):
  (a) pure parse: transforms.pp_text.parse.parse_page over every file, in this process, one core;
  (b) end to end: the Prefect flow flows.text_flow.ingest_text into a fresh warehouse (raw zone,
      parse, Parquet publish, manifest, DuckDB views), in a child process so that its peak RSS
      (getrusage ru_maxrss) is its own; the Prefect temporary server is started by a warm-up
      flow first and timed separately;
  (c) a no-op re-ingest of the same files into the same warehouse (same child process);
  (d) bytes: published Parquet (and raw zone, DuckDB file) against the raw input bytes.
Also, in a second child without Prefect, the plain steps of flows/pipeline.py one by one with
the peak RSS after each; and with --profile, a cProfile of a further end-to-end run (top 15 by
cumulative and by own time).

Nothing outside bench/ is changed; data and warehouses go to a temporary folder (kept with
--keep), or to --data / --work when given. A --data folder generated earlier with the same
--mb and --seed is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from flows import PREFECT_DEFAULTS  # noqa: E402

MB = 1_000_000
PREFECT_ENV = PREFECT_DEFAULTS  # quiet, offline Prefect settings (flows/__init__.py)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def dir_bytes(path: Path, pattern: str = "*") -> int:
    return sum(f.stat().st_size for f in path.rglob(pattern) if f.is_file())


def input_files(data: Path) -> list[Path]:
    return sorted(data.rglob("*.txt"))


# --------------------------------------------------------------------------- corpus


def ensure_corpus(
    data: Path, mb: float, seed: int, generate: Callable[..., dict] | None = None, **options: Any
) -> tuple[dict, float | None]:
    """Generate into `data` (with `generate`, default the transcript-text generator, given
    `options` such as contributions=, years=, ordered=) unless it already holds a corpus made
    with the same size, seed and options."""
    meta_path = data / "GENERATED.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        same = all(
            meta.get(k if k != "contributions" else "contributions_target")
            == (list(v) if isinstance(v, tuple) else v)
            for k, v in options.items()
        )
        sized = options.get("contributions") or meta.get("mb_target") == mb  # one or the other
        if sized and meta.get("seed") == seed and same:
            return meta, None
        shutil.rmtree(data)
    if generate is None:
        from generate_text import generate

    t0 = time.perf_counter()
    meta = generate(data, mb, seed, quiet=True, **options)
    return meta, time.perf_counter() - t0


# --------------------------------------------------------------------------- (a) parse


def bench_parse(data: Path, profile: Path | None = None) -> dict:
    import hashlib

    import pyarrow as pa

    from transforms.common.decode import decode_text
    from transforms.pp_text.parse import PageInput, parse_page

    received = datetime(2025, 11, 28, tzinfo=UTC)
    parse_s = 0.0
    total = zstd = 0
    counts = {"debates": 0, "contributions": 0, "rejects": 0}
    reasons: dict[str, int] = {}
    slowest = (0.0, "")
    files = input_files(data)
    for f in files:
        raw = f.read_bytes()
        page = PageInput(raw, str(f), hashlib.sha256(raw).hexdigest(), received)
        t0 = time.perf_counter()
        result = parse_page(page)
        dt = time.perf_counter() - t0
        parse_s += dt
        total += len(raw)
        zstd += pa.compress(raw, codec="zstd", asbytes=True).__len__()
        slowest = max(slowest, (dt / len(raw) * MB, f.name))
        counts["debates"] += len(result.debates)
        counts["contributions"] += len(result.contributions)
        counts["rejects"] += len(result.rejects)
        for r in result.rejects:
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    # decode_text alone (the first step of parse_page), for its share of the parse time
    decode_s = 0.0
    for f in files:
        raw = f.read_bytes()
        t0 = time.perf_counter()
        decode_text(raw)
        decode_s += time.perf_counter() - t0
    if profile:
        import cProfile

        prof = cProfile.Profile()
        for f in files:
            raw = f.read_bytes()
            page = PageInput(raw, str(f), "0" * 64, received)
            prof.enable()
            parse_page(page)
            prof.disable()
        prof.dump_stats(str(profile))
    return {
        "files": len(files),
        "bytes": total,
        "seconds": parse_s,
        "decode_s": decode_s,
        "mb_per_s": total / MB / parse_s if parse_s else None,
        "slowest_s_per_mb": slowest[0],
        "slowest_file": slowest[1],
        "raw_zstd_bytes": zstd,
        **counts,
        "reject_reasons": reasons,
    }


# --------------------------------------------------------------------------- (b)(c) child


def child_e2e(args: argparse.Namespace) -> None:
    """Runs in its own process: warm-up flow, timed ingest, no-op re-ingest, optional profile."""
    work = Path(args.work)
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))
    for k, v in PREFECT_ENV.items():
        os.environ.setdefault(k, v)
    t_start = time.perf_counter()
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.text_flow import ingest_text

    out: dict = {"import_s": time.perf_counter() - t_start}

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    timeline = instrument()
    data = str(Path(args.data).resolve())
    wh = work / "warehouse-e2e"
    shutil.rmtree(wh, ignore_errors=True)
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        t0 = time.perf_counter()
        warm_up()
        out["server_warm_up_s"] = time.perf_counter() - t0
        out["rss_before_mb"] = peak_rss_mb()

        first, out["ingest_s"], out["timeline"] = timed_flow(ingest_text, data, wh, timeline)
        out["rss_peak_mb"] = peak_rss_mb()
        out["first"] = vars(first)

        again, out["noop_s"], out["noop_timeline"] = timed_flow(ingest_text, data, wh, timeline)
        out["noop"] = vars(again)
        out["rss_after_noop_mb"] = peak_rss_mb()

        out["views"] = query_views(wh)
        out["sizes"] = warehouse_sizes(wh)

        if args.profile:
            wh2 = work / "warehouse-profile"
            shutil.rmtree(wh2, ignore_errors=True)
            out.update(profile_flow(ingest_text, data, wh2, Path(args.profile)))
            shutil.rmtree(wh2, ignore_errors=True)
    out["child_total_s"] = time.perf_counter() - t_start
    Path(args.out).write_text(json.dumps(out, indent=1, default=str))


def timed_flow(ingest_text, data: str, wh: Path, timeline: list):  # noqa: ANN001, ANN201
    """One ingest_text call: (summary, wall seconds, step timeline relative to the call)."""
    timeline.clear()
    t0 = time.perf_counter()
    summary = ingest_text([data], str(wh))
    wall = time.perf_counter() - t0
    steps = [(n, th, a - t0, b - t0) for n, th, a, b in timeline]
    timeline.clear()
    return summary, wall, steps


def profiled(fn: Callable[[], Any], path: Path) -> tuple[Any, int]:
    """Run fn under cProfile and dump the stats to `path`; returns (fn's value, threads seen).
    cProfile sees one thread, and flows map tasks onto thread pools, so every thread started
    meanwhile gets its own profiler, merged after (their times add up: cumulative figures can
    exceed the wall time)."""
    import cProfile
    import pstats
    import threading

    thread_profiles: list[cProfile.Profile] = []

    def start_in_thread(frame, event, arg):  # noqa: ANN001, ANN202, ARG001
        sys.setprofile(None)
        tp = cProfile.Profile()
        thread_profiles.append(tp)
        tp.enable()

    prof = cProfile.Profile()
    threading.setprofile(start_in_thread)
    prof.enable()
    try:
        value = fn()
    finally:
        prof.disable()
        threading.setprofile(None)
    stats = pstats.Stats(prof)
    for tp in thread_profiles:
        try:
            stats.add(tp)
        except (TypeError, ValueError):  # a profiler that saw no calls
            pass
    stats.dump_stats(str(path))
    return value, len(thread_profiles)


def profile_flow(ingest_text, data: str, wh: Path, path: Path) -> dict:  # noqa: ANN001
    """cProfile one ingest_text run (see `profiled`)."""
    t0 = time.perf_counter()
    _, threads = profiled(lambda: ingest_text([data], str(wh)), path)
    return {"profiled_ingest_s": time.perf_counter() - t0, "profiled_threads": threads}


class StepTimer:
    """Times named steps, recording the process's peak RSS after each (`steps`)."""

    def __init__(self) -> None:
        self.steps: list[dict] = [{"step": "imports", "s": 0.0, "rss_mb": peak_rss_mb()}]

    def __call__(self, name: str, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        value = fn(*a, **kw)
        self.steps.append({"step": name, "s": time.perf_counter() - t0, "rss_mb": peak_rss_mb()})
        return value


def instrument() -> list[tuple[str, str, float, float]]:
    """Time the plain steps inside the flow (wrappers around module attributes; no pipeline
    file is changed). What the flow spends outside them is Prefect's own work."""
    import threading

    from flows import pipeline, text_flow
    from flows.core import raw_zone, runs

    timeline: list[tuple[str, str, float, float]] = []

    def wrap(module, name: str, label: str) -> None:  # noqa: ANN001
        fn = getattr(module, name)

        def timed(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timeline.append((label, threading.current_thread().name, t0, time.perf_counter()))

        setattr(module, name, timed)

    wrap(pipeline, "discover", "discover")
    wrap(pipeline, "store_files", "store_files")
    wrap(pipeline, "parse_entries", "parse_entries (one batch)")
    wrap(pipeline, "publish_parsed", "publish_parsed")
    wrap(pipeline, "publish_manifest", "publish_manifest")
    wrap(raw_zone, "entries", "raw_zone.entries")
    wrap(runs, "record", "runs.record (+ publish ingest_runs)")
    wrap(text_flow, "refresh_views", "refresh_views")
    return timeline


def summarize_timeline(timeline: list, wall: float) -> list[tuple[str, float, int]]:
    """Per step: total seconds and calls; plus flow time outside every step (main thread)."""
    totals: dict[str, list] = {}
    for name, _th, a, b in timeline:
        t = totals.setdefault(name, [0.0, 0])
        t[0] += b - a
        t[1] += 1
    # union of intervals, all threads: the time some step was running
    spans = sorted((a, b) for _n, _t, a, b in timeline)
    covered, end = 0.0, float("-inf")
    for a, b in spans:
        if b > end:
            covered += b - max(a, end)
            end = b
    rows = [(k, v[0], v[1]) for k, v in sorted(totals.items(), key=lambda kv: -kv[1][0])]
    rows.append(("(no step running: Prefect task/flow machinery)", wall - covered, 0))
    return rows


def query_views(wh: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(wh / "hansard.duckdb"), read_only=True)
    try:
        t0 = time.perf_counter()
        counts = {
            v: con.execute(f"select count(*) from {v}").fetchone()[0]
            for v in ("debates", "contributions", "rejects", "raw_inputs", "ingest_runs")
        }
        counts["query_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        counts["top_party_words"] = con.execute(
            "select party, sum(word_count) w from contributions group by party order by w desc "
            "limit 1"
        ).fetchone()
        counts["agg_query_s"] = time.perf_counter() - t0
    finally:
        con.close()
    return counts


def warehouse_sizes(wh: Path) -> dict:
    tables = {}
    for t in sorted((wh / "tables").iterdir()):
        if t.is_dir():
            tables[t.name] = {
                "bytes": dir_bytes(t, "*.parquet"),
                "files": len(list(t.rglob("*.parquet"))),
            }
    return {
        "tables": tables,
        "parquet_bytes": sum(t["bytes"] for t in tables.values()),
        "raw_objects_bytes": dir_bytes(wh / "raw", "objects/**/*"),
        "raw_manifest_bytes": dir_bytes(wh / "raw", "manifest/*.json"),
        "duckdb_bytes": (wh / "hansard.duckdb").stat().st_size,
    }


def child_steps(args: argparse.Namespace) -> None:
    """The plain pipeline steps (no Prefect), each timed, with the peak RSS after each."""
    from flows import pipeline
    from flows.core import raw_zone
    from flows.core.views import refresh_views
    from flows.core.warehouse import Warehouse
    from transforms.pp_text.parse import SOURCE

    wh = Warehouse.at(Path(args.work) / "warehouse-steps")
    shutil.rmtree(wh.root, ignore_errors=True)
    timed = StepTimer()
    steps = timed.steps

    # The same sequence as flows.text_flow.ingest_text's body for a fresh warehouse.
    files, _missing = timed("discover", pipeline.discover, [args.data])
    timed("raw_zone.entries (before)", raw_zone.entries, wh, SOURCE)
    stored = timed("store_files (raw zone)", pipeline.store_files, wh, files)
    timed("raw_zone.entries (after)", raw_zone.entries, wh, SOURCE)
    parsed = timed("parse_entries", pipeline.parse_entries, wh, stored.new)
    timed("publish_parsed (frame + Parquet)", pipeline.publish_parsed, wh, parsed)
    timed("publish_manifest", pipeline.publish_manifest, wh)
    timed("refresh_views (DuckDB)", refresh_views, wh)
    del parsed
    stored2 = timed("store_files again (no-op)", pipeline.store_files, wh, files)
    assert not stored2.new
    Path(args.out).write_text(json.dumps({"steps": steps}, indent=1))
    shutil.rmtree(wh.root, ignore_errors=True)


def run_child(mode: str, data: Path, work: Path, extra: list[str]) -> dict:
    out = work / f"{mode}.json"
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--data",
        str(data),
        "--work",
        str(work),
        "--out",
        str(out),
        *extra,
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"child {mode} failed with exit code {proc.returncode}")
    noise = [line for line in proc.stderr.splitlines() if line.strip()]
    result = json.loads(out.read_text())
    result["process_wall_s"] = wall
    result["stderr_lines"] = len(noise)
    result["stderr_head"] = noise[:5]
    return result


# --------------------------------------------------------------------------- report


def machine() -> dict:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git = {}
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        git = {"head": head, "modified_outside_bench": [d[3:] for d in dirty if d.strip()]}
    except (OSError, subprocess.CalledProcessError):
        pass
    versions = {}
    for pkg in ("prefect", "polars", "pyarrow", "duckdb"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "?"
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "packages": versions,
        "git": git,
    }


def header(cmd: str) -> dict:
    """Print the command and the machine (and git state) every benchmark starts with."""
    info = machine()
    print(f"$ {cmd}")
    print(
        f"date {info['date']}; {info['platform']}; {info['cpu']}; os.cpu_count()="
        f"{info['cpu_count']}; {info['memory']} RAM; Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    )
    if info["git"]:
        print(
            f"git HEAD {info['git']['head']}; uncommitted changes outside bench/: "
            f"{', '.join(info['git']['modified_outside_bench']) or 'none'}"
        )
    export = ROOT / "GIT_EXPORT"  # a clean `git archive` export records its commit here
    if export.exists():
        info["git_export"] = export.read_text().strip()
        print(f"code: clean export of git {info['git_export']} at {ROOT}")
    info["loadavg_start"] = os.getloadavg()
    print(f"load average at start {' '.join(f'{x:.2f}' for x in info['loadavg_start'])}")
    return info


def fmt_table(rows: list[tuple[str, str]]) -> str:
    w = max(len(k) for k, _ in rows)
    lines = [f"| {'measure'.ljust(w)} | value |", f"|{'-' * (w + 2)}|-------|"]
    lines += [f"| {k.ljust(w)} | {v} |" for k, v in rows]
    return "\n".join(lines)


def print_profile(path: Path, n: int = 15) -> str:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs()
    buf.write("--- top by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(n)
    buf.write("--- top by own (total) time ---\n")
    stats.sort_stats("tottime").print_stats(n)
    # the same, restricted to the project's own code (full paths kept for the filter)
    project = pstats.Stats(str(path), stream=buf)
    buf.write("--- project code only (flows/, transforms/), by cumulative time ---\n")
    project.sort_stats("cumulative").print_stats(r"/(flows|transforms)/", n)
    text = buf.getvalue().replace(str(ROOT) + "/", "")
    keep = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))
    ]
    return "\n".join(keep)


def report(
    args: argparse.Namespace, gen_s: float | None, parse: dict, e2e: dict | None, steps: dict | None
) -> list[tuple[str, str]]:
    raw_mb = parse["bytes"] / MB
    rows = [
        (
            "corpus",
            f"{parse['files']} files, {raw_mb:.2f} MB, seed {args.seed}"
            f"{'' if gen_s is None else f', generated in {gen_s:.1f} s'}",
        ),
        (
            "rows parsed",
            f"{parse['debates']} debates, {parse['contributions']} contributions, "
            f"{parse['rejects']} rejects {parse['reject_reasons']}",
        ),
        (
            "(a) parse_page, 1 core",
            f"{parse['seconds']:.2f} s = **{parse['mb_per_s']:.2f} MB/s**"
            f" ({parse['contributions'] / parse['seconds']:.0f} "
            "contributions/s)",
        ),
        (
            "(a) of which decode_text",
            f"{parse['decode_s']:.2f} s ({parse['decode_s'] / parse['seconds']:.0%})",
        ),
    ]
    if e2e:
        s = e2e["sizes"]
        first, noop = e2e["first"], e2e["noop"]
        rows += [
            (
                "(b) ingest_text, fresh warehouse",
                f"{e2e['ingest_s']:.2f} s = "
                f"**{raw_mb / e2e['ingest_s']:.2f} MB/s** (server already up)",
            ),
            (
                "(b) same incl. Prefect start-up",
                f"{e2e['ingest_s'] + e2e['server_warm_up_s']:.2f}"
                f" s (temporary server + first flow {e2e['server_warm_up_s']:.1f} s; child process "
                f"{e2e['process_wall_s']:.1f} s in all)",
            ),
            (
                "(b) peak RSS of the flow process",
                f"**{e2e['rss_peak_mb']:.0f} MB** (baseline after "
                f"imports and warm-up {e2e['rss_before_mb']:.0f} MB; Prefect server process not "
                "counted)",
            ),
            (
                "(b) published",
                f"{first['debates']} debates, {first['contributions']} "
                f"contributions, {first['rejects']} rejects, {first['partitions_written']} "
                "partitions",
            ),
            (
                "(b) DuckDB views",
                f"{e2e['views']['contributions']} contributions, "
                f"{e2e['views']['debates']} debates, {e2e['views']['raw_inputs']} raw_inputs "
                f"(5 counts in {e2e['views']['query_s'] * 1000:.0f} ms)",
            ),
            (
                "(c) no-op re-ingest",
                f"**{e2e['noop_s']:.2f} s** ({noop['inputs_unchanged']} "
                f"unchanged, {noop['inputs_new']} new)",
            ),
            (
                "(d) Parquet / raw",
                f"**{s['parquet_bytes'] / parse['bytes']:.3f}** "
                f"({s['parquet_bytes'] / MB:.2f} MB Parquet: "
                + ", ".join(
                    f"{k} {v['bytes'] / MB:.2f} MB/{v['files']} files"
                    for k, v in s["tables"].items()
                )
                + ")",
            ),
            (
                "(d) for comparison",
                "raw zstd per file "
                f"{parse['raw_zstd_bytes'] / parse['bytes']:.3f}; raw zone "
                f"{(s['raw_objects_bytes'] + s['raw_manifest_bytes']) / MB:.2f} MB "
                f"(manifests {s['raw_manifest_bytes'] / 1000:.0f} kB); DuckDB file "
                f"{s['duckdb_bytes'] / 1000:.0f} kB",
            ),
        ]
    if steps:
        for st in steps["steps"][1:]:
            rows.append((f"step: {st['step']}", f"{st['s']:.2f} s, peak RSS {st['rss_mb']:.0f} MB"))
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark parse and ingest of transcript text.")
    ap.add_argument("--mb", type=float, default=100.0, help="corpus size (1 MB = 1e6 bytes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temp data and warehouses")
    ap.add_argument("--data", type=Path, help="corpus folder (reused when it matches)")
    ap.add_argument("--work", type=Path, help="folder for warehouses and Prefect home")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile parse_page and a further end-to-end run",
    )
    ap.add_argument("--skip-e2e", action="store_true", help="parse benchmark only")
    ap.add_argument("--skip-steps", action="store_true", help="no per-step breakdown")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    ap.add_argument("--child", choices=("e2e", "steps"), help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def print_timeline(e2e: dict) -> None:
    print(
        f"\nwhere the {e2e['ingest_s']:.2f} s of ingest_text went (plain steps timed inside "
        "the flow; parse batches run on the flow's thread pool):"
    )
    for name, secs, calls in summarize_timeline(e2e["timeline"], e2e["ingest_s"]):
        print(f"  {secs:7.2f} s  {name}" + (f"  ({calls} calls)" if calls > 1 else ""))
    print("  timeline (start, end, thread, step):")
    for name, th, a, b in e2e["timeline"]:
        print(f"    {a:7.2f} {b:7.2f}  {th:<28} {name}")
    print(f"  no-op re-ingest {e2e['noop_s']:.2f} s:")
    for name, secs, calls in summarize_timeline(e2e["noop_timeline"], e2e["noop_s"]):
        print(f"  {secs:7.2f} s  {name}" + (f"  ({calls} calls)" if calls > 1 else ""))


def run_all(args: argparse.Namespace, data: Path, work: Path, cmd: str, info: dict) -> None:
    meta, gen_s = ensure_corpus(data, args.mb, args.seed)
    print(
        f"corpus: {meta['files']} files, {meta['bytes'] / MB:.2f} MB "
        f"({'reused' if gen_s is None else f'generated in {gen_s:.1f} s'})",
        flush=True,
    )
    parse_profile = work / "parse.pstats" if args.profile else None
    parse = bench_parse(data, parse_profile)
    print(f"(a) parse: {parse['mb_per_s']:.2f} MB/s", flush=True)
    e2e = steps = None
    flow_profile = work / "ingest.pstats" if args.profile else None
    if not args.skip_e2e:
        extra = ["--profile", "--profile-out", str(flow_profile)] if flow_profile else []
        e2e = run_child("e2e", data, work, extra)
        print(f"(b) ingest: {e2e['ingest_s']:.2f} s; (c) no-op {e2e['noop_s']:.2f} s", flush=True)
    if not args.skip_steps:
        steps = run_child("steps", data, work, [])
    print()
    print(fmt_table(report(args, gen_s, parse, e2e, steps)))
    if e2e and e2e["stderr_lines"]:
        print(f"\nflow child wrote {e2e['stderr_lines']} stderr lines, e.g.:")
        for line in e2e["stderr_head"]:
            print("   ", line[:160])
    if e2e:
        print_timeline(e2e)
    if parse_profile:
        print(f"\nprofile of parse_page over the corpus (cProfile), {parse_profile}:")
        print(print_profile(parse_profile))
    if e2e and flow_profile:
        print(
            f"\nprofile of a further ingest_text run ({e2e['profiled_ingest_s']:.2f} s "
            f"under cProfile, {e2e['profiled_threads']} pool threads merged), {flow_profile}:"
        )
        print(print_profile(flow_profile))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "command": cmd,
                    "machine": info,
                    "generator": meta,
                    "generate_s": gen_s,
                    "parse": parse,
                    "e2e": e2e,
                    "steps": steps,
                },
                indent=1,
                default=str,
            )
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child == "e2e":
        args.profile = args.profile_out
        child_e2e(args)
        return 0
    if args.child == "steps":
        child_steps(args)
        return 0

    t_all = time.perf_counter()
    need_tmp = not (args.data and args.work)
    tmp = Path(tempfile.mkdtemp(prefix="hansard-bench-")) if need_tmp else Path("/nonexistent")
    data = (args.data or tmp / "data").resolve()
    work = (args.work or tmp / "work").resolve()
    work.mkdir(parents=True, exist_ok=True)
    cmd = "uv run python " + shlex.join(["bench/bench_text.py", *sys.argv[1:]])
    info = header(cmd)
    print(f"data {data}\nwork {work}", flush=True)
    try:
        run_all(args, data, work, cmd, info)
        print(f"\nbench total {time.perf_counter() - t_all:.1f} s")
    finally:
        if args.keep:
            print(f"kept: data {data} ; warehouses and Prefect home {work}")
        else:
            if need_tmp:
                shutil.rmtree(tmp, ignore_errors=True)  # default data and work live in tmp
        if need_tmp and tmp.exists() and not any(tmp.iterdir()):
            tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
