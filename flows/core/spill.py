"""The spill area of one commit: parsed rows on disk, by table and partition, until merged.

Workers write each batch's rows here (`<root>/<table>/<key=value>/…/b<batch>.parquet`, every
column, fast compression), so rows travel between processes as files, never as Python objects,
and the merge step reads exactly the files of one partition. The rows of a table whose order
is total (it includes the key) are written sorted, in small row groups: each file is a sorted
run the merge can read a row group at a time (flows/core/merge_stream.py). The area lives under
the warehouse's `_staging/` (outside every table), and is removed after its commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from flows.core.partition import Partition, ordered, segment
from flows.core.warehouse import disk_errors

if TYPE_CHECKING:
    import polars as pl

    from transforms.schema import Table


def partition_path(root: Path, table: Table, part: Partition) -> Path:
    path = root / table.name
    for key, value in zip(table.partition_by, part, strict=True):
        path = path / segment(key, value)
    return path


RUN_ROWS = 512  # rows per row group of a sorted spill file: what its merge reads at once


def order(table: Table) -> list[str] | None:
    """The columns a table's spill files are sorted by, when its order is total (the key is in
    it) and every column of it is in the file; else None (its files are written as parsed)."""
    columns = list(table.order_by or table.key)
    if set(table.key) <= set(columns) and all(c in table.file_columns for c in columns):
        return columns
    return None


def write(root: Path, table: Table, df: pl.DataFrame, batch: int) -> list[Partition]:
    """Write `df` (rows of `table`) split by partition; returns the partitions written."""
    if df.height == 0:
        return []
    name = f"b{batch:06d}.parquet"
    if not table.partition_by:
        _write(table, df, partition_path(root, table, ()) / name)
        return [()]
    written = []
    for key, rows in df.partition_by(list(table.partition_by), as_dict=True).items():
        part = tuple(key)
        _write(table, rows, partition_path(root, table, part) / name)
        written.append(part)
    return ordered(written)


def _write(table: Table, rows: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    by = order(table)
    if by is not None:
        rows = rows.sort(by, nulls_last=True)
    with disk_errors(path):
        rows.write_parquet(
            path,
            compression="lz4",
            statistics=False,
            row_group_size=RUN_ROWS if by is not None else None,
        )


def files(root: Path, table: Table, part: Partition) -> list[Path]:
    folder = partition_path(root, table, part)
    return sorted(folder.glob("b*.parquet")) if folder.is_dir() else []


def read(paths: list[Path], table: Table) -> pl.DataFrame:
    import polars as pl

    from transforms.schema import empty

    if not paths:
        return empty(table)
    return pl.concat([pl.read_parquet(p) for p in paths]).select(table.column_names)


def scan(root: Path, table: Table) -> pl.LazyFrame | None:
    """Every spilled row of `table` (for the gate's checks on new rows), or None."""
    import polars as pl

    found = sorted((root / table.name).rglob("b*.parquet")) if (root / table.name).is_dir() else []
    if not found:
        return None
    return pl.concat([pl.scan_parquet(p) for p in found])


def remove(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
