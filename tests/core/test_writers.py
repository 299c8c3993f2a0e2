"""Several writers at once: two `hansard ingest text` processes started together on one
warehouse. Over different dates both land; over the same partitions the second to commit merges
again from the first one's state (or, after too many tries, fails saying so, and a rerun lands).
Either way the tables equal those of the two runs one after the other: no row lost, none
doubled, the derived tables and the views complete."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.faults import BIN, TEXT_TABLES, content, env, hansard, readers_fail
from tests.support.writers import generate, one_after_the_other, pairs_land

REPS = int(os.environ.get("HANSARD_WRITER_REPS", "20"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("writers")
    return {
        "early": generate(base / "early", "2001-2002", 1),
        "late": generate(base / "late", "2003-2004", 2),
        "one": generate(base / "one", "2005-2005", 3),
        "other": generate(base / "other", "2005-2005", 4),
    }


def test_two_writers_of_different_dates_both_land(pages: dict[str, Path], tmp_path: Path) -> None:
    want = one_after_the_other(tmp_path / "reference", pages["early"], pages["late"])
    overlaps = pairs_land(tmp_path, REPS, pages["early"], pages["late"], want)
    print(f"{REPS} pairs of writers, {overlaps} of them running at the same time: all landed")
    assert overlaps >= REPS // 2, overlaps


def test_a_writer_whose_partitions_another_one_changed_merges_again(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    """One run is held just before its contributions commit while another run over the same
    (house, year) partitions runs to the end; released, the first finds its partitions changed,
    merges its rows again into the second one's and commits: both runs' rows, once each."""
    want = one_after_the_other(tmp_path / "reference", pages["one"], pages["other"])
    for k in range(max(REPS // 4, 1)):
        root, gate = tmp_path / f"wh-{k}", tmp_path / f"go-{k}"
        held = subprocess.Popen(
            [str(BIN / "hansard"), "ingest", "text", str(pages["one"]), "-w", str(root)],
            env=env(HANSARD_PAUSE_AT=f"commit contributions={gate}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        reached = gate.with_name(gate.name + ".reached")
        while not reached.exists():
            assert held.poll() is None, held.communicate()[1][-3000:]
            time.sleep(0.02)
        other = hansard(["ingest", "text", str(pages["other"]), "-w", str(root)])
        assert other.returncode == 0, other.stderr[-3000:]
        gate.touch()
        _, err = held.communicate(timeout=300)
        assert held.returncode == 0, err[-3000:]
        assert "another writer committed to it" in err and "merging again" in err, err[-3000:]
        got = content(root, TEXT_TABLES)
        for name, df in want.items():
            assert got[name].equals(df), (k, name, got[name].height, df.height)
        assert not readers_fail(root, TEXT_TABLES), k


# kill points: a step of the run's own publish, of its derived tables, of its views (by name:
# beside another writer a run takes more or fewer steps than alone)
KILLED_AT = (
    "commit raw_inputs",
    "commit contributions",
    "commit debates",
    "unmark pp_text",
    "commit speaker_resolutions",
    "commit search_postings",
    "replace the views file",
)


def test_a_writer_killed_beside_another_one_is_finished_by_the_next_run(
    pages: dict[str, Path], tmp_path: Path
) -> None:
    """Two runs over different dates at once, one of them killed with SIGKILL before one of its
    durable steps: the other lands whole, a reader never sees a mix, and the killed run's
    command run again brings every table to the serial result, with nothing left staged."""
    want = one_after_the_other(tmp_path / "reference", pages["early"], pages["late"])
    killed_at = []
    for n, step in enumerate(KILLED_AT):
        root = tmp_path / f"wh-{n}"
        killed = subprocess.Popen(
            [str(BIN / "hansard"), "ingest", "text", str(pages["early"]), "-w", str(root)],
            env=env(HANSARD_KILL_AT=step),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        other = hansard(["ingest", "text", str(pages["late"]), "-w", str(root)])
        _, err = killed.communicate(timeout=300)
        assert killed.returncode in (-9, 0), (step, killed.returncode, err[-3000:])
        if killed.returncode == -9:
            killed_at.append(step)  # else the other run did that step's work first (a run
            # publishes every input the raw zone holds and no run has published yet)
        assert other.returncode == 0, (step, other.stderr[-3000:])
        assert not readers_fail(root, TEXT_TABLES), step
        again = hansard(["ingest", "text", str(pages["early"]), "-w", str(root)])
        assert again.returncode == 0, (step, again.stderr[-3000:])
        got = content(root, TEXT_TABLES)
        for name, df in want.items():
            assert got[name].equals(df), (step, name, got[name].height, df.height)
        assert not readers_fail(root, TEXT_TABLES), step
        staging = root / "_staging"
        assert not (staging.is_dir() and any(staging.iterdir())), step
    print(f"killed beside another writer at: {killed_at}")
    assert len(killed_at) >= len(KILLED_AT) // 2, killed_at
