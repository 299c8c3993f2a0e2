"""Tables derived partition by partition from `contributions`: speaker_resolutions,
debate_stats, contributions_enriched, intervention_pairs and the search index
(search_postings, search_docs).

Each derived partition mirrors one contributions partition (source, house, sitting_year), and
its files record, in Parquet key-value metadata, the signature of what they were derived from:
the sha256 of that contributions file and the deriver's own fingerprint (the members tables for
resolution and debate_stats, the parties as well for contributions_enriched, the rule's version
for intervention_pairs, the tokeniser version for search).
`refresh_derived` recomputes only the partitions whose signature differs — a new or rewritten
contributions partition, or changed members — one partition at a time, so memory is bounded by
one partition and an ingest pays only for what it changed. Each partition is published on its
own (staged, gated, swapped in), so an interrupted refresh keeps what it finished and the next
one carries on. Derived partitions whose contributions partition has gone are removed.
Everything is a function of file contents, so a rebuild from raw reproduces the derived files
byte for byte.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import polars as pl
import pyarrow.parquet as pq

from flows.core.partition import ordered
from flows.core.progress import phase
from flows.core.publish import (
    Partition,
    Plan,
    Staged,
    existing_partitions,
    file_metadata,
    live_files,
    partition_file,
    stage_partition,
    staged_path,
)
from flows.core.quality import GateRules, enforce
from flows.core.runner import InlineExecutor, bounded, release_memory
from flows.core.warehouse import Warehouse, disk_errors
from transforms.schema import CONTRIBUTIONS, SEARCH_DOCS, SEARCH_POSTINGS, Table, conform, empty

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


def swap_order(tables: Sequence[Table]) -> tuple[Table, ...]:
    """A derived partition's tables in the order they are swapped in: the first table, whose
    file's signature says the partition is done, last. A run killed between the swaps leaves
    that signature old, so the next run derives the partition again (never half done)."""
    return (*tables[1:], tables[0])


def signature_of(wh: Warehouse, table: Table, part: Partition) -> str | None:
    return file_metadata(partition_file(wh, table, part)).get(SIGNATURE_KEY)


def _stage_part(
    wh: Warehouse,
    tables: Sequence[Table],
    frames: dict[str, pl.DataFrame],
    part: Partition,
    signature: str | None,
) -> Plan:
    """Stage one derived partition (nothing published yet)."""
    meta = {SIGNATURE_KEY: signature} if signature else None
    plan = Plan.new(wh)
    try:
        for table in swap_order(tables):
            new = conform(table, frames[table.name])
            staged = stage_partition(
                wh,
                table,
                part,
                new,
                plan.run,
                replaced=True,
                metadata=meta,
                keep_empty=table is tables[0],  # its signature says "done", rows or none
            )
            if staged is not None:
                plan.items.append(staged)
    except BaseException:
        plan.abort()
        raise
    return plan


def _publish_staged(wh: Warehouse, plan: Plan) -> None:
    enforce(wh, plan, {}, GateRules(max_shrink=1.0))  # mirrors its gated input
    plan.commit(wh)


COMMIT_PARTITIONS = 32  # derived partitions committed together: one Delta commit per table
COMMIT_SECONDS = 10.0  # ... or what was derived in this long, whichever comes first


class _Batch:
    """Derived partitions staged and waiting for one commit (per table: a Delta commit per
    partition made a version per partition and table, 0.4 s more for a 4-partition run).
    Each table's signature file still commits after the others (the plans keep swap_order),
    so a kill between two tables' commits re-derives the whole batch, never half of it."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh, self.plans, self.since = wh, list[Plan](), time.monotonic()

    def add(self, plan: Plan) -> None:
        self.plans.append(plan)
        full = len(self.plans) >= COMMIT_PARTITIONS
        if full or time.monotonic() - self.since >= COMMIT_SECONDS:
            self.flush()

    def flush(self) -> None:
        plans, self.plans, self.since = self.plans, [], time.monotonic()
        if not plans:
            return
        try:
            _publish_staged(self.wh, Plan(plans[0].run, [i for p in plans for i in p.items]))
        finally:
            for p in plans:
                p.abort()  # their staging folders (committed files were moved out of them)
        release_memory(collect=False)  # the gate's reads

    def abort(self) -> None:
        plans, self.plans = self.plans, []
        for p in plans:
            p.abort()


