"""The seed page (a real Parallel Parliament page, verbatim) parsed exactly.

Expected speech texts are cut out of the seed file here, with plain string operations that
do not use the parser, and compared with the parser's rows character for character.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import corpus_path
from transforms.pp_text.parse import PageInput, PageResult, parse_page
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, frame

pytestmark = pytest.mark.corpus

SEED = ("seed", "casey-report-2025-06-16.txt")
RECEIVED = datetime(2025, 6, 18, 9, 30, tzinfo=UTC)

# The three speaker lines, in page order, and their line numbers (read with `cat -A`).
SPEAKER_LINES = (
    "Yvette Cooper Portrait Yvette Cooper",
    "David Simmonds Portrait David Simmonds (Ruislip, Northwood and Pinner) (Con)",
    "Yvette Cooper Portrait Yvette Cooper",
)
SPEAKER_LINE_NUMBERS = (15, 20, 25)
MARKER_PREFIX = "- View Speech - Hansard -"


def parse(data: bytes, ref: str = "seed.txt", received: datetime = RECEIVED) -> PageResult:
    return parse_page(PageInput(data, ref, hashlib.sha256(data).hexdigest(), received))


@pytest.fixture(scope="module")
def seed_path() -> Path:
    return corpus_path(*SEED)


@pytest.fixture(scope="module")
def seed_bytes(seed_path: Path) -> bytes:
    return seed_path.read_bytes()


@pytest.fixture(scope="module")
def seed_text(seed_bytes: bytes) -> str:
    return seed_bytes.decode("utf-8")


def expected_speeches(text: str) -> list[tuple[int, int, str]]:
    """(speaker line number, offset of the body, body) per speaker, sliced from the raw text.

    A body runs from after "<speaker line>\\n<marker line>\\n\\n" to the "\\n\\n" that comes
    before the next speaker line, or to the end of the file for the last speaker.
    """
    out = []
    pos = 0
    for n, speaker in enumerate(SPEAKER_LINES):
        start = text.index("\n" + speaker + "\n", pos) + 1
        line_no = text.count("\n", 0, start) + 1
        marker_start = start + len(speaker) + 1
        marker_end = text.index("\n", marker_start)
        assert text[marker_start:marker_end].startswith(MARKER_PREFIX)
        assert text[marker_end : marker_end + 2] == "\n\n", "one empty line after the marker"
        body_start = marker_end + 2
        if n + 1 < len(SPEAKER_LINES):
            body_end = text.index("\n\n" + SPEAKER_LINES[n + 1] + "\n", body_start)
        else:
            body_end = len(text)
        out.append((line_no, body_start, text[body_start:body_end]))
        pos = body_end
    return out


@pytest.fixture(scope="module")
def expected(seed_text: str) -> list[tuple[int, int, str]]:
    return expected_speeches(seed_text)


@pytest.fixture(scope="module")
def result(seed_bytes: bytes, seed_path: Path) -> PageResult:
    return parse(seed_bytes, str(seed_path))


def test_independent_slicing_matches_the_file_as_read(seed_text: str, expected) -> None:
    """Guard the test's own slicing: line numbers and shape checked against the file."""
    assert [line for line, _, _ in expected] == list(SPEAKER_LINE_NUMBERS)
    lines = seed_text.split("\n")
    for line_no, _, body in expected:
        assert lines[line_no - 1] in SPEAKER_LINES
        assert body and "\n" not in body  # each seed speech is one paragraph
        assert body == lines[line_no + 2]  # speaker, marker, empty line, paragraph
    assert not seed_text.endswith("\n"), "the seed has no final newline"


def test_one_debate(result: PageResult, seed_path: Path) -> None:
    assert len(result.debates) == 1
    d = result.debates[0]
    assert d["title"] == "Child Sexual Exploitation: Casey Report"
    assert d["department"] == "Home Office"
    assert d["sitting_date"] == date(2025, 6, 16)
    assert d["sitting_year"] == 2025
    assert d["house"] == "Commons"
    assert d["location"] == "Commons Chamber"
    assert d["stage"] is None
    assert d["parent_debate_id"] is None
    assert d["source"] == "pp_text"
    assert d["source_ref"].startswith(f"{seed_path}:")
    assert d["raw_sha256"] == hashlib.sha256(seed_path.read_bytes()).hexdigest()


