"""End to end through the real flow: raw zone, Parquet on disk, a real DuckDB file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest

from flows.core import raw_zone
from flows.core.inputs import walk
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from flows.sources import CATALOG
from tests.conftest import SAMPLE, corpus_path
from tests.support.runs import ingest_text, rebuild
from tests.support.tables import file_hashes, live_by_folder
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, TABLES

PARSED = ("debates", "contributions", "rejects")
# what a transcript-text run fills: its own tables, the manifest and run log, the derived ones
FED_BY_TEXT = {
    *CATALOG["pp_text"].tables,
    "raw_inputs",
    "ingest_runs",
    "speaker_resolutions",
    "search_postings",
    "search_docs",
}


def table_bytes(wh: Warehouse, names: tuple[str, ...] = PARSED) -> dict[str, str]:
    """Every published partition of the named tables → its file's sha256."""
    return file_hashes(wh, names)


def views_query(wh: Warehouse, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_sample_lands_in_every_table_and_view(warehouse: Warehouse) -> None:
    summary = ingest_text([str(SAMPLE)], str(warehouse.root))
    assert (summary.inputs_seen, summary.inputs_new, summary.rejects) == (5, 5, 0)
    assert (summary.debates, summary.contributions) == (6, 36)
    rows = views_query(
        warehouse,
        "select house, location, count(*) from contributions group by all order by all",
    )
    assert rows == [
        ("Commons", "Commons Chamber", 13),
        ("Commons", "Westminster Hall", 10),
        ("Lords", "Grand Committee", 5),
        ("Lords", "Lords Chamber", 8),
    ]
    # every contribution's debate exists; keys are unique
    assert views_query(
        warehouse,
        "select count(*) from contributions c anti join debates d using (debate_id)",
    ) == [(0,)]
    assert views_query(
        warehouse, "select count(*) - count(distinct contribution_id) from contributions"
    ) == [(0,)]
    assert views_query(warehouse, "select count(*) from raw_inputs where is_current") == [(5,)]
    assert views_query(warehouse, "select status, inputs_new from ingest_runs") == [
        ("completed", 5)
    ]


def test_views_work_from_any_working_directory(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_text([str(SAMPLE)], str(warehouse.root))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for name in TABLES:
        (count,) = views_query(warehouse, f"select count(*) from {name}")[0]
        assert count > 0 or name == "rejects" or name not in FED_BY_TEXT, name


def test_same_input_twice_is_a_no_op_with_identical_bytes(warehouse: Warehouse) -> None:
    ingest_text([str(SAMPLE)], str(warehouse.root))
    before = table_bytes(warehouse)
    again = ingest_text([str(SAMPLE)], str(warehouse.root))
    assert (again.inputs_new, again.inputs_unchanged, again.contributions) == (0, 5, 0)
    assert table_bytes(warehouse) == before
    assert len(raw_zone.entries(warehouse, "pp_text")) == 5


def test_two_warehouses_from_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    a, b = Warehouse.at(tmp_path / "a"), Warehouse.at(tmp_path / "b")
    files = sorted(SAMPLE.glob("*.txt"))
    ingest_text([str(f) for f in files], str(a.root))
    for f in reversed(files):  # other order, one run per file
        ingest_text([str(f)], str(b.root))
    assert table_bytes(a) == table_bytes(b)
    assert table_bytes(a)


def test_rebuild_regenerates_tables_from_raw_alone(warehouse: Warehouse, tmp_path: Path) -> None:
    sample_copy = tmp_path / "inputs"
    sample_copy.mkdir()
    for f in SAMPLE.glob("*.txt"):
        (sample_copy / f.name).write_bytes(f.read_bytes())
    ingest_text([str(sample_copy)], str(warehouse.root))
    before = table_bytes(warehouse)
    for f in sample_copy.iterdir():
        f.unlink()  # the inputs are gone: only the raw zone remains
    for name in PARSED:
        if warehouse.table_dir(name).exists():
            os.rename(warehouse.table_dir(name), tmp_path / f"old-{name}")
    summary = rebuild(str(warehouse.root))
    assert summary.contributions == 36
    assert table_bytes(warehouse) == before


def test_changed_document_supersedes_its_older_version(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    page = tmp_path / "page.txt"
    original = (SAMPLE / "lords-chamber-water-quality-2025-01-28.txt").read_text()
    page.write_text(original)
    ingest_text([str(page)], str(warehouse.root))
    page.write_text(original.replace("My Lords, chalk streams", "My Lords, chalk rivers", 1))
    summary = ingest_text([str(page)], str(warehouse.root))
    assert summary.inputs_new == 1
    texts = read_table(warehouse, CONTRIBUTIONS)["text"].to_list()
    assert len(texts) == 8
    assert any(t.startswith("My Lords, chalk rivers") for t in texts)
    assert not any(t.startswith("My Lords, chalk streams") for t in texts)
    assert views_query(
        warehouse, "select count(*), count(*) filter (where is_current) from raw_inputs"
    ) == [(2, 1)]
    # rebuild agrees with the incremental result
    incremental = table_bytes(warehouse)
    rebuild(str(warehouse.root))
    assert table_bytes(warehouse) == incremental


def test_failure_mid_publish_leaves_previous_state(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(SAMPLE.glob("*.txt"))
    ingest_text([str(f) for f in files[:2]], str(warehouse.root))
    before = table_bytes(warehouse)
    before_rows = views_query(warehouse, "select count(*) from contributions")

    import flows.core.merge_stream as stream_module
    import flows.core.publish as publish_module

    calls = {"n": 0}

    def failing(real):  # noqa: ANN001, ANN202
        def write(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("disk full (injected)")
            real(*args, **kwargs)

        return write

    # a partition's file is written whole (publish) or streamed (merge_stream)
    monkeypatch.setattr(publish_module, "_write_file", failing(publish_module._write_file))
    monkeypatch.setattr(stream_module, "write_stream", failing(stream_module.write_stream))
    with pytest.raises(OSError, match="injected"):
        ingest_text([str(f) for f in files], str(warehouse.root))
    assert calls["n"] >= 3
    assert table_bytes(warehouse) == before
    assert views_query(warehouse, "select count(*) from contributions") == before_rows
    assert not any(warehouse.staging.glob("*")), "staging must be cleaned up"
    assert views_query(warehouse, "select status from ingest_runs order by started_at") == [
        ("completed",),
        ("failed",),
    ]


BAD_INPUTS = {
    "empty.txt": (b"", "empty", None),
    "junk.txt": (bytes(range(256)) * 4, "binary", 1),
    "cp1252.txt": (
        b"Regulated Rail Fares\n\nA Member Excerpts\n" + "It\x92s".encode("latin-1"),
        "encoding",
        4,
    ),
    "utf16.txt": ("Some page".encode("utf-16"), "encoding", 1),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_and_the_run_continues(
    warehouse: Warehouse, tmp_path: Path, name: str
) -> None:
    data, reason, line = BAD_INPUTS[name]
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(data)
    good = tmp_path / "in" / "good.txt"
    good.write_bytes((SAMPLE / "grand-committee-bus-services-2024-10-08.txt").read_bytes())
    summary = ingest_text([str(bad.parent)], str(warehouse.root))
    assert summary.contributions == 5
    rejects = read_table(warehouse, REJECTS)
    assert rejects["reason"].to_list() == [reason]
    ref = rejects["source_ref"][0]
    expected_ref = f"{bad.resolve()}:{line}" if line else str(bad.resolve())
    assert ref == expected_ref
    assert str(bad.resolve()) in rejects["detail"][0]
    # the bad bytes are kept in the raw zone like any other input
    assert len(raw_zone.entries(warehouse, "pp_text")) == 2


def _seed_variant(transform) -> bytes:  # noqa: ANN001
    seed = corpus_path("seed", "casey-report-2025-06-16.txt").read_text()
    return transform(seed).encode()


def test_truncated_and_unknown_lines_are_rejected_with_file_and_line(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.txt"  # cut inside the second speaker's speech
    cut.write_bytes(_seed_variant(lambda s: s[: s.index("upgrade the status")]))
    odd = tmp_path / "odd.txt"  # an unknown line in the block header
    odd.write_bytes(
        _seed_variant(
            lambda s: s.replace(
                "Commons Chamber\n", "Commons Chamber\nSomething unexpected here\n", 1
            )
        )
    )
    summary = ingest_text([str(cut), str(odd)], str(warehouse.root))
    rejects = {r["reason"]: r for r in read_table(warehouse, REJECTS).iter_rows(named=True)}
    assert set(rejects) == {"truncated", "unknown_line"}
    assert rejects["truncated"]["source_ref"] == f"{cut.resolve()}:20"
    assert rejects["unknown_line"]["source_ref"].startswith(f"{odd.resolve()}:")
    assert "line 14" in rejects["unknown_line"]["detail"]
    assert "Something unexpected here" in rejects["unknown_line"]["detail"]
    # the cut page still publishes what it has, the cut speech flagged
    contributions = read_table(warehouse, CONTRIBUTIONS)
    assert summary.contributions == 2
    assert contributions["is_truncated"].to_list() == [False, True]


def test_missing_path_is_a_reject_not_a_crash(warehouse: Warehouse, tmp_path: Path) -> None:
    summary = ingest_text([str(tmp_path / "nope.txt"), str(SAMPLE)], str(warehouse.root))
    assert summary.contributions == 36
    rejects = read_table(warehouse, REJECTS)
    assert rejects["reason"].to_list() == ["unreadable"]
    assert "no such file" in rejects["detail"][0]


def test_refused_inputs_are_rejects_and_never_reach_the_raw_zone(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """A name that is not UTF-8, a dangling link and a link out of the folder: each a reject
    naming the file and why; the run publishes the rest, and later runs and rebuild work."""
    pages = sorted(SAMPLE.glob("*.txt"))
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    (inbox / "sub").mkdir(parents=True)
    outside.mkdir()
    (inbox / pages[0].name).write_bytes(pages[0].read_bytes())
    (inbox / "sub" / pages[1].name).write_bytes(pages[1].read_bytes())
    (inbox / "inside.txt").symlink_to(inbox / "sub" / pages[1].name)  # stays in: taken
    bad_name = os.fsencode(inbox) + b"/caf\xe9.txt"  # Latin-1, not UTF-8
    with open(bad_name, "wb") as f:  # noqa: PTH123 (a bytes path)
        f.write(pages[2].read_bytes())
    (inbox / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    secret = outside / "secret.txt"
    secret.write_bytes(pages[3].read_bytes())
    (inbox / "secret.txt").symlink_to(secret)

    summary = ingest_text([inbox], str(warehouse.root))
    assert summary.rejects == 3
    rejects = read_table(warehouse, REJECTS).sort("source_ref")
    assert rejects["reason"].to_list() == ["refused"] * 3
    refs = rejects["source_ref"].to_list()
    assert refs == [f"{inbox}/caf\\xe9.txt", f"{inbox}/dangling.txt", f"{inbox}/secret.txt"]
    details = " ".join(rejects["detail"])
    assert "not valid UTF-8" in details and "dangling symbolic link" in details
    assert f"a link to {secret}, outside the folder {inbox}" in details
    stored = {e.raw_sha256 for e in raw_zone.entries(warehouse, "pp_text")}
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in stored
    assert hashlib.sha256(pages[2].read_bytes()).hexdigest() not in stored
    assert len(stored) == 2
    assert ingest_text([inbox], str(warehouse.root)).inputs_new == 0
    assert rebuild(str(warehouse.root)).contributions == summary.contributions


def test_a_manifest_naming_an_undecodable_file_does_not_break_later_runs(
    warehouse: Warehouse,
) -> None:
    """A manifest written before names were checked (a surrogate escape in original_path)
    is read with the name made valid, by the next run and by rebuild."""
    page = sorted(SAMPLE.glob("*.txt"))[0]
    raw_zone.store(warehouse, "pp_text", page.read_bytes(), "/inbox/caf\udce9.txt")
    assert ingest_text([], str(warehouse.root)).contributions > 0
    names = read_table(warehouse, TABLES["raw_inputs"])["original_path"].to_list()
    assert names == ["/inbox/caf\\xe9.txt"]
    assert rebuild(str(warehouse.root)).contributions > 0


def test_a_corrupt_raw_object_is_a_reject_and_never_published(warehouse: Warehouse) -> None:
    """A flipped bit in the raw zone: rebuild rejects that input by name and publishes the
    rest; once the object is restored, rebuild brings its rows back. A lost object is put back
    by ingesting the input again."""
    first = ingest_text([SAMPLE], str(warehouse.root))
    entry = max(raw_zone.entries(warehouse, "pp_text"), key=lambda e: e.bytes)
    obj = warehouse.root / entry.raw_path
    good = obj.read_bytes()
    obj.write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])

    flipped = rebuild(str(warehouse.root))
    rejects = read_table(warehouse, REJECTS).filter(pl.col("reason") == "corrupt_raw")
    assert rejects["source_ref"].to_list() == [entry.original_path]
    assert f"its sha256 is {hashlib.sha256(obj.read_bytes()).hexdigest()}" in rejects["detail"][0]
    rows = read_table(warehouse, CONTRIBUTIONS)
    assert rows.filter(pl.col("raw_sha256") == entry.raw_sha256).height == 0
    assert 0 < flipped.contributions < first.contributions

    obj.write_bytes(good)
    restored = rebuild(str(warehouse.root))
    assert restored.contributions == first.contributions
    assert read_table(warehouse, REJECTS).filter(pl.col("reason") == "corrupt_raw").height == 0

    obj.unlink()
    ingest_text([SAMPLE], str(warehouse.root))
    assert obj.read_bytes() == good


def test_parquet_is_readable_directly_with_typed_partitions(warehouse: Warehouse) -> None:
    ingest_text([str(SAMPLE)], str(warehouse.root))
    root = warehouse.table_dir("contributions")
    # polars, with hive partitions
    df = pl.read_parquet(root / "*/*/*/*.parquet", hive_partitioning=True)
    assert df.height == 36 and set(df["house"]) == {"Commons", "Lords"}
    # pyarrow dataset with the declared partition types
    dataset = ds.dataset(root, format="parquet", partitioning="hive")
    assert dataset.count_rows() == 36
    # DuckDB directly on the files: typed sitting_year
    con = duckdb.connect()
    (typ,) = con.execute(
        "select typeof(sitting_year) from read_parquet(?, hive_partitioning = true, "
        "hive_types = {'source': VARCHAR, 'house': VARCHAR, 'sitting_year': SMALLINT}) limit 1",
        [str(root / "*/*/*/*.parquet")],
    ).fetchone()
    assert typ == "SMALLINT"
    # every table as read back has exactly the declared schema
    for table in (DEBATES, CONTRIBUTIONS):
        assert read_table(warehouse, table).schema == table.schema


def test_discover_takes_txt_files_from_folders_in_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text("x")
    found = walk([tmp_path], "*.txt", lambda f: True)
    assert [Path(f).name for f in found.files] == ["a.txt", "b.txt"] and found.missing == []


def test_shared_contribution_survives_when_one_page_showing_it_changes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """Two pages excerpting one debate share a contribution (same id, kept once). When one page
    is replaced by a version without it, the other page's copy must still be published."""
    seed = corpus_path("seed", "casey-report-2025-06-16.txt").read_text()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(seed)
    b.write_text(
        seed[
            : seed.index(
                "Yvette Cooper Portrait Yvette Cooper\n- View Speech - Hansard"
                " - - - Excerpts\n\nI welcome"
            )
        ].rstrip("\n")
    )
    ingest_text([str(a), str(b)], str(warehouse.root))
    assert read_table(warehouse, CONTRIBUTIONS).height == 3  # b's two are a's first two
    a.write_text(seed.replace("I agree with my hon. Friend.", "I agree with him.", 1))
    summary = ingest_text([str(a)], str(warehouse.root))
    texts = read_table(warehouse, CONTRIBUTIONS)["text"].to_list()
    assert len(texts) == 4
    assert sum(t.startswith("I agree with my hon. Friend.") for t in texts) == 1  # b's copy
    assert sum(t.startswith("I agree with him.") for t in texts) == 1
    assert (
        "re-derived"
        in views_query(
            warehouse, "select message from ingest_runs where run_id = ?", [summary.run_id]
        )[0][0]
    )


UNDATED_PAGE = """URL: https://www.parallelparliament.co.uk/mp/ada-finch/dept-debates/NIO?page=2

41 Ada Finch debates involving the Northern Ireland Office

Ferry Routes

Ada Finch Excerpts
Ada Finch Portrait Ada Finch
- Hansard - -

Our own words on the ferry routes to the islands.
"""


def test_speeches_with_an_unknown_date_and_house_are_published_and_queryable(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """A block whose page never prints its date or House, beside the sample: its rows go to
    the null partition, pass the gate, are derived (resolution, search), queryable in the
    views, kept by a rebuild byte for byte, and flagged."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for f in SAMPLE.glob("*.txt"):
        (inputs / f.name).write_bytes(f.read_bytes())
    (inputs / "undated.txt").write_text(UNDATED_PAGE)
    summary = ingest_text([str(inputs)], str(warehouse.root))
    assert summary.contributions == 37
    null = "source=pp_text/house=__HIVE_DEFAULT_PARTITION__/sitting_year=__HIVE_DEFAULT_PARTITION__"
    for table in ("debates", "contributions", "speaker_resolutions", "search_docs"):
        assert f"{table}/{null}" in live_by_folder(warehouse, table), table
    got = views_query(
        warehouse,
        "select house, sitting_year, sitting_date, location, header_incomplete, count(*) "
        "from contributions group by all order by all",
    )
    assert (None, None, None, None, True, 1) in got
    assert sum(n for *_, n in got) == 37
    (reason,) = views_query(
        warehouse,
        "select r.reason from contributions c join speaker_resolutions r using "
        "(contribution_id) where c.header_incomplete",
    )[0]
    assert reason.startswith("no match: the sitting date or House is unknown")
    hits = views_query(warehouse, "select contribution_id from search_bm25('islands')")
    assert len(hits) == 1
    for macro in ("search_top('islands', 5)", "search_contributions('islands')"):
        found = views_query(warehouse, f"select contribution_id, house, text from {macro}")
        assert found == [(hits[0][0], None, "Our own words on the ferry routes to the islands.")]
    trend = views_query(warehouse, "select month, contribution_count from term_trend('islands')")
    assert trend == [(None, 1)]
    (warning,) = views_query(
        warehouse, "select detail from rejects where reason = 'header_incomplete'"
    )[0]
    assert "no sitting date, House, location in the block" in warning
    before = table_bytes(warehouse, (*PARSED, "speaker_resolutions", "search_postings"))
    rebuild(str(warehouse.root))
    assert table_bytes(warehouse, (*PARSED, "speaker_resolutions", "search_postings")) == before
