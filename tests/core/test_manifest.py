"""raw_inputs is published incrementally (only manifests not yet in it are read) and always
equals a full read of the raw zone's manifests, current flags included."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from flows.core import manifest, raw_zone
from flows.core.inputs import store_files
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from flows.sources import CATALOG
from tests.conftest import SAMPLE
from transforms.schema import RAW_INPUTS, frame


def full(wh: Warehouse) -> pl.DataFrame:
    """raw_inputs as a read of every manifest gives it (the old, non-incremental way)."""
    rows = [manifest._row(e) for s in CATALOG.raw_sources for e in raw_zone.entries(wh, s)]
    return manifest._with_current(frame(RAW_INPUTS, rows))


def published(wh: Warehouse) -> pl.DataFrame:
    return read_table(wh, RAW_INPUTS)


def same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    order = ["source", "raw_sha256", "document_key"]
    return a.sort(order).equals(b.sort(order).select(a.columns))


def test_incremental_manifest_equals_a_full_read(warehouse: Warehouse, tmp_path: Path) -> None:
    pages = sorted(SAMPLE.glob("*.txt"))
    page = tmp_path / pages[0].name  # a document read from one place, twice
    page.write_bytes(pages[0].read_bytes())
    store_files(warehouse, "pp_text", [page, pages[1]])
    manifest.publish_manifest(warehouse, CATALOG.raw_sources)
    assert same(published(warehouse), full(warehouse)) and published(warehouse).height == 2

    store_files(warehouse, "pp_text", [pages[0]])  # the same bytes from elsewhere: a no-op
    page.write_bytes(pages[0].read_bytes() + b"\nA later paragraph.\n")  # a newer version
    store_files(warehouse, "pp_text", [page, *pages[2:]])
    read: list[int] = []
    real = raw_zone.read_entries

    def counting(wh, source, ids):  # noqa: ANN001, ANN202
        ids = list(ids)
        read.append(len(ids))
        return real(wh, source, ids)

    raw_zone.read_entries = counting
    try:
        manifest.publish_manifest(warehouse, CATALOG.raw_sources)
    finally:
        raw_zone.read_entries = real
    assert sum(read) == 1 + len(pages[2:])  # only the manifests not yet published were read
    got = published(warehouse)
    assert same(got, full(warehouse))
    assert got.height == len(pages) + 1
    first = raw_zone.entries(warehouse, "pp_text")[0]  # superseded by the changed version
    superseded = got.filter(pl.col("raw_sha256") == first.raw_sha256)
    assert superseded["is_current"].to_list() == [False]
    assert got["is_current"].sum() == got["document_key"].n_unique() == len(pages)


def test_a_stale_or_missing_table_is_rebuilt_from_every_manifest(warehouse: Warehouse) -> None:
    pages = sorted(SAMPLE.glob("*.txt"))
    store_files(warehouse, "pp_text", pages)
    manifest.publish_manifest(warehouse, CATALOG.raw_sources)
    shutil.rmtree(warehouse.table_dir(RAW_INPUTS.name))  # e.g. lost, or never published
    manifest.publish_manifest(warehouse, CATALOG.raw_sources)
    assert same(published(warehouse), full(warehouse))
    assert published(warehouse).height == len(pages)


def test_current_entries_stream_the_published_table_as_a_full_read_gives_them(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """A source's work items come from its published raw_inputs partition, read a batch at a
    time: the same entries, in the same order, as a full read of the manifests; while the
    table lags the raw zone (an input stored, not yet published), from the full read."""
    pages = sorted(SAMPLE.glob("*.txt"))
    newer = tmp_path / pages[0].name  # another input, stored after the table was published
    newer.write_bytes(pages[0].read_bytes() + b"\n")
    store_files(warehouse, "pp_text", pages)

    def expected() -> list[raw_zone.RawEntry]:
        return list(manifest.iter_entries(full(warehouse).filter(pl.col("is_current"))))

    manifest.publish_manifest(warehouse, ["pp_text"])
    assert list(manifest.current_entries(warehouse, "pp_text")) == expected()
    store_files(warehouse, "pp_text", [newer])  # not yet in the table
    got = list(manifest.current_entries(warehouse, "pp_text"))
    assert got == expected() and newer.as_posix() in {e.original_path for e in got}


def test_files_stored_by_workers_in_chunks_keep_their_order_and_come_back_as_counts(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks stored by a runner's threads, finished in any order: every file's ingest time
    follows the walk's order (folder by folder, as Paths sort: `a/` before `a-b/`), and only
    counts and rejects come back, nothing per file."""
    from concurrent.futures import ThreadPoolExecutor

    from flows.core import inputs

    monkeypatch.setattr(inputs, "CHUNK", 2)
    for folder in ("a", "a-b", "b"):
        for n in range(3):
            (tmp_path / "in" / folder).mkdir(parents=True, exist_ok=True)
            (tmp_path / "in" / folder / f"{n}.txt").write_text(f"{folder} {n}")
    walked = inputs.walk([tmp_path / "in"], "*.txt", lambda f: True)
    assert [Path(f).parent.name for f in walked.files] == ["a"] * 3 + ["a-b"] * 3 + ["b"] * 3
    with ThreadPoolExecutor(3) as pool:
        stored = inputs.store_files(
            warehouse, "pp_text", [*walked.files, tmp_path / "gone.txt"], lambda n, s: pool, 3
        )
    assert (stored.count, stored.new, stored.unchanged, len(stored.rejects)) == (9, 9, 0, 1)
    assert "gone.txt" in stored.rejects[0]["detail"]
    by_time = sorted(raw_zone.entries(warehouse, "pp_text"), key=lambda e: e.ingested_at)
    assert [e.original_path for e in by_time] == [str(Path(f).resolve()) for f in walked.files]


def test_the_raw_state_leaves_out_another_writers_files_in_the_making(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """The fingerprint a run compares to know whether anything is pending: another run's manifest
    half written (`.name.….tmp`) is not part of it, nor a file gone between listing and stat (a
    run beside a storing one failed on exactly that: ENOENT on the other's temporary file)."""
    from flows.core import ledger

    store_files(warehouse, "pp_text", sorted(SAMPLE.glob("*.txt"))[:2])
    before = ledger.raw_state(warehouse, ["pp_text"])
    folder = warehouse.raw / "pp_text" / "manifest"
    (folder / ".abc.json.0123.tmp").write_text("{}")  # another writer's, in flight
    (folder / "gone.json").symlink_to(folder / "nowhere")  # listed, then gone at stat
    assert ledger.raw_state(warehouse, ["pp_text"]) == before
