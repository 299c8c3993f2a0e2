"""Crash-proofing, proved by killing real runs: `hansard` is killed with SIGKILL before each of
its durable steps in turn (flows/core/faults.py counts them: renames, replaces, markers), and
the next ordinary run must leave the warehouse holding what a run never killed holds, table by
table, derived tables included, with the killed run's record marked crashed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import SAMPLE
from transforms.schema import INGEST_RUNS, TABLES

BIN = Path(sys.executable).parent
# what a text ingest fills, with the columns that differ between two runs of the same inputs
# (when they ran) left out
COMPARED = {
    "debates": (),
    "contributions": (),
    "rejects": ("rejected_at",),
    "speaker_resolutions": (),
    "search_docs": (),
    "search_postings": (),
    "raw_inputs": ("ingested_at",),
}


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "HANSARD_"))}
    return base | {"HANSARD__RUN__RUNNER": "inline"} | extra


def hansard(args: list[str], **extra: str) -> subprocess.CompletedProcess:
    command = [str(BIN / "hansard"), *args]
    return subprocess.run(command, env=env(**extra), capture_output=True, text=True, check=False)


def content(root: Path) -> dict[str, pl.DataFrame]:
    """Every compared table's rows, in one order."""
    wh = Warehouse(root)
    out = {}
    for name, volatile in COMPARED.items():
        df = read_table(wh, TABLES[name]).drop(volatile)
        out[name] = df.sort(df.columns, nulls_last=True)
    return out


def assert_same(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame], n: int) -> None:
    for name, df in want.items():
        assert got[name].height == df.height, (n, name, got[name].height, df.height)
        assert got[name].equals(df), (n, name)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three pages of the bundled sample: every table fed, few kill points."""
    folder = tmp_path_factory.mktemp("pages")
    for page in sorted(SAMPLE.glob("*.txt"))[:3]:
        shutil.copy(page, folder / page.name)
    return folder


def test_every_kill_point_of_an_ingest_is_recovered_by_the_next_run(
    pages: Path, tmp_path: Path
) -> None:
    log = tmp_path / "steps.log"
    reference = tmp_path / "reference"
    clean = hansard(
        ["ingest", "text", str(pages), "-w", str(reference)], HANSARD_COUNT_STEPS=str(log)
    )
    assert clean.returncode == 0, clean.stderr
    steps = log.read_text().splitlines()
    assert len(steps) >= 20, steps  # the raw zone, every table, the ledger, the views
    want = content(reference)
    assert want["contributions"].height > 0 and want["search_postings"].height > 0

    for n in range(1, len(steps) + 1):
        root = tmp_path / f"killed-{n}"
        killed = hansard(["ingest", "text", str(pages), "-w", str(root)], HANSARD_KILL_AT=str(n))
        assert killed.returncode == -9, (n, steps[n - 1], killed.returncode, killed.stderr)
        again = hansard(["ingest", "text", str(pages), "-w", str(root)])
        assert again.returncode == 0, (n, steps[n - 1], again.stderr)
        assert_same(content(root), want, n)
        status = read_table(Warehouse(root), INGEST_RUNS).sort("started_at")["status"].to_list()
        assert status[-1] == "completed" and "running" not in status, (n, status)
        assert not any((root / "_staging").iterdir()) if (root / "_staging").is_dir() else True
        shutil.rmtree(root)
