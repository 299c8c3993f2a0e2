"""Contracts that keep code, SQL and docs in step: schema ↔ views ↔ dictionary ↔ README,
transforms purity, the writer lock, and the CLI."""

from __future__ import annotations

import ast
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.app import data_dictionary
from flows.cli import app
from flows.core.lock import WarehouseBusy, writer_lock
from flows.core.views import SQL_DIR, render, view_files
from flows.core.warehouse import Warehouse
from tests.conftest import ROOT, SAMPLE
from transforms.schema import TABLES, duckdb_type

BANNED_IN_TRANSFORMS = {"prefect", "httpx", "duckdb", "requests", "flows"}


def test_data_dictionary_is_generated_from_the_schema() -> None:
    on_disk = (ROOT / "docs" / "data-dictionary.md").read_text()
    assert on_disk == data_dictionary(), "run `hansard dictionary` to regenerate docs/"


@pytest.mark.parametrize("path", view_files(), ids=lambda p: p.name)
def test_each_view_selects_its_table_columns_in_schema_order(
    path: Path, warehouse: Warehouse
) -> None:
    sql = path.read_text()
    assert sql.startswith("-- "), "every view file starts with a header comment"
    con = duckdb.connect()
    con.execute(render(sql, warehouse))  # no data yet: the empty typed relation
    columns = [r[0] for r in con.execute(f"describe {path.stem}").fetchall()]
    assert columns == TABLES[path.stem].column_names
    types = [r[1] for r in con.execute(f"describe {path.stem}").fetchall()]
    assert types == [duckdb_type(c.dtype) for c in TABLES[path.stem].columns]


def test_every_table_has_a_view_and_every_view_is_documented() -> None:
    assert {p.stem for p in view_files()} == set(TABLES)
    readme = (ROOT / "README.md").read_text()
    for path in view_files():
        assert re.search(rf"^\| `{path.stem}` \|", readme, re.M), f"README lacks {path.stem}"


def test_transforms_are_pure() -> None:
    for path in (ROOT / "transforms").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for name in names:
                    assert name.split(".")[0] not in BANNED_IN_TRANSFORMS, (path.name, name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                fn = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                assert fn not in {
                    "open",
                    "write_parquet",
                    "write_text",
                    "write_bytes",
                    "sink_parquet",
                }, (path.name, fn)


def test_second_writer_is_refused_and_stale_lock_recovered(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with writer_lock(lock, "first"):
        with pytest.raises(WarehouseBusy, match="locked by first"):
            with writer_lock(lock, "second"):
                pass
    assert not lock.exists()
    # a lock left behind by a process that has exited is taken over
    proc = subprocess.Popen(["true"])
    proc.wait()
    lock.write_text(
        json.dumps(
            {
                "pid": proc.pid,
                "host": socket.gethostname(),
                "what": "crashed run",
                "since": "2026-01-01T00:00:00",
            }
        )
    )
    with writer_lock(lock, "recovering"):
        assert json.loads(lock.read_text())["what"] == "recovering"


def test_runs_share_the_warehouse_and_what_needs_it_alone_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with writer_lock(lock, "ingest-text", shared=True) as first:
        assert first.alone  # no other writer: alone until it shares
        first.share()
        with writer_lock(lock, "ingest-votes", shared=True) as second:
            assert not second.alone
            with pytest.raises(WarehouseBusy, match="in use by other runs.*ingest-text"):
                with writer_lock(lock, "rebuild"):
                    pass
    with writer_lock(lock, "rebuild"):
        with pytest.raises(WarehouseBusy, match="locked by rebuild"):  # not a sharing holder
            with writer_lock(lock, "ingest-text", shared=True):
                pass
    assert not lock.exists()


def test_a_run_starting_while_another_starts_alone_waits_for_it_to_share(tmp_path: Path) -> None:
    """The first run holds the lock alone while it cleans up, then shares it: a run starting
    in that moment waits and gets in (not refused)."""
    lock, shared = tmp_path / ".lock", tmp_path / "shared"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from flows.core.lock import writer_lock\n"
        "with writer_lock(Path(sys.argv[1]), 'starting', shared=True) as held:\n"
        "    Path(sys.argv[2] + '.alone').touch()\n"
        "    time.sleep(1.0)\n"
        "    Path(sys.argv[2]).touch()\n"
        "    held.share()\n"
        "    time.sleep(30)\n"
    )
    first = subprocess.Popen([sys.executable, "-c", script, str(lock), str(shared)], cwd=ROOT)
    try:
        while not shared.with_name("shared.alone").exists():
            assert first.poll() is None
            time.sleep(0.01)
        with writer_lock(lock, "second", shared=True) as held:
            assert shared.exists() and not held.alone  # got in once the first one shared
    finally:
        first.kill()
        first.wait()


RACER = """
import os, sys, time
from pathlib import Path
from flows.core.lock import WarehouseBusy, writer_lock
lock, log, wanted = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
held = 0
while held < wanted:
    try:
        with writer_lock(lock, f"racer {os.getpid()}"):
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            os.write(fd, f"+{os.getpid()} ".encode())
            time.sleep(0.0005)
            os.write(fd, f"-{os.getpid()} ".encode())
            os.close(fd)
        held += 1
    except WarehouseBusy:
        pass
"""


def test_a_thousand_contended_takeovers_never_give_two_writers(tmp_path: Path) -> None:
    """Four processes take the lock 250 times each, racing on its creation and removal: the
    log of who held it never shows two holders at once."""
    lock, log = tmp_path / ".lock", tmp_path / "held.log"
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, str(lock), str(log), "250"], cwd=ROOT)
        for _ in range(4)
    ]
    assert [p.wait(timeout=300) for p in racers] == [0, 0, 0, 0]
    marks = log.read_text().split()
    assert len(marks) == 2000
    for enter, leave in zip(marks[::2], marks[1::2], strict=True):
        assert enter.startswith("+") and leave == "-" + enter[1:], (enter, leave)
    assert len({m[1:] for m in marks}) == 4  # every racer held it


