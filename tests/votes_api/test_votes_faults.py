"""A Votes API run (the Lords week of our fixtures) killed at each of its durable steps
(tests/support/faults.py) against the loopback replay server: the next run of the same command
restores every table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.faults import sweep
from tests.support.replay_server import ReplayServer, fixture_routes

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "votes_api"
VOTES_TABLES = {"divisions": (), "division_votes": (), "rejects": ("rejected_at",)}


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(fixture_routes(FIXTURES)) as srv:
        yield srv


def test_every_kill_point_of_a_votes_run_is_recovered_by_the_next_run(
    server: ReplayServer, tmp_path: Path
) -> None:
    def fetch(root: Path) -> list[str]:
        args = ["ingest", "votes", "--from", "2031-02-03", "--to", "2031-02-07"]
        return [*args, "--house", "Lords", "-w", str(root), "--rps", "1000"] + [
            "--commons-url",
            server.url,
            "--lords-url",
            server.url,
        ]

    assert sweep(tmp_path, fetch, fetch, VOTES_TABLES, minimum_steps=8) >= 8
