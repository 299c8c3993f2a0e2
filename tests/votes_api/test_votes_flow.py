"""The Votes APIs source end to end: the real engine against the loopback replay server fed with
our own fixtures (tests/support/fixtures/votes_api), real Parquet and DuckDB on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import ROOT
from tests.support.replay_server import ReplayServer, fixture_routes
from tests.support.runs import ingest_api, ingest_votes, rebuild
from tests.support.tables import file_hashes
from transforms.schema import DIVISION_VOTES, DIVISIONS, REJECTS

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "votes_api"
API_FIXTURES = ROOT / "tests" / "support" / "fixtures" / "hansard_api"
WEEK = (date(2031, 2, 3), date(2031, 2, 7))
TABLES = ("divisions", "division_votes")


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(fixture_routes(FIXTURES)) as srv:
        yield srv


def run(srv: ReplayServer, wh: Warehouse, start: date = WEEK[0], end: date = WEEK[1], **kw):  # noqa: ANN003, ANN201
    return ingest_votes(
        start,
        end,
        warehouse=str(wh.root),
        commons_base_url=srv.url,
        lords_base_url=srv.url,
        max_rps=1000.0,
        **kw,
    )


def hashes(wh: Warehouse) -> dict[str, str]:
    return file_hashes(wh, TABLES)


def fixture_body(name: str, folder: Path = FIXTURES) -> dict:
    return json.loads((folder / name).read_text())


def test_a_week_of_both_houses_paged_with_every_name_and_member_id(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    summary = run(server, warehouse)
    # 2 Commons search pages (25 + 2), 1 Lords page, 27 + 3 division bodies
    assert (summary.search_pages, summary.bodies_fetched, summary.requests) == (3, 30, 33)
    assert (summary.days_changed, summary.days_failed, summary.rejects) == (7, 0, 0)
    divisions = read_table(warehouse, DIVISIONS)
    votes = read_table(warehouse, DIVISION_VOTES)
    assert divisions.group_by("house").len().sort("house").rows() == [("Commons", 27), ("Lords", 3)]
    for row in divisions.iter_rows(named=True):  # every name of every list, as served
        house, upstream = row["house"], row["upstream_id"]
        body = fixture_body(f"{house.lower()}_division_{upstream}.json")
        listed = votes.filter(votes["division_id"] == row["division_id"])
        if house == "Commons":
            keys = ("AyeTellers", "Ayes", "NoTellers", "Noes", "NoVoteRecorded")
            expected = [m["MemberId"] for k in keys for m in body[k] or []]
        else:
            expected = [m["memberId"] for k in ("contents", "notContents") for m in body[k]]
        assert listed.sort("ordinal")["member_id"].to_list() == expected, row["division_id"]
    assert votes["member_id"].null_count() == 0 and votes["party"].null_count() == 0
    by_id = {r["upstream_id"]: r for r in divisions.iter_rows(named=True)}
    deferred = by_id[7014]
    assert deferred["is_deferred"] and deferred["aye_teller_count"] is None
    assert deferred["timecode"] is None  # a deferred division's midnight is not a time
    evel = by_id[7016]
    assert (evel["double_majority_aye_count"], evel["double_majority_no_count"]) == (25, 18)
    assert (evel["evel_type"], evel["evel_country"]) == ("DoubleMajority", "England")
    assert str(by_id[7003]["remote_voting_start"]) == "2031-02-03 19:15:12"
    proxies = votes.filter(votes["proxy_name"].is_not_null())
    assert sorted(proxies["member_id"].to_list()) == [900010, 920030]
    lords = votes.filter(votes["house"] == "Lords")
    assert lords.filter(lords["is_teller"]).height == 12  # 2 + 2 per division, not repeated
    assert by_id[8001]["is_government_win"] is True


def test_rerun_costs_the_search_pages_alone_and_rebuild_reproduces(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse)
    before = hashes(warehouse)
    again = run(server, warehouse)
    assert (again.requests, again.bodies_fetched, again.days_unchanged) == (3, 0, 7)
    assert (again.days_changed, again.partitions_written) == (0, 0)
    assert hashes(warehouse) == before
    rebuild(str(warehouse.root))
    assert hashes(warehouse) == before


def test_a_correction_refetches_only_what_changed(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse)
    server.routes.update(fixture_routes(FIXTURES / "revised"))
    summary = run(server, warehouse)
    # a week later: 7012 corrected (PublicationUpdated moved), 7028 new; the rest unchanged
    assert (summary.search_pages, summary.bodies_fetched) == (3, 2)
    assert (summary.days_changed, summary.days_unchanged) == (2, 5)
    divisions = read_table(warehouse, DIVISIONS)
    corrected = divisions.filter(divisions["upstream_id"] == 7012).row(0, named=True)
    assert corrected["no_count"] == 27
    assert str(corrected["publication_updated"]) == "2031-02-10 11:02:17"
    assert divisions.height == 31
    votes = read_table(warehouse, DIVISION_VOTES)
    mine = votes.filter(votes["division_id"] == "commonsvotes/7012")
    assert mine.filter(mine["member_id"] == 920018)["vote"].to_list() == ["no"]
    assert mine["ordinal"].is_unique().all()


def test_a_withdrawn_division_leaves_its_day(server: ReplayServer, warehouse: Warehouse) -> None:
    run(server, warehouse)
    routes = server.routes  # served live: changed in place
    key = next(k for k in routes if "divisions.json/search" in k[1] and ("skip", "25") in k[2])
    page = json.loads(routes.get(key).body)
    assert [d["DivisionId"] for d in page] == [7002, 7001]
    routes.add(key[1], dict(key[2]), page[:1])  # 7001 no longer listed
    summary = run(server, warehouse)
    assert (summary.days_changed, summary.bodies_fetched) == (1, 0)
    ids = set(read_table(warehouse, DIVISIONS)["upstream_id"])
    assert 7001 not in ids and 7002 in ids and len(ids) == 29


def test_transient_faults_are_retried(server: ReplayServer, warehouse: Warehouse) -> None:
    server.set(
        faults=[
            {"match": "divisions.json/search", "kind": "status", "status": 429, "retry_after": 1},
            {"match": "/data/division/7010", "kind": "status", "status": 503, "times": 2},
            {"match": "/data/divisions/8002", "kind": "truncate"},
            {"match": "/data/division/7020", "kind": "reset"},
        ]
    )
    summary = run(server, warehouse)
    assert (summary.days_failed, summary.rejects) == (0, 0)
    assert read_table(warehouse, DIVISIONS).height == 30
    statuses = [r.status for r in server.requests if "/data/division/7010" in r.target]
    assert statuses == [503, 503, 200]


def test_a_stalled_response_times_out_and_is_retried(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    server.set(faults=[{"match": "/data/divisions/8001", "kind": "timeout", "seconds": 10}])
    summary = run(server, warehouse, houses=["Lords"], timeout_s=2.0)
    assert (summary.days_failed, summary.rejects, summary.bodies_fetched) == (0, 0, 3)
    asked = [r for r in server.requests if "/data/divisions/8001" in r.target.lower()]
    # the stalled attempt, then a retry that answered (a busy machine may need one more)
    assert len(asked) >= 2 and asked[0].fault == "timeout"


def test_a_body_that_keeps_failing_fails_its_day_alone(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse)
    before = read_table(warehouse, DIVISIONS)
    server.routes.update(fixture_routes(FIXTURES / "revised"))
    server.set(
        faults=[{"match": "/data/division/7012", "kind": "status", "status": 500, "times": None}]
    )
    summary = run(server, warehouse)
    assert (summary.days_failed, summary.days_changed) == (1, 1)  # 02-04 failed, 02-07 new
    after = read_table(warehouse, DIVISIONS)
    old = before.filter(before["upstream_id"] == 7012)
    assert after.filter(after["upstream_id"] == 7012).equals(old)  # the day kept as it was
    assert 7028 in set(after["upstream_id"])
    rejects = read_table(warehouse, REJECTS)
    (detail,) = rejects.filter(rejects["reason"] == "fetch_failed")["detail"]
    assert detail.startswith(f"{server.url}/data/division/7012.json: ") and "HTTP 500" in detail


def test_the_cli_fetches_one_house_and_exits_1_when_every_fetch_failed(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    args = ["ingest", "votes", "--from", "2031-02-03", "--to", "2031-02-07", "--house", "Lords"]
    args += ["-w", str(warehouse.root), "--commons-url", server.url, "--lords-url", server.url]
    args += ["--rps", "1000"]
    ok = CliRunner().invoke(app, args)
    assert ok.exit_code == 0, ok.output
    assert "3 division bodies" in ok.output and "3 divisions" in ok.output
    assert set(read_table(warehouse, DIVISIONS)["house"]) == {"Lords"}
    server.set(faults=[{"match": "", "kind": "status", "status": 400, "times": None}])
    failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 1 and "every fetch failed" in failed.output
    bad = CliRunner().invoke(app, [*args[:6], "--house", "Senate", *args[8:]])
    assert bad.exit_code != 0 and "Senate" in bad.output


def test_divisions_join_debates_members_and_results(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    server.routes.update(fixture_routes(API_FIXTURES))
    ingest_api(
        date(2031, 2, 4),
        date(2031, 2, 4),
        houses=["Commons"],
        warehouse=str(warehouse.root),
        base_url=server.url,
        max_rps=1000.0,
    )
    run(server, warehouse)
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as c:
        links = c.execute(
            "select d.upstream_id, l.link_method, trim(l.debate_title) from division_links l "
            "join divisions d using (division_id) where l.debate_id is not null order by 1"
        ).fetchall()
        assert links == [
            (u, "title", "Harbour Safety (Amendment) Bill") for u in (7006, 7007, 7008)
        ]
        (speeches,) = c.execute(
            "select count(*) from contributions c join division_links l using (debate_id) "
            "where l.division_id = 'commonsvotes/7007'"
        ).fetchone()
        assert speeches > 0  # one query: a debate's speeches and its divisions
        votes = c.execute(
            "select title, vote, result, debate_title from member_votes(900001) "
            "where division_id = 'commonsvotes/7007'"
        ).fetchall()
        assert [v[:3] for v in votes] == [
            ("Harbour Safety (Amendment) Bill: Second Reading", "aye", "ayes")
        ]
        result = c.execute(
            "select aye_count, no_count, majority, result, by_party from division_results "
            "where division_id = 'commonsvotes/7007'"
        ).fetchone()
        body = fixture_body("commons_division_7007.json")
        assert result[:2] == (body["AyeCount"], body["NoCount"])
        assert result[2] == abs(body["AyeCount"] - body["NoCount"])
        ayes_by_party = {p["party"]: p["ayes"] for p in result[4]}
        expected: dict[str, int] = {}
        for m in body["Ayes"] + body["AyeTellers"]:
            expected[m["Party"]] = expected.get(m["Party"], 0) + 1
        assert {k: v for k, v in ayes_by_party.items() if v} == expected
        (count,) = c.execute(
            "select count(*) from member_votes(900001) where vote != 'no-vote-recorded'"
        ).fetchone()
        assert count == votes_of(warehouse, 900001)


def votes_of(wh: Warehouse, member_id: int) -> int:
    votes = read_table(wh, DIVISION_VOTES)
    return votes.filter(
        (votes["member_id"] == member_id) & (votes["vote"] != "no-vote-recorded")
    ).height


def test_the_member_profile_counts_each_members_votes(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    from tests.support.members_support import members_routes, refresh, sql

    server.routes.update(members_routes())
    run(server, warehouse)
    refresh(warehouse, server.url)
    votes = read_table(warehouse, DIVISION_VOTES)
    for member_id in (900001, 900012, 900101):  # Commons; a Dame; a peer
        mine = votes.filter(votes["member_id"] == member_id)
        kinds = dict(mine.group_by("vote").len().iter_rows())
        ((by_kind, vote_count, division_count),) = sql(
            warehouse,
            "select votes_by_kind, vote_count, division_count from member_profile(?)",
            [member_id],
        )
        assert {k["vote"]: k["votes"] for k in by_kind} == kinds
        voted = mine.filter(mine["vote"] != "no-vote-recorded")
        assert (vote_count, division_count) == (voted.height, voted["division_id"].n_unique())
        assert vote_count > 0
