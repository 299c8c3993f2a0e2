"""The Hansard API replay server over real sockets on 127.0.0.1 (httpx.Client, nothing mocked):
the real recordings regrouped into per-day pages, our fixture day, route matching, every fault
kind, latency, concurrency, the request log, the control endpoint and the CLI."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, corpus_path
from tests.support.replay_fixtures import (
    OVERVIEW_EXTRACT,
    SPOKEN_EXTRACT,
    calendar_query,
    contribution_query,
    corpus_days,
    debate_path,
)
from tests.support.replay_server import ReplayServer, Routes, corpus_routes, fixture_routes

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "hansard_api"
SPOKEN = "/search/contributions/Spoken.json"
WRITTEN = "/search/contributions/Written.json"
ENVELOPE_KEYS = [
    "SearchTerms",
    "SpokenResultCount",
    "WrittenResultCount",
    "CorrectionsResultCount",
    "DivisionsResultCount",
    "Results",
    "TotalResultCount",
]
ITEM_KEYS = {
    "MemberName", "MemberId", "AttributedTo", "ItemId", "ContributionExtId", "ContributionText",
    "ContributionTextFull", "HRSTag", "HansardSection", "Timecode", "DebateSection",
    "DebateSectionId", "DebateSectionExtId", "SittingDate", "Section", "House",
    "OrderInDebateSection", "DebateSectionOrder", "Rank",
}  # fmt: skip
DAY = contribution_query("Commons", "2031-02-04", 0)


def client(srv: ReplayServer, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=timeout, trust_env=False)


@pytest.fixture(scope="module")
def fixture_table() -> Routes:
    return fixture_routes(FIXTURES)


@pytest.fixture
def srv(fixture_table: Routes) -> Iterator[ReplayServer]:
    with ReplayServer(fixture_table) as server:
        yield server


@pytest.fixture(scope="module")
def corpus_dir() -> Path:
    return corpus_path("hansard-api", "extracts").parent.parent


@pytest.fixture(scope="module")
def corpus_srv(corpus_dir: Path) -> Iterator[ReplayServer]:
    with ReplayServer(corpus_routes(corpus_dir)) as server:
        yield server


def read_pages(http: httpx.Client, path: str, house: str, date: str) -> tuple[list[dict], int]:
    """Page like the client: skip += len(Results) until TotalResultCount."""
    results: list[dict] = []
    skip, total = 0, None
    while total is None or skip < total:
        resp = http.get(path, params=contribution_query(house, date, skip))
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert list(body) == ENVELOPE_KEYS
        total = body["TotalResultCount"]
        results += body["Results"]
        skip += len(body["Results"])
        if not body["Results"]:
            break
    return results, total


# -- the real recordings ---------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_day_pages_serve_all_306_items(corpus_dir: Path, corpus_srv: ReplayServer) -> None:
    real = json.loads((corpus_dir / SPOKEN_EXTRACT).read_text(encoding="utf-8"))
    days = corpus_days(corpus_dir)
    assert len(days) == 148 and sum(len(d.items) for d in days) == 306
    served: list[dict] = []
    with client(corpus_srv) as http:
        for day in days:
            results, total = read_pages(http, SPOKEN, day.house, day.date)
            assert total == len(results) == len(day.items)
            order = [(r["DebateSectionOrder"], r["OrderInDebateSection"]) for r in results]
            assert order == sorted(order)
            assert {r["SittingDate"] for r in results} == {f"{day.date}T00:00:00"}
            served += results
            written = http.get(WRITTEN, params=contribution_query(day.house, day.date, 0)).json()
            assert (written["TotalResultCount"], written["Results"]) == (0, [])
            assert written["SpokenResultCount"] == total
    assert sorted(served, key=lambda r: r["ContributionExtId"]) == sorted(
        real, key=lambda r: r["ContributionExtId"]
    )
    assert corpus_srv.hits(SPOKEN) == 148  # every day fits one page of 100


@pytest.mark.corpus
def test_corpus_calendar_lists_the_days(corpus_dir: Path, corpus_srv: ReplayServer) -> None:
    days = {d.date for d in corpus_days(corpus_dir)}
    listed = []
    with client(corpus_srv) as http:
        for year in (2024, 2025, 2026):
            for month in range(1, 13):
                resp = http.get(
                    "/overview/calendar.json", params=calendar_query(year, month, "Commons")
                )
                assert resp.status_code == 200
                for item in resp.json():
                    assert set(item) == {"House", "ItemDate", "Metadata"}
                    assert item["House"] == "Commons" and item["ItemDate"].endswith("T00:00:00")
                    listed.append(item["ItemDate"][:10])
        assert (
            http.get("/overview/calendar.json", params=calendar_query(2024, 1, "Commons")).json()
            == []
        )
        assert (
            http.get(
                "/overview/calendar.json", params=calendar_query(2023, 7, "Commons")
            ).status_code
            == 404
        )
    assert listed == sorted(days)


@pytest.mark.corpus
def test_corpus_debates_round_trip_their_overview(
    corpus_dir: Path, corpus_srv: ReplayServer
) -> None:
    overviews = json.loads((corpus_dir / OVERVIEW_EXTRACT).read_text(encoding="utf-8"))
    days = corpus_days(corpus_dir)
    assert [e for d in days for e in d.missing_overviews] == []  # every searched section recorded
    with client(corpus_srv) as http:
        for overview in overviews:
            resp = http.get(debate_path(overview["ExtId"]).lower())  # case-insensitive path
            assert resp.status_code == 200
            assert resp.json() == {
                "Overview": overview,
                "Navigator": [],
                "Items": [],
                "ChildDebates": [],
            }
            assert resp.headers["content-type"] == "application/json"
            assert "etag" not in resp.headers and "last-modified" not in resp.headers
        neighbour = next(n for d in days for n in d.unrecorded_neighbours)
        missing = http.get(debate_path(neighbour))
        assert missing.status_code == 404 and neighbour in missing.json()["path"]
    assert "26070217000004" in {o["ExtId"] for o in overviews}  # the 14-digit id is served too


# -- our fixture day -------------------------------------------------------------------------


def test_fixture_day_pages_calendar_and_debates(srv: ReplayServer) -> None:
    with client(srv) as http:
        feb = http.get("/overview/calendar.json", params=calendar_query(2031, 2, "Commons")).json()
        assert feb == [{"House": "Commons", "ItemDate": "2031-02-04T00:00:00", "Metadata": None}]
        assert (
            http.get("/overview/calendar.json", params=calendar_query(2031, 3, "Commons")).json()
            == []
        )
        spoken, total = read_pages(http, SPOKEN, "Commons", "2031-02-04")
        assert total == len(spoken) == 130 and srv.hits(SPOKEN) == 2  # skip=0 and skip=100
        assert [r.params["skip"] for r in srv.requests if "Spoken" in r.path] == ["0", "100"]
        assert all(set(r) == ITEM_KEYS for r in spoken)
        assert len({r["ContributionExtId"] for r in spoken}) == 130
        written, _ = read_pages(http, WRITTEN, "Commons", "2031-02-04")
        assert [r["Section"] for r in written] == ["Written Statements"]
        debates = {}
        for ext_id in dict.fromkeys(r["DebateSectionExtId"] for r in spoken + written):
            debate = http.get(debate_path(ext_id)).json()
            assert list(debate) == ["Overview", "Navigator", "Items", "ChildDebates"]
            debates[ext_id] = debate
            items = {i["ExternalId"]: i for i in debate["Items"]}
            for r in spoken + written:
                if r["DebateSectionExtId"] == ext_id:
                    item = items[r["ContributionExtId"]]
                    assert (item["ItemId"], item["OrderInSection"]) == (
                        r["ItemId"],
                        r["OrderInDebateSection"],
                    )
                    assert item["Value"] == r["ContributionTextFull"]
        first = debates[spoken[0]["DebateSectionExtId"]]["Overview"]
        container = http.get(debate_path(first["PreviousDebateExtId"])).json()
        assert container["Overview"]["HRSTag"] == "hs_6bDepartment"
        children = container["ChildDebates"]
        assert [c["Overview"]["Title"] for c in children] == [
            "Rural Bus Services",
            "Level Crossing Safety",
        ]
        repeated = [i["ExternalId"] for c in children for i in c["Items"]]
        assert [i["ExternalId"] for i in container["Items"]] == repeated
        nav = {n["Id"]: n for n in container["Navigator"]}
        parents = {nav[n["ParentId"]]["Title"] for n in nav.values() if n["ParentId"] in nav}
        assert "Transport" in parents and any(n["ParentId"] is None for n in nav.values())
        dangling = http.get(debate_path(container["Overview"]["PreviousDebateExtId"]))
        assert dangling.status_code == 404
        raw = http.get(SPOKEN, params=DAY).content
        assert "Siân Ó Dálaigh".encode() in raw and b"\\u" not in raw  # UTF-8, not \u escapes


def test_fixture_files_are_what_make_fixtures_writes(tmp_path: Path) -> None:
    make = runpy.run_path(str(FIXTURES / "make_fixtures.py"))
    written = make["write_fixtures"](tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in FIXTURES.glob("*.json"))
    for path in written:
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), path.name


# -- matching --------------------------------------------------------------------------------


def test_query_spellings_order_and_case_hit_the_same_route(srv: ReplayServer) -> None:
    plain = {k.removeprefix("queryParameters."): v for k, v in DAY.items()}
    short = {f"queryParams.{k}": v for k, v in plain.items()}
    mixed = {("queryParameters." if k == "skip" else "") + k: v for k, v in reversed(plain.items())}
    with client(srv) as http:
        bodies = [http.get(SPOKEN, params=p).content for p in (DAY, plain, short, mixed)]
        assert len(set(bodies)) == 1 and json.loads(bodies[0])["TotalResultCount"] == 130
        assert http.get("/SEARCH/Contributions/spoken.JSON", params=DAY).content == bodies[0]
        # values compare exactly
        assert http.get(SPOKEN, params={**DAY, "queryParameters.skip": "00"}).status_code == 404
        assert (
            http.get(SPOKEN, params={**DAY, "queryParameters.house": "commons"}).status_code == 404
        )
        assert http.get(SPOKEN, params={**DAY, "queryParameters.memberId": "1"}).status_code == 404
    assert srv.hits(SPOKEN.lower()) == 8 and len(srv.settings()["hits"]) == 4


def test_unknown_route_404_names_path_and_query(srv: ReplayServer) -> None:
    with client(srv) as http:
        resp = http.get(SPOKEN, params={**DAY, "queryParameters.take": "20"})
        assert resp.status_code == 404
        body = resp.json()
        assert body["path"] == SPOKEN and "queryParameters.take=20" in body["query"]
        assert body["params"]["take"] == "20"
        assert body["recorded_queries_for_path"][0].endswith("skip=0&take=100")
        assert http.get("/nowhere.json").json()["recorded_queries_for_path"] == []


# -- faults, latency, concurrency, the log ---------------------------------------------------


def test_status_faults_with_retry_after_then_recover(srv: ReplayServer) -> None:
    http_date = "Wed, 21 Oct 2015 07:28:00 GMT"
    srv.set(
        faults=[
            {"match": "spoken", "kind": "status", "status": 429, "retry_after": 2, "times": 2},
            {"match": "calendar", "kind": "status", "status": 503, "retry_after": http_date},
            {"match": "debates/", "kind": "status", "status": 500},
        ]
    )  # fmt: skip
    with client(srv) as http:
        first, second, third = (http.get(SPOKEN, params=DAY) for _ in range(3))
        assert [r.status_code for r in (first, second, third)] == [429, 429, 200]
        assert first.headers["retry-after"] == "2" and "retry-after" not in third.headers
        cal = http.get("/overview/calendar.json", params=calendar_query(2031, 2, "Commons"))
        assert cal.status_code == 503 and cal.headers["retry-after"].endswith("GMT")
        debate = http.get(debate_path("31020445000012"))
        assert debate.status_code == 500 and "retry-after" not in debate.headers
        assert http.get(debate_path("31020445000012")).status_code == 200
    assert [r.fault for r in srv.requests] == ["status", "status", None, "status", "status", None]
    assert srv.settings()["faults"] == []


def test_timeout_fault_fires_a_client_timeout(srv: ReplayServer) -> None:
    srv.set(faults=[{"match": "spoken", "kind": "timeout", "seconds": 3}])
    with client(srv, timeout=0.5) as http:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            http.get(SPOKEN, params=DAY)
        assert 0.45 < time.monotonic() - started < 2
        assert http.get(SPOKEN, params=DAY).status_code == 200


def test_truncated_body_is_a_protocol_error(srv: ReplayServer) -> None:
    srv.set(faults=[{"match": "spoken", "kind": "truncate"}])
    with client(srv) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message"):
            http.get(SPOKEN, params=DAY)
        assert http.get(SPOKEN, params=DAY).json()["TotalResultCount"] == 130


def test_malformed_body_is_invalid_json_with_200(srv: ReplayServer) -> None:
    srv.set(faults=[{"match": "", "kind": "malformed", "times": 2}])
    with client(srv) as http:
        for resp in (http.get(SPOKEN, params=DAY), http.get("/nowhere.json")):
            assert resp.status_code == 200
            with pytest.raises(json.JSONDecodeError):
                resp.json()


def test_reset_closes_without_a_response(srv: ReplayServer) -> None:
    srv.set(faults=[{"match": "calendar", "kind": "reset"}])
    with client(srv) as http:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            http.get("/overview/calendar.json", params=calendar_query(2031, 2, "Commons"))
        assert http.get(
            "/overview/calendar.json", params=calendar_query(2031, 2, "Commons")
        ).is_success
    assert [r.status for r in srv.requests] == [None, 200]


def test_latency_delays_every_response(fixture_table: Routes) -> None:
    with ReplayServer(fixture_table, latency_ms=150) as srv, client(srv) as http:
        for params in (DAY, {"x": "unknown"}):
            started = time.monotonic()
            http.get(SPOKEN, params=params)
            assert time.monotonic() - started >= 0.15
        srv.set(latency_ms=0)
        started = time.monotonic()
        http.get(SPOKEN, params=DAY)
        assert time.monotonic() - started < 0.15


def test_concurrent_requests_are_all_served(srv: ReplayServer) -> None:
    srv.set(latency_ms=200)
    statuses: list[int] = []

    def fetch(skip: str) -> None:
        with client(srv) as http:
            statuses.append(
                http.get(SPOKEN, params={**DAY, "queryParameters.skip": skip}).status_code
            )

    threads = [threading.Thread(target=fetch, args=("0" if n % 2 else "100",)) for n in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 8
    assert time.monotonic() - started < 1.0  # 8 x 200 ms would take 1.6 s one at a time
    assert srv.hits("skip=0") == 4 and srv.hits("skip=100") == 4


def test_request_log_records_method_path_query_order_and_spacing(srv: ReplayServer) -> None:
    with client(srv) as http:
        for skip in ("0", "100"):
            http.get(SPOKEN, params={**DAY, "queryParameters.skip": skip})
            time.sleep(0.1)
        http.get("/Overview/Calendar.json?house=Commons&year=2031&month=2")
    log = srv.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", SPOKEN, 200),
        ("GET", SPOKEN, 200),
        ("GET", "/Overview/Calendar.json", 200),
    ]
    assert log[1].query.endswith("queryParameters.skip=100&queryParameters.orderBy=SittingDateAsc")
    assert log[2].query == "house=Commons&year=2031&month=2"  # as sent
    assert all(b.time - a.time >= 0.09 for a, b in zip(log, log[1:], strict=False))
    srv.reset()
    assert srv.requests == [] and srv.hits() == 0


def test_control_endpoint_sets_shows_and_resets(fixture_table: Routes) -> None:
    start_faults = [{"match": "written", "kind": "status", "status": 503, "times": None}]
    with ReplayServer(fixture_table, faults=start_faults) as srv, client(srv) as http:
        for _ in range(3):  # times: null lasts until reset
            assert http.get(WRITTEN, params=DAY).status_code == 503
        knobs = {"latency_ms": 5, "faults": [{"match": "spoken", "kind": "status", "status": 429}]}
        assert http.post("/_control", json=knobs).json()["latency_ms"] == 5
        assert http.get(SPOKEN, params=DAY).status_code == 429
        assert http.get(WRITTEN, params=DAY).status_code == 200  # the list was replaced
        shown = http.get("/_control").json()
        assert shown["faults"] == [] and shown["routes"] == len(fixture_table)
        assert shown["requests"] == 5 and sum(shown["hits"].values()) == 5
        assert len(http.get("/_control/requests").json()) == 5
        bad = http.post("/_control", json={"faults": [{"kind": "explode"}]})
        assert bad.status_code == 400 and "kind must be one of" in bad.json()["Message"]
        assert http.post("/_control", json={"latency": 1}).status_code == 400
        reset = http.post("/_control/reset").json()
        assert (reset["latency_ms"], reset["requests"], reset["hits"]) == (0, 0, {})
        assert reset["faults"][0]["times"] is None
        assert http.get(WRITTEN, params=DAY).status_code == 503


def test_cli_serves_fixtures_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.replay_server",
            "--fixtures",
            str(FIXTURES),
            "--port",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[0]
        with httpx.Client(base_url=url, timeout=5, trust_env=False) as http:
            assert http.get(SPOKEN, params=DAY).json()["TotalResultCount"] == 130
            assert http.get("/_control").json()["requests"] == 1
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0
