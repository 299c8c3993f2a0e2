"""TheyWorkForYou XML: what a run stores (a mirror folder, or the scrapedxml listings over
HTTP), the work items the raw zone holds, their parse and write policy.

One work item per sitting day (per file name without its version letter): every stored version
of the day, with the newest stored members files (people.xml, all-members-2010.xml) as
context. The day is derived from all its versions (transforms/twfy_xml/versions.py: the latest
published, every version's redirects kept), so files may arrive in any order. Publishing a day
drops the rows made from any of its inputs and merges the new ones in; a new members file
changes every day's inputs, so every day is re-derived.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from flows.core import manifest, raw_zone
from flows.core.http import HttpClient, HttpSettings
from flows.core.inputs import acquired_files, store_files, walk
from flows.core.raw_zone import RawEntry
from flows.core.source import Acquired, Job, Published, Rows, Scope, WorkItem
from flows.core.warehouse import Warehouse
from flows.sources.twfy_xml import web
from flows.sources.twfy_xml.settings import DEFAULT_BASE_URL, FOLDERS
from transforms.common.parlparse_members import Members, parse_members_file
from transforms.common.xml_load import LoadError
from transforms.twfy_xml import parse as twfy_parse
from transforms.twfy_xml import versions
from transforms.twfy_xml.files import SOURCE, DayFile, day_file, is_known_file, is_members_file
from transforms.twfy_xml.rows import TwfyInput, make_reject

TABLES = ("debates", "contributions", "rejects", "divisions", "division_votes", "id_redirects")
BY_DAY = ("debates", "contributions", "divisions", "division_votes")  # (source, house, year)


def acquire(ctx: Any, paths: list[str]) -> Acquired:  # noqa: ANN401
    """Store XML files (named, or in mirror folders: *.xml named like a day or members file)."""
    walked = walk(paths, "*.xml", lambda f: is_known_file(f.name))
    stored = store_files(ctx.wh, SOURCE, walked.files, ctx.executor, ctx.in_flight)
    got = acquired_files(walked, stored, SOURCE)
    got.details["skipped"] = walked.skipped
    got.note = f"{walked.skipped} other file(s) in folders skipped"
    return got


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def fetch(  # noqa: PLR0913
    ctx: Any,  # noqa: ANN401
    start: date | str,
    end: date | str,
    folders: list[str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    max_rps: float = 2.0,
    max_concurrency: int = 2,
) -> Acquired:
    """Fetch the day files sitting in [start, end] from the scrapedxml listings of `folders`
    (default: all seven): every version not yet stored."""
    first, last = _date(start), _date(end)
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    chosen = list(folders) if folders else list(FOLDERS)
    unknown = [f for f in chosen if f not in FOLDERS]
    if unknown:
        raise ValueError(f"unknown scrapedxml folder(s) {unknown}; known: {', '.join(FOLDERS)}")
    settings = HttpSettings(max_rps=max_rps, max_concurrency=max_concurrency)
    with HttpClient(settings) as client:
        wanted, list_failures = web.fetch_listings(ctx.wh, client, base_url, chosen, first, last)
        got = web.fetch_files(ctx.wh, client, base_url, wanted, max_concurrency)
        requests = client.requests_made
    failures = list_failures + got.failures
    note = (
        f"{len(chosen)} listing(s), {got.listed} file(s) in {first}..{last}, "
        f"{got.stored.count} fetched, {got.skipped} already stored, "
        f"{len(failures)} failed request(s), {requests} HTTP request(s)"
    )
    details = {"requests": requests, "listed": got.listed, "fetched": got.stored.count}
    return Acquired(
        got.listed,
        got.stored.new,
        got.stored.unchanged + got.skipped,
        failures,
        details,
        note,
    )


def _day_key(e: RawEntry) -> tuple[str, DayFile | None]:
    named = day_file(e.original_path)
    return (named.day_key, named) if isinstance(named, DayFile) else (e.original_path, None)


def items(wh: Warehouse) -> Iterator[WorkItem]:
    entries = manifest.entries_of(manifest.rows(wh, SOURCE))  # oldest first
    newest: dict[str, RawEntry] = {}
    days: dict[str, list[RawEntry]] = {}
    named: dict[str, DayFile | None] = {}
    for e in entries:
        if is_members_file(e.original_path):
            newest[Path(e.original_path).name] = e
            continue
        key, day = _day_key(e)
        days.setdefault(key, []).append(e)
        named.setdefault(key, day)
    context = tuple(newest[n] for n in sorted(newest))
    for key in sorted(days, key=lambda k: (named[k].sitting_date if named[k] else date.min, k)):
        day = named[key]
        yield WorkItem(
            key=f"day:{key}",
            entries=tuple(days[key]),
            context=context,
            house=day.type.house if day else None,
            day=day.sitting_date if day else None,
        )


_MEMBERS: dict[tuple, tuple[Members, tuple[dict, ...]]] = {}
_MEMBERS_LOCK = threading.Lock()


def _members(root: str, context: tuple[RawEntry, ...]) -> tuple[Members, tuple[dict, ...]]:
    """The members index from the members files (read once per process for the same files),
    and rejects for any that cannot be read."""
    key = (root, tuple(e.raw_sha256 for e in context))
    with _MEMBERS_LOCK:
        if key not in _MEMBERS:
            _MEMBERS.clear()
            _MEMBERS[key] = _read_members(Warehouse(Path(root)), context)
        return _MEMBERS[key]


def _read_members(wh: Warehouse, context: tuple[RawEntry, ...]) -> tuple[Members, tuple[dict, ...]]:
    members, rejects = Members(), []
    for e in context:
        parsed = parse_members_file(Path(e.original_path).name, raw_zone.read_bytes(wh, e))
        if isinstance(parsed, LoadError):
            where = TwfyInput(b"", e.original_path, e.raw_sha256, e.ingested_at)
            rejects.append(make_reject(where, parsed.line, parsed.reason, parsed.detail))
        else:
            members = members.merge(parsed)
    return members, tuple(rejects)


def parse(wh: Warehouse, item: WorkItem) -> Rows:
    members, rejects = _members(str(wh.root), item.context)
    results = [
        twfy_parse.parse_file(
            TwfyInput(raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at),
            members,
        )
        for e in item.entries
    ]
    rows: Rows = {name: [] for name in TABLES}
    for name, got in versions.derive(results).items():
        rows[name].extend(got)
    rows["rejects"].extend(dict(r) for r in rejects)
    return rows


def scope(found: Sequence[WorkItem], published: Published) -> Scope:
    """Every row made from one of the days' inputs (as published before, or now) is dropped,
    in the days' partitions, and the new rows merged in."""
    shas = sorted({s for i in found for s in (*published.get(i.key, ()), *i.shas)})
    drop = (pl.col("source") == SOURCE) & pl.col("raw_sha256").is_in(shas)
    parts = sorted({(i.house, i.day.year) for i in found if i.house and i.day})
    by_day = [{"source": SOURCE, "house": h, "sitting_year": y} for h, y in parts]
    touch: dict[str, list[dict[str, object]]] = {name: list(by_day) for name in BY_DAY}
    touch |= {"rejects": [{"source": SOURCE}], "id_redirects": [{"source": SOURCE}]}
    return Scope(drop={name: drop for name in TABLES}, touch=touch)


def _params(settings: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "folders": list(settings.folders),
        "base_url": settings.base_url,
        "max_rps": settings.max_rps,
        "max_concurrency": settings.max_concurrency,
    }


def last_fetched_day(wh: Warehouse) -> date | None:
    """The latest sitting day among the files fetched over HTTP (not those from a folder)."""
    rows = manifest.rows(wh, SOURCE)
    fetched = rows.filter(pl.col("http_status").is_not_null())["original_path"].to_list()
    days = [d.sitting_date for d in map(day_file, fetched) if isinstance(d, DayFile)]
    return max(days) if days else None


def daily(settings: Any, wh: Warehouse) -> Job:  # noqa: ANN401
    """From the last fetched sitting day minus `correction_days` (new versions of recent days
    appear for a while) to today; the first time, the last `correction_days` days."""
    today = datetime.now(UTC).date()
    last = last_fetched_day(wh)
    start = (last or today) - timedelta(days=settings.correction_days)
    return window_job(settings, wh, start, today)


def window_job(settings: Any, wh: Warehouse, start: date, end: date) -> Job:  # noqa: ANN401
    params = {"start": start.isoformat(), "end": end.isoformat(), **_params(settings)}
    return Job(SOURCE, "fetch", params, str(wh.root))
