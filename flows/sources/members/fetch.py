"""Fetching the Members API into the raw zone (plain functions; flows/members_flow.py
sequences them). Every response is stored byte-for-byte (source `members_api`, keyed by the
request) before anything parses it, with the request's parameters, status, content type and
fetch time, as flows/api_fetch.py does for the Hansard API.

Requests (hansard-api.md §7; the OpenAPI document in corpus/hansard-api/):

* `/api/Members/Search` per House, for everyone who was a member of it in a date range
  (`MembershipInDateRange.WasMemberOfHouse` 1 or 2, `…WasMemberOnOrAfter`,
  `…WasMemberOnOrBefore`), paged with `take` ≤ 20 (the API's maximum) and `skip` advancing by
  the items received until `totalResults`. `House` is not sent: it filters on the *latest*
  house, which would drop an MP who is now a peer. `IsCurrentMember` is not sent either: the
  range filter is what selects past members (whether the API's default also restricts to
  current members is not documented [unverified]);
* `/api/Members/History?ids=…&ids=…` in batches (default 20 ids; the maximum is not
  documented): each member's party, seat and name history. A batch answered 404 is asked
  again id by id; an id the API does not know is skipped and reported.

Incremental: Search is always read whole (it is what tells a change), but History is asked
only for members that are new (no stored History), whose Search item differs from the newest
stored one, or that were asked for by id; `full` asks for every member (`HistoryPlan`).

A refresh is all or nothing: any request that fails after the client's retries, or answers
any other non-2xx status, stops it before anything is published. A complete refresh writes its
list of responses as a snapshot (raw/members_api/refreshes/<run>.json); the tables are derived
from every snapshot's responses (the response seen by the newest refresh wins), so `rebuild`
needs no network.

The ParlParse members files (people.json, people.xml, all-members-2010.xml) come from a local
folder (`store_twfy_members`) or over HTTP from mySociety's parlparse data
(`fetch_parlparse`); both store them under raw/twfy_members/, unchanged bytes a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlencode

from flows.core import raw_zone
from flows.core.http import Fetched, FetchError, HttpClient
from flows.core.identity import MEMBERS_FILES
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse, write_atomic
from flows.sources.members.settings import (  # noqa: F401 (re-exported)
    DEFAULT_BASE_URL,
    DEFAULT_PARLPARSE_URL,
    PARLPARSE_FILES,
)
from transforms.common.parlparse_members import parse_all_members
from transforms.common.parlparse_people import parse_people_xml
from transforms.common.parlparse_people_json import parse_people_json
from transforms.common.xml_load import LoadError
from transforms.members.api import (
    SOURCE,
    Response,
    history_ids,
    member_fingerprint,
    parse_search_page,
    search_fingerprints,
)

SEARCH_PATH = "/api/Members/Search"
HISTORY_PATH = "/api/Members/History"
HOUSE_IDS = {"Commons": 1, "Lords": 2}
MAX_TAKE = 20
TWFY_SOURCE = "twfy_members"  # the ParlParse members files given to a refresh
TWFY_MEMBERS_FILES = MEMBERS_FILES

Pairs = list[tuple[str, str]]


class MembersFetchError(RuntimeError):
    pass


@dataclass
class Fetch:
    """What one refresh fetched."""

    entries: list[RawEntry] = field(default_factory=list)
    new: int = 0
    search_ids: list[int] = field(default_factory=list)
    search_items: dict[int, str] = field(default_factory=dict)  # id → Search item fingerprint
    unknown_ids: list[int] = field(default_factory=list)  # History answered 404 for them
    requests: int = 0


def request_key(path: str, pairs: Pairs) -> str:
    """A request's identity: path and sorted query (repeated names kept)."""
    return f"GET {path}?{urlencode(sorted(pairs))}"


def search_query(house: str, start: date, end: date, skip: int, take: int) -> Pairs:
    return [
        ("MembershipInDateRange.WasMemberOfHouse", str(HOUSE_IDS[house])),
        ("MembershipInDateRange.WasMemberOnOrAfter", start.isoformat()),
        ("MembershipInDateRange.WasMemberOnOrBefore", end.isoformat()),
        ("skip", str(skip)),
        ("take", str(take)),
    ]


def history_query(ids: Sequence[int]) -> Pairs:
    return [("ids", str(i)) for i in ids]


