"""Scheduled operation on a real Prefect server: `prefect server start` on 127.0.0.1 (its own
PREFECT_HOME; .ci/run starts one and passes HANSARD_PREFECT_API_URL, otherwise this test starts
its own), `hansard serve` registering the deployments, one run triggered against the replay
server, asserted completed and published."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import corpus_path
from tests.support.replay_server import ReplayServer, corpus_routes
from transforms.schema import CONTRIBUTIONS

BIN = Path(sys.executable).parent
QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as r:  # noqa: S310 (loopback)
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("HANSARD_PREFECT_API_URL")
    if given:
        assert _healthy(given), f"HANSARD_PREFECT_API_URL={given} is not answering"
        yield given
        return
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = _free_port()
    env = os.environ | QUIET | {"PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while not _healthy(api):
            assert proc.poll() is None, "prefect server exited"
            assert time.monotonic() < deadline, "prefect server not healthy after 120 s"
            time.sleep(0.5)
        yield api
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


RUN_SCRIPT = """
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

deadline = time.monotonic() + 120
while True:  # wait until `hansard serve` has registered the deployments
    try:
        with get_client(sync_client=True) as client:
            daily = client.read_deployment_by_name("daily/daily")
            client.read_deployment_by_name("backfill/backfill")  # serve registers one by one
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(1)
started = time.monotonic()
run = run_deployment("backfill/backfill", parameters=json.loads(sys.argv[1]), timeout=300)
schedule = daily.schedules[0].schedule
print(json.dumps({"state": run.state.type.value, "seconds": time.monotonic() - started,
                  "cron": schedule.cron, "timezone": schedule.timezone}))
"""


def test_deployments_run_on_a_real_prefect_server(prefect_api: str, tmp_path: Path) -> None:
    routes = corpus_routes(corpus_path())
    wh = Warehouse.at(tmp_path / "warehouse")
    with ReplayServer(routes) as replay:
        config = tmp_path / "hansard.toml"
        config.write_text(
            f'[warehouse]\nroot = "{wh.root}"\n'
            f'[sources]\nenabled = ["hansard_api"]\n'
            f'[hansard_api]\nbase_url = "{replay.url}"\nhouses = ["Commons"]\nmax_rps = 50.0\n'
            f'[schedule]\ndaily = "15 7 * * *"\n'
        )
        env = (
            os.environ
            | QUIET
            | {
                "PREFECT_API_URL": prefect_api,
                "PREFECT_HOME": str(tmp_path / "client-home"),
            }
        )
        serve = subprocess.Popen(
            [str(BIN / "hansard"), "serve", "--config", str(config)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            params = {"start": "2024-07-01", "end": "2024-07-31", "config_path": str(config)}
            out = subprocess.run(
                [sys.executable, "-c", RUN_SCRIPT, json.dumps(params)],
                env=env,
                capture_output=True,
                text=True,
                timeout=420,
                check=False,
            )
        finally:
            serve.send_signal(signal.SIGINT)
            try:
                serve_output = serve.communicate(timeout=30)[0]
            except subprocess.TimeoutExpired:
                serve.kill()
                serve_output = serve.communicate()[0]
    assert out.returncode == 0, out.stderr[-3000:] + "\n--- serve ---\n" + serve_output[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["state"] == "COMPLETED", serve_output[-3000:]
    assert (result["cron"], result["timezone"]) == ("15 7 * * *", "Europe/London")
    published = read_table(wh, CONTRIBUTIONS)
    assert published.height == 12 and set(published["member_id"]) == {185}
    print(f"backfill run on the real server: {result['seconds']:.1f} s")


CHECK_RUN_SCRIPT = """
import asyncio, json, sys
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter, ArtifactFilterKey, FlowFilter, FlowFilterName, LogFilter, LogFilterFlowRunId,
)

async def main():
    async with get_client() as client:
        runs = await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest-text"]))
        )
        run = max(runs, key=lambda r: r.start_time)
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id]))
        )
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["run-summary"]))
        )
        mine = [a for a in artifacts if a.flow_run_id == run.id]
        print(json.dumps({
            "runs": len(runs),
            "state": run.state.type.value,
            "logs": [(l.name, l.level, l.message) for l in logs],
            "artifact": mine[0].data if mine else None,
        }))

asyncio.run(main())
"""


def test_a_cli_run_is_a_prefect_flow_run_with_logs_and_a_summary(
    prefect_api: str, tmp_path: Path
) -> None:
    """With PREFECT_API_URL set, `hansard ingest text` runs the same engine as a flow on that
    server: completed, the engine's INFO logs in the run's log, a run-summary artifact."""
    env = (
        os.environ
        | QUIET
        | {
            "PREFECT_API_URL": prefect_api,
            "PREFECT_HOME": str(tmp_path / "client-home"),
        }
    )
    wh = tmp_path / "wh"
    seed = corpus_path("seed", "casey-report-2025-06-16.txt")
    for _ in range(2):  # the second is a no-op run: still a flow run of its own
        out = subprocess.run(
            [str(BIN / "hansard"), "ingest", "text", str(seed), "-w", str(wh)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert out.returncode == 0, out.stderr[-3000:]
    assert "3 contributions" not in out.stdout and "1 unchanged" in out.stdout
    checked = subprocess.run(
        [sys.executable, "-c", CHECK_RUN_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    got = json.loads(checked.stdout.strip().splitlines()[-1])
    assert got["runs"] >= 2 and got["state"] == "COMPLETED"
    engine = [m for name, level, m in got["logs"] if name.startswith("hansard")]
    assert any("derived tables" in m for m in engine), got["logs"]
    assert got["artifact"] and "| pp_text:ingest-text |" in got["artifact"]
    assert read_table(Warehouse.at(wh), CONTRIBUTIONS).height == 3