def test_three_contributions_with_speakers(result: PageResult) -> None:
    rows = result.contributions
    got = [
        (
            r["speaker_key"],
            r["speaker_display"],
            r["speaker_name"],
            r["speaker_office"],
            r["constituency"],
            r["party"],
        )
        for r in rows
    ]
    assert got == [
        ("Yvette Cooper", "Yvette Cooper", "Yvette Cooper", None, None, None),
        (
            "David Simmonds",
            "David Simmonds (Ruislip, Northwood and Pinner) (Con)",
            "David Simmonds",
            None,
            "Ruislip, Northwood and Pinner",
            "Con",
        ),
        ("Yvette Cooper", "Yvette Cooper", "Yvette Cooper", None, None, None),
    ]
    assert [r["ordinal"] for r in rows] == [1, 2, 3]
    assert [r["contribution_type"] for r in rows] == ["speech"] * 3
    assert [r["details_carried"] for r in rows] == [False] * 3
    assert [r["after_gap"] for r in rows] == [False] * 3
    assert [r["is_truncated"] for r in rows] == [False] * 3
    assert [r["is_virtual"] for r in rows] == [False] * 3
    assert [r["member_id"] for r in rows] == [None] * 3
    debate = result.debates[0]
    for r in rows:
        assert r["debate_id"] == debate["debate_id"]
        assert (r["sitting_date"], r["sitting_year"], r["house"], r["location"]) == (
            date(2025, 6, 16),
            2025,
            "Commons",
            "Commons Chamber",
        )
        assert r["source"] == "pp_text"
        assert r["raw_sha256"] == debate["raw_sha256"]


def test_source_refs_name_the_speaker_lines(result: PageResult, seed_path: Path) -> None:
    refs = [r["source_ref"] for r in result.contributions]
    assert refs == [f"{seed_path}:{n}" for n in SPEAKER_LINE_NUMBERS]
    assert [ref.rsplit(":", 1)[1] for ref in refs] == ["15", "20", "25"]


def test_texts_exact_to_the_character(result: PageResult, expected) -> None:
    texts = [r["text"] for r in result.contributions]
    assert texts == [body for _, _, body in expected]
    for text in texts:
        assert text == text.strip(), "no leading/trailing whitespace or newline added"
        assert not text.endswith("\n")
        assert "\n\n" not in text
    # the last speech ends the file (no final newline): nothing dropped at the end
    assert texts[-1].endswith("information.")


def test_typographic_characters_survive(result: PageResult, expected) -> None:
    texts = [r["text"] for r in result.contributions]
    for got, (_, _, want) in zip(texts, expected, strict=True):
        for ch in ("\u2019", "\u201c", "\u201d", "\u2014", "\u00a0"):
            assert got.count(ch) == want.count(ch)
    assert "\u2019" in texts[0] and "\u2019" in texts[1] and texts[2].count("\u2019") == 2
    assert "\u201c" in texts[1] and "\u201d" in texts[1]
    assert "\u2014" in texts[0] and "\u2014" in texts[1]
    # no mojibake from a wrong decode
    assert not any("\u00e2\u20ac" in t for t in texts)


def test_word_counts(result: PageResult, expected) -> None:
    for row, (_, _, body) in zip(result.contributions, expected, strict=True):
        assert row["word_count"] == len(row["text"].split()) == len(body.split())


def test_no_rejects(result: PageResult) -> None:
    assert result.rejects == []


def test_rows_fit_the_schema(result: PageResult) -> None:
    assert frame(DEBATES, result.debates).height == 1
    assert frame(CONTRIBUTIONS, result.contributions).height == 3
    assert frame(REJECTS, result.rejects).height == 0


def test_ids_deterministic(seed_bytes: bytes, seed_path: Path) -> None:
    first = parse(seed_bytes, str(seed_path))
    again = parse(seed_bytes, str(seed_path), received=datetime(2030, 1, 1, tzinfo=UTC))
    assert first.debates == again.debates
    assert first.contributions == again.contributions
    ids = [r["contribution_id"] for r in first.contributions]
    assert len(set(ids)) == 3
    assert all(i.startswith("pp-") for i in ids)
    assert first.debates[0]["debate_id"].startswith("pp-")


