"""Search as a user runs it, `hansard sql` on a built warehouse, beside tantivy on the same texts.

    uv sync --extra bench      # tantivy (and dlt), for the comparison
    uv run --no-sync python bench/bench_search.py --warehouse W [--reps 5] [--json FILE]
    uv run --no-sync python bench/bench_search.py --warehouse W --no-tantivy   # ours only

1. Each query of QUERIES through the CLI, `hansard sql -w W -f tsv QUERY`, a new process each
   time as a user's command is: one warm-up, then the median (min, max) of --reps runs; wall
   seconds from outside and the process's own peak RSS (os.wait4). `select 1` comes first: the
   CLI's own start-up (Python, imports, opening the DuckDB file), which every figure includes.
2. tantivy (tantivy-py, Rust; `--no-tantivy` skips it) indexes the same contributions of the
   warehouse (contribution_id and text stored, text with tantivy's English stemmer, house
   and sitting year as fields for the filter query), with --tantivy-threads writer threads,
   in a folder of its own (kept under --work for the next run; its build time and size are
   reported). The same queries, written in tantivy's syntax (QUERIES), run in one warm
   process: top 20 with each hit's stored fields and a snippet; median of --reps. The ratio
   is ours (through the CLI, start-up included) over tantivy's (in-process). Queries with no
   tantivy equivalent (a party on the sitting date, term_trend) have no ratio.

Nothing outside bench/ is changed. The figures are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
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

from common import dir_bytes, header  # noqa: E402

HANSARD = Path(sys.executable).parent / "hansard"  # the CLI of this environment

# label: (our SQL, tantivy query or None). Top 20 everywhere, as a results page shows.
QUERIES: dict[str, tuple[str, str | None]] = {
    "select 1 (CLI start-up)": ("select 1", None),
    "common word": ("select * from search_top('minister', 20)", "minister"),
    "rare word": ("select * from search_top('abernethy', 20)", "abernethy"),
    "two words (AND)": ("select * from search_top('legal aid', 20)", "+legal +aid"),
    "two-word phrase": ("""select * from search_top('"legal aid"', 20)""", '"legal aid"'),
    "rare phrase": (
        """select * from search_top('"verity abernethy"', 20)""",
        '"verity abernethy"',
    ),
    "word, exclusion": (
        "select * from search_top('minister -abernethy', 20)",
        "+minister -abernethy",
    ),
    "house and dates": (
        "select * from search_top('minister', 20, in_house := 'Lords', "
        "date_from := DATE '1990-01-01', date_to := DATE '1999-12-31')",
        "+minister +house:Lords +year:[1990 TO 1999]",
    ),
    "party on the date": ("select * from search_top('minister', 20, of_party := 'Lab')", None),
    "count of a common word": ("select count(*) from search_matches('minister')", None),
    "term_trend": ("select * from term_trend('abernethy')", None),
}


class QueryFailed(Exception):
    """The CLI exited non-zero; the message is the tail of its stderr."""


def run_cli(wh: Path, sql: str) -> tuple[float, float, int]:
    """One `hansard sql` process: (wall seconds, its peak RSS in MB, result rows)."""
    cmd = [str(HANSARD), "sql", "-w", str(wh), "-f", "tsv", sql]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # reaped here: its own rusage
        wall = time.perf_counter() - t0
        proc.stdout.close()
        if status:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines()
            raise QueryFailed(f"exit {status >> 8}: {lines[-1] if lines else ''}"[:300])
    return wall, usage.ru_maxrss / 1024, max(out.count(b"\n") - 1, 0)


def bench_cli(wh: Path, reps: int) -> dict:
    results = {}
    for label, (sql, _) in QUERIES.items():
        try:
            run_cli(wh, sql)  # warm-up: the files in the page cache, as a user's second query
            runs = [run_cli(wh, sql) for _ in range(reps)]
        except QueryFailed as failure:  # recorded, and the other queries still run
            results[label] = {"sql": sql, "failed": str(failure)}
            print(f"  ours  {label:28} FAILED {failure}", flush=True)
            continue
        walls = [r[0] for r in runs]
        results[label] = {
            "sql": sql,
            "median_s": statistics.median(walls),
            "min_s": min(walls),
            "max_s": max(walls),
            "peak_rss_mb": max(r[1] for r in runs),
            "rows": runs[-1][2],
        }
        print(f"  ours  {label:28} {results[label]['median_s']:7.3f} s", flush=True)
    return results


def tantivy_index(wh: Path, folder: Path, threads: int) -> tuple[object, dict]:
    """A tantivy index of the warehouse's contributions, built once into `folder`."""
    import pyarrow.parquet as pq
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("contribution_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("house", tokenizer_name="raw")
    builder.add_integer_field("year", indexed=True, fast=True)
    schema = builder.build()
    done = folder / "BUILT.json"
    if done.exists():
        return tantivy.Index(schema, path=str(folder)), json.loads(done.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=512_000_000, num_threads=threads)
    t0 = time.perf_counter()
    n = 0
    for file in sorted((wh / "tables" / "contributions").rglob("*.parquet")):
        parts = dict(p.split("=", 1) for p in file.parent.relative_to(wh / "tables").parts[1:])
        for batch in pq.ParquetFile(file).iter_batches(columns=["contribution_id", "text"]):
            for cid, text in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                doc = tantivy.Document(contribution_id=cid, text=text or "")
                doc.add_text("house", parts.get("house", ""))
                year = parts.get("sitting_year", "")
                if year.isdigit():
                    doc.add_integer("year", int(year))
                writer.add_document(doc)
                n += 1
    writer.commit()
    writer.wait_merging_threads()
    info = {"docs": n, "build_s": time.perf_counter() - t0, "bytes": dir_bytes(folder)}
    done.write_text(json.dumps(info))
    index.reload()
    return index, info


def bench_tantivy(index: object, reps: int) -> dict:
    import tantivy

    searcher = index.searcher()
    results = {}
    for label, (_, query) in QUERIES.items():
        if query is None:
            continue
        parsed = index.parse_query(query, ["text"])
        snippets = tantivy.SnippetGenerator.create(searcher, parsed, index.schema, "text")

        def once(parsed=parsed, snippets=snippets) -> int:  # noqa: ANN001
            hits = searcher.search(parsed, 20).hits
            for _, address in hits:
                doc = searcher.doc(address)
                doc["contribution_id"], snippets.snippet_from_doc(doc).to_html()
            return len(hits)

        once()
        times, rows = [], 0
        for _ in range(reps):
            t0 = time.perf_counter()
            rows = once()
            times.append(time.perf_counter() - t0)
        results[label] = {"query": query, "median_s": statistics.median(times), "rows": rows}
        print(f"  tantivy {label:26} {results[label]['median_s'] * 1000:8.2f} ms", flush=True)
    return results


def report(ours: dict, theirs: dict) -> None:
    start = ours["select 1 (CLI start-up)"]["median_s"]
    print(
        "\n| query | ours via CLI, median (min–max) | peak RSS | rows | minus start-up "
        "| tantivy in-process | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, r in ours.items():
        t = theirs.get(label)
        if "failed" in r:
            tv = f"{t['median_s'] * 1000:.1f} ms ({t['rows']})" if t else "—"
            print(f"| {label} | failed: {r['failed']} | | | | {tv} | — |")
            continue
        ratio = f"{r['median_s'] / t['median_s']:,.0f}×" if t else "—"
        tv = f"{t['median_s'] * 1000:.1f} ms ({t['rows']})" if t else "—"
        print(
            f"| {label} | {r['median_s']:.2f} s ({r['min_s']:.2f}–{r['max_s']:.2f}) "
            f"| {r['peak_rss_mb']:.0f} MB | {r['rows']} | {r['median_s'] - start:.2f} s "
            f"| {tv} | {ratio} |"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--warehouse", type=Path, required=True, help="a built warehouse")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--work", type=Path, default=BENCH / "out" / "search", help="tantivy's index")
    p.add_argument("--tantivy-threads", type=int, default=2)
    p.add_argument("--no-tantivy", action="store_true")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    header(sys.argv)
    wh = args.warehouse.resolve()
    print("through the CLI:", flush=True)
    ours = bench_cli(wh, args.reps)
    theirs, built = {}, None
    if not args.no_tantivy:
        print("tantivy:", flush=True)
        index, built = tantivy_index(wh, args.work / f"tantivy-{wh.name}", args.tantivy_threads)
        print(f"  index: {built}", flush=True)
        theirs = bench_tantivy(index, args.reps)
    report(ours, theirs)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"ours": ours, "tantivy": theirs, "index": built}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
