"""transforms.hansard_api.parse: the real API responses in the corpus, and our own fixtures.

Real data: the 306 search result items and 202 debate Overview objects recorded in
corpus/hansard-api/extracts/ (hansard-api.md §3-5). The spot-checked values below were read
from that file by hand. Fixtures: our own fictional text in the exact Swagger shapes
(SearchContributionsQueryResult, SearchReferencesItem, Debate, DebateOverview, SectionTreeItem).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.conftest import corpus_path
from transforms.common.speaker import split_display
from transforms.hansard_api.parse import (
    SEARCH_ITEM_KEYS,
    SOURCE,
    ApiInput,
    ApiResult,
    clean_text,
    combine_debates,
    parse_debate,
    parse_search_page,
)
from transforms.hansard_api.text import MarkupError
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, frame

RECEIVED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
API = "https://hansard-api.parliament.uk"
SPOKEN = (
    f"{API}/search/contributions/Spoken.json?queryParameters.memberId=185&queryParameters.take=100"
)
WRITTEN = f"{API}/search/contributions/Written.json?queryParameters.date=2031-03-04"
EXTRACTS = ("hansard-api", "extracts")
ITEMS_FILE = "hansard-api_search-contributions-spoken_result-items_306.json"
OVERVIEWS_FILE = "hansard-api_debate-overview-objects_202.json"


def _input(body: Any, url: str = SPOKEN, sha: str = "f" * 64) -> ApiInput:  # noqa: ANN401
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return ApiInput(data=data, url=url, raw_sha256=sha, received_at=RECEIVED)


def _envelope(items: list[dict], total: int | None = None) -> dict:
    return {
        "SearchTerms": [],
        "SpokenResultCount": len(items),
        "WrittenResultCount": 0,
        "CorrectionsResultCount": 0,
        "DivisionsResultCount": 0,
        "Results": items,
        "TotalResultCount": len(items) if total is None else total,
    }


def _frames(result: ApiResult) -> None:
    """Every row set is accepted by the canonical schema."""
    frame(CONTRIBUTIONS, result.contributions)
    frame(DEBATES, result.debates)
    frame(REJECTS, result.rejects)


# --- the 306 real search items ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_items() -> list[dict]:
    return json.loads(corpus_path(*EXTRACTS, ITEMS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real_page(real_items: list[dict]) -> ApiResult:
    return parse_search_page(_input(_envelope(real_items, 306)))


@pytest.fixture(scope="module")
def by_ext_id(real_page: ApiResult) -> dict[str, dict]:
    return {r["contribution_id"]: r for r in real_page.contributions}


def test_real_page_parses_every_item(real_items: list[dict], real_page: ApiResult) -> None:
    assert real_page.rejects == []
    assert real_page.total_results == 306 and real_page.item_count == 306
    assert len(real_page.contributions) == 306
    ids = [r["contribution_id"] for r in real_page.contributions]
    assert ids == [it["ContributionExtId"] for it in real_items]  # as is, in page order
    assert len(set(ids)) == 306
    expected_debates = list(dict.fromkeys(it["DebateSectionExtId"] for it in real_items))
    assert real_page.debate_ext_ids == expected_debates and len(expected_debates) == 202
    assert [d["debate_id"] for d in real_page.debates] == expected_debates
    assert {r["member_id"] for r in real_page.contributions} == {185}
    assert {r["source"] for r in real_page.contributions + real_page.debates} == {SOURCE}
    assert all(set(it) == set(SEARCH_ITEM_KEYS) for it in real_items)
    _frames(real_page)


def test_real_text_is_clean(real_items: list[dict], real_page: ApiResult) -> None:
    for item, row in zip(real_items, real_page.contributions, strict=True):
        text, full = row["text"], item["ContributionTextFull"]
        assert not re.search(r"<[/A-Za-z]", text), row["source_ref"]
        assert "&amp;" not in text and "\r" not in text and "  " not in text
        assert text == text.strip()
        assert len(text.split("\n\n")) == full.count("\r\n\r\n") + 1, row["source_ref"]
        assert row["word_count"] == len(text.split())
        if len(item["ContributionText"]) == 255:  # a truncated preview: never used
            assert len(text) > 255
    amps = [r["text"] for r, it in zip(real_page.contributions, real_items, strict=True)
            if "&amp;" in it["ContributionTextFull"]]  # fmt: skip
    assert len(amps) == 3 and all("&" in t for t in amps)
    assert sum("Peace & Justice Project" in t for t in amps) == 1


def test_real_questions(real_items: list[dict], real_page: ApiResult) -> None:
    questions = [r for r in real_page.contributions if r["hrs_tag"] == "Question"]
    assert len(questions) == 5
    assert sorted(r["question_number"] for r in questions) == ["13", "16", "16", "7", "Q15"]
    for r in questions:
        assert r["contribution_type"] == "question"
        assert r["text"].startswith(r["question_number"] + ". ")
    assert {r["contribution_type"] for r in real_page.contributions} == {"speech", "question"}
    assert sum(r["question_number"] is not None for r in real_page.contributions) == 5


def test_real_cross_references_and_em(real_items: list[dict], real_page: ApiResult) -> None:
    pairs = list(zip(real_items, real_page.contributions, strict=True))
    xref = [r for it, r in pairs if "cross-reference" in it["ContributionTextFull"]]
    assert len(xref) == 4
    assert all("[Official Report, " in r["text"] for r in xref)
    laughter = [r for it, r in pairs if "<em>Laughter.</em>" in it["ContributionTextFull"]]
    assert len(laughter) == 3 and all("[Laughter.]" in r["text"] for r in laughter)
    assert laughter[2]["text"].split("\n\n")[0].endswith("straight away—no. [Laughter.]")


def test_real_attributed_to_forms(real_page: ApiResult) -> None:
    forms: dict[tuple, int] = {}
    for r in real_page.contributions:
        key = (r["speaker_display"], r["speaker_name"], r["constituency"], r["party"])
        forms[key] = forms.get(key, 0) + 1
    assert forms == {
        ("Jeremy Corbyn (Islington North) (Ind)", "Jeremy Corbyn", "Islington North", "Ind"): 197,
        ("Jeremy Corbyn", "Jeremy Corbyn", None, None): 91,
        (
            "Jeremy Corbyn (Islington North) (Your Party)",
            "Jeremy Corbyn",
            "Islington North",
            "Your Party",
        ): 18,
    }
    assert {r["speaker_key"] for r in real_page.contributions} == {"Jeremy Corbyn"}
    assert {r["speaker_office"] for r in real_page.contributions} == {None}


def test_real_columns(real_items: list[dict], real_page: ApiResult) -> None:
    for item, row in zip(real_items, real_page.contributions, strict=True):
        spans = re.findall(r'class="column-number[^"]*" data-column-number="(\d+)', item[
            "ContributionTextFull"
        ])  # fmt: skip
        if spans:
            assert row["column_end"] == int(spans[-1])
            assert row["column_start"] in (int(spans[0]) - 1, int(spans[0]))
        if row["column_start"] is None:
            assert row["column_end"] is None
    # Results[106] (ordinal 136) crosses no column, but sits between ordinal 133 (ends on 1245)
    # and ordinal 138, whose text runs into 1246 so starts on 1245: it is on 1245.
    assert real_items[106]["OrderInDebateSection"] == 136
    assert real_page.contributions[106]["column_start"] == 1245


def test_real_spot_check_question(by_ext_id: dict[str, dict]) -> None:
    r = by_ext_id["CF61C39A-D538-49FE-B7ED-046E3109DB31"]  # Results[7]
    assert r == {
        "contribution_id": "CF61C39A-D538-49FE-B7ED-046E3109DB31",
        "debate_id": "B5EA4D27-379D-48AD-AB81-41B84DD66BCC",
        "source": "hansard_api",
        "source_ref": f"{SPOKEN}#Results[7]",
        "sitting_date": date(2024, 7, 25),
        "sitting_year": 2024,
        "house": "Commons",
        "location": "Commons Chamber",
        "ordinal": 2,
        "speaker_key": "Jeremy Corbyn",
        "speaker_display": "Jeremy Corbyn (Islington North) (Ind)",
        "speaker_name": "Jeremy Corbyn",
        "speaker_office": None,
        "constituency": "Islington North",
        "party": "Ind",
        "member_id": 185,
        "contribution_type": "question",
        "text": "7. Whether he plans to take steps to consolidate the number of national pay "
        "bargaining units in the civil service.",
        "word_count": 20,
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "hrs_tag": "Question",
        "hansard_section": "AA-AD",
        "column_start": None,
        "column_end": None,
        "question_number": "7",
        "timecode": None,
        "raw_sha256": "f" * 64,
    }


def test_real_spot_check_westminster_hall(by_ext_id: dict[str, dict], real_page: ApiResult) -> None:
    r = by_ext_id["CC1353A6-35EA-433F-8D87-CFD31B1A7882"]  # Results[15]
    assert r["debate_id"] == "E36EC701-65B9-4730-9CB3-AA09FF81BCDA"
    assert (r["sitting_date"], r["location"], r["ordinal"]) == (
        date(2024, 9, 4),
        "Westminster Hall",
        5,
    )
    assert r["timecode"] == datetime(2024, 9, 4, 16, 34, 45)  # noqa: DTZ001 (UK local, naive)
    assert (r["speaker_display"], r["speaker_name"], r["constituency"], r["party"]) == (
        "Jeremy Corbyn",
        "Jeremy Corbyn",
        None,
        None,
    )
    assert (r["hrs_tag"], r["hansard_section"], r["contribution_type"]) == (
        "hs_Para",
        "BY2-CA1",
        "speech",
    )
    # spans 144WH..147WH; text precedes the first, so it starts on column 143
    assert (r["column_start"], r["column_end"]) == (143, 147)
    assert r["text"].startswith("Okay.\n\nFirst of all, the DRC is almost the largest country")
    assert "in shipping lines to take other minerals, timber" in r["text"]
    assert "such as those used in phones and laptops" in r["text"]
    assert "an act of necessity it certainly is.\n\nI turn to the future." in r["text"]
    assert r["text"].endswith("because they are part of the problem.")
    debate = next(d for d in real_page.debates if d["debate_id"] == r["debate_id"])
    assert debate["title"] == "Security in the Democratic Republic of the Congo"  # was padded
    # the debate row points at the debate's first item on the page: Results[14] (ordinal 7)
    assert (debate["location"], debate["source_ref"]) == (
        "Westminster Hall",
        f"{SPOKEN}#Results[14]",
    )
    assert debate["parent_debate_id"] is None and debate["hrs_tag"] is None


def test_real_spot_check_cross_reference(by_ext_id: dict[str, dict]) -> None:
    r = by_ext_id["F621796C-18F1-4186-B53B-4710FF846A19"]  # Results[127]
    assert (r["debate_id"], r["sitting_date"], r["ordinal"]) == (
        "5E955E07-DC6F-4E9F-B6BF-5360F50A9F93",
        date(2025, 5, 14),
        3,
    )
    assert r["timecode"] == datetime(2025, 5, 14, 15, 30, 10)  # noqa: DTZ001
    assert r["hansard_section"] == "BG-BJ"
    paragraphs = r["text"].split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("On a point of order, Madam Deputy Speaker.")
    assert "I refer to column 95 of Hansard on Monday 12 May." in paragraphs[0]
    assert paragraphs[1].endswith(
        "(Jeremy Corbyn)?”—[Official Report, 12 May 2025; Vol. 767, c. 95.]"
    )
    assert paragraphs[2].startswith("Do you agree, Madam Deputy Speaker,")
    # the cross-reference's column (95, volume 767) is another debate's: not this one's
    assert (r["column_start"], r["column_end"]) == (None, None)


# --- the 202 real debate overviews -----------------------------------------------------------


def test_real_overviews() -> None:
    overviews = json.loads(corpus_path(*EXTRACTS, OVERVIEWS_FILE).read_text(encoding="utf-8"))
    assert len(overviews) == 202
    rows, lengths = [], set()
    for o in overviews:
        body = {"Overview": o, "Navigator": [], "Items": [], "ChildDebates": []}
        url = f"{API}/debates/debate/{o['ExtId']}.json"
        result = parse_debate(_input(body, url))
        assert result.rejects == [] and result.contributions == []
        assert result.total_results is None and result.item_count == 0
        [row] = result.debates
        assert row["debate_id"] == o["ExtId"] and row["title"] == o["Title"].strip()
        assert row["source_ref"] == f"{url}#Overview"
        assert (row["house"], row["location"], row["hrs_tag"]) == (
            o["House"],
            o["Location"],
            o["HRSTag"],
        )
        assert row["sitting_date"].isoformat() == o["Date"][:10]
        stamp = o["ContentLastUpdated"]
        lengths.add(len(stamp))
        assert row["content_last_updated"].isoformat().startswith(stamp)
        assert row["parent_debate_id"] is None
        rows.append(row)
    assert lengths == {21, 22, 23}
    assert sum(o["Title"] != o["Title"].strip() for o in overviews) == 81
    numeric = [r["debate_id"] for r in rows if "-" not in r["debate_id"]]
    assert numeric == ["26070217000004"]
    frame(DEBATES, rows)
    one = next(r for r in rows if r["debate_id"] == "C9409F99-A655-45D7-BB2C-10214F12621B")
    assert one["content_last_updated"] == datetime(2026, 7, 20, 19, 46, 28, 973000)  # noqa: DTZ001
    assert one["title"] == "Sir David Amess Summer Adjournment"


# --- our own fixtures: search pages ----------------------------------------------------------

D1 = "1F0E0D0C-0000-4000-8000-00000000D001"
D2 = "31030412000002"  # a 14-digit id: opaque, like a GUID


def _item(n: int, **over: Any) -> dict:  # noqa: ANN401
    """A SearchReferencesItem with all 19 keys; fictional speaker and text."""
    item = {
        "MemberName": "Alex Example",
        "MemberId": 9001,
        "AttributedTo": "Alex Example (Northtown) (Ind)",
        "ItemId": 70000000 + n,
        "ContributionExtId": f"C0000000-0000-4000-8000-{n:012d}",
        "ContributionText": " Preview only",
        "ContributionTextFull": f"Paragraph one of turn {n}.\r\n\r\nParagraph two.",
        "HRSTag": "hs_Para",
        "HansardSection": "AB-AC",
        "Timecode": None,
        "DebateSection": " Fictional Widgets ",
        "DebateSectionId": 900001,
        "DebateSectionExtId": D1,
        "SittingDate": "2031-03-04T00:00:00",
        "Section": "Commons Chamber",
        "House": "Commons",
        "OrderInDebateSection": n,
        "DebateSectionOrder": 3,
        "Rank": 0,
    }
    item.update(over)
    return item


def test_fixture_columns_carried_across_contributions() -> None:
    col = '<span id="{0}" class="column-number" data-column-number="{0}"></span>'
    items = [
        _item(2, ContributionTextFull="On the same column."),  # listed before ordinal 1
        _item(1, ContributionTextFull=f"Starts on 49 {col.format(50)}ends on 50."),
        _item(4, ContributionTextFull="After a gap, but bracketed: on 50."),
        _item(6, ContributionTextFull=f"Text on 50, then {col.format(51)}on 51."),
        _item(
            7,
            ContributionTextFull='Quoting <span id="vol9_col902" class="cross-reference" '
            'data-column-number="902" data-volume-number="9">[<em>Official Report</em>, '
            "1 March 2031; Vol. 9, c. 902.]</span> still on 51.",
        ),
        _item(9, ContributionTextFull="After a gap, nothing after it: unknown."),
        _item(10, ContributionTextFull=f"{col.format(60)}Starts exactly on 60."),
        _item(3, DebateSectionExtId=D2, ContributionTextFull="Another debate: unknown."),
    ]
    result = parse_search_page(_input(_envelope(items)))
    assert result.rejects == []
    cols = {(r["debate_id"], r["ordinal"]): (r["column_start"], r["column_end"])
            for r in result.contributions}  # fmt: skip
    assert cols == {
        (D1, 1): (49, 50),
        (D1, 2): (50, 50),  # the next ordinal: carried
        (D1, 4): (50, 50),  # ordinal 6 starts on 50, so nothing between changed column
        (D1, 6): (50, 51),
        (D1, 7): (51, 51),  # the cross-reference's 902 is another debate's column
        (D1, 9): (None, None),
        (D1, 10): (60, 60),
        (D2, 3): (None, None),
    }
    assert [r["ordinal"] for r in result.contributions] == [2, 1, 4, 6, 7, 9, 10, 3]  # page order
    xref = next(r for r in result.contributions if r["ordinal"] == 7)
    assert xref["text"] == "Quoting [Official Report, 1 March 2031; Vol. 9, c. 902.] still on 51."
    assert result.debate_ext_ids == [D1, D2]
    assert [(d["debate_id"], d["title"], d["source_ref"]) for d in result.debates] == [
        (D1, "Fictional Widgets", f"{SPOKEN}#Results[0]"),
        (D2, "Fictional Widgets", f"{SPOKEN}#Results[7]"),
    ]
    _frames(result)


def test_fixture_unknown_tag_rejects_only_that_item() -> None:
    items = [
        _item(1),
        _item(2, ContributionTextFull="Some <strong>bold</strong> words."),
        _item(3, ContributionTextFull='A <span class="mystery">span</span> of a new class.'),
        _item(4, ContributionTextFull="An unterminated <span id='1' class=\"column-number"),
        _item(5),
    ]
    result = parse_search_page(_input(_envelope(items)))
    assert [r["ordinal"] for r in result.contributions] == [1, 5]
    assert [(j["reason"], j["source_ref"]) for j in result.rejects] == [
        ("unknown_markup", f"{SPOKEN}#Results[1]"),
        ("unknown_markup", f"{SPOKEN}#Results[2]"),
        ("unknown_markup", f"{SPOKEN}#Results[3]"),
    ]
    detail = result.rejects[0]["detail"]
    assert "<strong>" in detail and SPOKEN in detail and "Results[1]" in detail
    assert 'class="mystery"' in result.rejects[1]["detail"]
    assert all(j["rejected_at"] == RECEIVED and j["source"] == SOURCE for j in result.rejects)
    _frames(result)


def test_fixture_missing_and_malformed_fields() -> None:
    no_id = _item(1)
    del no_id["ContributionExtId"]
    items = [
        no_id,
        _item(2, SittingDate=None),
        _item(3, OrderInDebateSection="3"),
        _item(4, SittingDate="4 March 2031"),
        _item(5, House="Senate"),
        _item(6, MemberId="9001"),
        "not an object",
        _item(8, ContributionExtId=""),
        _item(9, ContributionTextFull='<span class="column-number" data-column-number="7"></span>'),
        _item(10, SomethingNew={"x": 1}),  # an unknown key is ignored
        _item(11, MemberId=2**40),
        _item(10),  # the same ContributionExtId again
    ]
    result = parse_search_page(_input(_envelope(items, total=250)))
    got = [(j["source_ref"].rsplit("#", 1)[1], j["reason"]) for j in result.rejects]
    assert got == [
        ("Results[0]", "missing_field"),
        ("Results[1]", "missing_field"),
        ("Results[2]", "malformed"),
        ("Results[3]", "malformed"),
        ("Results[4]", "malformed"),
        ("Results[5]", "malformed"),
        ("Results[6]", "malformed"),
        ("Results[7]", "missing_field"),
        ("Results[8]", "empty_body"),
        ("Results[10]", "malformed"),
        ("Results[11]", "duplicate"),
    ]
    assert "Results[0]: ContributionExtId: missing" in result.rejects[0]["detail"]
    assert SPOKEN in result.rejects[0]["detail"]
    assert "SittingDate" in result.rejects[1]["detail"]
    assert "OrderInDebateSection" in result.rejects[2]["detail"]
    assert [r["ordinal"] for r in result.contributions] == [10]
    assert "int32" in result.rejects[9]["detail"] and "Results[9]" in result.rejects[10]["detail"]
    assert (result.total_results, result.item_count) == (250, 12)
    _frames(result)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"Results": [{"ContributionExtId": ', "malformed"),
        (b"<html><body>Service Unavailable</body></html>", "malformed"),
        (b"\xff\xfe\x00junk", "malformed"),
        (b"", "empty"),
        (b"[1, 2]", "malformed"),
        (b'{"TotalResultCount": 3}', "missing_field"),
        (b"[" * 100_000, "malformed"),
        (b'{"TotalResultCount": ' + b"9" * 5000 + b"}", "malformed"),
    ],
    ids=["truncated-json", "html", "binary", "empty", "array", "no-results", "deep", "huge-int"],
)
def test_fixture_page_that_is_not_a_result(body: bytes, reason: str) -> None:
    for parse in (parse_search_page, parse_debate):
        result = parse(_input(body))
        if parse is parse_debate and body == b'{"TotalResultCount": 3}':
            assert [j["reason"] for j in result.rejects] == ["missing_field"]  # no Overview
            continue
        assert [(j["reason"], j["source_ref"]) for j in result.rejects] == [(reason, SPOKEN)]
        assert result.contributions == [] and result.debates == []
        _frames(result)


def test_fixture_bom_and_envelope_counts() -> None:
    body = b"\xef\xbb\xbf" + json.dumps(_envelope([_item(1)], total=1000)).encode()
    result = parse_search_page(_input(body))
    assert result.rejects == [] and (result.total_results, result.item_count) == (1000, 1)


def test_fixture_written_and_speaker_forms() -> None:
    items = [
        _item(
            1,
            Section="Written Statements",
            AttributedTo="The Minister for Widgets (Sam Sample)",
            MemberName="Sam Sample",
            HRSTag="Question",
        ),
        _item(2, Section="Written Statements", MemberId=0, MemberName="", AttributedTo=None),
    ]
    result = parse_search_page(_input(_envelope(items), WRITTEN))
    first, second = result.contributions
    assert [r["contribution_type"] for r in result.contributions] == ["written", "written"]
    assert (first["speaker_name"], first["speaker_office"], first["location"]) == (
        "Sam Sample",
        "The Minister for Widgets",
        "Written Statements",
    )
    assert (second["member_id"], second["speaker_key"], second["speaker_display"]) == (
        None,
        None,
        "",
    )
    assert second["speaker_name"] is None
    timed = parse_search_page(_input(_envelope([_item(3, Timecode="2031-03-04T14:05:06.5")])))
    assert timed.contributions[0]["timecode"] == datetime(2031, 3, 4, 14, 5, 6, 500000)  # noqa: DTZ001
    _frames(result)


@pytest.mark.parametrize(
    ("display", "key", "expected"),
    [
        ("Alex Example (Northtown) (Maiden Speech)", "Alex Example", ("Northtown", None)),
        ("Alex Example (Northtown) (Ind) (Maiden Speech)", "Alex Example", ("Northtown", "Ind")),
        ("Alex Example (Valedictory Speech)", "Alex Example", (None, None)),
        ("Alex Example (Northtown) (Urgent Question)", "Alex Example", ("Northtown", None)),
        ("Alex Example (Maiden)", "Alex Example", (None, None)),
        ("Alex Example (Northtown) (Your Party)", "Alex Example", ("Northtown", "Your Party")),
    ],
)
def test_non_party_bracket_labels(display: str, key: str, expected: tuple) -> None:
    parts = split_display(display, key)
    assert parts.name == "Alex Example"
    assert (parts.constituency, parts.party) == expected


# --- clean_text ------------------------------------------------------------------------------


def test_clean_text_paragraph_tags() -> None:
    value = (
        "<p>First &amp; foremost.</p><p>Second,<br/>with a break.</p>\r\n\r\n<p></p><p>Third</p>"
    )
    c = clean_text(value)
    assert c.text == "First & foremost.\n\nSecond,\nwith a break.\n\nThird"
    assert (c.column_start, c.column_end, c.columns_seen, c.question_number) == (
        None,
        None,
        (),
        None,
    )


def test_clean_text_columns_and_whitespace() -> None:
    value = (
        'Before  <span id="12" class="column-number column-hidden" data-column-number="12">'
        "</span> after <em>Financial Times </em>said £5, “café”."
        '<span class="column-number column-only" data-column-number="13WH"></span>\r\n\r\n'
        "&lt;b&gt; is text here."
    )
    c = clean_text(value)
    assert c.text == "Before after Financial Times said £5, “café”.\n\n<b> is text here."
    assert (c.column_start, c.column_end, c.columns_seen) == (11, 13, (12, 13))


def test_clean_text_question_markup() -> None:
    value = (
        '<Question HRSContentId="{AAAAAAAA-0000-4000-8000-000000000001}">T2. '
        '<QuestionText HRSContentId="{AAAAAAAA-0000-4000-8000-000000000002}">If she will '
        "make a statement on her departmental responsibilities.</QuestionText> </Question>"
    )
    c = clean_text(value)
    assert c.question_number == "T2"
    assert c.text == "T2. If she will make a statement on her departmental responsibilities."
    assert clean_text("<em>[</em><em>Interruption.</em><em>]</em>").text == "[Interruption.]"


def test_clean_text_unknown_markup_raises() -> None:
    with pytest.raises(MarkupError) as err:
        clean_text("A <table><tr><td>cell</td></tr></table>")
    assert err.value.markup == "<table>"


# --- our own fixtures: debate bodies ---------------------------------------------------------

THIS = "DDDDDDDD-0000-4000-8000-000000000003"
PARENT = "DDDDDDDD-0000-4000-8000-000000000002"
GRANDPARENT = "DDDDDDDD-0000-4000-8000-000000000001"
SIBLING = "DDDDDDDD-0000-4000-8000-000000000009"
CHILD = "31030417000007"
GRANDCHILD = "DDDDDDDD-0000-4000-8000-00000000000C"


def _overview(ext_id: str, title: str, tag: str, updated: str | None) -> dict:
    return {
        "Id": 800001,
        "ExtId": ext_id,
        "Title": title,
        "HRSTag": tag,
        "Date": "2031-03-04T00:00:00",
        "Location": "Commons Chamber",
        "House": "Commons",
        "Source": 2,  # the wire sends an int where Swagger says a string enum
        "VolumeNo": 901,
        "ContentLastUpdated": updated,
        "DebateTypeId": 1,
        "SectionType": 1,
        "NextDebateExtId": "",
        "NextDebateTitle": "",
        "PreviousDebateExtId": "31030412000001",
        "PreviousDebateTitle": " Earlier Business ",
    }


def _tree_item(id_: int, title: str, parent: int | None, ext: str, tag: str) -> dict:
    return {
        "Id": id_,
        "Title": title,
        "ParentId": parent,
        "SortOrder": id_,
        "ExternalId": ext,
        "HRSTag": tag,
        "HansardSection": "AB-AC",
        "Timecode": None,
    }


def _debate_body() -> dict:
    grandchild = {
        "Overview": _overview(
            GRANDCHILD, "  Widget Exports ", "hs_8Question", "2031-03-05T09:00:00"
        ),
        "Navigator": [],
        "Items": [],
        "ChildDebates": [],
    }
    child = {
        "Overview": _overview(CHILD, " Widget Safety", "hs_8Question", "2031-03-05T09:00:00.1"),
        "Navigator": [],
        "Items": [],
        "ChildDebates": [grandchild],
    }
    return {
        "Overview": _overview(THIS, " Widgets ", "hs_8Question", "2031-03-06T10:11:12.34"),
        "Navigator": [
            _tree_item(10, "Commons Chamber", None, "", ""),  # no id: not a debate
            _tree_item(11, " Oral Answers to Questions ", 10, GRANDPARENT, "hs_3OralAnswers"),
            _tree_item(12, "Fictional Affairs", 11, PARENT, "hs_6bDepartment"),
            _tree_item(13, "Widgets", 12, THIS, "hs_8Question"),
            _tree_item(14, "Sprockets", 12, SIBLING, "hs_8Question"),
        ],
        "Items": [
            {
                "ItemType": "Contribution",
                "ItemId": 1,
                "MemberId": 9001,
                "AttributedTo": "Alex Example (Northtown) (Ind)",
                "Value": "<p>Words.</p>",
                "OrderInSection": 1,
                "Timecode": None,
                "ExternalId": "C0000000-0000-4000-8000-000000000001",
                "HRSTag": "hs_Para",
                "HansardSection": "AB-AC",
                "UIN": None,
                "IsReiteration": False,
            }
        ],
        "ChildDebates": [child],
    }


def test_fixture_debate_tree_and_children() -> None:
    url = f"{API}/debates/debate/{THIS}.json"
    result = parse_debate(_input(_debate_body(), url))
    assert result.rejects == [] and result.contributions == []
    assert (result.item_count, result.total_results, result.debate_ext_ids) == (1, None, [])
    rows = {r["debate_id"]: r for r in result.debates}
    assert [r["debate_id"] for r in result.debates] == sorted(rows)  # sorted, one per id
    assert set(rows) == {THIS, PARENT, GRANDPARENT, CHILD, GRANDCHILD}  # not the sibling
    tree = {k: (r["title"], r["parent_debate_id"], r["hrs_tag"]) for k, r in rows.items()}
    assert tree == {
        GRANDPARENT: ("Oral Answers to Questions", None, "hs_3OralAnswers"),
        PARENT: ("Fictional Affairs", GRANDPARENT, "hs_6bDepartment"),
        THIS: ("Widgets", PARENT, "hs_8Question"),
        CHILD: ("Widget Safety", THIS, "hs_8Question"),
        GRANDCHILD: ("Widget Exports", CHILD, "hs_8Question"),
    }
    this = rows[THIS]
    assert this["department"] == "Fictional Affairs" and rows[PARENT]["department"] is None
    assert this["content_last_updated"] == datetime(2031, 3, 6, 10, 11, 12, 340000)  # noqa: DTZ001
    assert this["source_ref"] == f"{url}#Overview"
    assert rows[PARENT]["source_ref"] == f"{url}#Navigator[2]"
    assert rows[PARENT]["content_last_updated"] is None
    assert rows[GRANDCHILD]["source_ref"] == f"{url}#ChildDebates[0].ChildDebates[0].Overview"
    for r in rows.values():
        assert (r["house"], r["location"], r["sitting_date"]) == (
            "Commons",
            "Commons Chamber",
            date(2031, 3, 4),
        )
    _frames(result)


def test_fixture_bad_debate_parts_are_rejects() -> None:
    body = _debate_body()
    body["Overview"]["ExtId"] = ""
    body["ChildDebates"].append("not a debate")
    body["Navigator"] = {"not": "a list"}
    result = parse_debate(_input(body))
    assert [(j["source_ref"].rsplit("#", 1)[1], j["reason"]) for j in result.rejects] == [
        ("Overview", "missing_field"),
        ("ChildDebates[1]", "malformed"),
    ]
    # the children are still read; with no valid parent id they hang from nothing
    assert {r["debate_id"]: r["parent_debate_id"] for r in result.debates} == {
        CHILD: None,
        GRANDCHILD: CHILD,
    }


# --- combine_debates -------------------------------------------------------------------------


def test_combine_debates_precedence() -> None:
    url = f"{API}/debates/debate/{THIS}.json"
    search = parse_search_page(_input(_envelope([_item(1, DebateSectionExtId=THIS)]))).debates
    body = parse_debate(_input(_debate_body(), url)).debates
    # a debate body beats the minimal search row, whatever the order
    for rows in (search + body, body + search):
        this = next(r for r in combine_debates(rows) if r["debate_id"] == THIS)
        assert this == next(r for r in body if r["debate_id"] == THIS)
    assert combine_debates(search)[0]["title"] == "Fictional Widgets"
    # of two bodies of the same debate, the newer content_last_updated wins whole
    newer = _debate_body()
    newer["Overview"]["ContentLastUpdated"] = "2031-04-01T00:00:00"
    newer["Overview"]["Title"] = "Widgets (Revised)"
    newer_rows = parse_debate(_input(newer, f"{url}?v=2")).debates
    rows = search + body + newer_rows
    combined = combine_debates(rows)
    assert combined == combine_debates(list(reversed(rows)))
    assert [r["debate_id"] for r in combined] == sorted({r["debate_id"] for r in rows})
    this = next(r for r in combined if r["debate_id"] == THIS)
    assert (this["title"], this["source_ref"]) == ("Widgets (Revised)", f"{url}?v=2#Overview")
    assert this["content_last_updated"] == datetime(2031, 4, 1)  # noqa: DTZ001
    # the parent's own body beats the row made from its child's Navigator; the body's null
    # fields (no Navigator in it, so no parent) are filled from the lower-ranked row
    parent_body = {
        "Overview": _overview(
            PARENT, "Fictional Affairs (Own) ", "hs_6bDepartment", "2031-03-07T00:00:00"
        ),
        "Navigator": [],
        "Items": [],
        "ChildDebates": [],
    }
    own = parse_debate(_input(parent_body, f"{API}/debates/debate/{PARENT}.json")).debates[0]
    from_tree = next(r for r in body if r["debate_id"] == PARENT)
    for rows in ([from_tree, own], [own, from_tree]):
        merged = combine_debates(rows)[0]
        assert (merged["title"], merged["source_ref"]) == (own["title"], own["source_ref"])
        assert merged["parent_debate_id"] == GRANDPARENT
    assert own["parent_debate_id"] is None
    frame(DEBATES, combined)


@pytest.mark.parametrize(("sent", "kept"), [(2, 2), ("BoundVolume", 3), (None, None)])
def test_overview_source_is_kept_as_the_integer_edition(sent: object, kept: object) -> None:
    overview = {
        "ExtId": "5E1F0000-0000-4000-8000-000000000001",
        "Title": " Harbour Dues ",
        "House": "Commons",
        "Location": "Commons Chamber",
        "Date": "2031-02-04T00:00:00",
        "Source": sent,
    }
    body = {"Overview": overview, "Navigator": [], "Items": [], "ChildDebates": []}
    data = json.dumps(body).encode()
    result = parse_debate(
        ApiInput(data, "http://127.0.0.1/debates/debate/x.json", "0" * 64, datetime.now(UTC))
    )
    assert result.rejects == []
    assert [(d["title"], d["hansard_edition"]) for d in result.debates] == [("Harbour Dues", kept)]
