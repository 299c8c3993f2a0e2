"""The members dimension: Members API Search paging and History batches over the real loopback
replay server, raw responses stored, the members tables published through the gate, the
TheyWorkForYou id mapping, and offline rebuild."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flows.core import raw_zone
from flows.core.http import FetchError
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from flows.sources.members import fetch as members_fetch
from flows.sources.members.fetch import HISTORY_PATH, SEARCH_PATH, MembersFetchError
from flows.sources.members.work import TABLES as MEMBERS_TABLE_NAMES
from tests.conftest import corpus_path
from tests.support.members_support import (
    FIXTURES,
    MAKE,
    WINDOW,
    members_routes,
    refresh,
    search_ids,
    sql,
)
from tests.support.replay_server import ReplayServer
from tests.support.runs import rebuild
from tests.support.tables import live_by_folder
from transforms.common.parlparse_people import parse_people_xml, people_rows
from transforms.members.api import (
    MembersFormatError,
    Response,
    build_tables,
    parse_history,
    parse_search_page,
)
from transforms.schema import MEMBERS
from transforms.schema import TABLES as ALL_TABLES

MEMBERS_TABLES = [ALL_TABLES[n] for n in MEMBERS_TABLE_NAMES]

FETCHED = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _resp(name: str, sha: str = "sha", when: datetime = FETCHED) -> Response:
    return Response((FIXTURES / name).read_bytes(), sha, when)


def test_fixture_files_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    written = MAKE["write"](tmp_path)
    on_disk = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert sorted(written) == on_disk
    for name in written:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


# -- pure parsing ------------------------------------------------------------------------------


def test_search_page_and_history_shapes() -> None:
    page = parse_search_page((FIXTURES / "search_commons_skip0.json").read_bytes())
    assert (page.total, page.skip, page.take, len(page.members)) == (34, 0, 20, 20)
    history = parse_history((FIXTURES / "history_all.json").read_bytes())
    corbyn = next(h for h in history if h["id"] == 185)
    assert [p["party"]["abbreviation"] for p in corbyn["partyHistory"]] == [
        "Lab",
        "Ind",
        "Ind",
        "Your Party",
    ]
    for bad, match in [
        (b"not json", "not JSON"),
        (b'{"items": []}', "totalResults"),
        (b'{"items": [{"links": []}], "totalResults": 1}', "value, links"),
        (b'[{"value": {"id": "185"}, "links": []}]', "integer id"),
    ]:
        with pytest.raises(MembersFormatError, match=match):
            (parse_history if bad.startswith(b"[") else parse_search_page)(bad)


def test_build_tables_takes_each_member_from_the_newest_response() -> None:
    searches = [_resp(p.name) for p in sorted(FIXTURES.glob("search_*.json"))]
    built = build_tables(searches, [_resp("history_all.json")])
    members = {m["member_id"]: m for m in built.rows["members"]}
    assert len(members) == len(search_ids()) == 53
    assert members[420]["name_display"] == "Yvette Cooper"
    assert members[420]["house"] == "Commons" and members[8]["house"] == "Lords"
    assert members[185]["party_abbreviation"] == "Your Party"
    lansley = [n for n in built.rows["member_names"] if n["member_id"] == 123]
    assert [(n["name_display"], n["start_date"]) for n in lansley] == [
        ("Mr Andrew Lansley", date(2010, 5, 6)),
        ("Lord Lansley", date(2015, 11, 10)),
    ]
    seats = [h for h in built.rows["member_houses"] if h["member_id"] == 8]
    assert [(h["house"], h["membership_from"], h["end_date"]) for h in seats] == [
        ("Commons", "Maidenhead", date(2024, 5, 30)),
        ("Lords", "Life peer", None),
    ]
    # a later History response about the same member wins; a member only History knows
    newer = json.loads((FIXTURES / "history_all.json").read_text())
    tate = next(i for i in newer if i["value"]["id"] == 900203)
    tate["value"]["partyHistory"] = tate["value"]["partyHistory"][:1]
    later = Response(json.dumps([tate]).encode(), "later", datetime(2026, 6, 1, tzinfo=UTC))
    rebuilt = build_tables([], [_resp("history_all.json"), later])
    assert [p["raw_sha256"] for p in rebuilt.rows["member_parties"] if p["member_id"] == 900203]
    assert [
        p["party_abbreviation"] for p in rebuilt.rows["member_parties"] if p["member_id"] == 900203
    ] == ["Con"]
    only_history = {m["member_id"]: m for m in rebuilt.rows["members"]}[900204]
    assert only_history["details_from"] == "history"
    assert only_history["name_display"] == "Baroness Voss of Kelby"
    assert only_history["house"] == "Lords"


# -- TheyWorkForYou mapping ----------------------------------------------------------------------


def test_twfy_people_from_the_corpus_members_files() -> None:
    folder = corpus_path("members")
    people = parse_people_xml((folder / "people.xml").read_bytes())
    assert not isinstance(people, type(None))
    rows = people_rows(people, "p", (folder / "all-members-2010.xml").read_bytes(), "a")
    assert not isinstance(rows, type(None)) and isinstance(rows, list)
    by_id = {r["twfy_id"]: r for r in rows}
    corbyn = by_id["uk.org.publicwhip/person/10133"]
    assert (corbyn["member_id"], corbyn["member_id_via"], corbyn["name"]) == (
        185,
        "datadotparl_id+office_id",
        "Jeremy Corbyn",
    )
    for membership in ("uk.org.publicwhip/member/133", "uk.org.publicwhip/member/40334"):
        assert by_id[membership]["twfy_person_id"] == "uk.org.publicwhip/person/10133"
        assert by_id[membership]["member_id"] == 185
    lord = by_id["uk.org.publicwhip/lord/100940"]  # Baroness Meacher: no MNIS id in the files
    assert (lord["id_kind"], lord["name"], lord["member_id"]) == ("lord", "Baroness Meacher", None)
    assert sum(r["id_kind"] == "person" for r in rows) == 13216
    assert sum(r["member_id"] is not None for r in rows if r["id_kind"] == "person") == 650


def test_twfy_redirects_are_followed_and_conflicts_not_guessed() -> None:
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<publicwhip>
<person id="uk.org.publicwhip/person/1" latestname="Ann Example">
  <office id="uk.org.publicwhip/member/11"/>
  <office id="uk.parliament.data/Member/9001/Committee/1"/>
</person>
<person id="uk.org.publicwhip/person/2" redirect="uk.org.publicwhip/person/3"/>
<person id="uk.org.publicwhip/person/3" redirect="uk.org.publicwhip/person/1"/>
<person id="uk.org.publicwhip/person/4" latestname="Two Ids">
  <office id="uk.parliament.data/Member/9002/Committee/1"/>
  <office id="uk.parliament.data/Member/9003/Committee/1"/>
</person>
</publicwhip>"""
    people = parse_people_xml(xml)
    rows = {r["twfy_id"]: r for r in people_rows(people, "sha")}  # type: ignore[union-attr]
    two = rows["uk.org.publicwhip/person/2"]
    assert (two["twfy_person_id"], two["redirected"], two["member_id"], two["name"]) == (
        "uk.org.publicwhip/person/1",
        True,
        9001,
        "Ann Example",
    )
    assert rows["uk.org.publicwhip/member/11"]["member_id"] == 9001
    assert rows["uk.org.publicwhip/person/4"]["member_id"] is None
    assert rows["uk.org.publicwhip/person/4"]["member_id_via"] == "conflict: 9002, 9003"


