"""The raw zone: every input stored byte-for-byte, content-addressed, with a manifest entry.

Layout: raw/<source>/objects/<sha[:2]>/<sha><suffix> holds the bytes; raw/<source>/manifest/
<entry>.json describes them (original path or URL, document key, size, ingested_at, and for
HTTP responses the request: params, status, content type, scope). Files are entered by content
(<sha>.json: the same bytes from another path are a no-op); HTTP responses by request and
content (<sha>-<key hash>.json: two requests may return identical bytes, and each request's
history matters). Objects are never rewritten, and every table can be rebuilt from here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flows.core.warehouse import Warehouse, write_atomic


@dataclass(frozen=True)
class RawEntry:
    source: str
    raw_sha256: str
    document_key: str
    original_path: str
    raw_path: str  # relative to the warehouse root
    bytes: int
    ingested_at: datetime
    request: dict | None = None  # HTTP responses: params, status, content_type, scope

    def to_json(self) -> str:
        data = {f: getattr(self, f) for f in FIELDS}  # as asdict, without its deep copies
        data["ingested_at"] = self.ingested_at.isoformat()
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RawEntry:
        data = json.loads(text)
        for name in ("original_path", "document_key"):  # a manifest from before names were checked
            data[name] = shown(data[name])
        return cls(**data | {"ingested_at": datetime.fromisoformat(data["ingested_at"])})


def shown(text: str) -> str:
    """`text` as valid UTF-8: a file name's undecodable bytes (Python's surrogate escapes)
    written as \\xNN, so a name can always be stored, shown and put in a table."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


FIELDS = tuple(f.name for f in fields(RawEntry))


def document_key(data: bytes, original_path: str) -> str:
    """A page's identity: its "URL: …" first line when it has one, else where it was read."""
    first = data[:2048].split(b"\n", 1)[0].strip()
    if first.startswith(b"URL: "):
        return first[5:].decode("utf-8", "replace").strip()
    return original_path


def _manifest_path(wh: Warehouse, source: str, sha: str) -> Path:
    return wh.raw / source / "manifest" / f"{sha}.json"


def store(
    wh: Warehouse,
    source: str,
    data: bytes,
    original_path: str,
    *,
    key: str | None = None,
    request: dict | None = None,
    sha256: str | None = None,
    ingested_at: datetime | None = None,
) -> tuple[RawEntry, bool]:
    """Store `data`; returns its entry and whether it is new (bytes, or bytes for this `key`).

    Files pass no key (their identity comes from the content). HTTP responses pass the request
    as `key`, so the same bytes answering two requests make two entries.
    """
    sha = sha256 or hashlib.sha256(data).hexdigest()
    entry_id = sha if key is None else f"{sha}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    manifest = _manifest_path(wh, source, entry_id)
    if manifest.exists():
        known = RawEntry.from_json(manifest.read_text())
        obj = wh.root / known.raw_path
        if not obj.exists() or obj.stat().st_size != len(data):  # lost or cut: put back
            write_atomic(obj, data)
        return known, False
    named = original_path if key is None else urlsplit(original_path).path
    suffix = Path(named).suffix[:8] or (".json" if key else ".bin")
    rel = Path("raw") / source / "objects" / sha[:2] / f"{sha}{suffix}"
    if not (wh.root / rel).exists():
        write_atomic(wh.root / rel, data)
    entry = RawEntry(
        source=source,
        raw_sha256=sha,
        document_key=key or document_key(data, original_path),
        original_path=original_path,
        raw_path=rel.as_posix(),
        bytes=len(data),
        ingested_at=ingested_at or datetime.now(UTC),
        request=request,
    )
    write_atomic(manifest, entry.to_json().encode())
    return entry, True


def entries(wh: Warehouse, source: str) -> list[RawEntry]:
    folder = wh.raw / source / "manifest"
    if not folder.is_dir():
        return []
    return sorted(
        (RawEntry.from_json(p.read_text()) for p in folder.glob("*.json")),
        key=lambda e: (e.ingested_at, e.raw_sha256),
    )


def manifest_names(wh: Warehouse, source: str) -> set[str]:
    """The entry ids of every manifest of `source` (file names, nothing read)."""
    folder = wh.raw / source / "manifest"
    if not folder.is_dir():
        return set()
    with os.scandir(folder) as found:  # names only: cheap for 10^5 manifests
        return {e.name[: -len(".json")] for e in found if e.name.endswith(".json")}


def entry_ids(raw_sha256: str, document_key: str) -> tuple[str, str]:
    """The two ids an entry of these bytes and key can have: unkeyed (a file) and keyed (an
    HTTP request), as `store` names them."""
    return raw_sha256, f"{raw_sha256}-{hashlib.sha256(document_key.encode()).hexdigest()[:16]}"


def read_entries(wh: Warehouse, source: str, ids: Iterable[str]) -> Iterator[RawEntry]:
    """The entries of these ids, one at a time (in id order)."""
    return (RawEntry.from_json(_manifest_path(wh, source, i).read_text()) for i in sorted(ids))


def current(all_entries: list[RawEntry]) -> dict[str, RawEntry]:
    """The newest entry per document key (later ingest wins; ties by hash)."""
    latest: dict[str, RawEntry] = {}
    for e in all_entries:  # sorted oldest first
        latest[e.document_key] = e
    return latest


class CorruptObject(ValueError):
    """A raw object whose bytes are not the ones stored (missing, or changed on disk)."""

    def __init__(self, entry: RawEntry, why: str) -> None:
        super().__init__(
            f"raw object {entry.raw_path} of {entry.original_path}: {why}; restore it (a "
            "missing or cut object is put back by ingesting the input again), then run "
            "`hansard rebuild`"
        )
        self.entry, self.why = entry, why


def read_bytes(wh: Warehouse, entry: RawEntry) -> bytes:
    """An object's bytes, checked against its sha256 (a flipped bit is never parsed)."""
    try:
        data = (wh.root / entry.raw_path).read_bytes()
    except FileNotFoundError:
        raise CorruptObject(entry, "missing") from None
    got = hashlib.sha256(data).hexdigest()
    if got != entry.raw_sha256:
        raise CorruptObject(entry, f"its sha256 is {got}, not {entry.raw_sha256}")
    return data
