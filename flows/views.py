"""(Re)create the DuckDB file: one view per sql/*.sql, over the published Parquet.

SQL files name their input as {{ parquet('<table>') }}. That becomes a read_parquet() with the
table's absolute path, explicit-depth glob and typed hive partition columns, so the views work
from any working directory; a table with no files yet becomes an empty relation of the declared
types, so every view always opens. The file is built beside the target and swapped in with
os.replace: the write lock is held only while the views are created, and readers of the old file
are never blocked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from flows.publish import FILE_NAME, existing_partitions
from flows.warehouse import Warehouse
from transforms.schema import TABLES, Table, duckdb_type

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_PLACEHOLDER = re.compile(r"\{\{\s*parquet\('(?P<table>[a-z_]+)'\)\s*\}\}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_source(wh: Warehouse, table: Table) -> str:
    if not existing_partitions(wh, table):
        cols = ", ".join(f"CAST(NULL AS {duckdb_type(c.dtype)}) AS {c.name}" for c in table.columns)
        return f"(SELECT {cols} WHERE false)"
    glob = "/".join([*(["*"] * len(table.partition_by)), FILE_NAME])
    path = (wh.table_dir(table.name) / glob).as_posix()
    if not table.partition_by:
        return f"read_parquet({_quote(path)})"
    types = ", ".join(f"{k}: {duckdb_type(table.schema[k])}" for k in table.partition_by)
    return f"read_parquet({_quote(path)}, hive_partitioning = true, hive_types = {{{types}}})"


def render(sql: str, wh: Warehouse) -> str:
    return _PLACEHOLDER.sub(lambda m: parquet_source(wh, TABLES[m["table"]]), sql)


def view_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted(sql_dir.glob("*.sql"))


def refresh_views(wh: Warehouse, sql_dir: Path = SQL_DIR) -> list[str]:
    """Build the DuckDB file with every view; returns the view names."""
    wh.root.mkdir(parents=True, exist_ok=True)
    tmp = wh.duckdb_path.with_name(f".{wh.duckdb_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    names = []
    con = duckdb.connect(str(tmp))
    try:
        for path in view_files(sql_dir):
            con.execute(render(path.read_text(), wh))
            names.append(path.stem)
    finally:
        con.close()
    os.replace(tmp, wh.duckdb_path)
    return names
