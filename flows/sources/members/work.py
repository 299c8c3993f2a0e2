"""Members: what a refresh fetches, the one work item the raw zone holds, and its parse.

A refresh reads the Members API (Search pages per House for everyone who sat in a date range,
then History for new and changed members, or all of them in a full refresh) into the raw zone
and writes its list of responses as a snapshot; the ParlParse members files (a folder given
with --twfy-members, or mySociety's people.json over HTTP with --parlparse) are stored beside
them. The members tables are then derived from every snapshot's responses (the response seen
by the newest refresh wins): one work item whose inputs are all stored responses and whose
marks are the snapshots, so a new refresh re-derives the tables whole, and rebuild needs no
network. twfy_people and the speaker resolutions follow in the engine's derived step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flows.core.http import HttpClient, HttpSettings
from flows.core.source import Acquired, Job, Published, Rows, Scheduled, Scope, WorkItem
from flows.core.warehouse import Warehouse
from flows.sources.members import fetch
from flows.sources.members.fetch import DEFAULT_BASE_URL, DEFAULT_PARLPARSE_URL, PARLPARSE_FILES
from transforms.members.api import build_tables, plan_histories

SOURCE_NAME = "members"  # the source (its raw responses are kept as members_api)
TABLES = ("members", "member_parties", "member_houses", "member_names")
HOUSES = ("Commons", "Lords")


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _contribution_column(wh: Warehouse, column: str) -> Any:  # noqa: ANN401
    from flows.derived.resolution import read_columns
    from transforms.schema import CONTRIBUTIONS

    return read_columns(wh, CONTRIBUTIONS, (column,))[column]


def published_member_ids(wh: Warehouse) -> set[int]:
    """Member ids the inputs gave (contributions.member_id): their histories are fetched too."""
    return {int(i) for i in _contribution_column(wh, "member_id").drop_nulls().unique()}


def sitting_range(wh: Warehouse) -> tuple[date, date] | None:
    dates = _contribution_column(wh, "sitting_date")
    return (dates.min(), dates.max()) if dates.len() else None


def full_refresh_due(wh: Warehouse, full: bool, full_after_days: int | None) -> bool:
    """A full refresh when asked, when none was ever made, or when the last is older than
    `full_after_days` (None: never by age)."""
    last = fetch.last_full_refresh(wh)
    if full or last is None:
        return True
    return full_after_days is not None and datetime.now(UTC) - last > timedelta(
        days=full_after_days
    )


def refresh(  # noqa: PLR0913
    ctx: Any,  # noqa: ANN401
    start: date | str | None = None,
    end: date | str | None = None,
    houses: list[str] | None = None,
    ids: list[int] | None = None,
    twfy_members: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    take: int = fetch.MAX_TAKE,
    history_batch: int = 20,
    max_rps: float = 10.0,
    max_concurrency: int = 4,
    full: bool = False,
    full_after_days: int | None = 28,
    parlparse: bool = False,
    parlparse_base_url: str = DEFAULT_PARLPARSE_URL,
    parlparse_files: list[str] | None = None,
) -> Acquired:
    """Fetch every member of `houses` in [start, end] (default: the published sitting dates)
    and the History of each that is new or changed since the stored refreshes (of every one
    when `full`, or when the last full refresh is older than `full_after_days`), plus `ids` and
    the member ids the inputs gave; store the TheyWorkForYou members files in `twfy_members`
    (a folder or file) and, with `parlparse`, those fetched from `parlparse_base_url` (a failed
    fetch is reported, the refresh goes on). Any other failed request fails the refresh before
    anything is published."""
    wh = ctx.wh
    first, last = _date(start), _date(end)
    houses = list(houses or HOUSES)
    unknown = set(houses) - set(HOUSES)
    if unknown:
        raise ValueError(f"houses must be among {HOUSES}, got {sorted(unknown)}")
    if (first is None) != (last is None) or (first and last and first > last):
        raise ValueError("give both start and end (start ≤ end), or neither")
    window = (first, last) if first and last else sitting_range(wh)
    extra = set(ids or ()) | published_member_ids(wh)
    if window is None and not extra:
        raise ValueError("nothing to fetch: give start and end, or ids")
    if twfy_members:
        fetch.store_twfy_members(wh, Path(twfy_members))
    mode_full = full_refresh_due(wh, full, full_after_days)
    pp = fetch.ParlparseFetch()
    with HttpClient(HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency)) as client:
        if parlparse:
            files = tuple(parlparse_files or PARLPARSE_FILES)
            pp = fetch.fetch_parlparse(client, wh, parlparse_base_url, files)
        stored = fetch.stored_members(wh)
        fetched = fetch.Fetch()
        if window is not None:
            for house in houses:
                fetch.fetch_search(client, wh, base_url, house, window[0], window[1], fetched, take)
        plan = plan_histories(
            fetched.search_items,
            stored.search_items,
            stored.with_history,
            extra,
            set(ids or ()),
            full=mode_full,
        )
        fetch.fetch_histories(client, wh, base_url, plan.fetch, fetched, history_batch)
    mode = "full" if mode_full else "incremental"
    scope = {
        "houses": houses,
        "window": [str(d) for d in window or ()],
        "ids": len(extra),
        "mode": mode,
        "history_ids": len(plan.fetch),
    }
    fetch.write_snapshot(wh, ctx.run.run_id, fetched, scope)
    details = {
        "start": str(window[0]) if window else None,
        "end": str(window[1]) if window else None,
        "requests": fetched.requests,
        "responses_new": fetched.new,
        "mode": mode,
        "members_new": len(plan.new),
        "members_changed": len(plan.changed),
        "members_unchanged": len(plan.unchanged),
        "history_ids": len(plan.fetch),
        "unknown_ids": sorted(fetched.unknown_ids),
        "parlparse_stored": list(pp.stored),
        "parlparse_new": pp.new,
        "parlparse_errors": list(pp.errors),
    }
    return Acquired(fetched.requests, fetched.new, fetched.requests - fetched.new, [], details)


def describe(s: Any) -> str:  # noqa: ANN401
    window = f"{s.start}..{s.end}: " if s.start else ""
    parlparse = (
        f"; parlparse {', '.join(s.parlparse_stored)} ({s.parlparse_new} new)"
        if s.parlparse_stored
        else ""
    )
    rows = s.rows
    return (
        f"run {s.run_id}: {window}{s.mode} refresh, {s.requests} requests "
        f"({s.responses_new} new responses); members {s.members_new} new, "
        f"{s.members_changed} changed, {s.members_unchanged} unchanged, History "
        f"asked for {s.history_ids}; {rows.get('members', 0)} members, "
        f"{rows.get('member_parties', 0)} party periods, {rows.get('member_houses', 0)} house "
        f"memberships, {rows.get('member_names', 0)} names{parlparse}; "
        f"{s.partitions_written} partitions written; {s.resolution.describe()}"
        + (
            f"; History did not know member id(s) {', '.join(map(str, s.unknown_ids))}"
            if s.unknown_ids
            else ""
        )
        + "".join(f"; parlparse fetch failed: {e}" for e in s.parlparse_errors)
    )


def describe_resolve(s: Any) -> str:  # noqa: ANN401
    return s.resolution.describe()


def items(wh: Warehouse) -> Iterator[WorkItem]:
    entries = fetch.snapshot_entries(wh)
    if entries:
        marks = tuple(sorted(p.name for p in fetch.snapshot_dir(wh).glob("*.json")))
        yield WorkItem(key="members", entries=tuple(entries), marks=marks)


def parse(wh: Warehouse, item: WorkItem) -> Rows:
    searches, histories = fetch.stored_responses(wh)
    built = build_tables(searches, histories)
    return {name: built.rows[name] for name in TABLES}


def scope(found: Sequence[WorkItem], published: Published) -> Scope:
    """The members tables are derived whole: each is replaced."""
    return Scope(replace={name: [{}] for name in TABLES})


def settings_params(settings: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "base_url": settings.base_url,
        "full_after_days": settings.full_after_days,
        "parlparse": settings.parlparse,
        "parlparse_base_url": settings.parlparse_base_url,
        "parlparse_files": list(settings.parlparse_files),
        "max_rps": settings.max_rps,
        "max_concurrency": settings.max_concurrency,
    }


def schedules(settings: Any) -> list[Scheduled]:  # noqa: ANN401
    job = Job(SOURCE_NAME, "refresh", settings_params(settings))
    return [
        Scheduled(
            "members-refresh",
            settings.schedule,
            job,
            "Members API dimension and speaker resolution.",
        )
    ]
