"""The raw zone: every input stored byte-for-byte, content-addressed, with a manifest entry.

Layout: raw/<source>/objects/<sha[:2]>/<sha><suffix> holds the bytes; raw/<source>/manifest/
<sha>.json describes them (original path, document key, size, ingested_at). Objects are never
rewritten, so storing identical bytes again is a no-op, and every table can be rebuilt from here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows.warehouse import Warehouse, write_atomic


@dataclass(frozen=True)
class RawEntry:
    source: str
    raw_sha256: str
    document_key: str
    original_path: str
    raw_path: str  # relative to the warehouse root
    bytes: int
    ingested_at: datetime

    def to_json(self) -> str:
        data = asdict(self) | {"ingested_at": self.ingested_at.isoformat()}
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RawEntry:
        data = json.loads(text)
        return cls(**data | {"ingested_at": datetime.fromisoformat(data["ingested_at"])})


def document_key(data: bytes, original_path: str) -> str:
    """A page's identity: its "URL: …" first line when it has one, else where it was read."""
    first = data[:2048].split(b"\n", 1)[0].strip()
    if first.startswith(b"URL: "):
        return first[5:].decode("utf-8", "replace").strip()
    return original_path


def _manifest_path(wh: Warehouse, source: str, sha: str) -> Path:
    return wh.raw / source / "manifest" / f"{sha}.json"


def store(wh: Warehouse, source: str, data: bytes, original_path: str) -> tuple[RawEntry, bool]:
    """Store `data`; returns its entry and whether the bytes were new to the raw zone."""
    sha = hashlib.sha256(data).hexdigest()
    manifest = _manifest_path(wh, source, sha)
    if manifest.exists():
        return RawEntry.from_json(manifest.read_text()), False
    suffix = Path(original_path).suffix[:8] or ".bin"
    rel = Path("raw") / source / "objects" / sha[:2] / f"{sha}{suffix}"
    write_atomic(wh.root / rel, data)
    entry = RawEntry(
        source=source,
        raw_sha256=sha,
        document_key=document_key(data, original_path),
        original_path=original_path,
        raw_path=rel.as_posix(),
        bytes=len(data),
        ingested_at=datetime.now(UTC),
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


def current(all_entries: list[RawEntry]) -> dict[str, RawEntry]:
    """The newest entry per document key (later ingest wins; ties by hash)."""
    latest: dict[str, RawEntry] = {}
    for e in all_entries:  # sorted oldest first
        latest[e.document_key] = e
    return latest


def read_bytes(wh: Warehouse, entry: RawEntry) -> bytes:
    return (wh.root / entry.raw_path).read_bytes()