def test_a_garbage_lock_file_is_no_traceback(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    lock.write_bytes(b"\x00\xffnot json")  # left by anything: not held, so taken
    with writer_lock(lock, "first"):
        with lock.open("r+b") as f:  # the holder's record overwritten with garbage
            f.write(b"\xff\xfe{garbage")
        with pytest.raises(WarehouseBusy, match=r"locked by another run \(pid \? on \?"):
            with writer_lock(lock, "second"):
                pass


@pytest.mark.usefixtures("prefect_harness")
def test_cli_ingest_sql_formats_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    wh = str(tmp_path / "wh")
    result = runner.invoke(app, ["ingest", "text", str(SAMPLE), "--warehouse", wh])
    assert result.exit_code == 0, result.output
    assert "5 new" in result.output and "36 contributions" in result.output, result.output
    csv_out = runner.invoke(
        app,
        ["sql", "-w", wh, "-f", "csv", "select title from debates order by sitting_date limit 2"],
    )
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines() == [
        "title",
        "Bus Services: Rural Routes",
        "Public Libraries in Rural Areas",
    ]
    js = runner.invoke(
        app,
        [
            "sql",
            "-w",
            wh,
            "--format",
            "json",
            "select sitting_date, count(*) as n from contributions group by 1 order by 1 limit 1",
        ],
    )
    assert json.loads(js.output) == [{"sitting_date": "2024-10-08", "n": 5}]
    table = runner.invoke(app, ["sql", "-w", wh, "select count(*) as n from debates"])
    assert "6" in table.output
    bad = runner.invoke(app, ["sql", "-w", wh, "select nope from debates"])
    assert bad.exit_code == 1 and "nope" in bad.output
    missing = runner.invoke(app, ["sql", "-w", str(tmp_path / "none"), "select 1"])
    assert missing.exit_code == 1 and "no DuckDB file" in missing.output
    rebuilt = runner.invoke(app, ["rebuild", "-w", wh])
    assert rebuilt.exit_code == 0 and "36 contributions" in rebuilt.output


def test_cli_reports_a_busy_warehouse(tmp_path: Path) -> None:
    wh = Warehouse.at(tmp_path / "wh")
    with writer_lock(wh.lock_path, "another run"):
        result = CliRunner().invoke(app, ["rebuild", "-w", str(wh.root)])
    assert result.exit_code == 2
    assert "locked by another run" in result.output


def test_duckdb_cli_opens_every_view_read_only_from_another_directory(tmp_path: Path) -> None:
    """The duckdb CLI (duckdb-cli 1.5.5, a dev dependency), another cwd: how analysts open it."""
    from flows.core.views import refresh_views

    wh = Warehouse.at(tmp_path / "wh")
    refresh_views(wh)
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.exists(), "duckdb-cli is a dev dependency"
    query = " union all ".join(f"select '{v}', count(*) from {v}" for v in TABLES)
    out = subprocess.run(
        [str(cli), "-readonly", "-csv", "-noheader", str(wh.duckdb_path), query],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(out.stdout.split()) == sorted(f"{v},0" for v in TABLES)
    assert SQL_DIR.is_dir()


def test_bi_contract_changes_only_with_a_new_schema_version() -> None:
    """docs/schema-v<N>.json freezes version N: changing a column (name, type, order,
    nullability, partitioning) without bumping SCHEMA_VERSION fails here."""
    from transforms.schema import SCHEMA_VERSION, contract

    frozen = ROOT / "docs" / f"schema-v{SCHEMA_VERSION}.json"
    assert frozen.exists(), f"run `hansard dictionary` to freeze schema v{SCHEMA_VERSION}"
    assert json.loads(frozen.read_text()) == contract(), (
        f"the schema changed but SCHEMA_VERSION is still {SCHEMA_VERSION}: bump it"
    )


def test_dictionary_command_refuses_to_rewrite_a_frozen_contract(tmp_path: Path) -> None:
    from transforms.schema import SCHEMA_VERSION

    out = tmp_path / "data-dictionary.md"
    runner = CliRunner()
    assert runner.invoke(app, ["dictionary", "--output", str(out)]).exit_code == 0
    frozen = tmp_path / f"schema-v{SCHEMA_VERSION}.json"
    frozen.write_text(frozen.read_text().replace('"debate_id"', '"debate_key"'))
    result = runner.invoke(app, ["dictionary", "--output", str(out)])
    assert result.exit_code == 1 and "bump SCHEMA_VERSION" in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_status_shows_last_runs_freshness_and_rejects(tmp_path: Path) -> None:
    runner = CliRunner()
    wh = str(tmp_path / "wh")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "junk.txt").write_bytes(b"\x00\x01binary")
    (inputs / "bus.txt").write_bytes(
        (SAMPLE / "grand-committee-bus-services-2024-10-08.txt").read_bytes()
    )
    assert runner.invoke(app, ["ingest", "text", str(inputs), "-w", wh]).exit_code == 0
    result = runner.invoke(app, ["status", "-w", wh], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "ingest-text" in result.output and "completed" in result.output
    assert "Grand Committee" in result.output and "2024-10-08" in result.output
    assert "binary" in result.output
    missing = runner.invoke(app, ["status", "-w", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no DuckDB file" in missing.output
