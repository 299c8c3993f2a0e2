"""The publish step on its own: merge, replace specs, skipping unchanged partitions."""

from __future__ import annotations

from datetime import date

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
