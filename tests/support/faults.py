"""The kill sweep of the crash tests: run a real `hansard` command once to list its durable
steps (flows/core/faults.py), then, for each step N, kill a fresh run of it with SIGKILL just
before step N, run the ordinary command a scheduler would run next, and compare the warehouse
with one never killed, table by table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from transforms.schema import INGEST_RUNS, TABLES

BIN = Path(sys.executable).parent
TRIALS_AT_ONCE = 2  # kill trials run side by side (each is its own warehouse and processes)

# a warehouse's tables, with the columns that differ between two runs of the same inputs (when
# they ran, or fetched) left out
TEXT_TABLES: Mapping[str, tuple[str, ...]] = {
    "debates": (),
    "contributions": (),
    "rejects": ("rejected_at",),
    "speaker_resolutions": (),
    "debate_stats": (),
    "contributions_enriched": (),
    "intervention_pairs": (),
    "search_docs": (),
    "search_postings": (),
    "raw_inputs": ("ingested_at",),
}
TWFY_TABLES: Mapping[str, tuple[str, ...]] = {
    **TEXT_TABLES,
    "divisions": (),
    "division_votes": (),
    "id_redirects": (),
}


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "HANSARD_"))}
    return base | {"HANSARD__RUN__RUNNER": "inline"} | extra


def hansard(args: Sequence[str], **extra: str) -> subprocess.CompletedProcess:
    command = [str(BIN / "hansard"), *args]
    return subprocess.run(command, env=env(**extra), capture_output=True, text=True, check=False)


def content(root: Path, tables: Mapping[str, tuple[str, ...]]) -> dict[str, pl.DataFrame]:
    """Every compared table's rows, in one order."""
    wh = Warehouse(root)
    out = {}
    for name, volatile in tables.items():
        df = read_table(wh, TABLES[name]).drop(volatile)
        out[name] = df.sort(df.columns, nulls_last=True)
    return out


# one run's complete publish, read through the views: every contribution has its debate and
# one row in each table derived from it (a mix of tables before and after a commit breaks these)
CONSISTENT = """
select
    (select count(*) from contributions c anti join debates d using (debate_id)) as orphans,
    (select count(*) from contributions) - (select count(*) from speaker_resolutions),
    (select count(*) from contributions) - (select count(*) from contributions_enriched),
    (select count(*) from contributions) - (select count(*) from search_docs)
"""


def readers_fail(root: Path, tables: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The errors a reader of the views meets now, and any sign of a mix of states across
    tables (none expected at any moment)."""
    path = Warehouse(root).duckdb_path
    if not path.exists():
        return []  # killed before the first views were built: nothing to read yet
    con = duckdb.connect(str(path), read_only=True)
    errors = []
    try:
        for name in (*tables, "ingest_runs"):
            try:
                con.execute(f"select count(*) from {name}").fetchone()
            except duckdb.Error as e:
                errors.append(f"{name}: {e}")
        mix = con.execute(CONSISTENT).fetchone()
        if any(mix or ()):
            errors.append(f"a mix of states (orphans, -resolutions, -enriched, -docs): {mix}")
    finally:
        con.close()
    return errors


def sweep(  # noqa: PLR0913
    work: Path,
    command: Callable[[Path], list[str]],
    again: Callable[[Path], list[str]],
    tables: Mapping[str, tuple[str, ...]],
    prepare: Callable[[Path], None] = lambda root: None,
    minimum_steps: int = 10,
) -> int:
    """Kill `command(root)` before each of its durable steps in turn, run `again(root)`, and
    check every table equals a run never killed. Returns the number of steps swept."""
    log, reference = work / "steps.log", work / "reference"
    prepare(reference)
    clean = hansard(command(reference), HANSARD_COUNT_STEPS=str(log))
    assert clean.returncode == 0, clean.stderr
    steps = log.read_text().splitlines()
    assert len(steps) >= minimum_steps, steps
    want = content(reference, tables)

    def trial(n: int) -> None:
        root = work / f"killed-{n}"
        prepare(root)
        killed = hansard(command(root), HANSARD_KILL_AT=str(n))
        where = (n, steps[n - 1])
        assert killed.returncode == -9, (*where, killed.returncode, killed.stderr)
        unreadable = readers_fail(root, tables)
        assert not unreadable, (*where, unreadable)  # what a reader sees at the kill
        ordinary = hansard(again(root))
        assert ordinary.returncode == 0, (*where, ordinary.stderr)
        got = content(root, tables)
        for name, df in want.items():
            assert got[name].height == df.height, (*where, name, got[name].height, df.height)
            assert got[name].equals(df), (*where, name)
        status = read_table(Warehouse(root), INGEST_RUNS).sort("started_at")["status"]
        assert status[-1] == "completed" and "running" not in status.to_list(), where
        staging = root / "_staging"
        assert not (staging.is_dir() and any(staging.iterdir())), where
        shutil.rmtree(root)

    with ThreadPoolExecutor(max_workers=TRIALS_AT_ONCE) as pool:  # each trial its own processes
        for done in [pool.submit(trial, n) for n in range(1, len(steps) + 1)]:
            done.result()
    return len(steps)
