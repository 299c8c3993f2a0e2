"""Benchmark query latencies of the DuckDB views on a large generated warehouse.

    cd /work/main && uv run python bench/bench_queries.py [--mb 500] [--budget-s 360] [--json FILE]
    cd /work/main && uv run python bench/bench_queries.py --quick     # smoke run, < 1 min
    # the scale runs: 10^5, 10^6 and 7.6 x 10^6 contributions over 1919-2025, in date order
    uv run python bench/bench_queries.py --contributions 1000000 --years 1919-2025 --ordered \
        --budget-s 100000 --rebuilds 0 --json bench/out/scale-1m.json

1. Transcript text from bench/generate_text.py (deterministic from --seed; a --data folder
   generated earlier with the same --mb and --seed is reused).
   Sized by --mb or --contributions; --years FIRST-LAST spreads the sitting dates (the whole
   of Hansard: 1919-2025 gives 214 (house, year) partitions) and --ordered puts them in file
   order, as a backfill crawled by date would arrive.
2. Ingest in chunks of ~--chunk-mb (files in name order) with the plain pipeline functions, no
   Prefect: flows.pipeline.store_files, parse_entries, publish_parsed, publish_manifest, then
   (unless --no-derive) what every ingest flow does next: the derived tables (flows.derived.refresh:
   speaker resolution, the search index; only the partitions the chunk changed) and
   refresh_views. Each chunk runs in its own child process, so its peak RSS (getrusage
   ru_maxrss) is that chunk's alone and shows whether memory stays bounded as the warehouse
   grows. Chunks stop when the ingest time so far plus the last chunk's time would pass
   --budget-s.
3. flows.core.views.refresh_views (views, analysis views and macros), in a child process, with its
   parts timed.
4. In a further child (read-only connection, as a reader would open it): `select count(*)` over
   every view in sql/ (base and analysis), `select * from search_contributions('minister')
   limit 20` and `select * from term_trend('rural')`: one warm-up run, then the median (min,
   max) of --reps timed runs. The slowest queries are then run once more with DuckDB's JSON
   profiler, and their costliest operators listed.

Nothing outside bench/ is changed; data and the warehouse go to a temporary folder (kept with
--keep), or to --data / --work when given.
"""

from __future__ import annotations

import argparse
import inspect
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

from bench_text import (  # noqa: E402
    StepTimer,
    dir_bytes,
    ensure_corpus,
    header,
    input_files,
    peak_rss_mb,
)


