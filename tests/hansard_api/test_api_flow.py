"""The Hansard API source end to end: the real flow against the loopback replay server fed with
the real recorded items (and our own fixture day), real Parquet and DuckDB on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from tests.conftest import ROOT, corpus_path
from tests.support.replay_fixtures import Reply, route_key
from tests.support.replay_server import ReplayServer, Routes, corpus_routes, fixture_routes
from tests.support.runs import ingest_api, rebuild
from tests.support.tables import file_hashes
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "hansard_api"
JULY = (date(2024, 7, 1), date(2024, 7, 31))  # five real sitting days with recorded items
FIXTURE_DAY = date(2031, 2, 4)


@pytest.fixture(scope="module")
def routes() -> Routes:
    table = corpus_routes(corpus_path())
    return table.update(fixture_routes(FIXTURES))


@pytest.fixture
def server(routes: Routes) -> Iterator[ReplayServer]:
    with ReplayServer(routes) as srv:
        yield srv


def run(srv: ReplayServer, wh: Warehouse, start: date, end: date, **kw: object):  # noqa: ANN201
    return ingest_api(
        start,
        end,
        houses=["Commons"],
        warehouse=str(wh.root),
        base_url=srv.url,
        max_rps=1000.0,
        **kw,
    )


def parquet_hashes(wh: Warehouse, *names: str) -> dict[str, str]:
    return file_hashes(wh, names)


def expected_items(start: date, end: date) -> list[dict]:
    items = json.loads(
        corpus_path(
            "hansard-api",
            "extracts",
            "hansard-api_search-contributions-spoken_result-items_306.json",
        ).read_text()
    )
    return [i for i in items if start.isoformat() <= i["SittingDate"][:10] <= end.isoformat()]


def test_all_306_real_contributions_arrive_with_member_ids(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    summary = run(server, warehouse, date(2024, 7, 1), date(2026, 7, 31))
    assert summary.days_failed == 0 and summary.rejects == 0
    assert summary.contributions == 306 and summary.days_changed == 148
    df = read_table(warehouse, CONTRIBUTIONS)
    assert df.height == 306
    assert set(df["member_id"]) == {185} and set(df["source"]) == {"hansard_api"}
    assert sorted(df["contribution_id"]) == sorted(
        i["ContributionExtId"] for i in expected_items(date(2024, 1, 1), date(2027, 1, 1))
    )
    assert not df.filter(df["text"].str.contains("<|&amp;|\r")).height
    debates = read_table(warehouse, DEBATES)
    assert debates.height == 202  # every debate body recorded, titles stripped
    assert not debates.filter(debates["title"] != debates["title"].str.strip_chars()).height
    assert debates["content_last_updated"].null_count() == 0
    assert set(debates["hansard_edition"]) == {2}  # Source: an integer on the wire
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    assert con.execute(
        "select count(*) from contributions c anti join debates using (debate_id)"
    ).fetchone() == (0,)


def test_rerun_is_a_no_op_and_rebuild_reproduces_the_tables(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    first = run(server, warehouse, *JULY)
    assert (first.days_changed, first.debates_new, first.contributions) == (5, 9, 12)
    assert first.contributions == len(expected_items(*JULY))
    before = parquet_hashes(warehouse, "debates", "contributions")
    second = run(server, warehouse, *JULY)
    assert (second.days_changed, second.days_unchanged, second.responses_new) == (0, 5, 0)
    assert (second.debates_new, second.debates_changed, second.debates_unchanged) == (0, 0, 9)
    assert second.partitions_written == 0
    assert parquet_hashes(warehouse, "debates", "contributions") == before
    rebuild(str(warehouse.root))
    assert parquet_hashes(warehouse, "debates", "contributions") == before


def test_a_revised_day_is_refetched_and_only_its_debate_changes(
    routes: Routes, server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse, *JULY)
    key = next(
        k
        for k in routes
        if "spoken.json" in k[1] and ("date", "2024-07-25") in k[2] and ("skip", "0") in k[2]
    )
    original = routes.get(key)
    page = json.loads(original.body)
    target = page["Results"][0]
    target["ContributionTextFull"] = target["ContributionTextFull"] + " (corrected)"
    routes.add_reply(key[1], dict(key[2]), Reply(200, json.dumps(page).encode()))
    try:
        summary = run(server, warehouse, *JULY)
    finally:
        routes.add_reply(key[1], dict(key[2]), original)
    assert (summary.days_changed, summary.days_unchanged) == (1, 4)
    assert (summary.debates_new, summary.debates_changed) == (0, 1)
    assert summary.debates_unchanged == 8
    df = read_table(warehouse, CONTRIBUTIONS)
    assert df.height == 12
    (text,) = df.filter(df["contribution_id"] == target["ContributionExtId"])["text"]
    assert text.endswith("(corrected)")


def test_transient_faults_are_retried_and_the_run_completes(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    server.set(
        faults=[
            {"match": "date=2024-07-18", "kind": "status", "status": 429, "retry_after": 1},
            {"match": "date=2024-07-22", "kind": "status", "status": 500, "times": 2},
            {"match": "/debates/debate/", "kind": "truncate", "times": 1},
            {"match": "month=7", "kind": "reset", "times": 1},
        ]
    )
    summary = run(server, warehouse, *JULY)
    assert summary.days_failed == 0 and summary.contributions == 12
    statuses = [r.status for r in server.requests if "2024-07-22" in r.target]
    assert statuses[:3] == [500, 500, 200]
    retried = [r for r in server.requests if "2024-07-18" in r.target]
    assert retried[1].time - retried[0].time >= 0.95  # Retry-After: 1 honoured


def test_persistent_failure_keeps_the_last_complete_day_and_is_rejected(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse, *JULY)
    before = parquet_hashes(warehouse, "contributions")
    server.set(
        faults=[{"match": "date=2024-07-30", "kind": "status", "status": 503, "times": None}]
    )
    summary = ingest_api(
        *JULY,
        houses=["Commons"],
        warehouse=str(warehouse.root),
        base_url=server.url,
        max_rps=1000.0,
    )
    assert summary.days_failed == 1 and summary.days_unchanged == 4
    assert parquet_hashes(warehouse, "contributions") == before  # the day was not half-replaced
    rejects = read_table(warehouse, REJECTS)
    (detail,) = rejects.filter(rejects["reason"] == "fetch_failed")["detail"]
    assert "2024-07-30" in detail and "HTTP 503" in detail and server.url in detail


def test_a_run_whose_every_fetch_failed_exits_non_zero(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    """A scheduler sees the failure: exit 1, the reason named; a partial failure exits 0."""
    from typer.testing import CliRunner

    from flows.cli import app

    args = ["ingest", "api", "--from", str(JULY[0]), "--to", str(JULY[1]), "--house", "Commons"]
    args += ["-w", str(warehouse.root), "--base-url", server.url, "--rps", "1000"]
    server.set(faults=[{"match": "", "kind": "status", "status": 400, "times": None}])
    failed = CliRunner().invoke(app, args)
    assert failed.exit_code == 1, failed.output
    assert "every fetch failed" in failed.output
    one_day = {"match": "date=2024-07-30", "kind": "status", "status": 400, "times": None}
    server.set(faults=[one_day])
    partial = CliRunner().invoke(app, args)
    assert partial.exit_code == 0, partial.output
    assert "failed:" in partial.output and "2024-07-30" in partial.output


def test_an_id_with_a_nul_fails_its_day_alone(
    routes: Routes, warehouse: Warehouse, tmp_path: Path
) -> None:
    """An upstream debate id that cannot be put in a URL (a NUL byte) fails that day, named,
    as a reject; the run goes on and publishes the other days."""
    bad = json.loads((FIXTURES / "search_written_2031-02-04_skip0.json").read_text())
    bad["Results"][0]["DebateSectionExtId"] = "6F57CBC3\u0000-0220"
    table = Routes().update(routes)
    query = {
        "queryParameters.house": "Commons",
        "queryParameters.date": "2031-02-04",
        "queryParameters.take": "100",
        "queryParameters.skip": "0",
        "queryParameters.orderBy": "SittingDateAsc",
    }
    table.add("/search/contributions/Written.json", query, bad)
    with ReplayServer(table) as srv:
        summary = ingest_api(
            JULY[0],
            FIXTURE_DAY,
            houses=["Commons"],
            warehouse=str(warehouse.root),
            base_url=srv.url,
            max_rps=1000.0,
        )
        assert not [r for r in srv.requests if "\x00" in r.path or "%00" in r.path]
    assert summary.days_failed == 1 and summary.days_changed > 0  # the other days published
    rejects = read_table(warehouse, REJECTS).filter(pl.col("reason") == "fetch_failed")
    (detail,) = rejects.filter(pl.col("detail").str.contains("not a valid URL"))["detail"]
    assert "6F57CBC3" in detail


def test_fixture_day_pages_written_statements_and_debate_tree(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    summary = run(server, warehouse, FIXTURE_DAY, FIXTURE_DAY)
    pages = [r for r in server.requests if "spoken.json" in r.path.lower()]
    assert sorted(r.params.get("skip") for r in pages) == ["0", "100"]
    df = read_table(warehouse, CONTRIBUTIONS)
    assert summary.contributions == df.height == 131
    assert df.filter(df["contribution_type"] == "written").height == 1
    debates = read_table(warehouse, DEBATES)
    children = debates.filter(debates["parent_debate_id"].is_not_null())
    assert children.height >= 2
    assert set(children["parent_debate_id"]) <= set(debates["debate_id"])


def test_since_last_rechecks_the_correction_window(
    server: ReplayServer, warehouse: Warehouse
) -> None:
    run(server, warehouse, *JULY)
    with pytest.raises(ValueError, match="no earlier hansard_api run"):
        ingest_api(since_last=True, warehouse=str(warehouse.root / "other"), base_url=server.url)
    server.reset()
    summary = ingest_api(
        since_last=True,
        houses=["Commons"],
        warehouse=str(warehouse.root),
        base_url=server.url,
        correction_days=10,
        max_rps=1000.0,
    )
    assert summary.start == date(2024, 7, 20)  # last fetched day 2024-07-30 minus 10 days
    fetched_days = {r.params.get("date") for r in server.requests}
    assert {"2024-07-22", "2024-07-25", "2024-07-30"} <= fetched_days
    assert "2024-07-18" not in fetched_days


def test_route_keys_match_the_client_requests(routes: Routes) -> None:
    """The replay server's recorded queries are the ones the client sends (both spellings)."""
    from flows.core.inputs import request_key

    key = route_key(
        "GET", "/overview/calendar.json", {"year": "2024", "month": "7", "house": "Commons"}
    )
    assert key in routes
    assert request_key("/x.json", {"b": "2", "a": "1"}) == "GET /x.json?a=1&b=2"
    assert Path(FIXTURES / "routes.json").exists()
