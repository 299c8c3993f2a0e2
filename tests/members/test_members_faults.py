"""A members refresh killed at each of its durable steps (tests/support/faults.py), against
the loopback replay server with our Members API fixtures, on a warehouse whose speakers it
re-resolves: the next run of the same command restores every table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.support.faults import TEXT_TABLES, hansard, sweep
from tests.support.members_support import WINDOW, members_routes
from tests.support.replay_server import ReplayServer

TABLES = {
    **TEXT_TABLES,
    "members": ("fetched_at",),
    "member_parties": (),
    "member_houses": (),
    "member_names": (),
}


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    with ReplayServer(members_routes()) as srv:
        yield srv


def test_every_kill_point_of_a_members_refresh_is_recovered_by_the_next_run(
    server: ReplayServer, tmp_path: Path
) -> None:
    def ingested(root: Path) -> None:
        done = hansard(["ingest", "text", str(SAMPLE), "-w", str(root)])
        assert done.returncode == 0, done.stderr

    def refresh(root: Path) -> list[str]:
        return ["members", "refresh", "--from", str(WINDOW[0]), "--to", str(WINDOW[1])] + [
            "-w",
            str(root),
            "--base-url",
            server.url,
            "--rps",
            "1000",
        ]

    assert sweep(tmp_path, refresh, refresh, TABLES, prepare=ingested, minimum_steps=20) >= 20
