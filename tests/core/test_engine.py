"""The run engine as users run it (the `hansard` command, real processes): a run killed with
kill -9 between commits resumes from the raw zone with nothing lost or doubled; local mode
starts no Prefect server; batches bounded in bytes, commit groups, the ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.core import ledger
from flows.core.publish import read_table
from flows.core.source import Plan, WorkItem
from flows.core.warehouse import Warehouse
from flows.run import RunOptions, batches, commit_groups
from tests.conftest import ROOT, corpus_path
from tests.support.tables import file_hashes
from transforms.schema import CONTRIBUTIONS, INGEST_RUNS, REJECTS, SCHEMA_VERSION

BIN = Path(sys.executable).parent
DERIVED = ("debates", "contributions", "rejects", "speaker_resolutions", "search_postings")


def generate(out: Path, mb: float) -> None:
    """Our own transcript pages (bench/generate_text.py), dated in order over a few years."""
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate_text.py"), str(out), "--mb", str(mb)]
        + ["--seed", "3", "--years", "2001-2004", "--ordered", "--quiet"],
        check=True,
    )


def small_batches(runner: str = "inline") -> dict[str, str]:
    """Config overrides for many small batches and commits (the CLI reads HANSARD__…)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    return env | {
        "HANSARD__RUN__BATCH_MB": "0.1",
        "HANSARD__RUN__COMMIT_MB": "0.3",
        "HANSARD__RUN__RUNNER": runner,
    }


def table_bytes(wh: Warehouse, names: tuple[str, ...] = DERIVED) -> dict[str, str]:
    return file_hashes(wh, names)


