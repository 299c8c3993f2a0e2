"""The streamed merge of spilled rows (flows/core/merge_stream.py) writes the bytes of the full
merge, a few row groups of each spilled run in memory at a time, and hands back to the full
merge whenever the rows do not allow streaming."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from flows.core import spill
from flows.core.merge_stream import NotStreamable, stage_spilled
from flows.core.publish import Staged, partition_file, publish, stage_partition
from flows.core.warehouse import Warehouse
from tests.conftest import ROOT
from transforms.pp_text.parse import PageInput, parse_page
from transforms.schema import CONTRIBUTIONS, frame

TABLE = dataclasses.replace(CONTRIBUTIONS, row_group=50)  # several row groups, the last partial


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """Contributions of our own generated pages: one (house, year) partition, in table order."""
    folder = tmp_path_factory.mktemp("pages")
    script = ROOT / "bench" / "generate_text.py"
    args = ["--contributions", "400", "--years", "2010-2010", "--seed", "5", str(folder)]
    subprocess.run([sys.executable, str(script), *args], check=True, capture_output=True)
    parsed = []
    for page in sorted(folder.glob("*.txt")):
        data = page.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        page_input = PageInput(data, page.name, sha, datetime(2026, 1, 1, tzinfo=UTC))
        parsed += parse_page(page_input).contributions
    df = frame(TABLE, parsed)
    (house,) = df["house"].value_counts(sort=True)["house"].head(1)
    return df.filter(pl.col("house") == house).sort(list(TABLE.order_by))


def part_of(df: pl.DataFrame) -> tuple[object, ...]:
    return tuple(df.select(TABLE.partition_by).row(0))


def spilled(root: Path, pieces: Sequence[pl.DataFrame]) -> list[Path]:
    """Each piece spilled as a batch would be, in parse (not table) order."""
    for n, piece in enumerate(pieces, start=1):
        spill.write(root, TABLE, piece.sample(fraction=1.0, shuffle=True, seed=n), n)
    return spill.files(root, TABLE, part_of(pieces[0]))


def both_ways(
    tmp_path: Path, published: pl.DataFrame | None, pieces: Sequence[pl.DataFrame], **kw: object
) -> tuple[Staged | None, Staged | None]:
    """The partition staged streamed in one warehouse and by the full merge in another."""
    files = spilled(tmp_path / "spill", pieces)
    out = []
    for name in ("streamed", "full"):
        wh = Warehouse.at(tmp_path / name)
        if published is not None:
            publish(wh, TABLE, published)
        run = tmp_path / f"run-{name}"
        part = part_of(pieces[0])
        if name == "streamed":
            out.append(stage_spilled(wh, TABLE, part, files, run, drop=None, **kw))  # type: ignore[arg-type]
        else:
            new = spill.read(files, TABLE)
            out.append(stage_partition(wh, TABLE, part, new, run, **kw))  # type: ignore[arg-type]
    return out[0], out[1]


def same(streamed: Staged | None, full: Staged | None) -> None:
    assert streamed is not None and full is not None
    assert streamed.staged is not None and full.staged is not None
    assert streamed.staged.read_bytes() == full.staged.read_bytes()
    assert (streamed.old_rows, streamed.new_rows, streamed.debates) == (
        full.old_rows,
        full.new_rows,
        full.debates,
    )


def test_pieces_in_date_order_stream_into_the_bytes_of_the_full_merge(
    rows: pl.DataFrame, tmp_path: Path
) -> None:
    # cut mid-date: a piece's last day is the next one's first, held back and sorted with it
    cuts = [0, rows.height // 3, rows.height // 2, rows.height]
    pieces = [rows[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    assert pieces[0]["sitting_date"].max() >= pieces[1]["sitting_date"].min()
    streamed, full = both_ways(tmp_path, None, pieces, replaced=False)
    same(streamed, full)
    assert streamed is not None and streamed.debates[0] == rows["debate_id"].n_unique()


def test_rows_after_the_published_ones_stream_after_its_row_groups(
    rows: pl.DataFrame, tmp_path: Path
) -> None:
    day = rows["sitting_date"].unique().sort()[3]
    before, after = (
        rows.filter(pl.col("sitting_date") < day),
        rows.filter(pl.col("sitting_date") >= day),
    )
    half = after.height // 2
    streamed, full = both_ways(tmp_path, before, [after[:half], after[half:]], replaced=False)
    same(streamed, full)
    assert streamed is not None and streamed.old_rows == before.height


def test_a_replace_streams_and_finds_unchanged_rows_unchanged(
    rows: pl.DataFrame, tmp_path: Path
) -> None:
    half = rows.height // 2
    again = both_ways(tmp_path / "again", rows, [rows[:half], rows[half:]], replaced=True)
    assert again == (None, None)  # the rows as published: nothing rewritten
    edited = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 7).then(pl.lit("Edited.")).otherwise("text").alias("text")
    )
    streamed, full = both_ways(
        tmp_path / "edited", rows, [edited[:half], edited[half:]], replaced=True
    )
    same(streamed, full)
    assert streamed is not None and streamed.debates[1] == 1  # one debate changed


def test_pieces_out_of_date_order_stream_too(rows: pl.DataFrame, tmp_path: Path) -> None:
    """Batches whose dates overlap (inputs stored in parallel, then batched in the order they
    were stored): what a later piece reaches back into is held back, the bytes the same."""
    third = rows.height // 3
    pieces = [rows[third:], rows[:third]]  # the second piece holds the earliest dates
    streamed, full = both_ways(tmp_path, None, pieces, replaced=False)
    same(streamed, full)


@pytest.mark.parametrize(
    "case", ["one key twice", "a published key", "earlier", "a later piece earlier"]
)
def test_rows_that_do_not_stream_are_left_to_the_full_merge(
    rows: pl.DataFrame, tmp_path: Path, case: str
) -> None:
    half = rows.height // 2
    published = None
    pieces = [rows[:half], rows[half:]]
    if case == "one key twice":
        moved = rows[:1].with_columns(pl.lit(rows["sitting_date"].max()).alias("sitting_date"))
        pieces = [rows[:half], pl.concat([rows[half:], moved])]
    elif case == "a published key":
        published = rows[:half]
        moved = rows[:1].with_columns(pl.lit(rows["sitting_date"].max()).alias("sitting_date"))
        pieces = [pl.concat([rows[half:], moved])]
    elif case == "earlier":  # rows before the published ones
        published, pieces = rows[half:], [rows[:half]]
    else:  # the first piece after the published rows, the second one before them
        days = rows["sitting_date"].unique().sort()
        day = pl.col("sitting_date")
        published = rows.filter((day >= days[3]) & (day < days[6]))
        pieces = [rows.filter(day >= days[6]), rows.filter(day < days[3])]
    wh = Warehouse.at(tmp_path / "wh")
    if published is not None:
        publish(wh, TABLE, published)
    files = spilled(tmp_path / "spill", pieces)
    with pytest.raises(NotStreamable):
        stage_spilled(wh, TABLE, part_of(rows), files, tmp_path / "run", replaced=False, drop=None)
    assert not list((tmp_path / "run").rglob("*.parquet"))  # nothing left half written
    if published is not None:
        assert partition_file(wh, TABLE, part_of(rows)) is not None


@pytest.mark.parametrize("split", ["interleaved", "three overlapping", "in date order"])
def test_sorted_runs_of_many_row_groups_merge_into_the_bytes_of_the_full_merge(
    rows: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split: str
) -> None:
    """Spill files are sorted runs in small row groups, read one row group at a time: runs
    whose dates interleave row by row, or overlap in part, merge into the full merge's bytes."""
    monkeypatch.setattr(spill, "RUN_ROWS", 16)
    i = pl.int_range(pl.len())
    if split == "interleaved":
        pieces = [rows.filter(i % 2 == 0), rows.filter(i % 2 == 1)]
    elif split == "three overlapping":
        n = rows.height
        pieces = [rows[: n // 2], rows[n // 4 : 3 * n // 4].filter(i % 3 == 0), rows[n // 2 :]]
        pieces[0] = pieces[0].filter(~pl.col("contribution_id").is_in(pieces[1]["contribution_id"]))
        pieces[2] = pieces[2].filter(~pl.col("contribution_id").is_in(pieces[1]["contribution_id"]))
    else:
        pieces = [rows[: rows.height // 2], rows[rows.height // 2 :]]
    streamed, full = both_ways(tmp_path, None, pieces, replaced=False)
    same(streamed, full)
    for f in spill.files(tmp_path / "spill", TABLE, part_of(rows)):
        spilled_rows = pl.read_parquet(f)
        assert spilled_rows.equals(spilled_rows.sort(list(TABLE.order_by)))  # a sorted run
        groups = pq.ParquetFile(f).metadata
        assert groups.num_row_groups == -(-spilled_rows.height // 16)
