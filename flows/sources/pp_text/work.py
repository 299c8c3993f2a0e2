"""Transcript text: what a run stores, the work items the raw zone holds, and their parse.

One work item per document (its `URL:` line, else its path): the document's current version.
A new document merges its rows in; a document whose current version changed supersedes the
older one, and then every table of the source is re-derived from the current versions (a row
kept from the old version may have stood for a row of another page, deduplicated away, so
dropping the old version's rows alone would lose it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flows.core import manifest, raw_zone
from flows.core.inputs import acquired_files, store_files, walk
from flows.core.source import Acquired, Job, Plan, Published, Rows, WorkItem, pending_plan
from flows.core.warehouse import Warehouse
from transforms.pp_text.parse import SOURCE, PageInput, parse_page


def acquire(ctx: Any, paths: list[str]) -> Acquired:  # noqa: ANN401
    """Store every file under `paths` (folders: their *.txt files) in the raw zone."""
    walked = walk(paths, "*.txt", lambda f: True)
    stored = store_files(ctx.wh, SOURCE, walked.files, ctx.executor, ctx.in_flight)
    return acquired_files(walked, stored, SOURCE)


def items(wh: Warehouse) -> Iterator[WorkItem]:
    """The current version of every document, oldest first."""
    for e in manifest.current_entries(wh, SOURCE):
        yield WorkItem(key=e.document_key, entries=(e,))


def plan(found: Iterable[WorkItem], published: Published) -> Plan:
    """The pending pages; every page, replacing the source's rows, when one of them is a
    newer version of a published page. `found` is walked (at most twice), never listed."""
    replaced = sum(1 for i in found if i.key in published and published[i.key] != i.shas)
    if replaced:
        note = f"{replaced} document(s) replaced by a newer version; tables re-derived from raw"
        return Plan(found, replace=True, note=note)
    return pending_plan(found, published)


def parse(wh: Warehouse, item: WorkItem) -> Rows:
    (e,) = item.entries
    result = parse_page(
        PageInput(raw_zone.read_bytes(wh, e), e.original_path, e.raw_sha256, e.ingested_at)
    )
    return {
        "debates": result.debates,
        "contributions": result.contributions,
        "rejects": result.rejects,
    }


def daily(settings: Any, wh: Warehouse) -> Job | None:  # noqa: ANN401
    """New pages in the inbox folder, when there is one."""
    inbox = Path(settings.inbox)
    if not inbox.is_dir():
        return None
    return Job(SOURCE, "ingest", {"paths": [str(inbox)]}, str(wh.root))
