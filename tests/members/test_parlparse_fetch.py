"""The parlparse members files over HTTP: fetched through the one client from the real loopback
replay server (our own people.json fixture), stored under raw/twfy_members/ (unchanged bytes a
no-op), mapped into twfy_people by the members refresh; a 404, a 5xx or a body that does not
parse is reported without breaking the rest of the refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.core import identity, raw_zone
from flows.core.http import HttpClient, HttpSettings
from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from flows.sources import CATALOG
from flows.sources.members import fetch as members_fetch
from tests.conftest import ROOT
from tests.support.members_support import members_routes, refresh, sql
from tests.support.replay_server import ReplayServer, Routes, fixture_routes
from transforms.schema import TWFY_PEOPLE

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "parlparse"
BASE_PATH = "/mysociety/parlparse/master/members"
FAST = HttpSettings(max_rps=50, backoff_base_s=0.01, backoff_max_s=0.02)


def _routes() -> Routes:
    return fixture_routes(FIXTURES)


def test_fetch_stores_people_json_once(warehouse: Warehouse) -> None:
    with ReplayServer(_routes()) as srv, HttpClient(FAST) as client:
        base = srv.url + BASE_PATH
        first = members_fetch.fetch_parlparse(client, warehouse, base)
        again = members_fetch.fetch_parlparse(client, warehouse, base + "/")
        assert srv.hits("people.json") == 2
        served = _routes().lookup("GET", BASE_PATH + "/people.json")
    assert (first.stored, first.new, first.requests, first.errors) == (["people.json"], 1, 1, [])
    assert (again.stored, again.new, again.errors) == (["people.json"], 0, [])
    [entry] = raw_zone.entries(warehouse, members_fetch.TWFY_SOURCE)
    assert served is not None and raw_zone.read_bytes(warehouse, entry) == served.body
    assert entry.original_path == f"{base}/people.json"
    assert entry.request["status"] == 200 and "json" in entry.request["content_type"]
    assert identity.newest_files(warehouse, CATALOG.identity_raw)["people.json"].raw_sha256 == (
        entry.raw_sha256
    )
    rows = {
        r["twfy_id"]: r
        for r in identity.twfy_rows(
            warehouse, identity.newest_files(warehouse, CATALOG.identity_raw)
        )
    }
    assert rows["uk.org.publicwhip/member/90399"]["member_id"] == 900203
    assert rows["uk.org.publicwhip/member/90399"]["raw_sha256"] == entry.raw_sha256


def test_missing_failing_and_malformed_files_are_clear_errors(warehouse: Warehouse) -> None:
    with ReplayServer(_routes()) as srv, HttpClient(FAST) as client:
        base = srv.url + BASE_PATH
        missing = members_fetch.fetch_parlparse(client, warehouse, base, ["people.xml"])
        srv.set(faults=[{"match": "people.json", "kind": "status", "status": 503, "times": None}])
        failing = members_fetch.fetch_parlparse(client, warehouse, base)
        srv.set(faults=[{"match": "people.json", "kind": "malformed"}])
        malformed = members_fetch.fetch_parlparse(client, warehouse, base)
        with pytest.raises(ValueError, match="parlparse files must be among"):
            members_fetch.fetch_parlparse(client, warehouse, base, ["ministers.json"])
    assert missing.errors == [f"GET {base}/people.xml answered HTTP 404"]
    assert (
        failing.errors == [f"GET {base}/people.json failed after 6 attempt(s): HTTP 503"]
        and not failing.stored
    )
    [error] = malformed.errors
    assert error.startswith(f"{base}/people.json: line 1 column ") and "not JSON" in error
    assert error.endswith("(not stored)")
    assert raw_zone.entries(warehouse, members_fetch.TWFY_SOURCE) == []


def test_refresh_fetches_parlparse_and_survives_its_failure(warehouse: Warehouse) -> None:
    routes = members_routes().update(_routes())
    with ReplayServer(routes) as srv:
        base = srv.url + BASE_PATH
        summary = refresh(warehouse, srv.url, parlparse=True, parlparse_base_url=base)
        assert (summary.parlparse_stored, summary.parlparse_new) == (["people.json"], 1)
        assert read_table(warehouse, TWFY_PEOPLE).height == 12 and summary.rows["members"] == 53
        published = read_table(warehouse, TWFY_PEOPLE)
        srv.set(
            faults=[
                {
                    "match": "people.json",
                    "kind": "status",
                    "status": 500,
                    "retry_after": 0,
                    "times": None,
                }
            ]
        )
        failed = refresh(warehouse, srv.url, parlparse=True, parlparse_base_url=base, full=True)
        assert srv.hits("people.json") == 1 + 6
    assert failed.parlparse_errors == [
        f"GET {base}/people.json failed after 6 attempt(s): HTTP 500",
    ]
    assert "parlparse fetch failed: GET" in failed.describe()
    assert failed.rows["members"] == 53  # the stored copy is still mapped:
    assert read_table(warehouse, TWFY_PEOPLE).equals(published)
    assert sql(
        warehouse,
        "select member_id, redirected from twfy_people where twfy_id = ?",
        ["uk.org.publicwhip/person/90009"],
    ) == [(900203, True)]
    runs = sql(warehouse, "select status, message from ingest_runs order by started_at")
    assert [s for s, _ in runs] == ["completed", "completed"]
    assert "parlparse fetch failed" in runs[1][1]


def test_members_config_keys_are_validated(tmp_path: Path) -> None:
    from flows.config import ConfigError, load_config

    cfg = load_config(env={"HANSARD__MEMBERS__PARLPARSE": "true"})
    assert cfg.members.parlparse and cfg.members.parlparse_files == ("people.json",)
    assert cfg.members.parlparse_base_url == members_fetch.DEFAULT_PARLPARSE_URL
    for text, message in [
        ('[members]\nparlparse_base_url = "ftp://x"\n', "members.parlparse_base_url: not an"),
        ('[members]\nparlparse_files = ["ministers.json"]\n', "members.parlparse_files: must"),
        (
            "[members]\nfull_after_days = -1\n",
            "members.full_after_days: Input should be greater",
        ),
        ('[members]\nparlparse = "maybe"\n', "members.parlparse: Input should be a valid bool"),
    ]:
        path = tmp_path / "h.toml"
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_config(path, env={})


def test_cli_members_refresh_fetches_parlparse(warehouse: Warehouse) -> None:
    from datetime import date

    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support.members_support import WINDOW

    routes = members_routes().update(_routes())
    with ReplayServer(routes) as srv:
        result = CliRunner().invoke(
            app,
            [
                "members",
                "refresh",
                "--warehouse",
                str(warehouse.root),
                "--base-url",
                srv.url,
                "--from",
                date.isoformat(WINDOW[0]),
                "--to",
                date.isoformat(WINDOW[1]),
                "--parlparse",
                "--parlparse-base-url",
                srv.url + BASE_PATH,
            ],
        )
        assert result.exit_code == 0, result.output
        assert srv.hits("people.json") == 1
    assert "full refresh, 7 requests" in result.output
    assert "parlparse people.json (1 new)" in result.output
