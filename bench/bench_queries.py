"""Benchmark query latencies of the DuckDB views on a large generated warehouse.

    cd /work/main && uv run python bench/bench_queries.py [--mb 500] [--json FILE]
    cd /work/main && uv run python bench/bench_queries.py --quick     # smoke run: 2 MB
    # the scale runs: 10^5, 10^6 and 7.6 x 10^6 contributions over 1919-2025, in date order
    uv run python bench/bench_queries.py --contributions 1000000 --years 1919-2025 --ordered \
        --rebuilds 0 --json bench/out/scale-1m.json

1. Transcript text from bench/generate_text.py (deterministic from --seed; a --data folder
   generated earlier with the same size, seed and options is reused).
   Sized by --mb or --contributions; --years FIRST-LAST spreads the sitting dates (the whole
   of Hansard: 1919-2025 gives 214 (house, year) partitions) and --ordered puts them in file
   order, as a backfill crawled by date would arrive.
2. Ingest with the real CLI, `hansard ingest text DATA -w WH`, as a subprocess into a fresh
   warehouse (local mode: the run engine in-process, its runner's workers; run in the work
   folder, so no ./hansard.toml applies, but HANSARD__* overrides in the environment do and
   the header prints them). Timed from outside: wall, CPU of the command and the worker
   processes it joined, and the peak RSS of its largest single process (getrusage of the
   children: not a sum over the workers; bench/bench_cli.py samples the whole tree). The
   command's stdout is kept, and its seconds per step are read from its run record
   (warehouse/runs/<run>.json: acquire, manifest, plan, parse, merge, gate, swap, derived,
   views).
3. flows.core.views.refresh_views (views, analysis views and macros), in a child process:
   --rebuilds forced rebuilds, then a call on the unchanged warehouse (the no-op path), with
   their parts timed.
4. In a further child (read-only connection, as a reader would open it): `select count(*)` over
   every view in sql/ (base and analysis), and the search macros (search_bm25, search_top,
   search_contributions, term_trend): one warm-up run, then the median (min, max) of --reps
   timed runs. The slowest queries are then run once more with DuckDB's JSON profiler, and
   their costliest operators listed.

Nothing outside bench/ is changed; data and the warehouse go to a temporary folder (kept with
--keep), or to --data / --work when given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import MB, dir_bytes, ensure_corpus, header, input_files, peak_rss_mb  # noqa: E402

HANSARD = Path(sys.executable).parent / "hansard"  # the CLI of this environment


def cpu_s() -> float:
    """CPU seconds (user + system, all threads) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


SEARCH_QUERIES = {
    "search_bm25('minister') top 20": (
        "select * from search_bm25('minister') order by score desc limit 20"
    ),
    "search_bm25('abernethy') top 20": (
        "select * from search_bm25('abernethy') order by score desc limit 20"
    ),
    "search_top('minister', 20)": "select * from search_top('minister', 20)",
    "search_top('abernethy', 20)": "select * from search_top('abernethy', 20)",
    "search_top('legal aid', 20)": "select * from search_top('legal aid', 20)",
    "search_top('\"legal aid\"', 20)": """select * from search_top('"legal aid"', 20)""",
    "search_top('minister -abernethy', 20)": "select * from search_top('minister -abernethy', 20)",
    "search_top('minister', 20, in_house, dates)": (
        "select * from search_top('minister', 20, in_house := 'Lords', "
        "date_from := DATE '1990-01-01', date_to := DATE '1999-12-31')"
    ),
    "search_top('minister', 20, of_party := 'Lab')": (
        "select * from search_top('minister', 20, of_party := 'Lab')"
    ),
    "search_contributions('minister') limit 20": (
        "select * from search_contributions('minister') limit 20"
    ),
    "term_trend('rural')": "select * from term_trend('rural')",
}
_CREATE = re.compile(r"create\s+or\s+replace\s+(view|macro)\s+([a-z_]+)", re.IGNORECASE)


