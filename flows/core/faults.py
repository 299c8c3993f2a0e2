"""Fault injection for the crash tests: with `HANSARD_KILL_AT=N` set, the run's main process
kills itself with SIGKILL just before its N-th durable step (a table's Delta commit, a replace
or a marker write in the warehouse), as a power cut or `kill -9` would stop it there;
`HANSARD_KILL_AT=NAME` (e.g. `commit contributions`), before the first step of that name (a
run beside another writer may take more or fewer steps). Off unless set; worker processes
never count (their writes are staged, and the main process makes them visible).

`HANSARD_COUNT_STEPS=FILE` appends one line per durable step to FILE instead (its name), so
a test knows how many kill points a run has.

`HANSARD_PAUSE_AT=STEP=FILE` holds the run the first time it reaches the step named STEP (e.g.
`commit contributions`) until FILE exists, having created `FILE.reached`: a test lets another
writer commit in between.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

_KILL = os.environ.get("HANSARD_KILL_AT") or ""
_AT = int(_KILL) if _KILL.isdigit() else 0
_AT_NAME = "" if _KILL.isdigit() else _KILL
_LOG = os.environ.get("HANSARD_COUNT_STEPS") or ""
_PAUSE = os.environ.get("HANSARD_PAUSE_AT") or ""
_seen = [0]
PAUSE_LIMIT_S = 300.0


def step(what: str) -> None:
    """Called before each durable step: counts it, and kills the process at the chosen one."""
    if not (_KILL or _LOG or _PAUSE) or os.environ.get("HANSARD_WORKER"):
        return
    if _PAUSE:
        _pause(what)
    _seen[0] += 1
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:  # noqa: PTH123 (a test's log)
            f.write(f"{_seen[0]} {what}\n")
    if _seen[0] == _AT or what == _AT_NAME:
        os.kill(os.getpid(), signal.SIGKILL)


def _pause(what: str) -> None:
    global _PAUSE  # noqa: PLW0603 (held once)
    name, _, until = _PAUSE.partition("=")
    if what != name:
        return
    _PAUSE = ""
    Path(until + ".reached").touch()
    deadline = time.monotonic() + PAUSE_LIMIT_S
    while not Path(until).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
