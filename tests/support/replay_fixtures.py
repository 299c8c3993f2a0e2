"""Recordings for tests.support.replay_server: the route table, and route tables built from the real
corpus (`corpus_routes`) or from our own fixture folder (`fixture_routes`).

`corpus_routes(corpus_dir)` reads, in place, the real extracts under
`<corpus_dir>/hansard-api/extracts/` (corpus_dir is the HANSARD_CORPUS folder): 306 real
`SearchReferencesItem`s of `/search/contributions/Spoken.json` for member 185 and 202 real debate
`Overview`s. It regroups the items by (House, SittingDate) into the per-day pages a client asks
for (`contribution_query`), in the `SearchContributionsQueryResult` envelope, ordered by
(DebateSectionOrder, OrderInDebateSection); adds an empty `Written.json` page per day, the
`/overview/calendar.json` months (the corpus years, an empty list for months without items) and
`/debates/debate/{ExtId}.json` per Overview wrapped as a `Debate` with empty Navigator, Items and
ChildDebates. Everything else (chain neighbours without a recorded Overview, other houses and
years) is a 404: see `CorpusDay.unrecorded_neighbours`.

Two envelope details are inferred, not recorded: the per-type counts are the day's totals
whatever type was asked (the real Spoken envelope reports CorrectionsResultCount 3 beside
TotalResultCount 306), so a Written page says SpokenResultCount N and TotalResultCount 0; and
`SearchTerms` is [] and calendar `Metadata` null (no real calendar body is recorded).

`fixture_routes(folder)` reads `folder/routes.json`::

    {"routes": [{"path": "/overview/calendar.json",
                 "query": {"year": "2031", "month": "2", "house": "Commons"},
                 "status": 200, "body_file": "calendar_2031-02.json"},
                {"path": "/overview/calendar.json", "query": {...}, "body": []}]}

`method` (default GET), `query` (default none) and `status` (default 200) are optional; a body is
either `body_file` (JSON, relative to the folder) or an inline `body`. Bodies are re-serialised
compactly, as the real API sends them.

For recordings too big to hold in memory (bench/generate_api.py writes millions of routes), the
folder may instead hold `routes.jsonl`: the same entries, one JSON object per line. Then only the
route index is kept in memory: a `body_file` is read from disk at each request and sent byte for
byte (so it must already be what the API would send: compact UTF-8 JSON); an inline `body` is
serialised at load as above. `routes.json` wins when a folder has both.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

# The real Hansard API answers `application/json` (no charset; 714/714 calls in the CAPTURE
# request manifest, hansard-api.md §1) with a UTF-8 body, no ETag and no Last-Modified.
JSON_CONTENT_TYPE = "application/json"
JSON_HEADERS = (("Content-Type", JSON_CONTENT_TYPE),)
QUERY_PREFIXES = ("queryparameters.", "queryparams.")
SPOKEN_EXTRACT = (
    "hansard-api/extracts/hansard-api_search-contributions-spoken_result-items_306.json"
)
OVERVIEW_EXTRACT = "hansard-api/extracts/hansard-api_debate-overview-objects_202.json"
PAGE_SIZE = 100
ORDER_BY = "SittingDateAsc"

Query = tuple[tuple[str, str], ...]
RouteKey = tuple[str, str, Query]
QueryLike = Mapping[str, object] | Iterable[tuple[str, object]] | str | None


def json_body(payload: Any) -> bytes:
    """Compact UTF-8 JSON with non-ASCII characters as they are (curly quotes, £, é)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def canonical_path(path: str) -> str:
    return unquote(path).lower()


def canonical_name(name: str) -> str:
    lowered = name.lower()
    for prefix in QUERY_PREFIXES:
        if lowered.startswith(prefix):
            return lowered[len(prefix) :]
    return lowered


def canonical_query(query: QueryLike) -> Query:
    """Sorted (name, value) pairs: names without prefix and lower-cased, values as sent."""
    if query is None:
        pairs: Iterable[tuple[str, object]] = ()
    elif isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, Mapping):
        pairs = query.items()
    else:
        pairs = query
    return tuple(sorted((canonical_name(k), str(v)) for k, v in pairs))


def route_key(method: str, path: str, query: QueryLike) -> RouteKey:
    return method.upper(), canonical_path(path), canonical_query(query)


def route_label(key: RouteKey) -> str:
    method, path, query = key
    qs = "&".join(f"{k}={v}" for k, v in query)
    return f"{method} {path}?{qs}" if qs else f"{method} {path}"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS


@dataclass(frozen=True)
class FileReply:
    """A reply whose body stays on disk until asked for (read at each request, as is)."""

    status: int
    path: Path

    def load(self) -> Reply:
        return Reply(self.status, self.path.read_bytes())


