"""The merge of a partition's spilled rows, streamed: a few row groups in memory at a time.

A commit's parse leaves each partition's new rows in one spill file per batch, each sorted in
the table's order and written in small row groups (flows/core/spill.py): sorted runs. The
partition is written as their merge, after the published row groups it keeps (none when the
partition is replaced; all when the new rows come after them): a row group is read from the
run that is behind, and every held row before the point all runs have reached (by the order's
first column, the date) is sorted and written. Runs that follow each other in date order, as a
backfill crawled in date order (or a day's run) spills them, hold one row group; runs that
overlap, one row group each plus the rows of the date they meet at — never a batch's or the
partition's rows. The bytes are those of the full merge (`publish.stage_partition`), which
holds every old and new row at once and sorts them; when the rows do not qualify (a key or a
debate in two places, a row before the published ones, an older file's columns), that full
merge runs instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from flows.core import spill
from flows.core.partition import Partition
from flows.core.publish import (
    Staged,
    arrow_schema,
    arrow_slices,
    diff_counts,
    fingerprints,
    keepable,
    matches_any,
    partition_file,
    shares_rows,
    staged_path,
    write_stream,
)
from flows.core.warehouse import Warehouse
from transforms.schema import Table, conform, empty


class NotStreamable(Exception):  # noqa: N818 (a signal to the caller, not an error)
    """The rows need the full merge."""


def stage_spilled(
    wh: Warehouse,
    table: Table,
    part: Partition,
    pieces: Sequence[Path],
    run_dir: Path,
    *,
    replaced: bool,
    drop: pl.Expr | None,
) -> Staged | None:
    """Stage one partition from its spilled files (see the module docstring): the Staged
    item, None when its rows come out unchanged; NotStreamable when they need the full merge."""
    order = spill.order(table)
    if not pieces or order is None:  # files not sorted runs (the order of ties not defined)
        raise NotStreamable
    first = order[0]
    bounds = [_bounds(p, first) for p in pieces]
    old = partition_file(wh, table, part)
    keep = None if replaced or old is None else keepable(table, old)
    if not replaced and old is not None:
        if keep is None:
            raise NotStreamable
        last = keep.read_row_group(keep.metadata.num_row_groups - 1, columns=[first])[first]
        if last.null_count or not last[len(last) - 1].as_py() < min(lo for lo, _ in bounds):
            raise NotStreamable  # not every new row strictly after what it keeps
        if drop is not None and matches_any(table, part, old, drop):
            raise NotStreamable
    path = staged_path(wh, table, part, run_dir)
    seen = _Seen(table)
    try:
        write_stream(table, _rows(table, keep, pieces, bounds, order, seen), path)
        seen.check(table, keep)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    kept = keep.metadata.num_rows if keep is not None else 0
    rows = kept + seen.rows
    if replaced and old is not None and _same_rows(table, old, path):
        path.unlink()
        return None  # a rebuild that produced the partition's rows again
    before = {} if old is None or keep is not None else _file_fingerprints(table, old)
    diff = diff_counts(table, before, seen.after, seen.parsed)
    old_rows = pq.read_metadata(old).num_rows if old is not None else 0
    return Staged(table.name, part, old, path, old_rows, rows, diff)


def _bounds(path: Path, column: str) -> tuple[object, object]:
    values = pl.read_parquet(path, columns=[column])[column]
    if values.null_count() or values.is_empty():
        raise NotStreamable  # nulls sort last: not worth streaming
    return values.min(), values.max()


class _Seen:
    """What the streamed rows held: their keys (one row per key across all of them), and for
    contributions the debates' fingerprints (publish.fingerprints, which add up)."""

    def __init__(self, table: Table) -> None:
        self.keys: list[pl.DataFrame] = []
        self.after: dict[str, tuple[int, int]] = {}
        self.parsed: set[str] = set()
        self.rows = 0
        self.contributions = table.name == "contributions"

    def add(self, table: Table, rows: pl.DataFrame) -> None:
        self.rows += rows.height
        self.keys.append(rows.select(table.key))
        if self.contributions:
            self.parsed.update(rows["debate_id"].unique().to_list())
            _add_fingerprints(self.after, rows)

    def check(self, table: Table, keep: pq.ParquetFile | None) -> None:
        keys = pl.concat(self.keys) if self.keys else empty(table).select(table.key)
        if keys.is_duplicated().any():
            raise NotStreamable  # one key in two files: the full merge picks one
        if keep is not None and shares_rows(table, keep, keys, self.parsed):
            raise NotStreamable


