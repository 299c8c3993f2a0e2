"""Tables derived partition by partition from `contributions`: speaker_resolutions and the
search index (search_postings, search_docs).

Each derived partition mirrors one contributions partition (source, house, sitting_year), and
its files record, in Parquet key-value metadata, the signature of what they were derived from:
the sha256 of that contributions file and the deriver's own fingerprint (the members tables
for resolution, the tokeniser version for search). `refresh_derived` recomputes only the
partitions whose signature differs — a new or rewritten contributions partition, or changed
members — one partition at a time, so memory is bounded by one partition and an ingest pays
only for what it changed. Each partition is published on its own (staged, gated, swapped in),
so an interrupted refresh keeps what it finished and the next one carries on. Derived
partitions whose contributions partition has gone are removed. Everything is a function of
file contents, so a rebuild from raw reproduces the derived files byte for byte.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import polars as pl

from flows.core.publish import (
    FILE_NAME,
    Partition,
    existing_partitions,
    file_metadata,
    partition_dir,
    stage,
    staging,
)
from flows.core.quality import GateRules, enforce
from flows.core.warehouse import Warehouse
from transforms.schema import CONTRIBUTIONS, SEARCH_DOCS, SEARCH_POSTINGS, Table, empty

SIGNATURE_KEY = "hansard.derived_from"


class Deriver(Protocol):
    """Computes some tables for one contributions partition. `tables[0]` has a row for every
    contribution, so its file is where the partition's signature is checked."""

    name: str
    tables: tuple[Table, ...]

    def fingerprint(self) -> str:
        """What the output depends on besides the contributions file (cheap; called once)."""
        ...

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]: ...


@dataclass
class DeriveSummary:
    partitions: int = 0  # contributions partitions looked at
    derived: int = 0  # (deriver, partition) pairs recomputed
    removed: int = 0  # derived partitions dropped with their contributions partition
    rows: int = 0  # rows of tables[0] recomputed
    seconds: float = 0.0
    by_deriver: dict[str, int] | None = None

    def describe(self) -> str:
        per = ", ".join(f"{k} {v}" for k, v in sorted((self.by_deriver or {}).items()))
        return (
            f"derived tables: {self.derived} partition(s) recomputed ({per or 'none'}), "
            f"{self.removed} removed, of {self.partitions}, in {self.seconds:.1f} s"
        )


@lru_cache(maxsize=4096)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, remembered while its size and mtime stay the same."""
    stat = path.stat()
    return _sha256(path, stat.st_size, stat.st_mtime_ns)


def signature_of(wh: Warehouse, table: Table, part: Partition) -> str | None:
    path = partition_dir(wh, table, part) / FILE_NAME
    return file_metadata(path).get(SIGNATURE_KEY)


def _spec(part: Partition) -> dict[str, object]:
    return dict(zip(CONTRIBUTIONS.partition_by, part, strict=True))


def _publish_part(
    wh: Warehouse,
    tables: Sequence[Table],
    frames: dict[str, pl.DataFrame],
    part: Partition,
    signature: str | None,
) -> None:
    meta = {SIGNATURE_KEY: signature} if signature else None
    with staging(wh) as plan:
        for table in tables:
            stage(wh, table, frames[table.name], plan, replace=[_spec(part)], metadata=meta)
        enforce(wh, plan, frames, GateRules(max_shrink=1.0))  # mirrors its gated input
    plan.commit()


def refresh_derived(
    wh: Warehouse,
    derivers: Sequence[Deriver],
    *,
    on_partition: Callable[[str, Partition, int], None] | None = None,
) -> DeriveSummary:
    """Bring every deriver's tables up to date with the published contributions."""
    start = time.perf_counter()
    parts = existing_partitions(wh, CONTRIBUTIONS)
    summary = DeriveSummary(partitions=len(parts), by_deriver={})
    for deriver in derivers:
        fingerprint = deriver.fingerprint()
        done = 0
        for part in parts:
            file = partition_dir(wh, CONTRIBUTIONS, part) / FILE_NAME
            signature = f"{file_sha256(file)}:{fingerprint}"
            if signature_of(wh, deriver.tables[0], part) == signature:
                continue
            frames = deriver.derive(file, part)
            _publish_part(wh, deriver.tables, frames, part, signature)
            done += 1
            summary.rows += frames[deriver.tables[0].name].height
            if on_partition:
                on_partition(deriver.name, part, frames[deriver.tables[0].name].height)
        live = set(parts)
        gone = {p for t in deriver.tables for p in existing_partitions(wh, t)} - live
        for part in sorted(gone):
            frames = {t.name: empty(t) for t in deriver.tables}
            _publish_part(wh, deriver.tables, frames, part, None)
            summary.removed += 1
        summary.derived += done
        summary.by_deriver[deriver.name] = done
        if hasattr(deriver, "close"):
            deriver.close()
    summary.seconds = time.perf_counter() - start
    return summary


class SearchIndex:
    """The search index deriver: search_docs and search_postings (flows/derived/search.py)."""

    name = "search-index"
    tables = (SEARCH_DOCS, SEARCH_POSTINGS)

    def __init__(self) -> None:
        self._con = None  # one DuckDB (fts loaded, stopwords in place) for every partition

    def fingerprint(self) -> str:
        from flows.derived.search import SEARCH_VERSION

        return SEARCH_VERSION

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        from flows.derived.search import connect, index_partition

        if self._con is None:
            self._con = connect()
        return index_partition(contributions_file, part, self._con)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
