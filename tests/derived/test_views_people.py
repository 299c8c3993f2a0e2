"""People, not printed names, in the views: given/expect on rows we wrote, published through the
real publish path and viewed from a real hansard.duckdb.

  T1 Schools   Commons Chamber, Tue 27 Oct 2009
     s1, s2 "Angela Smith"  TheyWorkForYou person 10546 → member 1001 (Lab)
     s3     "Angela Smith"  person 11814 → member 1002 (Lab 2005–2019, LD from Sep 2019)
     s4     "Mr Unknown"    no id, unresolved
  L1 Peat      Lords Chamber, Mon 26 Oct 2009
     o1 "The Earl of Onslow", o2 "Earl of Onslow": one person (13000) the map cannot place
     o3 "Noble Lords" (collective)
  T2 Ferries   Commons Chamber, Fri 10 Jan 2020: s5 member 1002 again (LD on that date)
  Division T1-1 in T1: person 11814 (no member id in the list: the map gives 1002), member
  1001 as given, and a person the map does not know.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest

from flows.core.publish import publish
from flows.core.views import refresh_views
from flows.core.warehouse import Warehouse
from flows.derived.enriched import EnrichedContributions
from flows.derived.refresh import SearchIndex, refresh_derived
from flows.derived.resolution import SpeakerResolution
from flows.derived.stats import DebateStats
from transforms.schema import (
    CONTRIBUTIONS,
    DEBATES,
    DIVISION_VOTES,
    DIVISIONS,
    MEMBER_HOUSES,
    MEMBER_PARTIES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    TWFY_PEOPLE,
    frame,
)

OCT27, OCT26, JAN10 = date(2009, 10, 27), date(2009, 10, 26), date(2020, 1, 10)
SHA = "a" * 64
P = "uk.org.publicwhip/person/"
DEBATES_GIVEN = {
    "T1": ("Commons", "Commons Chamber", OCT27, "Schools"),
    "L1": ("Lords", "Lords Chamber", OCT26, "Peat"),
    "T2": ("Commons", "Commons Chamber", JAN10, "Ferries"),
}
# (id, debate, ordinal, printed name, person, words, resolved member, type)
SPEECHES = [
    ("s1", "T1", 1, "Angela Smith", "10546", 10, 1001, "speech"),
    ("s2", "T1", 2, "Angela Smith", "10546", 5, 1001, "speech"),
    ("s3", "T1", 3, "Angela Smith", "11814", 7, 1002, "speech"),
    ("s4", "T1", 4, "Mr Unknown", None, 3, None, "speech"),
    ("o1", "L1", 1, "The Earl of Onslow", "13000", 4, None, "speech"),
    ("o2", "L1", 2, "Earl of Onslow", "13000", 6, None, "speech"),
    ("o3", "L1", 3, None, None, 0, None, "collective"),
    ("s5", "T2", 1, "Angela Smith", "11814", 8, 1002, "speech"),
]


def _debate(debate_id: str) -> dict:
    house, location, day, title = DEBATES_GIVEN[debate_id]
    return {
        "debate_id": debate_id,
        "source": "twfy_xml",
        "house": house,
        "location": location,
        "sitting_date": day,
        "sitting_year": day.year,
        "title": title,
        "source_ref": f"{debate_id}.xml:1",
        "raw_sha256": SHA,
    }


def _speech(s: tuple) -> dict:
    cid, debate_id, ordinal, name, person, words, _, kind = s
    house, location, day, _ = DEBATES_GIVEN[debate_id]
    return {
        "contribution_id": cid,
        "debate_id": debate_id,
        "source": "twfy_xml",
        "source_ref": f"{debate_id}.xml:{ordinal}",
        "sitting_date": day,
        "sitting_year": day.year,
        "house": house,
        "location": location,
        "ordinal": ordinal,
        "speaker_key": name,
        "speaker_display": name or "Noble Lords",
        "speaker_name": name,
        "twfy_person_id": P + person if person else None,
        "contribution_type": kind,
        "text": " ".join(["word"] * words),
        "word_count": words,
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "raw_sha256": SHA,
    }


def _resolution(s: tuple) -> dict:
    cid, debate_id, _, _, person, _, member, _ = s
    house, _, day, _ = DEBATES_GIVEN[debate_id]
    return {
        "contribution_id": cid,
        "source": "twfy_xml",
        "house": house,
        "sitting_year": day.year,
        "member_id": member,
        "method": "mapped" if member else None,
        "reason": None if member else "unmapped id" if person else "no match",
    }


NOW = datetime(2026, 1, 1, tzinfo=UTC)
MEMBERS_GIVEN = [
    {"member_id": m, "name_display": "Angela Smith", "gender": "F", "house": "Commons",
     "party_name": party, "details_from": "fixture", "fetched_at": NOW, "raw_sha256": SHA}
    for m, party in ((1001, "Labour"), (1002, "Liberal Democrat"))
]  # fmt: skip
PARTIES_GIVEN = [
    (1001, 1, 15, "Labour", "Lab", date(1997, 5, 1), None),
    (1002, 1, 15, "Labour", "Lab", date(2005, 5, 5), date(2019, 2, 18)),
    (1002, 2, 17, "Liberal Democrat", "LD", date(2019, 9, 5), None),
]
COLUMNS = ("member_id", "ordinal", "party_id", "party_name", "party_abbreviation")


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    wh = Warehouse.at(tmp_path_factory.mktemp("people") / "warehouse")
    publish(wh, DEBATES, frame(DEBATES, [_debate(d) for d in DEBATES_GIVEN]))
    publish(wh, CONTRIBUTIONS, frame(CONTRIBUTIONS, [_speech(s) for s in SPEECHES]))
    publish(wh, SPEAKER_RESOLUTIONS, frame(SPEAKER_RESOLUTIONS, [_resolution(s) for s in SPEECHES]))
    publish(wh, MEMBERS, frame(MEMBERS, MEMBERS_GIVEN))
    parties = [
        dict(zip(COLUMNS, p[:5], strict=True))
        | {"start_date": p[5], "end_date": p[6], "raw_sha256": SHA}
        for p in PARTIES_GIVEN
    ]
    publish(wh, MEMBER_PARTIES, frame(MEMBER_PARTIES, parties))
    seats = [
        {"member_id": 1002, "ordinal": 1, "house": "Commons", "membership_from": "Penistone",
         "start_date": date(2005, 5, 5), "end_date": date(2019, 11, 6),
         "end_reason": "General election", "raw_sha256": SHA},
    ]  # fmt: skip
    publish(wh, MEMBER_HOUSES, frame(MEMBER_HOUSES, seats))
    people = [
        {"twfy_id": P + p, "id_kind": "person", "twfy_person_id": P + p, "redirected": False,
         "member_id": m, "raw_sha256": SHA}
        for p, m in (("10546", 1001), ("11814", 1002), ("13000", None))
    ]  # fmt: skip
    publish(wh, TWFY_PEOPLE, frame(TWFY_PEOPLE, people))
    division = {
        "division_id": "T1-1", "debate_id": "T1", "source": "twfy_xml", "source_ref": "T1.xml:9",
        "sitting_date": OCT27, "sitting_year": 2009, "house": "Commons",
        "location": "Commons Chamber", "raw_sha256": SHA,
    }  # fmt: skip
    publish(wh, DIVISIONS, frame(DIVISIONS, [division]))
    votes = [
        (1, "aye", "Angela Smith", "11814", None),
        (2, "no", "Angela Smith", "10546", 1001),
        (3, "no", "Someone Else", "99999", None),
    ]
    publish(
        wh,
        DIVISION_VOTES,
        frame(
            DIVISION_VOTES,
            [
                {"division_id": "T1-1", "source": "twfy_xml", "house": "Commons",
                 "sitting_date": OCT27, "sitting_year": 2009, "ordinal": n, "vote": vote,
                 "voter_name": name, "twfy_person_id": P + person, "member_id": member,
                 "is_teller": False, "source_ref": f"T1.xml:{10 + n}", "raw_sha256": SHA}
                for n, vote, name, person, member in votes
            ],
        ),
    )  # fmt: skip
    # the debate counts (from the resolutions given above) and the search index, as every run
    # derives them
    resolution = SpeakerResolution(wh)  # given above: only the tables derived from it
    refresh_derived(
        wh, [DebateStats(wh, resolution), EnrichedContributions(wh, resolution), SearchIndex()]
    )
    refresh_views(wh)
    connection = duckdb.connect(str(wh.duckdb_path), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_speaker_activity_is_one_row_per_person(con) -> None:  # noqa: ANN001
    got = rows(
        con,
        "select person_key, member_id, twfy_person_id, speaker_name, houses, party, "
        "party_basis, speech_count, word_count, debate_count, first_date, last_date "
        "from speaker_activity order by person_key",
    )
    assert got == [
        # two MPs printed "Angela Smith": two rows; the later one's party is the one on her
        # latest sitting date (LD), not the one printed (none) nor her first (Lab)
        ("member:1001", 1001, P + "10546", "Angela Smith", "Commons", "Lab", "on_date",
         2, 15, 1, OCT27, OCT27),
        ("member:1002", 1002, P + "11814", "Angela Smith", "Commons", "LD", "on_date",
         2, 15, 2, OCT27, JAN10),
        ("name:Mr Unknown", None, None, "Mr Unknown", "Commons", None, None, 1, 3, 1, OCT27, OCT27),
        # one peer printed two ways: one row, named as last printed
        ("twfy:" + P + "13000", None, P + "13000", "Earl of Onslow", "Lords", None, None,
         2, 10, 1, OCT26, OCT26),
    ]  # fmt: skip


def test_speaker_counts_count_people(con) -> None:  # noqa: ANN001
    assert rows(con, "select * from sitting_days order by sitting_date, house") == [
        ("Lords", OCT26, "Lords Chamber", 1, 3, 1, 10),
        ("Commons", OCT27, "Commons Chamber", 1, 4, 3, 25),
        ("Commons", JAN10, "Commons Chamber", 1, 1, 1, 8),
    ]
    got = rows(
        con,
        "select debate_id, speaker_count, first_speaker_name, first_speaker_member_id "
        "from debate_summary order by debate_id",
    )
    assert got == [
        ("L1", 1, "The Earl of Onslow", None),
        ("T1", 3, "Angela Smith", 1001),
        ("T2", 1, "Angela Smith", 1002),
    ]


def test_party_month_uses_the_party_on_the_date(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from party_month order by month, house, party")
    oct, jan = date(2009, 10, 1), date(2020, 1, 1)
    assert got == [
        # house, party, basis, month, speeches, words, speakers
        ("Commons", "Lab", "on_date", oct, 3, 22, 2),
        ("Commons", "Unknown", None, oct, 1, 3, 1),
        ("Lords", "Unknown", None, oct, 2, 10, 1),
        ("Commons", "LD", "on_date", jan, 1, 8, 1),
    ]


def test_term_trend_uses_the_party_on_the_date(con) -> None:  # noqa: ANN001
    got = rows(con, "select * from term_trend('word')")
    assert got == [
        # month, party, basis, contributions, words
        (date(2009, 10, 1), "Lab", "on_date", 3, 22),
        (date(2009, 10, 1), "Unknown", None, 3, 13),
        (date(2020, 1, 1), "LD", "on_date", 1, 8),
    ]


def test_search_filters_by_resolved_member_and_party_on_the_date(con) -> None:  # noqa: ANN001
    """The two Angela Smiths are told apart by member; 1002's party is the one of each date."""

    def ids(args: str) -> set[str]:
        return {r[0] for r in rows(con, f"select * from search_contributions('word'{args})")}

    assert ids(", by_member := 1001") == {"s1", "s2"}
    assert ids(", by_member := 1002") == {"s3", "s5"}
    assert ids(", of_party := 'lab'") == {"s1", "s2", "s3"}  # s3: 1002 sat for Labour in 2009
    assert ids(", by_member := 1002, of_party := 'LD'") == {"s5"}
    assert ids(", by_member := 1002, of_party := 'LD', date_to := DATE '2019-12-31'") == set()
    assert ids(", by_member := 999") == set()
    top = rows(con, "select contribution_id, member_id, party from search_top('word', 2, "
               "of_party := 'LD')")  # fmt: skip
    assert top == [("s5", 1002, "LD")]


