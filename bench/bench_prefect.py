"""Run overhead of Prefect: the same API backfill (one month of real recorded days from the
loopback replay server) run four ways, in fresh warehouses:

  temp-old  `hansard ingest api` with an existing PREFECT_HOME (temporary server starts)
  temp-new  the same with a fresh PREFECT_HOME (temporary server starts and migrates)
  server    `run_deployment` on a real `prefect server start`, executed by `hansard serve`

Usage: uv run python bench/bench_prefect.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows import PREFECT_DEFAULTS  # noqa: E402
from tests.support.replay_server import ReplayServer, corpus_routes  # noqa: E402

BIN = Path(sys.executable).parent
START, END = "2024-07-01", "2024-07-31"


def timed(cmd: list[str], env: dict, cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - t


def cli(url: str, work: Path, home: Path, name: str) -> float:
    env = os.environ | PREFECT_DEFAULTS | {"PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    cmd = [
        str(BIN / "hansard"),
        "ingest",
        "api",
        "--from",
        START,
        "--to",
        END,
        "--house",
        "Commons",
        "--base-url",
        url,
        "--rps",
        "50",
        "-w",
        str(work / name),
    ]
    return timed(cmd, env, ROOT)


def server(url: str, work: Path) -> tuple[float, float]:
    """(server start to healthy, one deployment run) on a real prefect server."""
    home = work / "server-home"
    env = os.environ | PREFECT_DEFAULTS | {"PREFECT_HOME": str(home)}
    t = time.perf_counter()
    srv = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", "4391"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = "http://127.0.0.1:4391/api"
    while True:
        try:
            urllib.request.urlopen(f"{api}/health", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    started = time.perf_counter() - t
    config = work / "hansard.toml"
    config.write_text(
        f'[warehouse]\nroot = "{work / "server"}"\n[sources]\nenabled = '
        f'["hansard_api"]\n[api]\nbase_url = "{url}"\nhouses = ["Commons"]\n'
        "max_rps = 50.0\n"
    )
    client_env = env | {"PREFECT_API_URL": api, "PREFECT_HOME": str(work / "client-home")}
    serve = subprocess.Popen(
        [str(BIN / "hansard"), "serve", "--config", str(config)],
        env=client_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    script = (
        "import json,sys,time\n"
        "from prefect.deployments import run_deployment\n"
        "for _ in range(120):\n"
        "    try:\n"
        "        from prefect.client.orchestration import get_client\n"
        "        with get_client(sync_client=True) as c:\n"
        "            c.read_deployment_by_name('backfill/backfill')\n"
        "        break\n"
        "    except Exception: time.sleep(1)\n"
        "t=time.perf_counter()\n"
        "r=run_deployment('backfill/backfill', parameters=json.loads(sys.argv[1]), timeout=600)\n"
        "print(json.dumps([r.state.type.value, time.perf_counter()-t]))\n"
    )
    params = json.dumps({"start": START, "end": END, "config_path": str(config)})
    try:
        out = subprocess.run(
            [sys.executable, "-c", script, params],
            env=client_env,
            check=True,
            capture_output=True,
            text=True,
        )
        state, run_s = json.loads(out.stdout.strip().splitlines()[-1])
        assert state == "COMPLETED", state
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
        srv.send_signal(signal.SIGINT)
        srv.wait(timeout=60)
    return started, run_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--corpus", default=os.environ.get("HANSARD_CORPUS", str(ROOT.parent / "shared/corpus"))
    )
    args = parser.parse_args()
    print(
        f"$ uv run python bench/bench_prefect.py  ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{platform.platform()}; {os.cpu_count()} cpus; Python {platform.python_version()})"
    )
    print(
        f"workload: Commons {START}..{END} from the replay server (5 sitting days, 20 "
        "requests, 12 contributions)"
    )
    with tempfile.TemporaryDirectory() as tmp, ReplayServer(corpus_routes(Path(args.corpus))) as r:
        work = Path(tmp)
        home = work / "temp-home"
        rows = [("CLI, temporary server, existing PREFECT_HOME", 0.0)]
        fresh = cli(r.url, work, home, "t1")
        rows[0] = (rows[0][0], cli(r.url, work, home, "t2"))
        rows.append(("CLI, temporary server, fresh PREFECT_HOME", fresh))
        started, run_s = server(r.url, work)
        rows.append(("real server: start to healthy (once)", started))
        rows.append(("real server: run_deployment, run by `hansard serve`", run_s))
    base = rows[0][1]
    print("| way | wall s | × first row |\n|---|---|---|")
    for name, secs in rows:
        print(f"| {name} | {secs:.1f} | {secs / base:.1f} |")


if __name__ == "__main__":
    main()