def cpu_s() -> float:
    """CPU seconds (user + system, all threads) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


MB = 1_000_000
SEARCH_QUERIES = {
    "search_bm25('minister') top 20": (
        "select * from search_bm25('minister') order by score desc limit 20"
    ),
    "search_bm25('abernethy') top 20": (
        "select * from search_bm25('abernethy') order by score desc limit 20"
    ),
    "search_top('minister', 20)": "select * from search_top('minister', 20)",
    "search_top('abernethy', 20)": "select * from search_top('abernethy', 20)",
    "search_contributions('minister') limit 20": (
        "select * from search_contributions('minister') limit 20"
    ),
    "term_trend('rural')": "select * from term_trend('rural')",
}
_CREATE = re.compile(r"create\s+or\s+replace\s+(view|macro)\s+([a-z_]+)", re.IGNORECASE)


# --------------------------------------------------------------------------- children


def child_ingest(args: argparse.Namespace) -> None:
    """One chunk: the plain steps of a text ingest into the growing warehouse."""
    from flows import pipeline
    from flows.core.warehouse import Warehouse

    wh = Warehouse.at(args.wh)
    files = [Path(f) for f in json.loads(Path(args.files).read_text())]
    timed = StepTimer()
    steps = timed.steps

    stored = timed("store_files", pipeline.store_files, wh, files)
    parsed = timed("parse_entries", pipeline.parse_entries, wh, stored.new)
    counts = {name: len(rows) for name, rows in parsed.rows.items()}
    written = timed("publish_parsed", pipeline.publish_parsed, wh, parsed)
    del parsed
    timed("publish_manifest", pipeline.publish_manifest, wh)
    if args.derive:  # as every ingest flow does after publishing: the derived tables, views
        from flows.core.views import refresh_views
        from flows.derived.refresh import refresh_derived
        from flows.derived.resolution import current_twfy_people, derivers

        twfy, _ = current_twfy_people(wh)
        for deriver in derivers(wh, twfy):
            summary = timed(deriver.name, refresh_derived, wh, [deriver])
            steps[-1]["partitions"] = summary.derived
        timed("refresh_views", refresh_views, wh)
    out = {
        "steps": steps,
        "files": len(files),
        "new": len(stored.new),
        "parsed": counts,
        "partitions_written": len(written),
        "cpu_s": cpu_s(),
    }
    Path(args.out).write_text(json.dumps(out, indent=1))


def child_views(args: argparse.Namespace) -> None:
    """refresh_views twice, its parts timed (wrappers on the views module's own functions)."""
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
    # a fresh build; a second build (forced, where refresh_views skips an unchanged warehouse);
    # then a plain call on the unchanged warehouse (the no-op path, where there is one)
    forced = {"force": True} if "force" in inspect.signature(views.refresh_views).parameters else {}
    runs = []
    plan = [("build", {}), *[("rebuild", forced)] * args.rebuilds]
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


def chunks(files: list[Path], chunk_mb: float) -> list[list[Path]]:
    out: list[list[Path]] = [[]]
    size = 0
    for f in files:
        if size >= chunk_mb * MB:
            out.append([])
            size = 0
        out[-1].append(f)
        size += f.stat().st_size
    return [c for c in out if c]


def ingest(args: argparse.Namespace, data: Path, work: Path, wh: Path) -> list[dict]:
    shutil.rmtree(wh, ignore_errors=True)
    done: list[dict] = []
    elapsed = 0.0
    total_mb = 0.0
    print(
        "| chunk | MB | total MB | contributions parsed | store s | parse s | publish s | "
        "manifest s | derived s (partitions) | views s | chunk s (CPU s) | MB/s | "
        "peak RSS (child) | Parquet MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, files in enumerate(chunks(input_files(data), args.chunk_mb)):
        if done and elapsed + done[-1]["process_wall_s"] > args.budget_s:
            break
        listing = work / "chunk-files.json"
        listing.write_text(json.dumps([str(f) for f in files]))
        extra = ["--files", str(listing)] + ([] if args.derive else ["--no-derive"])
        r = run_child("ingest", work, wh, extra)
        mb = sum(f.stat().st_size for f in files) / MB
        total_mb += mb
        elapsed += r["process_wall_s"]
        s = {st["step"]: st for st in r["steps"]}
        r.update(
            chunk=i + 1,
            mb=mb,
            total_mb=total_mb,
            elapsed_s=elapsed,
            peak_rss_mb=max(st["rss_mb"] for st in r["steps"]),
            parquet_mb=dir_bytes(wh / "tables", "*.parquet") / MB,
        )
        done.append(r)
        derived = (
            " + ".join(
                f"{st['s']:.2f} ({st['partitions']})" for st in r["steps"] if "partitions" in st
            )
            or "–"
        )
        print(
            f"| {i + 1} | {mb:.1f} | {total_mb:.1f} | {r['parsed']['contributions']} | "
            f"{s['store_files']['s']:.2f} | {s['parse_entries']['s']:.2f} | "
            f"{s['publish_parsed']['s']:.2f} | {s['publish_manifest']['s']:.2f} | "
            f"{derived} | {s.get('refresh_views', {}).get('s', 0):.2f} | "
            f"{r['process_wall_s']:.2f} ({r['cpu_s']:.1f}) | {mb / r['process_wall_s']:.1f} | "
            f"{r['peak_rss_mb']:.0f} MB (after parse {s['parse_entries']['rss_mb']:.0f}) | "
            f"{r['parquet_mb']:.1f} |",
            flush=True,
        )
    return done


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
        f"({'reused' if gen_s is None else f'generated in {gen_s:.1f} s'}); chunks of "
        f"~{args.chunk_mb:g} MB, ingest budget {args.budget_s:g} s\n",
        flush=True,
    )
    wh = work / "warehouse"
    chunk_runs = ingest(args, data, work, wh)
    total_mb = chunk_runs[-1]["total_mb"]
    parsed = sum(r["parsed"]["contributions"] for r in chunk_runs)
    print(
        f"\ningested {len(chunk_runs)} chunks, {total_mb:.1f} MB of text, {parsed:,} "
        f"contributions parsed, in {chunk_runs[-1]['elapsed_s']:.1f} s "
        f"({total_mb / chunk_runs[-1]['elapsed_s']:.1f} MB/s); Parquet "
        f"{chunk_runs[-1]['parquet_mb']:.1f} MB, raw zone {dir_bytes(wh / 'raw') / MB:.0f} MB",
        flush=True,
    )
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
            "chunks": chunk_runs,
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
    ap.add_argument(
        "--no-derive",
        dest="derive",
        action="store_false",
        help="chunks skip the derived tables and views (publish only, as before)",
    )
    ap.add_argument("--chunk-mb", type=float, default=100.0, help="text per ingest chunk")
    ap.add_argument("--budget-s", type=float, default=360.0, help="ingest time budget")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5, help="timed runs per query")
    ap.add_argument("--explain", type=int, default=4, help="profile the N slowest queries")
    ap.add_argument("--rebuilds", type=int, default=1, help="forced refresh_views after the first")
    ap.add_argument("--quick", action="store_true", help="smoke run: 4 MB in 2 chunks")
    ap.add_argument("--data", type=Path, help="corpus folder (reused when it matches)")
    ap.add_argument("--work", type=Path, help="folder for the warehouse")
    ap.add_argument("--keep", action="store_true", help="keep the temp data and warehouse")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    ap.add_argument("--child", choices=("ingest", "views", "queries"), help=argparse.SUPPRESS)
    ap.add_argument("--wh", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.mb, args.chunk_mb = 4.0, 2.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        {"ingest": child_ingest, "views": child_views, "queries": child_queries}[args.child](args)
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
