"""The TheyWorkForYou XML flow end to end (flows/twfy_flow.py): the real corpus folder into
real Parquet and a real DuckDB file, re-runs, rebuild, a day's newer version replacing the
older one's rows, and a members file arriving later."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import corpus_path
from tests.support.runs import ingest_twfy, rebuild
from transforms.schema import TABLES

pytestmark = pytest.mark.corpus
TWFY_TABLES = ("debates", "contributions", "divisions", "division_votes", "id_redirects")


def _rows(wh: Warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _one(wh: Warehouse, sql: str) -> object:
    return _rows(wh, sql)[0][0]


def test_corpus_folder_end_to_end_rerun_and_rebuild(warehouse: Warehouse) -> None:
    paths = [str(corpus_path("twfy")), str(corpus_path("members", "people.xml"))]
    summary = ingest_twfy(paths, str(warehouse.root))
    assert (summary.inputs_seen, summary.inputs_new) == (14, 14)  # 13 day files + people.xml
    assert (summary.contributions, summary.rejects) == (1338, 0)
    # per location: the published (latest) versions only; counts as in test_twfy_xml
    assert _rows(
        warehouse,
        "select location, count(*) from contributions group by 1 order by 1",
    ) == [
        ("Commons Chamber", 345 + 467),
        ("Lords Chamber", 227),
        ("Public Bill Committees", 125),
        ("Westminster Hall", 125),
        ("Written Answers", 36),
        ("Written Statements", 5 + 8),
    ]
    assert _one(warehouse, "select count(*) from debates where heading_level is not null") == (
        41 + 47 + 13 + 4 + 6 + 18 + 5 + 14
    )
    assert _rows(warehouse, "select vote, count(*) from division_votes group by 1 order by 1") == [
        ("aye", 202 + 1294 + 5),
        ("content", 434),
        ("no", 271 + 1455 + 11),
        ("not-content", 484),
    ]
    assert _one(warehouse, "select count(*) from divisions") == 1 + 5 + 4 + 1
    # every redirect ends on a published id; chains of three from version a
    assert _rows(
        warehouse,
        "select hops, count(*), count(p.id) from id_redirects r left join ("
        " select contribution_id as id from contributions union all"
        " select debate_id from debates union all select division_id from divisions"
        ") p on p.id = r.new_gid group by 1 order by 1",
    ) == [(1, 409, 409), (2, 409, 409), (3, 387, 387)]
    # old membership ids resolve through people.xml (Part B: all identified speakers/voters)
    assert (
        _one(
            warehouse,
            "select count(*) from contributions where speaker_ref like 'uk.org.publicwhip/%'"
            " and twfy_person_id is null",
        )
        == 0
    )
    assert _one(warehouse, "select count(*) from division_votes where twfy_person_id is null") == 0
    row = _rows(
        warehouse,
        "select speaker_name, twfy_person_id, timecode, question_number, contribution_type"
        " from contributions where contribution_id = 'uk.org.publicwhip/debate/2009-10-27d.141.9'",
    )
    assert row == [
        (
            "Angela Watkinson",
            "uk.org.publicwhip/person/11308",
            _one(warehouse, "select timestamp '2009-10-27 14:30:00'"),
            "1",
            "question",
        )
    ]
    assert _rows(
        warehouse, "select source, count(*), bool_and(is_current) from raw_inputs group by 1"
    ) == [("twfy_xml", 14, True)]
    assert _one(warehouse, "select count(*) from rejects") == 0
    assert _one(warehouse, "select count(*) from search_contributions('alpacas')") >= 1

    before = {name: read_table(warehouse, TABLES[name]) for name in TWFY_TABLES}
    again = ingest_twfy(paths, str(warehouse.root))
    assert (again.inputs_new, again.inputs_unchanged, again.partitions_written) == (0, 14, 0)
    rebuilt = rebuild(str(warehouse.root))
    assert rebuilt.contributions == 1338
    for name, df in before.items():
        assert read_table(warehouse, TABLES[name]).equals(df), name


def _older_full_version(tmp_path: Path) -> Path:
    """Version c of 2009-10-27 as it was while it was the latest: d's content under c gids."""
    d = corpus_path("twfy", "debates2009-10-27d.xml").read_bytes()
    path = tmp_path / "then" / "debates2009-10-27c.xml"
    path.parent.mkdir()
    path.write_bytes(d.replace(b"2009-10-27d.", b"2009-10-27c."))
    return path


