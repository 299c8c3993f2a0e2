"""Shared helpers for the members and resolution tests: our Members API fixtures as replay
routes (tests/support/fixtures/members_api/), and small warehouse shortcuts."""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from flows.core.warehouse import Warehouse
from flows.sources.members.fetch import HISTORY_PATH, batches, history_query
from tests.conftest import ROOT
from tests.support.replay_server import Routes, fixture_routes

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "members_api"
MAKE = runpy.run_path(str(FIXTURES / "make_fixtures.py"))
WINDOW: tuple[date, date] = MAKE["WINDOW"]
HISTORY_BATCH: int = MAKE["HISTORY_BATCH"]


def history_items() -> dict[int, dict[str, Any]]:
    """Every fixture member's MemberHistoryItem, by id."""
    items = json.loads((FIXTURES / "history_all.json").read_text())
    return {item["value"]["id"]: item for item in items}


def search_ids() -> set[int]:
    ids: set[int] = set()
    for path in FIXTURES.glob("search_*.json"):
        ids |= {item["value"]["id"] for item in json.loads(path.read_text())["items"]}
    return ids


def members_routes(
    extra_ids: Iterable[int] = (), size: int = HISTORY_BATCH, *, unknown_sinks_batch: bool = False
) -> Routes:
    """The fixture routes, plus History batches for the ids a refresh will ask about when
    `extra_ids` (member ids the inputs gave) join the Search results. An id the fixtures do
    not know is left out of its batch's answer; with `unknown_sinks_batch`, its batch answers
    404 instead and every id of it answers alone (the unknown one 404)."""
    routes = fixture_routes(FIXTURES)
    extra = set(extra_ids)
    if extra - search_ids():
        known = history_items()
        for batch in batches(search_ids() | extra, size):
            if unknown_sinks_batch and set(batch) - known.keys():
                for i in set(batch) & known.keys():
                    routes.add(HISTORY_PATH, history_query([i]), [known[i]])
                continue
            body = [known[i] for i in batch if i in known]
            routes.add(HISTORY_PATH, history_query(batch), body)
    return routes


def sql(wh: Warehouse, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(wh.duckdb_path), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def refresh(wh: Warehouse, url: str, **kwargs: Any):  # noqa: ANN201
    from tests.support.runs import refresh_members

    return refresh_members(
        warehouse=str(wh.root), base_url=url, start=WINDOW[0], end=WINDOW[1], **kwargs
    )


def corpus_members_folder() -> Path:
    from tests.conftest import corpus_path

    return corpus_path("members")
