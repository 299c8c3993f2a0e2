"""A DuckDB spill directory of this process's own.

DuckDB spills to `.tmp` in the working directory (an in-memory database) or `<file>.tmp`
beside the database file, with the same file names in every process: two processes spilling at
once (two indexing workers, two readers of hansard.duckdb) overwrite each other's spill files,
and both crash with a segmentation fault (seen on TheyWorkForYou partitions of ~90 k
contributions). Every connection the pipeline opens gets a directory of its process instead,
removed when the process exits; directories of processes that died without exiting (kill -9,
a crash) are removed by the next process that makes one, once untouched for an hour (a
process of another PID namespace sharing /tmp looks dead from here).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from multiprocessing import util
from pathlib import Path

_DIRS: dict[int, str] = {}
PREFIX = "hansard-duckdb-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_orphans(min_age_s: float = 3600) -> None:
    now = time.time()
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX) :].split("-", 1)[0]
        try:
            idle = now - path.stat().st_mtime
        except OSError:
            continue
        if pid.isdigit() and idle >= min_age_s and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def own() -> str:
    pid = os.getpid()  # a forked worker makes its own
    if pid not in _DIRS:
        _remove_orphans()
        path = tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-")
        # multiprocessing's finalizers run at exit in every process, pool workers too (they
        # end with os._exit, which skips atexit)
        util.Finalize(None, shutil.rmtree, args=(path, True), exitpriority=0)
        _DIRS[pid] = path
    return _DIRS[pid]