def _day_ids(wh: Warehouse) -> set[str]:
    rows = _rows(wh, "select distinct split_part(contribution_id, '/', 3)[1:11] from contributions")
    return {r[0] for r in rows}


def test_a_newer_version_replaces_the_day_atomically(warehouse: Warehouse, tmp_path: Path) -> None:
    wh = str(warehouse.root)
    ingest_twfy([str(_older_full_version(tmp_path))], wh)
    assert _day_ids(warehouse) == {"2009-10-27c"}
    assert _one(warehouse, "select count(*) from contributions") == 345
    superseded = [str(corpus_path("twfy", f"debates2009-10-27{v}.xml")) for v in "bac"]
    ingest_twfy(superseded, wh)  # rewritten a, b, c: redirects only; c's point at d
    assert _day_ids(warehouse) == {"2009-10-27c"}
    assert _rows(warehouse, "select reason from rejects") == [("newer_version_missing",)]
    assert _one(warehouse, "select count(*) from id_redirects") == 3 * 387
    summary = ingest_twfy([str(corpus_path("twfy", "debates2009-10-27d.xml"))], wh)
    assert summary.contributions == 345
    assert _day_ids(warehouse) == {"2009-10-27d"}
    assert _one(warehouse, "select count(*) from contributions") == 345
    assert _one(warehouse, "select count(*) from debates") == 41
    assert _one(warehouse, "select count(*) from rejects") == 0
    # a's gids now lead, through b and c, to d's speeches (345), headings (41) and division
    assert _rows(
        warehouse,
        "select count(*), count(p.id) from id_redirects r left join ("
        " select contribution_id as id from contributions union all"
        " select debate_id from debates union all select division_id from divisions"
        ") p on p.id = r.new_gid where r.hops = 3",
    ) == [(387, 387)]


def test_superseded_files_alone_then_the_latest(warehouse: Warehouse) -> None:
    wh = str(warehouse.root)
    ingest_twfy([str(corpus_path("twfy", f"ministerial2009-10-26{v}.xml")) for v in "ab"], wh)
    assert _one(warehouse, "select count(*) from contributions") == 0
    assert _rows(warehouse, "select reason from rejects") == [("no_latest_version",)]
    ingest_twfy([str(corpus_path("twfy", "ministerial2009-10-26c.xml"))], wh)
    assert _one(warehouse, "select count(*) from contributions") == 8
    assert _one(warehouse, "select count(*) from rejects") == 0
    assert _rows(warehouse, "select hops, count(*) from id_redirects group by 1 order by 1") == [
        (1, 22),
        (2, 22),
    ]


def test_members_file_later_rederives_every_day(warehouse: Warehouse, tmp_path: Path) -> None:
    wh = str(warehouse.root)
    days = [
        str(corpus_path("twfy", n)) for n in ("debates2009-10-27d.xml", "daylord2009-10-26a.xml")
    ]
    ingest_twfy([*days, str(tmp_path / "missing.xml")], wh)
    resolved = "select count(twfy_person_id), count(speaker_ref) from contributions"
    assert _rows(warehouse, resolved) == [(0, 325 + 212)]
    assert _rows(warehouse, "select reason from rejects") == [("unreadable",)]
    summary = ingest_twfy([str(corpus_path("members", "people.xml"))], wh)
    assert summary.items == 2  # both days re-derived: their inputs changed
    assert "2 work item(s) parsed" in _one(
        warehouse, f"select message from ingest_runs where run_id = '{summary.run_id}'"
    )
    # 5 speakerid="unknown" speeches stay unresolved (twfy-xml.md A5)
    assert _rows(warehouse, resolved) == [(320 + 212, 325 + 212)]
    # a reject of an input that gave no bytes (the missing path) stays: it is a record of
    # that run, not a row derived from the raw zone
    assert _rows(warehouse, "select reason from rejects") == [("unreadable",)]
