"""The command line as people use it: version, errors with exit codes, `hansard sql` in a pipe
and at 80 columns, exports, and every registered source reachable from the CLI, the config and
rebuild."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.core import ledger
from flows.core.warehouse import Warehouse
from flows.sources import CATALOG
from tests.conftest import ROOT, SAMPLE

BIN = Path(sys.executable).parent
HELP_WIDTH = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("cli") / "wh")
    result = CliRunner().invoke(app, ["ingest", "text", str(SAMPLE), "-w", root])
    assert result.exit_code == 0, result.output
    return root


def test_version() -> None:
    out = subprocess.run([str(BIN / "hansard"), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("hansard-warehouse 0.")


def test_a_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    for command in (["ingest", "text"], ["ingest", "twfy"]):
        result = CliRunner().invoke(app, [*command, str(tmp_path / "nope.txt"), "-w", str(wh)])
        assert result.exit_code == 1, result.output
        assert "no such file or folder" in result.output and "nope.txt" in result.output
    assert not wh.exists()  # nothing ran


def test_a_url_as_the_warehouse_is_refused_not_made_into_a_local_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Object storage is not supported yet: `s3://…` would have become a folder named `s3:`."""
    monkeypatch.chdir(tmp_path)
    for command in (["ingest", "text", str(SAMPLE)], ["sql", "select 1"], ["status"]):
        result = CliRunner().invoke(app, [*command, "-w", "s3://bucket/wh"])
        assert result.exit_code == 2, result.output  # a usage error, before anything runs
        assert "object storage is not supported yet" in " ".join(result.output.split())
    monkeypatch.setenv("HANSARD_WAREHOUSE", "s3://bucket/wh")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1 and "HANSARD_WAREHOUSE" in result.output
    assert list(tmp_path.iterdir()) == []