# --------------------------------------------------------------------------- children


def child_views(args: argparse.Namespace) -> None:
    """refresh_views, its parts timed (wrappers on the views module's own functions)."""
    from flows.core import views
    from flows.core.warehouse import Warehouse

    wh = Warehouse.at(args.wh)
    parts: list[tuple[str, float]] = []

    def wrap(name: str, label) -> None:  # noqa: ANN001
        fn = getattr(views, name)

        def timed(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                parts.append((label(*a), time.perf_counter() - t0))

        setattr(views, name, timed)

    wrap("_create", lambda con, wh, paths: f"create {len(paths)} views/macros")
    # the ingest built the views: forced rebuilds (refresh_views skips an unchanged
    # warehouse otherwise), then a plain call on the unchanged warehouse (the no-op path)
    runs = []
    plan = [("forced rebuild", {"force": True})] * args.rebuilds
    for label, kw in [*plan, ("call again, nothing changed", {})]:
        parts.clear()
        t0 = time.perf_counter()
        views.refresh_views(wh, **kw)
        runs.append(
            {
                "label": label,
                "s": time.perf_counter() - t0,
                "parts": list(parts),
                "rss_mb": peak_rss_mb(),
            }
        )
    out = {"runs": runs, "duckdb_bytes": wh.duckdb_path.stat().st_size, "cpu_s": cpu_s()}
    Path(args.out).write_text(json.dumps(out, indent=1))


def view_queries() -> dict[str, str]:
    """`select count(*)` over every view in sql/ (base views first), then the two searches."""
    from flows.core.views import analysis_files, view_files

    queries = {}
    for path in view_files() + analysis_files():
        for kind, name in _CREATE.findall(path.read_text()):
            if kind.lower() == "view":
                queries[f"count(*) {name}"] = f"select count(*) from {name}"
    return {**queries, **SEARCH_QUERIES}


def operators(node: dict, out: list) -> list:
    """(operator, seconds, rows) of every node of a DuckDB JSON profile."""
    if "operator_type" in node:
        out.append(
            (
                node.get("operator_name") or node["operator_type"],
                float(node.get("operator_timing") or 0.0),
                int(node.get("operator_cardinality") or 0),
            )
        )
    for c in node.get("children", []):
        operators(c, out)
    return out


def child_queries(args: argparse.Namespace) -> None:
    import duckdb

    from flows.core.warehouse import Warehouse

    wh = Warehouse.at(args.wh)
    t0 = time.perf_counter()
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    out: dict = {"connect_s": time.perf_counter() - t0, "queries": {}}
    out["threads"] = con.execute("select current_setting('threads')").fetchone()[0]
    for label, sql in view_queries().items():
        t0 = time.perf_counter()
        rows = con.execute(sql).fetchall()
        first = time.perf_counter() - t0
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            con.execute(sql).fetchall()
            times.append(time.perf_counter() - t0)
        out["queries"][label] = {
            "sql": sql,
            "first_s": first,
            "median_s": statistics.median(times),
            "min_s": min(times),
            "max_s": max(times),
            "result": rows[0][0] if sql.startswith("select count(*)") else len(rows),
        }
    out["rss_after_queries_mb"] = peak_rss_mb()
    slowest = sorted(out["queries"].items(), key=lambda kv: -kv[1]["median_s"])[: args.explain]
    out["profiles"] = {}
    for label, q in slowest:
        prof = Path(args.work) / f"profile-{len(out['profiles'])}.json"
        con.execute("pragma enable_profiling='json'")
        con.execute(f"pragma profiling_output='{prof}'")
        con.execute(q["sql"]).fetchall()
        con.execute("pragma disable_profiling")
        tree = json.loads(prof.read_text())
        ops = sorted(operators(tree, []), key=lambda o: -o[1])
        out["profiles"][label] = {
            "latency_s": tree.get("latency"),
            "cpu_time_s": tree.get("cpu_time"),
            "peak_buffer_memory": tree.get("system_peak_buffer_memory"),
            "top_operators": ops[:6],
        }
    con.close()
    Path(args.out).write_text(json.dumps(out, indent=1))


# --------------------------------------------------------------------------- parent


def run_child(mode: str, work: Path, wh: Path, extra: list[str]) -> dict:
    out = work / f"{mode}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--wh", str(wh)]
    cmd += ["--work", str(work), "--out", str(out), *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"child {mode} failed with exit code {proc.returncode}")
    result = json.loads(out.read_text())
    result["process_wall_s"] = wall
    return result


