"""The bundled demo sample parses exactly as sample/EXPECTED.md (written by hand) says."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime

import pytest

from tests.conftest import SAMPLE
from transforms.pp_text.parse import PageInput, PageResult, parse_page

FIELDS = (
    "ordinal",
    "speaker_key",
    "speaker_name",
    "speaker_office",
    "constituency",
    "party",
    "sitting_date",
    "location",
    "paras",
)


def expected_rows() -> dict[str, list[dict]]:
    """The tables of EXPECTED.md, per file: one dict per contribution row."""
    rows: dict[str, list[dict]] = {}
    current = ""
    for line in (SAMPLE / "EXPECTED.md").read_text().splitlines():
        heading = re.match(r"## \d+\. `(.+\.txt)`", line)
        if heading:
            current = heading[1]
            rows[current] = []
        elif current and re.match(r"\| \d+ \|", line):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[current].append(dict(zip((*FIELDS, "marker"), cells, strict=True)))
    return rows


EXPECTED = expected_rows()


def parse(name: str) -> PageResult:
    data = (SAMPLE / name).read_bytes()
    return parse_page(
        PageInput(data, name, hashlib.sha256(data).hexdigest(), datetime(2026, 1, 1, tzinfo=UTC))
    )


def _cell(value: str) -> str | None:
    value = value.rstrip("*")
    return None if value in ("", "None") or value.startswith("*(") else value


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_page_matches_expected(name: str) -> None:
    result = parse(name)
    assert result.rejects == []
    got = result.contributions
    want = EXPECTED[name]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        where = f"{name} ordinal {w['ordinal']}"
        assert g["ordinal"] == int(w["ordinal"]), where
        assert g["speaker_key"] == _cell(w["speaker_key"]), where
        assert g["speaker_name"] == _cell(w["speaker_name"]), where
        assert g["speaker_office"] == _cell(w["speaker_office"]), where
        assert g["constituency"] == _cell(w["constituency"]), where
        assert g["party"] == _cell(w["party"]), where
        assert g["sitting_date"] == date.fromisoformat(w["sitting_date"]), where
        assert g["location"] == w["location"], where
        paragraphs = g["text"].split("\n\n") if g["text"] else []
        assert len(paragraphs) == int(w["paras"]), where
        carried = w["constituency"].endswith("*") or w["party"].endswith("*")
        assert g["details_carried"] == carried, where
        assert g["contribution_type"] == (
            "collective" if w["marker"] == "N" else g["contribution_type"]
        )
        assert not g["is_truncated"], where


def test_sample_totals_and_special_cases() -> None:
    results = {name: parse(name) for name in EXPECTED}
    assert sum(len(r.debates) for r in results.values()) == 6
    assert sum(len(r.contributions) for r in results.values()) == 36
    rows = [c for r in results.values() for c in r.contributions]
    virtual = [c["speaker_key"] for c in rows if c["is_virtual"]]
    assert virtual == ["Fenella Quayle"]
    gaps = [(c["speaker_key"], c["ordinal"]) for c in rows if c["after_gap"]]
    assert gaps == [(None, 4)]
    questions = [c["text"][:8] for c in rows if c["contribution_type"] == "question"]
    assert sorted(questions) == ["4. What ", "To ask H"]
    two = results["dept-debates-two-blocks.txt"]
    assert [d["title"] for d in two.debates] == [
        "Teacher Recruitment: Coastal Schools",
        "Rural School Transport",
    ]
    assert {d["department"] for d in two.debates} == {"Department for Education"}
    assert {d["location"] for d in two.debates} == {"Commons Chamber", "Westminster Hall"}
    listing = ("Thu 6th Feb 2025", "2nd reading & ", "(Adjournment Debate)")
    raw = (SAMPLE / "dept-debates-two-blocks.txt").read_text()
    assert all(marker in raw for marker in listing)  # the listing is there, and not speech:
    assert not any(marker in c["text"] for c in two.contributions for marker in listing)