def batches(ids: Iterable[int], size: int) -> list[list[int]]:
    """Sorted distinct ids in batches of `size` (the History requests a refresh makes)."""
    ordered = sorted(set(ids))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _get(
    client: HttpClient,
    wh: Warehouse,
    base: str,
    path: str,
    pairs: Pairs,
    fetch: Fetch,
    *,
    missing_ok: bool = False,
) -> Fetched | None:
    """GET and store; None for a 404 when `missing_ok`; any other failure raises."""
    got: Fetched = client.get(base.rstrip("/") + path, pairs)
    fetch.requests += 1
    if got.status == 404 and missing_ok:
        return None
    if not got.ok:
        raise MembersFetchError(f"GET {got.url} answered HTTP {got.status}: {got.body[:200]!r}")
    request = {
        "params": [list(p) for p in pairs],
        "status": got.status,
        "content_type": got.content_type,
        "fetched_at": got.fetched_at.isoformat(),
        "path": path,
    }
    entry, is_new = raw_zone.store(
        wh, SOURCE, got.body, got.url, key=request_key(path, pairs), request=request
    )
    fetch.entries.append(entry)
    fetch.new += is_new
    return got


def fetch_search(
    client: HttpClient,
    wh: Warehouse,
    base: str,
    house: str,
    start: date,
    end: date,
    fetch: Fetch,
    take: int = MAX_TAKE,
) -> None:
    """Every Search page of one House and date range; the ids seen go to fetch.search_ids."""
    if not 1 <= take <= MAX_TAKE:
        raise ValueError(f"take must be 1..{MAX_TAKE} (the API's maximum), got {take}")
    skip = 0
    while True:
        query = search_query(house, start, end, skip, take)
        got = _get(client, wh, base, SEARCH_PATH, query, fetch)
        assert got is not None
        page = parse_search_page(got.body)
        fetch.search_ids.extend(page.ids)
        for member in page.members:
            fetch.search_items[member["id"]] = member_fingerprint(member)
        skip += len(page.members)
        if not page.members or skip >= page.total:
            return


def fetch_histories(
    client: HttpClient, wh: Warehouse, base: str, ids: Iterable[int], fetch: Fetch, size: int
) -> None:
    """History in batches. A batch answered 404 (the spec allows it; whether one unknown id
    sinks a whole batch is not documented) is asked again one id at a time, and an id still
    answered 404 is skipped and listed in fetch.unknown_ids instead of failing the refresh."""
    for batch in batches(ids, size):
        if _get(client, wh, base, HISTORY_PATH, history_query(batch), fetch, missing_ok=True):
            continue
        if len(batch) == 1:
            fetch.unknown_ids.extend(batch)
            continue
        for member_id in batch:
            query = history_query([member_id])
            if _get(client, wh, base, HISTORY_PATH, query, fetch, missing_ok=True) is None:
                fetch.unknown_ids.append(member_id)


# --- refresh snapshots ----------------------------------------------------------------------


def snapshot_dir(wh: Warehouse) -> Path:
    return wh.raw / SOURCE / "refreshes"


def write_snapshot(wh: Warehouse, run_id: str, fetch: Fetch, scope: dict) -> Path:
    """The list of responses of a complete refresh; `scope` says what it asked (its `mode`,
    "full" or "incremental", decides when the next full refresh is due)."""
    body = {
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(),
        "scope": scope,
        "entries": [json.loads(e.to_json()) for e in fetch.entries],
    }
    path = snapshot_dir(wh) / f"{run_id}.json"
    write_atomic(path, json.dumps(body, indent=1).encode())
    return path


def _snapshots(wh: Warehouse) -> list[dict]:
    """Every refresh snapshot, oldest first (by when it was written)."""
    folder = snapshot_dir(wh)
    paths = folder.glob("*.json") if folder.is_dir() else []
    bodies = [(json.loads(p.read_text()), p.name) for p in paths]
    return [b for b, _ in sorted(bodies, key=lambda bn: (bn[0]["written_at"], bn[1]))]


def _seen_entries(wh: Warehouse) -> list[tuple[RawEntry, int]]:
    """Every response of every complete refresh (distinct by raw entry), with the number of the
    newest refresh that saw it: identical bytes fetched again keep their first manifest entry
    (and its ingested_at), so "newest" must come from the refreshes, not the entries."""
    seen: dict[tuple[str, str], tuple[RawEntry, int]] = {}
    for n, snapshot in enumerate(_snapshots(wh), start=1):
        for e in snapshot["entries"]:
            entry = RawEntry.from_json(json.dumps(e))
            seen[entry.raw_sha256, entry.document_key] = (entry, n)
    return sorted(seen.values(), key=lambda es: (es[1], es[0].ingested_at, es[0].raw_sha256))


