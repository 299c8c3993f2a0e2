"""The benchmark generators and the parse benchmark still run (a smoke run, so they cannot rot);
their output must parse completely. Figures come from bench/, never from here."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from tests.conftest import ROOT
from transforms.pp_text.parse import PageInput, parse_page
from transforms.twfy_xml.parse import parse_file
from transforms.twfy_xml.rows import TwfyInput

NOW = datetime(2031, 2, 4, tzinfo=UTC)


def generate(script: str, out: Path, mb: str = "0.3") -> list[Path]:
    cmd = [sys.executable, str(ROOT / "bench" / script), str(out), "--mb", mb, "--seed", "7"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, timeout=120)
    return sorted(p for p in out.rglob("*") if p.is_file())


def test_generated_transcript_text_parses_and_is_deterministic(tmp_path: Path) -> None:
    files = [f for f in generate("generate_text.py", tmp_path / "a") if f.suffix == ".txt"]
    again = [f for f in generate("generate_text.py", tmp_path / "b") if f.suffix == ".txt"]
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in again]
    contributions = 0
    for f in files:
        data = f.read_bytes()
        result = parse_page(PageInput(data, f.name, hashlib.sha256(data).hexdigest(), NOW))
        assert {r["reason"] for r in result.rejects} <= {"truncated"}  # deliberate cuts only
        contributions += len(result.contributions)
    assert contributions > 100


def test_generated_parlparse_xml_parses_without_rejects(tmp_path: Path) -> None:
    files = [f for f in generate("generate_twfy.py", tmp_path) if f.suffix == ".xml"]
    assert files
    for f in files:
        result = parse_file(TwfyInput(f.read_bytes(), str(f), "0" * 64, NOW))
        assert result.rejects == [] and result.contributions


def test_parse_benchmark_smoke_run() -> None:
    out = subprocess.run(
        [sys.executable, "bench/bench_text.py", "--mb", "0.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "(a) parse:" in out.stdout and "MB/s" in out.stdout


def generate_api(out: Path, *size: str) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "generate_api.py"), str(out), *size, "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, timeout=120)
    return json.loads((out / "GENERATED.json").read_text())


def test_generated_api_recordings_are_deterministic_and_exact(tmp_path: Path) -> None:
    a = generate_api(tmp_path / "a", "--contributions", "1500", "--seed", "3")
    b = generate_api(tmp_path / "b", "--contributions", "1500", "--seed", "3")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json*"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.json*"))
    for rel in files:
        if rel.name != "GENERATED.json":
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert a["contributions"] == b["contributions"] == 1500
    other = generate_api(tmp_path / "c", "--contributions", "1500", "--seed", "4")
    assert (tmp_path / "c" / "routes.jsonl").read_bytes() != (
        tmp_path / "a" / "routes.jsonl"
    ).read_bytes()
    assert other["contributions"] == 1500


def test_generated_api_recordings_are_served_and_ingested_whole(
    tmp_path: Path, warehouse: object
) -> None:
    from flows.core.publish import read_table
    from tests.support.replay_server import ReplayServer, fixture_routes
    from tests.support.runs import ingest_api
    from transforms.schema import CONTRIBUTIONS, DEBATES

    meta = generate_api(tmp_path / "api", "--days", "2", "--seed", "5")
    routes = fixture_routes(tmp_path / "api")
    assert len(routes) == meta["routes"]
    with ReplayServer(routes) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        summary = ingest_api(
            date.fromisoformat(meta["first_day"]),
            date.fromisoformat(meta["last_day"]),
            warehouse=str(warehouse.root),  # type: ignore[attr-defined]
            base_url=srv.url,
            max_rps=1000.0,
            max_concurrency=4,
        )
    assert summary.failures == [] and summary.rejects == 0
    assert summary.days_changed == meta["house_days"]
    assert summary.contributions == meta["contributions"]
    contributions = read_table(warehouse, CONTRIBUTIONS)
    assert contributions.height == meta["contributions"]
    assert contributions["contribution_id"].n_unique() == meta["contributions"]
    assert set(contributions["house"]) == {"Commons", "Lords"}
    assert (contributions["contribution_type"] == "written").sum() == meta["written"]
    assert not contributions.filter(contributions["text"].str.contains("<|&amp;|\r")).height
    debates = read_table(warehouse, DEBATES)
    assert set(contributions["debate_id"]) <= set(debates["debate_id"])


def test_parse_throughput_benchmark_smoke_run(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "bench/bench_parse.py",
            "--mb",
            "0.3",
            "--work",
            str(tmp_path),
            "--json",
            str(tmp_path / "parse.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "MB/s" in out.stdout
    figures = json.loads((tmp_path / "parse.json").read_text())
    assert {r["format"] for r in figures["formats"]} == {"text", "twfy_xml", "api_json"}
    assert all(r["contributions"] > 0 and r["unexpected_rejects"] == 0 for r in figures["formats"])


def test_generated_parlparse_days_are_exact_in_contributions_and_parse_whole(
    tmp_path: Path,
) -> None:
    cmd = [sys.executable, str(ROOT / "bench" / "generate_twfy.py"), str(tmp_path)]
    cmd += ["--contributions", "1300", "--seed", "5", "--quiet"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, timeout=120)
    meta = json.loads((tmp_path / "GENERATED.json").read_text())
    assert meta["contributions"] == 1300
    houses: dict[str, int] = {}
    speeches = divisions = 0
    for f in sorted(tmp_path.glob("*.xml")):
        result = parse_file(TwfyInput(f.read_bytes(), str(f), "0" * 64, NOW))
        assert result.parsed and result.rejects == [], f.name
        assert result.file is not None
        house = result.file.type.house
        houses[house] = houses.get(house, 0) + len(result.contributions)
        speeches += len(result.contributions)
        divisions += len(result.divisions)
    assert speeches == 1300
    assert houses.get("Commons", 0) > 0 and houses.get("Lords", 0) > 0
    assert divisions == meta["divisions"]