def cli_ingest(data: Path, work: Path, wh: Path) -> dict:
    """`hansard ingest text DATA -w WH` into a fresh warehouse, timed from outside (module
    docstring, 2.)."""
    from flows.app import prefect_api_url

    shutil.rmtree(wh, ignore_errors=True)
    cmd = [str(HANSARD), "ingest", "text", str(data), "-w", str(wh)]
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)  # local mode, unless a Prefect profile says otherwise
    mode = prefect_api_url(env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"{shlex.join(cmd)} failed with exit code {proc.returncode}")
    records = sorted((wh / "runs").glob("*.json"), key=lambda f: f.stat().st_mtime)
    return {
        "command": shlex.join(cmd),
        "mode": f"Prefect API {mode}" if mode else "local",
        "wall_s": wall,
        "cpu_s": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        "largest_process_rss_mb": after.ru_maxrss / 1024,
        "stdout": proc.stdout,
        "stderr": proc.stderr.splitlines()[-20:],
        "run": json.loads(records[-1].read_text()) if records else None,
        "input_mb": sum(f.stat().st_size for f in input_files(data)) / MB,
        "parquet_mb": dir_bytes(wh / "tables", "*.parquet") / MB,
        "raw_mb": dir_bytes(wh / "raw") / MB,
    }


def report_ingest(r: dict) -> None:
    print(f"$ {r['command']}   ({r['mode']}, in the work folder)")
    print("\n".join("  " + line for line in r["stdout"].splitlines()))
    for line in r["stderr"]:
        print(f"  stderr: {line}")
    print(
        f"\ningest: {r['input_mb']:.1f} MB of text in {r['wall_s']:.1f} s "
        f"({r['input_mb'] / r['wall_s']:.2f} MB/s), CPU {r['cpu_s']:.1f} s (the command and "
        f"its workers), largest process peak RSS {r['largest_process_rss_mb']:.0f} MB; Parquet "
        f"{r['parquet_mb']:.1f} MB, raw zone {r['raw_mb']:.0f} MB",
        flush=True,
    )
    run = r["run"] or {}
    if run.get("steps"):
        print(
            "  its run record, seconds per step: "
            + ", ".join(f"{k} {v:.2f}" for k, v in run["steps"].items())
        )


def report_queries(q: dict) -> None:
    print(
        f"\nqueries (read-only connection, DuckDB threads={q['threads']}; opened in "
        f"{q['connect_s'] * 1000:.0f} ms; median of the timed runs after one warm-up):\n"
    )
    print("| query | result | first run ms | median ms | min ms | max ms |")
    print("|---|---|---|---|---|---|")
    for label, r in q["queries"].items():
        result = f"{r['result']:,}" + ("" if label.startswith("count") else " rows")
        print(
            f"| {label} | {result} | {r['first_s'] * 1000:.1f} | **{r['median_s'] * 1000:.1f}** | "
            f"{r['min_s'] * 1000:.1f} | {r['max_s'] * 1000:.1f} |"
        )
    print(f"\nquery process peak RSS {q['rss_after_queries_mb']:.0f} MB")
    print("\nslowest queries under DuckDB's JSON profiler (costliest operators, seconds, rows):")
    for label, p in q["profiles"].items():
        print(
            f"  {label}: latency {p['latency_s']:.3f} s, cpu {p['cpu_time_s']:.3f} s, peak "
            f"buffer memory {(p['peak_buffer_memory'] or 0) / MB:.0f} MB"
        )
        for name, secs, rows in p["top_operators"]:
            print(f"      {secs:8.3f} s  {name:<28} {rows:>12,} rows")


