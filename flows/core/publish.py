"""Publish table rows as partitioned Parquet in Delta tables, replacing whole partitions.

A publish merges new rows into the partitions they touch (or, for a rebuild, replaces every
partition): duplicates by key are resolved deterministically (lowest raw_sha256 wins), rows
sorted, and each partition written in full as one file. All partitions are staged first under
<root>/_staging (outside every table); only when all are written (and the quality gate has
passed) are they committed: per table, the new files are moved into the table's folder under
fresh names and one Delta transaction swaps them for the old ones (flows/core/delta.py), so a
reader sees every partition of that table before the commit or every one after it. A failure
before the commit leaves the published state as it was.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from flows.core import delta, partition
from flows.core.warehouse import Warehouse, disk_errors
from transforms.schema import TABLES, Table, conform, empty

FILE_NAME = "part-0.parquet"
ROW_GROUP = 100_000  # rows per Parquet row group unless the table declares its own (row_group)
Partition = partition.Partition
_ARROW_TYPES: dict[type[pl.DataType], pa.DataType] = {
    pl.String: pa.string(),
    pl.Date: pa.date32(),
    pl.Int16: pa.int16(),
    pl.Int32: pa.int32(),
    pl.Int64: pa.int64(),
    pl.Boolean: pa.bool_(),
    pl.Float64: pa.float64(),
}


def arrow_type(dtype: pl.DataType) -> pa.DataType:
    if isinstance(dtype, pl.Datetime):
        return pa.timestamp(dtype.time_unit, tz=dtype.time_zone)
    if isinstance(dtype, pl.List):
        return pa.large_list(arrow_type(dtype.inner))
    return _ARROW_TYPES[type(dtype)]


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema(
        [
            pa.field(c.name, arrow_type(c.dtype), nullable=c.nullable)
            for c in table.columns
            if c.name in table.file_columns
        ]
    )


def partition_dir(wh: Warehouse, table: Table, part: Partition) -> Path:
    path = wh.table_dir(table.name)
    for key, value in zip(table.partition_by, part, strict=True):
        path = path / partition.segment(key, value)
    return path


def live_files(wh: Warehouse, table: Table, version: int | None = None) -> dict[Partition, Path]:
    """The published file of every partition (at `version`; default the latest), in partition
    order."""
    root = wh.table_dir(table.name)
    return {p: root / f for p, f in delta.snapshot(root, table, version).files.items()}


def existing_partitions(wh: Warehouse, table: Table) -> list[Partition]:
    return list(delta.snapshot(wh.table_dir(table.name), table).files)


def partition_file(wh: Warehouse, table: Table, part: Partition) -> Path | None:
    """The published file of one partition, or None when it has no rows."""
    root = wh.table_dir(table.name)
    rel = delta.snapshot(root, table).files.get(part)
    return None if rel is None else root / rel


def read_partition(wh: Warehouse, table: Table, part: Partition) -> pl.DataFrame:
    path = partition_file(wh, table, part)
    if path is None:
        return empty(table)
    # polars' own reader: through pyarrow (read, then from_arrow) a 50 k-row contributions
    # partition took 300 MB of RSS instead of 120 MB
    df = pl.read_parquet(path, hive_partitioning=False)
    df = df.with_columns(
        pl.lit(v, dtype=table.schema[k]).alias(k)
        for k, v in zip(table.partition_by, part, strict=True)
    )
    missing = [c for c in table.column_names if c not in df.columns]  # an older schema's file
    if missing:
        df = df.with_columns(pl.lit(None, dtype=table.schema[c]).alias(c) for c in missing)
    return df.select(table.column_names)


def read_table(wh: Warehouse, table: Table) -> pl.DataFrame:
    frames = [read_partition(wh, table, p) for p in existing_partitions(wh, table)]
    return pl.concat(frames) if frames else empty(table)


def _partitions_of(table: Table, df: pl.DataFrame) -> list[Partition]:
    if not table.partition_by:
        return [()] if df.height else []
    return partition.ordered(df.select(table.partition_by).unique().iter_rows())


def _rows_in(table: Table, df: pl.DataFrame, part: Partition) -> pl.DataFrame:
    for key, value in zip(table.partition_by, part, strict=True):
        df = df.filter(partition.is_value(key, value))
    return df


def increasing(df: pl.DataFrame, key: Sequence[str]) -> bool:
    """Whether rows are in strictly increasing key order (so sorted and unique): one pass."""
    if df.height < 2:
        return True
    later = pl.lit(False)
    for name in reversed(key):
        col, prev = pl.col(name), pl.col(name).shift(1)
        later = (col > prev) | ((col == prev) & later)
    return bool(df.select(later.slice(1).all()).item())


def merge(table: Table, old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Old rows plus `new`, one row per key (lowest raw_sha256 wins), in the table's order."""
    order = list(table.order_by or table.key)
    if old.height == 0 and order == list(table.key) and increasing(new, order):
        return new  # already one row per key, in order (a derived partition): nothing to sort
    both = pl.concat([old, new])
    tie = ["raw_sha256"] if "raw_sha256" in table.column_names else []
    both = both.sort([*table.key, *tie], nulls_last=True)
    both = both.unique(subset=list(table.key), keep="first", maintain_order=True)
    return both.sort(order, nulls_last=True)


