"""Each kind of quality-gate failure stops the publish and leaves the published state as it
was (real staging, real Parquet on disk)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.core.publish import Plan, publish, read_table, stage, staging
from flows.core.quality import GateRules, QualityGateError, _unique, enforce
from flows.core.warehouse import Warehouse
from transforms.schema import CONTRIBUTIONS, DEBATES, frame

DAY = date(2031, 2, 4)
PARSED_TABLES = (DEBATES, CONTRIBUTIONS)


class Parsed:
    """Rows of the gated tables, as a run's commit has them."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {t.name: [] for t in PARSED_TABLES}


def publish_parsed(
    wh: Warehouse,
    parsed: Parsed,
    *,
    replace: list[dict] | tuple = (),
    rules: GateRules | None = None,
) -> list[tuple[str, tuple]]:
    """Every table staged, the gate run on them together, then all swapped in: a commit."""
    frames = {t.name: frame(t, parsed.rows[t.name]) for t in PARSED_TABLES}
    with staging(wh) as plan:
        for table in PARSED_TABLES:
            stage(wh, table, frames[table.name], plan, replace=replace)
        enforce(wh, plan, frames, rules or GateRules())
    return [(item.table, item.part) for item in plan.commit(wh)]


def debate(i: int, day: date = DAY) -> dict:
    return {
        "debate_id": f"d{i}",
        "source": "pp_text",
        "house": "Commons",
        "location": "Commons Chamber",
        "sitting_date": day,
        "sitting_year": day.year,
        "title": f"Debate {i}",
        "source_ref": f"page.txt:{i}",
        "raw_sha256": "a" * 64,
    }


def contribution(i: int, debate_id: str, day: date = DAY) -> dict:
    return {
        "contribution_id": f"c{i}",
        "debate_id": debate_id,
        "source": "pp_text",
        "source_ref": f"page.txt:{i}",
        "sitting_date": day,
        "sitting_year": day.year,
        "house": "Commons",
        "location": "Commons Chamber",
        "ordinal": i,
        "speaker_key": "Ada Finch",
        "speaker_display": "Ada Finch",
        "contribution_type": "speech",
        "text": "Harbour dues.",
        "word_count": 2,
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "raw_sha256": "a" * 64,
    }


def snapshot(wh: Warehouse) -> dict[str, str]:
    return {
        f.relative_to(wh.root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(wh.tables.rglob("*.parquet"))
    }


@pytest.fixture
def published(warehouse: Warehouse) -> Warehouse:
    parsed = Parsed()
    parsed.rows["debates"] = [debate(i) for i in range(30)]
    parsed.rows["contributions"] = [contribution(i, f"d{i}") for i in range(30)]
    publish_parsed(warehouse, parsed)
    return warehouse


def assert_refused(wh: Warehouse, attempt: Callable[[], object], message: str) -> None:
    before = snapshot(wh)
    with pytest.raises(QualityGateError, match=message):
        attempt()
    assert snapshot(wh) == before
    assert not any(wh.staging.glob("*/new")), "staged files are removed"


def test_orphan_contribution_is_refused(published: Warehouse) -> None:
    parsed = Parsed()
    parsed.rows["contributions"] = [contribution(99, "no-such-debate")]
    assert_refused(published, lambda: publish_parsed(published, parsed), "no debate row")


def test_row_count_collapse_is_refused(published: Warehouse) -> None:
    parsed = Parsed()
    parsed.rows["debates"] = [debate(i) for i in range(5)]
    parsed.rows["contributions"] = [contribution(i, f"d{i}") for i in range(5)]
    assert_refused(
        published,
        lambda: publish_parsed(published, parsed, replace=[{"source": "pp_text"}]),
        "rows would fall from 30 to 5",
    )


def test_rows_outside_the_run_dates_are_refused(published: Warehouse) -> None:
    parsed = Parsed()
    parsed.rows["debates"] = [debate(50, date(2030, 1, 1))]
    rules = GateRules(date_range=(DAY, DAY))
    assert_refused(
        published, lambda: publish_parsed(published, parsed, rules=rules), "outside 2031-02-04"
    )


def _tampered(wh: Warehouse, change: Callable[[pa.Table], pa.Table]) -> None:
    """Stage a real publish, corrupt the staged file, then run the gate on it."""
    plan = Plan.new(wh)
    new = frame(DEBATES, [debate(40)])
    stage(wh, DEBATES, new, plan)
    path = plan.items[0].staged
    pq.write_table(change(pq.read_table(path)), path)
    enforce(wh, plan, {"debates": new}, GateRules())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop_columns(["stage"]), "schema differs"),
        (lambda t: pa.concat_tables([t, t]), "duplicate keys"),
        (
            lambda t: t.set_column(
                t.schema.get_field_index("source_ref"),
                "source_ref",
                pa.array([None] * t.num_rows, pa.string()),
            ),
            "nulls in required column source_ref",
        ),
    ],
    ids=["schema", "duplicate-keys", "required-null"],
)
def test_corrupt_staged_files_are_refused(
    published: Warehouse, change: Callable[[pa.Table], pa.Table], message: str
) -> None:
    assert_refused(published, lambda: _tampered(published, change), message)


def test_a_clean_publish_passes_the_gate(published: Warehouse) -> None:
    parsed = Parsed()
    parsed.rows["debates"] = [debate(31)]
    parsed.rows["contributions"] = [contribution(31, "d31")]
    written = publish_parsed(published, parsed, rules=GateRules(date_range=(DAY, DAY)))
    assert ("debates", ("pp_text", "Commons", 2031)) in written
    assert "d31" in read_table(published, DEBATES)["debate_id"].to_list()
    assert read_table(published, CONTRIBUTIONS).height == 31


def test_publish_alone_still_works_for_tables_without_a_gate(warehouse: Warehouse) -> None:
    assert publish(warehouse, DEBATES, frame(DEBATES, [debate(1)])) == [
        ("pp_text", "Commons", 2031)
    ]


@pytest.mark.parametrize(
    ("terms", "ids", "unique"),
    [
        (list("aabbcc"), list("xyxyxy"), True),  # sorted, batches of 3 split a term
        (list("aabbcc"), list("xyyyxy"), False),  # (b, y) twice, across the batch edge
        (list("aabaab"), list("xyxxyx"), False),  # unsorted: every key hashed
        (list("babaab"), list("uvwxyz"), True),  # unsorted, unique
    ],
    ids=["sorted", "duplicate-at-batch-edge", "unsorted-duplicate", "unsorted-unique"],
)
def test_key_check_reads_one_batch_at_a_time(
    tmp_path: Path, terms: list[str], ids: list[str], unique: bool
) -> None:
    path = tmp_path / "keys.parquet"
    pq.write_table(pa.table({"term": terms, "contribution_id": ids}), path)
    assert _unique(path, ["term", "contribution_id"], batch_rows=3) is unique