def run_all(args: argparse.Namespace, data: Path, work: Path, cmd: str, info: dict) -> None:
    options: dict = {}
    if args.contributions:
        options["contributions"] = args.contributions
    if args.years:
        options["years"] = tuple(int(y) for y in args.years.split("-"))
    if args.ordered:
        options["ordered"] = True
    meta, gen_s = ensure_corpus(data, args.mb, args.seed, **options)
    print(
        f"corpus: {meta['files']} files, {meta['bytes'] / MB:.2f} MB, seed {args.seed} "
        f"({'reused' if gen_s is None else f'generated in {gen_s:.1f} s'})\n",
        flush=True,
    )
    wh = work / "warehouse"
    ingested = cli_ingest(data, work, wh)
    report_ingest(ingested)
    v = run_child("views", work, wh, ["--rebuilds", str(args.rebuilds)])
    for r in v["runs"]:
        parts = ", ".join(f"{label} {secs:.2f} s" for label, secs in r["parts"]) or "skipped"
        print(
            f"refresh_views, {r['label']}: {r['s']:.2f} s ({parts}); peak RSS {r['rss_mb']:.0f} MB"
        )
    print(f"DuckDB file {v['duckdb_bytes'] / MB:.1f} MB", flush=True)
    q = run_child("queries", work, wh, ["--reps", str(args.reps), "--explain", str(args.explain)])
    report_queries(q)
    if args.json:
        payload = {
            "command": cmd,
            "machine": info,
            "generator": meta,
            "generate_s": gen_s,
            "ingest": ingested,
            "views": v,
            "queries": q,
        }
        args.json.write_text(json.dumps(payload, indent=1, default=str))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark DuckDB view latencies at scale.")
    ap.add_argument("--mb", type=float, default=500.0, help="text to generate (1 MB = 1e6 B)")
    ap.add_argument("--contributions", type=int, help="generate this many contributions")
    ap.add_argument("--years", help="span of sitting dates, FIRST-LAST (generator default)")
    ap.add_argument("--ordered", action="store_true", help="dates in file order (a backfill)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5, help="timed runs per query")
    ap.add_argument("--explain", type=int, default=4, help="profile the N slowest queries")
    ap.add_argument("--rebuilds", type=int, default=1, help="forced refresh_views runs")
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 MB")
    ap.add_argument("--data", type=Path, help="corpus folder (reused when it matches)")
    ap.add_argument("--work", type=Path, help="folder for the warehouse")
    ap.add_argument("--keep", action="store_true", help="keep the temp data and warehouse")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    ap.add_argument("--child", choices=("views", "queries"), help=argparse.SUPPRESS)
    ap.add_argument("--wh", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.mb = 2.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        {"views": child_views, "queries": child_queries}[args.child](args)
        return 0
    t_all = time.perf_counter()
    need_tmp = not (args.data and args.work)
    tmp = Path(tempfile.mkdtemp(prefix="hansard-bench-q-")) if need_tmp else Path("/nonexistent")
    data = (args.data or tmp / "data").resolve()
    work = (args.work or tmp / "work").resolve()
    work.mkdir(parents=True, exist_ok=True)
    runner = "uv run python" if "UV" in os.environ else sys.executable  # as invoked
    cmd = f"cd {ROOT} && {runner} " + shlex.join(["bench/bench_queries.py", *sys.argv[1:]])
    info = header(cmd)
    print(f"data {data}\nwork {work}", flush=True)
    try:
        run_all(args, data, work, cmd, info)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nbench total {time.perf_counter() - t_all:.1f} s; load average at end {load}")
    finally:
        if args.keep:
            print(f"kept: data {data} ; warehouse {work}")
        elif need_tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
