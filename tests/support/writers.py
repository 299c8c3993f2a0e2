"""Several writers on one warehouse, for tests: our own generated pages, `hansard ingest text`
processes started together, the serial reference, whether two runs really overlapped."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tests.conftest import ROOT
from tests.support.faults import BIN, TEXT_TABLES, content, env, hansard


def generate(folder: Path, years: str, seed: int) -> Path:
    script = ROOT / "bench" / "generate_text.py"
    args = ["--contributions", "240", "--years", years, "--seed", str(seed), str(folder)]
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)
    (folder / "GENERATED.json").unlink()
    return folder


def at_once(root: Path, *folders: Path, **extra: str) -> Iterator[subprocess.CompletedProcess]:
    """`hansard ingest text` of each folder, all started together (`extra`: environment)."""
    procs = [
        subprocess.Popen(
            [str(BIN / "hansard"), "ingest", "text", str(f), "-w", str(root)],
            env=env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in folders
    ]
    for p, f in zip(procs, folders, strict=True):
        out, err = p.communicate(timeout=300)
        yield subprocess.CompletedProcess([str(f)], p.returncode, out, err)


def one_after_the_other(root: Path, *folders: Path, **extra: str) -> dict:
    for f in folders:
        done = hansard(["ingest", "text", str(f), "-w", str(root)], **extra)
        assert done.returncode == 0, done.stderr
    return content(root, TEXT_TABLES)


def overlapped(root: Path) -> bool:
    """Whether the two runs' recorded lifetimes overlap (they really ran at once)."""
    con = duckdb.connect(str(root / "hansard.duckdb"), read_only=True)
    try:
        (a0, a1), (b0, b1) = con.execute(
            "select started_at, finished_at from ingest_runs order by started_at"
        ).fetchall()
    finally:
        con.close()
    return b0 < a1


def pairs_land(work: Path, reps: int, first: Path, second: Path, want: dict, **extra: str) -> int:
    """`reps` times, `first` and `second` ingested at once into a fresh warehouse under `work`:
    both succeed, every table equals `want` (the serial result), the views show no mix.
    Returns how many pairs really ran at the same time."""
    from tests.support.faults import readers_fail

    overlaps = 0
    for k in range(reps):
        root = work / f"wh-{k}"
        for run in at_once(root, first, second, **extra):
            assert run.returncode == 0, (k, run.args, run.stderr[-3000:])
        got = content(root, TEXT_TABLES)
        for name, df in want.items():
            assert got[name].equals(df), (k, name, got[name].height, df.height)
        assert not readers_fail(root, TEXT_TABLES), k
        overlaps += overlapped(root)
    return overlaps
