"""Progress bars for long runs: shown on an interactive terminal, silent otherwise (CI, cron)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import track

T = TypeVar("T")


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    if interactive() and total > 1:
        yield from track(items, total=total, description=what, transient=True)
    else:
        yield from items
