"""The corpus warehouse (tests/derived/conftest.py: every real corpus input, every source) is
the same, table by table, as the code before "Spine v2" built it, and `hansard rebuild`
reproduces every table of every source byte for byte.

The expected digest (tests/support/fixtures/corpus_warehouse.digest.json) was made with the
code of commit f0ce6fb, the last before the engine was restructured: the same four steps
(transcript text, TheyWorkForYou XML with its members files, the Hansard API recordings from
the replay server, a members refresh from our fixtures) through its Prefect flows, then
`python -m tests.support.digest WAREHOUSE` (rows sorted, the ingest-time columns and the run
log left out). A change that means to alter the tables makes a new digest the same way, with
the commit that changes them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from flows.core.warehouse import Warehouse
from tests.conftest import ROOT
from tests.support.digest import digest
from tests.support.runs import rebuild

GOLDEN = ROOT / "tests" / "support" / "fixtures" / "corpus_warehouse.digest.json"
pytestmark = pytest.mark.corpus


def parquet_bytes(wh: Warehouse) -> dict[str, str]:
    return {
        f.relative_to(wh.tables).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(wh.tables.rglob("*.parquet"))
        if "ingest_runs" not in f.parts
    }


def test_every_table_is_what_the_code_before_the_restructuring_built(
    corpus_warehouse: tuple[Warehouse, Any],
) -> None:
    wh, _ = corpus_warehouse
    expected = json.loads(GOLDEN.read_text())
    got = digest(wh)
    # raw_inputs: the old code never listed the members refresh's responses and files (its
    # members flow did not publish the manifest); now every raw-zone folder is a partition
    fixed = {"raw_inputs/members_api": 7, "raw_inputs/twfy_members": 2}
    assert {k: got[k]["rows"] for k in fixed} == fixed
    assert got["raw_inputs"]["rows"] == expected["raw_inputs"]["rows"] + sum(fixed.values())
    same = {k for k in expected if k != "raw_inputs"}
    differing = {k: (got.get(k), expected[k]) for k in same if got.get(k) != expected[k]}
    assert not differing, differing
    assert set(got) - set(expected) == set(fixed)


def test_rebuild_reproduces_every_table_of_every_source_byte_for_byte(
    corpus_warehouse: tuple[Warehouse, Any], tmp_path: Path
) -> None:
    wh, _ = corpus_warehouse
    copy = Warehouse.at(tmp_path / "copy")
    shutil.copytree(wh.root, copy.root)
    before = parquet_bytes(copy)
    summary = rebuild(copy)
    assert summary.items > 0 and summary.partitions_written == 0  # nothing had to change
    assert parquet_bytes(copy) == before
    assert {"pp_text", "hansard_api", "twfy_xml"} <= {k.split("/")[1][7:] for k in before}
