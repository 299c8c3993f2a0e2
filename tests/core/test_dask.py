"""The engine on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1 (tests/support/dask_cluster.py), `hansard ingest text` with `[run] runner = "dask"`.
The workers parse, merge and derive (writing Parquet files under the warehouse's staging); the
command commits. The tables are byte for byte those of an inline run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.core.warehouse import Warehouse
from tests.conftest import SAMPLE
from tests.support.dask_cluster import cluster, tasks_per_worker
from tests.support.faults import hansard
from tests.support.tables import file_hashes
from tests.support.writers import generate, one_after_the_other, pairs_land
from transforms.schema import TABLES

PUBLISHED = [n for n in TABLES if n not in ("ingest_runs", "raw_inputs")]  # both: times


@pytest.fixture(scope="module")
def dask_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cluster(workers=2, log_dir=tmp_path_factory.mktemp("dask-logs")) as address:
        yield address


def test_an_ingest_on_a_dask_cluster_equals_an_inline_one(
    tmp_path: Path, dask_address: str
) -> None:
    inline, on_dask = tmp_path / "inline", tmp_path / "dask"
    done = hansard(["ingest", "text", str(SAMPLE), "-w", str(inline)])
    assert done.returncode == 0, done.stderr
    before = tasks_per_worker(dask_address)
    done = hansard(
        ["ingest", "text", str(SAMPLE), "-w", str(on_dask)],
        HANSARD__RUN__RUNNER="dask",
        HANSARD__RUN__DASK_ADDRESS=dask_address,
        HANSARD__RUN__BATCH_MB="0.005",  # a batch a page: several parse tasks
    )
    assert done.returncode == 0, done.stderr
    ran = {w: n - before.get(w, 0) for w, n in tasks_per_worker(dask_address).items()}
    assert len(ran) == 2 and all(n > 0 for n in ran.values()), ran  # both workers took tasks
    assert sum(ran.values()) >= 5 + 5  # a parse task a page, a merge and a derive a partition
    want = file_hashes(Warehouse.at(inline), PUBLISHED)
    assert file_hashes(Warehouse.at(on_dask), PUBLISHED) == want


def test_runner_dask_without_an_address_is_a_config_error(tmp_path: Path) -> None:
    done = hansard(
        ["ingest", "text", str(SAMPLE), "-w", str(tmp_path / "wh")], HANSARD__RUN__RUNNER="dask"
    )
    assert done.returncode != 0
    assert "dask_address" in done.stderr
    assert not (tmp_path / "wh" / "tables").exists()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    from tests.support.dask_cluster import free_port

    done = hansard(
        ["ingest", "text", str(SAMPLE), "-w", str(tmp_path / "wh")],
        HANSARD__RUN__RUNNER="dask",
        HANSARD__RUN__DASK_ADDRESS=f"tcp://127.0.0.1:{free_port()}",
        HANSARD__RUN__DASK_TIMEOUT_S="2",
    )
    assert done.returncode != 0
    assert "Dask scheduler" in done.stderr and "Traceback" not in done.stderr


DASK_PAIRS = int(os.environ.get("HANSARD_DASK_WRITER_REPS", "4"))


def test_two_dask_driven_runs_of_different_dates_at_once_both_land(
    tmp_path: Path, dask_address: str
) -> None:
    """Two `hansard ingest text` runs with the dask runner, started together on one warehouse
    and one cluster, over different dates: both land every time, the tables equal the two runs
    one after the other (nothing lost or doubled), and the views show no mix."""
    base = tmp_path / "pages"
    early = generate(base / "early", "2001-2002", 1)
    late = generate(base / "late", "2003-2004", 2)
    on_dask = {
        "HANSARD__RUN__RUNNER": "dask",
        "HANSARD__RUN__DASK_ADDRESS": dask_address,
        "HANSARD__RUN__BATCH_MB": "0.05",  # several parse tasks a run
    }
    want = one_after_the_other(tmp_path / "reference", early, late)
    overlaps = pairs_land(tmp_path, DASK_PAIRS, early, late, want, **on_dask)
    print(f"{DASK_PAIRS} pairs of Dask-driven runs, {overlaps} of them at the same time")
    assert overlaps >= DASK_PAIRS // 2, overlaps
