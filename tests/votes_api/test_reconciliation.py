"""The corpus's 2023 TheyWorkForYou day (five real divisions) beside our Votes API fixtures for
the same five divisions: matched by house, date and number, the differences reported, never
merged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from flows.core.warehouse import Warehouse
from tests.conftest import ROOT, corpus_path
from tests.support.replay_server import ReplayServer, fixture_routes
from tests.support.runs import ingest_twfy, ingest_votes

VOTES_2023 = ROOT / "tests" / "support" / "fixtures" / "votes_api" / "twfy_2023"
DAY = date(2023, 3, 28)


def test_the_five_divisions_of_2023_03_28_are_matched_and_the_differences_reported(
    tmp_path: Path,
) -> None:
    wh = Warehouse.at(tmp_path / "wh")
    ingest_twfy([str(corpus_path("twfy", "debates2023-03-28d.xml"))], warehouse=wh)
    with ReplayServer(fixture_routes(VOTES_2023)) as srv:
        got = ingest_votes(DAY, DAY, warehouse=wh, commons_base_url=srv.url, lords_base_url=srv.url)
    assert got.rows["divisions"] == 5
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as c:
        rows = c.execute(
            "select division_number, status, record_no_declared, record_no_listed, "
            "official_no_declared, differences from division_reconciliation"
        ).fetchall()
        assert [(r[0], r[1]) for r in rows] == [(n, "matched") for n in range(203, 208)]
        (d205,) = [r for r in rows if r[0] == 205]
        assert d205[2:5] == (299, 298, 299)
        assert "record noes: 299 declared, 298 listed" in d205[5]
        # every difference spelled out: none between the declared counts of the two records
        assert not any(
            "declared ayes differ" in d or "declared noes differ" in d for r in rows for d in r[5]
        )
        links = c.execute(
            "select l.link_method, count(*), count(distinct l.debate_id) from division_links l "
            "join divisions d using (division_id) where d.upstream_id is not null group by 1"
        ).fetchall()
        assert links == [("same_division", 5, 5)]  # each takes its printed debate


def test_a_committee_division_is_never_taken_for_the_chambers(tmp_path: Path) -> None:
    """2009-10-27: the Commons divided once (No. 231) and the Child Poverty Bill committee once
    (its No. 1). Official records numbered 231 and 1 that day: 231 pairs with the chamber's;
    No. 1 pairs with nothing (a committee's numbers are its own)."""
    import json

    from tests.support.replay_fixtures import Routes

    wh = Warehouse.at(tmp_path / "wh")
    ingest_twfy([str(corpus_path("twfy"))], warehouse=wh)
    body = json.loads((VOTES_2023 / "commons_division_1501.json").read_text())
    routes = Routes()
    items = []
    for upstream, number in ((9231, 231), (9001, 1)):
        item = body | {"DivisionId": upstream, "Number": number, "Date": "2009-10-27T19:00:00"}
        routes.add(f"/data/division/{upstream}.json", None, item)
        items.append(item | {"Ayes": [], "Noes": [], "NoVoteRecorded": []})
    day = {"startDate": "2009-10-27", "endDate": "2009-10-27", "skip": "0", "take": "25"}
    routes.add("/data/divisions.json/search", day, items)
    routes.add("/data/Divisions/search", day, [])
    with ReplayServer(routes) as srv:
        when = date(2009, 10, 27)
        ingest_votes(when, when, warehouse=wh, commons_base_url=srv.url, lords_base_url=srv.url)
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as c:
        rows = c.execute(
            "select division_number, location, status, record_division_id "
            "from division_reconciliation where sitting_date = '2009-10-27'"
        ).fetchall()
        assert sorted(rows) == [
            (1, "Commons Chamber", "official_only", None),
            (231, "Commons Chamber", "matched", "uk.org.publicwhip/debate/2009-10-27d.195.2"),
        ]
        links = c.execute(
            "select division_id, link_method from division_links "
            "where division_id in ('commonsvotes/9231', 'commonsvotes/9001') order by 1"
        ).fetchall()
        assert links == [("commonsvotes/9001", None), ("commonsvotes/9231", "same_division")]
