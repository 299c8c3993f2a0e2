"""One writer at a time: an exclusive `flock` on the warehouse's lock file.

The kernel holds the lock for the process and drops it when the process ends, however it ends
(kill -9 included), so there is no stale lock to take over. The file records the holder (pid,
host, what, since) for the message a second writer gets. It is removed on release; a writer
that locked a file another one has just removed notices (the path no longer names the inode it
locked) and tries again. `flock` is per host: on a shared network folder each host's writers
exclude each other only.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    pass


def _holder(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _acquire(path: Path) -> int | None:
    """An open, locked descriptor of `path`, or None if another process holds it."""
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # locked a file that was removed meanwhile: try the new one


@contextmanager
def writer_lock(path: Path, what: str) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path)
    if fd is None:
        holder = _holder(path)
        raise WarehouseBusy(
            f"warehouse is locked by {holder.get('what', 'another run')} "
            f"(pid {holder.get('pid', '?')} on {holder.get('host', '?')} since "
            f"{holder.get('since', '?')}); lock file {path}. Wait for it to finish."
        )
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "what": what,
        "since": datetime.now(UTC).isoformat(),
    }
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(info).encode())
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)