def _rows(
    table: Table,
    keep: pq.ParquetFile | None,
    pieces: Sequence[Path],
    bounds: Sequence[tuple[object, object]],
    order: list[str],
    seen: _Seen,
) -> Iterator[pa.Table]:
    """The kept row groups, then the pieces' rows merged in order (see the module docstring)."""
    schema = arrow_schema(table)
    if keep is not None:
        for i in range(keep.metadata.num_row_groups):
            yield keep.read_row_group(i).cast(schema)
    blank = empty(table)
    runs = [_Run(table, p, lo, order[0], blank) for p, (lo, _) in zip(pieces, bounds, strict=True)]
    live, ready, count = list(runs), [blank], 0
    while live or count:
        if live:
            behind = min(live, key=lambda r: r.reached)  # the first of those furthest behind
            behind.load()
            live = [r for r in live if not r.done]
            # no run holds a row before the point every live run has reached: those go out
            bound = min(r.reached for r in live) if live else None
            for r in runs:
                taken = r.take_before(bound)
                if taken is not None:
                    ready.append(taken)
                    count += taken.height
        if count >= 2 * spill.RUN_ROWS or (not live and count):  # sorted a little at a time
            # sorted, not merged: a key twice must reach `seen` (the full merge picks one)
            rows = pl.concat(ready).sort(order, nulls_last=True)
            ready, count = [blank], 0
            seen.add(table, rows)
            yield from arrow_slices(table, rows)


class _Run:
    """One sorted spill file, read a row group at a time. `held`: its rows read and not yet
    written (sorted; `head` the first column's value of the first of them); `reached`: the
    first column's value its rows not yet read start at or after (its lowest before any is
    read)."""

    def __init__(
        self, table: Table, path: Path, lo: object, first: str, blank: pl.DataFrame
    ) -> None:
        self.table, self.file, self.reached, self.first = table, pq.ParquetFile(path), lo, first
        self.next, self.groups = 0, self.file.metadata.num_row_groups
        self.held, self.head = blank, None

    @property
    def done(self) -> bool:
        return self.next >= self.groups

    def load(self) -> None:
        got = pl.from_arrow(self.file.read_row_group(self.next))
        assert isinstance(got, pl.DataFrame)
        self.next += 1
        rows = conform(self.table, got.select(self.table.column_names))
        if rows.height:
            self.reached = rows[self.first][-1]
            if self.head is None:
                self.held, self.head = rows, rows[self.first][0]
            else:
                self.held = pl.concat([self.held, rows])

    def take_before(self, bound: object) -> pl.DataFrame | None:
        """The held rows before `bound` (all: None), a prefix as they are sorted, no longer
        held; None when there is none."""
        if self.head is None or (bound is not None and not self.head < bound):
            return None
        n = self.held.height if bound is None else self.held[self.first].search_sorted(bound)
        taken, self.held = self.held.slice(0, n), self.held.slice(n)
        self.head = self.held[self.first][0] if self.held.height else None
        return taken


def _same_rows(table: Table, old: Path, new: Path) -> bool:
    """Whether two files hold the same rows in the same row groups (read one at a time)."""
    a, b = pq.ParquetFile(old), pq.ParquetFile(new)
    groups = a.metadata.num_row_groups
    if a.schema_arrow.names != b.schema_arrow.names or groups != b.metadata.num_row_groups:
        return False
    schema = arrow_schema(table)
    for i in range(groups):
        if a.metadata.row_group(i).num_rows != b.metadata.row_group(i).num_rows:
            return False
        if not a.read_row_group(i).cast(schema).equals(b.read_row_group(i).cast(schema)):
            return False
    return True


def _file_fingerprints(table: Table, path: Path) -> dict[str, tuple[int, int]]:
    """publish.fingerprints of a file's rows, a row group at a time."""
    if table.name != "contributions":
        return {}
    from flows.core.publish import FINGERPRINT_COLUMNS

    f = pq.ParquetFile(path)
    out: dict[str, tuple[int, int]] = {}
    for i in range(f.metadata.num_row_groups):
        group = pl.from_arrow(f.read_row_group(i, columns=["debate_id", *FINGERPRINT_COLUMNS]))
        assert isinstance(group, pl.DataFrame)
        _add_fingerprints(out, group)
    return out


def _add_fingerprints(into: dict[str, tuple[int, int]], rows: pl.DataFrame) -> None:
    """Add `rows`' debate fingerprints to `into` (sums wrap at 2^64, as `fingerprints`' do)."""
    for debate, (n, s) in fingerprints(rows).items():
        m, t = into.get(debate, (0, 0))
        into[debate] = (m + n, (s + t) % (1 << 64))
