"""Parse + normalise throughput per input format on one core.

    cd /work/main && uv run python bench/bench_parse.py --mb 50 [--json FILE] [--keep]
    cd /work/main && uv run python bench/bench_parse.py --mb 0.3        # smoke (CI), seconds

For each format a corpus of about --mb MB is generated (deterministic from --seed; a --work
folder generated earlier with the same size and seed is reused):

  * text      transcript pages, bench/generate_text.py -> transforms.pp_text.parse.parse_page
  * twfy_xml  ParlParse XML days, bench/generate_twfy.py -> transforms.twfy_xml.parse.parse_file
  * api_json  Hansard API bodies, bench/generate_api.py: every search page and debate body the
              pipeline fetches (not calendars; not container bodies, which it never asks for)
              -> transforms.hansard_api.parse.parse_search_page / parse_debate, then combine_debates

These are the pure functions the sources' parse steps (flows/sources/*/work.py) call. Files are
read (and hashed) before the clock starts, so the figures are parse and normalise alone: `parse`
is bytes -> row dicts (decoding, markup cleaning, speaker splitting, columns, rejects); `frame`
is rows -> typed Polars frames (transforms.schema.frame, as the engine's parse task does before
spilling, flows/core/tasks.py), in batches of about 5 MB of input. The process is pinned to one
CPU (sched_setaffinity) and Polars to one thread (POLARS_MAX_THREADS=1).
Reported per format: MB/s (input bytes) and contributions/s, for parse and for parse + frame.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("POLARS_MAX_THREADS", "1")

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import ensure_corpus, header, peak_rss_mb  # noqa: E402

MB = 1_000_000
BATCH_BYTES = 5 * MB
RECEIVED = datetime(2031, 2, 4, tzinfo=UTC)
FORMATS = ("text", "twfy_xml", "api_json")
EXPECTED_REJECTS = {"text": {"truncated"}}  # generate_text cuts ~3% of pages mid-word on purpose

Input = tuple[str, bytes, str, str]  # (url or path, bytes, sha256, kind)


def pin_one_core() -> int | None:
    try:
        cpu = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError):
        return None
    return cpu


# --------------------------------------------------------------------------- inputs


def _read(path: Path, ref: str, kind: str) -> Input:
    data = path.read_bytes()
    return ref, data, hashlib.sha256(data).hexdigest(), kind


def text_inputs(data: Path) -> Iterator[Input]:
    for f in sorted(data.rglob("*.txt")):
        yield _read(f, str(f), "page")


def twfy_inputs(data: Path) -> Iterator[Input]:
    for f in sorted(data.glob("*.xml")):
        yield _read(f, str(f), "day")


def api_inputs(data: Path) -> Iterator[Input]:
    """Search pages and debate bodies, with the URL the pipeline would have fetched."""
    with (data / "routes.jsonl").open(encoding="utf-8") as routes:
        for line in routes:
            entry = json.loads(line)
            rel = entry.get("body_file", "")
            if not rel.startswith(("bodies/search/", "bodies/debates/")):
                continue
            query = "&".join(f"{k}={v}" for k, v in (entry.get("query") or {}).items())
            url = (
                "https://hansard-api.parliament.uk" + entry["path"] + (f"?{query}" if query else "")
            )
            yield _read(data / rel, url, "search" if "/search/" in rel else "debate")


# --------------------------------------------------------------------------- parsers


def text_parser() -> Callable[[Input], Any]:
    from transforms.pp_text.parse import PageInput, parse_page

    return lambda i: parse_page(PageInput(i[1], i[0], i[2], RECEIVED))


def twfy_parser() -> Callable[[Input], Any]:
    from transforms.twfy_xml.parse import parse_file
    from transforms.twfy_xml.rows import TwfyInput

    return lambda i: parse_file(TwfyInput(i[1], i[0], i[2], RECEIVED))


def api_parser() -> Callable[[Input], Any]:
    from transforms.hansard_api.parse import ApiInput, parse_debate, parse_search_page

    def parse(i: Input) -> Any:  # noqa: ANN401
        inp = ApiInput(i[1], i[0], i[2], RECEIVED)
        return parse_search_page(inp) if i[3] == "search" else parse_debate(inp)

    return parse


def generators() -> dict[str, Callable[..., dict]]:
    from generate_api import generate as api
    from generate_text import generate as text
    from generate_twfy import generate as twfy

    return {"text": text, "twfy_xml": twfy, "api_json": api}


SETUP = {
    "text": (text_inputs, text_parser),
    "twfy_xml": (twfy_inputs, twfy_parser),
    "api_json": (api_inputs, api_parser),
}


# --------------------------------------------------------------------------- measuring


def measure(fmt: str, data: Path) -> dict[str, Any]:
    from transforms.hansard_api.parse import combine_debates
    from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, frame

    inputs, make_parser = SETUP[fmt]
    parse = make_parser()
    files = list(inputs(data))  # read before timing: the figures exclude I/O and hashing
    parse_s = frame_s = 0.0
    total = contributions = 0
    by_kind: Counter = Counter()
    kind_s: Counter = Counter()
    reasons: Counter = Counter()
    rows: dict[str, list[dict]] = {"contributions": [], "debates": [], "rejects": []}
    api_debates: list[dict] = []
    pending = 0

    def flush() -> float:
        t0 = time.perf_counter()
        frame(CONTRIBUTIONS, rows["contributions"])
        frame(REJECTS, rows["rejects"])
        if fmt != "api_json":
            frame(DEBATES, rows["debates"])
        for v in rows.values():
            v.clear()
        return time.perf_counter() - t0

    for item in files:
        t0 = time.perf_counter()
        result = parse(item)
        dt = time.perf_counter() - t0
        parse_s += dt
        kind_s[item[3]] += dt
        by_kind[item[3]] += len(item[1])
        total += len(item[1])
        contributions += len(result.contributions)
        reasons.update(r["reason"] for r in result.rejects)
        rows["contributions"].extend(result.contributions)
        rows["rejects"].extend(result.rejects)
        (api_debates if fmt == "api_json" else rows["debates"]).extend(result.debates)
        pending += len(item[1])
        if pending >= BATCH_BYTES:
            frame_s += flush()
            pending = 0
    frame_s += flush()
    debates = 0
    if fmt == "api_json":  # one row per debate from search pages and bodies, as the pipeline
        t0 = time.perf_counter()
        combined = combine_debates(api_debates)
        parse_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        frame(DEBATES, combined)
        frame_s += time.perf_counter() - t0
        debates = len(combined)
    n_files = len(files)
    del files
    expected = EXPECTED_REJECTS.get(fmt, set())
    return {
        "format": fmt,
        "files": n_files,
        "bytes": total,
        "bytes_by_kind": dict(by_kind),
        "parse_s": parse_s,
        "frame_s": frame_s,
        "parse_mb_per_s": total / MB / parse_s if parse_s else None,
        "mb_per_s": total / MB / (parse_s + frame_s) if parse_s else None,
        "parse_mb_per_s_by_kind": {k: by_kind[k] / MB / kind_s[k] for k in by_kind if kind_s[k]},
        "contributions": contributions,
        "debates_combined": debates or None,
        "contributions_per_s": contributions / (parse_s + frame_s) if parse_s else None,
        "parse_contributions_per_s": contributions / parse_s if parse_s else None,
        "bytes_per_contribution": total / contributions if contributions else None,
        "rejects": sum(reasons.values()),
        "reject_reasons": dict(reasons),
        "unexpected_rejects": sum(n for r, n in reasons.items() if r not in expected),
        "rss_mb_after": peak_rss_mb(),
    }


def table(results: list[dict]) -> str:
    head = (
        f"{'format':<9} {'files':>6} {'MB':>8} {'parse s':>8} {'frame s':>8} {'parse MB/s':>10} "
        f"{'MB/s':>7} {'contribs':>9} {'contribs/s':>10} {'B/contrib':>9} {'rejects':>8}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r['format']:<9} {r['files']:>6} {r['bytes'] / MB:>8.1f} {r['parse_s']:>8.2f} "
            f"{r['frame_s']:>8.2f} {r['parse_mb_per_s']:>10.2f} {r['mb_per_s']:>7.2f} "
            f"{r['contributions']:>9,} {r['contributions_per_s']:>10,.0f} "
            f"{r['bytes_per_contribution']:>9,.0f} {r['rejects']:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="input size per format (1 MB = 1e6 B)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", action="append", choices=FORMATS, help="repeatable; default all")
    ap.add_argument("--work", type=Path, help="folder for the generated inputs (reused)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = ap.parse_args(argv)
    runner = "uv run python" if "UV" in os.environ else sys.executable
    cmd = f"cd {ROOT} && {runner} " + shlex.join(["bench/bench_parse.py", *sys.argv[1:]])
    info = header(cmd)
    cpu = pin_one_core()
    print(f"pinned to CPU {cpu}; POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}")
    tmp = None if args.work else Path(tempfile.mkdtemp(prefix="hansard-bench-parse-"))
    work = (args.work or tmp).resolve()
    gens = generators()
    results, generated = [], {}
    try:
        for fmt in args.format or FORMATS:
            meta, gen_s = ensure_corpus(work / fmt, args.mb, args.seed, gens[fmt])
            generated[fmt] = {"seconds": gen_s, "bytes": meta.get("bytes")}
            made = f"generated in {gen_s:.1f} s" if gen_s is not None else "reused"
            print(f"{fmt}: {work / fmt} ({made})", flush=True)
            results.append(measure(fmt, work / fmt))
        print()
        print(table(results))
        for r in results:
            kinds = ", ".join(f"{k} {v:.2f} MB/s" for k, v in r["parse_mb_per_s_by_kind"].items())
            print(
                f"  {r['format']}: parse only by input kind: {kinds}; reject reasons "
                f"{r['reject_reasons'] or 'none'}; peak RSS {r['rss_mb_after']:.0f} MB"
            )
        if args.json:
            payload = {"command": cmd, "machine": info, "cpu": cpu, "generated": generated}
            args.json.write_text(json.dumps({**payload, "formats": results}, indent=1))
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep:
            print(f"kept: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
