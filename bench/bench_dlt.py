"""The same recorded Hansard API JSON loaded two ways, side by side in one run: our pipeline's
own parse + normalise + publish, and a plain dlt pipeline into DuckDB and into Parquet files.

    cd /work/main && uv sync --extra bench     # dlt lives only in the `bench` extra
    cd /work/main && uv run --extra bench python bench/bench_dlt.py --contributions 100000 \\
        [--json FILE] [--keep] [--input FOLDER] [--repeat N]

Input: a folder of recorded API responses in the replay server's fixture layout (`routes.json` +
body files, tests.support.replay_fixtures.fixture_routes): per-day contribution search pages
(`/search/contributions/{Spoken,Written}.json`, `SearchContributionsQueryResult` envelopes) and
`/debates/debate/{ExtId}.json` bodies; calendar routes are ignored. With --input, that folder is
used as it is. Otherwise one is made in the work folder: by bench/generate_api.py (`--contributions
N`) when it exists, else from the real recorded extracts under
$HANSARD_CORPUS/hansard-api/extracts/ (read in place; 306 search items, 202 Overviews), repeated
with new ids (ContributionExtId, debate ExtIds, ItemId, DebateSectionOrder shifted) until there are
at least N contributions: the copies of a day go on that day's pages, so a day has several 100-item
pages, and every copy of a debate gets its own Overview body.

Each side runs in its own child process (so its peak RSS is its own) on the same files:
  ours         what `hansard ingest api` does after its HTTP fetch, called as plain
               functions: every body stored in a fresh warehouse's raw zone (sha256, manifest)
               under the URL the run would have fetched it from, then one commit of the run
               engine (flows.run.commit) over one work item holding every body: the source's
               parse (text normalisation, debate merge) into the spill area, explicit schema
               frames merged into their partitions, quality gate, atomic swap, ledger. Then,
               timed apart, resolve_all + refresh_views (speaker_resolutions, the search index,
               hansard.duckdb views), as the engine's derived and views steps do after
               publishing.
  dlt-duckdb   a plain dlt pipeline: one @dlt.source with two @dlt.resource generators (the
               search `Results` items; the debate bodies as they are), dlt's defaults (append,
               inferred schema, nested lists as child tables), destination duckdb.
  dlt-parquet  the same pipeline, destination filesystem (local folder), loader_file_format
               parquet.
Per side: wall and CPU time of the work (imports timed apart), peak RSS, rows loaded per table,
output bytes; then the ratio ours/dlt (> 1: ours is slower / bigger).

Without dlt installed (`uv sync` without the extra), the dlt sides are skipped, saying why.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import dir_bytes, header, peak_rss_mb  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("HANSARD_CORPUS", ROOT.parent / "shared" / "corpus"))
BASE_URL = "https://hansard-api.parliament.uk"  # only a name in stored URLs: nothing is fetched
SIDES = ("ours", "dlt-duckdb", "dlt-parquet")
ID_NAMESPACE = uuid.UUID("6f1c1d1e-2b7a-4c55-9a43-0c8d2d5b9e11")  # new ids for the copies


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class ApiFile:
    """One recorded response: what was asked (path + query) and where its body is."""

    kind: str  # "search" or "debate"
    path: str
    query: tuple[tuple[str, str], ...]
    body_file: Path | None
    inline: bytes | None = None

    @property
    def url(self) -> str:
        qs = urlencode(self.query)
        return f"{BASE_URL}{self.path}" + (f"?{qs}" if qs else "")

    def read(self) -> bytes:
        return self.inline if self.body_file is None else self.body_file.read_bytes()


def kind_of(path: str) -> str | None:
    low = path.lower()
    if low.startswith("/search/contributions/"):
        return "search"
    if low.startswith("/debates/debate/"):
        return "debate"
    return None


def route_entries(folder: Path) -> Iterator[dict]:
    """The entries of `folder/routes.json`, else of `folder/routes.jsonl` (one a line)."""
    if (folder / "routes.json").exists():
        yield from json.loads((folder / "routes.json").read_text(encoding="utf-8-sig"))["routes"]
        return
    with (folder / "routes.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def api_files(folder: Path) -> list[ApiFile]:
    """The search pages and debate bodies recorded in the folder's routes (status 200 only),
    in the routes' order; calendars are left out."""
    from tests.support.replay_fixtures import json_body

    out = []
    for entry in route_entries(folder):
        kind = kind_of(entry["path"])
        if kind is None or entry.get("status", 200) != 200:
            continue
        query = tuple((str(k), str(v)) for k, v in (entry.get("query") or {}).items())
        if "body_file" in entry:
            out.append(ApiFile(kind, entry["path"], query, folder / entry["body_file"]))
        else:
            out.append(ApiFile(kind, entry["path"], query, None, json_body(entry["body"])))
    return out