def _write_file(
    table: Table, df: pl.DataFrame, path: Path, metadata: Mapping[str, str] | None = None
) -> None:
    """Write `df` as one Parquet file, a row group at a time: only one row group's rows are
    ever converted to Arrow (the whole frame at once was two more copies of its text)."""
    write_stream(table, arrow_slices(table, df), path, metadata)


def arrow_slices(table: Table, df: pl.DataFrame) -> Iterator[pa.Table]:
    """`df`'s rows as Arrow tables of the file's schema, a row group's worth at a time."""
    schema = arrow_schema(table)
    df = df.select(table.file_columns)
    for offset in range(0, df.height, table.row_group):
        yield df.slice(offset, table.row_group).to_arrow().cast(schema)


def parquet_options(table: Table) -> dict[str, Any]:
    """The Parquet writer's options for a table's files: zstd, and each column dictionary- or
    delta-encoded as the table declares (Table.delta_encoded)."""
    if not table.delta_encoded:
        return {"compression": "zstd"}
    return {
        "compression": "zstd",
        "use_dictionary": [c for c in table.file_columns if c not in table.delta_encoded],
        "column_encoding": dict.fromkeys(table.delta_encoded, "DELTA_BINARY_PACKED"),
    }


def file_metadata(path: Path | None) -> dict[str, str]:
    """The key-value metadata a publish wrote into a file (`metadata=` of stage), if any."""
    if path is None or not path.exists():
        return {}
    raw = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW:")}


@dataclass(frozen=True)
class Staged:
    """One partition written under staging, waiting to be committed."""

    table: str
    part: Partition
    old: Path | None  # the published file it replaces (None: a new partition)
    staged: Path | None  # the file written for it (None: the partition is now empty, removed)
    old_rows: int
    new_rows: int
    debates: tuple[int, int, int] = (0, 0, 0)  # contributions: debates new, changed, unchanged


@dataclass
class Plan:
    """Partitions of one or more tables staged together and committed together, after any
    check (the quality gate) has passed; abort() leaves the published state untouched."""

    run: Path
    items: list[Staged] = field(default_factory=list)
    committed: list[Staged] = field(default_factory=list)  # of the tables committed so far

    @classmethod
    def new(cls, wh: Warehouse) -> Plan:
        return cls(wh.staging / uuid.uuid4().hex)

    def commit(self, wh: Warehouse) -> list[Staged]:
        """One Delta commit per table, in the order the tables were staged. A partition that
        another writer committed to since it was staged raises delta.Conflict: the tables
        before it stay committed (see `committed`), the rest are not."""
        try:
            by_table: dict[str, list[Staged]] = {}
            for item in self.items:
                by_table.setdefault(item.table, []).append(item)
            for name, items in by_table.items():
                _commit_table(wh, TABLES[name], items)
                self.committed += items
        finally:
            shutil.rmtree(self.run, ignore_errors=True)
        return self.items

    def abort(self) -> None:
        shutil.rmtree(self.run, ignore_errors=True)


@contextmanager
def staging(wh: Warehouse) -> Iterator[Plan]:
    """A new Plan for the block to stage into (and check); if anything in the block raises, the
    plan is aborted and nothing is published. Commit it after the block."""
    plan = Plan.new(wh)
    try:
        yield plan
    except BaseException:
        plan.abort()
        raise


