"""ParlParse's current people.json (Popolo): persons with their datadotparl_id, memberships,
person and membership redirects, names; strict errors naming the file and position; and the
precedence of people.json over people.xml when both are stored. Our own fixture
(tests/support/fixtures/parlparse/people.json: invented people in the real shape)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT, corpus_path
from transforms.common.parlparse_people import merge_people, parse_people_xml, people_rows
from transforms.common.parlparse_people_json import PeopleJsonError, main_name, parse_people_json

FIXTURE = ROOT / "tests" / "support" / "fixtures" / "parlparse" / "people.json"
P = "uk.org.publicwhip/person/"


def _rows(people: Any, sha: str = "sha") -> dict[str, dict]:
    return {r["twfy_id"]: r for r in people_rows(people, sha)}  # type: ignore[union-attr]


def test_people_json_maps_persons_memberships_and_redirects() -> None:
    rows = _rows(parse_people_json(FIXTURE.read_bytes()))
    tate = rows[P + "90003"]
    assert (tate["member_id"], tate["member_id_via"], tate["name"], tate["redirected"]) == (
        900203,
        "datadotparl_id",
        "Morwenna Tate",
        False,
    )
    merged = rows[P + "90009"]  # a person redirect
    assert (merged["twfy_person_id"], merged["redirected"], merged["member_id"]) == (
        P + "90003",
        True,
        900203,
    )
    for membership in ("uk.org.publicwhip/member/90301", "uk.org.publicwhip/member/90302"):
        assert rows[membership]["twfy_person_id"] == P + "90003"
        assert (rows[membership]["id_kind"], rows[membership]["member_id"]) == ("member", 900203)
        assert rows[membership]["redirected"] is False
    moved = rows["uk.org.publicwhip/member/90399"]  # a membership redirect
    assert (moved["twfy_person_id"], moved["redirected"], moved["member_id"]) == (
        P + "90003",
        True,
        900203,
    )
    voss = rows["uk.org.publicwhip/lord/190401"]  # integer identifier; the current Main name
    assert (voss["id_kind"], voss["member_id"], voss["name"]) == (
        "lord",
        900204,
        "Baroness Voss of Kelby",
    )
    assert rows["uk.org.publicwhip/member/90401"]["name"] == "Baroness Voss of Kelby"
    assert rows[P + "90007"]["name"] == "Earl of Caldmoor"
    old = rows[P + "90008"]  # no datadotparl_id (only another scheme): mapped to nobody
    assert (old["member_id"], old["member_id_via"], old["name"]) == (None, None, "Tobias Ashgrove")
    assert len(rows) == 5 + 7
    assert {r["raw_sha256"] for r in rows.values()} == {"sha"}


def test_main_name_picks_the_current_main_name() -> None:
    names = [
        {"note": "Main", "given_name": "Ann", "family_name": "Old", "end_date": "2001-05-01"},
        {"note": "Alternate", "name": "Annie"},
        {"note": "Main", "given_name": "Ann", "family_name": "New", "start_date": "2001-05-02"},
    ]
    assert main_name(names) == "Ann New"
    assert main_name([{"note": "Main", "honorific_prefix": "Bishop", "lordofname": "Esk"}]) == (
        "Bishop of Esk"
    )
    lord = {"note": "Main", "honorific_prefix": "Lord", "lordname": "Hale", "lordofname": "Rye"}
    assert main_name([lord]) == "Lord Hale of Rye"
    assert main_name([{"note": "Alternate", "name": "X"}]) is None


def _doc(**changes: Any) -> bytes:
    doc = json.loads(FIXTURE.read_text())
    doc.update(changes)
    return json.dumps(doc, indent=1).encode()


def _person(n: int, **fields: Any) -> dict:
    return {"id": f"{P}{n}", **fields}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"persons": [], "memberships": [\n  {"id": }', r"x\.json: line 2 column 10: not JSON"),
        (b'{"persons": [\xff]}', r"x\.json: byte 13: not UTF-8"),
        (b"[]", r"x\.json: top level: expected an object, got list"),
        (b'{"persons": {}, "memberships": []}', r"top level: `persons` must be a list"),
        (_doc(posts={}), r"top level: `posts` must be a list"),
        (
            _doc(persons=[_person(1), {"id": "uk.org.publicwhip/member/2"}]),
            r"x\.json: persons\[1\]: id 'uk.org.publicwhip/member/2' is not a person id",
        ),
        (_doc(persons=[_person(1), _person(1)]), r"persons\[1\]: duplicate person id"),
        (
            _doc(persons=[_person(1, redirect="nobody")]),
            r"persons\[0\] \(uk.org.publicwhip/person/1\): redirect 'nobody' is no person",
        ),
        (
            _doc(
                persons=[_person(1, identifiers=[{"scheme": "datadotparl_id", "identifier": "x"}])]
            ),
            r"persons\[0\]\.identifiers\[0\]: datadotparl_id must be a member id number, got 'x'",
        ),
        (
            _doc(persons=[_person(1, identifiers=[{"identifier": "9"}])]),
            r"persons\[0\]\.identifiers\[0\]: expected \{scheme, identifier\}",
        ),
        (_doc(persons=[_person(1, other_names={})]), r"persons\[0\]\.other_names: must be a list"),
        (
            _doc(memberships=[{"id": "uk.org.publicwhip/member/5"}]),
            r"memberships\[0\] \(uk.org.publicwhip/member/5\): person_id None",
        ),
        (_doc(memberships=[{"person_id": P + "1"}]), r"memberships\[0\]: id must be a non-empty"),
    ],
)
def test_malformed_people_json_names_the_file_and_position(data: bytes, message: str) -> None:
    with pytest.raises(PeopleJsonError, match=message):
        parse_people_json(data, "x.json")


def test_a_membership_redirect_cycle_is_left_out_not_guessed() -> None:
    memberships = [
        {"id": "uk.org.publicwhip/member/1", "redirect": "uk.org.publicwhip/member/2"},
        {"id": "uk.org.publicwhip/member/2", "redirect": "uk.org.publicwhip/member/1"},
    ]
    people = parse_people_json(_doc(memberships=memberships))
    assert "uk.org.publicwhip/member/1" not in people.offices


PEOPLE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<publicwhip>
<person id="uk.org.publicwhip/person/90003" latestname="Morwenna Tate (old spelling)">
  <office id="uk.org.publicwhip/member/90301"/>
  <office id="uk.parliament.data/Member/900203/Committee/7"/>
</person>
<person id="uk.org.publicwhip/person/90004" latestname="Harriet Voss">
  <office id="uk.parliament.data/Member/900299/Committee/7"/>
</person>
<person id="uk.org.publicwhip/person/90008" redirect="uk.org.publicwhip/person/90003"/>
<person id="uk.org.publicwhip/person/90050" latestname="Only In The Old File">
  <office id="uk.org.publicwhip/member/90501"/>
</person>
</publicwhip>"""