def snapshot_entries(wh: Warehouse) -> list[RawEntry]:
    """Every response of every complete refresh (distinct by raw entry)."""
    return [e for e, _ in _seen_entries(wh)]


def last_full_refresh(wh: Warehouse) -> datetime | None:
    """When the newest full refresh was written (snapshots without a mode were full)."""
    full = [s for s in _snapshots(wh) if (s.get("scope") or {}).get("mode", "full") == "full"]
    return datetime.fromisoformat(full[-1]["written_at"]) if full else None


def stored_responses(wh: Warehouse) -> tuple[list[Response], list[Response]]:
    """(Search pages, History responses) of every complete refresh, for transforms.members.api."""
    searches, histories = [], []
    for e, seen in _seen_entries(wh):
        resp = Response(raw_zone.read_bytes(wh, e), e.raw_sha256, e.ingested_at, seen)
        path = (e.request or {}).get("path") or e.document_key.split()[1].split("?")[0]
        (searches if path.lower() == SEARCH_PATH.lower() else histories).append(resp)
    return searches, histories


@dataclass(frozen=True)
class StoredMembers:
    """What the stored refreshes already know, for an incremental refresh."""

    search_items: dict[int, str]  # member id → fingerprint of its newest stored Search item
    with_history: set[int]  # members some stored History response holds


def stored_members(wh: Warehouse) -> StoredMembers:
    searches, histories = stored_responses(wh)
    return StoredMembers(search_fingerprints(searches), history_ids(histories))


# --- TheyWorkForYou members files -------------------------------------------------------------


def store_twfy_members(wh: Warehouse, folder: Path) -> tuple[int, int]:
    """Store people.json, people.xml and all-members-2010.xml from a ParlParse members folder
    (or one of those files) byte-for-byte; returns (files found, files new to the raw zone)."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else [folder / n for n in TWFY_MEMBERS_FILES]
    found = new = 0
    for f in files:
        if not f.is_file() or f.name not in TWFY_MEMBERS_FILES:
            continue
        found += 1
        _, is_new = raw_zone.store(wh, TWFY_SOURCE, f.read_bytes(), str(f.resolve()))
        new += is_new
    if not found:
        raise FileNotFoundError(f"no {', '.join(TWFY_MEMBERS_FILES)} in {folder}")
    return found, new


def check_members_file(name: str, data: bytes, where: str) -> None:
    """Raise ValueError naming `where` (a path or URL) and the position if the file does not
    parse as the members file `name`."""
    if name == "people.json":
        parse_people_json(data, where)
        return
    parsed = (parse_people_xml if name == "people.xml" else parse_all_members)(data)
    if isinstance(parsed, LoadError):
        line = f" line {parsed.line}" if parsed.line else ""
        raise ValueError(f"{where}:{line} {parsed.reason}: {parsed.detail}")


@dataclass
class ParlparseFetch:
    """What one fetch of the parlparse members files did. A file that could not be fetched or
    does not parse is an error here, not a failure of the refresh: the last stored copy stays
    in use."""

    stored: list[str] = field(default_factory=list)  # file names fetched and stored (or unchanged)
    new: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)


def fetch_parlparse(
    client: HttpClient, wh: Warehouse, base_url: str, files: Sequence[str] = PARLPARSE_FILES
) -> ParlparseFetch:
    """GET each members file under `base_url` through the one client; store what parses
    byte-for-byte as source twfy_members (original path: the URL)."""
    unknown = set(files) - set(TWFY_MEMBERS_FILES)
    if unknown:
        raise ValueError(f"parlparse files must be among {TWFY_MEMBERS_FILES}: {sorted(unknown)}")
    out = ParlparseFetch()
    for name in files:
        url = f"{base_url.rstrip('/')}/{name}"
        out.requests += 1
        try:
            got = client.get(url)
        except FetchError as e:
            out.errors.append(str(e))
            continue
        if not got.ok:
            out.errors.append(f"GET {url} answered HTTP {got.status}")
            continue
        try:
            check_members_file(name, got.body, url)
        except ValueError as e:
            out.errors.append(f"{e} (not stored)")
            continue
        request = {
            "status": got.status,
            "content_type": got.content_type,
            "fetched_at": got.fetched_at.isoformat(),
        }
        _, is_new = raw_zone.store(wh, TWFY_SOURCE, got.body, url, request=request)
        out.stored.append(name)
        out.new += is_new
    return out