def describe_input(files: list[ApiFile]) -> dict:
    searches = [f for f in files if f.kind == "search"]
    items = total = 0
    for f in searches:
        data = f.read()
        total += len(data)
        items += len(json.loads(data)["Results"])
    debate_bytes = sum(len(f.read()) for f in files if f.kind == "debate")
    return {
        "search_pages": len(searches),
        "search_items": items,
        "debate_bodies": len(files) - len(searches),
        "bytes": total + debate_bytes,
        "search_bytes": total,
        "debate_bytes": debate_bytes,
    }


def _new_id(old: str, copy: int) -> str:
    return old if copy == 0 else str(uuid.uuid5(ID_NAMESPACE, f"{copy}:{old}")).upper()


def _copy_item(item: dict, copy: int) -> dict:
    new = dict(item)
    new["ContributionExtId"] = _new_id(item["ContributionExtId"], copy)
    new["DebateSectionExtId"] = _new_id(item["DebateSectionExtId"], copy)
    if isinstance(item.get("ItemId"), int):
        new["ItemId"] = item["ItemId"] + copy * 10_000_000
    if isinstance(item.get("DebateSectionId"), int):
        new["DebateSectionId"] = item["DebateSectionId"] + copy * 10_000_000
    if isinstance(item.get("DebateSectionOrder"), int):
        new["DebateSectionOrder"] = item["DebateSectionOrder"] + copy * 10_000
    return new


def _copy_overview(overview: dict, copy: int, known: set[str]) -> dict:
    new = dict(overview)
    new["ExtId"] = _new_id(overview["ExtId"], copy)
    if isinstance(overview.get("Id"), int):
        new["Id"] = overview["Id"] + copy * 10_000_000
    for k in ("NextDebateExtId", "PreviousDebateExtId"):
        if overview.get(k) in known:
            new[k] = _new_id(overview[k], copy)
    return new


def corpus_folder(corpus: Path, out: Path, contributions: int) -> dict:
    """Write a fixture folder (routes.json + bodies) from the real extracts, read in place,
    repeated with new ids until it holds at least `contributions` search items."""
    from tests.support.replay_fixtures import (
        corpus_days,
        corpus_overviews,
        day_pages,
        debate_body,
        debate_path,
        json_body,
    )

    days = corpus_days(corpus)
    overviews = corpus_overviews(corpus)
    per_copy = sum(len(d.items) for d in days)
    copies = max(1, math.ceil(contributions / per_copy))
    shutil.rmtree(out, ignore_errors=True)
    routes: list[dict] = []

    def write(rel: str, payload: object) -> str:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(json_body(payload))
        return rel

    for day in days:
        items = [_copy_item(i, c) for c in range(copies) for i in day.items]
        by_type = {"Spoken": items, "Written": []}
        for path, query, body in day_pages(day.house, day.date, by_type):
            kind = Path(path).stem
            rel = f"search/{day.house}/{day.date}/{kind}-{query['queryParameters.skip']}.json"
            routes.append({"path": path, "query": query, "body_file": write(rel, body)})
    known = set(overviews)
    for copy in range(copies):
        for overview in overviews.values():
            new = _copy_overview(overview, copy, known)
            rel = write(f"debates/{new['ExtId']}.json", debate_body(new))
            routes.append({"path": debate_path(new["ExtId"]), "body_file": rel})
    (out / "routes.json").write_text(json.dumps({"routes": routes}, indent=0))
    meta = {
        "made_by": "bench_dlt.corpus_folder",
        "corpus": str(corpus),
        "copies": copies,
        "contributions_target": contributions,
        "search_items": per_copy * copies,
    }
    (out / "MADE.json").write_text(json.dumps(meta, indent=1))
    return meta


