"""A TheyWorkForYou day and the members file, killed at each durable step of their ingest
(tests/support/faults.py): the next run of the same command restores every table, the
divisions and the speaker resolutions the members file re-derives included."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import corpus_path
from tests.support.faults import TWFY_TABLES, sweep


def test_every_kill_point_of_a_twfy_ingest_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    inputs = [corpus_path("twfy", "debates2009-10-27d.xml"), corpus_path("members", "people.xml")]

    def ingest(root: Path) -> list[str]:
        return ["ingest", "twfy", *map(str, inputs), "-w", str(root)]

    assert sweep(tmp_path, ingest, ingest, TWFY_TABLES, minimum_steps=15) >= 15
