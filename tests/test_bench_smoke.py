"""The benchmark generators and the parse benchmark still run (a smoke run, so they cannot rot);
their output must parse completely. Figures come from bench/, never from here."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import ROOT
from transforms.pp_text import PageInput, parse_page
from transforms.twfy_rows import TwfyInput
from transforms.twfy_xml import parse_file

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
        [sys.executable, "bench/bench_text.py", "--mb", "0.5", "--skip-e2e", "--skip-steps"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert "(a) parse:" in out.stdout and "MB/s" in out.stdout
