"""Readers during publishes: another process queries the views in a loop, a new connection
each time as `hansard sql` and BI tools do, while real `hansard` runs rewrite every partition
of every table. No read may fail (each partition's file is replaced by one rename over it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SAMPLE
from tests.support.faults import hansard

READER = """
import json, pathlib, sys
import duckdb
db, stop, out, progress = sys.argv[1:5]
reads, errors, seen = 0, [], set()
while not pathlib.Path(stop).exists():
    try:
        con = duckdb.connect(db, read_only=True)
        try:
            runs = con.execute("select count(*) from ingest_runs").fetchone()[0]
            con.execute("select count(*), count(distinct debate_id) from contributions").fetchone()
            con.execute("select count(*) from raw_inputs").fetchone()
            con.execute("select count(*) from search_postings").fetchone()
            con.execute("select count(*) from speaker_resolutions").fetchone()
        finally:
            con.close()
        seen.add(runs)
        reads += 1
    except duckdb.Error as e:
        errors.append(str(e)[:300])
    pathlib.Path(progress).write_text(str(reads + len(errors)))
pathlib.Path(out).write_text(json.dumps({"reads": reads, "errors": errors, "runs": sorted(seen)}))
"""


READS_BEFORE_EACH_RUN = 9  # 6 runs: at least 54 reads, spread over every publish


def wait_for_reads(progress: Path, at_least: int) -> None:
    """Until the reader has made `at_least` reads (however slow a busy machine makes it)."""
    deadline = time.monotonic() + 300
    while not (progress.exists() and int(progress.read_text() or 0) >= at_least):
        assert time.monotonic() < deadline, "the reader made no progress in 300 s"
        time.sleep(0.01)


def test_no_read_fails_while_runs_publish(tmp_path: Path) -> None:
    root = tmp_path / "wh"
    first = hansard(["ingest", "text", str(SAMPLE), "-w", str(root)])
    assert first.returncode == 0, first.stderr
    stop, out, progress = tmp_path / "stop", tmp_path / "reads.json", tmp_path / "progress"
    db = root / "hansard.duckdb"
    args = [str(db), str(stop), str(out), str(progress)]
    reader = subprocess.Popen([sys.executable, "-c", READER, *args])
    try:
        runs = 0
        for _ in range(int(os.environ.get("HANSARD_READER_ROUNDS", "3"))):  # more: a longer run
            for command in (
                ["rebuild", "-w", str(root)],
                ["ingest", "text", str(SAMPLE), "-w", str(root)],
            ):
                runs += 1
                wait_for_reads(progress, runs * READS_BEFORE_EACH_RUN)  # reads between runs
                done = hansard(command)
                assert done.returncode == 0, done.stderr
    finally:
        stop.touch()
        reader.wait(timeout=60)
    got = json.loads(out.read_text())
    print(f"{got['reads']} reads over {len(got['runs'])} publishes of ingest_runs, 0 failed")
    assert got["errors"] == [], got["errors"][:3]
    assert got["reads"] >= 50, got
    assert len(got["runs"]) >= 4, got  # the reads fell across the publishes, not only before
