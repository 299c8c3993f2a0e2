"""Fetching from the Commons and Lords Votes APIs into the raw zone (plain functions; work.py
sequences them). Every response goes to the raw zone byte-for-byte before anything parses it.

Enumeration: the search of a house over the run's date range, paged (`take` 25, the APIs'
default; a page shorter than `take` is the last), lists every division with its date and, in
the Commons, `PublicationUpdated`. A division's body (`/data/division/{id}.json`,
`/data/Divisions/{id}`) is fetched only when it is new or its version changed (Commons: its
`PublicationUpdated`; Lords, which has none: a digest of its search item), so a run over days
that did not change costs the search pages alone.

A day is published from a *snapshot* (raw/votes_api/days/<house>/<date>.json): its divisions,
each with the version and raw entry of its body. A house whose search did not complete writes
no snapshot; a day one of whose bodies failed keeps its previous snapshot. A day whose snapshot
held divisions that the search no longer lists gets a snapshot without them (withdrawn upstream).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from flows.core import days
from flows.core.http import FetchError, HttpClient
from flows.core.inputs import fetch_failed, fetch_into_raw
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse, write_atomic
from transforms.votes_api.parse import SOURCE, Summary, summaries

PAGE_SIZE = 25
SEARCH = {
    "Commons": "/data/divisions.json/search",
    "Lords": "/data/Divisions/search",
}
DETAIL = {
    "Commons": "/data/division/{id}.json",
    "Lords": "/data/Divisions/{id}",
}


def search_query(house: str, start: date, end: date, skip: int, take: int) -> dict[str, str]:
    """The search parameters as each API spells them."""
    if house == "Commons":
        return {
            "queryParameters.startDate": start.isoformat(),
            "queryParameters.endDate": end.isoformat(),
            "queryParameters.skip": str(skip),
            "queryParameters.take": str(take),
        }
    return {
        "StartDate": start.isoformat(),
        "EndDate": end.isoformat(),
        "skip": str(skip),
        "take": str(take),
    }


@dataclass
class Division:
    """One division in a day snapshot: its id, version and the raw entry of its body."""

    upstream_id: int
    version: str
    entry: RawEntry

    def to_json(self) -> dict:
        return {
            "id": self.upstream_id,
            "version": self.version,
            "entry": json.loads(self.entry.to_json()),
        }

    @classmethod
    def from_json(cls, data: dict) -> Division:
        return cls(data["id"], data["version"], RawEntry.from_json(json.dumps(data["entry"])))


@dataclass
class HouseFetch:
    """What a run got for one house: the days listed, the bodies fetched, failures."""

    house: str
    listed: dict[date, list[Summary]] = field(default_factory=dict)
    complete: bool = True
    pages: int = 0
    new: int = 0
    failures: list[dict] = field(default_factory=list)


def _store(
    client: HttpClient, wh: Warehouse, base: str, path: str, params: dict[str, str], scope: dict
) -> tuple[RawEntry | None, bool, bytes, str, str]:
    """GET and store: (entry, new, body, url, problem). No entry: `problem` says why."""
    try:
        got, entry, is_new = fetch_into_raw(client, wh, SOURCE, base, path, params, scope)
    except FetchError as e:
        return None, False, b"", e.url, str(e)
    if entry is None:
        return None, False, b"", got.url, f"HTTP {got.status}"
    return entry, is_new, got.body, got.url, ""


def search(  # noqa: PLR0913
    client: HttpClient, wh: Warehouse, base: str, house: str, start: date, end: date
) -> HouseFetch:
    """Every page of the house's search over [start, end]."""
    out = HouseFetch(house)
    skip = 0
    scope = {"house": house, "start": start.isoformat(), "end": end.isoformat()}
    while True:
        params = search_query(house, start, end, skip, PAGE_SIZE)
        entry, is_new, body, url, problem = _store(client, wh, base, SEARCH[house], params, scope)
        if entry is None:
            out.failures.append(fetch_failed(SOURCE, url, problem))
            out.complete = False
            return out
        out.pages += 1
        out.new += is_new
        try:
            page = summaries(body, house)
        except ValueError as e:
            out.failures.append(fetch_failed(SOURCE, url, f"unreadable search page: {e}"))
            out.complete = False
            return out
        for s in page:
            if start <= s.day <= end:
                out.listed.setdefault(s.day, []).append(s)
        skip += len(page)
        if len(page) < PAGE_SIZE:
            return out


def fetch_body(
    client: HttpClient, wh: Warehouse, base: str, house: str, summary: Summary
) -> tuple[Division | None, bool, dict | None]:
    """One division's body into the raw zone: (division, new, failure)."""
    path = DETAIL[house].format(id=summary.upstream_id)
    scope = {"house": house, "date": summary.day.isoformat(), "division": summary.upstream_id}
    entry, is_new, _, url, problem = _store(client, wh, base, path, {}, scope)
    if entry is None:
        return None, False, fetch_failed(SOURCE, url, problem)
    return Division(summary.upstream_id, summary.version, entry), is_new, None


# --- day snapshots ------------------------------------------------------------------------


def snapshot_file(wh: Warehouse, house: str, day: date) -> Path:
    return days.snapshot_file(wh, SOURCE, house, day)


def read_snapshot(wh: Warehouse, house: str, day: date) -> list[Division] | None:
    path = snapshot_file(wh, house, day)
    if not path.exists():
        return None
    return [Division.from_json(d) for d in json.loads(path.read_text())["divisions"]]


def write_snapshot(wh: Warehouse, house: str, day: date, divisions: list[Division]) -> bool:
    """Record a day's complete fetch; True when its divisions or their bodies changed."""
    ordered = sorted(divisions, key=lambda d: d.upstream_id)
    before = read_snapshot(wh, house, day)

    def idents(ds: list[Division]) -> list[tuple[int, str, str]]:
        return [(d.upstream_id, d.version, d.entry.raw_sha256) for d in ds]

    if before is not None and idents(before) == idents(ordered):
        return False
    body = {
        "house": house,
        "date": day.isoformat(),
        "written_at": datetime.now(UTC).isoformat(),
        "divisions": [d.to_json() for d in ordered],
    }
    write_atomic(snapshot_file(wh, house, day), json.dumps(body, indent=1).encode())
    return True


def snapshot_days(wh: Warehouse, house: str | None = None) -> list[tuple[str, date]]:
    return days.snapshot_days(wh, SOURCE, house)


def group(listed: dict[date, list[Summary]]) -> dict[date, list[Summary]]:
    """One summary per division id per day (a division listed twice across pages once)."""
    out: dict[date, list[Summary]] = defaultdict(list)
    for day, items in listed.items():
        seen: set[int] = set()
        for s in items:
            if s.upstream_id not in seen:
                seen.add(s.upstream_id)
                out[day].append(s)
    return out