# -- the flow over the replay server --------------------------------------------------------------


def test_refresh_pages_search_batches_history_and_stores_every_response(
    warehouse: Warehouse,
) -> None:
    with ReplayServer(members_routes()) as srv:
        summary = refresh(warehouse, srv.url, twfy_members=str(corpus_path("members")))
        log = srv.requests
    searches = [r for r in log if r.path.lower() == SEARCH_PATH.lower()]
    house_key = "membershipindaterange.wasmemberofhouse"
    assert [(r.params[house_key], r.params["skip"]) for r in searches] == [
        ("1", "0"),
        ("1", "20"),
        ("2", "0"),
        ("2", "20"),
    ]
    assert all(r.params["take"] == "20" and r.status == 200 for r in searches)
    histories = [r for r in log if r.path.lower() == HISTORY_PATH.lower()]
    batch_ids = [[v for k, v in _pairs(r.query) if k == "ids"] for r in histories]
    assert [len(b) for b in batch_ids] == [20, 20, 13]
    assert sorted(int(i) for b in batch_ids for i in b) == sorted(search_ids())
    assert summary.requests == 7 and summary.responses_new == 7
    assert (
        summary.rows["members"],
        summary.rows["member_parties"],
        summary.rows["member_houses"],
        summary.rows["member_names"],
    ) == (53, 62, 58, 57)

    # every response is in the raw zone, byte-for-byte, with its request
    entries = raw_zone.entries(warehouse, "members_api")
    assert len(entries) == 7
    first = next(
        e for e in entries if "skip=20" in e.original_path and "OfHouse=2" in e.original_path
    )
    served = members_routes().lookup("GET", SEARCH_PATH, first.original_path.split("?", 1)[1])
    assert served is not None and raw_zone.read_bytes(warehouse, first) == served.body
    body = json.loads(raw_zone.read_bytes(warehouse, first))
    assert body == json.loads((FIXTURES / "search_lords_skip20.json").read_text())
    assert first.document_key.startswith("GET /api/Members/Search?")
    assert first.request["status"] == 200 and first.request["path"] == SEARCH_PATH
    assert ["take", "20"] in first.request["params"]
    assert "application/json" in first.request["content_type"]
    assert len(members_fetch.snapshot_entries(warehouse)) == 7

    # the tables are published and the views open
    assert read_table(warehouse, MEMBERS).height == 53
    assert sql(warehouse, "select count(*) from member_parties where member_id = 185") == [(4,)]
    assert sql(
        warehouse,
        "select twfy_person_id, member_id from twfy_people where twfy_id = ?",
        ["uk.org.publicwhip/member/40334"],
    ) == [("uk.org.publicwhip/person/10133", 185)]
    runs = sql(warehouse, "select flow, status, source from ingest_runs")
    assert runs == [("refresh-members", "completed", "members")]


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query)