def test_people_json_wins_over_people_xml_for_every_id_it_lists() -> None:
    current = parse_people_json(FIXTURE.read_bytes()).from_file("json-sha")
    older = parse_people_xml(PEOPLE_XML)
    assert not isinstance(older, type(None)) and hasattr(older, "from_file")
    rows = _rows(merge_people(current, older.from_file("xml-sha")))  # type: ignore[union-attr]
    tate = rows[P + "90003"]  # name from people.json; both files agree on the member id
    assert (tate["name"], tate["member_id"], tate["member_id_via"], tate["raw_sha256"]) == (
        "Morwenna Tate",
        900203,
        "datadotparl_id+office_id",
        "json-sha",
    )
    # people.xml redirects 90008, people.json lists a person: people.json wins
    assert (rows[P + "90008"]["redirected"], rows[P + "90008"]["name"]) == (
        False,
        "Tobias Ashgrove",
    )
    # ids only people.xml lists are kept, with its sha
    only_old = rows["uk.org.publicwhip/member/90501"]
    assert (only_old["twfy_person_id"], only_old["raw_sha256"]) == (P + "90050", "xml-sha")
    committee = rows["uk.parliament.data/Member/900203/Committee/7"]
    assert (committee["id_kind"], committee["member_id"]) == ("parliament_post", 900203)
    # the files disagree about 90004's member id: a conflict, never guessed
    voss = rows[P + "90004"]
    assert (voss["member_id"], voss["member_id_via"]) == (None, "conflict: 900204, 900299")
    assert rows["uk.org.publicwhip/lord/190401"]["member_id"] is None


def test_people_json_with_the_corpus_people_xml() -> None:
    folder = corpus_path("members")
    older = parse_people_xml((folder / "people.xml").read_bytes())
    current = parse_people_json(FIXTURE.read_bytes())
    rows = _rows(merge_people(current.from_file("j"), older.from_file("x")))  # type: ignore[union-attr]
    corbyn = rows[P + "10133"]  # only in the corpus file: untouched by the merge
    assert (corbyn["member_id"], corbyn["raw_sha256"]) == (185, "x")
    assert rows[P + "90003"]["raw_sha256"] == "j"
    assert sum(r["id_kind"] == "person" for r in rows.values()) == 13216 + 5
