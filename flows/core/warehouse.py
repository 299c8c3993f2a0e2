"""Where everything lives under one warehouse root.

Every path the pipeline reads or writes is derived here, so moving the warehouse (or, later,
pointing it at an object store) changes one place. Staging and trash live under the root but
outside every table's dataset directory, so no reader ever globs a half-written file.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flows.core import faults

DEFAULT_ROOT = "warehouse"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def local_root(value: str) -> str:
    """A warehouse root must be a local folder for now: `s3://…` (or any URL) would otherwise
    become a folder named `s3:` in the working directory, silently."""
    if _URL.match(value):
        raise ValueError(
            f"warehouse root {value!r} is a URL: object storage is not supported yet, the "
            "warehouse must be a local folder (a path)"
        )
    return value


@dataclass(frozen=True)
class Warehouse:
    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str] | None = None) -> Warehouse:
        chosen = root or os.environ.get("HANSARD_WAREHOUSE") or DEFAULT_ROOT
        return cls(Path(local_root(os.fspath(chosen))).expanduser().resolve())

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def tables(self) -> Path:
        return self.root / "tables"

    def table_dir(self, name: str) -> Path:
        return self.tables / name

    @property
    def staging(self) -> Path:
        return self.root / "_staging"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "hansard.duckdb"

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file so that readers see the old or the new content, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # unique per writer thread
    try:
        tmp.write_bytes(data)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no part-written file behind
        raise
    faults.step(f"replace {path.name}")
    os.replace(tmp, path)


FULL_BYTES = 1 << 20  # less free space than this: a failed write is a full disk


@contextmanager
def disk_errors(path: Path) -> Iterator[None]:
    """A write by a library that does not say "disk full" as an OSError (polars reports a
    Parquet "transport error", DuckDB an IOException): raised as the OSError ENOSPC it is
    when the disk holding `path` has no room left, so the run says so like any write."""
    try:
        yield
    except OSError:
        raise
    except Exception as e:
        try:
            free = shutil.disk_usage(path if path.exists() else path.parent).free
        except OSError:
            raise e from None
        if free < FULL_BYTES:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from e
        raise
