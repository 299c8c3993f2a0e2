"""The product as users run it: `hansard` commands timed end to end, as subprocesses.

    uv run python bench/bench_cli.py seed [--server]             # seed ingest, no-op re-ingest
    uv run python bench/bench_cli.py text DIR [--rebuild]         # `hansard ingest text DIR`
    uv run python bench/bench_cli.py twfy DIR                     # `hansard ingest twfy DIR`
    uv run python bench/bench_cli.py deployment                   # a deployment run, real server
    uv run python bench/bench_cli.py dask DIR                     # runner dask: 1 vs 2 workers
    ... [--work W] [--json FILE] [--runner auto|processes|threads|inline] [--batch-mb N]

For each command: wall time, CPU time of the whole process tree (user + system of the command
and every worker it started), CPU/wall, and the peak RSS of the whole process tree (the sum of
every live process's resident set, sampled every 0.2 s from /proc: workers included, shared
pages counted in each, so an upper bound). The run's own seconds per step come from its run
record (warehouse/runs/<run>.json). `seed` runs the real seed page (from $HANSARD_CORPUS) into
fresh warehouses in local mode (no Prefect API), and with --server also against a running
`prefect server start` on 127.0.0.1 (started here, its start-up not counted). Inputs come from
the generators (bench/generate_text.py, bench/generate_twfy.py); nothing is copied.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CORPUS = Path(os.environ.get("HANSARD_CORPUS", ROOT.parent / "shared" / "corpus"))


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return kids


def tree_rss(pid: int) -> dict[int, float]:
    """Resident memory of `pid` and each of its descendants now, in MB per process."""
    kids, todo, out = _children(), [pid], {}
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[p] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and all its descendants now, in MB."""
    return sum(tree_rss(pid).values())


class TreeSampler:
    """The RSS of a process tree every 0.2 s (beside the wait, so wall time is not rounded
    up): its peak and what it was made of then, the parent's own peak, a timeline every 2 s;
    and the command's stderr (the -v log) stamped as it arrives, to say which step each
    point fell in."""

    def __init__(self, proc: subprocess.Popen, start: float) -> None:
        self.proc, self.start = proc, start
        self.peak, self.parent_peak, self.parent_at = 0.0, 0.0, 0.0
        self.at_peak: dict[str, object] = {}
        self.timeline: list[tuple[float, int, int]] = []  # (s, parent MB, workers MB)
        self.lines: list[tuple[float, str]] = []
        self.done = threading.Event()
        self.threads = [
            threading.Thread(target=self._sample, daemon=True),
            threading.Thread(target=self._read_err, daemon=True),
        ]
        for t in self.threads:
            t.start()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append((time.perf_counter() - self.start, line.rstrip()))

    def _sample(self) -> None:
        pid = self.proc.pid
        while not self.done.wait(0.2):
            now = tree_rss(pid)
            elapsed = time.perf_counter() - self.start
            parent, total = now.get(pid, 0.0), sum(now.values())
            if parent > self.parent_peak:
                self.parent_peak, self.parent_at = parent, elapsed
            if elapsed - (self.timeline[-1][0] if self.timeline else -9.0) >= 2.0:
                self.timeline.append((round(elapsed, 1), round(parent), round(total - parent)))
            if total > self.peak:
                self.peak = total
                workers = sorted((v for p, v in now.items() if p != pid), reverse=True)
                self.at_peak = {
                    "at_s": round(elapsed, 1),
                    "parent_mb": round(parent, 1),
                    "children_mb": [round(v, 1) for v in workers],
                }

    def stop(self) -> None:
        self.threads[1].join()
        self.done.set()
        self.threads[0].join()

    def log_at(self, t: float) -> str:
        """The last log line written by `t` s."""
        logged = [line for u, line in self.lines if u <= t]
        return logged[-1][24:160] if logged else ""

    def report(self) -> dict:
        if self.at_peak:
            self.at_peak["last_log"] = self.log_at(float(self.at_peak["at_s"]))  # type: ignore[arg-type]
        return {
            "peak_tree_rss_mb": round(self.peak, 1),
            "at_peak": self.at_peak,
            "peak_parent_rss_mb": round(self.parent_peak, 1),
            "parent_peak_at": {
                "at_s": round(self.parent_at, 1),
                "last_log": self.log_at(self.parent_at),
            },
            "timeline": [[*point, self.log_at(point[0])] for point in self.timeline],
        }


