"""Tables derived from contributions (flows/derived/refresh.py) are recomputed partition by
partition, only where their inputs changed, and always equal a from-scratch derivation."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from flows.core.publish import (
    existing_partitions,
    file_metadata,
    partition_dir,
    partition_file,
    publish,
    read_table,
)
from flows.core.warehouse import Warehouse
from flows.derived.refresh import SIGNATURE_KEY, file_sha256, refresh_derived, signature_of
from flows.derived.resolution import SpeakerResolution, current_twfy_people, resolution_rows
from tests.conftest import SAMPLE
from tests.support.members_support import FIXTURES
from tests.support.runs import publish_only
from tests.support.tables import live_by_folder
from transforms.members.api import Response, build_tables
from transforms.schema import (
    CONTRIBUTIONS,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    Table,
    frame,
)


def ingest(wh: Warehouse, files: list[Path]) -> None:
    """Store and publish as a run does, without its derived step."""
    publish_only(wh, files)


def resolution(wh: Warehouse) -> SpeakerResolution:
    twfy, _ = current_twfy_people(wh)
    return SpeakerResolution(wh, twfy)


def publish_members(
    wh: Warehouse, tables: tuple[Table, ...] = (MEMBERS, MEMBER_NAMES, MEMBER_HOUSES)
) -> None:
    """Our Members API fixtures' tables (by default not member_parties, which resolution does
    not read)."""
    from datetime import UTC, datetime

    when = datetime(2026, 5, 1, tzinfo=UTC)
    searches = [Response(p.read_bytes(), p.name, when) for p in FIXTURES.glob("search_*.json")]
    history = Response((FIXTURES / "history_all.json").read_bytes(), "h", when)
    built = build_tables(searches, [history])
    for table in tables:
        publish(wh, table, frame(table, built.rows[table.name]), replace=[{}])


def files_of(wh: Warehouse, name: str) -> dict[Path, bytes]:
    return {k: p.read_bytes() for k, p in live_by_folder(wh, name).items()}


@pytest.fixture
def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.txt"))


def test_every_partition_is_derived_once_then_left_alone(warehouse, sample_files) -> None:
    ingest(warehouse, sample_files)
    parts = existing_partitions(warehouse, CONTRIBUTIONS)
    assert len(parts) >= 3  # the sample spans both houses and two years

    first = refresh_derived(warehouse, [resolution(warehouse)])
    assert (first.derived, first.removed) == (len(parts), 0)
    assert existing_partitions(warehouse, SPEAKER_RESOLUTIONS) == parts
    for part in parts:
        contributions = partition_file(warehouse, CONTRIBUTIONS, part)
        signature = signature_of(warehouse, SPEAKER_RESOLUTIONS, part)
        assert signature is not None and signature.startswith(file_sha256(contributions))

    again = refresh_derived(warehouse, [resolution(warehouse)])
    assert (again.derived, again.removed) == (0, 0)


def test_only_the_partition_an_ingest_changed_is_recomputed(
    warehouse, sample_files, tmp_path
) -> None:
    ingest(warehouse, sample_files[:-1])
    refresh_derived(warehouse, [resolution(warehouse)])
    before = files_of(warehouse, SPEAKER_RESOLUTIONS.name)

    ingest(warehouse, sample_files[-1:])  # one more page: the partitions it reaches change
    touched = {
        p
        for p in existing_partitions(warehouse, CONTRIBUTIONS)
        if signature_of(warehouse, SPEAKER_RESOLUTIONS, p) is None
        or not signature_of(warehouse, SPEAKER_RESOLUTIONS, p).startswith(
            file_sha256(partition_file(warehouse, CONTRIBUTIONS, p))
        )
    }
    assert 0 < len(touched) < len(existing_partitions(warehouse, CONTRIBUTIONS))
    summary = refresh_derived(warehouse, [resolution(warehouse)])
    assert summary.derived == len(touched)

    after = files_of(warehouse, SPEAKER_RESOLUTIONS.name)
    unchanged = {k for k in before if k in after and before[k] == after[k]}
    assert unchanged == set(before) - {
        partition_dir(warehouse, SPEAKER_RESOLUTIONS, p).relative_to(warehouse.tables).as_posix()
        for p in touched
    }
    # incremental output equals resolving everything from scratch
    expected = frame(SPEAKER_RESOLUTIONS, resolution_rows(warehouse)).sort("contribution_id")
    got = read_table(warehouse, SPEAKER_RESOLUTIONS).sort("contribution_id")
    assert got.equals(expected)


def test_changed_members_recompute_every_partition(warehouse, sample_files) -> None:
    ingest(warehouse, sample_files)
    refresh_derived(warehouse, [resolution(warehouse)])
    unresolved = read_table(warehouse, SPEAKER_RESOLUTIONS).filter(pl.col("method").is_null())
    assert unresolved.height  # no members yet: names cannot resolve

    publish_members(warehouse)
    summary = refresh_derived(warehouse, [resolution(warehouse)])
    assert summary.derived == len(existing_partitions(warehouse, CONTRIBUTIONS))
    resolved = read_table(warehouse, SPEAKER_RESOLUTIONS).filter(pl.col("method") == "name_date")
    assert resolved.height > 0


def test_a_party_history_alone_recomputes_contributions_enriched_not_resolutions(
    warehouse, sample_files
) -> None:
    """contributions_enriched reads member_parties, which resolution does not: a change there
    alone derives every contributions_enriched partition again, and no resolution."""
    from flows.derived.enriched import EnrichedContributions
    from transforms.schema import CONTRIBUTIONS_ENRICHED, MEMBER_PARTIES

    ingest(warehouse, sample_files)
    publish_members(warehouse)  # members, names, seats: no parties yet

    def derive() -> tuple[int, pl.DataFrame]:
        res = resolution(warehouse)
        done = refresh_derived(warehouse, [res, EnrichedContributions(warehouse, res)])
        return done.derived, read_table(warehouse, CONTRIBUTIONS_ENRICHED)

    parts = len(existing_partitions(warehouse, CONTRIBUTIONS))
    derived, before = derive()
    assert derived == 2 * parts and before.height == read_table(warehouse, CONTRIBUTIONS).height
    assert before["party_id"].null_count() == before.height
    assert before["membership_from"].drop_nulls().len() > 0  # seats are there already

    publish_members(warehouse, (MEMBER_PARTIES,))
    derived, after = derive()
    assert derived == parts  # contributions_enriched only: the resolutions did not change
    on_date = after.filter(pl.col("party_basis") == "on_date")
    assert on_date.height > 0 and on_date["party_abbreviation"].null_count() == 0
    assert derive()[0] == 0


def test_a_partition_that_disappears_takes_its_derived_rows_with_it(
    warehouse, sample_files
) -> None:
    ingest(warehouse, sample_files)
    refresh_derived(warehouse, [resolution(warehouse)])
    gone = existing_partitions(warehouse, CONTRIBUTIONS)[0]
    spec = dict(zip(CONTRIBUTIONS.partition_by, gone, strict=True))
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, []), replace=[spec])

    summary = refresh_derived(warehouse, [resolution(warehouse)])
    assert (summary.derived, summary.removed) == (0, 1)
    assert gone not in existing_partitions(warehouse, SPEAKER_RESOLUTIONS)


def test_the_signature_is_content_not_time(warehouse, sample_files, tmp_path) -> None:
    """Two warehouses built from the same inputs hold byte-identical derived files."""
    other = Warehouse.at(str(tmp_path / "other"))
    for wh in (warehouse, other):
        ingest(wh, sample_files)
        refresh_derived(wh, [resolution(wh)])
    assert files_of(warehouse, SPEAKER_RESOLUTIONS.name) == files_of(
        other, SPEAKER_RESOLUTIONS.name
    )
    some = next(iter(existing_partitions(warehouse, SPEAKER_RESOLUTIONS)))
    path = partition_file(warehouse, SPEAKER_RESOLUTIONS, some)
    assert SIGNATURE_KEY in file_metadata(path)


def test_resolution_in_slices_of_whole_debates_equals_one_pass(
    warehouse, sample_files, monkeypatch
) -> None:
    """A partition is resolved a few debates at a time (memory), with the same result as all
    of it at once: resolution never looks beyond a debate."""
    import flows.derived.resolution as res

    ingest(warehouse, sample_files)
    publish_members(warehouse)
    deriver = resolution(warehouse)
    part = max(
        existing_partitions(warehouse, CONTRIBUTIONS),
        key=lambda p: (
            read_table(warehouse, CONTRIBUTIONS)
            .filter(pl.col("house") == p[1], pl.col("sitting_year") == p[2])
            .height
        ),
    )
    file = partition_file(warehouse, CONTRIBUTIONS, part)
    whole = deriver.derive(file, part)[SPEAKER_RESOLUTIONS.name]
    monkeypatch.setattr(res, "SLICE_ROWS", 3)
    sliced = deriver.derive(file, part)[SPEAKER_RESOLUTIONS.name]
    assert whole.height > 3 and whole["method"].is_not_null().any()
    assert sliced.sort("contribution_id").equals(whole.sort("contribution_id"))


def test_debate_slices_never_split_a_debate() -> None:
    from flows.derived.resolution import debate_slices

    ids = ["a"] * 4 + ["b"] * 1 + ["c"] * 6 + ["d"] * 2 + ["e"] * 1
    rows = pl.DataFrame({"debate_id": ids, "n": range(len(ids))})
    slices = list(debate_slices(rows, 5))
    assert [s["debate_id"].unique(maintain_order=True).to_list() for s in slices] == [
        ["a", "b"],
        ["c"],
        ["d", "e"],
    ]
    assert pl.concat(slices)["n"].to_list() == list(range(len(ids)))
    assert len(list(debate_slices(rows, 100))) == 1
