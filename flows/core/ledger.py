"""The ledger: which work items of a source are published, and from which raw inputs.

A run records each committed group of work items here *after* its tables are swapped in, so an
item the ledger does not know as it is now (key → the sha256s of its raw inputs) is pending:
stored in the raw zone but not (or not completely) published. The next run parses it again;
publishing is idempotent (rows merge by key), so an item committed twice is never doubled.

Storage: `state/ledger/<source>/<seq>.json`, one small file per commit, read in name order (a
later file wins per key; a `replace` file starts afresh, as a rebuild does). Files are written
atomically and compacted into one when there are many; a crash between writing the compacted
file and deleting the old ones leaves the same answer.

`raw_state` is a cheap fingerprint of the source's raw-zone manifests and snapshots (names,
sizes and mtimes, nothing read): stored when a run leaves nothing pending, it lets the next run
skip the work out when the raw zone has not changed since.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from flows.core.lock import exclusive
from flows.core.warehouse import Warehouse, write_atomic

COMPACT_AFTER = 32  # files


def ledger_dir(wh: Warehouse, source: str) -> Path:
    return wh.root / "state" / "ledger" / source


def _name() -> str:
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))


def load(wh: Warehouse, source: str) -> dict[str, tuple[str, ...]]:
    """Work item key → the raw sha256s it was last published from."""
    while True:
        published: dict[str, tuple[str, ...]] = {}
        try:
            for path in _files(ledger_dir(wh, source)):
                body = json.loads(path.read_text())
                if body.get("replace"):
                    published = {}
                published.update((k, tuple(v)) for k, v in body["items"].items())
        except FileNotFoundError:  # compacted by another run meanwhile: its file has it all
            continue
        return published


def record(
    wh: Warehouse,
    source: str,
    items: Iterable[tuple[str, tuple[str, ...]]],
    *,
    replace: bool = False,
) -> None:
    """Add (key, shas) pairs; with `replace`, they are the whole ledger from now on. Runs of
    one source record one at a time (a compaction must not drop another run's new file)."""
    folder = ledger_dir(wh, source)
    body = {"replace": replace, "items": {k: list(v) for k, v in items}}
    with exclusive(folder.parent / f"{source}.lock"):
        write_atomic(folder / _name(), json.dumps(body, separators=(",", ":")).encode())
        old = _files(folder)
        if replace:
            for path in old[:-1]:
                path.unlink(missing_ok=True)
        elif len(old) > COMPACT_AFTER:
            compact(wh, source)


def compact(wh: Warehouse, source: str) -> None:
    folder = ledger_dir(wh, source)
    old = _files(folder)
    merged = load(wh, source)
    body = {"replace": True, "items": {k: list(v) for k, v in merged.items()}}
    write_atomic(folder / _name(), json.dumps(body, separators=(",", ":")).encode())
    for path in old:
        path.unlink(missing_ok=True)


def raw_state(wh: Warehouse, raw_sources: Iterable[str]) -> str:
    """A fingerprint of everything but the objects under raw/<r>/ for each raw source: names,
    sizes and mtimes of manifests and snapshots, nothing read. Another writer's file in the
    making (`.name.….tmp`, renamed away at any moment) is not part of it."""
    digest = hashlib.sha256()
    for raw in sorted(raw_sources):
        base = wh.raw / raw
        if not base.is_dir():
            continue
        for top in sorted(p.name for p in os.scandir(base) if p.is_dir() and p.name != "objects"):
            for folder, dirnames, filenames in os.walk(base / top):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.startswith("."):  # a write in flight (warehouse.write_atomic)
                        continue
                    path = Path(folder) / name
                    try:
                        st = path.stat()
                    except FileNotFoundError:  # gone since listed: not part of the state
                        continue
                    rel = path.relative_to(base).as_posix()
                    digest.update(f"{raw}/{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _state_file(wh: Warehouse, source: str) -> Path:
    return ledger_dir(wh, source).parent / f"{source}.raw-state"


def settled(wh: Warehouse, source: str, state: str) -> bool:
    """Whether the last run left nothing pending for this raw-zone state."""
    path = _state_file(wh, source)
    return path.exists() and path.read_text() == state


def settle(wh: Warehouse, source: str, state: str | None) -> None:
    """Remember that nothing is pending for `state` (None: forget, something may be)."""
    path = _state_file(wh, source)
    if state is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, state.encode())
