"""TheyWorkForYou / ParlParse XML over HTTP: the public `scrapedxml` directory listings.

TheyWorkForYou serves each ParlParse folder as an Apache-style HTML index
(`<base>/scrapedxml/<folder>/`, base `https://www.theyworkforyou.com/pwdata`; twfy-xml.md A1).
A run lists every requested folder, picks the day files whose sitting date (for a Public Bill
Committee file the last date in its name) lies in [start, end] — every version a, b, … of each
such day, so versions are handled exactly as for a mirror folder — and GETs each one not
already in the raw zone. All requests go through `flows.core.http.HttpClient` (rate limit,
concurrency cap, retries with backoff).

Raw zone: each file body is stored under `twfy_xml` byte for byte, keyed by its request
(`GET /scrapedxml/<folder>/<name>?`, independent of the host, so a mirror of the same tree is
the same request) with the request metadata (status, content type, fetched_at, scope). The
listing pages are stored too, in their own raw-zone folder `twfy_listing` (so `twfy_xml`
holds day files and members files only); both are `raw_inputs` partitions. A file whose
version is already stored is not fetched again: ParlParse never rewrites a version in place,
it writes the next letter.

Publishing is the engine's, as for a mirror folder: every day whose stored versions are not
published as they are now is re-derived from all of them. A request that fails (an HTTP error
status, or retries exhausted) becomes a `fetch_failed` reject naming the URL; the rest of the
run goes on.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from flows.core import manifest, raw_zone
from flows.core.http import Fetched, FetchError, HttpClient
from flows.core.inputs import Stored, fetch_failed, request_key
from flows.core.warehouse import Warehouse
from transforms.twfy_xml.files import SOURCE, DayFile, day_file

LISTING_SOURCE = "twfy_listing"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


def listed_files(listing_url: str, html: str) -> list[tuple[str, DayFile]]:
    """(absolute URL, day file) for each link of an index page that names a day file directly
    in the listed folder; sort links (`?C=M;O=A`), the parent folder and other names are
    ignored. Each file once, in listing order."""
    parser = _Links()
    parser.feed(html)
    folder = urlsplit(listing_url).path
    folder = folder if folder.endswith("/") else folder + "/"
    seen: dict[str, tuple[str, DayFile]] = {}
    for href in parser.hrefs:
        url = urljoin(listing_url if listing_url.endswith("/") else listing_url + "/", href)
        parts = urlsplit(url)
        if parts.query or parts.fragment or not parts.path.startswith(folder):
            continue
        name = unquote(parts.path[len(folder) :])
        if "/" in name:
            continue
        named = day_file(name)
        if isinstance(named, DayFile) and url not in seen:
            seen[url] = (url, named)
    return list(seen.values())


def in_range(files: list[tuple[str, DayFile]], start: date, end: date) -> list[tuple[str, DayFile]]:
    return [(u, f) for u, f in files if start <= f.sitting_date <= end]


def _failure(url: str, reason: str) -> dict:
    return fetch_failed(SOURCE, url, reason)


def _request(got: Fetched, scope: dict) -> dict:
    return {
        "params": got.params,
        "status": got.status,
        "content_type": got.content_type,
        "fetched_at": got.fetched_at.isoformat(),
        "attempts": got.attempts,
        "scope": scope,
    }


def _rel_path(base_url: str, url: str) -> str:
    """The request path below the base (`/scrapedxml/debates/x.xml`): the raw-zone key."""
    base = urlsplit(base_url).path.rstrip("/")
    path = urlsplit(url).path
    return path[len(base) :] if base and path.startswith(base + "/") else path


@dataclass
class FetchResult:
    stored: Stored = field(default_factory=Stored)
    listed: int = 0  # day files in range across the listings
    skipped: int = 0  # in range but already in the raw zone
    failures: list[dict] = field(default_factory=list)


def _get(client: HttpClient, url: str) -> Fetched | dict:
    try:
        got = client.get(url)
    except FetchError as e:
        return _failure(e.url, str(e))
    return got if got.ok else _failure(got.url, f"HTTP {got.status}")


def fetch_listings(
    wh: Warehouse,
    client: HttpClient,
    base_url: str,
    folders: list[str],
    start: date,
    end: date,
) -> tuple[list[tuple[str, str, DayFile]], list[dict]]:
    """(folder, URL, day file) of every file in range, and failures of listing requests."""
    wanted: list[tuple[str, str, DayFile]] = []
    failures: list[dict] = []
    for folder in folders:
        url = f"{base_url.rstrip('/')}/scrapedxml/{folder}/"
        got = _get(client, url)
        if isinstance(got, dict):
            failures.append(got)
            continue
        scope = {"folder": folder, "from": start.isoformat(), "to": end.isoformat()}
        key = request_key(_rel_path(base_url, got.url), got.params)
        raw_zone.store(wh, LISTING_SOURCE, got.body, got.url, key=key, request=_request(got, scope))
        html = got.body.decode("utf-8", "replace")
        wanted.extend((folder, u, f) for u, f in in_range(listed_files(got.url, html), start, end))
    return wanted, failures


def fetch_files(
    wh: Warehouse,
    client: HttpClient,
    base_url: str,
    wanted: list[tuple[str, str, DayFile]],
    workers: int,
) -> FetchResult:
    """GET each wanted file not yet stored (up to `workers` at once), store it raw."""
    out = FetchResult(listed=len(wanted))
    rows = manifest.rows(wh, SOURCE)
    have = set(rows.filter(rows["http_status"].is_not_null())["document_key"].to_list())
    todo = []
    for folder, url, named in wanted:
        if request_key(_rel_path(base_url, url), {}) in have:
            out.skipped += 1
        else:
            todo.append((folder, url, named))
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="twfy-get") as pool:
        results = pool.map(lambda item: _get(client, item[1]), todo)
        for (folder, _, named), got in zip(todo, results, strict=True):
            if isinstance(got, dict):
                out.failures.append(got)
                continue
            scope = {"folder": folder, "date": named.sitting_date.isoformat()}
            key = request_key(_rel_path(base_url, got.url), got.params)
            _, is_new = raw_zone.store(
                wh, SOURCE, got.body, got.url, key=key, request=_request(got, scope)
            )
            out.stored.add(is_new)
    return out