def test_votes_get_member_ids_through_the_identity_map(con) -> None:  # noqa: ANN001
    got = rows(con, "select ordinal, member_id from division_votes order by ordinal")
    assert got == [(1, 1002), (2, 1001), (3, None)]


def test_member_profile(con) -> None:  # noqa: ANN001
    (got,) = con.execute("select * from member_profile(1002)").fetchall()
    names = [d[0] for d in con.description]
    profile = dict(zip(names, got, strict=True))
    assert profile["name_display"] == "Angela Smith"
    assert profile["party_history"] == [
        {"party": "Labour", "abbreviation": "Lab", "start_date": date(2005, 5, 5),
         "end_date": date(2019, 2, 18)},
        {"party": "Liberal Democrat", "abbreviation": "LD", "start_date": date(2019, 9, 5),
         "end_date": None},
    ]  # fmt: skip
    assert profile["seat_history"] == [
        {"house": "Commons", "seat": "Penistone", "start_date": date(2005, 5, 5),
         "end_date": date(2019, 11, 6), "end_reason": "General election"},
    ]  # fmt: skip
    assert profile["speeches_by_source"] == [{"source": "twfy_xml", "speeches": 2, "words": 15}]
    assert (profile["speech_count"], profile["debate_count"]) == (2, 2)
    assert (profile["first_speech_date"], profile["last_speech_date"]) == (OCT27, JAN10)
    assert profile["votes_by_kind"] == [{"vote": "aye", "votes": 1}]
    assert (profile["vote_count"], profile["division_count"]) == (1, 1)
    assert rows(con, "select * from member_profile(424242)") == []