def generated_folder(out: Path, contributions: int, seed: int) -> dict:
    """bench/generate_api.py's folder for `contributions`, reused when already there."""
    import generate_api  # bench/generate_api.py, written separately

    meta_path = out / "GENERATED.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("contributions_target") == contributions and meta.get("seed") == seed:
            return meta
        shutil.rmtree(out)
    return generate_api.generate(out, seed=seed, quiet=True, contributions=contributions)


# --------------------------------------------------------------------------- children


def cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Phases:
    """Wall and CPU seconds of named steps, and the peak RSS after each."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        w0, c0 = time.perf_counter(), cpu_s()
        yield
        self.rows.append(
            {
                "step": name,
                "wall_s": time.perf_counter() - w0,
                "cpu_s": cpu_s() - c0,
                "rss_mb": peak_rss_mb(),
            }
        )


def days_of(rows: list[dict]) -> list[tuple[str, date]]:
    return sorted({(r["house"], r["sitting_date"]) for r in rows})


def run_ours(files: list[ApiFile], work: Path, views: bool) -> dict:
    """What `ingest api` does after fetching, on the recorded bodies (module docstring)."""
    t0 = time.perf_counter()
    from flows.core import raw_zone, runs
    from flows.core.inputs import request_key
    from flows.core.source import WorkItem
    from flows.core.warehouse import Warehouse
    from flows.run import Group, RunContext, RunOptions, commit
    from flows.sources import CATALOG
    from transforms.hansard_api.parse import SOURCE

    out: dict = {"import_s": time.perf_counter() - t0, "rss_after_import_mb": peak_rss_mb()}
    wh = Warehouse.at(work / "ours-warehouse")
    shutil.rmtree(wh.root, ignore_errors=True)
    phase = Phases()
    w0, c0 = time.perf_counter(), cpu_s()
    with phase("read + store raw (sha256, raw zone, manifest)"):
        entries = []
        for f in files:
            request = {"params": dict(f.query), "status": 200, "content_type": "application/json"}
            entry, _ = raw_zone.store(
                wh, SOURCE, f.read(), f.url, key=request_key(f.path, dict(f.query)), request=request
            )
            entries.append(entry)
    with phase("parse + normalise + publish (the engine's commit: spill, merge, gate, swap)"):
        source = CATALOG[SOURCE]
        ctx = RunContext(wh, CATALOG, RunOptions(), runs.RunRecord.start("bench", SOURCE))
        try:
            item = WorkItem("all", tuple(entries))
            group = Group([[item]], 1, item.size)
            counts = commit(ctx, source, group, [], {}, replace=False)
        finally:
            ctx.close()
        partitions = counts.partitions_written
    out["wall_s"], out["cpu_s"] = time.perf_counter() - w0, cpu_s() - c0
    out["rss_peak_mb"] = peak_rss_mb()
    out["rows"] = {name: n for name, n in counts.rows.items() if n}
    out["rows"]["raw_inputs"] = len(entries)
    out["partitions_written"] = partitions
    from flows.core.publish import read_table
    from transforms.schema import REJECTS

    reasons = read_table(wh, REJECTS)["reason"].value_counts()
    out["reject_reasons"] = dict(sorted(reasons.iter_rows()))
    out["output_bytes"] = dir_bytes(wh.tables, "*.parquet")
    out["raw_zone_bytes"] = dir_bytes(wh.raw)
    out["tables"] = {
        t.name: dir_bytes(t, "*.parquet") for t in sorted(wh.tables.iterdir()) if t.is_dir()
    }
    if views:
        after_publish(wh, phase, out)
    out["phases"] = phase.rows
    return out


def after_publish(wh, phase: Phases, out: dict) -> None:  # noqa: ANN001  (a Warehouse)
    """What the flow runs after publishing: derived tables, then the DuckDB file."""
    from flows.core.views import refresh_views
    from flows.derived.resolution import resolve_all  # the engine's derived step

    try:
        with phase("after publish: resolve_all (speaker_resolutions, search tables)"):
            resolve_all(wh)
        with phase("after publish: refresh_views (hansard.duckdb: views, macros, stopwords)"):
            refresh_views(wh)
        out["views_wall_s"] = phase.rows[-1]["wall_s"] + phase.rows[-2]["wall_s"]
        out["views_cpu_s"] = phase.rows[-1]["cpu_s"] + phase.rows[-2]["cpu_s"]
        out["duckdb_bytes"] = wh.duckdb_path.stat().st_size
        out["derived_parquet_bytes"] = dir_bytes(wh.tables, "*.parquet") - out["output_bytes"]
    except Exception as e:  # report it, keep the core figures
        out["views_error"] = f"{type(e).__name__}: {e}"
    out["rss_peak_with_views_mb"] = peak_rss_mb()


def dlt_source(files: list[ApiFile]):  # noqa: ANN201  (a dlt source object)
    """The plain dlt way: a source of two resources yielding the API's own objects."""
    import dlt

    @dlt.resource(name="contributions")
    def contributions() -> Iterator[list[dict]]:
        for f in files:
            if f.kind == "search":
                yield json.loads(f.read())["Results"]

    @dlt.resource(name="debates")
    def debates() -> Iterator[dict]:
        for f in files:
            if f.kind == "debate":
                yield json.loads(f.read())

    @dlt.source(name="hansard_api")
    def hansard_api():  # noqa: ANN202
        return contributions, debates

    return hansard_api()


