"""Prefect flow: TheyWorkForYou / ParlParse XML from a local mirror folder or files.

discover (day files and members files) → raw zone (source `twfy_xml`) → parse every stored
version of each day that received a new file → publish → views.

A day is derived from all its stored versions (transforms.twfy_xml.versions): only the latest
version's rows are published and every version's redirects kept, so the files may arrive in
any order. Publishing replaces the touched days atomically: their previously published rows
(every row carrying the raw sha256 of one of the day's stored files) are dropped and the
newly derived rows merged in, in one staged plan checked by the quality gate; other days
and sources are untouched. A new members file (people.xml, all-members-2010.xml) changes
person ids everywhere, so the whole source is re-derived and its partitions replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import pipeline
from flows.core import raw_zone, runs
from flows.core.publish import stage, staging
from flows.core.quality import GateRules, enforce
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse
from flows.text_flow import RunSummary, _count, _run
from transforms.schema import frame
from transforms.twfy_xml.files import SOURCE, DayFile, day_file, is_known_file, is_members_file


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[dict], int]:
    """Files named directly, and in folders (recursively, hidden ones skipped) the *.xml files
    named like a day file or a members file; returns (files, rejects, files skipped)."""
    files: list[Path] = []
    missing: list[dict] = []
    skipped = 0
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*.xml")):
                if not f.is_file() or any(part.startswith(".") for part in f.parts[-2:]):
                    continue
                if is_known_file(f.name):
                    files.append(f)
                else:
                    skipped += 1
        elif p.is_file():
            files.append(p)
        else:
            missing.append(pipeline.unreadable(p, "no such file or folder", SOURCE))
    return files, missing, skipped


@task(name="store-raw-twfy", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def store_raw(wh: Warehouse, files: list[Path]) -> pipeline.Stored:
    return pipeline.store_files(wh, files, SOURCE)


@task(name="parse-twfy-days", cache_policy=NO_CACHE)
def parse_days(wh: Warehouse, entries: list[RawEntry]) -> pipeline.Parsed:
    return pipeline.parse_twfy_entries(wh, entries)


@task(name="publish-twfy-days", cache_policy=NO_CACHE)
def publish_days(
    wh: Warehouse,
    parsed: pipeline.Parsed,
    stale: list[str],
    touch: list[dict[str, object]],
    replace: list[dict[str, object]],
) -> int:
    """Drop this source's rows from the `stale` raw inputs in the partitions `touch` reaches,
    merge `parsed` in (partitions matching `replace` rewritten from it alone); every table
    staged, checked by the quality gate, then swapped in together."""
    frames = {t.name: frame(t, parsed.rows[t.name]) for t in pipeline.PARSED_TABLES}
    drop = (pl.col("source") == SOURCE) & pl.col("raw_sha256").is_in(stale) if stale else None
    with staging(wh) as plan:
        for table in pipeline.PARSED_TABLES:
            specs = [_restrict(spec, table.partition_by) for spec in touch]
            stage(wh, table, frames[table.name], plan, replace=replace, drop=drop, touch=specs)
        enforce(wh, plan, frames, GateRules())
    written = len(plan.commit())
    pipeline.publish_manifest(wh)
    return written


def _restrict(spec: Mapping[str, object], keys: Sequence[str]) -> dict[str, object]:
    return {k: v for k, v in spec.items() if k in keys}


def _day_key(entry: RawEntry) -> str:
    named = day_file(entry.original_path)
    return named.day_key if isinstance(named, DayFile) else entry.original_path


def plan_days(
    all_entries: list[RawEntry], new: list[RawEntry]
) -> tuple[list[RawEntry], list[str], list[dict[str, object]], list[dict[str, object]]]:
    """What a run re-derives: (entries to parse, stale raw sha256s, touch specs, replace specs).
    A new members file: everything, the source's partitions replaced. Otherwise every stored
    version of each day that received a new file, its old rows dropped."""
    members = [e for e in all_entries if is_members_file(e.original_path)]
    if any(is_members_file(e.original_path) for e in new):
        return all_entries, [], [], [{"source": SOURCE}]
    days = {_day_key(e) for e in new}
    chosen = [e for e in all_entries if not is_members_file(e.original_path)]
    chosen = [e for e in chosen if _day_key(e) in days]
    touch: list[dict[str, object]] = [{"source": SOURCE}]
    for e in chosen:
        named = day_file(e.original_path)
        if isinstance(named, DayFile):
            spec = {"house": named.type.house, "sitting_year": named.sitting_date.year}
            if {"source": SOURCE} | spec not in touch:
                touch.append({"source": SOURCE} | spec)
    return members + chosen, [e.raw_sha256 for e in chosen], touch, []


@flow(name="ingest-twfy", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest_twfy(paths: list[str], warehouse: str | None = None) -> RunSummary:
    """Store TheyWorkForYou XML files (a mirror folder, or files) raw, derive every day that
    received a new file from its latest version, publish, refresh the views."""
    wh = Warehouse.at(warehouse)

    def body(run: runs.RunRecord) -> None:
        files, missing, skipped = discover(paths)
        stored = store_raw(wh, files)
        publish_stored(wh, run, stored, missing, len(files) + len(missing))
        run.message += f"; {skipped} other file(s) in folders skipped"

    return _run(wh, "ingest-twfy", body, source=SOURCE)


def publish_stored(
    wh: Warehouse,
    run: runs.RunRecord,
    stored: pipeline.Stored,
    rejects: list[dict],
    inputs_seen: int,
) -> None:
    """The step after the raw zone, shared by every way files arrive (a mirror folder here,
    HTTP in flows/twfy_fetch.py): re-derive each day that received a new file from all its
    stored versions, publish, record the counts on `run`."""
    entries, stale, touch, replace = plan_days(raw_zone.entries(wh, SOURCE), stored.new)
    parsed = parse_days(wh, entries) if stored.new else pipeline.Parsed()
    parsed.rows["rejects"].extend(rejects + stored.rejects)
    run.inputs_seen = inputs_seen
    run.inputs_new, run.inputs_unchanged = len(stored.new), stored.unchanged
    _count(run, parsed)
    run.partitions_written = publish_days(wh, quote(parsed), stale, touch, replace)
    run.message = (
        f"{'all days re-derived (new members file)' if replace else 'days re-derived'}: "
        f"{parsed.count('divisions')} divisions, {parsed.count('division_votes')} votes, "
        f"{parsed.count('id_redirects')} id redirects"
    )
