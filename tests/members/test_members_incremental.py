"""Incremental members refresh over the real loopback replay server: a repeat refresh asks
History only for members whose Search item changed (or who are new), the tables it publishes
equal a full refresh's, and a member changed back and forth still ends on the newest state.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from flows.core.publish import read_table
from flows.core.warehouse import Warehouse
from flows.sources.members import fetch as members_fetch
from flows.sources.members.fetch import HISTORY_PATH, SEARCH_PATH, history_query
from flows.sources.members.work import TABLES as MEMBERS_TABLE_NAMES
from tests.support.members_support import FIXTURES, history_items, refresh, search_ids
from tests.support.replay_server import ReplayServer, Routes, fixture_routes
from transforms.members.api import plan_histories
from transforms.schema import TABLES as ALL_TABLES

MEMBERS_TABLES = [ALL_TABLES[n] for n in MEMBERS_TABLE_NAMES]

CHANGED = 900203  # Morwenna Tate: a new party from 2026-03-02
PROVENANCE = ("raw_sha256", "fetched_at")  # which response a row came from, and when
INDEPENDENT = {
    "id": 8,
    "name": "Independent",
    "abbreviation": "Ind",
    "backgroundColour": "cccccc",
    "foregroundColour": "000000",
    "isLordsMainParty": False,
    "isLordsSpiritualParty": False,
    "governmentType": None,
    "isIndependentParty": True,
}


def _changed_history(item: dict[str, Any]) -> dict[str, Any]:
    item = copy.deepcopy(item)
    parties = item["value"]["partyHistory"]
    parties[-1]["endDate"] = "2026-03-01T00:00:00"
    parties.append({"startDate": "2026-03-02T00:00:00", "endDate": None, "party": INDEPENDENT})
    return item


def fixture_routes_with_change(member_id: int = CHANGED) -> Routes:
    """The fixture routes with one member's party changed: in its Search item, its batch of a
    full refresh, and a History request for it alone (what an incremental refresh asks)."""
    routes = fixture_routes(FIXTURES)
    changed = _changed_history(history_items()[member_id])
    manifest = json.loads((FIXTURES / "routes.json").read_text())
    for entry in manifest["routes"]:
        body = json.loads((FIXTURES / entry["body_file"]).read_text())
        if entry["path"] == SEARCH_PATH:
            for item in body["items"]:
                if item["value"]["id"] == member_id:
                    item["value"]["latestParty"] = INDEPENDENT
        else:
            body = [changed if i["value"]["id"] == member_id else i for i in body]
        routes.add(entry["path"], entry.get("query"), body)
    routes.add(HISTORY_PATH, history_query([member_id]), [changed])
    return routes


def content(wh: Warehouse) -> dict[str, pl.DataFrame]:
    """The published members tables without their provenance columns."""
    return {t.name: read_table(wh, t).drop(PROVENANCE, strict=False) for t in MEMBERS_TABLES}


def assert_same_content(a: Warehouse, b: Warehouse) -> None:
    left, right = content(a), content(b)
    for name, frame in left.items():
        assert_frame_equal(frame, right[name], check_dtypes=True)


def _history_requests(srv: ReplayServer) -> int:
    return srv.hits(HISTORY_PATH)


def test_plan_histories() -> None:
    current = {1: "a", 2: "b", 3: "c"}
    stored = {1: "a", 2: "B"}
    plan = plan_histories(current, stored, {1, 2, 4, 5}, extra={4, 6}, asked={5})
    assert (plan.new, plan.changed, plan.unchanged, plan.fetch) == (
        (3, 6),
        (2,),
        (1, 4, 5),
        (2, 3, 5, 6),
    )
    full = plan_histories(current, stored, {1, 2, 4, 5}, extra={4, 6}, asked={5}, full=True)
    assert full.fetch == (1, 2, 3, 4, 5, 6) and full.changed == (2,)


def test_incremental_refresh_asks_only_for_what_changed_and_equals_a_full_one(
    tmp_path: Path,
) -> None:
    inc, full = Warehouse.at(tmp_path / "inc"), Warehouse.at(tmp_path / "full")
    with ReplayServer(fixture_routes(FIXTURES)) as srv:
        first = refresh(inc, srv.url)
        refresh(full, srv.url)
        srv.reset()
        same = refresh(inc, srv.url)
        assert (srv.hits(SEARCH_PATH), _history_requests(srv)) == (4, 0)
    assert (first.mode, first.requests, first.members_new, first.history_ids) == ("full", 7, 53, 53)
    assert (same.mode, same.requests, same.responses_new, same.partitions_written) == (
        "incremental",
        4,
        0,
        0,
    )
    assert (same.members_new, same.members_changed, same.members_unchanged) == (0, 0, 53)

    with ReplayServer(fixture_routes_with_change()) as srv:
        changed = refresh(inc, srv.url)
        assert [r.query for r in srv.requests if r.path == HISTORY_PATH] == [f"ids={CHANGED}"]
        forced = refresh(full, srv.url, full=True)
        assert _history_requests(srv) == 1 + 3
    assert (changed.mode, changed.requests, changed.members_changed, changed.history_ids) == (
        "incremental",
        5,
        1,
        1,
    )
    assert (forced.mode, forced.members_changed, forced.history_ids) == ("full", 1, 53)
    assert_same_content(inc, full)
    parties = read_table(inc, MEMBERS_TABLES[1]).filter(pl.col("member_id") == CHANGED)
    assert parties["party_abbreviation"].to_list() == ["Con", "RUK", "Ind"]
    fresh = Warehouse.at(tmp_path / "fresh")  # one full refresh of the changed state
    with ReplayServer(fixture_routes_with_change()) as srv:
        refresh(fresh, srv.url)
    assert_same_content(fresh, inc)


def test_a_member_changed_back_and_forth_ends_on_the_newest_state(warehouse: Warehouse) -> None:
    """The History request for one member returns bytes a refresh stored before: the response
    the newest refresh saw wins, not the newest manifest entry."""
    states = [fixture_routes(FIXTURES), fixture_routes_with_change()]
    back = fixture_routes(FIXTURES)
    back.add(HISTORY_PATH, history_query([CHANGED]), [history_items()[CHANGED]])
    for routes in (states[0], states[1], back, states[1]):
        with ReplayServer(routes) as srv:
            refresh(warehouse, srv.url)
    parties = read_table(warehouse, MEMBERS_TABLES[1]).filter(pl.col("member_id") == CHANGED)
    assert parties["party_abbreviation"].to_list() == ["Con", "RUK", "Ind"]
    assert members_fetch.last_full_refresh(warehouse) is not None


def test_a_full_refresh_is_due_after_full_after_days(warehouse: Warehouse) -> None:
    from flows.sources.members.work import full_refresh_due

    assert full_refresh_due(warehouse, False, 28)  # never refreshed
    with ReplayServer(fixture_routes(FIXTURES)) as srv:
        refresh(warehouse, srv.url)
        assert not full_refresh_due(warehouse, False, 28)
        assert full_refresh_due(warehouse, True, 28) and not full_refresh_due(
            warehouse, False, None
        )
        later = refresh(warehouse, srv.url, full_after_days=0)
    assert later.mode == "full" and later.history_ids == len(search_ids())
    last = members_fetch.last_full_refresh(warehouse)
    assert last is not None and datetime.now(UTC) - last < timedelta(minutes=5)