def measure(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> dict:
    """Run `cmd` to the end: wall, tree CPU, peak tree RSS (and where), its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(proc, start)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    wall = time.perf_counter() - start
    sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        err = "\n".join(line for _, line in sampler.lines)
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {
        "command": " ".join(cmd),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "cpu_per_wall": round(cpu / wall, 2) if wall else None,
        # ru_maxrss of the largest single child process, as the kernel counted it
        "max_process_rss_mb": round(after.ru_maxrss / 1024, 1),
        "stdout": out.strip()[-2000:],
        **sampler.report(),
    }


def last_run(wh: Path) -> dict:
    runs = sorted((wh / "runs").glob("*.json"))
    return json.loads(runs[-1].read_text()) if runs else {}


def hansard(*args: str) -> list[str]:
    return [str(BIN / "hansard"), *args]


def base_env(args: argparse.Namespace, prefect_api: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "HANSARD__"))}
    env["HANSARD__RUN__RUNNER"] = args.runner
    if args.batch_mb:
        env["HANSARD__RUN__BATCH_MB"] = str(args.batch_mb)
    if args.commit_mb:
        env["HANSARD__RUN__COMMIT_MB"] = str(args.commit_mb)
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    return env


def seed(args: argparse.Namespace, work: Path, prefect_api: str | None) -> dict:
    page = CORPUS / "seed" / "casey-report-2025-06-16.txt"
    env = base_env(args, prefect_api)
    first, noop = [], []
    for i in range(args.reps):
        wh = work / f"seed-{'server' if prefect_api else 'local'}-{i}"
        shutil.rmtree(wh, ignore_errors=True)
        first.append(measure(hansard("ingest", "text", str(page), "-w", str(wh)), env))
        for _ in range(2):
            noop.append(measure(hansard("ingest", "text", str(page), "-w", str(wh)), env))
    return {
        "mode": "prefect server" if prefect_api else "local",
        "seed_ingest_wall_s": [r["wall_s"] for r in first],
        "seed_ingest_median_s": statistics.median(r["wall_s"] for r in first),
        "noop_wall_s": [r["wall_s"] for r in noop],
        "noop_median_s": statistics.median(r["wall_s"] for r in noop),
        "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in first),
        "last_stdout": noop[-1]["stdout"],
    }


def ingest(args: argparse.Namespace, work: Path, kind: str) -> dict:
    wh = work / f"{kind}-warehouse"
    if not args.keep_warehouse:
        shutil.rmtree(wh, ignore_errors=True)
    env = base_env(args)
    command = "text" if kind == "text" else "twfy"
    got = measure(hansard("-v", "ingest", command, str(args.data), "-w", str(wh)), env)
    got["run"] = last_run(wh)
    got["input_bytes"] = sum(f.stat().st_size for f in Path(args.data).rglob("*") if f.is_file())
    got["mb_per_s"] = round(got["input_bytes"] / 1e6 / got["wall_s"], 2)
    out = {"ingest": got}
    if args.rebuild:
        rebuilt = measure(hansard("-v", "rebuild", "-w", str(wh)), env)
        rebuilt["run"] = last_run(wh)
        out["rebuild"] = rebuilt
    out["warehouse_bytes"] = {
        p.name: sum(f.stat().st_size for f in p.rglob("*.parquet"))
        for p in sorted((wh / "tables").iterdir())
        if p.is_dir()
    }
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2):  # noqa: S310 (loopback)
                return proc, api
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("prefect server did not start")


DEPLOYMENT_SCRIPT = """
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

deadline = time.monotonic() + 180
while True:  # until `hansard serve` has registered the daily deployment
    try:
        with get_client(sync_client=True) as client:
            client.read_deployment_by_name("daily/daily")
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
times = []
for _ in range(int(sys.argv[1])):
    started = time.monotonic()
    run = run_deployment("daily/daily", timeout=300)
    times.append(round(time.monotonic() - started, 3))
    assert run.state.type.value == "COMPLETED", run.state
print(json.dumps(times))
"""


def deployment(args: argparse.Namespace, work: Path) -> dict:
    """`hansard serve` on a running `prefect server start`; the daily deployment (transcript
    text from an inbox holding the seed page) run `reps + 1` times with run_deployment: the
    first ingests the page, the others are no-op runs. Seconds from the call to the run's end
    (scheduling, the serve process picking it up, the run), server and serve start-up not
    counted."""
    inbox = work / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for page in (CORPUS / "seed").glob("*.txt"):
        (inbox / page.name).write_bytes(page.read_bytes())
    wh = work / "deployment-warehouse"
    shutil.rmtree(wh, ignore_errors=True)
    config = work / "hansard.toml"
    config.write_text(
        f'[warehouse]\nroot = "{wh}"\n[sources]\nenabled = ["pp_text"]\n'
        f'[pp_text]\ninbox = "{inbox}"\n'
    )
    proc, api = start_server(work / "prefect-home")
    env = base_env(args, api) | {"PREFECT_HOME": str(work / "client-home")}
    serve = subprocess.Popen(
        hansard("serve", "--config", str(config)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", DEPLOYMENT_SCRIPT, str(args.reps + 1)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        times = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return {
        "mode": "deployment run (hansard serve, prefect server)",
        "first_run_s": times[0],
        "noop_runs_s": times[1:],
        "noop_median_s": statistics.median(times[1:]),
        "last_run": last_run(wh),
    }


def dask_scaling(args: argparse.Namespace, work: Path) -> dict:
    """`hansard ingest text DIR` with runner `dask` on a real cluster on loopback (`dask
    scheduler` and single-threaded `dask worker` processes, tests/support/dask_cluster.py) of 1,
    then 2 workers, into fresh warehouses; `processes` on the same input for reference. The
    workers are not children of the command: the tree RSS and CPU here are the driver's."""
    sys.path.insert(0, str(ROOT))
    from tests.support.dask_cluster import cluster

    out: dict = {}
    for workers in (1, 2):
        walls = []
        with cluster(workers) as address:
            for rep in range(args.reps):
                wh = work / f"dask-{workers}-{rep}"
                shutil.rmtree(wh, ignore_errors=True)
                env = base_env(args) | {
                    "HANSARD__RUN__RUNNER": "dask",
                    "HANSARD__RUN__DASK_ADDRESS": address,
                }
                got = measure(hansard("ingest", "text", str(args.data), "-w", str(wh)), env)
                walls.append(got["wall_s"])
                out[f"dask_{workers}_run"] = last_run(wh).get("steps")
        out[f"dask_{workers}_workers_wall_s"] = walls
    wh = work / "processes"
    shutil.rmtree(wh, ignore_errors=True)
    env = base_env(args) | {"HANSARD__RUN__RUNNER": "processes"}
    reference = measure(hansard("ingest", "text", str(args.data), "-w", str(wh)), env)
    out["processes_wall_s"] = reference["wall_s"]
    one = statistics.median(out["dask_1_workers_wall_s"])
    two = statistics.median(out["dask_2_workers_wall_s"])
    out["speedup_2_vs_1_workers"] = round(one / two, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["seed", "text", "twfy", "deployment", "dask"])
    ap.add_argument("data", nargs="?", type=Path)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--server", action="store_true", help="seed: also against a Prefect server")
    ap.add_argument("--rebuild", action="store_true", help="then `hansard rebuild` of it")
    ap.add_argument("--keep-warehouse", action="store_true")
    ap.add_argument("--runner", default="auto")
    ap.add_argument("--batch-mb", type=float)
    ap.add_argument("--commit-mb", type=float)
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
        "cpus": os.cpu_count(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    if args.what == "seed":
        result["local"] = seed(args, work, None)
        if args.server:
            proc, api = start_server(work / "prefect-home")
            try:
                result["server"] = seed(args, work, api)
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
    elif args.what == "deployment":
        result["deployment"] = deployment(args, work)
    elif args.what == "dask":
        if args.data is None:
            ap.error("dask: give the folder of inputs")
        result["dask"] = dask_scaling(args, work)
    else:
        if args.data is None:
            ap.error(f"{args.what}: give the folder of inputs")
        result.update(ingest(args, work, args.what))
    text = json.dumps(result, indent=1, default=str)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