def test_ids_do_not_depend_on_where_the_page_came_from(seed_bytes: bytes) -> None:
    a = parse(seed_bytes, "/somewhere/a.txt")
    b = parse(seed_bytes, "https://example.org/b")
    assert [r["contribution_id"] for r in a.contributions] == [
        r["contribution_id"] for r in b.contributions
    ]
    assert a.debates[0]["debate_id"] == b.debates[0]["debate_id"]


@pytest.mark.parametrize("changed", [0, 1, 2], ids=["cooper-1", "simmonds", "cooper-2"])
def test_ids_input_sensitive(seed_text: str, expected, changed: int) -> None:
    base = parse(seed_text.encode())
    _, offset, body = expected[changed]
    at = offset + 10  # a character inside the speech
    assert body[10] != "Q"
    edited = seed_text[:at] + "Q" + seed_text[at + 1 :]
    new = parse(edited.encode())
    assert new.rejects == []
    assert new.debates[0]["debate_id"] == base.debates[0]["debate_id"]
    old_ids = [r["contribution_id"] for r in base.contributions]
    new_ids = [r["contribution_id"] for r in new.contributions]
    for n in range(3):
        if n == changed:
            assert new_ids[n] != old_ids[n]
            assert new.contributions[n]["text"] == body[:10] + "Q" + body[11:]
        else:
            assert new_ids[n] == old_ids[n]


@pytest.mark.parametrize(
    "variant",
    ["final-newline", "crlf", "bom", "crlf-final-newline"],
)
def test_line_ending_variants_give_identical_rows(seed_text: str, expected, variant: str) -> None:
    text = seed_text
    if variant in ("crlf", "crlf-final-newline"):
        text = text.replace("\n", "\r\n")
    if variant.endswith("final-newline"):
        text += "\r\n" if variant.startswith("crlf") else "\n"
    data = text.encode("utf-8-sig" if variant == "bom" else "utf-8")
    base = parse(seed_text.encode())
    got = parse(data)
    assert got.rejects == []
    assert [r["text"] for r in got.contributions] == [body for _, _, body in expected]
    assert [r["contribution_id"] for r in got.contributions] == [
        r["contribution_id"] for r in base.contributions
    ]
    assert [r["source_ref"] for r in got.contributions] == [
        f"seed.txt:{n}" for n in SPEAKER_LINE_NUMBERS
    ]


# --- the seed cut short (derived in memory: truncation vs. a genuine em-dash ending) -----------


def _cut(seed_text: str, end: int) -> PageResult:
    return parse(seed_text[:end].encode())


def test_cut_mid_word_is_truncated(seed_text: str, expected) -> None:
    _, offset, body = expected[2]
    end = offset + body.rindex(" ") + 4  # three letters into the last word
    got = _cut(seed_text, end)
    rows = got.contributions
    assert len(rows) == 3
    assert rows[2]["text"] == seed_text[offset:end]
    assert [r["is_truncated"] for r in rows] == [False, False, True]
    assert [(j["reason"], j["source_ref"]) for j in got.rejects] == [("truncated", "seed.txt:25")]


def test_cut_after_comma_space_is_truncated(seed_text: str, expected) -> None:
    _, offset, body = expected[2]
    end = offset + body.index(", ") + 2
    got = _cut(seed_text, end)
    assert got.contributions[2]["text"] == seed_text[offset:end]
    assert got.contributions[2]["text"].endswith(", ")
    assert got.contributions[2]["is_truncated"] is True
    assert [(j["reason"], j["source_ref"]) for j in got.rejects] == [("truncated", "seed.txt:25")]


def test_final_em_dash_is_not_a_cut(seed_text: str, expected) -> None:
    _, offset, body = expected[1]
    end = offset + body.index("\u2014") + 1  # Simmonds's speech now ends in an em dash
    got = _cut(seed_text, end)
    rows = got.contributions
    assert len(rows) == 2
    assert rows[1]["text"].endswith("\u2014")
    assert [r["is_truncated"] for r in rows] == [False, False]
    assert got.rejects == []


def test_cut_after_marker_is_truncated_not_a_speech(seed_text: str, expected) -> None:
    _, offset, _ = expected[2]
    got = _cut(seed_text, offset - 2)  # ends right after the last marker line
    assert len(got.contributions) == 2
    assert [(j["reason"], j["source_ref"]) for j in got.rejects] == [("truncated", "seed.txt:25")]
