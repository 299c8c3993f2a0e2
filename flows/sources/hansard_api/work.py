"""The Hansard API: what a run fetches, the work items the raw zone holds, their parse and
write policy.

One work item per house-day snapshot (the responses of the day's latest complete fetch):
publishing it replaces that day's debates and contributions (and the rejects of its earlier
responses); other days and sources are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flows.core import days, raw_zone
from flows.core.http import HttpClient, HttpSettings
from flows.core.source import Acquired, Job, Published, Rows, Scope, WorkItem
from flows.core.warehouse import Warehouse
from flows.sources.hansard_api import fetch
from flows.sources.hansard_api.fetch import DEFAULT_BASE_URL, HOUSES, ApiSettings, DayFetch
from transforms.hansard_api import parse as api_parse
from transforms.hansard_api.parse import SOURCE


def last_fetched_day(wh: Warehouse) -> date | None:
    return days.last_snapshot_day(wh, SOURCE)


def acquire(  # noqa: PLR0913
    ctx: Any,  # noqa: ANN401
    start: date | str | None = None,
    end: date | str | None = None,
    since_last: bool = False,
    houses: list[str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    correction_days: int = 30,
    max_rps: float = 10.0,
    max_concurrency: int = 4,
) -> Acquired:
    """Fetch the sitting days in [start, end] (or since the last fetched day, minus the
    correction window) into the raw zone; a day fetched whole gets a new snapshot when its
    responses changed."""
    wh = ctx.wh
    cfg = ApiSettings(base_url, tuple(houses or HOUSES), correction_days=correction_days)
    lo, hi = days.run_window(wh, SOURCE, start, end, since_last, cfg.correction_days)
    failures: list[dict] = []
    with HttpClient(HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency)) as client:
        planned: list[tuple[str, date]] = []
        for house in cfg.houses:
            sat, failed = fetch.sitting_days(client, wh, cfg, house, lo, hi)
            planned.extend((house, d) for d in sat)
            failures.extend(failed)
        with ThreadPoolExecutor(max(1, max_concurrency), thread_name_prefix="api-day") as pool:
            fetches: list[DayFetch] = list(
                pool.map(lambda hd: fetch.fetch_day(client, wh, cfg, hd[0], hd[1]), planned)
            )
        requests = client.requests_made
    changed = unchanged = skipped = 0
    for got in fetches:
        failures.extend(got.failures)
        if not got.complete:
            continue
        if fetch.write_snapshot(wh, got):
            changed += 1
        else:
            unchanged += 1
            skipped += got.debates_seen
    new = sum(f.new for f in fetches)
    details = {
        "start": lo,
        "end": hi,
        "requests": requests,
        "responses_new": new,
        "days_changed": changed,
        "days_unchanged": unchanged,
        "days_failed": sum(not f.complete for f in fetches),
        "failures": [f["detail"] for f in failures],
        "debates_skipped": skipped,  # debates of unchanged days: unchanged, not re-parsed
    }
    note = (
        f"{lo}..{hi}: {requests} requests ({new} new responses); days {changed} changed, "
        f"{unchanged} unchanged, {details['days_failed']} failed"
    )
    return Acquired(requests, new, requests - new, failures, details, note)


def describe(s: Any) -> str:  # noqa: ANN401
    return (
        f"run {s.run_id}: {s.start}..{s.end}: {s.requests} requests "
        f"({s.responses_new} new responses); days {s.days_changed} changed, "
        f"{s.days_unchanged} unchanged, {s.days_failed} failed; debates "
        f"{s.debates_new} new, {s.debates_changed} changed, {s.debates_unchanged} "
        f"unchanged; {s.contributions} contributions, {s.rejects} rejects; "
        f"{s.partitions_written} partitions written"
    )


def items(wh: Warehouse) -> Iterator[WorkItem]:
    for house, day in fetch.snapshot_days(wh):
        entries = fetch.read_snapshot(wh, house, day) or []
        yield WorkItem(
            key=f"{house}/{day.isoformat()}", entries=tuple(entries), house=house, day=day
        )


def parse(wh: Warehouse, item: WorkItem) -> Rows:
    """Search pages and debate bodies of one day (calendars carry no rows), each debate's rows
    from several responses combined into one."""
    rows: Rows = {"debates": [], "contributions": [], "rejects": []}
    for e in item.entries:
        path = urlsplit(e.original_path).path.lower()
        if path.startswith("/search/contributions/"):
            read = api_parse.parse_search_page
        elif path.startswith("/debates/debate/"):
            read = api_parse.parse_debate
        else:
            continue
        result = read(
            api_parse.ApiInput(
                raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at
            )
        )
        rows["debates"] += result.debates
        rows["contributions"] += result.contributions
        rows["rejects"] += result.rejects
    rows["debates"] = api_parse.combine_debates(rows["debates"])
    return rows


def scope(found: Sequence[WorkItem], published: Published) -> Scope:
    """A day's debates and contributions are replaced (flows/core/days.py)."""
    return days.day_scope(SOURCE, ("debates", "contributions"), found, published)


def daily(settings: Any, wh: Warehouse) -> Job:  # noqa: ANN401
    """Since the last fetched day minus the correction window (flows/core/days.py), with the
    config section's settings, which are the action's parameters."""
    params = settings.model_dump(mode="json")
    return days.daily_job(wh, SOURCE, params, settings.correction_days)


def window_job(settings: Any, wh: Warehouse, start: date, end: date) -> Job:  # noqa: ANN401
    return days.window_job(wh, SOURCE, settings.model_dump(mode="json"), start, end)