def _commit_table(wh: Warehouse, table: Table, items: Sequence[Staged]) -> None:
    """Move each staged file into its partition's folder under a fresh name (no reader looks
    at a file the log does not name), then commit them all in one Delta transaction."""
    root = wh.table_dir(table.name)
    changes = []
    for item in items:
        new = None
        size = 0
        if item.staged is not None:
            dest = partition_dir(wh, table, item.part) / delta.new_file_name()
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(item.staged, dest)
            new, size = dest.relative_to(root).as_posix(), dest.stat().st_size
        old = None if item.old is None else item.old.relative_to(root).as_posix()
        changes.append(delta.Change(item.part, old, new, size, item.new_rows))
    delta.commit(root, table, changes)


def matches(table: Table, part: Partition, spec: Mapping[str, object]) -> bool:
    values = dict(zip(table.partition_by, part, strict=True))
    return all(values.get(k) == v for k, v in spec.items())


def stage(
    wh: Warehouse,
    table: Table,
    new: pl.DataFrame,
    plan: Plan,
    *,
    replace: Sequence[Mapping[str, object]] = (),
    drop: pl.Expr | None = None,
    touch: Sequence[Mapping[str, object]] = (),
    metadata: Mapping[str, str] | None = None,
) -> list[Staged]:
    """Merge `new` into `table` under staging (nothing published yet); see `publish`.
    `metadata` is stored in each file written (derived tables record their inputs there); a
    partition whose rows are unchanged is still rewritten when its metadata differs."""
    new = conform(table, new)
    staged: list[Staged] = []
    for part, replaced in targets(wh, table, _partitions_of(table, new), replace, touch):
        item = stage_partition(
            wh,
            table,
            part,
            _rows_in(table, new, part),
            plan.run,
            replaced=replaced,
            drop=drop,
            metadata=metadata,
        )
        if item is not None:
            staged.append(item)
    plan.items.extend(staged)
    return staged


def targets(
    wh: Warehouse,
    table: Table,
    new_parts: Iterable[Partition],
    replace: Sequence[Mapping[str, object]] = (),
    touch: Sequence[Mapping[str, object]] = (),
) -> list[tuple[Partition, bool]]:
    """The partitions a merge rewrites — those with new rows, existing ones matching a
    `touch` or `replace` spec — each with whether it is replaced (rebuilt from new rows alone)."""
    existing = existing_partitions(wh, table)
    replaced = {p for p in existing if any(matches(table, p, s) for s in replace)}
    specs = [_restrict(s, table.partition_by) for s in touch]
    parts = (
        set(new_parts)
        | replaced
        | {p for p in existing if any(matches(table, p, s) for s in specs)}
    )
    return [(p, p in replaced) for p in partition.ordered(parts)]


def _restrict(spec: Mapping[str, object], keys: Sequence[str]) -> dict[str, object]:
    return {k: v for k, v in spec.items() if k in keys}


def stage_partition(
    wh: Warehouse,
    table: Table,
    part: Partition,
    new: pl.DataFrame,
    run_dir: Path,
    *,
    replaced: bool = False,
    drop: pl.Expr | None = None,
    metadata: Mapping[str, str] | None = None,
    keep_empty: bool = False,
) -> Staged | None:
    """Write one partition's merged rows under `run_dir`: the published rows (none when
    `replaced`; those matching `drop` removed) merged with `new`. None when nothing changes.
    A partition left without rows is removed, unless `keep_empty`: then a file with no rows
    stays, carrying `metadata` (a derived partition's signature: derived, and empty)."""
    file = partition_file(wh, table, part)
    if not replaced and metadata is None and file is not None and new.height:
        appended = _stage_append(wh, table, part, file, new, run_dir, drop)
        if appended is not None:
            return appended
    if replaced and metadata is not None and file_metadata(file) != dict(metadata):
        # rewritten whatever its rows (its inputs changed): the old rows are not needed
        old = empty(table)
        old_rows = pq.read_metadata(file).num_rows if file is not None else 0
    else:
        old = read_partition(wh, table, part)
        old_rows = old.height
    base = empty(table) if replaced else old
    if drop is not None and base.height:
        base = base.filter(~drop.fill_null(False))
    rows = conform(table, merge(table, base, new))
    del base
    if (
        old_rows == old.height
        and rows.equals(old)
        and (metadata is None or file_metadata(file) == dict(metadata))
    ):
        return None  # unchanged: not rewritten
    stage_path: Path | None = None
    if rows.height or (keep_empty and metadata is not None):
        stage_path = staged_path(wh, table, part, run_dir)
        _write_file(table, rows, stage_path, metadata)
    return Staged(
        table.name, part, file, stage_path, old_rows, rows.height, _diff(table, old, rows, new)
    )


