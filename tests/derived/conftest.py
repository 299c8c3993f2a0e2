"""The corpus warehouse: every real corpus input the pipeline reads, through every source,
built once for the tests that look at all of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from flows.core.warehouse import Warehouse
from tests.conftest import CORPUS, ROOT, corpus_path
from tests.support.members_support import members_routes, refresh
from tests.support.replay_server import ReplayServer, corpus_routes, fixture_routes
from tests.support.runs import ingest_api, ingest_text, ingest_twfy, ingest_votes

# our own Votes API recordings of the five divisions of the corpus's 2023 TheyWorkForYou day
VOTES_2023 = ROOT / "tests" / "support" / "fixtures" / "votes_api" / "twfy_2023"


def build_corpus_warehouse(wh: Warehouse) -> Any:  # noqa: ANN401
    """The seed and the transcript skeletons, the TheyWorkForYou XML with its members files,
    the Hansard API recordings (Commons, July 2024 to July 2026) from the replay server, our
    Votes API fixtures for the 2023 TheyWorkForYou day, then a members refresh from our
    fixtures; returns the refresh's summary."""
    ingest_text([str(corpus_path("seed")), str(corpus_path("pp-text"))], warehouse=wh)
    members = corpus_path("members")
    twfy_files = [members / "people.xml", members / "all-members-2010.xml"]
    ingest_twfy([str(corpus_path("twfy")), *map(str, twfy_files)], warehouse=wh)
    routes = corpus_routes(CORPUS).update(members_routes()).update(fixture_routes(VOTES_2023))
    with ReplayServer(routes) as srv:
        ingest_api(
            start=date(2024, 7, 1),
            end=date(2026, 7, 31),
            houses=["Commons"],
            warehouse=wh,
            base_url=srv.url,
        )
        day = date(2023, 3, 28)
        ingest_votes(day, day, warehouse=wh, commons_base_url=srv.url, lords_base_url=srv.url)
        return refresh(wh, srv.url, twfy_members=str(members))


@pytest.fixture(scope="session")
def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, Any]]:
    wh = Warehouse.at(tmp_path_factory.mktemp("corpus") / "warehouse")
    yield wh, build_corpus_warehouse(wh)
