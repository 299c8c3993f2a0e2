"""`raw_inputs`: the raw zone's manifest as a table, one partition per raw-zone folder.

Every registered source names the raw-zone folders it stores into; each becomes a partition of
`raw_inputs`, published after the run has stored its inputs, so the table lists what is in the
raw zone (published into the other tables or not yet: see the ledger). Only manifests not yet in
the table are read, so a run's cost does not grow with the raw zone; when the two disagree (a
crashed run can leave either behind) every manifest of that folder is read again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import polars as pl
import pyarrow.parquet as pq

from flows.core import raw_zone
from flows.core.publish import partition_file, publish_current, read_partition
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse
from transforms.schema import RAW_INPUTS, frame


def _row(e: RawEntry) -> dict:
    return {
        "source": e.source,
        "raw_sha256": e.raw_sha256,
        "document_key": e.document_key,
        "original_path": e.original_path,
        "http_status": (e.request or {}).get("status"),
        "content_type": (e.request or {}).get("content_type"),
        "raw_path": e.raw_path,
        "bytes": e.bytes,
        "ingested_at": e.ingested_at,
        "is_current": True,  # set by _with_current
    }


def _with_current(df: pl.DataFrame) -> pl.DataFrame:
    """is_current as raw_zone.current decides it: per document, the newest input (by
    ingested_at, then hash) is current."""
    df = df.sort(["ingested_at", "raw_sha256"], maintain_order=True).with_row_index("_i")
    newest = pl.col("_i") == pl.col("_i").max().over("document_key")
    return df.with_columns(newest.alias("is_current")).drop("_i")


def rows(wh: Warehouse, raw_source: str) -> pl.DataFrame:
    """The raw_inputs rows of one raw-zone folder: the published ones plus the manifests not
    yet in them (only those are read), or every manifest read when the two disagree."""
    names = raw_zone.manifest_names(wh, raw_source)
    old = read_partition(wh, RAW_INPUTS, (raw_source,))
    known = {
        i
        for s, k in zip(old["raw_sha256"], old["document_key"], strict=True)
        for i in raw_zone.entry_ids(s, k)
    }
    new = _frame(raw_zone.read_entries(wh, raw_source, names - known))
    both = pl.concat([old, new])
    if both.height != len(names):
        both = _frame(raw_zone.read_entries(wh, raw_source, names))
    return _with_current(both)


FRAME_ROWS = 8192  # manifests turned into rows at once: 10^5 dicts would cost ~100 MB


def _frame(found: Iterable[RawEntry]) -> pl.DataFrame:
    """The raw_inputs rows of these entries, built a few thousand at a time."""
    parts = [frame(RAW_INPUTS, [])]
    todo = iter(found)
    while chunk := [_row(e) for e in itertools.islice(todo, FRAME_ROWS)]:
        parts.append(frame(RAW_INPUTS, chunk))
    return pl.concat(parts)


def publish_manifest(wh: Warehouse, raw_sources: Iterable[str]) -> None:
    """Bring the raw_inputs partitions of these raw-zone folders up to date."""
    for raw_source in raw_sources:
        publish_current(
            wh, RAW_INPUTS, lambda r=raw_source: rows(wh, r), replace=[{"source": raw_source}]
        )


def current_entries(wh: Warehouse, raw_source: str) -> Iterator[RawEntry]:
    """The current entry of every document of one raw-zone folder, oldest first: streamed from
    its published `raw_inputs` partition a few thousand at a time when that lists every
    manifest (as it does once `publish_manifest` has run), else from `rows`."""
    file = partition_file(wh, RAW_INPUTS, (raw_source,))
    listed = pq.read_metadata(file).num_rows if file is not None else -1
    if file is None or listed != len(raw_zone.manifest_names(wh, raw_source)):
        yield from iter_entries(rows(wh, raw_source).filter("is_current"))
        return
    for batch in pq.ParquetFile(file).iter_batches(batch_size=4096):
        df = pl.from_arrow(batch)
        assert isinstance(df, pl.DataFrame)
        df = df.filter("is_current").with_columns(pl.lit(raw_source).alias("source"))
        yield from iter_entries(df)


def entries_of(df: pl.DataFrame) -> list[RawEntry]:
    """raw_inputs rows back as RawEntry values (request details are not in the table)."""
    return list(iter_entries(df))


def iter_entries(df: pl.DataFrame) -> Iterator[RawEntry]:
    """entries_of, one at a time (a source's work items streamed, not listed)."""
    return (
        RawEntry(
            source=r["source"],
            raw_sha256=r["raw_sha256"],
            document_key=r["document_key"],
            original_path=r["original_path"],
            raw_path=r["raw_path"],
            bytes=r["bytes"],
            ingested_at=r["ingested_at"],
            request={"status": r["http_status"], "content_type": r["content_type"]}
            if r["http_status"] is not None
            else None,
        )
        for r in df.iter_rows(named=True)
    )
