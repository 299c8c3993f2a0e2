"""Task runners: where the engine's parse, merge and derive tasks execute.

Every runner is a `concurrent.futures.Executor`, so the engine's logic never depends on which
one it is: `inline` (in the calling thread: small runs, debugging), `threads`, `processes`
(every core by default; spawned workers, so no state leaks from the parent) or `dask` (the
executor of a `dask.distributed` client of the scheduler at `dask_address`: its workers run
the tasks, which read and write files under the warehouse, so they must see it at the same
path: one machine, or a shared file system). `auto` picks inline for work that fits in one
batch and processes otherwise.

Tasks are module-level functions with picklable arguments; `bounded` keeps at most a few tasks
in flight so that memory is set by the batch size, not by the input.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from typing import Any

RUNNERS = ("auto", "inline", "threads", "processes", "dask")


class InlineExecutor(Executor):
    """Runs each task at once in the calling thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # noqa: ANN401
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 (delivered through the future, as executors do)
            future.set_exception(e)
        return future


def _init_worker() -> None:
    """A spawned worker runs one task at a time on its own core: polars and DuckDB keep to it.
    Its allocators give freed memory back at once (polars' and pyarrow's: flows/__init__.py,
    which a worker imports first; glibc's kept lean here): a task's peak is what it holds, not
    all it ever allocated."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    os.environ["HANSARD_WORKER"] = "1"  # the allocators: set by flows/__init__.py
    lean_malloc()


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8  # glibc's mallopt parameters


def lean_malloc() -> None:
    """glibc's malloc set to hand freed memory back: large blocks (Arrow's buffers) always
    mapped and unmapped, a free heap top trimmed past 1 MB, two arenas rather than eight per
    core. By default it raises the mapping threshold after the first large free and keeps
    what later frees leave: a merge worker held ~35 MB more of a 51 k-row partition for it
    (glibc reads its MALLOC_* variables only at start; a spawned worker sets them here)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 128 << 10)
        libc.mallopt(_M_TRIM_THRESHOLD, 1 << 20)
        libc.mallopt(_M_ARENA_MAX, 2)


def release_memory(*, collect: bool = True) -> None:
    """Give the memory a finished task freed back to the system: Python's cycles collected,
    glibc's free heap trimmed, pyarrow's pool released (polars' jemalloc decays by itself)."""
    if collect:
        gc.collect()
    with contextlib.suppress(Exception):
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


RELEASE_GROWTH = 64 << 20  # a worker gives memory back once it holds this much more


def resident_bytes() -> int:
    """This process's resident set now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:  # noqa: PTH123 (a cheap read, each task)
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


_RELEASED = [0]  # the resident set after the last release, in this worker


def _task(fn: Callable[..., Any], *args: Any) -> Any:  # noqa: ANN401
    """One task; in a worker process, memory is given back after it when the worker has grown
    by RELEASE_GROWTH since it last did (a release costs milliseconds: after every one of a
    thousand small merges it cost more than the merges)."""
    try:
        return fn(*args)
    finally:
        if os.environ.get("HANSARD_WORKER") and resident_bytes() - _RELEASED[0] > RELEASE_GROWTH:
            release_memory()
            _RELEASED[0] = resident_bytes()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class RunnerSettings:
    kind: str = "auto"
    workers: int | None = None  # default: every core
    dask_address: str | None = None
    dask_timeout_s: float = 30.0  # to reach the scheduler

    def __post_init__(self) -> None:
        if self.kind not in RUNNERS:
            raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, got {self.kind!r}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.kind == "dask" and not self.dask_address:
            raise ValueError("runner 'dask' needs the scheduler's address: [run] dask_address")

    @property
    def size(self) -> int:
        return self.workers or cpu_count()


def make_executor(settings: RunnerSettings, tasks: int) -> Executor:
    """An executor for about `tasks` tasks (auto: inline when there is only one)."""
    kind = settings.kind
    if kind == "auto":
        kind = "inline" if tasks <= 1 or settings.size == 1 else "processes"
    if kind == "inline":
        return InlineExecutor()
    if kind == "threads":
        return ThreadPoolExecutor(max_workers=settings.size, thread_name_prefix="hansard")
    if kind == "processes":
        return ProcessPoolExecutor(
            max_workers=min(settings.size, max(tasks, 1)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )
    return DaskExecutor(settings.dask_address or "", settings.dask_timeout_s)


class DaskExecutor(Executor):
    """Tasks on the workers of a Dask scheduler (`dask.distributed`), as an Executor; shut
    down, it cancels what is pending and closes its client."""

    def __init__(self, address: str, timeout_s: float) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise ConnectionError(
                f"the Dask scheduler at {address} did not answer within {timeout_s:g} s "
                f"([run] dask_address, dask_timeout_s): {e}"
            ) from None
        self._executor = self.client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # noqa: ANN401
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: FBT001, FBT002 (Executor's own signature)
        try:
            self._executor.shutdown(wait=wait and not cancel_futures)
        finally:
            self.client.close()


def bounded(
    executor: Executor,
    fn: Callable[..., Any],
    args: Iterable[tuple[Any, ...]],
    in_flight: int,
) -> Iterator[Any]:
    """fn(*a) for each a in `args`, at most `in_flight` submitted at once; results in the order
    they complete. The first failure is raised (pending tasks are cancelled)."""
    todo = iter(args)
    running: set[Future] = set()
    try:
        while True:
            while len(running) < max(1, in_flight):
                nxt = next(todo, None)
                if nxt is None:
                    break
                running.add(executor.submit(_task, fn, *nxt))
            if not running:
                return
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in running:
            future.cancel()
