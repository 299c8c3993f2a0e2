"""A DuckDB spill directory of this process's own.

DuckDB spills to `.tmp` in the working directory (an in-memory database) or `<file>.tmp`
beside the database file, with the same file names in every process: two processes spilling at
once (two indexing workers, two readers of hansard.duckdb) overwrite each other's spill files,
and both crash with a segmentation fault (seen on TheyWorkForYou partitions of ~90 k
contributions). Every connection the pipeline opens gets a directory of its process instead,
removed when the process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_DIRS: dict[int, str] = {}


def own() -> str:
    pid = os.getpid()  # a forked worker makes its own
    if pid not in _DIRS:
        path = tempfile.mkdtemp(prefix=f"hansard-duckdb-{pid}-")
        atexit.register(shutil.rmtree, path, True)
        _DIRS[pid] = path
    return _DIRS[pid]
