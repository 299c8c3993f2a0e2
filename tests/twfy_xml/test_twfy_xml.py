"""The TheyWorkForYou / ParlParse XML parser (transforms/twfy_*.py), pure: every real corpus
file with counts taken independently of the parser (a plain lxml XPath count in the test, and
the figures below, counted with grep), chosen speeches and votes field by field, versions and
redirect chains, members, and hostile or malformed files of our own."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import corpus_path
from transforms.common import xml_load as twfy_load
from transforms.common.parlparse_members import Members, parse_all_members, parse_people
from transforms.schema import CONTRIBUTIONS, DEBATES, DIVISION_VOTES, DIVISIONS, ID_REDIRECTS, frame
from transforms.twfy_xml.parse import TwfyInput, TwfyResult, parse_file
from transforms.twfy_xml.versions import derive

pytestmark = pytest.mark.corpus
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def local(text: str) -> datetime:
    """A naive UK local time, as timecode holds it."""
    return datetime.fromisoformat(text)


# Counted with grep -c in shared/corpus/twfy: <speech|ques|reply> elements, headings
# (major+minor+oral), divisions (<division>, or PBC's top-level <divisioncount id>), names per
# side (<mpname vote=aye|no> in division lists, <lord vote=content|not-content>), gidredirects.
EXPECTED = {
    "daylord2009-10-26a.xml": (227, 13, 4, {"content": 434, "not-content": 484}, 0),
    "debates2009-10-27a.xml": (2, 0, 0, {}, 387),
    "debates2009-10-27b.xml": (1, 0, 0, {}, 387),
    "debates2009-10-27c.xml": (0, 0, 0, {}, 387),
    "debates2009-10-27d.xml": (345, 41, 1, {"aye": 202, "no": 271}, 0),
    "debates2023-03-28d.xml": (467, 47, 5, {"aye": 1294, "no": 1455}, 0),
    "lordswms2009-10-27a.xml": (5, 5, 0, {}, 0),
    "lordswrans2009-10-29a.xml": (36, 18, 0, {}, 0),
    "ministerial2009-10-26a.xml": (0, 1, 0, {}, 22),
    "ministerial2009-10-26b.xml": (3, 1, 0, {}, 22),
    "ministerial2009-10-26c.xml": (8, 14, 0, {}, 0),
    "standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml": (125, 4, 1, {"aye": 5, "no": 11}, 0),
    "westminster2009-10-27a.xml": (125, 6, 0, {}, 0),
}


@cache
def members() -> Members:
    people = parse_people(corpus_path("members", "people.xml").read_bytes())
    assert isinstance(people, Members)
    return people


def _input(path: Path, data: bytes | None = None, sha: str | None = None) -> TwfyInput:
    raw = path.read_bytes() if data is None else data
    return TwfyInput(raw, str(path), sha or f"sha-{path.name}", NOW)


@cache
def parsed(name: str) -> TwfyResult:
    return parse_file(_input(corpus_path("twfy", name)), members())


def _xpath_counts(path: Path) -> tuple[int, int, int, Counter, int]:
    """The same figures by XPath over a plain lxml parse (not the parser under test)."""
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    divisions = root.xpath("/publicwhip/division | /publicwhip/divisioncount")
    votes = Counter(v.get("vote") for d in divisions for v in d.xpath(".//mpname | .//lord"))
    return (
        len(root.xpath("/publicwhip/speech | /publicwhip/ques | /publicwhip/reply")),
        len(root.xpath("/publicwhip/*[self::major-heading or self::minor-heading "
                       "or self::oral-heading]")),
        len(divisions),
        votes,
        len(root.xpath("/publicwhip/gidredirect")),
    )  # fmt: skip


def test_the_corpus_folder_holds_the_files_counted_here() -> None:
    names = {p.name for p in corpus_path("twfy").glob("*.xml")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_corpus_file_parses_with_independently_counted_rows(name: str) -> None:
    result = parsed(name)
    assert result.parsed and result.rejects == []
    speeches, headings, divisions, votes, redirects = EXPECTED[name]
    assert _xpath_counts(corpus_path("twfy", name)) == (
        speeches,
        headings,
        divisions,
        Counter(votes),
        redirects,
    )
    assert len(result.contributions) == speeches
    assert len([d for d in result.debates if d["heading_level"]]) == headings
    # leftover speeches of a superseded version may come before any heading: one untitled debate
    assert len([d for d in result.debates if not d["heading_level"]]) == (
        name in ("debates2009-10-27a.xml", "debates2009-10-27b.xml")
    )
    assert len(result.divisions) == divisions
    assert Counter(v["vote"] for v in result.division_votes) == Counter(votes)
    assert len(result.redirects) == redirects
    # every row fits the declared schema, every contribution has its debate
    frame(DEBATES, result.debates)
    frame(CONTRIBUTIONS, result.contributions)
    frame(DIVISIONS, result.divisions)
    frame(DIVISION_VOTES, result.division_votes)
    debate_ids = {d["debate_id"] for d in result.debates}
    assert {c["debate_id"] for c in result.contributions} <= debate_ids
    assert {d["debate_id"] for d in result.divisions} <= debate_ids


def test_file_facts_come_from_the_name_and_type() -> None:
    where = {
        name: {(c["house"], c["location"], c["sitting_date"]) for c in parsed(name).contributions}
        for name in EXPECTED
        if EXPECTED[name][0]
    }
    assert where["debates2009-10-27d.xml"] == {("Commons", "Commons Chamber", date(2009, 10, 27))}
    assert where["westminster2009-10-27a.xml"] == {
        ("Commons", "Westminster Hall", date(2009, 10, 27))
    }
    assert where["daylord2009-10-26a.xml"] == {("Lords", "Lords Chamber", date(2009, 10, 26))}
    assert where["ministerial2009-10-26c.xml"] == {
        ("Commons", "Written Statements", date(2009, 10, 26))
    }
    assert where["lordswms2009-10-27a.xml"] == {("Lords", "Written Statements", date(2009, 10, 27))}
    assert where["lordswrans2009-10-29a.xml"] == {("Lords", "Written Answers", date(2009, 10, 29))}
    assert where["standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml"] == {
        ("Commons", "Public Bill Committees", date(2009, 10, 27))
    }
    assert {c["source"] for n in EXPECTED for c in parsed(n).contributions} == {"twfy_xml"}


def _speech(name: str, gid_end: str) -> dict:
    (row,) = [c for c in parsed(name).contributions if c["contribution_id"].endswith(gid_end)]
    return row


def test_old_commons_oral_question_fields() -> None:
    row = _speech("debates2009-10-27d.xml", "/2009-10-27d.141.9")
    assert row["speaker_ref"] == "uk.org.publicwhip/member/1891"
    assert row["twfy_person_id"] == "uk.org.publicwhip/person/11308"  # people.xml: Watkinson
    assert row["member_id"] is None
    assert row["speaker_name"] == row["speaker_key"] == "Angela Watkinson"
    assert row["contribution_type"] == "question"
    assert (row["question_number"], row["question_uin"]) == ("1", "295520")
    assert row["text"] == (
        "What role his Department plays in making contingency arrangements in the event of "
        "industrial action by the fire service."
    )
    assert row["column_start"] == 141
    assert row["timecode"] == local("2009-10-27 14:30")
    assert row["source_url"] == (
        "http://www.publications.parliament.uk/pa/cm200809/cmhansrd/cm091027/debtext/"
        "91027-0001.htm#09102772000375"
    )
    assert row["debate_id"] == "uk.org.publicwhip/debate/2009-10-27d.141.8"
    assert row["source_ref"].endswith("debates2009-10-27d.xml:102")


def test_unknown_and_collective_speakers_are_kept_and_marked() -> None:
    row = _speech("debates2009-10-27d.xml", "/2009-10-27d.209.2")
    assert row["speaker_ref"] == "unknown" and row["twfy_person_id"] is None
    assert row["contribution_type"] == "collective"
    assert row["speaker_key"] is None and row["speaker_display"] == "Several hon. Members"
    assert row["text"] == "rose —"  # &mdash; from the internal DTD subset
    assert row["timecode"] == local("2009-10-27 18:38")  # printed 018:38:00
    kinds = Counter(c["contribution_type"] for c in parsed("debates2009-10-27d.xml").contributions)
    assert kinds["collective"] == 5  # the five speakerid="unknown" speeches (grep)
    modern = parsed("debates2023-03-28d.xml").contributions
    assert sum(c["speaker_ref"] is None for c in modern) == 31  # 31 of 467 have no person_id
    procedural = _speech("debates2023-03-28d.xml", "/2023-03-28d.809.2")
    assert procedural["contribution_type"] == "procedural"
    assert procedural["speaker_display"] == "" and procedural["has_motion"] is True
    assert procedural["text"].startswith("Resolved,\n\nThat an Humble Address be presented")


def test_modern_speech_fields() -> None:
    row = _speech("debates2023-03-28d.xml", "/2023-03-28d.809.7")
    assert row["speaker_ref"] == row["twfy_person_id"] == "uk.org.publicwhip/person/26120"
    assert row["speaker_name"] == "Andrew Western"
    assert row["speech_type"] == "Start Question"
    assert (row["question_number"], row["question_uin"]) == ("1", "904342")
    assert row["timecode"] is None and row["source_url"] is None  # time="" url=""
    types = Counter(c["speech_type"] for c in parsed("debates2023-03-28d.xml").contributions)
    assert types["Start Answer"] == 109 and types[None] == 69


def test_motion_text_is_flagged() -> None:
    row = _speech("debates2009-10-27d.xml", "/2009-10-27d.164.2")
    assert row["has_motion"] is True
    assert row["text"].startswith("I beg to move,\n\nThat leave be given to bring in a Bill")
    assert _speech("debates2009-10-27d.xml", "/2009-10-27d.141.9")["has_motion"] is False


def test_old_format_quirks() -> None:
    wh = _speech("westminster2009-10-27a.xml", "/2009-10-27a.1.1")
    assert wh["timecode"] is None and wh["contribution_type"] == "procedural"  # time="unknown"
    pbc = _speech("standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml", "_2009-10-27a.2.57")
    assert pbc["timecode"] == local("2009-10-27 11:15")  # "11:15", no seconds
    # &#151; &#145; &#146; are Windows-1252 punctuation written as C1 references
    assert pbc["text"].startswith("I beg to move amendment 21, in clause 1, page 1, line 11, at")
    assert "at end insert—\n\n‘(3) The Secretary of State" in pbc["text"]
    wms = _speech("ministerial2009-10-26c.xml", "/2009-10-26c.1WS.2")
    assert wms["column_start"] == 1 and wms["contribution_type"] == "written"
    lords = parsed("daylord2009-10-26a.xml").debates[0]
    assert lords["title"] == "Commonwealth: Privy Council — Question"  # &mdash;, <i>


def test_written_answers_pair_questions_and_answers() -> None:
    rows = parsed("lordswrans2009-10-29a.xml").contributions
    assert Counter(r["contribution_type"] for r in rows) == {"question": 18, "answer": 18}
    q = _speech("lordswrans2009-10-29a.xml", "/2009-10-29a.171.1")
    assert (q["speaker_name"], q["question_number"]) == ("Lord Berkeley", "HL5813")
    assert q["twfy_person_id"] is not None and q["ordinal"] == 1
    table = _speech("lordswrans2009-10-29a.xml", "/2009-10-29a.172.11")
    assert "Scheme Year\tNumber of farmers*\n2005\t26,296\n2006\t15,494" in table["text"]


def test_heading_tree_major_then_minor() -> None:
    debates = {d["debate_id"]: d for d in parsed("debates2009-10-27d.xml").debates}
    major = debates["uk.org.publicwhip/debate/2009-10-27d.141.0"]
    minor = debates["uk.org.publicwhip/debate/2009-10-27d.141.1"]
    assert (major["heading_level"], major["parent_debate_id"]) == ("major", None)
    assert major["title"] == "BUSINESS BEFORE QUESTIONS"
    assert (minor["heading_level"], minor["parent_debate_id"]) == ("minor", major["debate_id"])
    assert minor["title"] == "Leeds City Council Bill ( By Order)"
    levels = Counter(d["heading_level"] for d in debates.values())
    assert levels == {"major": 7, "minor": 33, "oral": 1}
    wh = parsed("westminster2009-10-27a.xml").debates
    assert {d["parent_debate_id"] for d in wh} == {None}  # no major headings there
    pbc = parsed("standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml").debates
    assert {d["bill_title"] for d in pbc} == {"Child Poverty Bill"}


def _votes(name: str) -> list[dict]:
    return parsed(name).division_votes


def test_old_commons_division_and_votes() -> None:
    (div,) = parsed("debates2009-10-27d.xml").divisions
    assert div["division_id"] == "uk.org.publicwhip/debate/2009-10-27d.195.2"
    assert (div["division_number"], div["aye_count"], div["no_count"]) == (231, 200, 269)
    assert div["timecode"] == local("2009-10-27 17:45")  # printed 017:45:00
    votes = _votes("debates2009-10-27d.xml")
    first = votes[0]
    assert (first["voter_name"], first["vote"], first["ordinal"]) == (
        "Ainsworth, Mr. Peter",
        "aye",
        1,
    )
    assert first["voter_ref"] == "uk.org.publicwhip/member/1857"
    assert first["twfy_person_id"] == "uk.org.publicwhip/person/10006"
    tellers = [(v["voter_name"], v["vote"]) for v in votes if v["is_teller"]]
    assert tellers == [
        ("Jeremy Wright", "aye"),
        ("James Duddridge", "aye"),
        ("Mr. Dave Watts", "no"),
        ("Mrs. Sharon Hodgson", "no"),
    ]
    assert any(v["voter_name"] == "James, Mrs. Siân C." for v in votes)  # &acirc;
    assert all(v["twfy_person_id"] for v in votes)  # all 473 resolve (twfy-xml.md Part B)


def test_modern_division_proxies() -> None:
    votes = _votes("debates2023-03-28d.xml")
    proxies = [v for v in votes if v["proxy_ref"]]
    assert len(proxies) == 60  # grep -c proxy=
    abbott = votes[0]
    assert abbott["voter_name"] == "Diane Abbott" and abbott["vote"] == "aye"
    assert abbott["proxy_ref"] == abbott["proxy_twfy_person_id"]
    assert abbott["proxy_ref"] == "uk.org.publicwhip/person/25856"
    counts = [(d["division_number"], d["aye_count"], d["no_count"]) for d in parsed(
        "debates2023-03-28d.xml").divisions]  # fmt: skip
    assert counts[0] == (203, 242, 309)
    assert [n for n, _, _ in counts] == [203, 204, 205, 206, 207]


def test_lords_and_committee_divisions() -> None:
    lords = parsed("daylord2009-10-26a.xml").divisions
    assert [(d["aye_count"], d["no_count"]) for d in lords][:2] == [(153, 127), (113, 155)]
    tellers = [v for v in _votes("daylord2009-10-26a.xml") if v["is_teller"]]
    assert len(tellers) == 16  # grep -c 'teller="yes"'
    teller = next(v for v in tellers if v["voter_name"] == "Addington, L. [Teller]")
    assert teller["vote"] == "content" and teller["division_id"].endswith("26a.1028.0")
    assert teller["twfy_person_id"] == "uk.org.publicwhip/person/13368"
    (pbc,) = parsed("standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml").divisions
    assert (pbc["division_number"], pbc["aye_count"], pbc["no_count"]) == (1, 5, 11)
    assert pbc["debate_id"].endswith("_2009-10-27a.2.0")  # Clause 1
    webb = _votes("standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml")[-1]
    assert (webb["voter_name"], webb["voter_ref"]) == (
        "Webb, Steve",
        "uk.org.publicwhip/member/1743",
    )


# --- versions ---------------------------------------------------------------------------


def test_any_order_of_versions_publishes_only_the_latest() -> None:
    versions = [parsed(f"debates2009-10-27{v}.xml") for v in "abcd"]
    d_ids = {c["contribution_id"] for c in versions[3].contributions}
    for order in itertools.permutations(versions):
        rows = derive(order)
        assert {c["contribution_id"] for c in rows["contributions"]} == d_ids
        assert len(rows["id_redirects"]) == 3 * 387
        assert rows["rejects"] == []
    rows = derive(versions)
    assert {r["new_gid"].split("/")[-1][:11] for r in rows["id_redirects"]} == {"2009-10-27d"}
    chain = {r["old_gid"]: r for r in rows["id_redirects"]}
    a = chain["uk.org.publicwhip/debate/2009-10-27a.225.1"]
    assert (a["direct_gid"], a["new_gid"], a["hops"], a["matchtype"]) == (
        "uk.org.publicwhip/debate/2009-10-27b.225.1",
        "uk.org.publicwhip/debate/2009-10-27d.225.1",
        3,
        "changes",
    )
    assert a["new_gid"] in d_ids
    frame(ID_REDIRECTS, rows["id_redirects"])


def test_superseded_versions_alone_publish_no_content() -> None:
    rows = derive([parsed(f"debates2009-10-27{v}.xml") for v in "abc"])
    assert rows["contributions"] == [] and rows["debates"] == []
    assert len(rows["id_redirects"]) == 3 * 387  # c's redirects already name d's gids
    (reject,) = rows["rejects"]
    assert reject["reason"] == "no_latest_version" and "debates2009-10-27" in reject["detail"]
    # the versions listed are the ones stored; d, which the redirects name, is said apart
    assert "only superseded versions (a, b, c) of" in reject["detail"]
    assert "(redirects point to d, not stored)" in reject["detail"]
    a_and_d = derive([parsed("debates2009-10-27a.xml"), parsed("debates2009-10-27d.xml")])
    # a→b with b (and c) not stored: the chain stops at b's gid, and no reject (d is newest)
    assert {(r["new_gid"] == r["direct_gid"], r["hops"]) for r in a_and_d["id_redirects"]} == {
        (True, 1)
    }
    assert a_and_d["rejects"] == [] and len(a_and_d["contributions"]) == 345
    ministerial = derive([parsed(f"ministerial2009-10-26{v}.xml") for v in "cab"])
    assert len(ministerial["contributions"]) == 8 and len(ministerial["id_redirects"]) == 44


def test_a_full_older_version_is_replaced_and_a_missing_newer_one_is_reported() -> None:
    path = corpus_path("twfy", "debates2009-10-27d.xml")
    older = path.read_bytes().replace(b"2009-10-27d.", b"2009-10-27c.")
    c_full = parse_file(_input(path.with_name("debates2009-10-27c.xml"), older, "sha-c-full"))
    assert len(c_full.contributions) == 345 and c_full.latest is True
    rows = derive([c_full, parsed("debates2009-10-27d.xml")])
    assert {c["contribution_id"].split("/")[-1][:11] for c in rows["contributions"]} == {
        "2009-10-27d"
    }
    stale = derive([c_full, parsed("debates2009-10-27b.xml")])  # b's redirects point at c
    assert len(stale["contributions"]) == 345 and stale["rejects"] == []
    behind = derive([c_full, parsed("debates2009-10-27c.xml")])  # c (rewritten) points at d
    assert [r["reason"] for r in behind["rejects"]] == ["newer_version_missing"]
    assert len(behind["contributions"]) == 345


# --- members ------------------------------------------------------------------------------


def test_members_files_map_ids() -> None:
    people = members()
    # 13,217 <person> elements (grep -c), one id (person/14101) printed twice
    assert len(set(people.persons.values())) == 13216
    assert people.person_of("uk.org.publicwhip/member/40334") == "uk.org.publicwhip/person/10133"
    assert (
        people.person_of("uk.org.publicwhip/person/99999999") == "uk.org.publicwhip/person/99999999"
    )
    assert people.person_of("unknown") is None and people.person_of(None) is None
    crosswalk = parse_all_members(corpus_path("members", "all-members-2010.xml").read_bytes())
    assert isinstance(crosswalk, Members)
    assert crosswalk.member_id_of("uk.org.publicwhip/member/40334") == 185  # Corbyn
    assert len(crosswalk.datadotparl) == 652  # grep -c datadotparl


def test_without_people_only_printed_person_ids_are_kept() -> None:
    path = corpus_path("twfy", "debates2009-10-27d.xml")
    old = parse_file(_input(path))
    assert {c["twfy_person_id"] for c in old.contributions} == {None}
    modern = parse_file(_input(corpus_path("twfy", "debates2023-03-28d.xml")))
    assert sum(c["twfy_person_id"] is not None for c in modern.contributions) == 436


# --- hostile, malformed and unknown input --------------------------------------------------

DAY = Path("/mirror/debates2031-02-04a.xml")
GOOD = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE publicwhip
[
<!ENTITY mdash   "&#8212;">
]>
<publicwhip scrapeversion="a" latest="yes">
<major-heading id="uk.org.publicwhip/debate/2031-02-04a.1.0" nospeaker="true" colnum="1"
 time="09:30:00" url="">Harbour Dues</major-heading>
<speech id="uk.org.publicwhip/debate/2031-02-04a.1.1" speakerid="uk.org.publicwhip/member/7"
 speakername="Ms Example" colnum="1" time="09:31:00" url="">
<p pid="a.1.1/1">Our own words &mdash; about harbour dues.</p>
</speech>
</publicwhip>
"""


