"""Format variations from pp-text.md not present in the corpus, on pages we wrote ourselves."""

from __future__ import annotations

from datetime import UTC, date, datetime

from transforms.pp_text.parse import PageInput, PageResult, parse_page

HEAD = """Harbour Dues

Ada Finch Excerpts
Tuesday 3rd March 2020

(5 years, 2 months ago)

{location}
Read Full debate Read Hansard Text Read Debate Ministerial Extracts
"""
BLOCK = """{key} Portrait {display}
{marker}

{body}
"""


def page(*blocks: str, location: str = "Commons Chamber", head: str | None = None) -> str:
    return (HEAD.format(location=location) if head is None else head) + "\n".join(blocks)


def block(
    key: str, display: str, body: str = "A short remark.", marker: str = "- Hansard - - - Excerpts"
) -> str:
    return BLOCK.format(key=key, display=display, marker=marker, body=body)


def parse(text: str, ref: str = "page.txt") -> PageResult:
    return parse_page(PageInput(text.encode(), ref, "0" * 64, datetime(2026, 1, 1, tzinfo=UTC)))


def test_unknown_marker_variant_is_rejected_with_its_line() -> None:
    text = page(
        block("Ada Finch", "Ada Finch (Porthmoor) (LD)"),
        block("Ben Hale", "Ben Hale", marker="- Hansard - - - - Excerpts"),
    )
    result = parse(text)
    assert [c["speaker_key"] for c in result.contributions] == ["Ada Finch"]
    (reject,) = result.rejects
    assert reject["reason"] == "unknown_line"
    assert reject["source_ref"] == "page.txt:16"
    assert "- Hansard - - - - Excerpts" in reject["detail"]


def test_date_and_location_from_the_url_when_the_block_has_none() -> None:
    url = (
        "URL: https://parallelparliament.co.uk/lord/ada-finch/debate/2015-10-26/lords/"
        "grand-committee/harbour-dues\n\n"
    )
    head = "Harbour Dues\n\nBaroness Finch Excerpts\n"
    result = parse(
        url + head + block("Baroness Finch", "Baroness Finch (LD)", body="My Lords, a brief point.")
    )
    (debate,) = result.debates
    assert (debate["sitting_date"], debate["location"], debate["house"]) == (
        date(2015, 10, 26),
        "Grand Committee",
        "Lords",
    )
    assert debate["title"] == "Harbour Dues"


def test_block_with_no_date_anywhere_is_rejected_not_guessed() -> None:
    head = "Harbour Dues Debate\n\nFull Debate: Read Full Debate\nDepartment: Home Office\n"
    result = parse(head + block("Ada Finch", "Ada Finch"))
    assert result.contributions == []
    (reject,) = result.rejects
    assert reject["reason"] == "no_date"
    assert "sitting date" in reject["detail"] and "location" in reject["detail"]


def test_westminster_hall_blurbs_chair_line_and_debate_between() -> None:
    head = """Harbour Dues

Debate between Ada Finch and Ben Hale
Tuesday 3rd March 2020

(5 years ago)

Westminster Hall
Read Full debate Read Hansard Text

Westminster Hall is an alternative Chamber for MPs to hold the Government to account.

Each debate is chaired by an MP from the Panel of Chairs, rather than the Speaker.

This information is provided by Parallel Parliament and does not comprise part of the offical record

[Ms Cara Dunn in the Chair]

"""
    result = parse(head + block("Ada Finch", "Ada Finch (Porthmoor) (LD)"))
    assert result.rejects == []
    (c,) = result.contributions
    assert (c["location"], c["house"], c["text"]) == (
        "Westminster Hall",
        "Commons",
        "A short remark.",
    )
    assert result.debates[0]["title"] == "Harbour Dues"


def test_crlf_bom_and_double_blank_after_quotation() -> None:
    body = "She wrote:\n\n“Harbours are ours.”\n\n\nThat says it all."
    text = page(block("Ada Finch", "Ada Finch (Porthmoor) (LD)", body=body))
    lf = parse(text)
    crlf = parse_page(
        PageInput(
            b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
            "page.txt",
            "0" * 64,
            datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    assert lf.contributions[0]["text"] == "She wrote:\n\n“Harbours are ours.”\n\nThat says it all."
    assert crlf.contributions == lf.contributions


def test_virtual_lords_minister_and_interruption_ending() -> None:
    text = page(
        block(
            "Lord Vane",
            "The Minister of State, Home Office (Lord Vane) (Con) [V]",
            body="My Lords, I will answer in two parts. First—",
        ),
        block("Ada Finch", "Ada Finch (Porthmoor) (LD)", body="Will he give way?"),
        location="Lords Chamber",
    )
    first, second = parse(text).contributions
    assert (
        first["speaker_name"],
        first["speaker_office"],
        first["party"],
        first["is_virtual"],
    ) == ("Lord Vane", "The Minister of State, Home Office", "Con", True)
    assert not second["is_truncated"]  # ends with "?"
    assert not first["is_truncated"]  # a final em dash is an interruption, not a cut


def test_cheap_prefilter_admits_every_strong_line_in_sample_and_corpus() -> None:
    """may_be_strong must be a necessary condition: no header line may be skipped by it."""
    from tests.conftest import CORPUS, SAMPLE
    from transforms.pp_text.lines import STRONG_KINDS, match, may_be_strong

    files = [*SAMPLE.glob("*.txt"), *CORPUS.glob("pp-text/*.txt"), *CORPUS.glob("seed/*.txt")]
    strong = [
        line for f in files for line in f.read_text().splitlines() if match(line)[0] in STRONG_KINDS
    ]
    assert len(strong) > 50
    assert [line for line in strong if not may_be_strong(line)] == []
