"""Prefect flow: incremental ingest from the official Hansard API.

fetch (threads, one polite client) → day snapshots in the raw zone → parse the days whose
content changed → publish them (their old rows replaced, other days untouched) → views.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from flows import api_fetch, pipeline
from flows.api_fetch import ApiSettings, DayFetch
from flows.core import runs
from flows.core.http import HttpClient, HttpSettings
from flows.core.lock import writer_lock
from flows.core.publish import read_table, stage, staging
from flows.core.quality import GateRules, enforce
from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.resolution import resolve_speakers
from transforms.hansard_api.parse import SOURCE
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, frame


@dataclass(frozen=True)
class ApiRunSummary:
    run_id: str
    warehouse: str
    start: date
    end: date
    requests: int
    responses_new: int
    days_changed: int
    days_unchanged: int
    days_failed: int
    debates_new: int
    debates_changed: int
    debates_unchanged: int
    contributions: int
    rejects: int
    partitions_written: int
    failures: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"run {self.run_id}: {self.start}..{self.end}: {self.requests} requests "
            f"({self.responses_new} new responses); days {self.days_changed} changed, "
            f"{self.days_unchanged} unchanged, {self.days_failed} failed; debates "
            f"{self.debates_new} new, {self.debates_changed} changed, {self.debates_unchanged} "
            f"unchanged; {self.contributions} contributions, {self.rejects} rejects; "
            f"{self.partitions_written} partitions written"
        )


@task(name="fetch-day", cache_policy=NO_CACHE)
def fetch_day(
    client: HttpClient, wh: Warehouse, cfg: ApiSettings, house: str, day: date
) -> DayFetch:
    return api_fetch.fetch_day(client, wh, cfg, house, day)


@task(name="publish-api-days", cache_policy=NO_CACHE)
def publish_days(
    wh: Warehouse,
    parsed: pipeline.Parsed,
    days: list[tuple[str, date]],
    dropped_raw: list[str],
    rules: GateRules,
) -> int:
    """Replace the rows of `days` with `parsed` (other days and sources untouched): all tables
    staged, checked by the quality gate, then swapped in together."""
    ours = pl.col("source") == SOURCE
    day_rows = pl.struct("house", "sitting_date").is_in(
        [{"house": h, "sitting_date": d} for h, d in days]
    )
    touch = [{"source": SOURCE, "house": h, "sitting_year": d.year} for h, d in days]
    frames = {t.name: frame(t, parsed.rows[t.name]) for t in (DEBATES, CONTRIBUTIONS, REJECTS)}
    stale = ours & pl.col("raw_sha256").is_in(dropped_raw)
    with staging(wh) as plan:
        for table in (DEBATES, CONTRIBUTIONS):
            stage(wh, table, frames[table.name], plan, drop=ours & day_rows, touch=touch)
        stage(wh, REJECTS, frames["rejects"], plan, drop=stale, touch=[{"source": SOURCE}])
        enforce(wh, plan, frames, rules)
    written = len(plan.commit())
    pipeline.publish_manifest(wh)
    return written


def _fingerprints(df: pl.DataFrame) -> dict[str, str]:
    """debate_id → hash of its contributions (ids, speakers, text, order)."""
    out: dict[str, str] = {}
    cols = ["contribution_id", "ordinal", "speaker_display", "member_id", "text"]
    for (debate_id,), rows in df.sort("debate_id", "ordinal", "contribution_id").group_by(
        "debate_id", maintain_order=True
    ):
        digest = hashlib.sha256(rows.select(cols).write_csv().encode()).hexdigest()
        out[str(debate_id)] = digest
    return out


def _published_days(wh: Warehouse, days: list[tuple[str, date]]) -> pl.DataFrame:
    df = read_table(wh, CONTRIBUTIONS).filter(pl.col("source") == SOURCE)
    keys = pl.struct("house", "sitting_date").is_in(
        [{"house": h, "sitting_date": d} for h, d in days]
    )
    return df.filter(keys) if days else df.clear()


def _last_published_day(wh: Warehouse) -> date | None:
    days = api_fetch.snapshot_days(wh)
    return max(d for _, d in days) if days else None


@flow(name="ingest-api", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=4))
def ingest_api(
    start: date | None = None,
    end: date | None = None,
    since_last: bool = False,
    houses: list[str] | None = None,
    warehouse: str | None = None,
    base_url: str = api_fetch.DEFAULT_BASE_URL,
    correction_days: int = 30,
    max_rps: float = 10.0,
    max_concurrency: int = 4,
    max_shrink: float = 0.5,
) -> ApiRunSummary:
    """Fetch sitting days in [start, end] (or since the last run, minus the correction window),
    store every response raw, and publish the days whose content changed."""
    wh = Warehouse.at(warehouse)
    cfg = ApiSettings(base_url, tuple(houses or api_fetch.HOUSES), correction_days=correction_days)
    http = HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency)
    if not since_last and not (start and end):
        raise ValueError("give --from and --to, or --since-last")
    last = _last_published_day(wh) if since_last else None
    if since_last and last is None:
        raise ValueError("--since-last: no earlier API run in this warehouse; give --from/--to")
    lo, hi = api_fetch.window(start, end, last, cfg.correction_days, datetime.now(UTC).date())
    with writer_lock(wh.lock_path, "ingest-api"), HttpClient(http) as client:
        run = runs.RunRecord.start("ingest-api", SOURCE)
        runs.record(wh, run)
        try:
            summary = _ingest(wh, cfg, client, run, lo, hi, max_shrink)
            resolve_speakers(wh)  # speaker_resolutions follows every publish
            refresh_views(wh)
        except BaseException as e:
            runs.finish(wh, run, "failed", f"{type(e).__name__}: {e}")
            refresh_views(wh)
            raise
        runs.finish(wh, run, "completed")
    return summary


def _ingest(  # noqa: PLR0913
    wh: Warehouse,
    cfg: ApiSettings,
    client: HttpClient,
    run: runs.RunRecord,
    lo: date,
    hi: date,
    max_shrink: float,
) -> ApiRunSummary:
    failures: list[dict] = []
    plan: list[tuple[str, date]] = []
    for house in cfg.houses:
        days, failed = api_fetch.sitting_days(client, wh, cfg, house, lo, hi)
        plan.extend((house, d) for d in days)
        failures.extend(failed)
    futures = [fetch_day.submit(quote(client), wh, cfg, h, d) for h, d in plan]
    fetches: list[DayFetch] = [f.result() for f in futures]
    changed, unchanged, dropped_raw = [], [], []
    for fetch in fetches:
        failures.extend(fetch.failures)
        if not fetch.complete:
            continue
        before = api_fetch.read_snapshot(wh, fetch.house, fetch.day) or []
        if api_fetch.write_snapshot(wh, fetch):
            changed.append((fetch.house, fetch.day))
            dropped_raw.extend(e.raw_sha256 for e in before)
        else:
            unchanged.append(fetch)
    entries = [e for h, d in changed for e in api_fetch.read_snapshot(wh, h, d) or []]
    parsed = pipeline.parse_api_entries(wh, entries)
    parsed.rows["rejects"].extend(failures)
    old = _fingerprints(_published_days(wh, changed))
    new = _fingerprints(frame(CONTRIBUTIONS, parsed.rows["contributions"]))
    rules = GateRules(max_shrink=max_shrink, date_range=(lo, hi))
    written = (
        publish_days(wh, quote(parsed), changed, dropped_raw, rules) if changed or failures else 0
    )
    summary = ApiRunSummary(
        run_id=run.run_id,
        warehouse=str(wh.root),
        start=lo,
        end=hi,
        requests=client.requests_made,
        responses_new=sum(f.new for f in fetches),
        days_changed=len(changed),
        days_unchanged=len(unchanged),
        days_failed=sum(not f.complete for f in fetches),
        debates_new=len(new.keys() - old.keys()),
        debates_changed=sum(1 for k in new.keys() & old.keys() if new[k] != old[k]),
        debates_unchanged=sum(1 for k in new.keys() & old.keys() if new[k] == old[k])
        + sum(f.debates_seen for f in unchanged),
        contributions=len(parsed.rows["contributions"]),
        rejects=len(parsed.rows["rejects"]),
        partitions_written=written,
        failures=[f["detail"] for f in failures],
    )
    run.inputs_seen = summary.requests
    run.inputs_new = summary.responses_new
    run.inputs_unchanged = summary.requests - summary.responses_new
    run.debates, run.contributions = len(parsed.rows["debates"]), summary.contributions
    run.rejects, run.partitions_written = summary.rejects, written
    run.debates_new, run.debates_changed = summary.debates_new, summary.debates_changed
    run.debates_unchanged = summary.debates_unchanged
    run.message = summary.describe()
    return summary
