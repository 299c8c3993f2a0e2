"""`hansard export parquet DIR`: bare, hive-partitioned Parquet of the current state that
polars and DuckDB read back equal to the warehouse; a snapshot a later publish leaves alone;
never taken from a half-committed warehouse."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import SAMPLE
from tests.support.faults import hansard
from transforms.schema import SCHEMA_VERSION, TABLES, contract


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _read_back(folder: Path, name: str) -> pl.DataFrame:
    table = TABLES[name]
    df = pl.read_parquet(f"{folder}/{name}/**/*.parquet", hive_partitioning=True)
    return df.select([pl.col(c).cast(table.schema[c]) for c in table.column_names])


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    runner = CliRunner()
    root = tmp_path / "wh"
    result = runner.invoke(app, ["ingest", "text", str(SAMPLE), "-w", str(root)])
    assert result.exit_code == 0, result.output
    return Warehouse.at(root)


def test_every_table_reads_back_equal_from_bare_parquet(wh: Warehouse, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(app, ["export", "parquet", str(out), "-w", str(wh.root)])
    assert result.exit_code == 0, result.output
    assert f"exported {len(TABLES)} tables" in result.output
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert json.loads((out / "_schema.json").read_text()) == {
        **contract(),
        "table_format": "parquet",
    }
    for name, table in TABLES.items():
        want = read_table(wh, table)
        got = _read_back(out, name)
        assert manifest["tables"][name]["rows"] == want.height, name
        assert got.sort(got.columns, nulls_last=True).equals(
            want.sort(want.columns, nulls_last=True)
        ), name
        (count,) = duckdb.sql(
            f"select count(*) from read_parquet('{out}/{name}/**/*.parquet', "
            "hive_partitioning = true)"
        ).fetchone()
        assert count == want.height, name
    assert read_table(wh, TABLES["contributions"]).height > 0
    empty = pl.read_parquet(out / "divisions" / "part-0.parquet")  # the sample has no votes
    assert empty.height == 0 and empty.columns == TABLES["divisions"].column_names
    assert not list(tmp_path.glob(".export.partial*"))


def test_a_later_publish_leaves_the_export_as_it_was(wh: Warehouse, tmp_path: Path) -> None:
    out = tmp_path / "export"
    runner = CliRunner()
    assert runner.invoke(app, ["export", "parquet", str(out), "-w", str(wh.root)]).exit_code == 0
    before = _hashes(out)
    page = next(SAMPLE.glob("*.txt"))
    changed = tmp_path / "in" / page.name
    changed.parent.mkdir()
    changed.write_text(page.read_text().replace("the ", "the very ", 3))
    result = runner.invoke(app, ["ingest", "text", str(changed), "-w", str(wh.root)])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output  # a new version: the published files were replaced
    assert _hashes(out) == before  # hard links to the old files keep their bytes


def test_refusals_name_the_reason_and_leave_nothing(wh: Warehouse, tmp_path: Path) -> None:
    runner = CliRunner()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["export", "parquet", str(taken), "-w", str(wh.root)])
    assert result.exit_code == 1 and "not an empty folder" in result.output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    result = runner.invoke(app, ["export", "parquet", str(tmp_path / "x"), "-t", "nope"])
    assert result.exit_code == 1 and "no table ['nope']" in result.output
    result = runner.invoke(app, ["export", "parquet", str(tmp_path / "y"), "-w", str(tmp_path)])
    assert result.exit_code == 1 and "nothing has been published" in result.output


def test_a_warehouse_left_mid_run_is_not_exported_until_a_run_finishes(tmp_path: Path) -> None:
    root = tmp_path / "wh"
    args = ["ingest", "text", str(SAMPLE), "-w", str(root)]
    assert hansard(args).returncode == 0
    page = next(SAMPLE.glob("*.txt"))
    changed = tmp_path / "in" / page.name
    changed.parent.mkdir()
    changed.write_text(page.read_text().replace("the ", "the very ", 3))
    again = ["ingest", "text", str(changed), "-w", str(root)]
    killed = hansard(again, HANSARD_KILL_AT="6")  # a durable step of the commit
    assert killed.returncode == -9, killed.stderr
    refused = hansard(["export", "parquet", str(tmp_path / "out"), "-w", str(root)])
    assert refused.returncode == 1 and "ended without an outcome" in refused.stdout + refused.stderr
    assert not (tmp_path / "out").exists()
    assert hansard(again).returncode == 0
    done = hansard(["export", "parquet", str(tmp_path / "out"), "-w", str(root)])
    assert done.returncode == 0, done.stderr
    got = _read_back(tmp_path / "out", "contributions")
    assert got.height == read_table(Warehouse.at(root), TABLES["contributions"]).height
    shutil.rmtree(tmp_path / "out")


def test_a_warehouse_of_an_older_schema_is_not_exported_until_a_run_upgrades_it(
    wh: Warehouse, tmp_path: Path
) -> None:
    (wh.root / "state" / "schema_version").write_text(f"{SCHEMA_VERSION - 1}\n")
    out = tmp_path / "x"
    refused = CliRunner().invoke(app, ["export", "parquet", str(out), "-w", str(wh.root)])
    assert refused.exit_code != 0
    assert f"schema v{SCHEMA_VERSION - 1}" in refused.output and "hansard rebuild" in refused.output
    assert not out.exists()
