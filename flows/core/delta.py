"""Each table is a Delta Lake table: its `_delta_log` says which Parquet files are live.

A publish writes new files beside the live ones under a fresh name (`part-<uuid>.parquet`, in
the partition's `key=value/…` folder) and then commits, per table, one Delta transaction that
removes each replaced partition's old file and adds its new one. The commit is one atomic
write of the next log entry: a reader (DuckDB's `delta_scan`, polars, Spark, the views of
`hansard.duckdb`) sees every partition of that table before it or every one after it. A
replaced file stays on disk, so earlier versions can still be read (time travel), until a
vacuum removes what no recent version needs.

The warehouse keeps one live file per partition, so a table's snapshot is a map from partition
to file. It is read from the log (deltalake) and remembered per process while the log folder
is unchanged (a commit adds a file there, changing its mtime).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from flows.core import faults, partition
from flows.core.lock import WarehouseBusy
from flows.core.partition import Partition
from transforms.schema import Table

if TYPE_CHECKING:
    from deltalake import DeltaTable

LOG_DIR = "_delta_log"
KEEP_HOURS = 168  # replaced files kept this long for time travel (a week), then vacuumed


@dataclass(frozen=True)
class Snapshot:
    """A table at one version: its live file (relative to the table folder) per partition."""

    version: int  # -1: no Delta table yet
    files: dict[Partition, str]


@dataclass(frozen=True)
class Change:
    """One partition of a commit: its old file removed (if any), its new file added (if any)."""

    part: Partition
    old: str | None  # relative path of the live file it replaces
    new: str | None  # relative path of the file written for it
    size: int = 0
    rows: int = 0


_CACHE: dict[str, tuple[tuple[int, int], Snapshot]] = {}


def exists(table_dir: Path) -> bool:
    """Whether the folder holds a Delta table: a log with a commit or a checkpoint (a create
    stopped by a full disk or a kill can leave the log folder empty)."""
    log = table_dir / LOG_DIR
    return (log / "_last_checkpoint").exists() or any(log.glob("*.json"))


def snapshot(table_dir: Path, table: Table, version: int | None = None) -> Snapshot:
    """The table's live files at `version` (default: the latest)."""
    log = table_dir / LOG_DIR
    try:
        st = log.stat()
    except FileNotFoundError:
        return Snapshot(-1, {})
    stamp = (st.st_ino, st.st_mtime_ns)
    key = str(table_dir)
    cached = _CACHE.get(key)
    if version is None and cached is not None and cached[0] == stamp:
        return cached[1]
    if not exists(table_dir):
        return Snapshot(-1, {})
    from deltalake import DeltaTable

    snap = _files_of(DeltaTable(table_dir, version=version), table)
    if version is None:
        _CACHE[key] = (stamp, snap)
    return snap


def _files_of(dt: DeltaTable, table: Table) -> Snapshot:
    """The live file of each partition at the version `dt` is at."""
    actions = pa.table(dt.get_add_actions(flatten=True))
    paths = actions.column("path").to_pylist()
    values = [actions.column(f"partition.{k}").to_pylist() for k in table.partition_by]
    files: dict[Partition, str] = {}
    for i, path in enumerate(paths):
        part = tuple(v[i] for v in values)
        if part in files:  # not written by this pipeline: one file a partition, always
            raise RuntimeError(
                f"table {table.name} at {dt.table_uri}: partition {part} has more than one live "
                f"file ({files[part]}, {path}); another writer added to it: `hansard rebuild` "
                "rewrites every table from the raw zone"
            )
        files[part] = path
    return Snapshot(dt.version(), {k: files[k] for k in partition.ordered(files)})


def delta_schema(table: Table) -> pa.Schema:
    """Every column, partition keys included (nullable: a partition value may be null)."""
    from flows.core.publish import arrow_type

    return pa.schema(
        [
            pa.field(
                c.name, arrow_type(c.dtype), nullable=c.nullable or c.name in table.partition_by
            )
            for c in table.columns
        ]
    )


def _values(table: Table, part: Partition) -> dict[str, str | None]:
    return {k: None if v is None else str(v) for k, v in zip(table.partition_by, part, strict=True)}


class Conflict(WarehouseBusy):
    """Another writer committed to a partition this commit changes since it was read (the
    CLI says so and exits 2, as for a warehouse another run holds)."""


COMMIT_ATTEMPTS = 50  # other writers' commits taking the next version first, then given up


def commit(table_dir: Path, table: Table, changes: Sequence[Change]) -> None:
    """Commit `changes` as one Delta transaction, if every partition still has the live file
    the change replaces (`old`; None: no file). Several writers may commit to one table: the
    check and the commit are one optimistic step (the next log version is written only if no
    other commit took it; if one did, the check runs again on the new version), so a commit
    lands only on the state it was merged from. A partition another writer changed meanwhile
    is a Conflict naming it: the caller merges again from the new state."""
    from deltalake.exceptions import CommitFailedError

    lost: Exception | None = None
    for _ in range(COMMIT_ATTEMPTS):
        try:
            _try_commit(table_dir, table, changes)
            return
        except (CommitFailedError, FileExistsError) as e:  # another writer was first: again
            _CACHE.pop(str(table_dir), None)
            lost = e
    raise Conflict(
        f"table {table.name}: {COMMIT_ATTEMPTS} attempts to commit lost to other writers"
    ) from lost


