"""The published files of tables, as tests compare them: keyed by table and partition folder
(the file names are fresh per commit; a partition's content is what must match)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from flows.core.publish import live_files
from flows.core.warehouse import Warehouse
from transforms.schema import TABLES


def live_by_folder(wh: Warehouse, name: str) -> dict[str, Path]:
    """`<table>/<key=value>/…` → the partition's published file."""
    return {
        f.parent.relative_to(wh.tables).as_posix(): f for f in live_files(wh, TABLES[name]).values()
    }


def file_hashes(wh: Warehouse, names: Iterable[str]) -> dict[str, str]:
    """Every published partition of the named tables → its file's sha256."""
    return {
        folder: hashlib.sha256(f.read_bytes()).hexdigest()
        for name in names
        for folder, f in live_by_folder(wh, name).items()
    }
