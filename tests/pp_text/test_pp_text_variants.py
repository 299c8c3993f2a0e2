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


def _warned(result: PageResult) -> dict:
    (reject,) = result.rejects
    assert reject["reason"] == "header_incomplete"
    return reject


def test_a_block_with_no_date_anywhere_keeps_its_speech_with_the_date_null() -> None:
    head = "Harbour Dues Debate\n\nFull Debate: Read Full Debate\nDepartment: Home Office\n"
    result = parse(head + block("Ada Finch", "Ada Finch"))
    (c,) = result.contributions
    (d,) = result.debates
    assert (c["sitting_date"], c["sitting_year"], c["house"], c["location"]) == (None,) * 4
    assert c["header_incomplete"] and d["header_incomplete"] and d["title"] == "Harbour Dues"
    assert c["text"] == "A short remark."
    detail = _warned(result)["detail"]
    assert "no sitting date, House, location in the block" in detail and "kept" in detail


LISTING_PAGE_2 = """URL: https://www.parallelparliament.co.uk/mp/ada-finch/dept-debates/NIO?page=2

41 Ada Finch debates involving the Northern Ireland Office

Tue 3rd Mar 2020
Harbour Dues
Commons Chamber

Ferry Routes

Ada Finch Excerpts
Ada Finch Portrait Ada Finch
- Hansard - -

Our own words on ferry routes.

Ben Hale Portrait Ben Hale
- Hansard - - - Excerpts

A reply on ferries.

Harbour Dues

Ada Finch Excerpts
Tuesday 3rd March 2020

(5 years ago)

Commons Chamber
Read Full debate Read Hansard Text Read Debate Ministerial Extracts
Ada Finch Portrait Ada Finch
- Hansard - -

Our own words on harbour dues.
"""


def test_a_paginated_listing_page_whose_first_block_has_no_date_line() -> None:
    """Shape seen on `…/dept-debates/NIO?page=2`: the first block is cut from its date, age and
    location lines; the listing's dated entry is another debate, so it is not borrowed."""
    result = parse(LISTING_PAGE_2)
    first, second = result.debates
    assert (first["title"], first["sitting_date"], first["house"]) == ("Ferry Routes", None, None)
    assert first["header_incomplete"] and first["department"] == "Northern Ireland Office"
    assert (second["sitting_date"], second["house"], second["header_incomplete"]) == (
        date(2020, 3, 3),
        "Commons",
        False,
    )
    assert [c["text"] for c in result.contributions] == [
        "Our own words on ferry routes.",
        "A reply on ferries.",
        "Our own words on harbour dues.",
    ]
    assert [c["header_incomplete"] for c in result.contributions] == [True, True, False]
    reject = _warned(result)
    assert reject["source_ref"] == "page.txt:9"  # the block's title line
    assert "2 speaker block(s) are kept" in reject["detail"]


def test_date_and_house_only_in_the_url() -> None:
    """`…/debate/Lords/2026-02-06/debates/<id>/<Title>`: no date, age, location or nav line in
    the page; the URL gives the date, the House and the title, not the location."""
    url = (
        "URL: https://www.parallelparliament.co.uk/lord/baroness-finch/debate/Lords/2031-02-06/"
        "debates/0A1B2C3D-0000-4000-8000-000000000001/HarbourDues\n\n"
    )
    head = "Harbour Dues\n\nBaroness Finch Excerpts\n"
    result = parse(url + head + block("Baroness Finch", "Baroness Finch (LD)", body="My Lords."))
    (c,) = result.contributions
    assert (c["sitting_date"], c["sitting_year"], c["house"], c["location"]) == (
        date(2031, 2, 6),
        2031,
        "Lords",
        None,
    )
    assert c["header_incomplete"] and result.debates[0]["title"] == "Harbour Dues"
    assert "no location in the block" in _warned(result)["detail"]


def test_ministerial_extracts_with_date_and_location_but_no_title() -> None:
    text = """URL: https://parallelparliament.co.uk/debate/2031-06-09/commons/commons-chamber/harbour-dues/ministerial-extracts

(Limited Text - Ministerial Extracts only)

Read Full debate
Thursday 9th June 2031

(8 years, 5 months ago)

Commons Chamber
Read Hansard Text
""" + block("Ada Finch", "The Minister for Harbours (Ada Finch)", body="The Minister's words.")
    result = parse(text)
    (d,) = result.debates
    assert (d["title"], d["sitting_date"], d["location"], d["house"]) == (
        None,
        date(2031, 6, 9),
        "Commons Chamber",
        "Commons",
    )
    (c,) = result.contributions
    assert c["header_incomplete"] and c["text"] == "The Minister's words."
    assert "no title" in _warned(result)["detail"]


def test_a_page_with_no_speaker_lines_is_still_rejected() -> None:
    result = parse("Harbour Dues\n\nCommons ChamberOur own flattened words.\n")
    assert result.contributions == [] and result.debates == []
    assert [r["reason"] for r in result.rejects] == ["no_speakers"]


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
