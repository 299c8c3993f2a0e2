"""Every table is a Delta table: other Delta readers read what the warehouse holds, an earlier
commit stays readable (time travel, through `hansard sql`), a v10 warehouse is adopted in
place, and a vacuum deletes only what the time-travel window no longer needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import duckdb_extensions
import polars as pl
import pytest
from deltalake import DeltaTable

from flows.core import delta
from flows.core.publish import Plan, live_files, publish, read_table, stage
from flows.core.warehouse import Warehouse
from tests.conftest import SAMPLE
from tests.support.faults import TEXT_TABLES, content, hansard
from transforms.schema import CONTRIBUTIONS, DEBATES, SCHEMA_VERSION, TABLES, frame


def ingest(folder: Path, root: Path) -> None:
    done = hansard(["ingest", "text", str(folder), "-w", str(root)])
    assert done.returncode == 0, done.stderr


def pages(tmp_path: Path) -> tuple[Path, Path]:
    """The sample split in two folders: all pages but the last, and the last."""
    files = sorted(SAMPLE.glob("*.txt"))
    first, last = tmp_path / "first", tmp_path / "last"
    for folder, chosen in ((first, files[:-1]), (last, files[-1:])):
        folder.mkdir()
        for f in chosen:
            (folder / f.name).write_bytes(f.read_bytes())
    return first, last


def sorted_frame(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort(df.columns, nulls_last=True)


def test_delta_readers_read_what_the_warehouse_holds(tmp_path: Path) -> None:
    """polars (delta-rs) and DuckDB's delta extension (delta-kernel) read every table of an
    ingested warehouse equal to the warehouse's own reader, partition columns typed."""
    root = tmp_path / "wh"
    ingest(SAMPLE, root)
    wh = Warehouse.at(root)
    con = duckdb.connect()
    duckdb_extensions.import_extension("delta", con=con)
    con.execute("load delta")
    checked = 0
    for name, table in TABLES.items():
        want = read_table(wh, table)
        if not want.height:
            assert not delta.exists(wh.table_dir(name)) or not live_files(wh, table)
            continue
        got = pl.read_delta(str(wh.table_dir(name))).select(table.column_names)
        assert sorted_frame(got.cast(dict(table.schema))).equals(sorted_frame(want)), name
        path = wh.table_dir(name).as_posix()
        (n,) = con.execute(f"select count(*) from delta_scan('{path}')").fetchone()
        assert n == want.height, name
        checked += 1
    assert checked >= 10  # the parsed and derived tables of the sample (it has no members)


def test_time_travel_reads_a_table_as_an_earlier_run_left_it(tmp_path: Path) -> None:
    root = tmp_path / "wh"
    first, last = pages(tmp_path)
    ingest(first, root)
    wh = Warehouse.at(root)
    path = wh.table_dir("contributions")
    before = DeltaTable(path).version()
    rows_before = read_table(wh, CONTRIBUTIONS).height
    ingest(last, root)
    rows_after = read_table(wh, CONTRIBUTIONS).height
    assert rows_after > rows_before and DeltaTable(path).version() > before

    query = f"select count(*) from delta_scan('{path}', version => {before})"
    old = hansard(["sql", query, "-w", str(root), "-f", "csv"])  # the documented query
    assert old.returncode == 0, old.stderr
    assert old.stdout.split() == ["count_star()", str(rows_before)]
    now = hansard(["sql", f"select count(*) from delta_scan('{path}')", "-w", str(root)])
    assert now.stdout.split()[-1] == str(rows_after)
    views = hansard(["sql", "select count(*) from contributions", "-w", str(root)])
    assert views.stdout.split()[-1] == str(rows_after)
    outside = tmp_path / "elsewhere"  # the sandbox still holds: only the warehouse's tables
    shutil.copytree(path, outside)
    refused = hansard(["sql", f"select count(*) from delta_scan('{outside}')", "-w", str(root)])
    assert refused.returncode != 0


def legacy_layout(wh: Warehouse) -> None:
    """Turn a warehouse into the v10 layout: each partition's file as `part-0.parquet`, no
    Delta log, schema version 10 recorded."""
    for name, table in TABLES.items():
        files = live_files(wh, table)
        for f in files.values():
            f.rename(f.with_name(delta.LEGACY_FILE))
        shutil.rmtree(wh.table_dir(name) / delta.LOG_DIR, ignore_errors=True)
        for stale in wh.table_dir(name).rglob("part-*.parquet"):
            if stale.name != delta.LEGACY_FILE:
                stale.unlink()
    (wh.root / "state" / "schema_version").write_text("10\n")


def test_a_v10_warehouse_is_adopted_in_place_then_upgraded(tmp_path: Path) -> None:
    root = tmp_path / "wh"
    ingest(SAMPLE, root)
    wh = Warehouse.at(root)
    want = content(root, TEXT_TABLES)
    legacy_layout(wh)
    assert not delta.exists(wh.table_dir("contributions"))
    ingest(SAMPLE, root)  # the next ordinary run: adopts, then rebuilds for the new schema
    got = content(root, TEXT_TABLES)
    for name in TEXT_TABLES:
        assert got[name].equals(want[name]), name
    assert (wh.root / "state" / "schema_version").read_text().strip() == str(SCHEMA_VERSION)
    adopted = DeltaTable(wh.table_dir("contributions"), version=0)
    assert all(u.endswith(delta.LEGACY_FILE) for u in adopted.file_uris())  # time travel to v10
    assert pl.read_delta(str(wh.table_dir("contributions")), version=0).height == (
        want["contributions"].height
    )


