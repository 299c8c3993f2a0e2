"""Incremental members refresh over the real loopback replay server: a repeat refresh asks
History only for members whose Search item changed (or who are new), the tables it publishes
equal a full refresh's, and a member changed back and forth still ends on the newest state.

`python -m tests.test_members_incremental [N]` measures requests and wall time of a first, a
no-change and a one-member-changed refresh for N synthetic members per House (docs/members.md).
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows import members_fetch
from flows.members_fetch import HISTORY_PATH, SEARCH_PATH, batches, history_query, search_query
from flows.members_flow import MEMBERS_TABLES
from flows.publish import read_table
from flows.replay_server import ReplayServer, Routes, fixture_routes
from flows.warehouse import Warehouse
from tests.members_support import FIXTURES, WINDOW, history_items, refresh, search_ids
from transforms.members import plan_histories

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


@pytest.mark.usefixtures("prefect_harness")
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


@pytest.mark.usefixtures("prefect_harness")
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


@pytest.mark.usefixtures("prefect_harness")
def test_a_full_refresh_is_due_after_full_after_days(warehouse: Warehouse) -> None:
    from flows.members_flow import full_refresh_due

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


# -- measurement (python -m tests.test_members_incremental N) ---------------------------------


def _member(member_id: int, house: int, party: dict[str, Any]) -> dict[str, Any]:
    latest = {
        "membershipFrom": f"Seat {member_id}" if house == 1 else "Life peer",
        "membershipFromId": member_id,
        "house": house,
        "membershipStartDate": "2015-05-07T00:00:00",
        "membershipEndDate": None,
        "membershipEndReason": None,
        "membershipEndReasonNotes": None,
        "membershipEndReasonId": None,
        "membershipStatus": {"statusIsActive": True, "statusDescription": "Current Member"},
    }
    return {
        "id": member_id,
        "nameListAs": f"Member {member_id}",
        "nameDisplayAs": f"Member {member_id}",
        "nameFullTitle": f"Member {member_id}",
        "nameAddressAs": None,
        "latestParty": party,
        "gender": "F",
        "latestHouseMembership": latest,
        "thumbnailUrl": "",
    }


def _history(member: dict[str, Any]) -> dict[str, Any]:
    names = ("nameListAs", "nameDisplayAs", "nameFullTitle", "nameAddressAs")
    return {
        "value": {
            "id": member["id"],
            "thumbnailUrl": "",
            "partyHistory": [
                {
                    "startDate": "2015-05-07T00:00:00",
                    "endDate": None,
                    "party": member["latestParty"],
                }
            ],
            "houseMembershipHistory": [member["latestHouseMembership"]],
            "nameHistory": [
                {"startDate": "2015-05-07T00:00:00", "endDate": None}
                | {k: member[k] for k in names}
            ],
        },
        "links": [],
    }


def synthetic_routes(per_house: int, changed: int | None = None) -> Routes:
    """Search pages of `per_house` members per House and their History batches (20 ids); with
    `changed`, that member has left their party, and History for them alone is recorded too."""
    routes = Routes()
    members = {}
    for house in (1, 2):
        party = {**INDEPENDENT, "id": house, "name": f"Party {house}", "abbreviation": f"P{house}"}
        members[house] = [_member(house * 100000 + n, house, party) for n in range(per_house)]
    everyone = {m["id"]: m for ms in members.values() for m in ms}
    if changed is not None:
        everyone[changed]["latestParty"] = INDEPENDENT
        routes.add(HISTORY_PATH, history_query([changed]), [_history(everyone[changed])])
    for house, listed in members.items():
        name = "Commons" if house == 1 else "Lords"
        for skip in range(0, per_house, 20):
            page = {
                "items": [{"value": m, "links": []} for m in listed[skip : skip + 20]],
                "totalResults": per_house,
                "resultContext": None,
                "skip": skip,
                "take": 20,
                "links": [],
                "resultType": None,
            }
            routes.add(SEARCH_PATH, search_query(name, *WINDOW, skip, 20), page)
    for batch in batches(everyone, 20):
        routes.add(HISTORY_PATH, history_query(batch), [_history(everyone[i]) for i in batch])
    return routes


def measure(per_house: int, latency_ms: float = 50) -> list[tuple[str, int, int, float]]:
    """(refresh, requests, History requests, wall seconds) of first / no-change / one-changed."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    figures = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        with ReplayServer(synthetic_routes(1)) as srv:  # start Prefect's server before timing
            refresh(Warehouse.at(Path(tmp) / "warm-up"), srv.url)
        wh = Warehouse.at(Path(tmp) / "w")
        steps = [
            ("first (full)", synthetic_routes(per_house)),
            ("no change", synthetic_routes(per_house)),
            ("one member changed", synthetic_routes(per_house, changed=100000)),
        ]
        for label, routes in steps:
            with ReplayServer(routes, latency_ms=latency_ms) as srv:
                began = time.perf_counter()
                summary = refresh(wh, srv.url, max_rps=50)
                took = time.perf_counter() - began
                figures.append((label, summary.requests, srv.hits(HISTORY_PATH), took))
    return figures


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 700
    for label, requests, history, took in measure(n):
        print(f"{label:20} {requests:5} requests ({history} History)  {took:6.2f} s")
