"""Writers of one warehouse: runs share it, a few things need it alone. A `flock` on the
warehouse's lock file.

Ordinary runs (ingest, fetch, the daily run) take the lock *shared*: several write at once,
their table commits kept apart by Delta's optimistic commits (flows/core/delta.py). A run that
finds itself alone when it starts holds the lock exclusively for a moment first, to clean up
after runs that are gone (their staging, their `running` records), then shares it. A rebuild,
a schema upgrade and an export hold it *exclusively* for their whole length.

The kernel holds the lock for the process and drops it when the process ends, however it ends
(kill -9 included), so there is no stale lock to take over. The file records the exclusive
holder (pid, host, what, since) for the message another writer gets. An exclusive holder
removes it on release; a writer that locked a file another one has just removed notices (the
path no longer names the inode it locked) and tries again. `flock` is per host: on a shared
network folder each host's writers exclude each other only.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
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


def _acquire(path: Path, how: int) -> int | None:
    """An open descriptor of `path` locked `how` (LOCK_EX or LOCK_SH), or None if another
    process holds a lock that excludes it."""
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
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


def _busy(path: Path) -> WarehouseBusy:
    holder = _holder(path)
    who = (
        f"{holder.get('what', 'another run')} (pid {holder.get('pid', '?')} on "
        f"{holder.get('host', '?')} since {holder.get('since', '?')})"
    )
    if holder.get("shares"):
        return WarehouseBusy(
            f"warehouse is in use by other runs (the first: {who}); lock file {path}. "
            "Wait for them to finish."
        )
    return WarehouseBusy(f"warehouse is locked by {who}; lock file {path}. Wait for it to finish.")


SHARE_WAIT_S = 30.0  # a shared writer waits this long for one that is starting alone


def _acquire_shared(path: Path) -> int | None:
    """The lock shared; while its exclusive holder is a run that will share it once started
    (its record says `shares`, or is not written yet), waited for, up to SHARE_WAIT_S."""
    deadline = time.monotonic() + SHARE_WAIT_S
    while True:
        fd = _acquire(path, fcntl.LOCK_SH)
        if fd is not None:
            return fd
        holder = _holder(path)
        if (holder and not holder.get("shares")) or time.monotonic() > deadline:
            return None
        time.sleep(0.02)


class Held:
    """The lock as held: `alone` while it is exclusive; `share()` lets other runs in."""

    def __init__(self, fd: int, path: Path, *, alone: bool) -> None:
        self.fd, self.path, self.alone = fd, path, alone

    def share(self) -> None:
        if not self.alone:
            return
        try:
            fcntl.flock(self.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # the conversion let an exclusive writer in
            raise _busy(self.path) from None
        self.alone = False

    def keep(self) -> None:
        """Stay alone to the end: shared writers that wait for this one to share stop waiting."""
        _record(self.fd, {**_holder(self.path), "shares": False})


@contextmanager
def writer_lock(path: Path, what: str, *, shared: bool = False) -> Iterator[Held]:
    """Hold the warehouse: exclusively, or (`shared`) beside other shared writers, exclusively
    at first when no other writer is there (`Held.alone`). WarehouseBusy when it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, fcntl.LOCK_EX)
    alone = fd is not None
    if fd is None and shared:
        fd = _acquire_shared(path)
    if fd is None:
        raise _busy(path)
    if alone:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "what": what,
            "since": datetime.now(UTC).isoformat(),
            "shares": shared,
        }
        _record(fd, info)
    held = Held(fd, path, alone=alone)
    try:
        yield held
    finally:
        if held.alone:  # no one else holds it: the record goes with it
            path.unlink(missing_ok=True)
        os.close(fd)


def _record(fd: int, info: dict) -> None:
    data = json.dumps(info).encode()
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))


@contextmanager
def exclusive(path: Path, log: logging.Logger | None = None, what: str = "") -> Iterator[None]:
    """A plain exclusive lock on `path`, waited for (a section that one writer of a warehouse
    runs at a time: a ledger update, the derived tables and views); the wait is logged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log:
                log.info("waiting for %s to finish", what or path)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
