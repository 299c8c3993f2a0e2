"""bench/bench_dlt.py still runs (a smoke run, so it cannot rot): its input reader, the folder it
makes from the real extracts, and its "ours" half on our own tiny fixture day. The dlt half needs
the `bench` extra, which CI does not install: it is skipped then, saying so. Figures come from
bench/, never from here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT, corpus_path

FIXTURES = ROOT / "tests" / "support" / "fixtures" / "hansard_api"


def bench_dlt() -> ModuleType:
    if "bench_dlt" in sys.modules:
        return sys.modules["bench_dlt"]
    spec = importlib.util.spec_from_file_location("bench_dlt", ROOT / "bench" / "bench_dlt.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_dlt", module)  # dataclasses look their module up there
    spec.loader.exec_module(sys.modules["bench_dlt"])
    return module


def test_input_reader_keeps_search_pages_and_debate_bodies() -> None:
    bd = bench_dlt()
    files = bd.api_files(FIXTURES)
    kinds = [f.kind for f in files]
    assert kinds.count("search") == 3 and kinds.count("debate") == 6  # calendars left out
    described = bd.describe_input(files)
    assert described["search_items"] == 131  # 130 spoken + 1 written (fixtures README)
    spoken = next(f for f in files if f.kind == "search")
    assert spoken.url.startswith(bd.BASE_URL + "/search/contributions/")
    assert "queryParameters.skip=" in spoken.url


def test_ours_half_publishes_every_item(tmp_path: Path) -> None:
    bd = bench_dlt()
    out = bd.run_ours(bd.api_files(FIXTURES), tmp_path, views=True)
    assert out["rows"]["contributions"] == 131
    assert out["rows"]["debates"] >= 6
    assert "views_error" not in out, out.get("views_error")
    assert out["output_bytes"] > 0 and (tmp_path / "ours-warehouse" / "hansard.duckdb").exists()
    assert [p["step"].split(" ")[0] for p in out["phases"]][:3] == ["read", "parse", "after"]


@pytest.mark.corpus
def test_folder_from_the_real_extracts_has_new_ids_per_copy(tmp_path: Path) -> None:
    corpus = corpus_path("hansard-api", "extracts").parent.parent  # skips without it
    bd = bench_dlt()
    meta = bd.corpus_folder(corpus, tmp_path / "in", 400)  # 306 items a copy: two copies
    assert meta["copies"] == 2
    files = bd.api_files(tmp_path / "in")
    items = [i for f in files if f.kind == "search" for i in json.loads(f.read())["Results"]]
    assert len(items) == meta["search_items"] == 612
    assert len({i["ContributionExtId"] for i in items}) == 612
    debates = [json.loads(f.read())["Overview"]["ExtId"] for f in files if f.kind == "debate"]
    assert len(debates) == len(set(debates)) == 404


def test_dlt_half_or_a_clear_skip(tmp_path: Path) -> None:
    bd = bench_dlt()
    missing = bd.dlt_missing()
    if missing:
        pytest.skip(missing)
    out = bd.run_dlt(bd.api_files(FIXTURES), tmp_path, "dlt-parquet")
    assert out["rows"]["contributions"] == 131
    assert out["output_bytes"] > 0
