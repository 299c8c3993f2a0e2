"""Recompute `speaker_resolutions` from the published contributions and members tables.

`resolve_all(wh)` reads only the columns resolution needs (not the text), runs the pure
resolver (transforms/resolve.py), and publishes the whole table through a Plan and the quality
gate. TheyWorkForYou ids are mapped with twfy_people, brought up to date first from the newest
stored ParlParse members files (people.xml, all-members-2010.xml), whichever flow stored them.
Call it while holding the writer lock, after any publish of contributions or of the members
tables: the ingest flows and the members refresh do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polars as pl
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows import members_fetch
from flows.publish import FILE_NAME, Plan, existing_partitions, partition_dir, read_table, stage
from flows.quality import GateRules, enforce
from flows.warehouse import Warehouse
from transforms.resolve import build_directory, resolve
from transforms.schema import (
    CONTRIBUTIONS,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    TABLES,
    TWFY_PEOPLE,
    Table,
    empty,
    frame,
)
from transforms.twfy_people import person_member_ids

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


def read_columns(wh: Warehouse, table: Table, columns: tuple[str, ...]) -> pl.DataFrame:
    """Some columns of a published table (partition keys included), without reading the rest."""
    wanted = [c for c in columns if c in table.file_columns]
    frames = []
    for part in existing_partitions(wh, table):
        path = partition_dir(wh, table, part) / FILE_NAME
        df = pl.from_arrow(pq.read_table(path, columns=wanted))
        assert isinstance(df, pl.DataFrame)
        keys = dict(zip(table.partition_by, part, strict=True))
        df = df.with_columns(
            pl.lit(keys[k], dtype=table.schema[k]).alias(k) for k in columns if k in keys
        )
        frames.append(df.select(columns))
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


def resolution_rows(wh: Warehouse, twfy: list[dict] | None = None) -> list[dict]:
    """The speaker_resolutions rows for everything published now (nothing written)."""
    contributions = read_columns(wh, CONTRIBUTIONS, RESOLVE_COLUMNS)
    if twfy is None:
        twfy, _ = current_twfy_people(wh)
    directory = build_directory(
        read_table(wh, MEMBERS).to_dicts(),
        read_table(wh, MEMBER_NAMES).to_dicts(),
        read_table(wh, MEMBER_HOUSES).to_dicts(),
        person_member_ids(twfy),
    )
    return resolve(contributions.iter_rows(named=True), directory)


def summarise(rows: list[dict], written: int = 0) -> ResolutionSummary:
    counts: Counter[str] = Counter()
    for r in rows:
        if r["method"]:
            counts[r["method"]] += 1
        elif (r["reason"] or "").startswith("no speaker"):
            counts["no speaker"] += 1
        else:
            counts["unresolved"] += 1
    return ResolutionSummary(len(rows), dict(counts), written)


def resolve_all(wh: Warehouse, rules: GateRules | None = None) -> ResolutionSummary:
    """Recompute and publish speaker_resolutions, and twfy_people when members files are
    stored (both replaced whole, unchanged files left as they are). The shrink rule is off by
    default: both only mirror what their inputs hold, and those inputs' publishes are gated."""
    twfy, derived = current_twfy_people(wh)
    rows = resolution_rows(wh, twfy)
    frames = {SPEAKER_RESOLUTIONS.name: frame(SPEAKER_RESOLUTIONS, rows)}
    if derived:
        frames[TWFY_PEOPLE.name] = frame(TWFY_PEOPLE, twfy)
    plan = Plan.new(wh)
    try:
        for name, df in frames.items():
            stage(wh, TABLES[name], df, plan, replace=[{}])
        enforce(wh, plan, frames, rules or GateRules(max_shrink=1.0))
    except BaseException:
        plan.abort()
        raise
    return summarise(rows, len(plan.commit()))


@task(name="resolve-speakers", cache_policy=NO_CACHE)
def resolve_speakers(wh: Warehouse) -> ResolutionSummary:
    """resolve_all as a Prefect task (the ingest flows and the members refresh run it)."""
    return resolve_all(wh)


def resolve_now(warehouse: str | None = None) -> ResolutionSummary:
    """Resolve every speaker again on its own (e.g. `hansard members resolve`): takes the
    writer lock, publishes speaker_resolutions, refreshes the views."""
    from flows.lock import writer_lock
    from flows.views import refresh_views

    wh = Warehouse.at(warehouse)
    with writer_lock(wh.lock_path, "resolve-speakers"):
        summary = resolve_all(wh)
        refresh_views(wh)
    return summary
