"""The Votes APIs' parser on the real recorded responses (read in place from the corpus) and on
hostile or broken bodies of our own."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_path
from transforms.schema import DIVISION_VOTES, DIVISIONS, REJECTS, frame
from transforms.votes_api.parse import VotesInput, parse_division, summaries

RECORDED = "parliament-apis/recorded"
WHEN = datetime(2026, 12, 7, tzinfo=UTC)


def _input(data: bytes, house: str, url: str = "http://127.0.0.1/x") -> VotesInput:
    return VotesInput(data, url, "0" * 64, WHEN, house)


def _recorded(name: str) -> bytes:
    return (corpus_path() / RECORDED / name).read_bytes()


def test_a_real_commons_division_every_name_with_member_id_party_and_proxy() -> None:
    got = parse_division(_input(_recorded("snommoc__commons-1873.json"), "Commons"))
    assert got.rejects == []
    division = frame(DIVISIONS, got.divisions).row(0, named=True)
    assert division["division_id"] == "commonsvotes/1873"
    assert (division["division_number"], division["sitting_date"]) == (47, date(2024, 11, 25))
    assert (division["aye_count"], division["no_count"]) == (336, 175)
    assert (division["aye_teller_count"], division["no_teller_count"]) == (2, 2)
    assert str(division["timecode"]) == "2024-11-25 21:50:00"
    assert str(division["publication_updated"]) == "2024-11-26 09:52:43"
    assert division["is_deferred"] is False and division["debate_id"] is None
    votes = frame(DIVISION_VOTES, got.division_votes)
    counts = {(v, t): n for v, t, n in votes.group_by("vote", "is_teller").len().iter_rows()}
    # recorded: Ayes 333 + 2 tellers, Noes 174 + 2 tellers, NoVoteRecorded 139
    assert counts == {
        ("aye", True): 2,
        ("aye", False): 333,
        ("no", True): 2,
        ("no", False): 174,
        ("no-vote-recorded", False): 139,
    }
    assert votes["member_id"].null_count() == 0 and votes["party"].null_count() == 0
    assert votes["ordinal"].to_list() == list(range(1, votes.height + 1))
    assert votes.filter(votes["proxy_name"].is_not_null()).height == 3  # as recorded
    first = votes.row(0, named=True)
    assert (first["voter_name"], first["vote"], first["is_teller"]) == ("Turley, Anna", "aye", True)


def test_a_real_lords_division_tellers_marked_in_their_list_not_repeated() -> None:
    item = json.loads(_recorded("snommoc__lords.json"))[0]
    got = parse_division(_input(json.dumps(item).encode(), "Lords"))
    assert got.rejects == []
    division = frame(DIVISIONS, got.divisions).row(0, named=True)
    assert division["division_id"] == "lordsvotes/3172" and division["timecode"] is None
    assert (division["aye_count"], division["no_count"]) == (36, 89)
    assert str(division["remote_voting_start"]) == "2024-11-20 21:20:21"
    assert division["friendly_description"].startswith("<p>Lord Roborough moved amendment 51")
    votes = frame(DIVISION_VOTES, got.division_votes)
    assert votes.height == 36 + 89  # the four tellers are inside the lists
    assert votes.filter(votes["is_teller"]).height == 4
    assert votes.filter(votes["vote"] == "content").height == 36


def test_search_pages_give_ids_dates_and_versions() -> None:
    page = summaries(_recorded("snommoc__commons.json"), "Commons")
    assert len(page) == 25 and page[0].upstream_id == 1873
    assert page[0].version == "2024-11-26T09:52:43"
    lords = summaries(_recorded("snommoc__lords.json"), "Lords")
    assert [(s.upstream_id, s.day) for s in lords] == [(3172, date(2024, 11, 20))]
    assert len(lords[0].version) == 64  # no PublicationUpdated in the Lords: a digest
    with pytest.raises(ValueError, match="item 0"):
        summaries(b'[{"DivisionId": 1}]', "Commons")
    with pytest.raises(ValueError, match="JSON list"):
        summaries(b"{}", "Commons")


def _commons(**over: object) -> bytes:
    body: dict[str, object] = {
        "DivisionId": 9,
        "Date": "2031-02-04T19:02:00",
        "Number": 3,
        "AyeCount": 1,
        "NoCount": 0,
        "Ayes": [{"MemberId": 900001, "Name": "A B", "ListAs": "B, A", "Party": "Labour"}],
    }
    body.update(over)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>busy</html>", "unreadable"),
        (b"[1, 2]", "unreadable"),
        (_commons(DivisionId=None), "missing_field"),
        (_commons(Date="yesterday"), "bad_value"),
        (_commons(Number="3"), "bad_value"),
        (_commons(Ayes={"not": "a list"}), "bad_value"),
    ],
)
def test_a_broken_body_is_one_reject_naming_the_url(data: bytes, reason: str) -> None:
    got = parse_division(_input(data, "Commons", "http://127.0.0.1/data/division/9.json"))
    assert got.divisions == [] and got.division_votes == []
    rejects = frame(REJECTS, got.rejects)
    assert rejects["reason"].to_list() == [reason]
    assert rejects["detail"][0].startswith("http://127.0.0.1/data/division/9.json: ")


def test_a_name_without_member_id_is_rejected_and_the_rest_kept() -> None:
    names = [
        {"MemberId": 900001, "Name": "A B", "ListAs": "B, A", "Party": "Labour"},
        {"Name": "No Id", "ListAs": "Id, No", "Party": "Labour"},
        {"MemberId": 900002, "Name": "C D", "ListAs": "D, C", "Party": "Labour", "Pronoun": "x"},
    ]
    got = parse_division(_input(_commons(Ayes=names, Flag=True), "Commons"))
    assert [v["member_id"] for v in got.division_votes] == [900001, 900002]
    assert [v["ordinal"] for v in got.division_votes] == [1, 2]
    reasons = sorted((r["reason"], r["source_ref"].split("#")[1]) for r in got.rejects)
    assert reasons == [
        ("missing_field", "Ayes[1]"),
        ("unknown_field", "Ayes[2]"),
        ("unknown_field", "division"),
    ]
    assert len(got.divisions) == 1  # unknown keys are a warning: the division is published


def test_the_fixture_files_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    """Our Votes API recordings are generated, deterministically, by their script."""
    folder = ROOT / "tests" / "support" / "fixtures" / "votes_api"
    script = folder / "make_fixtures.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    ours = sorted(p.relative_to(folder) for p in folder.rglob("*.json"))
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.json"))
    assert written == ours and len(ours) > 40
    for name in ours:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name
