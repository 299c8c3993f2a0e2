"""Readers during publishes: another process queries the views in a loop, a new connection
each time as `hansard sql` and BI tools do, while real `hansard` runs add pages (new rows in
the parsed tables and every derived one) and rebuild. No read may fail, and no read may see a
mix of states: the views are pinned to the tables' versions of the last complete run, so every
contribution read has its debate and its derived rows (tests/support/faults.CONSISTENT)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SAMPLE
from tests.support.faults import CONSISTENT, hansard

READER = """
import json, pathlib, sys
import duckdb
db, stop, out, progress, consistent = sys.argv[1:6]
reads, errors, seen = 0, [], set()
while not pathlib.Path(stop).exists():
    try:
        con = duckdb.connect(db, read_only=True)
        try:
            rows = con.execute("select count(*) from contributions").fetchone()[0]
            con.execute("select count(*) from raw_inputs").fetchone()
            con.execute("select count(*) from search_postings").fetchone()
            mix = con.execute(consistent).fetchone()
        finally:
            con.close()
        if any(mix):
            errors.append(f"a mix of states at {rows} contributions: {mix}")
        seen.add(rows)
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


def one_page_folders(tmp_path: Path) -> list[Path]:
    """The sample's pages, one folder each (each ingest adds a page's rows)."""
    folders = []
    for i, page in enumerate(sorted(SAMPLE.glob("*.txt"))):
        folder = tmp_path / f"page-{i}"
        folder.mkdir()
        (folder / page.name).write_bytes(page.read_bytes())
        folders.append(folder)
    return folders


def test_no_read_fails_or_sees_a_mix_while_runs_publish(tmp_path: Path) -> None:
    root = tmp_path / "wh"
    first, *pages = one_page_folders(tmp_path)
    done = hansard(["ingest", "text", str(first), "-w", str(root)])
    assert done.returncode == 0, done.stderr
    stop, out, progress = tmp_path / "stop", tmp_path / "reads.json", tmp_path / "progress"
    db = root / "hansard.duckdb"
    args = [str(db), str(stop), str(out), str(progress), CONSISTENT]
    reader = subprocess.Popen([sys.executable, "-c", READER, *args])
    commands = [["ingest", "text", str(p), "-w", str(root)] for p in pages]
    commands.insert(2, ["rebuild", "-w", str(root)])
    rounds = int(os.environ.get("HANSARD_READER_ROUNDS", "1"))  # more: a page edited each round
    page = next(pages[-1].glob("*.txt"))
    text = page.read_text()
    edits = [text.replace("library", f"library{n}") for n in range(1, rounds)]
    # each a new version of the same page, superseding the last: its rows and derived rows change
    commands += [["ingest", "text", str(page), "-w", str(root)]] * len(edits)
    try:
        for runs, command in enumerate(commands, start=1):
            wait_for_reads(progress, runs * READS_BEFORE_EACH_RUN)  # reads between runs
            if runs > len(commands) - len(edits):
                page.write_text(edits[runs - 1 - (len(commands) - len(edits))])
            done = hansard(command)
            assert done.returncode == 0, done.stderr
    finally:
        stop.touch()
        reader.wait(timeout=60)
    got = json.loads(out.read_text())
    print(f"{got['reads']} reads over {len(got['runs'])} states of contributions, 0 failed")
    assert got["errors"] == [], got["errors"][:3]
    assert got["reads"] >= 5 * READS_BEFORE_EACH_RUN, got
    assert len(got["runs"]) >= 4, got  # the reads fell across the publishes, not only before
