"""Prefect flows for transcript text: ingest files or folders, and rebuild everything from raw.

Tasks are thin wrappers over flows.pipeline; the logic is plain functions and pure transforms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import api_fetch, members_flow, pipeline
from flows.core import raw_zone, runs
from flows.core.lock import writer_lock
from flows.core.raw_zone import RawEntry
from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.resolution import resolve_speakers
from transforms.pp_text.parse import SOURCE
from transforms.twfy_xml.files import SOURCE as TWFY_SOURCE

PARSE_BATCH = 500  # raw inputs per parse task


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    warehouse: str
    duckdb: str
    inputs_seen: int
    inputs_new: int
    inputs_unchanged: int
    debates: int
    contributions: int
    rejects: int
    partitions_written: int


@task(name="store-raw", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def store_raw(wh: Warehouse, files: list[Path]) -> pipeline.Stored:
    return pipeline.store_files(wh, files)


@task(name="parse-pages", cache_policy=NO_CACHE)
def parse_pages(wh: Warehouse, entries: list[RawEntry]) -> pipeline.Parsed:
    return pipeline.parse_entries(wh, entries)


@task(name="publish-tables", cache_policy=NO_CACHE)
def publish_tables(wh: Warehouse, parsed: pipeline.Parsed, replace: list[dict[str, object]]) -> int:
    written = pipeline.publish_parsed(wh, parsed, replace=replace)
    pipeline.publish_manifest(wh)
    return len(written)


@task(name="refresh-views", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def refresh_duckdb(wh: Warehouse) -> list[str]:
    return refresh_views(wh)


def _parse_all(wh: Warehouse, entries: Sequence[RawEntry]) -> pipeline.Parsed:
    """Parse in batches submitted to the flow's task runner (threads here; Dask can replace it)."""
    batches = [list(entries[i : i + PARSE_BATCH]) for i in range(0, len(entries), PARSE_BATCH)]
    parsed = pipeline.Parsed()
    for future in parse_pages.map(unmapped(wh), batches):
        parsed.extend(future.result())
    return parsed


def _summary(wh: Warehouse, run: runs.RunRecord) -> RunSummary:
    return RunSummary(
        run.run_id,
        str(wh.root),
        str(wh.duckdb_path),
        run.inputs_seen,
        run.inputs_new,
        run.inputs_unchanged,
        run.debates,
        run.contributions,
        run.rejects,
        run.partitions_written,
    )


def _run(wh: Warehouse, flow_name: str, body, source: str = SOURCE) -> RunSummary:  # noqa: ANN001
    """Lock the warehouse, record the run (failed runs too), refresh views after publishing."""
    with writer_lock(wh.lock_path, flow_name):
        run = runs.RunRecord.start(flow_name, source)
        runs.record(wh, run)
        try:
            body(run)
            resolve_speakers(wh)  # speaker_resolutions follows every publish
            refresh_duckdb(wh)
        except BaseException as e:
            runs.finish(wh, run, "failed", f"{type(e).__name__}: {e}")
            refresh_views(wh)  # the views still show the last good publish
            raise
        runs.finish(wh, run, "completed")
    return _summary(wh, run)


@flow(name="ingest-text", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=2))
def ingest_text(paths: list[str], warehouse: str | None = None) -> RunSummary:
    """Store every file under `paths` in the raw zone, parse what is new, publish."""
    wh = Warehouse.at(warehouse)

    def body(run: runs.RunRecord) -> None:
        files, missing = pipeline.discover(paths)
        superseded_before = pipeline.superseded(raw_zone.entries(wh, SOURCE))
        stored = store_raw(wh, files)
        all_entries = raw_zone.entries(wh, SOURCE)
        replaced = pipeline.superseded(all_entries) - superseded_before
        run.inputs_seen = len(files) + len(missing)
        run.inputs_new, run.inputs_unchanged = len(stored.new), stored.unchanged
        if replaced:
            # A row kept from an old version may have stood for the same row (same key) of
            # another input, deduplicated away: re-derive every table from the current raw.
            parsed = _parse_all(wh, _current(all_entries))
            run.message = (
                f"{len(replaced)} document(s) replaced by a newer version; "
                "tables re-derived from raw"
            )
        else:
            parsed = _parse_all(wh, stored.new)
        parsed.rows["rejects"].extend(missing + stored.rejects)
        _count(run, parsed)
        run.partitions_written = publish_tables(
            wh, quote(parsed), [{"source": SOURCE}] if replaced else []
        )

    return _run(wh, "ingest-text", body)


@flow(name="rebuild", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=2))
def rebuild(warehouse: str | None = None) -> RunSummary:
    """Regenerate every table of every source from the raw zone alone (offline): transcript
    pages by their current version, Hansard API days by their latest complete snapshot,
    TheyWorkForYou days by their latest stored version."""
    wh = Warehouse.at(warehouse)

    def body(run: runs.RunRecord) -> None:
        current = _current(raw_zone.entries(wh, SOURCE))
        parsed = _parse_all(wh, current)
        api_entries = [
            e
            for house, day in api_fetch.snapshot_days(wh)
            for e in api_fetch.read_snapshot(wh, house, day) or []
        ]
        parsed.extend(pipeline.parse_api_entries(wh, api_entries))
        twfy_entries = raw_zone.entries(wh, TWFY_SOURCE)
        parsed.extend(pipeline.parse_twfy_entries(wh, twfy_entries))
        run.inputs_seen = len(current) + len(api_entries) + len(twfy_entries)
        _count(run, parsed)
        run.partitions_written = publish_tables(wh, quote(parsed), [{}])
        run.partitions_written += members_flow.rebuild_members(wh)

    return _run(wh, "rebuild", body, source="all")


def _current(entries: list[RawEntry]) -> list[RawEntry]:
    return sorted(raw_zone.current(entries).values(), key=lambda e: (e.ingested_at, e.raw_sha256))


def _count(run: runs.RunRecord, parsed: pipeline.Parsed) -> None:
    run.debates = parsed.count("debates")
    run.contributions = parsed.count("contributions")
    run.rejects = parsed.count("rejects")
