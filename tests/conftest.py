"""Test settings. Prefect is configured before anything imports it (toolchain-gotchas §2.3):
a fresh PREFECT_HOME per test run (no cache leaking between runs), telemetry off, one
temporary-server harness for the whole session, and no flow heartbeat.

Tests that read the real public corpus find it through HANSARD_CORPUS (default
../shared/corpus) and skip with the reason when it is absent; .ci/run requires it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="hansard-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample"
CORPUS = Path(os.environ.get("HANSARD_CORPUS", ROOT.parent / "shared" / "corpus")).resolve()


def corpus_path(*parts: str) -> Path:
    """A path in the real corpus; skips the test, saying why, when the corpus is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        if os.environ.get("HANSARD_REQUIRE_CORPUS"):
            pytest.fail(f"real corpus required (HANSARD_REQUIRE_CORPUS) but {path} is missing")
        pytest.skip(
            f"real corpus not found at {path} (set HANSARD_CORPUS to the shared/corpus folder)"
        )
    return path


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect temporary server for every test that runs a flow."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


@pytest.fixture
def warehouse(tmp_path: Path):  # noqa: ANN201
    """A new warehouse of this schema version (tests publish into it directly, too)."""
    from flows.core.warehouse import Warehouse
    from flows.run import record_schema

    wh = Warehouse.at(tmp_path / "warehouse")
    record_schema(wh)
    return wh