def _stage_append(
    wh: Warehouse,
    table: Table,
    part: Partition,
    file: Path,
    new: pl.DataFrame,
    run_dir: Path,
    drop: pl.Expr | None,
) -> Staged | None:
    """The merge of rows that all come after the published ones in the table's order and share
    no key (nor, for contributions, a debate) with them — a backfill crawled in date order, a
    new sitting day: the file is the published row groups copied one at a time, then the new
    rows, the same bytes a full merge writes while holding one row group of the published rows
    instead of all of them, sorted twice. None when the rows do not qualify."""
    order = list(table.order_by or table.key)
    check = [*order, *table.key, *(["debate_id"] if table.name == "contributions" else [])]
    published = keepable(table, file)
    if published is None or any(c not in table.file_columns for c in check):
        return None
    rows = merge(table, empty(table), conform(table, new))
    tail = published.read_row_group(published.num_row_groups - 1, columns=order)
    last = tail.slice(tail.num_rows - 1).to_pylist()[0]
    first = rows.select(order).row(0)
    if None in first or None in last.values() or not first > tuple(last[c] for c in order):
        return None
    debates = set(rows["debate_id"].to_list()) if table.name == "contributions" else set()
    if shares_rows(table, published, rows.select(table.key), debates):
        return None
    if drop is not None and matches_any(table, part, file, drop):
        return None
    path = staged_path(wh, table, part, run_dir)
    _append_file(table, published, rows, path)
    old_rows = published.metadata.num_rows
    diff = _diff(table, empty(table), rows, new)
    return Staged(table.name, part, file, path, old_rows, old_rows + rows.height, diff)


def keepable(table: Table, file: Path) -> pq.ParquetFile | None:
    """The published file, opened, when new rows can follow its row groups as they are (it
    has rows, and this code's columns); else None."""
    published = pq.ParquetFile(file)
    if published.metadata.num_rows == 0 or published.schema_arrow.names != table.file_columns:
        return None
    return published


def shares_rows(
    table: Table, published: pq.ParquetFile, keys: pl.DataFrame, debates: Collection[str]
) -> bool:
    """Whether the file holds a row of one of `keys` or, for contributions, of one of
    `debates` (new rows that do can not simply follow it)."""
    old = pl.from_arrow(published.read(columns=list(table.key)))
    assert isinstance(old, pl.DataFrame)
    if keys.join(old, on=list(table.key), how="semi").height:
        return True
    if table.name != "contributions":
        return False
    old_debates = pl.Series(published.read(columns=["debate_id"]).column("debate_id"))
    return bool(old_debates.is_in(list(debates)).any())


def matches_any(table: Table, part: Partition, file: Path, drop: pl.Expr) -> bool:
    values = zip(table.partition_by, part, strict=True)
    lazy = pl.scan_parquet(file, hive_partitioning=False).with_columns(
        pl.lit(v, dtype=table.schema[k]).alias(k) for k, v in values
    )
    return bool(lazy.filter(drop.fill_null(False)).select(pl.len()).collect().item())


def _append_file(table: Table, published: pq.ParquetFile, rows: pl.DataFrame, path: Path) -> None:
    """`published`'s rows then `rows`, written as `_write_file` writes them."""
    schema = arrow_schema(table)
    kept = (published.read_row_group(i).cast(schema) for i in range(published.num_row_groups))
    write_stream(table, itertools.chain(kept, arrow_slices(table, rows)), path)