def test_a_second_refresh_changes_nothing_and_rebuild_reproduces_the_tables(
    warehouse: Warehouse,
) -> None:
    with ReplayServer(members_routes()) as srv:
        refresh(warehouse, srv.url, twfy_members=str(corpus_path("members")))
        files = _tables(warehouse)
        again = refresh(warehouse, srv.url)
    assert again.responses_new == 0 and again.partitions_written == 0
    assert _tables(warehouse) == files
    assert {k.split("/")[0] for k in files} >= {t.name for t in MEMBERS_TABLES}
    for table in MEMBERS_TABLES:
        shutil.rmtree(warehouse.table_dir(table.name), ignore_errors=True)
    rebuild(warehouse)  # offline: from the raw zone alone
    assert _tables(warehouse) == files


def _tables(wh: Warehouse) -> dict[str, bytes]:
    """Every published partition's bytes but the run log's."""
    return {
        k: p.read_bytes()
        for name in ALL_TABLES
        if name != "ingest_runs"
        for k, p in live_by_folder(wh, name).items()
    }


def test_a_request_that_keeps_failing_publishes_nothing(warehouse: Warehouse) -> None:
    with ReplayServer(members_routes()) as srv:
        refresh(warehouse, srv.url)
        before = _tables(warehouse)
        srv.set(
            faults=[
                {
                    "match": "/api/members/history",
                    "kind": "status",
                    "status": 503,
                    "retry_after": 0,
                    "times": None,
                }
            ]
        )
        with pytest.raises(FetchError, match="HTTP 503"):
            refresh(warehouse, srv.url, full=True)  # incremental would ask no History
        srv.set(faults=[{"match": "skip=20", "kind": "status", "status": 400}])
        with pytest.raises(MembersFetchError, match="HTTP 400"):
            refresh(warehouse, srv.url)
    assert _tables(warehouse) == before
    statuses = sql(warehouse, "select status, message from ingest_runs order by started_at")
    assert [s for s, _ in statuses] == ["completed", "failed", "failed"]
    assert "/api/Members/History?ids=" in statuses[1][1] and "6 attempt" in statuses[1][1]
    assert "/api/Members/Search?" in statuses[2][1] and "skip=20" in statuses[2][1]
    assert len(members_fetch.snapshot_entries(warehouse)) == 7  # the failed refresh left none


def test_an_id_history_does_not_know_is_skipped_not_fatal(warehouse: Warehouse) -> None:
    routes = members_routes([999999], unknown_sinks_batch=True)
    with ReplayServer(routes) as srv:
        summary = refresh(warehouse, srv.url, ids=[999999])
        history = [r for r in srv.requests if r.path.lower() == HISTORY_PATH.lower()]
        singles = [r for r in history if r.query.count("ids=") == 1]
    assert summary.unknown_ids == [999999]
    assert "History did not know member id(s) 999999" in summary.describe()
    assert len(singles) == 14 and sum(r.status == 404 for r in singles) == 1
    assert summary.rows["members"] == 53 and summary.rows["member_parties"] == 62


def test_refresh_survives_transient_errors_through_the_one_client(warehouse: Warehouse) -> None:
    faults = [
        {"match": "/api/members/search", "kind": "status", "status": 503, "retry_after": 0},
        {"match": "/api/members/history", "kind": "reset"},
    ]
    with ReplayServer(members_routes(), faults=faults) as srv:
        summary = refresh(warehouse, srv.url)
        assert srv.hits("/api/Members/Search") == 5 and srv.hits("/api/Members/History") == 4
    assert summary.rows["members"] == 53


def test_refresh_rejects_bad_arguments(warehouse: Warehouse) -> None:
    from tests.support.runs import refresh_members

    with pytest.raises(ValueError, match="houses must be among"):
        refresh_members(warehouse=str(warehouse.root), houses=["Senate"])
    with pytest.raises(ValueError, match="both start and end"):
        refresh_members(warehouse=str(warehouse.root), start=WINDOW[0])
    with pytest.raises(ValueError, match="nothing to fetch"):
        refresh_members(warehouse=str(warehouse.root))  # no contributions, no dates, no ids
    with pytest.raises(ValueError, match="take must be"):
        members_fetch.fetch_search(
            None,  # type: ignore[arg-type]
            warehouse,
            "http://127.0.0.1:9",
            "Commons",
            *WINDOW,
            members_fetch.Fetch(),
            take=21,
        )
