"""Fetching from the official Hansard API into the raw zone (plain functions; the flow
sequences them). Every response goes to the raw zone byte-for-byte before anything parses it.

Enumeration (reference hansard-api.md §8, route (a)): the month calendar gives the sitting days
of a house; each day's contributions come from /search/contributions/{Spoken,Written}.json
paged with take=100 (flat rows: no container sections, so nothing is double-counted; every
location, Westminster Hall, committees and written statements included); then each debate
section seen that day is read once from /debates/debate/{ExtId}.json for its Overview (title,
tag, ContentLastUpdated) and its place in the tree (Navigator, ChildDebates).

A day is published from a *snapshot*: the list of raw entries of its latest complete fetch
(raw/hansard_api/days/<house>/<date>.json). A fetch that fails part-way writes no snapshot, so
a half-fetched day never replaces a whole one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from flows.core import days
from flows.core.http import Fetched, FetchError, HttpClient
from flows.core.inputs import fetch_failed, fetch_into_raw
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse, write_atomic
from flows.sources.hansard_api.settings import DEFAULT_BASE_URL, HOUSES
from transforms.hansard_api.parse import SOURCE

KINDS = ("Spoken", "Written")
PAGE_SIZE = 100
SEARCH_PATH = "/search/contributions/{kind}.json"
CALENDAR_PATH = "/overview/calendar.json"
DEBATE_PATH = "/debates/debate/{ext_id}.json"


@dataclass(frozen=True)
class ApiSettings:
    base_url: str = DEFAULT_BASE_URL
    houses: tuple[str, ...] = HOUSES
    kinds: tuple[str, ...] = KINDS
    page_size: int = PAGE_SIZE
    correction_days: int = 30

    def __post_init__(self) -> None:
        unknown = set(self.houses) - set(HOUSES)
        if unknown or not self.houses:
            raise ValueError(f"houses must be among {HOUSES}, got {self.houses}")
        if not 1 <= self.page_size <= 100:
            raise ValueError(f"page size must be 1..100 (the API's maximum), got {self.page_size}")
        if self.correction_days < 0:
            raise ValueError("correction window must be ≥ 0 days")


@dataclass
class DayFetch:
    house: str
    day: date
    entries: list[RawEntry] = field(default_factory=list)
    new: int = 0
    failures: list[dict] = field(default_factory=list)  # reject rows for failed requests
    debates_seen: int = 0

    @property
    def complete(self) -> bool:
        return not self.failures


def months(start: date, end: date) -> Iterator[tuple[int, int]]:
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _fetch_and_store(
    client: HttpClient, wh: Warehouse, base: str, path: str, params: dict[str, str], scope: dict
) -> tuple[Fetched, RawEntry | None, bool]:
    return fetch_into_raw(client, wh, SOURCE, base, path, params, scope)


def _failure(url: str, reason: str) -> dict:
    return fetch_failed(SOURCE, url, reason)


def sitting_days(
    client: HttpClient, wh: Warehouse, cfg: ApiSettings, house: str, start: date, end: date
) -> tuple[list[date], list[dict]]:
    """Days the house sat between start and end (inclusive), from the month calendars."""
    days: set[date] = set()
    failures: list[dict] = []
    for year, month in months(start, end):
        params = {"year": str(year), "month": str(month), "house": house}
        scope = {"house": house, "month": f"{year:04d}-{month:02d}"}
        try:
            got, _, _ = _fetch_and_store(client, wh, cfg.base_url, CALENDAR_PATH, params, scope)
        except FetchError as e:
            failures.append(_failure(e.url, str(e)))
            continue
        if not got.ok:
            failures.append(_failure(got.url, f"HTTP {got.status}"))
            continue
        try:
            items = json.loads(got.body)
            for item in items:
                if item.get("House", house) == house:
                    days.add(datetime.fromisoformat(item["ItemDate"][:10]).date())
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            failures.append(_failure(got.url, f"unreadable calendar: {e}"))
    return sorted(d for d in days if start <= d <= end), failures


def _search_pages(
    client: HttpClient, wh: Warehouse, cfg: ApiSettings, fetch: DayFetch, kind: str
) -> list[str]:
    """Fetch every page of one contribution type for the day; returns debate ids seen."""
    ext_ids: list[str] = []
    skip = 0
    scope = {"house": fetch.house, "date": fetch.day.isoformat()}
    while True:
        params = {
            "queryParameters.house": fetch.house,
            "queryParameters.date": fetch.day.isoformat(),
            "queryParameters.take": str(cfg.page_size),
            "queryParameters.skip": str(skip),
            "queryParameters.orderBy": "SittingDateAsc",
        }
        path = SEARCH_PATH.format(kind=kind)
        got, entry, is_new = _fetch_and_store(client, wh, cfg.base_url, path, params, scope)
        if entry is None:
            fetch.failures.append(_failure(got.url, f"HTTP {got.status}"))
            return ext_ids
        fetch.entries.append(entry)
        fetch.new += is_new
        try:
            page = json.loads(got.body)
            results = page["Results"]
            total = int(page["TotalResultCount"])
            ext_ids.extend(r["DebateSectionExtId"] for r in results if r.get("DebateSectionExtId"))
        except (ValueError, TypeError, KeyError) as e:
            fetch.failures.append(_failure(got.url, f"unreadable search page: {e!r}"))
            return ext_ids
        skip += len(results)
        if not results or skip >= total:
            return ext_ids


def fetch_day(
    client: HttpClient, wh: Warehouse, cfg: ApiSettings, house: str, day: date
) -> DayFetch:
    """Fetch one house-day into the raw zone; writes its snapshot only when complete."""
    fetch = DayFetch(house, day)
    ext_ids: list[str] = []
    try:
        for kind in cfg.kinds:
            ext_ids.extend(_search_pages(client, wh, cfg, fetch, kind))
        scope = {"house": house, "date": day.isoformat()}
        for ext_id in dict.fromkeys(ext_ids):
            path = DEBATE_PATH.format(ext_id=ext_id)
            got, entry, is_new = _fetch_and_store(client, wh, cfg.base_url, path, {}, scope)
            if entry is None:
                fetch.failures.append(_failure(got.url, f"HTTP {got.status}"))
                continue
            fetch.entries.append(entry)
            fetch.new += is_new
    except FetchError as e:
        fetch.failures.append(_failure(e.url, str(e)))
    fetch.debates_seen = len(dict.fromkeys(ext_ids))
    return fetch


# --- day snapshots ------------------------------------------------------------------------


def snapshot_file(wh: Warehouse, house: str, day: date) -> Path:
    return days.snapshot_file(wh, SOURCE, house, day)


def read_snapshot(wh: Warehouse, house: str, day: date) -> list[RawEntry] | None:
    """The raw entries of the day's latest complete fetch, or None if never fetched whole."""
    path = snapshot_file(wh, house, day)
    if not path.exists():
        return None
    return [RawEntry.from_json(json.dumps(e)) for e in json.loads(path.read_text())["entries"]]


def _idents(entries: list[RawEntry]) -> list[tuple[str, str]]:
    return sorted((e.raw_sha256, e.document_key) for e in entries)


def write_snapshot(wh: Warehouse, fetch: DayFetch) -> bool:
    """Record a complete fetch; returns True when the day's content changed."""
    before = read_snapshot(wh, fetch.house, fetch.day)
    if before is not None and _idents(before) == _idents(fetch.entries):
        return False
    body = {
        "house": fetch.house,
        "date": fetch.day.isoformat(),
        "written_at": datetime.now(UTC).isoformat(),
        "entries": [json.loads(e.to_json()) for e in fetch.entries],
    }
    write_atomic(snapshot_file(wh, fetch.house, fetch.day), json.dumps(body, indent=1).encode())
    return True


def snapshot_days(wh: Warehouse) -> list[tuple[str, date]]:
    return days.snapshot_days(wh, SOURCE)
