"""The publish step on its own: merge, replace specs, skipping unchanged partitions."""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl
import pyarrow.parquet as pq
import pytest

from flows.core.delta import snapshot
from flows.core.publish import existing_partitions, partition_file, publish, read_table
from flows.core.warehouse import Warehouse
from transforms.schema import DEBATES, frame


def debate(debate_id: str, source: str, day: date, raw: str = "a" * 64, title: str = "T") -> dict:
    return {
        "debate_id": debate_id,
        "source": source,
        "house": "Commons",
        "location": "Commons Chamber",
        "sitting_date": day,
        "sitting_year": day.year,
        "title": title,
        "source_ref": f"{debate_id}:1",
        "raw_sha256": raw,
    }


def test_unchanged_partitions_are_not_rewritten(warehouse: Warehouse) -> None:
    rows = [debate("d1", "pp_text", date(2024, 1, 2)), debate("d2", "pp_text", date(2025, 1, 2))]
    assert len(publish(warehouse, DEBATES, frame(DEBATES, rows))) == 2
    file = partition_file(warehouse, DEBATES, ("pp_text", "Commons", 2024))
    version = snapshot(warehouse.table_dir(DEBATES.name), DEBATES).version
    assert publish(warehouse, DEBATES, frame(DEBATES, rows)) == []
    assert partition_file(warehouse, DEBATES, ("pp_text", "Commons", 2024)) == file
    assert snapshot(warehouse.table_dir(DEBATES.name), DEBATES).version == version  # no commit


def test_replace_spec_rewrites_only_matching_partitions(warehouse: Warehouse) -> None:
    publish(
        warehouse,
        DEBATES,
        frame(
            DEBATES,
            [
                debate("p1", "pp_text", date(2024, 1, 2)),
                debate("a1", "hansard_api", date(2024, 1, 2)),
                debate("a2", "hansard_api", date(2024, 3, 4)),
            ],
        ),
    )
    # the API source is re-derived and now yields only a2 (retitled): a1 must disappear,
    # the transcript-text partition must stay as it was
    written = publish(
        warehouse,
        DEBATES,
        frame(DEBATES, [debate("a2", "hansard_api", date(2024, 3, 4), title="New")]),
        replace=[{"source": "hansard_api"}],
    )
    assert written == [("hansard_api", "Commons", 2024)]
    table = read_table(warehouse, DEBATES)
    assert sorted(zip(table["debate_id"], table["title"], strict=True)) == [
        ("a2", "New"),
        ("p1", "T"),
    ]
    assert existing_partitions(warehouse, DEBATES) == [
        ("hansard_api", "Commons", 2024),
        ("pp_text", "Commons", 2024),
    ]


def test_duplicate_keys_keep_the_lowest_raw_hash_whatever_the_order(warehouse: Warehouse) -> None:
    low = debate("d1", "pp_text", date(2024, 1, 2), raw="1" * 64, title="from low")
    high = debate("d1", "pp_text", date(2024, 1, 2), raw="f" * 64, title="from high")
    publish(warehouse, DEBATES, frame(DEBATES, [high]))
    publish(warehouse, DEBATES, frame(DEBATES, [low]))
    assert read_table(warehouse, DEBATES)["title"].to_list() == ["from low"]
    other = Warehouse.at(warehouse.root.parent / "other")
    publish(other, DEBATES, frame(DEBATES, [low]))
    publish(other, DEBATES, frame(DEBATES, [high]))
    assert read_table(other, DEBATES)["title"].to_list() == ["from low"]


def test_rows_after_the_published_ones_are_appended_into_the_same_bytes(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backfill in date order: each publish's rows come after the partition's. The partition
    is then copied row group by row group and the new rows added (never read whole), and the
    file is byte for byte the one a single publish of every row writes."""
    from flows.core import publish as publish_module

    table = dataclasses.replace(DEBATES, row_group=3)  # several row groups, the last one partial
    days = [date(2024, 1, d) for d in range(2, 30)]
    rows = [debate(f"d{i:02}", "pp_text", day) for i, day in enumerate(days)]
    batches = [rows[0:5], rows[5:6], rows[6:13], rows[13:28]]

    def whole(*_: object, **__: object) -> None:
        raise AssertionError("the published partition was read whole")

    publish(warehouse, table, frame(table, batches[0]))
    with monkeypatch.context() as m:
        m.setattr(publish_module, "read_partition", whole)
        for batch in batches[1:]:
            assert publish(warehouse, table, frame(table, batch)) == [("pp_text", "Commons", 2024)]
    other = Warehouse.at(warehouse.root.parent / "other")
    publish(other, table, frame(table, rows))
    part = ("pp_text", "Commons", 2024)
    appended, written = partition_file(warehouse, table, part), partition_file(other, table, part)
    assert appended is not None and written is not None
    assert appended.read_bytes() == written.read_bytes()
    assert pq.ParquetFile(appended).metadata.num_row_groups == 10


def test_rows_that_do_not_come_after_the_published_ones_are_merged(warehouse: Warehouse) -> None:
    """An earlier day, a key already published, or a debate moved to a later day: the full
    merge, whose result is the same as publishing the rows at once."""
    table = dataclasses.replace(DEBATES, row_group=2)
    first = [debate(f"d{i}", "pp_text", date(2024, 2, 10 + i)) for i in range(5)]
    publish(warehouse, table, frame(table, first))
    later = [
        debate("e1", "pp_text", date(2024, 1, 5)),  # before every published row
        debate("d4", "pp_text", date(2024, 3, 1), raw="0" * 64, title="moved"),  # a key, later
        debate("e2", "pp_text", date(2024, 3, 2)),
    ]
    publish(warehouse, table, frame(table, later))
    got = read_table(warehouse, table).sort("sitting_date")
    assert got["debate_id"].to_list() == ["e1", "d0", "d1", "d2", "d3", "d4", "e2"]
    assert got.filter(pl.col("debate_id") == "d4")["title"].to_list() == ["moved"]