def run_dlt(files: list[ApiFile], work: Path, destination: str) -> dict:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DLT_DATA_DIR", str(work / f"{destination}-dlt-data"))
    t0 = time.perf_counter()
    import dlt

    out: dict = {
        "import_s": time.perf_counter() - t0,
        "rss_after_import_mb": peak_rss_mb(),
        "dlt": dlt.__version__,
    }
    pipelines_dir = work / f"{destination}-pipelines"
    target = work / f"{destination}-out"
    for p in (pipelines_dir, target):
        shutil.rmtree(p, ignore_errors=True)
    if destination == "dlt-duckdb":
        dest = dlt.destinations.duckdb(str(target / "dlt_bench.duckdb"))
        target.mkdir(parents=True)
        run_kw: dict = {}
    else:
        dest = dlt.destinations.filesystem(target.as_uri())
        run_kw = {"loader_file_format": "parquet"}
    phase = Phases()
    w0, c0 = time.perf_counter(), cpu_s()
    pipe = dlt.pipeline(
        pipeline_name="hansard_bench",
        destination=dest,
        dataset_name="hansard",
        pipelines_dir=str(pipelines_dir),
    )
    with phase("extract"):
        pipe.extract(dlt_source(files), **run_kw)
    with phase("normalize"):
        pipe.normalize()
    with phase("load"):
        info = pipe.load()
    out["wall_s"], out["cpu_s"] = time.perf_counter() - w0, cpu_s() - c0
    out["rss_peak_mb"] = peak_rss_mb()
    info.raise_on_failed_jobs()
    counts = pipe.last_trace.last_normalize_info.row_counts
    out["rows"] = {k: v for k, v in sorted(counts.items()) if not k.startswith("_dlt")}
    out["dlt_rows"] = {k: v for k, v in sorted(counts.items()) if k.startswith("_dlt")}
    out["tables"] = {
        t["name"]: len(t.get("columns", {})) for t in pipe.default_schema.data_tables()
    }
    out["output_bytes"] = dir_bytes(target)
    out["working_dir_bytes"] = dir_bytes(pipelines_dir)
    out["phases"] = phase.rows
    return out


def child(args: argparse.Namespace) -> None:
    files = api_files(Path(args.input))
    work = Path(args.work)
    if args.child == "ours":
        out = run_ours(files, work, views=not args.no_views)
    else:
        out = run_dlt(files, work, args.child)
    out["child_peak_rss_mb"] = peak_rss_mb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out["grandchildren_peak_rss_mb"] = kids
    Path(args.out).write_text(json.dumps(out, indent=1, default=str))


