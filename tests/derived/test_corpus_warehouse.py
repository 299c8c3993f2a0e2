"""The corpus warehouse (tests/derived/conftest.py: every real corpus input, every source) is
the same, table by table, as the expected digest, and `hansard rebuild` reproduces every table
of every source byte for byte.

The expected digest (tests/support/fixtures/corpus_warehouse.digest.json) is made by building
the corpus warehouse (`build_corpus_warehouse`: transcript text, TheyWorkForYou XML with its
members files, the Hansard API recordings from the replay server, a members refresh from our
fixtures), then `python -m tests.support.digest WAREHOUSE` (rows sorted, the ingest-time
columns and the run log left out). A change that means to alter the tables makes a new digest
the same way, in the commit that changes them, and says here what changed:

- "Spine v2" (d241a83): built by the code before the restructuring (f0ce6fb) and by the new
  engine, every table the same but raw_inputs, which gained the members refresh's 7 responses
  and 2 files (the old members flow never published its manifest).
- Fidelity (schema v5): contributions and debates gain `header_incomplete` and
  `question_uins` (same rows); speaker_resolutions: 8 TheyWorkForYou speeches whose own person
  id the identity map cannot place are no longer given a member by their printed name.
- Search index v2 (schema v6): search_postings carry each contribution's number in its
  partition (`doc`) instead of its id, search_docs map it and gain `sitting_date` (same rows).
- Votes APIs (schema v7): divisions and division_votes gain the Votes APIs' columns (null for
  TheyWorkForYou's 11 divisions and 4,156 names, same rows) and the 5 divisions and 3,250
  names of our Votes API fixtures for the 2023 TheyWorkForYou day; raw_inputs its 7 responses.
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


def test_every_table_is_as_expected(corpus_warehouse: tuple[Warehouse, Any]) -> None:
    wh, _ = corpus_warehouse
    expected = json.loads(GOLDEN.read_text())
    got = digest(wh)
    differing = {k: (got.get(k), expected.get(k)) for k in set(got) | set(expected)}
    assert not {k: v for k, v in differing.items() if v[0] != v[1]}


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