def _check(table: Table, current: Snapshot, changes: Sequence[Change]) -> None:
    for c in changes:
        if current.files.get(c.part) != c.old:
            raise Conflict(
                f"table {table.name}, partition {c.part}: another writer committed to it "
                f"(version {current.version}) since this run read it"
            )


def _try_commit(table_dir: Path, table: Table, changes: Sequence[Change]) -> None:
    from deltalake import CommitProperties, DeltaTable, Schema
    from deltalake.transaction import AddAction, RemoveAction, create_table_with_add_actions

    now = _now_ms()
    adds = [
        AddAction(
            c.new, c.size, _values(table, c.part), now, True, json.dumps({"numRecords": c.rows})
        )
        for c in changes
        if c.new is not None
    ]
    removes = [
        RemoveAction(c.old, True, now, None, _values(table, c.part))
        for c in changes
        if c.old is not None
    ]
    schema = delta_schema(table)
    faults.step(f"commit {table.name}")
    if not exists(table_dir):
        _check(table, Snapshot(-1, {}), changes)
        table_dir.mkdir(parents=True, exist_ok=True)
        try:
            create_table_with_add_actions(
                str(table_dir),
                Schema.from_arrow(schema),
                adds,
                mode="error",
                partition_by=list(table.partition_by) or None,
                name=table.name,
                commit_properties=CommitProperties(max_commit_retries=0),  # version 0, or fail
            )
        except Exception as e:
            if exists(table_dir):  # created by another writer meanwhile
                raise FileExistsError(str(table_dir)) from e
            raise
        return
    dt = DeltaTable(table_dir)
    if _evolve(dt, table, schema):
        dt = DeltaTable(table_dir)
    _check(table, _files_of(dt, table), changes)
    dt.create_write_transaction(
        [*removes, *adds],
        mode="append",
        schema=dt.schema(),
        partition_by=list(table.partition_by),
        commit_properties=CommitProperties(max_commit_retries=0),  # no rebase past the check
    )


def _evolve(dt: DeltaTable, table: Table, schema: pa.Schema) -> bool:
    """A table written by an older schema version gains the columns added since (nullable);
    a column this code no longer declares is an error naming the table. Whether it changed."""
    from deltalake import Schema

    current = set(pa.schema(dt.schema()).names)
    extra = sorted(current - set(schema.names))
    if extra:
        raise RuntimeError(
            f"table {table.name}: its Delta schema has columns this code does not declare "
            f"{extra}: run `hansard rebuild`"
        )
    added = [f.with_nullable(True) for f in schema if f.name not in current]
    if not added:
        return False
    dt.alter.add_columns(Schema.from_arrow(pa.schema(added)).fields)
    return True


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def new_file_name() -> str:
    return f"part-{os.urandom(16).hex()}.parquet"


LEGACY_FILE = "part-0.parquet"  # schema v10 and older: one file per partition, no log


def adopt_legacy(table_dir: Path, table: Table) -> int:
    """A table written before schema v11 (one `part-0.parquet` per partition folder, swapped by
    rename, no log) becomes a Delta table of those same files, in place, nothing rewritten.
    Returns how many files it adopted (0: already Delta, or nothing there)."""
    import pyarrow.parquet as pq

    if exists(table_dir) or not table_dir.is_dir():
        return 0
    depth = len(table.partition_by)
    found = sorted(table_dir.glob("/".join([*(["*"] * depth), LEGACY_FILE])))
    if not found:
        return 0
    changes = []
    for f in found:
        folders = f.parent.relative_to(table_dir).parts
        part = tuple(
            partition.value(table.schema[k], p.split("=", 1)[1])
            for k, p in zip(table.partition_by, folders, strict=True)
        )
        rel = f.relative_to(table_dir).as_posix()
        rows = pq.read_metadata(f).num_rows
        changes.append(Change(part, None, rel, f.stat().st_size, rows))
    commit(table_dir, table, changes)
    return len(changes)


def vacuum(table_dir: Path, hours: int = KEEP_HOURS) -> int:
    """Delete the files no version of the last `hours` needs: replaced files past the time
    travel window, and files no commit ever named (left by a killed run, or the pre-Delta
    layout's) once they are as old. Returns how many it deleted."""
    if not exists(table_dir):
        return 0
    from deltalake import DeltaTable

    dt = DeltaTable(table_dir)
    options = {"retention_hours": hours, "enforce_retention_duration": False, "full": True}
    if not dt.vacuum(dry_run=True, **options):
        return 0  # nothing to delete: no commit (a vacuum writes two log entries)
    return len(dt.vacuum(dry_run=False, **options))