def write_stream(
    table: Table,
    pieces: Iterable[pa.Table],
    path: Path,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Rows arriving as Arrow tables of the file's schema, written in row groups of the table's
    size (each group one contiguous Arrow table, so the bytes depend on the rows alone, not
    on how they arrived); `metadata` goes into the file's key-value metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = arrow_schema(table)
    stored = schema.with_metadata(dict(metadata)) if metadata else schema
    size = table.row_group
    with disk_errors(path), pq.ParquetWriter(path, stored, **parquet_options(table)) as writer:
        held, written = schema.empty_table(), False
        for piece in pieces:
            held = pa.concat_tables([held, piece])
            while held.num_rows >= size:
                writer.write_table(held.slice(0, size).combine_chunks(), row_group_size=size)
                held, written = held.slice(size), True
        if held.num_rows or not written:
            writer.write_table(held.combine_chunks(), row_group_size=size)


def staged_path(wh: Warehouse, table: Table, part: Partition, run_dir: Path) -> Path:
    """Where a plan stages a partition's new file."""
    return run_dir / "new" / partition_dir(wh, table, part).relative_to(wh.tables) / FILE_NAME


def _diff(
    table: Table, old: pl.DataFrame, rows: pl.DataFrame, new: pl.DataFrame
) -> tuple[int, int, int]:
    """For contributions: (debates new, changed, unchanged) among the debates this rewrite
    touches (parsed again, or dropped): a fingerprint of each debate's contributions before
    and after. Other tables: zeros."""
    if table.name != "contributions":
        return (0, 0, 0)
    parsed = set(new["debate_id"].unique().to_list()) if new.height else set()
    return diff_counts(table, fingerprints(old), fingerprints(rows), parsed)


def diff_counts(
    table: Table,
    before: Mapping[str, tuple[int, int]],
    after: Mapping[str, tuple[int, int]],
    parsed: set[str],
) -> tuple[int, int, int]:
    """`_diff` from the debates' fingerprints before and after, and the debates parsed."""
    if table.name != "contributions":
        return (0, 0, 0)
    touched = parsed | {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    created = sum(1 for k in touched if k not in before and k in after)
    changed = sum(1 for k in touched if k in before and k in after and before[k] != after[k])
    same = sum(1 for k in parsed if k in before and before[k] == after.get(k))
    return (created, changed, same)


FINGERPRINT_COLUMNS = ("contribution_id", "ordinal", "speaker_display", "member_id", "text")


def fingerprints(df: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """debate_id → (row count, sum of row hashes): equal when its contributions are equal.
    A row's hash combines its columns' hashes (hashing a struct of them copied the text); the
    sums wrap at 2^64, so the fingerprints of two sets of rows add up to their union's."""
    if df.height == 0:
        return {}
    row = pl.lit(0, dtype=pl.UInt64)
    for seed, name in enumerate(FINGERPRINT_COLUMNS, start=7):
        row = row * 1_000_003 + pl.col(name).hash(seed=seed)  # wraps: order of columns counts
    hashed = df.select("debate_id", row.alias("h"))
    agg = hashed.group_by("debate_id").agg(pl.len().alias("n"), pl.col("h").sum().alias("s"))
    return {d: (n, s) for d, n, s in agg.iter_rows()}


def publish(
    wh: Warehouse,
    table: Table,
    new: pl.DataFrame,
    *,
    replace: Sequence[Mapping[str, object]] = (),
    drop: pl.Expr | None = None,
    touch: Sequence[Mapping[str, object]] = (),
) -> list[Partition]:
    """Merge `new` into `table`; returns the partitions actually rewritten.

    Existing partitions matching any `replace` spec (partition key → value; `{}` matches all)
    are rewritten from `new` alone, so rows that are no longer produced disappear. With `drop`,
    existing rows matching the expression are removed from the partitions `new` or `touch`
    specs reach (a re-fetched day replaces that day's rows). A partition whose rows come out
    unchanged is left as it is.
    """
    with staging(wh) as plan:
        stage(wh, table, new, plan, replace=replace, drop=drop, touch=touch)
    return [item.part for item in plan.commit(wh)]


PUBLISH_ATTEMPTS = 10


def publish_current(
    wh: Warehouse,
    table: Table,
    rows: Callable[[], pl.DataFrame],
    *,
    replace: Sequence[Mapping[str, object]] = (),
) -> list[Partition]:
    """`publish(rows())` for rows computed from the current state (a table of the run log or of
    the raw zone's manifests): when another writer committed to one of its partitions first,
    the rows are computed again from the new state and published again."""
    for _ in range(PUBLISH_ATTEMPTS - 1):
        try:
            return publish(wh, table, rows(), replace=replace)
        except delta.Conflict:
            continue
    return publish(wh, table, rows(), replace=replace)