def test_a_run_killed_between_commits_resumes_with_nothing_lost_or_doubled(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    generate(pages, 3.0)
    env = small_batches()
    clean = Warehouse.at(tmp_path / "clean")
    done = subprocess.run(
        [str(BIN / "hansard"), "ingest", "text", str(pages), "-w", str(clean.root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    total = read_table(clean, CONTRIBUTIONS).height

    killed = Warehouse.at(tmp_path / "killed")
    proc = subprocess.Popen(
        [str(BIN / "hansard"), "ingest", "text", str(pages), "-w", str(killed.root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    commits = ledger.ledger_dir(killed, "pp_text")
    deadline = time.monotonic() + 120
    while not (commits.is_dir() and any(commits.glob("*.json"))):
        assert proc.poll() is None, "the run ended before its first commit was seen"
        assert time.monotonic() < deadline, "no commit after 120 s"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)  # right after a commit: the next ones never happen
    proc.wait()
    partial = read_table(killed, CONTRIBUTIONS).height
    assert 0 < partial < total, (partial, total)  # really interrupted, and the commit kept
    (left,) = read_table(killed, INGEST_RUNS).rows(named=True)
    assert left["status"] == "running"  # as the killed process left it

    again = subprocess.run(
        [str(BIN / "hansard"), "ingest", "text", str(pages), "-w", str(killed.root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stdout  # every page was already in the raw zone …
    resumed = read_table(killed, CONTRIBUTIONS)
    assert resumed.height == total  # … and what was not published is, once
    assert resumed["contribution_id"].n_unique() == total
    assert table_bytes(killed) == table_bytes(clean)  # the same bytes as a run never killed
    after = read_table(killed, INGEST_RUNS).sort("started_at")
    assert after["status"].to_list() == ["crashed", "completed"]
    assert after["run_id"][0] == left["run_id"]
    assert "without an outcome" in after["message"][0]


def test_local_mode_starts_no_prefect_server(tmp_path: Path) -> None:
    """No PREFECT_API_URL: the CLI runs the engine in-process. Prefect is not even imported,
    its home stays empty (a temporary server would create its database there), and the
    command starts no child process."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env |= {"PREFECT_HOME": str(home), "PREFECT_PROFILES_PATH": str(home / "profiles.toml")}
    seed = corpus_path("seed", "casey-report-2025-06-16.txt")
    script = (
        "import sys\n"
        "from typer.main import get_command\n"
        "from flows.cli import app\n"
        f"get_command(app).main(['ingest', 'text', {str(seed)!r}, '-w', {str(tmp_path / 'wh')!r}],"
        " standalone_mode=False)\n"
        "print('prefect imported:', 'prefect' in sys.modules)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    children: set[str] = set()
    while proc.poll() is None:
        for task in Path(f"/proc/{proc.pid}/task").glob("*/children"):
            try:
                children |= set(task.read_text().split())
            except OSError:
                pass
        time.sleep(0.01)
    out = proc.stdout.read() if proc.stdout else ""
    assert proc.returncode == 0, out
    assert "3 contributions" in out and "prefect imported: False" in out
    assert not children, f"child processes started: {children}"
    assert list(home.iterdir()) == []


def _item(key: str, size: int) -> WorkItem:
    from datetime import UTC, datetime

    from flows.core.raw_zone import RawEntry

    entry = RawEntry("s", key * 64, key, key, f"raw/{key}", size, datetime.now(UTC))
    return WorkItem(key, (entry,))


def test_batches_are_bounded_in_bytes_and_commits_grouped() -> None:
    mb = 1 << 20
    items = [_item(str(i), mb // 4) for i in range(10)]  # 2.5 MB in all
    got = list(batches(items, max_bytes=mb, max_items=100))
    assert [len(b) for b in got] == [4, 4, 2]
    assert [i.key for b in got for i in b] == [i.key for i in items]  # order kept, none lost
    assert [len(b) for b in batches([_item("big", 3 * mb), *items[:2]], mb, 100)] == [1, 2]
    options = RunOptions(batch_mb=1, commit_mb=2)
    groups = list(commit_groups(Plan(iter(items)), options))  # items streamed, walked once
    assert [sum(len(b) for b in g.batches) for g in groups] == [8, 2]  # a commit per ~2 MB
    assert [(g.count, g.size) for g in groups] == [(2, 2 * mb), (1, mb // 2)]
    (whole,) = commit_groups(Plan(items, replace=True), options)  # one commit, counted first
    assert (whole.count, whole.size) == (3, 10 * mb // 4)
    assert [i.key for b in whole.batches for i in b] == [i.key for i in items]
    with pytest.raises(TypeError, match="more than once"):  # it would replace by nothing
        list(commit_groups(Plan(iter(items), replace=True), options))
    (alone,) = commit_groups(Plan([]), options)  # rejects alone still commit
    assert (list(alone.batches), alone.count) == ([], 0)


@pytest.mark.parametrize("runner", ["threads", "processes"])
def test_every_runner_gives_the_same_tables(tmp_path: Path, runner: str) -> None:
    """The runner is swappable without touching logic: the same bytes as inline."""
    pages = tmp_path / "pages"
    generate(pages, 1.0)
    out = {}
    for kind in ("inline", runner):
        wh = tmp_path / kind
        subprocess.run(
            [str(BIN / "hansard"), "ingest", "text", str(pages), "-w", str(wh)],
            env=small_batches(kind),
            check=True,
            capture_output=True,
        )
        out[kind] = table_bytes(Warehouse.at(wh))
    assert out["inline"] == out[runner] and out["inline"]


def _as_an_older_schema(wh: Warehouse) -> None:
    """What a warehouse of the previous schema looks like: no recorded version, and the
    columns this version added missing from every file."""
    import pyarrow.parquet as pq

    (wh.root / "state" / "schema_version").unlink()
    added = {"header_incomplete", "question_uins"}
    for f in wh.tables.rglob("*.parquet"):
        table = pq.read_table(f)
        if added & set(table.column_names):
            pq.write_table(table.select([c for c in table.column_names if c not in added]), f)


def test_a_warehouse_of_an_older_schema_is_rebuilt_from_raw_even_if_killed_midway(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    generate(pages, 1.0)
    env = small_batches()
    clean = Warehouse.at(tmp_path / "clean")
    command = [str(BIN / "hansard"), "ingest", "text", str(pages), "-w"]
    subprocess.run([*command, str(clean.root)], env=env, check=True, capture_output=True)
    assert (clean.root / "state" / "schema_version").read_text() == f"{SCHEMA_VERSION}\n"

    old = Warehouse.at(tmp_path / "old")
    subprocess.run([*command, str(old.root)], env=env, check=True, capture_output=True)
    _as_an_older_schema(old)
    assert table_bytes(old) != table_bytes(clean)
    proc = subprocess.Popen(
        [*command, str(old.root)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    marks = old.root / "state" / "replace"
    deadline = time.monotonic() + 120
    while not (marks.is_dir() and any(marks.iterdir())):
        assert proc.poll() is None, "the run ended before it marked the sources"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(0.3)  # inside the rebuild
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (old.root / "state" / "schema_version").exists()

    again = subprocess.run(
        [*command, str(old.root)], env=env, capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert (old.root / "state" / "schema_version").read_text() == f"{SCHEMA_VERSION}\n"
    assert table_bytes(old) == table_bytes(clean)  # every file as a build of this version
    last = read_table(old, CONTRIBUTIONS)
    assert last["header_incomplete"].null_count() == 0


def test_rows_made_frames_a_few_at_a_time_give_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parse task turns its rows into frames every FRAME_ROWS rows (memory): the published
    bytes are those of one frame per batch."""
    import flows.core.tasks as tasks
    from tests.support.runs import ingest_text

    pages = tmp_path / "pages"
    generate(pages, 0.3)
    out = {}
    for rows in (10**9, 7):
        monkeypatch.setattr(tasks, "FRAME_ROWS", rows)
        wh = Warehouse.at(tmp_path / f"wh-{rows}")
        ingest_text([pages], warehouse=wh)
        rejects = read_table(wh, REJECTS).drop("rejected_at")  # the ingest time differs
        out[rows] = (table_bytes(wh, tuple(n for n in DERIVED if n != "rejects")), rejects)
    assert out[7][0] == out[10**9][0] and out[7][0]
    assert out[7][1].equals(out[10**9][1])


def test_a_worker_pool_is_renewed_once_it_has_worked_through_commit_mb(tmp_path: Path) -> None:
    """Workers keep the high-water mark of what they ran: after commit_mb of input the next
    phase gets new ones; a small run keeps its pool."""
    from flows.core.runner import RunnerSettings
    from flows.run import MB, RunContext
    from flows.sources import CATALOG

    options = RunOptions(batch_mb=1, commit_mb=2, runner=RunnerSettings("processes", workers=1))
    ctx = RunContext(Warehouse.at(tmp_path / "wh"), CATALOG, options, None)  # type: ignore[arg-type]
    try:
        first = ctx.executor(4, 1.5 * MB)
        assert ctx.executor(4, 1.5 * MB) is first  # 1.5 MB so far: the same workers
        renewed = ctx.executor(4, 1.5 * MB)  # 3 MB ≥ commit_mb: new workers
        assert renewed is not first
        assert ctx.executor(4, 0.1 * MB) is renewed
    finally:
        ctx.close()
