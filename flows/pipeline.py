"""The steps of a transcript-text run, as plain functions (the Prefect flow only sequences them).

discover → store in the raw zone → parse new inputs (pure) → publish tables → manifest → views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl

from flows.core import raw_zone
from flows.core.progress import progress
from flows.core.publish import Partition, publish, read_partition, read_table, stage, staging
from flows.core.quality import GateRules, enforce
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse
from transforms.common.parlparse_members import Members, parse_members_file
from transforms.common.xml_load import LoadError
from transforms.hansard_api import parse as hansard_api
from transforms.pp_text.parse import SOURCE, PageInput, parse_page
from transforms.schema import (
    CONTRIBUTIONS,
    DEBATES,
    DIVISION_VOTES,
    DIVISIONS,
    ID_REDIRECTS,
    RAW_INPUTS,
    REJECTS,
    SOURCES,
    frame,
)
from transforms.twfy_xml import parse as twfy_xml
from transforms.twfy_xml import versions as twfy_versions
from transforms.twfy_xml.files import is_members_file
from transforms.twfy_xml.rows import TwfyInput, make_reject

PARSED_TABLES = (DEBATES, CONTRIBUTIONS, REJECTS, DIVISIONS, DIVISION_VOTES, ID_REDIRECTS)


@dataclass
class Stored:
    entries: list[RawEntry] = field(default_factory=list)
    new: list[RawEntry] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)  # inputs that could not be read

    @property
    def unchanged(self) -> int:
        return len(self.entries) - len(self.new)


@dataclass
class Parsed:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t.name: [] for t in PARSED_TABLES})

    def extend(self, other: Parsed) -> None:
        for name, rows in other.rows.items():
            self.rows[name].extend(rows)

    def count(self, name: str) -> int:
        return len(self.rows[name])


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[dict]]:
    """Expand files, and folders into their *.txt files (recursively, hidden ones skipped)."""
    files: list[Path] = []
    missing: list[dict] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(
                    f
                    for f in p.rglob("*.txt")
                    if f.is_file() and not any(part.startswith(".") for part in f.parts[-2:])
                )
            )
        elif p.is_file():
            files.append(p)
        else:
            missing.append(unreadable(p, "no such file or folder"))
    return files, missing


def fetch_failed(source: str, url: str, reason: str) -> dict:
    """A reject row for a request that gave no usable response (no raw bytes)."""
    return {
        "source": source,
        "source_ref": url,
        "reason": "fetch_failed",
        "detail": f"{url}: {reason}",
        "rejected_at": datetime.now(UTC),
        "raw_sha256": None,
    }


def unreadable(path: Path, why: str, source: str = SOURCE) -> dict:
    """A reject row for an input that could not be read at all (no raw bytes)."""
    ref = str(path.resolve())
    return {
        "source": source,
        "source_ref": ref,
        "reason": "unreadable",
        "detail": f"{ref}: cannot be read: {why}",
        "rejected_at": datetime.now(UTC),
        "raw_sha256": None,
    }


def store_files(wh: Warehouse, files: Sequence[Path], source: str = SOURCE) -> Stored:
    """Store each file byte-for-byte in the raw zone of `source`; unreadable ones are rejects."""
    out = Stored()
    for f in progress(files, len(files), "storing raw inputs"):
        try:
            data = f.read_bytes()
        except OSError as e:
            out.rejects.append(unreadable(f, e.strerror or str(e), source))
            continue
        entry, is_new = raw_zone.store(wh, source, data, str(f.resolve()))
        out.entries.append(entry)
        if is_new:
            out.new.append(entry)
    return out


def parse_entries(wh: Warehouse, entries: Sequence[RawEntry]) -> Parsed:
    parsed = Parsed()
    for e in progress(entries, len(entries), "parsing pages"):
        page = PageInput(raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at)
        result = parse_page(page)
        parsed.rows["debates"].extend(result.debates)
        parsed.rows["contributions"].extend(result.contributions)
        parsed.rows["rejects"].extend(result.rejects)
    return parsed


def superseded(all_entries: list[RawEntry]) -> set[tuple[str, str]]:
    """(raw_sha256, document_key) of inputs whose document has a newer input."""
    current = {_ident(e) for e in raw_zone.current(all_entries).values()}
    return {_ident(e) for e in all_entries} - current


def _ident(e: RawEntry) -> tuple[str, str]:
    return e.raw_sha256, e.document_key


def publish_parsed(
    wh: Warehouse,
    parsed: Parsed,
    *,
    replace: Sequence[Mapping[str, object]] = (),
    rules: GateRules | None = None,
) -> list[tuple[str, Partition]]:
    """Publish every parsed table together: all are staged, the quality gate checks them,
    then all are swapped in. Partitions matching `replace` are rewritten from `parsed`."""
    frames = {t.name: frame(t, parsed.rows[t.name]) for t in PARSED_TABLES}
    with staging(wh) as plan:
        for table in PARSED_TABLES:
            stage(wh, table, frames[table.name], plan, replace=replace)
        enforce(wh, plan, frames, rules or GateRules())
    return [(item.table, item.part) for item in plan.commit()]


def _manifest_row(e: RawEntry) -> dict:
    return {
        "source": e.source,
        "raw_sha256": e.raw_sha256,
        "document_key": e.document_key,
        "original_path": e.original_path,
        "http_status": (e.request or {}).get("status"),
        "content_type": (e.request or {}).get("content_type"),
        "raw_path": e.raw_path,
        "bytes": e.bytes,
        "ingested_at": e.ingested_at,
        "is_current": True,  # set below
    }


def _with_current(df: pl.DataFrame) -> pl.DataFrame:
    """is_current as raw_zone.current decides it: per document, the newest input (by
    ingested_at, then hash) is current."""
    df = df.sort(["ingested_at", "raw_sha256"], maintain_order=True).with_row_index("_i")
    newest = pl.col("_i") == pl.col("_i").max().over("document_key")
    return df.with_columns(newest.alias("is_current")).drop("_i")


def manifest_rows(wh: Warehouse, source: str) -> pl.DataFrame:
    """raw_inputs rows of one source: the published ones plus the manifests not yet in them
    (only those are read), or every manifest read again when the two disagree (a crashed run
    can leave either behind)."""
    names = raw_zone.manifest_names(wh, source)
    old = read_partition(wh, RAW_INPUTS, (source,))
    known = {
        i
        for s, k in zip(old["raw_sha256"], old["document_key"], strict=True)
        for i in raw_zone.entry_ids(s, k)
    }
    new = frame(
        RAW_INPUTS, [_manifest_row(e) for e in raw_zone.read_entries(wh, source, names - known)]
    )
    rows = pl.concat([old, new])
    if rows.height != len(names):
        rows = frame(RAW_INPUTS, [_manifest_row(e) for e in raw_zone.entries(wh, source)])
    return _with_current(rows)


def publish_manifest(wh: Warehouse) -> None:
    """raw_inputs is a full copy of the raw zone's manifest, current flags recomputed. Only
    manifests not yet published are read, so a run's cost does not grow with the raw zone."""
    rows = pl.concat([manifest_rows(wh, source) for source in SOURCES])
    publish(wh, RAW_INPUTS, rows, replace=[{}])


