"""Members refresh cost: requests and wall time of a first (full), a no-change and a
one-member-changed refresh for N synthetic members per House, against the loopback replay
server with latency (figures in docs/members.md). Each refresh is the engine's run of
`hansard members refresh` in-process (flows.app.run("members", "refresh", ...), local mode);
a warm-up refresh into another warehouse first keeps imports and first-call costs out of the
figures.

    cd /work/main && uv run python bench/bench_members.py [N]     # default 700
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import header  # noqa: E402

from flows import app  # noqa: E402
from flows.run import RunSummary  # noqa: E402
from flows.sources.members.fetch import (  # noqa: E402
    HISTORY_PATH,
    SEARCH_PATH,
    batches,
    history_query,
    search_query,
)
from tests.members.test_members_incremental import INDEPENDENT  # noqa: E402
from tests.support.members_support import WINDOW  # noqa: E402
from tests.support.replay_server import ReplayServer, Routes  # noqa: E402


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


def refresh(wh: Path, url: str, **params: Any) -> RunSummary:  # noqa: ANN401
    """One members refresh over the fixtures' window, as `hansard members refresh` runs it."""
    start, end = (d.isoformat() for d in WINDOW)
    return app.run(
        "members",
        "refresh",
        wh,
        opts=app.options(None),
        start=start,
        end=end,
        base_url=url,
        **params,
    )


def measure(per_house: int, latency_ms: float = 50) -> list[tuple[str, int, int, float]]:
    """(refresh, requests, History requests, wall seconds) of first / no-change / one-changed."""
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        with ReplayServer(synthetic_routes(1)) as srv:  # imports and first calls, not timed
            refresh(Path(tmp) / "warm-up", srv.url)
        wh = Path(tmp) / "w"
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
    header(f"cd {ROOT} && uv run python bench/bench_members.py {n}")
    for label, requests, history, took in measure(n):
        print(f"{label:20} {requests:5} requests ({history} History)  {took:6.2f} s")
