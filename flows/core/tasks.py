"""The engine's tasks: module-level functions with plain arguments, so any runner (inline,
threads, spawned processes, Dask) can execute them. Rows move between them as Parquet files
in the commit's spill area, never as Python objects between processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from flows.core import raw_zone, spill
from flows.core.merge_stream import NotStreamable, stage_spilled
from flows.core.publish import Staged, stage_partition
from flows.core.raw_zone import RawEntry
from flows.core.source import Rows, WorkItem
from flows.core.warehouse import Warehouse
from transforms.schema import TABLES, frame

Partition = tuple[object, ...]
FRAME_ROWS = 8192  # parsed rows held as dicts before they are made frames


@dataclass
class BatchResult:
    batch: int
    items: int
    rows: dict[str, int]
    partitions: dict[str, list[Partition]]
    dates: tuple[date, date] | None
    seconds: float
    bytes: int = 0
    rejects: int = 0
    notes: list[str] = field(default_factory=list)


def parse_batch(
    root: str,
    parse: Callable[[Warehouse, WorkItem], Rows],
    items: Sequence[WorkItem],
    spill_root: str,
    batch: int,
    tables: Sequence[str],
    source: str,
) -> BatchResult:
    """Parse every item of one batch and spill its rows, table by table and partition by
    partition. Row dicts live only until a few thousand of them are made a frame, in this
    worker: the batch's rows are held as frames (about the size of its text), not as dicts."""
    start = time.perf_counter()
    wh = Warehouse(Path(root))
    prefetch(wh, [e for item in items for e in (*item.entries, *item.context)])
    rows: dict[str, list[dict]] = {name: [] for name in tables}
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in tables}
    pending = 0
    for item in items:
        try:
            parsed = parse(wh, item)
        except raw_zone.CorruptObject as e:
            if "rejects" not in rows:
                raise
            parsed = {"rejects": [corrupt_reject(source, e)]}
        for name, got in parsed.items():
            if name not in rows:
                raise ValueError(f"parse of {item.key} gave rows of {name}, not one of {tables}")
            rows[name].extend(got)
            pending += len(got)
        if pending >= FRAME_ROWS:
            for name in tables:
                frames[name].append(frame(TABLES[name], rows[name]))
                rows[name] = []
            pending = 0
    counts: dict[str, int] = {}
    parts: dict[str, list[Partition]] = {}
    lo: date | None = None
    hi: date | None = None
    for name in tables:
        table = TABLES[name]
        frames[name].append(frame(table, rows.pop(name)))
        df = pl.concat(frames.pop(name))
        counts[name] = df.height
        parts[name] = spill.write(Path(spill_root), table, df, batch)
        if df.height and "sitting_date" in df.columns and name in ("debates", "contributions"):
            a, b = df["sitting_date"].min(), df["sitting_date"].max()
            lo = a if lo is None or a < lo else lo  # type: ignore[operator]
            hi = b if hi is None or b > hi else hi  # type: ignore[operator]
    return BatchResult(
        batch,
        len(items),
        counts,
        parts,
        (lo, hi) if lo is not None and hi is not None else None,
        time.perf_counter() - start,
        sum(i.size for i in items),
        counts.get("rejects", 0),
    )


def corrupt_reject(source: str, e: raw_zone.CorruptObject) -> dict:
    """A reject row for an input whose raw object is missing or changed: the rest of the run
    goes on without it (its rows, if published before, are not kept by a rebuild)."""
    return {
        "source": source,
        "source_ref": e.entry.original_path,
        "reason": "corrupt_raw",
        "detail": str(e),
        "rejected_at": e.entry.ingested_at,
        "raw_sha256": e.entry.raw_sha256,
    }


def prefetch(wh: Warehouse, entries: Sequence[RawEntry]) -> None:
    """Ask the kernel to read the batch's raw objects ahead (the parse then finds them in
    memory instead of waiting for the disk object by object)."""
    for e in dict.fromkeys(e.raw_path for e in entries):
        try:
            fd = os.open(wh.root / e, os.O_RDONLY)
        except OSError:
            continue  # the parse reports it
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def merge_partition(
    root: str,
    table_name: str,
    part: Partition,
    spill_root: str,
    plan_dir: str,
    replaced: bool,
    drop: pl.Expr | None,
) -> Staged | None:
    """Stage one partition: its published rows (none if `replaced`, minus `drop`) merged with
    the rows spilled for it — streamed a batch's rows at a time where they allow it."""
    table = TABLES[table_name]
    wh, run_dir = Warehouse(Path(root)), Path(plan_dir)
    pieces = spill.files(Path(spill_root), table, part)
    try:
        return stage_spilled(wh, table, part, pieces, run_dir, replaced=replaced, drop=drop)
    except NotStreamable:
        new = spill.read(pieces, table)
        return stage_partition(wh, table, part, new, run_dir, replaced=replaced, drop=drop)
