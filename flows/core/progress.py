"""Progress of long work: a bar on an interactive terminal, INFO log lines otherwise (CI, cron,
Prefect's UI), so a run of many batches says where it is either way."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
LOG = logging.getLogger("hansard.progress")


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress(items: Iterable[T], total: int, what: str) -> Iterator[T]:
    with phase(what, total) as step:
        for item in items:
            yield item
            step()


@contextmanager
def phase(what: str, total: int, log: logging.Logger = LOG) -> Iterator[Callable[[int], None]]:
    """A counter for `total` units of `what`: call the yielded function as units finish."""
    if total <= 1:
        yield lambda n=1: None
        return
    if interactive():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(what, total=total)
            yield lambda n=1: bar.advance(task, n)
        return
    done, last = 0, time.monotonic()

    def step(n: int = 1) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if done == total or now - last >= 10:  # a line every 10 s at most, and at the end
            last = now
            log.info("%s: %d/%d", what, done, total)

    yield step
