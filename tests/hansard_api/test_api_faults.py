"""A Hansard API day killed at each of its durable steps (tests/support/faults.py) against the
loopback replay server: the next run of the same command restores every table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_path
from tests.support.faults import TEXT_TABLES, sweep
from tests.support.replay_server import ReplayServer, corpus_routes, fixture_routes

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "hansard_api"
DAY = "2031-02-04"  # our own fixture day: paged search, a written statement, a debate tree


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    routes = corpus_routes(corpus_path()).update(fixture_routes(FIXTURES))
    with ReplayServer(routes) as srv:
        yield srv


def test_every_kill_point_of_an_api_day_is_recovered_by_the_next_run(
    server: ReplayServer, tmp_path: Path
) -> None:
    def fetch(root: Path) -> list[str]:
        return ["ingest", "api", "--from", DAY, "--to", DAY, "--house", "Commons"] + [
            "-w",
            str(root),
            "--base-url",
            server.url,
            "--rps",
            "1000",
        ]

    assert sweep(tmp_path, fetch, fetch, TEXT_TABLES, minimum_steps=20) >= 20