class Routes:
    """The route table: (method, path, query) -> Reply, matched as the module docstring says."""

    def __init__(self) -> None:
        self._table: dict[RouteKey, Reply | FileReply] = {}

    def add(
        self,
        path: str,
        query: QueryLike = None,
        payload: Any = None,
        *,
        status: int = 200,
        method: str = "GET",
    ) -> RouteKey:
        """Record a JSON reply, serialised as the real API does."""
        return self.add_reply(path, query, Reply(status, json_body(payload)), method=method)

    def add_reply(
        self, path: str, query: QueryLike, reply: Reply | FileReply, *, method: str = "GET"
    ) -> RouteKey:
        key = route_key(method, path, query)
        self._table[key] = reply
        return key

    def add_file(
        self, path: str, query: QueryLike, file: Path, *, status: int = 200, method: str = "GET"
    ) -> RouteKey:
        """Record a reply whose body is `file`'s bytes, read at each request (not kept)."""
        return self.add_reply(path, query, FileReply(status, Path(file)), method=method)

    def get(self, key: RouteKey) -> Reply | None:
        reply = self._table.get(key)
        return reply.load() if isinstance(reply, FileReply) else reply

    def lookup(self, method: str, path: str, query: QueryLike = None) -> Reply | None:
        return self.get(route_key(method, path, query))

    def queries_for(self, method: str, path: str, query: QueryLike = None) -> list[str]:
        """Recorded queries for one path, those sharing most parameters with `query` first."""
        wanted, asked = (method.upper(), canonical_path(path)), set(canonical_query(query))
        keys = [k for k in self._table if k[:2] == wanted]
        keys.sort(key=lambda k: (-len(asked & set(k[2])), k))
        return [route_label(k) for k in keys]

    def update(self, other: Routes) -> Routes:
        self._table.update(other._table)
        return self

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[RouteKey]:
        return iter(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table


# -- the requests a client makes, and the bodies the API gives ------------------------------


def contribution_query(house: str, date: str, skip: int, take: int = PAGE_SIZE) -> dict[str, str]:
    """One page of one house-day of contribution search, in the documented (prefixed) names."""
    return {
        "queryParameters.house": house,
        "queryParameters.date": date,
        "queryParameters.take": str(take),
        "queryParameters.skip": str(skip),
        "queryParameters.orderBy": ORDER_BY,
    }


def contribution_path(contribution_type: str) -> str:
    return f"/search/contributions/{contribution_type}.json"


def calendar_query(year: int, month: int, house: str) -> dict[str, str]:
    return {"year": str(year), "month": str(month), "house": house}


def debate_path(ext_id: str) -> str:
    return f"/debates/debate/{ext_id}.json"


def search_envelope(results: list[dict], total: int, counts: Mapping[str, int]) -> dict[str, Any]:
    """`SearchContributionsQueryResult`, keys in Swagger order; `counts` by contribution type."""
    return {
        "SearchTerms": [],
        "SpokenResultCount": counts.get("Spoken", 0),
        "WrittenResultCount": counts.get("Written", 0),
        "CorrectionsResultCount": counts.get("Corrections", 0),
        "DivisionsResultCount": 0,
        "Results": results,
        "TotalResultCount": total,
    }


def calendar_item(house: str, date: str) -> dict[str, Any]:
    return {"House": house, "ItemDate": f"{date}T00:00:00", "Metadata": None}


def debate_body(
    overview: dict,
    navigator: Iterable[dict] = (),
    items: Iterable[dict] = (),
    child_debates: Iterable[dict] = (),
) -> dict[str, Any]:
    return {
        "Overview": overview,
        "Navigator": list(navigator),
        "Items": list(items),
        "ChildDebates": list(child_debates),
    }


def day_pages(
    house: str, date: str, by_type: Mapping[str, list[dict]], page_size: int = PAGE_SIZE
) -> Iterator[tuple[str, dict[str, str], dict[str, Any]]]:
    """(path, query, body) of every search page of one house-day: skip 0, page_size, … (one
    empty page when a type has no items). Items must already be in page order."""
    counts = {kind: len(items) for kind, items in by_type.items()}
    for kind, items in by_type.items():
        for skip in range(0, max(len(items), 1), page_size):
            page = items[skip : skip + page_size]
            body = search_envelope(page, len(items), counts)
            yield contribution_path(kind), contribution_query(house, date, skip, page_size), body


# -- the real corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusDay:
    house: str
    date: str  # YYYY-MM-DD
    items: tuple[dict, ...]  # page order: (DebateSectionOrder, OrderInDebateSection)
    debate_ext_ids: tuple[str, ...]  # the day's DebateSectionExtIds, in page order
    missing_overviews: tuple[str, ...]  # of those, without a recorded Overview (404)
    unrecorded_neighbours: tuple[str, ...]  # Next/Previous links of its Overviews, no Overview


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def corpus_overviews(corpus_dir: Path) -> dict[str, dict]:
    return {o["ExtId"]: o for o in _read_json(Path(corpus_dir) / OVERVIEW_EXTRACT)}


def corpus_days(corpus_dir: Path) -> list[CorpusDay]:
    """The real search items regrouped by (House, SittingDate), in date order."""
    overviews = corpus_overviews(corpus_dir)
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in _read_json(Path(corpus_dir) / SPOKEN_EXTRACT):
        grouped[item["House"], item["SittingDate"][:10]].append(item)
    days = []
    for (house, date), items in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        items.sort(key=lambda i: (i["DebateSectionOrder"], i["OrderInDebateSection"]))
        ext_ids = tuple(dict.fromkeys(i["DebateSectionExtId"] for i in items))
        links = [
            overviews[e][k]
            for e in ext_ids
            if e in overviews
            for k in ("PreviousDebateExtId", "NextDebateExtId")
        ]
        days.append(
            CorpusDay(
                house=house,
                date=date,
                items=tuple(items),
                debate_ext_ids=ext_ids,
                missing_overviews=tuple(e for e in ext_ids if e not in overviews),
                unrecorded_neighbours=tuple(
                    dict.fromkeys(x for x in links if x and x not in overviews)
                ),
            )
        )
    return days


def corpus_routes(corpus_dir: Path) -> Routes:
    """Routes replaying the real recordings (module docstring), read in place."""
    routes = Routes()
    days = corpus_days(corpus_dir)
    for day in days:
        by_type = {"Spoken": list(day.items), "Written": []}
        for path, query, body in day_pages(day.house, day.date, by_type):
            routes.add(path, query, body)
    months: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for day in days:
        months[day.house, int(day.date[:4]), int(day.date[5:7])].append(day.date)
    years = range(min(y for _, y, _ in months), max(y for _, y, _ in months) + 1)
    for house in sorted({day.house for day in days}):
        for year in years:
            for month in range(1, 13):
                dates = months.get((house, year, month), [])
                calendar = [calendar_item(house, d) for d in dates]
                routes.add("/overview/calendar.json", calendar_query(year, month, house), calendar)
    for ext_id, overview in corpus_overviews(corpus_dir).items():
        routes.add(debate_path(ext_id), None, debate_body(overview))
    return routes


# -- our own fixtures ----------------------------------------------------------------------

ROUTE_ENTRY_KEYS = {"method", "path", "query", "status", "body", "body_file"}


def _check_entry(where: str, entry: Any) -> None:
    unknown = set(entry) - ROUTE_ENTRY_KEYS if isinstance(entry, dict) else set()
    if (
        not isinstance(entry, dict)
        or unknown
        or "path" not in entry
        or ("body" in entry) == ("body_file" in entry)
    ):
        raise ValueError(
            f"{where}: needs path and one of body/body_file; unknown keys {sorted(unknown)}"
        )


def fixture_routes(folder: Path) -> Routes:
    """Routes from `folder/routes.json`, else `folder/routes.jsonl` (module docstring)."""
    folder = Path(folder)
    if not (folder / "routes.json").exists() and (folder / "routes.jsonl").exists():
        return _jsonl_routes(folder)
    manifest = _read_json(folder / "routes.json")
    routes = Routes()
    for n, entry in enumerate(manifest["routes"]):
        _check_entry(f"{folder / 'routes.json'} entry {n}", entry)
        body = _read_json(folder / entry["body_file"]) if "body_file" in entry else entry["body"]
        routes.add(
            entry["path"],
            entry.get("query"),
            body,
            status=entry.get("status", 200),
            method=entry.get("method", "GET"),
        )
    return routes


def _jsonl_routes(folder: Path) -> Routes:
    """Routes from `folder/routes.jsonl`, one entry per line; body files stay on disk."""
    routes = Routes()
    with (folder / "routes.jsonl").open(encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            _check_entry(f"{folder / 'routes.jsonl'} line {n}", entry)
            status, method = entry.get("status", 200), entry.get("method", "GET")
            if "body_file" in entry:
                file = folder / entry["body_file"]
                routes.add_file(
                    entry["path"], entry.get("query"), file, status=status, method=method
                )
            else:
                routes.add(
                    entry["path"], entry.get("query"), entry["body"], status=status, method=method
                )
    return routes