def table_counts(wh: Warehouse) -> dict[str, int]:
    return {t.name: read_table(wh, t).height for t in PARSED_TABLES}


def parse_api_entries(wh: Warehouse, entries: Sequence[RawEntry]) -> Parsed:
    """Parse stored Hansard API responses (search pages and debate bodies; calendars carry
    no rows), then merge each debate's rows from several responses into one."""
    parsed = Parsed()
    for e in progress(entries, len(entries), "parsing API responses"):
        path = urlsplit(e.original_path).path.lower()
        if path.startswith("/search/contributions/"):
            parse = hansard_api.parse_search_page
        elif path.startswith("/debates/debate/"):
            parse = hansard_api.parse_debate
        else:
            continue
        api_input = hansard_api.ApiInput(
            raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at
        )
        result = parse(api_input)
        parsed.rows["debates"].extend(result.debates)
        parsed.rows["contributions"].extend(result.contributions)
        parsed.rows["rejects"].extend(result.rejects)
    parsed.rows["debates"] = hansard_api.combine_debates(parsed.rows["debates"])
    return parsed


def twfy_members(wh: Warehouse, entries: Sequence[RawEntry]) -> tuple[Members, list[dict]]:
    """The members index from the newest stored copy of each members file (people.xml,
    all-members-2010.xml) among `entries`, and rejects for any that cannot be read."""
    newest: dict[str, RawEntry] = {}
    for e in sorted(entries, key=lambda e: (e.ingested_at, e.raw_sha256)):
        if is_members_file(e.original_path):
            newest[Path(e.original_path).name] = e
    members, rejects = Members(), []
    for name, e in sorted(newest.items()):
        parsed = parse_members_file(name, raw_zone.read_bytes(wh, e))
        if isinstance(parsed, LoadError):
            where = TwfyInput(b"", e.original_path, e.raw_sha256, e.ingested_at)
            rejects.append(make_reject(where, parsed.line, parsed.reason, parsed.detail))
        else:
            members = members.merge(parsed)
    return members, rejects


def parse_twfy_entries(wh: Warehouse, entries: Sequence[RawEntry]) -> Parsed:
    """Parse stored TheyWorkForYou XML: member ids resolved with the members files among
    `entries`, and each day derived from all its stored versions (the latest published,
    redirects from every version; transforms.twfy_xml.versions). Give every version of a day."""
    members, rejects = twfy_members(wh, entries)
    days = [e for e in entries if not is_members_file(e.original_path)]
    results = [
        twfy_xml.parse_file(
            TwfyInput(raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at),
            members,
        )
        for e in progress(days, len(days), "parsing TheyWorkForYou XML")
    ]
    parsed = Parsed()
    for name, rows in twfy_versions.derive(results).items():
        parsed.rows[name].extend(rows)
    parsed.rows["rejects"].extend(rejects)
    return parsed
