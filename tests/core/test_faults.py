"""Crash-proofing, proved by killing real runs (tests/support/faults.py): `hansard ingest text`
and `hansard rebuild` are killed with SIGKILL before each of their durable steps in turn, and
the next ordinary run must leave every table, derived ones included, as a run never killed
leaves it, with the killed run's record marked crashed and no staging left."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.support.faults import TEXT_TABLES, hansard, sweep


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
    def ingest(root: Path) -> list[str]:
        return ["ingest", "text", str(pages), "-w", str(root)]

    steps = sweep(tmp_path, ingest, ingest, TEXT_TABLES, minimum_steps=20)
    assert steps >= 20  # the raw zone, every table, the ledger, the run record, the views


def test_every_kill_point_of_a_rebuild_is_recovered_by_the_next_ingest(
    pages: Path, tmp_path: Path
) -> None:
    """Killed mid-rebuild (a partition swapped out, not yet in), the next ordinary ingest of
    the same folder finishes the replacement."""

    def ingested(root: Path) -> None:
        done = hansard(["ingest", "text", str(pages), "-w", str(root)])
        assert done.returncode == 0, done.stderr

    def rebuild(root: Path) -> list[str]:
        return ["rebuild", "-w", str(root)]

    def ingest(root: Path) -> list[str]:
        return ["ingest", "text", str(pages), "-w", str(root)]

    assert sweep(tmp_path, rebuild, ingest, TEXT_TABLES, prepare=ingested) >= 10
