"""The Votes APIs: what a run fetches, the work items the raw zone holds, their parse and
write policy.

One work item per house-day snapshot (the division bodies of the day's latest complete fetch):
publishing it replaces that day's divisions and votes from this source (and the rejects of its
earlier responses); other days and sources are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

from flows.core import days, raw_zone
from flows.core.http import HttpClient, HttpSettings
from flows.core.source import Acquired, Job, Published, Rows, Scope, WorkItem
from flows.core.warehouse import Warehouse
from flows.sources.votes_api import fetch
from flows.sources.votes_api.fetch import Division, HouseFetch
from flows.sources.votes_api.settings import COMMONS_BASE_URL, HOUSES, LORDS_BASE_URL
from transforms.votes_api import parse as votes_parse
from transforms.votes_api.parse import SOURCE


def last_fetched_day(wh: Warehouse) -> date | None:
    return days.last_snapshot_day(wh, SOURCE)


def acquire(  # noqa: PLR0913
    ctx: Any,  # noqa: ANN401
    start: date | str | None = None,
    end: date | str | None = None,
    since_last: bool = False,
    houses: list[str] | None = None,
    commons_base_url: str = COMMONS_BASE_URL,
    lords_base_url: str = LORDS_BASE_URL,
    correction_days: int = 30,
    max_rps: float = 5.0,
    max_concurrency: int = 4,
    timeout_s: float = 60.0,
) -> Acquired:
    """Search each house over [start, end] (or since the last fetched day, minus the
    correction window); fetch the bodies of new or changed divisions; write the snapshots of
    the days that changed."""
    wh = ctx.wh
    houses = list(houses or HOUSES)
    if set(houses) - set(HOUSES) or not houses:
        raise ValueError(f"houses must be among {HOUSES}, got {houses}")
    lo, hi = days.run_window(wh, SOURCE, start, end, since_last, correction_days)
    base = {"Commons": commons_base_url, "Lords": lords_base_url}
    counts = {"pages": 0, "bodies": 0, "reused": 0, "new": 0}
    days_changed = days_unchanged = days_failed = 0
    failures: list[dict] = []
    settings = HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency, timeout_s=timeout_s)
    with HttpClient(settings) as client:
        for house in houses:
            got = fetch.search(client, wh, base[house], house, lo, hi)
            counts["pages"] += got.pages
            counts["new"] += got.new
            failures.extend(got.failures)
            if not got.complete:
                continue
            c, u, f = _days(client, wh, base[house], got, lo, hi, max_concurrency, counts, failures)
            days_changed, days_unchanged, days_failed = (
                days_changed + c,
                days_unchanged + u,
                days_failed + f,
            )
        requests = client.requests_made
    details = {
        "start": lo,
        "end": hi,
        "requests": requests,
        "search_pages": counts["pages"],
        "bodies_fetched": counts["bodies"],
        "bodies_unchanged": counts["reused"],
        "responses_new": counts["new"],
        "days_changed": days_changed,
        "days_unchanged": days_unchanged,
        "days_failed": days_failed,
        "houses_failed": sum(1 for f in failures if "/search" in f["source_ref"].lower()),
        "failures": [f["detail"] for f in failures],
    }
    note = (
        f"{lo}..{hi}: {requests} requests ({counts['pages']} search pages, "
        f"{counts['bodies']} division bodies; {counts['reused']} divisions unchanged); days "
        f"{days_changed} changed, {days_unchanged} unchanged, {days_failed} failed"
    )
    return Acquired(requests, counts["new"], requests - counts["new"], failures, details, note)


def _days(  # noqa: PLR0913
    client: HttpClient,
    wh: Warehouse,
    base: str,
    got: HouseFetch,
    lo: date,
    hi: date,
    concurrency: int,
    counts: dict[str, int],
    failures: list[dict],
) -> tuple[int, int, int]:
    """Fetch the bodies a house's days need and write their snapshots: (changed, unchanged,
    failed) days."""
    listed = fetch.group(got.listed)
    known = {d for _, d in fetch.snapshot_days(wh, got.house) if lo <= d <= hi}
    plan: list[tuple[date, list[Division], list[Any]]] = []
    for day in sorted(set(listed) | known):
        before = {d.upstream_id: d for d in (fetch.read_snapshot(wh, got.house, day) or [])}
        keep, need = [], []
        for s in listed.get(day, []):
            old = before.get(s.upstream_id)
            if old is not None and old.version == s.version:
                keep.append(old)
            else:
                need.append(s)
        counts["reused"] += len(keep)
        plan.append((day, keep, need))
    wanted = [s for _, _, need in plan for s in need]
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="votes-body") as pool:
        bodies = list(pool.map(lambda s: fetch.fetch_body(client, wh, base, got.house, s), wanted))
    by_id = {s.upstream_id: b for s, b in zip(wanted, bodies, strict=True)}
    changed = unchanged = failed = 0
    for day, keep, need in plan:
        divisions = list(keep)
        ok = True
        for s in need:
            division, is_new, failure = by_id[s.upstream_id]
            counts["new"] += is_new
            if division is None:
                failures.append(failure)
                ok = False
                continue
            counts["bodies"] += 1
            divisions.append(division)
        if not ok:
            failed += 1
        elif fetch.write_snapshot(wh, got.house, day, divisions):
            changed += 1
        else:
            unchanged += 1
    return changed, unchanged, failed


def describe(s: Any) -> str:  # noqa: ANN401
    return (
        f"run {s.run_id}: {s.start}..{s.end}: {s.requests} requests ({s.search_pages} search "
        f"pages, {s.bodies_fetched} division bodies); days {s.days_changed} changed, "
        f"{s.days_unchanged} unchanged, {s.days_failed} failed; "
        f"{s.rows.get('divisions', 0)} divisions, {s.rows.get('division_votes', 0)} votes, "
        f"{s.rejects} rejects; {s.partitions_written} partitions written"
    )


def items(wh: Warehouse) -> Iterator[WorkItem]:
    for house, day in fetch.snapshot_days(wh):
        divisions = fetch.read_snapshot(wh, house, day) or []
        yield WorkItem(
            key=f"{house}/{day.isoformat()}",
            entries=tuple(d.entry for d in divisions),
            house=house,
            day=day,
            marks=() if divisions else ("empty",),  # a day whose divisions were withdrawn
        )


def parse(wh: Warehouse, item: WorkItem) -> Rows:
    rows: Rows = {"divisions": [], "division_votes": [], "rejects": []}
    assert item.house is not None
    for e in item.entries:
        got = votes_parse.parse_division(
            votes_parse.VotesInput(
                raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at, item.house
            )
        )
        rows["divisions"] += got.divisions
        rows["division_votes"] += got.division_votes
        rows["rejects"] += got.rejects
    return rows


def scope(found: Sequence[WorkItem], published: Published) -> Scope:
    """A day's divisions and votes from this source are replaced (flows/core/days.py)."""
    return days.day_scope(SOURCE, ("divisions", "division_votes"), found, published)


def daily(settings: Any, wh: Warehouse) -> Job:  # noqa: ANN401
    """Since the last fetched day minus the correction window (flows/core/days.py), with the
    config section's settings, which are the action's parameters."""
    params = settings.model_dump(mode="json")
    return days.daily_job(wh, SOURCE, params, settings.correction_days)


def window_job(settings: Any, wh: Warehouse, start: date, end: date) -> Job:  # noqa: ANN401
    return days.window_job(wh, SOURCE, settings.model_dump(mode="json"), start, end)
