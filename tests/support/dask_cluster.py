"""A real Dask cluster on loopback for tests and benchmarks: `dask scheduler` and N
`dask worker` processes from this environment, stopped afterwards.

    python -m tests.support.dask_cluster --workers 2     # prints the address, Ctrl-C stops
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    """Workers first, then the scheduler; SIGINT is their clean stop (SIGTERM left a worker
    waiting out its 20 s)."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@contextmanager
def cluster(workers: int = 2, log_dir: Path | None = None) -> Iterator[str]:
    """A scheduler and `workers` single-threaded worker processes; yields the address once
    every worker has joined."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = os.environ | {"HANSARD_WORKER": "1", "POLARS_MAX_THREADS": "1"}
    out = (lambda name: (log_dir / name).open("w")) if log_dir else (lambda _: subprocess.DEVNULL)
    dash = ["--dashboard-address", ":0"]
    procs = [
        subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), *dash],
            env=env,
            stdout=out("scheduler.log"),
            stderr=subprocess.STDOUT,
        )
    ]
    try:
        for n in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        *(str(BIN / "dask"), "worker", address, "--nthreads", "1"),
                        *("--nworkers", "1", "--host", "127.0.0.1", "--no-nanny", *dash),
                        *("--name", f"w{n}"),
                    ],
                    env=env,
                    stdout=out(f"worker-{n}.log"),
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 120
        while True:  # the scheduler first, then every worker
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(workers, timeout=max(1, deadline - time.monotonic()))
                break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise
                time.sleep(0.2)
        yield address
    finally:
        _stop(procs)


def tasks_per_worker(address: str) -> dict[str, int]:
    """How many tasks each worker of the cluster has executed so far, by worker address."""
    from distributed import Client

    with Client(address, timeout=10) as client:
        return client.run(lambda dask_worker: dask_worker.state.executed_count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with cluster(args.workers) as address:
        print(address, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