def derive_task(
    deriver: Deriver, root: str, part: Partition, signature: str, source: str
) -> tuple[Plan, int, Partition]:
    """Derive and stage one partition from the contributions file `source` (a runner task):
    the staged plan, the rows of tables[0], the partition."""
    wh = Warehouse(Path(root))
    file = Path(source)
    if hasattr(deriver, "derive_files"):
        plan = _stage_files(wh, deriver, file, part, signature)
        first = deriver.tables[0].name
        return plan, sum(i.new_rows for i in plan.items if i.table == first), part
    frames = deriver.derive(file, part)
    plan = _stage_part(wh, deriver.tables, frames, part, signature)
    return plan, frames[deriver.tables[0].name].height, part


def _stage_files(
    wh: Warehouse, deriver: Deriver, file: Path, part: Partition, signature: str
) -> Plan:
    """Stage one derived partition that the deriver writes as files itself (streamed)."""
    plan = Plan.new(wh)
    out = {}
    for table in swap_order(deriver.tables):
        out[table.name] = staged_path(wh, table, part, plan.run)
    try:
        rows = deriver.derive_files(file, part, out, {SIGNATURE_KEY: signature})  # type: ignore[attr-defined]
        for table in swap_order(deriver.tables):
            old = partition_file(wh, table, part)
            old_rows = pq.read_metadata(old).num_rows if old is not None else 0
            staged: Path | None = out[table.name]
            if not rows[table.name]:
                out[table.name].unlink(missing_ok=True)
                staged = None
            plan.items.append(Staged(table.name, part, old, staged, old_rows, rows[table.name]))
    except BaseException:
        plan.abort()
        raise
    return plan


def refresh_derived(
    wh: Warehouse,
    derivers: Sequence[Deriver],
    *,
    executor: Callable[[int, float], Executor] | None = None,
    in_flight: int = 1,
    on_partition: Callable[[str, Partition, int], None] | None = None,
    version: int | None = None,
) -> DeriveSummary:
    """Bring every deriver's tables up to date with the published contributions (at
    `version`; default the latest). Partitions are derived as runner tasks (`executor(tasks,
    bytes)` gives the runner; inline by default) and published as they finish, up to
    COMMIT_PARTITIONS at a time."""
    start = time.perf_counter()
    files = live_files(wh, CONTRIBUTIONS, version)
    parts = list(files)
    summary = DeriveSummary(partitions=len(parts), by_deriver={})
    for deriver in derivers:
        fingerprint = deriver.fingerprint()
        todo = []
        for part, file in files.items():
            signature = f"{file_sha256(file)}:{fingerprint}"
            if signature_of(wh, deriver.tables[0], part) != signature:
                todo.append((deriver, str(wh.root), part, signature, str(file)))
        size = sum(files[a[2]].stat().st_size for a in todo)
        runner = executor(len(todo), size * 6) if executor else InlineExecutor()  # ~text bytes
        batch = _Batch(wh)
        with phase(f"deriving {deriver.name}", len(todo)) as step:
            try:
                for plan, rows, part in bounded(runner, derive_task, todo, in_flight):
                    batch.add(plan)
                    summary.rows += rows
                    step(1)
                    if on_partition:
                        on_partition(deriver.name, part, rows)
                batch.flush()
            except BaseException:
                batch.abort()  # derived again by the next run
                raise
        live = set(parts)
        gone = {p for t in deriver.tables for p in existing_partitions(wh, t)} - live
        for part in ordered(gone):
            frames = {t.name: empty(t) for t in deriver.tables}
            batch.add(_stage_part(wh, deriver.tables, frames, part, None))
            summary.removed += 1
        batch.flush()
        summary.derived += len(todo)
        summary.by_deriver[deriver.name] = len(todo)
    summary.seconds = time.perf_counter() - start
    return summary


class SearchIndex:
    """The search index deriver: search_docs and search_postings (flows/derived/search.py)."""

    name = "search-index"
    tables = (SEARCH_DOCS, SEARCH_POSTINGS)

    def fingerprint(self) -> str:
        from flows.derived.search_version import SEARCH_VERSION

        return SEARCH_VERSION

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        from flows.derived.search import index_partition, shared_connection

        return index_partition(contributions_file, part, shared_connection())

    def derive_files(
        self, contributions_file: Path, part: Partition, out: dict[str, Path], meta: dict[str, str]
    ) -> dict[str, int]:
        """The same rows, streamed to the staged files (memory: one row group)."""
        from flows.derived.search import shared_connection, write_partition

        with disk_errors(next(iter(out.values()))):
            return write_partition(contributions_file, part, out, meta, shared_connection())