def test_sql_in_a_pipe_is_tab_separated(wh: str) -> None:
    out = subprocess.run(
        [
            str(BIN / "hansard"),
            "sql",
            "-w",
            wh,
            "select house, count(*) as n, 'a\tb' as t "
            "from contributions group by house order by house",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.splitlines() == ["house\tn\tt", "Commons\t23\ta\\tb", "Lords\t13\ta\\tb"]


def test_sql_readers_are_bounded_in_memory(wh: str) -> None:
    """A reader's DuckDB has a memory limit (beyond it, it spills), in `hansard sql` and in
    `--out` exports alike: a search of a common word once took a 13 GB reader."""
    query = (
        "select current_setting('memory_limit') as m, current_setting('temp_directory') as t, "
        "current_setting('max_temp_directory_size') as s"
    )
    out = subprocess.run(
        [str(BIN / "hansard"), "sql", "-w", wh, "-f", "json", query],
        capture_output=True,
        text=True,
        check=True,
    )
    (row,) = json.loads(out.stdout)
    number, unit = row["m"].split()
    assert unit in ("MiB", "GiB") and float(number) * (1024 if unit == "GiB" else 1) <= 1024
    assert "hansard-duckdb-" in row["t"]  # its own spill directory
    number, unit = row["s"].split()  # spilling is bounded too: an error, not a full disk
    assert unit == "GiB" and float(number) <= 10


def test_sql_table_fits_80_columns(wh: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sql",
            "-w",
            wh,
            "-f",
            "table",
            "select title, location, text from contributions "
            "join debates using (debate_id, source, house, location, sitting_date, "
            "sitting_year) limit 3",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
    assert "…" in result.output  # long text cut, not wrapped over many lines
    assert lines[-1] == "(3 rows)"


def test_sql_out_writes_csv_parquet_and_json(wh: str, tmp_path: Path) -> None:
    query = "select debate_id, title, sitting_date from debates order by debate_id"
    expected = CliRunner().invoke(app, ["sql", "-w", wh, "-f", "json", query])
    rows = json.loads(expected.output)
    for ext in ("csv", "parquet", "json", "tsv"):
        out = tmp_path / f"debates.{ext}"
        result = CliRunner().invoke(app, ["sql", "-w", wh, "--out", str(out), query])
        assert result.exit_code == 0, result.output
        assert f"wrote {len(rows)} row(s)" in result.output
        if ext == "parquet":
            got = pl.read_parquet(out)["debate_id"].to_list()
        elif ext == "json":
            got = [r["debate_id"] for r in json.loads(out.read_text())]
        else:
            reader = csv.DictReader(out.open(), delimiter="\t" if ext == "tsv" else ",")
            got = [r["debate_id"] for r in reader]
        assert got == [r["debate_id"] for r in rows]
    bad = CliRunner().invoke(app, ["sql", "-w", wh, "--out", str(tmp_path / "x.xlsx"), query])
    assert bad.exit_code == 1 and ".parquet" in bad.output


def test_sql_is_read_only_for_real(wh: str, tmp_path: Path) -> None:
    """No statement of `hansard sql` writes a file or reads one outside the warehouse, and the
    limits cannot be lifted from a query; the published partition is untouched."""
    part = next((Path(wh) / "tables" / "contributions").rglob("part-*.parquet"))
    before = part.read_bytes()
    outside = tmp_path / "secret.txt"
    outside.write_text("not the warehouse's")
    refused = {
        f"copy (select 1 as x) to '{part}' (format parquet)": "statement 1 is COPY",
        f"select 1; copy (select 1) to '{tmp_path / 'x.csv'}'": "statement 2 is COPY",
        f"explain analyze copy (select 1) to '{tmp_path / 'x.csv'}'": "is COPY",
        f"attach '{tmp_path / 'x.db'}'": "is ATTACH",
        "set enable_external_access = true": "is SET",
        "install httpfs": "is LOAD",  # DuckDB parses INSTALL as a LOAD statement
        f"select content from read_text('{outside}')": "Permission Error",
        f"select * from read_csv('{outside}')": "Permission Error",
    }
    for query, reason in refused.items():
        result = CliRunner().invoke(app, ["sql", "-w", wh, query])
        assert result.exit_code == 1, (query, result.output)
        assert reason in result.output, (query, result.output)
    assert part.read_bytes() == before
    assert not list(tmp_path.glob("x.*"))
    # a query still reads every table and the search macros (fts loaded before the lock)
    ok = CliRunner().invoke(
        app, ["sql", "-w", wh, "-f", "tsv", "select count(*) from search_top('minister', 3)"]
    )
    assert ok.exit_code == 0 and ok.output.splitlines()[1] in {"0", "1", "2", "3"}, ok.output
    explained = CliRunner().invoke(app, ["sql", "-w", wh, "explain select 1"])
    assert explained.exit_code == 0, explained.output
    # --out writes its one file (again over an existing one), and takes one query only
    out = tmp_path / "n.parquet"
    for _ in range(2):
        wrote = CliRunner().invoke(app, ["sql", "-w", wh, "--out", str(out), "select 42 as n"])
        assert wrote.exit_code == 0, wrote.output
    assert pl.read_parquet(out)["n"].to_list() == [42]
    two = CliRunner().invoke(app, ["sql", "-w", wh, "--out", str(out), "select 1; select 2"])
    assert two.exit_code == 1 and "one query" in two.output


def test_every_registered_source_is_reachable_from_cli_config_and_rebuild(
    wh: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["--help"], env=HELP_WIDTH).output
    ingest = runner.invoke(app, ["ingest", "--help"], env=HELP_WIDTH).output
    commands = {
        "pp_text": "text",
        "hansard_api": "api",
        "twfy_xml": "twfy",
        "votes_api": "votes",
        "members": "members",
    }
    assert set(commands) == set(CATALOG.names), "a new source: say here which command is its"
    for name, command in commands.items():
        assert command in (top if name == "members" else ingest), name
    shown = json.loads(runner.invoke(app, ["config"], env={}).output)
    assert set(CATALOG.names) <= set(shown)
    result = runner.invoke(app, ["rebuild", "-w", wh])
    assert result.exit_code == 0, result.output
    for source in CATALOG:  # rebuild went through every source and recorded what it published
        assert list(ledger.ledger_dir(Warehouse.at(wh), source.name).glob("*.json")), source.name


def test_every_source_has_a_docs_section_and_every_command_is_in_the_readme() -> None:
    sources_doc = (ROOT / "docs" / "sources.md").read_text()
    for source in CATALOG:
        assert f"(`{source.name}`)" in sources_doc, f"docs/sources.md: no section for {source.name}"
    readme = (ROOT / "README.md").read_text()
    from typer.main import get_command

    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        for sub in subs or [None]:
            usage = f"hansard {name}" + (f" {sub}" if sub else "")
            assert f"`{usage}" in readme, f"README lacks `{usage}`"