def debate(debate_id: str, title: str, raw: str = "a") -> dict:
    from datetime import date

    return {
        "debate_id": debate_id,
        "source": "pp_text",
        "house": "Commons",
        "sitting_date": date(2024, 1, 2),
        "sitting_year": 2024,
        "title": title,
        "source_ref": f"{debate_id}:1",
        "raw_sha256": raw * 64,  # the lowest wins a duplicate key
    }


def test_vacuum_keeps_the_time_travel_window_and_deletes_the_rest(warehouse: Warehouse) -> None:
    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "first")]))
    (replaced,) = live_files(warehouse, DEBATES).values()
    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "second", raw="0")]))
    (live,) = live_files(warehouse, DEBATES).values()
    assert live != replaced
    orphan = live.with_name(delta.new_file_name())  # as a run killed before its commit leaves
    orphan.write_bytes(live.read_bytes())
    root = warehouse.table_dir(DEBATES.name)
    assert delta.vacuum(root) == 0  # all within the window (a week)
    assert replaced.exists() and orphan.exists()
    assert delta.vacuum(root, hours=0) == 2
    assert not replaced.exists() and not orphan.exists() and live.exists()
    assert read_table(warehouse, DEBATES)["title"].to_list() == ["second"]


def test_an_empty_log_left_by_a_stopped_create_is_no_table(warehouse: Warehouse) -> None:
    """A create stopped by a full disk or a kill leaves `_delta_log/` with no commit: no
    table, and the next publish creates it."""
    root = warehouse.table_dir(DEBATES.name)
    (root / delta.LOG_DIR).mkdir(parents=True)
    assert not delta.exists(root) and read_table(warehouse, DEBATES).height == 0
    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "first")]))
    assert read_table(warehouse, DEBATES)["title"].to_list() == ["first"]


def test_a_column_the_code_no_longer_declares_is_a_clear_error(warehouse: Warehouse) -> None:
    from deltalake import Field

    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "first")]))
    DeltaTable(warehouse.table_dir(DEBATES.name)).alter.add_columns(
        [Field("dropped_column", "string", nullable=True)]
    )
    with pytest.raises(RuntimeError, match="debates.*dropped_column.*hansard rebuild"):
        publish(warehouse, DEBATES, frame(DEBATES, [debate("d2", "second")]))


def test_a_partition_with_two_live_files_is_a_clear_error(warehouse: Warehouse) -> None:
    """Another writer appending a file to a partition would double its rows for every reader
    that trusts one file a partition: refused loudly, naming the table and partition."""
    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "first")]))
    root = warehouse.table_dir(DEBATES.name)
    (live,) = live_files(warehouse, DEBATES).values()
    extra = live.with_name(delta.new_file_name())
    extra.write_bytes(live.read_bytes())
    # the add a writer that does not check what is live would commit
    from deltalake.transaction import AddAction

    rel = extra.relative_to(root).as_posix()
    values = {"source": "pp_text", "house": "Commons", "sitting_year": "2024"}
    dt = DeltaTable(root)
    add = AddAction(rel, extra.stat().st_size, values, 0, True, None)
    dt.create_write_transaction([add], mode="append", schema=dt.schema())
    with pytest.raises(RuntimeError, match=r"debates .*\('pp_text', 'Commons', 2024\).*rebuild"):
        read_table(warehouse, DEBATES)


def staged(wh: Warehouse, rows: list[dict]) -> Plan:
    plan = Plan.new(wh)
    stage(wh, DEBATES, frame(DEBATES, rows), plan)
    return plan


def test_a_commit_to_a_partition_another_writer_changed_meanwhile_is_a_conflict(
    warehouse: Warehouse,
) -> None:
    """Two writers stage from the same state; the second to commit finds its partitions
    changed (a replaced file, or a partition that both created) and commits nothing. Writers
    of other partitions both land."""
    publish(warehouse, DEBATES, frame(DEBATES, [debate("d1", "first")]))
    first, second = staged(warehouse, [debate("d2", "a")]), staged(warehouse, [debate("d3", "b")])
    first.commit(warehouse)
    with pytest.raises(delta.Conflict, match=r"debates, partition \('pp_text', 'Commons', 2024\)"):
        second.commit(warehouse)
    assert sorted(read_table(warehouse, DEBATES)["debate_id"]) == ["d1", "d2"]

    new_year = [dict(debate("e1", "x"), sitting_year=2025)]
    other_year = [dict(debate("e2", "y"), sitting_year=2026)]
    first, again = staged(warehouse, new_year), staged(warehouse, new_year)
    apart = staged(warehouse, other_year)
    first.commit(warehouse)
    with pytest.raises(delta.Conflict, match="2025"):  # both created it: the second refused
        again.commit(warehouse)
    apart.commit(warehouse)  # another partition: lands beside the first
    got = read_table(warehouse, DEBATES)
    assert sorted(got["debate_id"]) == ["d1", "d2", "e1", "e2"]
    assert len(live_files(warehouse, DEBATES)) == 3
