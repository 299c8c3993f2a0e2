"""Benchmark the transcript-text parser on generated family-A pages (pure parse, one core).

    cd /work/main && uv run python bench/bench_text.py --mb 100 [--keep] [--profile] [--json F]
    cd /work/main && uv run python bench/bench_text.py --mb 1          # smoke (make bench-smoke)

On a corpus made by bench/generate_text.py (deterministic from --seed), in this process:
transforms.pp_text.parse.parse_page over every file (files read before each call, so the
figure is parse alone), decode_text alone (its share of the parse), the slowest file per MB,
the rows and reject reasons, and each file's raw bytes compressed with zstd (what the raw text
compresses to on its own, for comparison with the published Parquet); with --profile a
cProfile of parse_page over the corpus.

The end-to-end cost of an ingest (raw zone, parse, publish, derived tables, views, with and
without Prefect) is measured through the CLI by bench/bench_cli.py; bench/bench_parse.py gives
parse + frame throughput for every input format.

Nothing outside bench/ is changed; the corpus goes to a temporary folder (kept with --keep),
or to --data when given (a --data folder generated earlier with the same --mb and --seed is
reused).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import MB, ensure_corpus, fmt_table, header, input_files, print_profile  # noqa: E402


def bench_parse(data: Path, profile: Path | None = None) -> dict:
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
        zstd += len(pa.compress(raw, codec="zstd", asbytes=True))
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


def report(args: argparse.Namespace, gen_s: float | None, parse: dict) -> list[tuple[str, str]]:
    made = "" if gen_s is None else f", generated in {gen_s:.1f} s"
    return [
        ("corpus", f"{parse['files']} files, {parse['bytes'] / MB:.2f} MB, seed {args.seed}{made}"),
        (
            "rows parsed",
            f"{parse['debates']} debates, {parse['contributions']} contributions, "
            f"{parse['rejects']} rejects {parse['reject_reasons']}",
        ),
        (
            "parse_page, 1 core",
            f"{parse['seconds']:.2f} s = **{parse['mb_per_s']:.2f} MB/s** "
            f"({parse['contributions'] / parse['seconds']:.0f} contributions/s)",
        ),
        (
            "of which decode_text",
            f"{parse['decode_s']:.2f} s ({parse['decode_s'] / parse['seconds']:.0%})",
        ),
        (
            "slowest file",
            f"{parse['slowest_file']}: {parse['slowest_s_per_mb']:.2f} s per MB",
        ),
        ("raw zstd per file / raw", f"{parse['raw_zstd_bytes'] / parse['bytes']:.3f}"),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark the transcript-text parser.")
    ap.add_argument("--mb", type=float, default=100.0, help="corpus size (1 MB = 1e6 bytes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary corpus")
    ap.add_argument("--data", type=Path, help="corpus folder (reused when it matches)")
    ap.add_argument("--profile", action="store_true", help="also cProfile parse_page")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t_all = time.perf_counter()
    tmp = None if args.data else Path(tempfile.mkdtemp(prefix="hansard-bench-text-"))
    data = (args.data or tmp / "data").resolve()
    cmd = "uv run python " + shlex.join(["bench/bench_text.py", *sys.argv[1:]])
    info = header(cmd)
    print(f"data {data}", flush=True)
    try:
        meta, gen_s = ensure_corpus(data, args.mb, args.seed)
        print(
            f"corpus: {meta['files']} files, {meta['bytes'] / MB:.2f} MB "
            f"({'reused' if gen_s is None else f'generated in {gen_s:.1f} s'})",
            flush=True,
        )
        profile = (tmp or data) / "parse.pstats" if args.profile else None
        parse = bench_parse(data, profile)
        print(f"(a) parse: {parse['mb_per_s']:.2f} MB/s\n", flush=True)
        print(fmt_table(report(args, gen_s, parse)))
        if profile:
            print(f"\nprofile of parse_page over the corpus (cProfile), {profile}:")
            print(print_profile(profile))
        if args.json:
            payload = {"command": cmd, "machine": info, "generator": meta, "generate_s": gen_s}
            args.json.write_text(json.dumps({**payload, "parse": parse}, indent=1, default=str))
        print(f"\nbench total {time.perf_counter() - t_all:.1f} s")
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp is not None:
            print(f"kept: {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
