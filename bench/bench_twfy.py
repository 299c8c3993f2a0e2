"""Benchmark TheyWorkForYou XML parse + publish on generated ParlParse files.

    cd /work/main && uv run python bench/bench_twfy.py --mb 100 [--keep] [--json OUT]
    cd /work/main && uv run python bench/bench_twfy.py --mb 1          # smoke

Corpus: bench/generate_twfy.py (our own text, deterministic from --seed), `debates<date>a.xml`
files in the modern format. Measures
  (a) the pure parser: transforms.twfy_xml.parse.parse_file over every file, one core, in this
      process (with lxml's load alone timed separately, and a cProfile of a sample of files);
  (b) end to end: the Prefect flow flows.twfy_flow.ingest_twfy into a fresh warehouse (raw
      zone, parse, derive, staged publish + quality gate, manifest, speaker resolution, DuckDB
      views), in a child process so its peak RSS (getrusage ru_maxrss) is its own; the Prefect
      temporary server is started by a warm-up flow first and timed separately; the steps are
      timed by wrapping the functions the flow calls.
Data and warehouses go to a temporary folder (kept with --keep) or to --data / --work.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import bench_text  # noqa: E402
from bench_text import machine, peak_rss_mb  # noqa: E402

from flows import PREFECT_DEFAULTS  # noqa: E402

MB = 1_000_000


def input_files(data: Path) -> list[Path]:
    return sorted(data.glob("*.xml"))


def ensure_corpus(data: Path, mb: float, seed: int) -> tuple[dict, float | None]:
    from generate_twfy import generate

    return bench_text.ensure_corpus(data, mb, seed, generate)


# --------------------------------------------------------------------------- (a) parse


def bench_parse(data: Path, profile_files: int = 5) -> dict:
    from transforms.common.xml_load import load_xml
    from transforms.twfy_xml.parse import parse_file
    from transforms.twfy_xml.rows import TwfyInput

    received = datetime(2031, 1, 1, tzinfo=UTC)
    files = input_files(data)
    parse_s = load_s = 0.0
    total = 0
    counts = {"contributions": 0, "debates": 0, "divisions": 0, "division_votes": 0, "rejects": 0}
    for f in files:
        raw = f.read_bytes()
        inp = TwfyInput(raw, str(f), hashlib.sha256(raw).hexdigest(), received)
        t0 = time.perf_counter()
        result = parse_file(inp)
        parse_s += time.perf_counter() - t0
        total += len(raw)
        for k in counts:
            counts[k] += len(getattr(result, k))
        t0 = time.perf_counter()
        load_xml(raw)
        load_s += time.perf_counter() - t0
    prof = cProfile.Profile()
    for f in files[:profile_files]:
        raw = f.read_bytes()
        inp = TwfyInput(raw, str(f), "0" * 64, received)
        prof.enable()
        parse_file(inp)
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    return {
        "files": len(files),
        "bytes": total,
        "seconds": parse_s,
        "mb_per_s": total / MB / parse_s if parse_s else None,
        "load_xml_s": load_s,
        "contributions_per_s": counts["contributions"] / parse_s if parse_s else None,
        **counts,
        "profile_tottime": buf.getvalue(),
    }


# --------------------------------------------------------------------------- (b) child


STEPS = (
    ("flows.core.raw_zone", "store", "raw zone store"),
    ("flows.pipeline", "parse_twfy_entries", "parse + derive"),
    ("flows.twfy_flow", "stage", "stage Parquet"),
    ("flows.twfy_flow", "enforce", "quality gate"),
    ("flows.pipeline", "publish_manifest", "manifest"),
    ("flows.text_flow", "resolve_speakers", "speaker resolution"),
    ("flows.text_flow", "refresh_duckdb", "DuckDB views"),
)


def instrument() -> dict[str, list[float]]:
    import importlib

    spent: dict[str, list[float]] = {}
    for module, name, label in STEPS:
        mod = importlib.import_module(module)
        original = getattr(mod, name)
        spent[label] = [0.0, 0]

        def timed(*a, _f=original, _l=label, **kw):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return _f(*a, **kw)
            finally:
                spent[_l][0] += time.perf_counter() - t0
                spent[_l][1] += 1

        setattr(mod, name, timed)
    return spent


def child_e2e(args: argparse.Namespace) -> None:
    work = Path(args.work)
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))
    for k, v in PREFECT_DEFAULTS.items():
        os.environ.setdefault(k, v)
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.twfy_flow import ingest_twfy

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    spent = instrument()
    wh = work / "warehouse-e2e"
    shutil.rmtree(wh, ignore_errors=True)
    out: dict = {}
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        t0 = time.perf_counter()
        warm_up()
        out["server_warm_up_s"] = time.perf_counter() - t0
        out["rss_before_mb"] = peak_rss_mb()
        t0 = time.perf_counter()
        summary = ingest_twfy([str(Path(args.data).resolve())], str(wh))
        out["ingest_s"] = time.perf_counter() - t0
        out["rss_peak_mb"] = peak_rss_mb()
        out["summary"] = vars(summary)
        out["steps"] = {k: {"s": v[0], "calls": v[1]} for k, v in spent.items()}
        t0 = time.perf_counter()
        ingest_twfy([str(Path(args.data).resolve())], str(wh))
        out["noop_s"] = time.perf_counter() - t0
    out["parquet_bytes"] = sum(
        f.stat().st_size for f in (wh / "tables").rglob("*.parquet") if f.is_file()
    ) or sum(f.stat().st_size for f in wh.rglob("*.parquet"))
    Path(args.out).write_text(json.dumps(out, indent=1, default=str))


def run_child(data: Path, work: Path) -> dict:
    out = work / "child-e2e.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--data", str(data)]
    cmd += ["--work", str(work), "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    return json.loads(out.read_text())


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child_e2e(args)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="bench-twfy-"))
    data = args.data or tmp / "data"
    work = args.work or tmp / "work"
    work.mkdir(parents=True, exist_ok=True)
    cmd = "uv run python bench/bench_twfy.py " + shlex.join(argv or sys.argv[1:])
    info = machine()
    print(f"command: {cmd}")
    print(
        f"machine: {info['platform']}, {info['cpu']}, {info['cpu_count']} CPUs, "
        f"{info['memory']}, Python {info['python']}, {info['packages']}"
    )
    print(f"date: {info['date']}; git {info['git'].get('head', '?')}")
    try:
        meta, gen_s = ensure_corpus(data, args.mb, args.seed)
        gen = f"{gen_s:.1f} s" if gen_s is not None else "reused"
        print(
            f"corpus: {meta['files']} files, {meta['bytes'] / MB:.2f} MB, {meta['speeches']} "
            f"speeches, {meta['divisions']} divisions (seed {args.seed}; generated: {gen})"
        )
        a = bench_parse(data)
        print(
            f"(a) pure parse (parse_file, 1 core): {a['seconds']:.2f} s = "
            f"{a['mb_per_s']:.2f} MB/s, {a['contributions_per_s']:.0f} contributions/s; "
            f"of which lxml load alone {a['load_xml_s']:.2f} s; rows: "
            f"{a['contributions']} contributions, {a['debates']} debates, {a['divisions']} "
            f"divisions, {a['division_votes']} votes, {a['rejects']} rejects"
        )
        print("    profile of parse_file (first 5 files), by own time:")
        print("\n".join("      " + ln for ln in a["profile_tottime"].splitlines()[6:22]))
        b = run_child(data, work)
        mbytes = a["bytes"] / MB
        print(
            f"(b) ingest_twfy end to end: {b['ingest_s']:.2f} s = {mbytes / b['ingest_s']:.2f} "
            f"MB/s; peak RSS {b['rss_peak_mb']:.0f} MB (after warm-up {b['rss_before_mb']:.0f} "
            f"MB); temporary server + warm-up flow {b['server_warm_up_s']:.1f} s; no-op re-run "
            f"{b['noop_s']:.2f} s; Parquet {b['parquet_bytes'] / MB:.1f} MB"
        )
        print(
            f"    summary: {b['summary'].get('contributions')} contributions, "
            f"{b['summary'].get('rejects')} rejects"
        )
        for label, v in b["steps"].items():
            print(
                f"    {label:<20} {v['s']:7.2f} s ({100 * v['s'] / b['ingest_s']:4.1f} %)  "
                f"{v['calls']} call(s)"
            )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(
                json.dumps(
                    {"command": cmd, "machine": info, "corpus": meta, "a": a, "b": b}, indent=1
                )
            )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
