"""The analysis views and search macros in sql/, given/expect style: hand-written rows (our own
invented members and words) are published through the real publish path, hansard.duckdb is
built by refresh_views, and each view's rows are compared with rows computed by hand.

The fixture, in speaking order (ordinal) per excerpt; words in brackets:

  D1 Harbour Dredging   Commons Chamber, Tue 5 Mar 2024, Department for Transport
     excerpt r1: c01 Ada Quill (Lab) [11], c02 Ben Tarrow (Con) [10], c03 Ada [3],
                 c04 collective "Several hon. Members rose—" [0], c05 Cara Voss (minister,
                 no party) [12], c06 Cara again [6, mentions fish],
                 --- Later in debate --- c07 Ben [5], c08 Ada [4, “silt” answer—generous]
     excerpt r4: c09 Ben [4], c10 Cara [3]           (another page: ordinals restart at 1)
  D4 Lighthouse Levies  Commons Chamber, Tue 5 Mar 2024, Department for Transport: no speeches
  D2 Inland Fisheries   Westminster Hall, Tue 16 Apr 2024, Department for Rivers
     c11 Dana Holt (Ind) [3, "fishing" x3], c12 Ben [39, "fishing" once], c13 Ada (now
     Lab/Co-op) [5, "fish"], c14 Dana [3]
  D3 Moorland Bill      Lords Chamber, Thu 18 Apr 2024, no department, stage Second reading
     c15 Baroness Wren (Lab) [15], c16 Lord Pellow (CB) [4], c17 Dana Holt, printed as
     Baroness Holt of Westford (LD, no constituency) [5], c18 Wren [6]
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from flows.core import runs
from flows.core.publish import publish
from flows.core.views import analysis_files, refresh_views, sql_files, view_files
from flows.core.warehouse import Warehouse
from flows.derived.pairs import SpeakerPairs
from flows.derived.refresh import SearchIndex, refresh_derived
from flows.derived.resolution import resolve_all
from flows.sources import CATALOG
from tests.conftest import ROOT, SAMPLE
from tests.support.runs import publish_only
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, TABLES, frame

MAR, APR16, APR18 = date(2024, 3, 5), date(2024, 4, 16), date(2024, 4, 18)
RAW = {name: name[-1] * 64 for name in ("r1", "r2", "r3", "r4")}
DEBATE_ROWS = {
    "D1": ("Commons", "Commons Chamber", MAR, "Harbour Dredging", "Department for Transport", None),
    "D2": ("Commons", "Westminster Hall", APR16, "Inland Fisheries", "Department for Rivers", None),
    "D3": ("Lords", "Lords Chamber", APR18, "Moorland Bill", None, "Second reading"),
    "D4": (
        "Commons",
        "Commons Chamber",
        MAR,
        "Lighthouse Levies",
        "Department for Transport",
        None,
    ),
}
LONG = (
    "Anglers on the upper river tell me that the water is clearer than it has been for a "
    "generation, that the weirs are finally passable, and that one small fishing club has "
    "doubled its membership in a single season."
)
ADA = {"constituency": "Northmarsh", "party": "Lab"}
BEN = {"constituency": "Eastwick", "party": "Con"}
CARA = {"office": "The Minister for Ports"}
DANA = {"constituency": "Westford", "party": "Ind"}
# (id, debate, raw, ordinal, speaker_key, words, text, details)
# fmt: off
TURNS = [
    ("c01", "D1", "r1", 1, "Ada Quill", 11, "I beg to move that this House has considered "
     "harbour dredging.", ADA),
    ("c02", "D1", "r1", 2, "Ben Tarrow", 10, "Will the hon. Lady give way on the silt "
     "budget?", BEN),
    ("c03", "D1", "r1", 3, "Ada Quill", 3, "I will, briefly.", ADA),
    ("c04", "D1", "r1", 4, None, 0, "", {}),
    ("c05", "D1", "r1", 5, "Cara Voss", 12, "The Government will publish a dredging plan for "
     "every harbour this year.", CARA),
    ("c06", "D1", "r1", 6, "Cara Voss", 6, "And the plan will protect fish.", {}),
    ("c07", "D1", "r1", 7, "Ben Tarrow", 5, "The silt returns every winter.", BEN | {"gap": True}),
    ("c08", "D1", "r1", 8, "Ada Quill", 4, "The Minister’s “silt” answer—generous.", ADA),
    ("c09", "D1", "r4", 1, "Ben Tarrow", 4, "Dredging must not wait.", BEN),
    ("c10", "D1", "r4", 2, "Cara Voss", 3, "It will not.", {}),
    ("c11", "D2", "r2", 1, "Dana Holt", 3, "Fishing fishing fishing.", DANA),
    ("c12", "D2", "r2", 2, "Ben Tarrow", 39, LONG, BEN),
    ("c13", "D2", "r2", 3, "Ada Quill", 5, "The fish stocks are recovering.",
     {"constituency": "Northmarsh", "party": "Lab/Co-op"}),
    ("c14", "D2", "r2", 4, "Dana Holt", 3, "I thank her.", DANA),
    ("c15", "D3", "r3", 1, "Baroness Wren", 15, "My Lords, I beg to move that the Bill be now "
     "read a second time.", {"party": "Lab"}),
    ("c16", "D3", "r3", 2, "Lord Pellow", 4, "The moorland deserves better.", {"party": "CB"}),
    ("c17", "D3", "r3", 3, "Dana Holt", 5, "My Lords, peat is carbon.",
     {"party": "LD", "name": "Baroness Holt of Westford"}),
    ("c18", "D3", "r3", 4, "Baroness Wren", 6, "I agree with the noble Lord.", {"party": "Lab"}),
]
# fmt: on


def debate_row(debate_id: str) -> dict:
    house, location, day, title, department, stage = DEBATE_ROWS[debate_id]
    return {
        "debate_id": debate_id,
        "source": "pp_text",
        "house": house,
        "location": location,
        "sitting_date": day,
        "sitting_year": day.year,
        "title": title,
        "department": department,
        "stage": stage,
        "source_ref": f"{debate_id}.txt:1",
        "raw_sha256": RAW["r1"],
    }


def contribution_row(turn: tuple) -> dict:
    cid, debate_id, raw, ordinal, key, words, text, details = turn
    assert len(text.split()) == words, (cid, "the fixture's word count must match its text")
    house, location, day, *_ = DEBATE_ROWS[debate_id]
    return {
        "contribution_id": cid,
        "debate_id": debate_id,
        "source": "pp_text",
        "source_ref": f"{raw}.txt:{ordinal}",
        "sitting_date": day,
        "sitting_year": day.year,
        "house": house,
        "location": location,
        "ordinal": ordinal,
        "speaker_key": key,
        "speaker_display": key or "Several hon. Members rose—",
        "speaker_name": details.get("name", key),
        "speaker_office": details.get("office"),
        "constituency": details.get("constituency"),
        "party": details.get("party"),
        "contribution_type": "speech" if key else "collective",
        "text": text,
        "word_count": words,
        "is_virtual": False,
        "details_carried": False,
        "after_gap": details.get("gap", False),
        "is_truncated": False,
        "raw_sha256": RAW[raw],
    }


def reject_row(ref: str, reason: str, at: datetime, raw: str | None) -> dict:
    return {
        "source": "pp_text",
        "source_ref": ref,
        "reason": reason,
        "detail": f"{ref}: {reason}",
        "rejected_at": at,
        "raw_sha256": raw,
    }


REJECTS_GIVEN = [
    reject_row("a.txt:3", "unknown_line", datetime(2024, 5, 1, 10, tzinfo=UTC), "5" * 64),
    reject_row("a.txt:9", "unknown_line", datetime(2024, 5, 2, 9, tzinfo=UTC), "5" * 64),
    reject_row("b.txt", "empty", datetime(2024, 5, 1, 8, tzinfo=UTC), "6" * 64),
    reject_row("/gone.txt", "unreadable", datetime(2024, 5, 3, tzinfo=UTC), None),
]


@pytest.fixture
def con(warehouse: Warehouse):  # noqa: ANN201
    """The fixture warehouse, published and viewed as a pipeline run would, opened read-only."""
    publish(warehouse, DEBATES, frame(DEBATES, [debate_row(d) for d in DEBATE_ROWS]))
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [contribution_row(t) for t in TURNS]))
    publish(warehouse, REJECTS, frame(REJECTS, REJECTS_GIVEN))
    resolve_all(warehouse)  # every derived table, as every run derives them
    refresh_views(warehouse)
    connection = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_contribution_details_joins_debate_and_speaker_columns(con) -> None:  # noqa: ANN001
    got = rows(
        con,
        "select contribution_id, title, department, stage, speaker_key, speaker_name, "
        "speaker_office, constituency, party, word_count from contribution_details "
        "where contribution_id in ('c04', 'c05', 'c13', 'c17') order by contribution_id",
    )
    # fmt: off
    assert got == [
        ("c04", "Harbour Dredging", "Department for Transport", None, None, None, None, None,
         None, 0),
        ("c05", "Harbour Dredging", "Department for Transport", None, "Cara Voss", "Cara Voss",
         "The Minister for Ports", None, None, 12),
        ("c13", "Inland Fisheries", "Department for Rivers", None, "Ada Quill", "Ada Quill",
         None, "Northmarsh", "Lab/Co-op", 5),
        ("c17", "Moorland Bill", None, "Second reading", "Dana Holt",
         "Baroness Holt of Westford", None, None, "LD", 5),
    ]
    # fmt: on
    (total,) = rows(
        con, "select count(*), count(distinct contribution_id) from contribution_details"
    )
    assert total == (18, 18)


def test_speaker_activity(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from speaker_activity order by person_key")
    # fmt: off
    assert got == [
        # person, member id, TheyWorkForYou person, name, houses, party, basis, latest
        # constituency, speeches, words, debates, first, last. No members tables here, so
        # every person is a printed name (the speaker key) and every party as printed.
        ("name:Ada Quill", None, None, "Ada Quill", "Commons", "Lab/Co-op", "printed",
         "Northmarsh", 4, 23, 2, MAR, APR16),
        ("name:Baroness Wren", None, None, "Baroness Wren", "Lords", "Lab", "printed", None,
         2, 21, 1, APR18, APR18),
        ("name:Ben Tarrow", None, None, "Ben Tarrow", "Commons", "Con", "printed", "Eastwick",
         4, 58, 2, MAR, APR16),
        ("name:Cara Voss", None, None, "Cara Voss", "Commons", None, None, None, 3, 21, 1, MAR,
         MAR),
        # party from the latest sitting; constituency from the latest one that printed it;
        # one person (one speaker key) though printed under two names
        ("name:Dana Holt", None, None, "Baroness Holt of Westford", "Commons, Lords", "LD",
         "printed", "Westford", 3, 11, 2, APR16, APR18),
        ("name:Lord Pellow", None, None, "Lord Pellow", "Lords", "CB", "printed", None, 1, 4, 1,
         APR18, APR18),
    ]
    # fmt: on
    columns = [d[0] for d in con.execute("select * from speaker_activity").description]
    assert columns == [
        "person_key",
        "member_id",
        "twfy_person_id",
        "speaker_name",
        "houses",
        "party",
        "party_basis",
        "latest_constituency",
        "speech_count",
        "word_count",
        "debate_count",
        "first_date",
        "last_date",
    ]


def test_debate_summary(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from debate_summary order by debate_id")
    # fmt: off
    assert got == [
        # D1: two excerpts both start at ordinal 1 (c01 Ada, c09 Ben): the lower id wins;
        # the collective row counts as a contribution but not as a speaker
        ("D1", "Commons", "Commons Chamber", MAR, "Harbour Dredging", "Department for Transport",
         None, 10, 3, 58, "Ada Quill", "Ada Quill", None),
        ("D2", "Commons", "Westminster Hall", APR16, "Inland Fisheries", "Department for Rivers",
         None, 4, 3, 50, "Dana Holt", "Dana Holt", None),
        ("D3", "Lords", "Lords Chamber", APR18, "Moorland Bill", None, "Second reading", 4, 3, 30,
         "Baroness Wren", "Baroness Wren", None),
        ("D4", "Commons", "Commons Chamber", MAR, "Lighthouse Levies", "Department for Transport",
         None, 0, 0, 0, None, None, None),
    ]
    # fmt: on


def test_party_month(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from party_month order by house, month, party")
    mar, apr = date(2024, 3, 1), date(2024, 4, 1)
    assert got == [
        # house, party, basis, month, speeches, words, speakers (the collective row is no
        # speech; no members tables here, so every party is as printed)
        ("Commons", "Con", "printed", mar, 3, 19, 1),
        ("Commons", "Lab", "printed", mar, 3, 18, 1),
        ("Commons", "Unknown", None, mar, 3, 21, 1),
        ("Commons", "Con", "printed", apr, 1, 39, 1),
        ("Commons", "Ind", "printed", apr, 2, 6, 1),
        ("Commons", "Lab/Co-op", "printed", apr, 1, 5, 1),
        ("Lords", "CB", "printed", apr, 1, 4, 1),
        ("Lords", "LD", "printed", apr, 1, 5, 1),
        ("Lords", "Lab", "printed", apr, 2, 21, 1),
    ]
    assert rows(con, "select distinct typeof(month) from party_month") == [("DATE",)]


def test_interventions(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from interventions order by speaker_key, next_speaker_key")
    assert got == [
        # speaker, next speaker, pairs, debates, first, last. Not pairs: Cara -> Cara (same
        # person twice), Cara -> Ben across the gap, Ada (r1) -> Ben (r4) across excerpts.
        # Ada -> Cara skips the collective row between them.
        ("Ada Quill", "Ben Tarrow", 1, 1, MAR, MAR),
        ("Ada Quill", "Cara Voss", 1, 1, MAR, MAR),
        ("Ada Quill", "Dana Holt", 1, 1, APR16, APR16),
        ("Baroness Wren", "Lord Pellow", 1, 1, APR18, APR18),
        ("Ben Tarrow", "Ada Quill", 3, 2, MAR, APR16),
        ("Ben Tarrow", "Cara Voss", 1, 1, MAR, MAR),
        ("Dana Holt", "Baroness Wren", 1, 1, APR18, APR18),
        ("Dana Holt", "Ben Tarrow", 1, 1, APR16, APR16),
        ("Lord Pellow", "Dana Holt", 1, 1, APR18, APR18),
    ]


def test_interventions_do_not_cross_a_gap_on_a_skipped_row(warehouse: Warehouse) -> None:
    """A "Later in debate" gap breaks a pair even when it falls on a collective row between the
    two speakers; a collective row without one is skipped."""
    turns = [
        ("x1", "D1", "r2", 1, "Ada Quill", 1, "One.", {}),
        ("x2", "D1", "r2", 2, None, 0, "", {"gap": True}),  # Ada -> Ben broken here
        ("x3", "D1", "r2", 3, "Ben Tarrow", 1, "Two.", {}),
        ("x4", "D1", "r2", 4, None, 0, "", {}),  # skipped: Ben -> Cara
        ("x5", "D1", "r2", 5, "Cara Voss", 1, "Three.", {}),
        ("x6", "D1", "r2", 6, "Ada Quill", 1, "Four.", {"gap": True}),  # no Cara -> Ada
        ("x7", "D1", "r2", 7, "Ben Tarrow", 1, "Five.", {}),
    ]
    publish(warehouse, DEBATES, frame(DEBATES, [debate_row("D1")]))
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [contribution_row(t) for t in turns]))
    refresh_derived(warehouse, [SpeakerPairs()])
    refresh_views(warehouse)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        got = rows(con, "select speaker_key, next_speaker_key, pair_count from interventions")
    assert sorted(got) == [("Ada Quill", "Ben Tarrow", 1), ("Ben Tarrow", "Cara Voss", 1)]


def test_department_activity(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from department_activity order by department, location")
    assert got == [
        ("Department for Rivers", "Westminster Hall", "Commons", 1, 4, 50, APR16, APR16),
        ("Department for Transport", "Commons Chamber", "Commons", 2, 10, 58, MAR, MAR),
        ("Unknown", "Lords Chamber", "Lords", 1, 4, 30, APR18, APR18),
    ]


def test_sitting_days(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from sitting_days order by sitting_date, house")
    assert got == [
        ("Commons", MAR, "Commons Chamber", 2, 10, 3, 58),
        ("Commons", APR16, "Westminster Hall", 1, 4, 3, 50),
        ("Lords", APR18, "Lords Chamber", 1, 4, 3, 30),
    ]


def test_rejects_summary(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from rejects_summary order by reason")
    at = [r["rejected_at"] for r in REJECTS_GIVEN]
    assert got == [
        ("pp_text", "empty", 1, 1, at[2], at[2]),
        ("pp_text", "unknown_line", 2, 1, at[0], at[1]),
        ("pp_text", "unreadable", 1, 1, at[3], at[3]),
    ]


SEARCH_COLUMNS = [
    "contribution_id",
    "score",
    "snippet",
    "sitting_date",
    "house",
    "location",
    "source",
    "title",
    "speaker_name",
    "member_id",
    "party",
    "debate_id",
    "text",
]


def test_search_ranks_by_bm25_with_english_stemming(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from search_contributions('fishing')")
    ids = [r[0] for r in got]
    # three mentions in a 3-word text beat one mention in a 39-word text; "fish" matches
    assert ids[0] == "c11" and ids[-1] == "c12", ids
    assert set(ids) == {"c06", "c11", "c12", "c13"}
    scores = [r[1] for r in got]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1] > scores[-1] > 0
    house, location, day = DEBATE_ROWS["D2"][:3]
    assert got[0][:1] + got[0][2:] == (
        "c11",
        "<b>Fishing</b> <b>fishing</b> <b>fishing.</b>",
        day,
        house,
        location,
        "pp_text",
        "Inland Fisheries",
        "Dana Holt",
        None,  # no member id printed, no members tables here
        "Ind",  # as printed
        "D2",
        "Fishing fishing fishing.",
    )
    columns = [d[0] for d in con.execute("select * from search_contributions('x')").description]
    assert columns == SEARCH_COLUMNS
    assert [r[0] for r in rows(con, "select * from search_contributions('FISHES')")] == ids
    assert rows(con, "select * from search_contributions('zeppelin')") == []
    assert rows(con, "select * from search_contributions('the')") == []  # a stopword only


def test_search_snippet_is_a_window_around_the_first_match(con) -> None:  # noqa: ANN001
    (snippet,) = con.execute(
        "select snippet from search_top('fishing') where contribution_id = 'c12'"
    ).fetchone()
    words = LONG.split()
    at = next(i for i, w in enumerate(words) if w.startswith("fishing"))
    start = max(0, at - 12)
    shown = words[start : start + 36]
    shown[at - start] = f"<b>{shown[at - start]}</b>"
    expected = ("… " if start else "") + " ".join(shown)
    assert snippet == expected + (" …" if start + 36 < len(words) else "")


def test_search_top_is_the_head_of_search_contributions(con) -> None:  # noqa: ANN001
    for query in ("fishing", "dredging OR silt", "zeppelin"):
        every = rows(con, f"select * from search_contributions('{query}')")
        for n in (1, 2, 10):
            assert rows(con, f"select * from search_top('{query}', {n})") == every[:n]
    columns = [d[0] for d in con.execute("select * from search_top('x', 5)").description]
    assert columns == SEARCH_COLUMNS


def test_search_tokens_ignore_typographic_punctuation(con) -> None:  # noqa: ANN001
    # "dredging.", "Dredging" and “silt” are words; OR finds either, words alone need both
    got = rows(con, "select contribution_id from search_contributions('dredging OR silt')")
    assert {r[0] for r in got} == {"c01", "c02", "c05", "c07", "c08", "c09"}
    assert rows(con, "select contribution_id from search_contributions('dredging silt')") == []
    assert rows(con, "select contribution_id from search_contributions('generous')") == [("c08",)]
    got = rows(con, "select contribution_id from search_contributions('minister silt')")
    assert got == [("c08",)]


def test_search_filters_by_house_date_and_party(con) -> None:  # noqa: ANN001
    def ids(sql: str) -> set[str]:
        return {r[0] for r in rows(con, sql)}

    assert ids("select * from search_contributions('lords')") == {"c15", "c17", "c18"}
    assert ids("select * from search_contributions('move')") == {"c01", "c15"}
    assert ids("select * from search_contributions('move', in_house := 'Lords')") == {"c15"}
    day = DEBATE_ROWS["D3"][2]
    dated = f"select * from search_contributions('move', date_from := DATE '{day}')"
    assert ids(dated) == {"c15"}
    before = f"select * from search_contributions('move', date_to := DATE '{day}' - 1)"
    assert ids(before) == {"c01"}
    assert ids("select * from search_contributions('lords', of_party := 'lab')") == {"c15", "c18"}
    assert ids("select * from search_top('lords', 1, of_party := 'LD')") == {"c17"}
    assert ids("select * from search_contributions('lords', of_party := 'Con')") == set()


def test_term_trend(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from term_trend('fishing')")
    assert got == [
        # no members tables here: every party is as printed
        (date(2024, 3, 1), "Unknown", None, 1, 6),
        (date(2024, 4, 1), "Con", "printed", 1, 39),
        (date(2024, 4, 1), "Ind", "printed", 1, 3),
        (date(2024, 4, 1), "Lab/Co-op", "printed", 1, 5),
    ]
    assert rows(con, "select * from term_trend('zeppelin')") == []


SEARCH_CHECK = "select contribution_id from search_contributions('fishing') limit 1"


def test_search_works_read_only_from_a_new_process_in_another_directory(
    con,  # noqa: ANN001
    warehouse: Warehouse,
    tmp_path: Path,
) -> None:
    code = (
        "import duckdb, sys\n"
        "c = duckdb.connect(sys.argv[1], read_only=True)\n"
        f"print(c.execute({SEARCH_CHECK!r}).fetchall()[0][0])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(warehouse.duckdb_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["c11"]


def test_search_works_from_the_duckdb_cli_read_only(
    con,  # noqa: ANN001
    warehouse: Warehouse,
    tmp_path: Path,
) -> None:
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.exists(), "duckdb-cli is a dev dependency"
    out = subprocess.run(
        [str(cli), "-readonly", "-csv", "-noheader", str(warehouse.duckdb_path), SEARCH_CHECK],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["c11"]


def test_an_empty_warehouse_gives_a_working_file(warehouse: Warehouse) -> None:
    names = refresh_views(warehouse)
    assert names == [p.stem for p in sql_files()]
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as c:
        for name in names:
            source = f"{name}({MACROS[name]})" if name in MACROS else name
            rows_read = 1 if name == "search_query" else 0
            assert c.execute(f"select count(*) from {source}").fetchone() == (rows_read,), name


def test_a_failed_build_leaves_the_published_file(warehouse: Warehouse, tmp_path: Path) -> None:
    refresh_views(warehouse)
    before = warehouse.duckdb_path.read_bytes()
    broken = tmp_path / "sql"
    broken.mkdir()
    for path in sql_files():
        (broken / path.name).write_text(path.read_text())
    (broken / "zz_broken.sql").write_text("-- broken\ncreate view zz_broken as select nope;\n")
    with pytest.raises(duckdb.BinderException, match="nope"):
        refresh_views(warehouse, broken)
    assert warehouse.duckdb_path.read_bytes() == before
    assert sorted(p.name for p in warehouse.root.iterdir() if p.name.startswith(".")) == []


MACROS = {
    "search_bm25": "'fishing'",
    "search_matches": "'fishing'",
    "search_query": "'fishing'",  # reads no table: one term row even on an empty warehouse
    "search_contributions": "'fishing'",
    "search_top": "'fishing'",
    "term_trend": "'fishing'",
    "member_profile": "185",
    "member_votes": "185",
}


def test_sql_files_follow_the_house_style() -> None:
    assert {p.stem for p in view_files()} == set(TABLES)
    for path in analysis_files():
        sql = path.read_text()
        header = [line for line in sql.splitlines() if line.startswith("--")]
        assert sql.startswith(f"-- {path.stem}"), f"{path.name}: header names the object"
        assert any("Grain:" in line for line in header), f"{path.name}: header states the grain"
        kind = "macro" if path.stem in MACROS else "view"
        assert f"create or replace {kind} {path.stem}" in sql, path.name
        assert "\nselect * from final" in sql, f"{path.name}: ends with select * from final"
        body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
        for keyword in ("SELECT", "FROM", "WHERE", "GROUP BY", "JOIN", "CREATE"):
            assert keyword not in body, f"{path.name}: lower-case keywords ({keyword})"


def test_every_view_and_macro_is_documented() -> None:
    doc = (ROOT / "docs" / "views.md").read_text()
    for path in sql_files():
        assert f"`{path.stem}`" in doc, f"docs/views.md lacks `{path.stem}`"


# tables transcript text never fills: other sources' own, and the identity map
NOT_FROM_TEXT = {n for s in CATALOG if s.name != "pp_text" for n in s.tables} - set(
    CATALOG["pp_text"].tables
) | {  # member_profile: a member's, from the members tables; the division views: votes
    "twfy_people",
    "member_profile",
    "member_votes",
    "division_links",
    "division_results",
    "division_reconciliation",
}


def test_every_view_has_rows_on_the_demo_sample(tmp_path: Path) -> None:
    wh = Warehouse.at(tmp_path / "wh")
    empty_input = tmp_path / "empty.txt"
    empty_input.write_bytes(b"")  # one reject, so rejects and rejects_summary have a row
    run = runs.RunRecord.start("demo", "pp_text")
    publish_only(wh, [*sorted(SAMPLE.glob("*.txt")), empty_input])
    resolve_all(wh)  # as every run does: no members yet, so every speaker is "no match"
    refresh_derived(wh, [SearchIndex()])  # a no-op once resolve_all derives the index too
    runs.finish(wh, run, "completed")
    names = refresh_views(wh)
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as c:
        for name in names:
            if name in NOT_FROM_TEXT:
                continue  # filled by another source only (e.g. TheyWorkForYou divisions)
            arg = MACROS.get(name, "").replace("fishing", "library")
            source = f"{name}({arg})" if name in MACROS else name
            (count,) = c.execute(f"select count(*) from {source}").fetchone()
            assert count >= 1, f"{source} is empty on the demo sample"
        top = c.execute("select speaker_name from search_contributions('libraries') limit 1")
        assert top.fetchone() == ("Eleanor Brack",)


def test_the_fts_extension_is_installed_offline(warehouse: Warehouse) -> None:
    """refresh_views installs fts from the pinned wheel: no INSTALL from the network."""
    refresh_views(warehouse)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as c:
        assert c.execute("select count(*) from search_contributions('x')").fetchone() == (0,)
        mode, origin, path = c.execute(
            "select install_mode, installed_from, install_path from duckdb_extensions() "
            "where extension_name = 'fts'"
        ).fetchone()
    assert mode == "CUSTOM_PATH" and "duckdb_extension_fts" in origin, (mode, origin)
    assert Path(path).exists()


def contribution_at(cid: str, year: int, text: str) -> dict:
    return {
        "contribution_id": cid,
        "debate_id": "d-" + cid,
        "source": "pp_text",
        "source_ref": "x:1",
        "sitting_date": date(year, 2, 4),
        "sitting_year": year,
        "house": "Commons",
        "location": "Commons Chamber",
        "ordinal": 1,
        "speaker_display": "A",
        "contribution_type": "speech",
        "text": text,
        "word_count": len(text.split()),
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "raw_sha256": "0" * 64,
    }


def test_refresh_is_skipped_when_nothing_it_reads_changed(warehouse: Warehouse) -> None:
    """A no-op run must not rebuild the file; a commit to any table must (the views read the
    live files of each table's version), and search finds the new words once the index is
    derived; a reader that opened the file before still reads the old files, all of them."""
    refresh_views(warehouse)
    built = warehouse.duckdb_path.stat().st_mtime_ns
    refresh_views(warehouse)
    assert warehouse.duckdb_path.stat().st_mtime_ns == built
    first = contribution_at("c-skip", 2031, "Harbour dues.")
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [first]))
    refresh_derived(warehouse, [SearchIndex()])
    refresh_views(warehouse)
    rebuilt = warehouse.duckdb_path.stat().st_mtime_ns
    assert rebuilt != built
    refresh_views(warehouse)
    assert warehouse.duckdb_path.stat().st_mtime_ns == rebuilt
    before = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    later = contribution_at("c-later", 2031, "Harbour lights.")  # the same partition, rewritten
    publish(warehouse, CONTRIBUTIONS, frame(CONTRIBUTIONS, [later]))
    refresh_derived(warehouse, [SearchIndex()])
    refresh_views(warehouse)
    assert warehouse.duckdb_path.stat().st_mtime_ns != rebuilt
    with before:  # opened before the commit: the previous version, whole
        got = before.execute("select contribution_id from search_contributions('harbours')")
        assert got.fetchall() == [("c-skip",)]
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as c:  # after it closed:
        got = c.execute("select contribution_id from search_contributions('harbours')")
        assert sorted(got.fetchall()) == [("c-later",), ("c-skip",)]  # (one instance a path)


def test_sql_files_are_created_after_the_files_they_name(tmp_path: Path) -> None:
    """DuckDB binds a view or macro when it is created: a file comes after the ones it uses,
    whatever the names' order; a cycle is an error naming it."""
    (tmp_path / "a_user.sql").write_text(
        "-- uses z_base\ncreate view a_user as select * from z_base;\n"
    )
    (tmp_path / "z_base.sql").write_text("create view z_base as select 1 as x;\n")
    (tmp_path / "m_alone.sql").write_text("-- names a_user only in a comment\nselect 1;\n")
    assert [p.stem for p in analysis_files(tmp_path)] == ["z_base", "a_user", "m_alone"]
    order = [p.stem for p in analysis_files()]
    assert order.index("search_query") < order.index("search_matches")
    assert order.index("search_matches") < order.index("search_bm25") < order.index("search_top")
    assert order.index("search_top") < order.index("search_contributions")
    (tmp_path / "z_base.sql").write_text("create view z_base as select * from a_user;\n")
    with pytest.raises(ValueError, match="cycle: a_user -> z_base -> a_user"):
        analysis_files(tmp_path)
