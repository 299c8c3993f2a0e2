"""Keep `speaker_resolutions` (and the other tables derived from contributions) up to date.

`resolve_all(wh)` first replaces twfy_people from the newest stored ParlParse members files
(people.xml, all-members-2010.xml), whichever flow stored them, then runs flows.derived.refresh over
every contributions partition: a speaker_resolutions partition is recomputed — the columns
resolution needs (not the text) through the pure resolver, transforms/resolve.py — only when
its contributions file or the members inputs changed; the search index follows the same way.
Call it while holding the writer lock, after any publish of contributions or of the members
tables: the ingest flows and the members refresh do.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import members_fetch
from flows.core.publish import (
    FILE_NAME,
    Partition,
    existing_partitions,
    partition_dir,
    read_table,
    stage,
    staging,
)
from flows.core.quality import GateRules, enforce
from flows.core.warehouse import Warehouse
from flows.derived.refresh import Deriver, SearchIndex, file_sha256, refresh_derived
from transforms.common.parlparse_people import person_member_ids
from transforms.resolve import Directory, build_directory, resolve
from transforms.schema import (
    CONTRIBUTIONS,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    TWFY_PEOPLE,
    Table,
    empty,
    frame,
)

RESOLVER_VERSION = "1"  # bump when transforms/resolve.py changes what it outputs

RESOLVE_COLUMNS = (
    "contribution_id",
    "debate_id",
    "source",
    "house",
    "sitting_date",
    "ordinal",
    "contribution_type",
    "speaker_key",
    "speaker_display",
    "speaker_name",
    "speaker_office",
    "constituency",
    "member_id",
    "speaker_ref",
    "twfy_person_id",
)


def read_file_columns(
    path: Path, part: Partition, columns: tuple[str, ...], table: Table = CONTRIBUTIONS
) -> pl.DataFrame:
    """Some columns of one partition file of `table`, partition keys filled from `part`."""
    df = pl.from_arrow(pq.read_table(path, columns=[c for c in columns if c in table.file_columns]))
    assert isinstance(df, pl.DataFrame)
    keys = dict(zip(table.partition_by, part, strict=True))
    df = df.with_columns(
        pl.lit(keys[k], dtype=table.schema[k]).alias(k) for k in columns if k in keys
    )
    return df.select(columns)


def read_columns(wh: Warehouse, table: Table, columns: tuple[str, ...]) -> pl.DataFrame:
    """Some columns of a published table (partition keys included), without reading the rest."""
    frames = [
        read_file_columns(partition_dir(wh, table, part) / FILE_NAME, part, columns, table)
        for part in existing_partitions(wh, table)
    ]
    if not frames:
        return empty(table).select(columns)
    return pl.concat(frames)


@dataclass(frozen=True)
class ResolutionSummary:
    contributions: int
    by_method: dict[str, int] = field(default_factory=dict)  # "unresolved" and "no speaker" too
    partitions_written: int = 0

    @property
    def speeches(self) -> int:
        """Contributions with a speaker to resolve (collective and procedural rows left out)."""
        return self.contributions - self.by_method.get("no speaker", 0)

    @property
    def resolved(self) -> int:
        return sum(n for k, n in self.by_method.items() if k not in ("unresolved", "no speaker"))

    @property
    def share_resolved(self) -> float:
        return self.resolved / self.speeches if self.speeches else 0.0

    def describe(self) -> str:
        methods = ", ".join(f"{k} {v}" for k, v in sorted(self.by_method.items()))
        return (
            f"speakers resolved: {self.resolved}/{self.speeches} "
            f"({self.share_resolved:.1%}); {methods}"
        )


def current_twfy_people(wh: Warehouse) -> tuple[list[dict], bool]:
    """(twfy_people rows, whether they were derived now): from the newest stored members files
    when there are any (a TheyWorkForYou ingest or a members refresh may have stored a new
    one; deriving takes a fraction of a second), else as published."""
    if members_fetch.newest_twfy_members(wh):
        return members_fetch.twfy_rows(wh), True
    return read_table(wh, TWFY_PEOPLE).to_dicts(), False


def _members_fingerprint(wh: Warehouse, twfy: list[dict]) -> str:
    """What resolution depends on besides the contributions: the members tables' files and the
    TheyWorkForYou person → member mapping (content, not mtimes: rebuilds stay identical)."""
    digest = hashlib.sha256(RESOLVER_VERSION.encode())
    for table in (MEMBERS, MEMBER_NAMES, MEMBER_HOUSES):
        for part in existing_partitions(wh, table):
            path = partition_dir(wh, table, part) / FILE_NAME
            digest.update(f"{table.name}{part}:{file_sha256(path)}".encode())
    pairs = sorted(person_member_ids(twfy).items())
    digest.update(json.dumps(pairs, default=str).encode())
    return digest.hexdigest()[:32]


class SpeakerResolution:
    """The resolution deriver (flows.derived.refresh): one speaker_resolutions partition per
    contributions partition, from the columns resolution needs (not the text)."""

    name = "resolve-speakers"
    tables = (SPEAKER_RESOLUTIONS,)

    def __init__(self, wh: Warehouse, twfy: list[dict]) -> None:
        self.wh, self.twfy = wh, twfy
        self._directory: Directory | None = None

    def fingerprint(self) -> str:
        return _members_fingerprint(self.wh, self.twfy)

    @property
    def directory(self) -> Directory:
        if self._directory is None:  # built only when some partition needs resolving
            self._directory = build_directory(
                read_table(self.wh, MEMBERS).to_dicts(),
                read_table(self.wh, MEMBER_NAMES).to_dicts(),
                read_table(self.wh, MEMBER_HOUSES).to_dicts(),
                person_member_ids(self.twfy),
            )
        return self._directory

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        rows = read_file_columns(contributions_file, part, RESOLVE_COLUMNS)
        resolved = resolve(rows.iter_rows(named=True), self.directory)
        return {SPEAKER_RESOLUTIONS.name: frame(SPEAKER_RESOLUTIONS, resolved)}


def resolution_rows(wh: Warehouse, twfy: list[dict] | None = None) -> list[dict]:
    """The speaker_resolutions rows for everything published now (nothing written; all in
    memory, for tests and small warehouses)."""
    if twfy is None:
        twfy, _ = current_twfy_people(wh)
    deriver = SpeakerResolution(wh, twfy)
    rows: list[dict] = []
    for part in existing_partitions(wh, CONTRIBUTIONS):
        file = partition_dir(wh, CONTRIBUTIONS, part) / FILE_NAME
        rows += deriver.derive(file, part)[SPEAKER_RESOLUTIONS.name].to_dicts()
    return rows


def published_summary(wh: Warehouse, written: int = 0) -> ResolutionSummary:
    """Counts by method over the whole published speaker_resolutions (two short columns)."""
    df = read_columns(wh, SPEAKER_RESOLUTIONS, ("method", "reason"))
    outcome = (
        pl.when(pl.col("method").is_not_null())
        .then(pl.col("method"))
        .when(pl.col("reason").str.starts_with("no speaker"))
        .then(pl.lit("no speaker"))
        .otherwise(pl.lit("unresolved"))
    )
    counts = df.select(outcome.alias("k")).group_by("k").len()
    return ResolutionSummary(df.height, dict(counts.iter_rows()), written)


def publish_twfy_people(wh: Warehouse, twfy: list[dict]) -> int:
    """Replace twfy_people with rows derived from the newest stored members files."""
    frames = {TWFY_PEOPLE.name: frame(TWFY_PEOPLE, twfy)}
    with staging(wh) as plan:
        stage(wh, TWFY_PEOPLE, frames[TWFY_PEOPLE.name], plan, replace=[{}])
        enforce(wh, plan, frames, GateRules(max_shrink=1.0))
    return len(plan.commit())


def derivers(wh: Warehouse, twfy: list[dict]) -> list[Deriver]:
    """Every table derived from contributions, in the order they are refreshed."""
    return [SpeakerResolution(wh, twfy), SearchIndex()]


def resolve_all(wh: Warehouse) -> ResolutionSummary:
    """Bring speaker_resolutions (and the other derived tables: the search index) up to date
    with contributions and the members tables, recomputing only partitions whose inputs
    changed; twfy_people is first replaced when members files are stored. Returns the
    counts by method over everything published."""
    twfy, derived = current_twfy_people(wh)
    written = publish_twfy_people(wh, twfy) if derived else 0
    summary = refresh_derived(wh, derivers(wh, twfy))
    return published_summary(wh, written + summary.derived + summary.removed)


@task(name="resolve-speakers", cache_policy=NO_CACHE)
def resolve_speakers(wh: Warehouse) -> ResolutionSummary:
    """resolve_all as a Prefect task (the ingest flows and the members refresh run it)."""
    return resolve_all(wh)


def resolve_now(warehouse: str | None = None) -> ResolutionSummary:
    """Resolve every speaker again on its own (e.g. `hansard members resolve`): takes the
    writer lock, publishes speaker_resolutions, refreshes the views."""
    from flows.core.lock import writer_lock
    from flows.core.views import refresh_views

    wh = Warehouse.at(warehouse)
    with writer_lock(wh.lock_path, "resolve-speakers"):
        summary = resolve_all(wh)
        refresh_views(wh)
    return summary