def _parse(data: bytes, path: Path = DAY) -> TwfyResult:
    return parse_file(TwfyInput(data, str(path), "sha-fixture", NOW))


def _reject(data: bytes, path: Path = DAY) -> dict:
    result = _parse(data, path)
    assert not result.parsed and result.contributions == [] and result.debates == []
    (reject,) = result.rejects
    return reject


def test_our_good_fixture_parses() -> None:
    result = _parse(GOOD)
    (row,) = result.contributions
    assert row["text"] == "Our own words — about harbour dues."
    # lxml's sourceline of a start tag over two lines is the line where it ends
    assert row["source_ref"] == "/mirror/debates2031-02-04a.xml:10"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE publicwhip [
<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<publicwhip><speech id="x"><p>&lol3;</p></speech></publicwhip>
"""


@pytest.mark.parametrize(
    ("data", "words", "line"),
    [
        (BOMB, "entity-expansion bomb", 4),
        (
            b'<!DOCTYPE publicwhip [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<publicwhip>&e;</publicwhip>",
            "external, parameter or unquoted entity",
            1,
        ),
        (
            b"<!DOCTYPE publicwhip [\n<!ENTITY % p \"<!ENTITY q 'x'>\"> %p;]><publicwhip/>",
            "external, parameter or unquoted entity",
            2,
        ),
        (
            b'<!DOCTYPE publicwhip SYSTEM "http://example.invalid/x.dtd"><publicwhip/>',
            "external DTD",
            1,
        ),
        (
            b"<!DOCTYPE publicwhip [<!ELEMENT publicwhip ANY>]><publicwhip/>",
            "other than a character entity",
            1,
        ),
    ],
    ids=["entity-bomb", "external-entity", "parameter-entity", "external-dtd", "element-decl"],
)
def test_hostile_xml_is_rejected_before_parsing(data: bytes, words: str, line: int) -> None:
    reject = _reject(data)
    assert reject["reason"] == "hostile_xml"
    assert words in reject["detail"]
    assert reject["source_ref"] == f"{DAY}:{line}"


def test_oversized_files_are_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twfy_load, "MAX_XML_BYTES", 1000)
    reject = _reject(GOOD + b" " * 1000)
    assert reject["reason"] == "too_large" and "1,000-byte limit" in reject["detail"]


def test_truncated_and_malformed_files() -> None:
    cut = GOOD[: GOOD.index(b"about")]
    reject = _reject(cut)
    assert reject["reason"] == "malformed"
    assert reject["source_ref"] == f"{DAY}:11" and "Premature end of data" in reject["detail"]
    undefined = _reject(GOOD.replace(b"&mdash;", b"&hellip;"))
    assert undefined["reason"] == "malformed" and "hellip" in undefined["detail"]
    assert _reject(b"")["reason"] == "empty"
    assert _reject(b"\x89PNG\r\n\x1a\n\x00\x00")["reason"] == "malformed"  # binary junk
    assert _reject("<publicwhip/>".encode("utf-16"))["reason"] == "encoding"
    latin = GOOD.replace(b'encoding="ISO-8859-1"', b'encoding="utf-8"').replace(
        b"harbour", b"h\xe9rbour"
    )
    assert _reject(latin)["reason"] == "encoding"


def test_unknown_elements_fail_the_file_loudly() -> None:
    reject = _reject(GOOD.replace(b'<p pid="a.1.1/1">', b'<p pid="a.1.1/1"><blink>x</blink>'))
    assert reject["reason"] == "unknown_element"
    assert reject["source_ref"] == f"{DAY}:11"
    assert "unknown element <blink> inside <p>" in reject["detail"]
    top = _reject(GOOD.replace(b"</publicwhip>", b"<agreement/></publicwhip>"))
    assert "<agreement> inside <publicwhip>" in top["detail"]
    assert _reject(b"<html><body/></html>")["reason"] == "unknown_element"
    ignored = GOOD.replace(
        b"</publicwhip>", b"<committee><clerk>A</clerk></committee></publicwhip>"
    )
    assert _parse(ignored).parsed  # PBC attendance: ignored on purpose


def test_unknown_file_names_are_rejected() -> None:
    reject = _reject(GOOD, Path("/mirror/sp2031-02-04a.xml"))
    assert reject["reason"] == "unknown_file" and "'sp'" in reject["detail"]
    assert _reject(GOOD, Path("/mirror/notes.xml"))["reason"] == "unknown_file"


def test_item_level_problems_keep_the_rest() -> None:
    odd = GOOD.replace(b'colnum="1" time="09:31:00"', b'colnum="one" time="half past nine"')
    result = _parse(odd)
    assert result.parsed and result.contributions[0]["timecode"] is None
    assert result.contributions[0]["column_start"] is None
    assert [r["reason"] for r in result.rejects] == ["bad_value", "bad_value"]
    twice = GOOD.replace(b"</publicwhip>", GOOD[GOOD.index(b"<speech") :])
    dup = _parse(twice)
    assert len(dup.contributions) == 1
    assert [r["reason"] for r in dup.rejects] == ["duplicate_id"]
    late = GOOD.replace(b'time="09:31:00"', b'time="025:10:00"')
    assert _parse(late).contributions[0]["timecode"] == local("2031-02-05 01:10")
    no_id = _parse(
        GOOD.replace(b'<speech id="uk.org.publicwhip/debate/2031-02-04a.1.1"', b"<speech")
    )
    assert no_id.contributions == [] and no_id.rejects[0]["reason"] == "missing_field"


def test_speech_before_any_heading_gets_an_untitled_debate() -> None:
    start = GOOD.index(b"<major-heading")
    end = GOOD.index(b"<speech")
    result = _parse(GOOD[:start] + GOOD[end:])
    (debate,) = result.debates
    assert debate["title"].startswith("(untitled")
    assert result.contributions[0]["debate_id"] == debate["debate_id"]


def test_unknown_votes_are_rejected_one_by_one() -> None:
    division = b"""<division id="uk.org.publicwhip/debate/2031-02-04a.1.2" nospeaker="true"
 divdate="2031-02-04" divnumber="9" colnum="1" time="10:00:00">
<divisioncount ayes="1" noes="0"/>
<mplist vote="aye"><mpname id="uk.org.publicwhip/member/7" vote="aye">Example, Ms</mpname>
<mpname id="uk.org.publicwhip/member/8" vote="maybe">Other, Mr</mpname></mplist>
</division></publicwhip>"""
    result = _parse(GOOD.replace(b"</publicwhip>", division))
    (vote,) = result.division_votes
    assert vote["voter_name"] == "Example, Ms" and vote["twfy_person_id"] is None
    (reject,) = result.rejects
    assert reject["reason"] == "unknown_vote" and "'maybe'" in reject["detail"]


GROUPED = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<publicwhip scrapeversion="c" latest="yes">
<major-heading id="uk.org.publicwhip/wrans/2031-02-04c.0.0" nospeaker="true">Harbours
</major-heading>
<minor-heading id="uk.org.publicwhip/wrans/2031-02-04c.0.1" nospeaker="true">Dues</minor-heading>
<ques id="uk.org.publicwhip/wrans/2031-02-04c.700095.q0" speakerid="uk.org.publicwhip/member/7"
 speakername="Ms Example" colnum="1W">
<p qnum="700179">To ask the Secretary of State what the harbour dues were in each year.</p>
<p qnum="700095">To ask the Secretary of State who collects harbour dues.</p>
</ques>
<reply id="uk.org.publicwhip/wrans/2031-02-04c.700095.r0" speakerid="uk.org.publicwhip/member/8"
 speakername="Mr Answerer" colnum="1W">
<p>I will answer both questions together: the harbour board.</p>
</reply>
</publicwhip>
"""


def test_a_grouped_question_keeps_every_number_and_marks_the_keyed_one() -> None:
    """Our own file in the old Commons written-answers format: two `qnum`s answered together,
    printed 700179 then 700095, the gid keyed on 700095."""
    result = _parse(GROUPED, Path("/mirror/answers2031-02-04c.xml"))
    ques, reply = result.contributions
    assert ques["question_uins"] == ["700179", "700095"]
    assert ques["question_uin"] == "700095"  # the one the gid (and the reply) is keyed on
    assert reply["question_uins"] is None
    assert frame(CONTRIBUTIONS, result.contributions)["question_uins"].to_list()[0] == [
        "700179",
        "700095",
    ]


def test_grouped_lords_questions_in_the_corpus_keep_every_number() -> None:
    rows = {r["contribution_id"]: r for r in parsed("lordswrans2009-10-29a.xml").contributions}
    grouped = {k: r["question_uins"] for k, r in rows.items() if len(r["question_uins"] or []) > 1}
    assert grouped == {
        "uk.org.publicwhip/wrans/2009-10-29a.175.1": ["HL5745", "HL5746", "HL5747"],
        "uk.org.publicwhip/wrans/2009-10-29a.181.2": ["HL5686", "HL5687"],
    }
    assert rows["uk.org.publicwhip/wrans/2009-10-29a.175.1"]["question_uin"] == "HL5745"
