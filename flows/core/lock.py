"""One writer at a time: an exclusive lock file in the warehouse root.

The lock records the holder's pid and host. A lock left by a process that no longer exists on
this host is stale and is taken over; a live holder makes the second writer fail with a clear
message instead of interleaving publishes.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_create(path: Path, what: str) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "what": what,
        "since": datetime.now(UTC).isoformat(),
    }
    with os.fdopen(fd, "w") as f:
        json.dump(info, f)
    return True


@contextmanager
def writer_lock(path: Path, what: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not _try_create(path, what):
        try:
            holder = json.loads(path.read_text())
        except (OSError, ValueError):
            holder = {}
        same_host = holder.get("host") == socket.gethostname()
        if holder and same_host and not _alive(int(holder.get("pid", 0))):
            path.unlink(missing_ok=True)  # stale: its process is gone
        if not _try_create(path, what):
            raise WarehouseBusy(
                f"warehouse is locked by {holder.get('what', 'another run')} "
                f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')} since "
                f"{holder.get('since', '?')}); lock file {path}. Wait for it to finish, or "
                "delete the lock file if that process is gone."
            )
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
