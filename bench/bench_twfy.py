"""Benchmark TheyWorkForYou XML parse + publish on generated ParlParse files.

    cd /work/main && uv run python bench/bench_twfy.py --mb 100 [--keep] [--json OUT]
    cd /work/main && uv run python bench/bench_twfy.py --mb 1          # smoke

Corpus: bench/generate_twfy.py (our own text, deterministic from --seed), `debates<date>a.xml`
files in the modern format. Measures
  (a) the pure parser: transforms.twfy_xml.parse.parse_file over every file, one core, in this
      process (with lxml's load alone timed separately, and a cProfile of a sample of files);
  (b) end to end: the run engine's `twfy_xml ingest` (what `hansard ingest twfy DIR` runs in
      local mode: flows.app.run) into a fresh warehouse (raw zone, parse, staged merge +
      quality gate, swap, manifest, speaker resolution and search index, DuckDB views), in a
      child process so its peak RSS (getrusage ru_maxrss) is its own; the seconds per step
      are the run's own (RunSummary.seconds); then a no-op re-run into the same warehouse.
      Peak RSS of the runner's worker processes, when it starts any, is reported apart (the
      largest one).
Data and warehouses go to a temporary folder (kept with --keep) or to --data / --work.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
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

import common  # noqa: E402
from common import MB, children_peak_rss_mb, header, peak_rss_mb  # noqa: E402


def input_files(data: Path) -> list[Path]:
    return sorted(data.glob("*.xml"))


def ensure_corpus(data: Path, mb: float, seed: int) -> tuple[dict, float | None]:
    from generate_twfy import generate

    return common.ensure_corpus(data, mb, seed, generate)


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


def child_e2e(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    from flows import app

    out: dict = {"import_s": time.perf_counter() - t0, "rss_after_import_mb": peak_rss_mb()}
    wh = Path(args.work) / "warehouse-e2e"
    shutil.rmtree(wh, ignore_errors=True)
    paths = [str(Path(args.data).resolve())]
    t0 = time.perf_counter()
    summary = app.run("twfy_xml", "ingest", wh, opts=app.options(None), paths=paths)
    out["ingest_s"] = time.perf_counter() - t0
    out["rss_peak_mb"] = peak_rss_mb()
    out["workers_peak_rss_mb"] = children_peak_rss_mb()
    out["summary"] = summary.to_dict()
    out["steps"] = summary.seconds
    t0 = time.perf_counter()
    again = app.run("twfy_xml", "ingest", wh, opts=app.options(None), paths=paths)
    out["noop_s"] = time.perf_counter() - t0
    out["noop"] = again.describe()
    out["parquet_bytes"] = common.dir_bytes(wh / "tables", "*.parquet")
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
    info = header(cmd)
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
        workers = b["workers_peak_rss_mb"]
        print(
            f"(b) twfy_xml ingest end to end: {b['ingest_s']:.2f} s = "
            f"{mbytes / b['ingest_s']:.2f} MB/s; peak RSS {b['rss_peak_mb']:.0f} MB (after "
            f"imports {b['rss_after_import_mb']:.0f} MB; imports {b['import_s']:.1f} s"
            + (f"; largest worker process {workers:.0f} MB" if workers else "")
            + f"); no-op re-run {b['noop_s']:.2f} s; Parquet {b['parquet_bytes'] / MB:.1f} MB"
        )
        print(f"    {b['summary']['text'] or b['summary']['message']}")
        print(f"    no-op re-run: {b['noop']}")
        for step, secs in b["steps"].items():
            print(f"    {step:<10} {secs:7.2f} s ({100 * secs / b['ingest_s']:4.1f} %)")
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
        else:
            print(f"kept: data {data} ; warehouses {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