# --------------------------------------------------------------------------- parent


def run_child(side: str, folder: Path, work: Path, no_views: bool) -> dict:
    out = work / f"{side}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", side]
    cmd += ["--input", str(folder), "--work", str(work), "--out", str(out)]
    if no_views:
        cmd.append("--no-views")
    t0 = time.perf_counter()
    with (work / f"{side}.stderr").open("w") as err:
        proc = subprocess.run(cmd, cwd=ROOT, stderr=err, stdout=err, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (work / f"{side}.stderr").read_text().splitlines()[-40:]
        return {"failed": f"exit code {proc.returncode}", "stderr_tail": tail}
    result = json.loads(out.read_text())
    result["process_wall_s"] = wall
    return result


def dlt_missing() -> str | None:
    if importlib.util.find_spec("dlt") is None:
        return "dlt is not installed (it is only in the bench extra: `uv sync --extra bench`)"
    return None


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def table(results: dict[str, dict]) -> str:
    head = ("side", "work wall s", "CPU s", "peak RSS", "imports s", "rows loaded", "output")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for side, r in results.items():
        if "wall_s" not in r:
            lines.append(f"| {side} | " + r.get("skipped", r.get("failed", "?")) + " |")
            continue
        rows = ", ".join(f"{k} {v:,}" for k, v in r["rows"].items())
        lines.append(
            f"| {side} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['rss_peak_mb']:.0f} MB | "
            f"{r['import_s']:.2f} | {rows} | {mb(r['output_bytes'])} |"
        )
        if side == "ours" and "views_wall_s" in r:
            lines.append(
                f"| ours + resolve/views | {r['wall_s'] + r['views_wall_s']:.2f} | "
                f"{r['cpu_s'] + r['views_cpu_s']:.2f} | {r['rss_peak_with_views_mb']:.0f} MB | "
                f"| + speaker_resolutions, search index | "
                f"+ {mb(r['derived_parquet_bytes'])} Parquet, {mb(r['duckdb_bytes'])} duckdb |"
            )
    return "\n".join(lines)


def ratios(results: dict[str, dict]) -> dict[str, dict[str, float]]:
    ours = results.get("ours", {})
    out: dict[str, dict[str, float]] = {}
    if "wall_s" not in ours:
        return out
    for side in ("dlt-duckdb", "dlt-parquet"):
        r = results.get(side, {})
        if "wall_s" not in r:
            continue
        out[side] = {
            "wall": ours["wall_s"] / r["wall_s"],
            "cpu": ours["cpu_s"] / r["cpu_s"],
            "peak_rss": ours["rss_peak_mb"] / r["rss_peak_mb"],
            "output_bytes": ours["output_bytes"] / r["output_bytes"],
        }
        if "views_wall_s" in ours:
            out[side]["wall_with_views"] = (ours["wall_s"] + ours["views_wall_s"]) / r["wall_s"]
    return out


def make_input(args: argparse.Namespace, work: Path) -> tuple[Path, dict]:
    if args.input:
        return args.input.resolve(), {"given": str(args.input.resolve())}
    if (BENCH / "generate_api.py").exists() and not args.from_corpus:
        folder = (args.data or work / "api-generated").resolve()
        return folder, generated_folder(folder, args.contributions, args.seed)
    folder = (args.data or work / "api-from-corpus").resolve()
    made = folder / "MADE.json"
    if made.exists():
        meta = json.loads(made.read_text())
        if meta.get("contributions_target") == args.contributions:
            return folder, meta
    return folder, corpus_folder(args.corpus.resolve(), folder, args.contributions)


def print_side(side: str, r: dict) -> None:
    if "phases" not in r:
        return
    print(
        f"\n{side}: process {r['process_wall_s']:.2f} s (imports {r['import_s']:.2f} s, RSS "
        f"after imports {r['rss_after_import_mb']:.0f} MB)"
    )
    for p in r["phases"]:
        print(
            f"    {p['wall_s']:7.2f} s wall {p['cpu_s']:7.2f} s CPU  peak RSS {p['rss_mb']:5.0f} MB"
            f"  {p['step']}"
        )
    if side == "ours":
        print(
            f"    Parquet by table: {r['tables']}; raw zone {mb(r['raw_zone_bytes'])}; "
            f"rejects {r['reject_reasons']}"
        )
        if "views_error" in r:
            print(f"    resolve/views failed: {r['views_error']}")
    else:
        print(
            f"    tables (columns): {r['tables']}; dlt's own rows {r['dlt_rows']}; "
            f"pipeline working folder {mb(r['working_dir_bytes'])}"
        )


def run_sides(args: argparse.Namespace, folder: Path, work: Path, missing: str | None) -> dict:
    """Each side in its own child process, --repeat times in turn; the fastest run is kept."""
    results: dict[str, dict] = {}
    for rep in range(args.repeat):
        for side in args.sides:
            if side != "ours" and missing:
                results[side] = {"skipped": missing}
                continue
            print(f"  run {rep + 1}/{args.repeat}: {side} …", flush=True)
            r = run_child(side, folder, work, args.no_views)
            prev = results.get(side)
            if prev is None or ("wall_s" in r and r["wall_s"] < prev.get("wall_s", 1e18)):
                results[side] = r
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    t_all = time.perf_counter()
    runner = "uv run --extra bench python" if "UV" in os.environ else sys.executable
    cmd = f"cd {ROOT} && {runner} " + shlex.join(["bench/bench_dlt.py", *sys.argv[1:]])
    info = header(cmd)
    with contextlib.suppress(Exception):
        from importlib import metadata

        info["packages"]["dlt"] = metadata.version("dlt")
        print(f"dlt {info['packages']['dlt']}")
    tmp = None if args.work else Path(tempfile.mkdtemp(prefix="hansard-bench-dlt-"))
    work = (args.work or tmp).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        folder, meta = make_input(args, work)
        made_s = time.perf_counter() - t0
        files = api_files(folder)
        described = describe_input(files)
        print(
            f"input {folder} ({made_s:.1f} s to make or find): {described['search_pages']} search"
            f" pages with {described['search_items']:,} items, {described['debate_bodies']:,} "
            f"debate bodies, {mb(described['bytes'])} of JSON; {meta}",
            flush=True,
        )
        missing = dlt_missing()
        results = run_sides(args, folder, work, missing)
        if missing:
            print(f"\ndlt sides skipped: {missing}")
        print("\n" + table(results))
        for side, r in results.items():
            if "failed" in r:
                print(f"\n{side} FAILED ({r['failed']}):\n" + "\n".join(r["stderr_tail"]))
            print_side(side, r)
        rat = ratios(results)
        if rat:
            print("\nratio ours/dlt (> 1: ours takes more):")
            for side, v in rat.items():
                print("  vs " + side + ": " + ", ".join(f"{k} {x:.2f}" for k, x in v.items()))
        if args.json:
            payload = {
                "command": cmd,
                "machine": info,
                "input": {"folder": str(folder), **described, "meta": meta},
                "results": results,
                "ratios": rat,
            }
            args.json.write_text(json.dumps(payload, indent=1, default=str))
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nbench total {time.perf_counter() - t_all:.1f} s; load average at end {load}")
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep or args.work:
            print(f"kept: {work}")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Our API publish versus a plain dlt pipeline.")
    ap.add_argument("--contributions", type=int, default=100_000, help="input size (items)")
    ap.add_argument("--seed", type=int, default=1, help="generate_api seed")
    ap.add_argument("--input", type=Path, help="an existing fixture folder (routes.json)")
    ap.add_argument("--data", type=Path, help="where to make (or reuse) the input folder")
    ap.add_argument("--from-corpus", action="store_true", help="corpus copies even if generator")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="$HANSARD_CORPUS")
    ap.add_argument("--sides", nargs="+", choices=SIDES, default=list(SIDES))
    ap.add_argument("--no-views", action="store_true", help="ours: skip resolve + views")
    ap.add_argument("--repeat", type=int, default=1, help="runs per side; the fastest is kept")
    ap.add_argument("--work", type=Path, help="folder for warehouses and outputs")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    ap.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
