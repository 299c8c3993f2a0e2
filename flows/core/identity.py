"""The ParlParse members files in the raw zone, and the `twfy_people` table made from them.

ParlParse's `people.json`, `people.xml` and `all-members-2010.xml` map TheyWorkForYou ids
(persons, Commons memberships, Lords memberships) to Parliament member ids. More than one
source stores them (a TheyWorkForYou mirror carries them; a members refresh fetches them): each
source names the raw-zone folders where it keeps them (`Source.identity_raw`), and the newest
stored copy of each file, whichever source stored it, is the one in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from flows.core import manifest, raw_zone
from flows.core.publish import read_table, stage, staging
from flows.core.quality import GateRules, enforce
from flows.core.raw_zone import RawEntry
from flows.core.warehouse import Warehouse
from transforms.common.parlparse_people import People, merge_people, parse_people_xml, people_rows
from transforms.common.parlparse_people_json import parse_people_json
from transforms.common.xml_load import LoadError
from transforms.schema import TWFY_PEOPLE, frame

MEMBERS_FILES = ("people.json", "people.xml", "all-members-2010.xml")


def is_members_file(path: str) -> bool:
    return Path(path).name in MEMBERS_FILES


def newest_files(wh: Warehouse, raw_sources: Iterable[str]) -> dict[str, RawEntry]:
    """File name → the newest stored copy of each members file in these raw-zone folders."""
    found: list[RawEntry] = []
    for raw in raw_sources:
        rows = manifest.rows(wh, raw)
        names = rows["original_path"].map_elements(lambda p: Path(p).name, return_dtype=pl.String)
        found += manifest.entries_of(rows.filter(names.is_in(list(MEMBERS_FILES))))
    newest: dict[str, RawEntry] = {}
    for e in sorted(found, key=lambda e: (e.ingested_at, e.raw_sha256)):
        newest[Path(e.original_path).name] = e
    return newest


def _people(wh: Warehouse, newest: dict[str, RawEntry]) -> People | None:
    """people.json and people.xml, merged when both are stored (people.json wins for every id
    it lists: `transforms.common.parlparse_people.merge_people`)."""
    found = []
    for name in ("people.json", "people.xml"):
        entry = newest.get(name)
        if entry is None:
            continue
        data = raw_zone.read_bytes(wh, entry)
        if name == "people.json":
            parsed: People | LoadError = parse_people_json(data, entry.original_path)
        else:
            parsed = parse_people_xml(data)
        if isinstance(parsed, LoadError):
            line = f" line {parsed.line}" if parsed.line else ""
            raise ValueError(f"{entry.original_path}:{line} {parsed.reason}: {parsed.detail}")
        found.append(parsed.from_file(entry.raw_sha256))
    if len(found) == 2:
        return merge_people(found[0], found[1])
    return found[0] if found else None


def twfy_rows(wh: Warehouse, newest: dict[str, RawEntry]) -> list[dict]:
    """twfy_people from the newest stored people.json, people.xml and all-members-2010.xml
    (each if any)."""
    all_entry = newest.get("all-members-2010.xml")
    rows = people_rows(
        _people(wh, newest),
        None,
        raw_zone.read_bytes(wh, all_entry) if all_entry else None,
        all_entry.raw_sha256 if all_entry else None,
    )
    if isinstance(rows, LoadError):
        raise ValueError(f"all-members-2010.xml: {rows.reason}: {rows.detail}")
    return rows


def current_people(wh: Warehouse, raw_sources: Iterable[str]) -> tuple[list[dict], bool]:
    """(twfy_people rows, whether they come from stored files): derived from the newest stored
    members files when there are any (deriving takes a fraction of a second), else as
    published."""
    newest = newest_files(wh, raw_sources)
    if newest:
        return twfy_rows(wh, newest), True
    return read_table(wh, TWFY_PEOPLE).to_dicts(), False


def publish_people(wh: Warehouse, rows: list[dict]) -> int:
    """Replace twfy_people (unchanged: nothing written); returns partitions written."""
    frames = {TWFY_PEOPLE.name: frame(TWFY_PEOPLE, rows)}
    with staging(wh) as plan:
        stage(wh, TWFY_PEOPLE, frames[TWFY_PEOPLE.name], plan, replace=[{}])
        enforce(wh, plan, frames, GateRules(max_shrink=1.0))
    return len(plan.commit(wh))


def refresh_people(wh: Warehouse, raw_sources: Iterable[str]) -> tuple[list[dict], int]:
    """Bring twfy_people up to date with the stored members files; (rows, partitions written)."""
    rows, stored = current_people(wh, tuple(raw_sources))
    return rows, (publish_people(wh, rows) if stored else 0)
