"""Prefect flow: refresh the members dimension from the Members API, map TheyWorkForYou ids,
then re-resolve every contribution's speaker.

fetch (optionally the parlparse members files; Search pages per House; History batches for
new and changed members only, or all of them in a full refresh; one polite client) → raw zone +
refresh snapshot → members, member_parties, member_houses, member_names (transforms/members/api.py)
and twfy_people (transforms/common/parlparse_people.py,
transforms/common/parlparse_people_json.py) → one Plan, quality gate, swap →
speaker_resolutions (flows/derived/resolution.py) → views.

`rebuild_members(wh)` derives the same tables from the raw zone alone (offline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import members_fetch
from flows.core import runs
from flows.core.http import HttpClient, HttpSettings
from flows.core.lock import writer_lock
from flows.core.publish import stage, staging
from flows.core.quality import GateRules, enforce
from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.resolution import ResolutionSummary, read_columns, resolve_all, resolve_speakers
from flows.members_fetch import (
    DEFAULT_BASE_URL,
    DEFAULT_PARLPARSE_URL,
    PARLPARSE_FILES,
    Fetch,
    ParlparseFetch,
)
from transforms.members.api import SOURCE, HistoryPlan, build_tables, plan_histories
from transforms.schema import (
    CONTRIBUTIONS,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBER_PARTIES,
    MEMBERS,
    TWFY_PEOPLE,
    frame,
)

MEMBERS_TABLES = (MEMBERS, MEMBER_PARTIES, MEMBER_HOUSES, MEMBER_NAMES, TWFY_PEOPLE)
HOUSES = ("Commons", "Lords")


@dataclass(frozen=True)
class MembersRunSummary:
    run_id: str
    warehouse: str
    start: date | None
    end: date | None
    requests: int
    responses_new: int
    members: int
    parties: int
    houses: int
    names: int
    twfy_ids: int
    partitions_written: int
    resolution: ResolutionSummary
    unknown_ids: tuple[int, ...] = ()
    mode: str = "full"  # or "incremental"
    members_new: int = 0
    members_changed: int = 0
    members_unchanged: int = 0
    history_ids: int = 0  # members whose History was asked for
    parlparse_stored: tuple[str, ...] = ()
    parlparse_new: int = 0
    parlparse_errors: tuple[str, ...] = ()
    duration_s: float = 0.0

    def describe(self) -> str:
        window = f"{self.start}..{self.end}: " if self.start else ""
        parlparse = (
            f"; parlparse {', '.join(self.parlparse_stored)} ({self.parlparse_new} new)"
            if self.parlparse_stored
            else ""
        )
        return (
            f"run {self.run_id}: {window}{self.mode} refresh, {self.requests} requests "
            f"({self.responses_new} new responses); members {self.members_new} new, "
            f"{self.members_changed} changed, {self.members_unchanged} unchanged, History "
            f"asked for {self.history_ids}; {self.members} members, {self.parties} party "
            f"periods, {self.houses} house memberships, {self.names} names, {self.twfy_ids} "
            f"TheyWorkForYou ids{parlparse}; {self.partitions_written} partitions written; "
            f"{self.resolution.describe()}"
            + (
                f"; History did not know member id(s) {', '.join(map(str, self.unknown_ids))}"
                if self.unknown_ids
                else ""
            )
            + "".join(f"; parlparse fetch failed: {e}" for e in self.parlparse_errors)
        )


def derive(wh: Warehouse) -> dict[str, pl.DataFrame]:
    """Every members table from the raw zone (refresh snapshots and members files)."""
    searches, histories = members_fetch.stored_responses(wh)
    built = build_tables(searches, histories)
    frames = {t.name: frame(t, built.rows[t.name]) for t in MEMBERS_TABLES[:-1]}
    frames[TWFY_PEOPLE.name] = frame(TWFY_PEOPLE, members_fetch.twfy_rows(wh))
    return frames


@task(name="publish-members", cache_policy=NO_CACHE)
def publish_members(wh: Warehouse, rules: GateRules) -> tuple[dict[str, int], int]:
    """Replace the members tables whole: staged, gated, swapped in together."""
    frames = derive(wh)
    with staging(wh) as plan:
        for table in MEMBERS_TABLES:
            stage(wh, table, frames[table.name], plan, replace=[{}])
        enforce(wh, plan, frames, rules)
    return {k: v.height for k, v in frames.items()}, len(plan.commit())


def published_member_ids(wh: Warehouse) -> set[int]:
    """Member ids the inputs gave (contributions.member_id): their histories are fetched too."""
    ids = read_columns(wh, CONTRIBUTIONS, ("member_id",))["member_id"].drop_nulls()
    return {int(i) for i in ids.unique()}


def sitting_range(wh: Warehouse) -> tuple[date, date] | None:
    dates = read_columns(wh, CONTRIBUTIONS, ("sitting_date",))["sitting_date"]
    return (dates.min(), dates.max()) if dates.len() else None  # type: ignore[return-value]


def _fetch(  # noqa: PLR0913
    client: HttpClient,
    wh: Warehouse,
    base_url: str,
    houses: list[str],
    window: tuple[date, date] | None,
    extra_ids: set[int],
    asked_ids: set[int],
    take: int,
    history_batch: int,
    full: bool,
) -> tuple[Fetch, HistoryPlan]:
    """Search (always whole), then History for what the plan says (all of it when `full`)."""
    stored = members_fetch.stored_members(wh)
    fetched = Fetch()
    if window is not None:
        for house in houses:
            members_fetch.fetch_search(
                client, wh, base_url, house, window[0], window[1], fetched, take
            )
    plan = plan_histories(
        fetched.search_items,
        stored.search_items,
        stored.with_history,
        extra_ids,
        asked_ids,
        full=full,
    )
    members_fetch.fetch_histories(client, wh, base_url, plan.fetch, fetched, history_batch)
    return fetched, plan


def full_refresh_due(wh: Warehouse, full: bool, full_after_days: int | None) -> bool:
    """A full refresh when asked, when none was ever made, or when the last is older than
    `full_after_days` (None: never by age)."""
    last = members_fetch.last_full_refresh(wh)
    if full or last is None:
        return True
    return full_after_days is not None and datetime.now(UTC) - last > timedelta(
        days=full_after_days
    )


@flow(name="refresh-members", log_prints=True)
def refresh_members(  # noqa: PLR0913
    warehouse: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    start: date | None = None,
    end: date | None = None,
    houses: list[str] | None = None,
    ids: list[int] | None = None,
    twfy_members: str | None = None,
    take: int = members_fetch.MAX_TAKE,
    history_batch: int = 20,
    max_rps: float = 10.0,
    max_concurrency: int = 4,
    max_shrink: float = 0.5,
    full: bool = False,
    full_after_days: int | None = 28,
    parlparse: bool = False,
    parlparse_base_url: str = DEFAULT_PARLPARSE_URL,
    parlparse_files: list[str] | None = None,
) -> MembersRunSummary:
    """Fetch every member of `houses` in [start, end] (default: the published sitting dates)
    and the history of each that is new or changed since the stored refreshes (of every one
    when `full`, or when the last full refresh is older than `full_after_days`), plus `ids` and
    the member ids the inputs gave; map the TheyWorkForYou members files in `twfy_members` (a
    folder or file; optional) and, with `parlparse`, those fetched from `parlparse_base_url`
    (a failed fetch is reported, the rest of the refresh goes on); publish the members tables;
    re-resolve every contribution's speaker; refresh the views."""
    wh = Warehouse.at(warehouse)
    houses = list(houses or HOUSES)
    unknown = set(houses) - set(HOUSES)
    if unknown:
        raise ValueError(f"houses must be among {HOUSES}, got {sorted(unknown)}")
    if (start is None) != (end is None) or (start and end and start > end):
        raise ValueError("give both start and end (start ≤ end), or neither")
    with writer_lock(wh.lock_path, "refresh-members"):
        run = runs.RunRecord.start("refresh-members", SOURCE)
        runs.record(wh, run)
        try:
            window = (start, end) if start and end else sitting_range(wh)
            extra = set(ids or ()) | published_member_ids(wh)
            if window is None and not extra:
                raise ValueError("nothing to fetch: give start and end, or ids")
            if twfy_members:
                members_fetch.store_twfy_members(wh, Path(twfy_members))
            mode_full = full_refresh_due(wh, full, full_after_days)
            http = HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency)
            pp = ParlparseFetch()
            with HttpClient(http) as client:
                if parlparse:
                    files = tuple(parlparse_files or PARLPARSE_FILES)
                    pp = members_fetch.fetch_parlparse(client, wh, parlparse_base_url, files)
                fetched, plan = _fetch(
                    client,
                    wh,
                    base_url,
                    houses,
                    window,
                    extra,
                    set(ids or ()),
                    take,
                    history_batch,
                    mode_full,
                )
            scope = {
                "houses": houses,
                "window": [str(d) for d in window or ()],
                "ids": len(extra),
                "mode": "full" if mode_full else "incremental",
                "history_ids": len(plan.fetch),
            }
            members_fetch.write_snapshot(wh, run.run_id, fetched, scope)
            counts, written = publish_members(wh, GateRules(max_shrink=max_shrink))
            resolution = resolve_speakers(wh)
            summary = MembersRunSummary(
                run.run_id,
                str(wh.root),
                window[0] if window else None,
                window[1] if window else None,
                fetched.requests,
                fetched.new,
                counts["members"],
                counts["member_parties"],
                counts["member_houses"],
                counts["member_names"],
                counts["twfy_people"],
                written,
                resolution,
                tuple(sorted(fetched.unknown_ids)),
                scope["mode"],
                len(plan.new),
                len(plan.changed),
                len(plan.unchanged),
                len(plan.fetch),
                tuple(pp.stored),
                pp.new,
                tuple(pp.errors),
                (datetime.now(UTC) - run.started_at).total_seconds(),
            )
            run.inputs_seen, run.inputs_new = fetched.requests, fetched.new
            run.inputs_unchanged = fetched.requests - fetched.new
            run.partitions_written = written + resolution.partitions_written
            run.message = summary.describe()
            refresh_views(wh)
        except BaseException as e:
            runs.finish(wh, run, "failed", f"{type(e).__name__}: {e}")
            refresh_views(wh)
            raise
        runs.finish(wh, run, "completed")
    return summary


def rebuild_members(wh: Warehouse, rules: GateRules | None = None) -> int:
    """The members tables and speaker_resolutions from the raw zone alone (no network); call
    it holding the writer lock, e.g. at the end of `rebuild`. Returns partitions written."""
    if not members_fetch.snapshot_entries(wh) and not members_fetch.newest_twfy_members(wh):
        return resolve_all(wh).partitions_written
    _, written = publish_members.fn(wh, rules or GateRules(max_shrink=1.0))
    return written + resolve_all(wh).partitions_written
