"""`hansard export parquet DIR`: a clean, hive-partitioned snapshot of every table's current
state, for tools that read bare Parquet (Spark, Trino, pandas, BI tools without DuckDB).

DIR/<table>/<key>=<value>/…/part-0.parquet, exactly the live files of each table's current
Delta version (flows/core/delta.py; a glob over the table folder would also find replaced
files kept for time travel, and files a killed run never committed): the partition keys
are in the folder names (`__HIVE_DEFAULT_PARTITION__` reads as null), the other columns in the
files, in the contract's order. A table with no rows gets one empty file with every column, so
a reader still finds its schema. DIR/_schema.json is the BI contract (docs/schema-v<N>.json:
every table's partition keys and columns, SQL type, nullable); DIR/_manifest.json lists the
tables, their files and rows, the schema version and when the snapshot was taken.

A snapshot, never a mix: the export holds the writer lock (no publish runs meanwhile), refuses a
warehouse whose last run ended without an outcome (a run killed mid-commit leaves the tables
for the next run to finish), and builds DIR beside it under a temporary name, renamed into
place at the end. A published file is never written again (a commit adds new files), so the
export hard-links them when DIR is on the same file system (instant, no space) and copies them
otherwise; a later publish does not change the export.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.core import runs
from flows.core.lock import writer_lock
from flows.core.publish import arrow_type, live_files
from flows.core.warehouse import Warehouse
from transforms.schema import SCHEMA_VERSION, TABLES, contract


class ExportError(RuntimeError):
    pass


@dataclass
class Exported:
    folder: Path
    tables: dict[str, dict[str, int]] = field(default_factory=dict)  # name → files, rows
    linked: int = 0
    copied: int = 0


def _unsettled(wh: Warehouse) -> str | None:
    """Why the tables may be mid-commit or of another schema now, or None: the latest run has
    no outcome, or the tables were written by another schema version (a v10 warehouse's files
    are not in Delta logs until a run adopts them: its export would be empty)."""
    from flows.run import stale_schema

    stale = stale_schema(wh)
    if stale:
        return (
            f"the tables were written with schema {stale}, this code reads v{SCHEMA_VERSION}: "
            "run `hansard rebuild` (or any run) first, then export"
        )
    records = runs.records(wh)
    if records and records[-1].status in ("running", "crashed"):
        last = records[-1]
        return (
            f"the last run ({last.run_id}, {last.flow}) ended without an outcome, so a commit "
            "may be half done: run it again (or `hansard rebuild`), then export"
        )
    return None


def _place(src: Path, dest: Path, out: Exported) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
        out.linked += 1
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copyfile(src, dest)
        out.copied += 1


def export_parquet(wh: Warehouse, folder: Path, tables: Sequence[str] = ()) -> Exported:
    folder = folder.absolute()
    names = list(tables) or list(TABLES)
    unknown = sorted(set(names) - set(TABLES))
    if unknown:
        raise ExportError(f"no table {unknown}; tables: {', '.join(TABLES)}")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(f"{folder} exists and is not an empty folder: choose a new one")
    if not wh.tables.is_dir():
        raise ExportError(f"no tables in {wh.root}: nothing has been published there")
    partial = folder.with_name(f".{folder.name}.partial")
    out = Exported(folder)
    with writer_lock(wh.lock_path, "export"):
        why = _unsettled(wh)
        if why:
            raise ExportError(why)
        shutil.rmtree(partial, ignore_errors=True)  # left by an export that was killed
        partial.mkdir(parents=True)
        try:
            for name in names:
                files = list(live_files(wh, TABLES[name]).values())
                rows = 0
                for f in files:  # the live file of each partition, as part-0.parquet
                    dest = partial / f.parent.relative_to(wh.tables) / "part-0.parquet"
                    _place(f, dest, out)
                    rows += pq.ParquetFile(dest).metadata.num_rows
                if not files:  # no rows: one empty file with every column, for the schema
                    dest = partial / name / "part-0.parquet"
                    dest.parent.mkdir(parents=True)
                    pq.write_table(pa.Table.from_pylist([], schema=_full(name)), dest)
                out.tables[name] = {"files": len(files), "rows": rows}
            bi = contract()
            bi["tables"] = {n: bi["tables"][n] for n in names}
            bi["table_format"] = "parquet"  # the export: bare hive-partitioned files
            (partial / "_schema.json").write_text(json.dumps(bi, indent=1) + "\n")
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "exported_at": datetime.now(UTC).isoformat(),
                "warehouse": str(wh.root.absolute()),
                "tables": out.tables,
            }
            (partial / "_manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
            if folder.exists():
                folder.rmdir()  # empty, checked above
            os.rename(partial, folder)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return out


def _full(name: str) -> pa.Schema:
    """The Arrow schema of every column of a table (partition keys included)."""
    return pa.schema(
        [pa.field(c.name, arrow_type(c.dtype), nullable=c.nullable) for c in TABLES[name].columns]
    )
