"""Every skeleton page in the real corpus (corpus/pp-text/), parsed and checked field by field.

The expected values below were decided by reading each file with `cat -A` against
reference/pp-text.md, not copied from parser output. Speech prose in the skeletons is
replaced by ⟨…⟩ placeholders, so every paragraph of every contribution must be exactly one
placeholder: any header, listing or stage line that leaked into a speech fails that check.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import corpus_path
from transforms.common.speaker import SpeakerParts, split_display
from transforms.pp_text.parse import PageInput, PageResult, parse_page
from transforms.schema import CONTRIBUTIONS, DEBATES, REJECTS, frame

RECEIVED = datetime(2025, 6, 18, 9, 30, tzinfo=UTC)
PLACEHOLDER = re.compile(r"⟨[^⟨⟩\n]+⟩")
CC, LC = "Commons Chamber", "Lords Chamber"


@dataclass(frozen=True)
class Turn:
    """One expected contribution: its speaker line number and the speaker fields."""

    line: int
    key: str | None
    name: str | None
    office: str | None = None
    constituency: str | None = None
    party: str | None = None
    debate: int = 0  # index into Page.debates
    paragraphs: int = 1
    gap: bool = False  # right after "--- Later in debate ---"
    carried: bool = False  # constituency/party taken from an earlier block on the page


@dataclass(frozen=True)
class Page:
    file: str
    # (title, sitting_date, location, house, department) per debate, in page order
    debates: tuple[tuple[str, date, str, str, str | None], ...] = ()
    turns: tuple[Turn, ...] = ()
    # (reason, line of source_ref or None for the whole page)
    rejects: tuple[tuple[str, int | None], ...] = ()
    ends_in_cut: bool = False
    stages: tuple[str | None, ...] | None = None  # per debate; None = no stage anywhere
    family: str | None = None  # B, C or D for pages with no speaker lines
    listing: tuple[int, int] | None = None  # (first, last) line of the listing preamble


def none_portrait(line: int, **kw: object) -> Turn:
    return Turn(line, None, None, paragraphs=0, **kw)  # type: ignore[arg-type]


FCDO_PUSS = (
    "The Parliamentary Under-Secretary of State for Foreign, Commonwealth and Development Affairs"
)
DCMS_PUSS = "The Parliamentary Under-Secretary of State for Culture, Media and Sport"
DEFRA_PUSS = "The Parliamentary Under-Secretary of State for Environment, Food and Rural Affairs"

PAGES = (
    Page(
        "001_vicky-ford_commons_2022-09-06_oral-answers.txt",
        debates=(("Oral Answers to Questions", date(2022, 9, 6), CC, "Commons", None),),
        turns=(
            Turn(14, "Sam Tarry", "Sam Tarry", None, "Ilford South", "Lab"),
            Turn(19, "Vicky Ford", "Vicky Ford", FCDO_PUSS),
            Turn(24, "Sam Tarry", "Sam Tarry", None, "Ilford South", "Lab", carried=True),
            Turn(29, "Vicky Ford", "Vicky Ford"),
        ),
        rejects=(("truncated", 29),),
        ends_in_cut=True,
    ),
    Page(
        "002_hywel-williams_dept-fcdo_p4_flat.txt",
        rejects=(("no_speakers", None),),
        family="B",
    ),
    Page(
        "010_julie-cooper-vs-valerie-vaz_wh_wsblock.txt",
        rejects=(("no_speakers", None),),
        family="C",
    ),
    Page(
        "020_lindsay-hoyle_dept-cabinet-office_p22.txt",
        debates=(("Personal Statement", date(2020, 2, 26), CC, "Commons", "Cabinet Office"),),
        turns=(
            Turn(22, "Lindsay Hoyle", "Lindsay Hoyle", "Mr Speaker"),
            Turn(28, "Boris Johnson", "Boris Johnson", "The Prime Minister", gap=True),
            Turn(33, "Lindsay Hoyle", "Lindsay Hoyle", "Mr Speaker"),
            none_portrait(38),
            Turn(41, "Lindsay Hoyle", "Lindsay Hoyle", "Mr Speaker"),
        ),
        # the page ends in the second block's nav line ("Read Han"): the block has no speech;
        # line 46 is that block's title ("Oral Answers to Questions")
        rejects=(("truncated", 46),),
        listing=(5, 11),
    ),
    Page(
        "023_debate_2016-06-09_oral-answers_ministerial-extracts.txt",
        debates=(("Oral Answers to Questions", date(2016, 6, 9), CC, "Commons", None),),
        turns=(
            Turn(
                16,
                "Stephen Metcalfe",
                "Stephen Metcalfe",
                None,
                "South Basildon and East Thurrock",
                "Con",
            ),
            Turn(21, "David Evennett", "Mr David Evennett", DCMS_PUSS),
            Turn(
                26,
                "Stephen Metcalfe",
                "Stephen Metcalfe",
                None,
                "South Basildon and East Thurrock",
                "Con",
                carried=True,
            ),
            Turn(31, "David Evennett", "Mr Evennett"),
        ),
        rejects=(("truncated", 31),),
        ends_in_cut=True,
    ),
    Page(
        "025_victoria-prentis_pbc_agriculture-bill-11th-sitting.txt",
        debates=(
            (
                "Agriculture Bill (Eleventh Sitting)",
                date(2020, 3, 5),
                "Public Bill Committees",
                "Commons",
                None,
            ),
        ),
        stages=("Committee stage & Committee Debate: 11th sitting: House of Commons",),
        turns=(
            Turn(12, "Deidre Brock", "Deidre Brock"),
            Turn(17, "Victoria Prentis", "Victoria Prentis", DEFRA_PUSS, paragraphs=3),
        ),
        rejects=(("truncated", 17),),
        ends_in_cut=True,
    ),
    Page(
        "042_baroness-meacher_lords_2015-10-26_tax-credits.txt",
        debates=(
            (
                "Tax Credits (Income Thresholds and Determination of Rates) (Amendment) "
                "Regulations 2015",
                date(2015, 10, 26),
                LC,
                "Lords",
                "Ministry of Defence",  # wrong on the page, kept as printed
            ),
        ),
        turns=(
            Turn(19, "Baroness D'Souza", "Baroness D'Souza", "The Lord Speaker"),
            Turn(24, "Baroness Meacher", "Baroness Meacher", party="CB", paragraphs=2),
        ),
        rejects=(("truncated", 24),),
        ends_in_cut=True,
    ),
    Page(
        "043_lord-grocott_dept-dit_speeches-list.txt",
        rejects=(("no_speakers", None),),
        family="D",
    ),
    Page(
        "054_john-spellar_commons_2013-03-06_sittings-of-the-house.txt",
        debates=(
            (
                "Sittings of the House (22 March)",
                date(2013, 3, 6),
                CC,
                "Commons",
                "Leader of the House",
            ),
        ),
        turns=(
            Turn(
                19,
                "Lord Lansley",
                "Mr Andrew Lansley",
                "The Leader of the House of Commons",
                paragraphs=3,
            ),
            Turn(28, "John Spellar", "Mr John Spellar", None, "Warley", "Lab"),
            Turn(33, "Lord Lansley", "Mr Lansley"),
            Turn(38, "John Spellar", "Mr Spellar", None, "Warley", "Lab", carried=True),
            Turn(43, "Lord Lansley", "Mr Lansley"),
        ),
        rejects=(("truncated", 43),),
        ends_in_cut=True,
    ),
    Page(
        "061_baroness-anelay_lords_2010-07-20_business.txt",
        debates=(("Business", date(2010, 7, 20), LC, "Lords", None),),
        turns=(
            Turn(18, "Baroness Anelay of St Johns", "Baroness Anelay of St Johns"),
            Turn(23, "Baroness Farrington of Ribbleton", "Baroness Farrington of Ribbleton"),
            Turn(29, "Baroness Anelay of St Johns", "Baroness Anelay of St Johns", gap=True),
        ),
        rejects=(("truncated", 29),),
        ends_in_cut=True,
    ),
    Page(
        "079_baroness-jones-of-moulsecoomb_dept-dft_p3.txt",
        debates=(
            (
                "Great British Railway Plans",
                date(2021, 6, 22),
                LC,
                "Lords",
                "Department for Transport",
            ),
            (
                "Railway Industry Association Report",
                date(2021, 5, 18),
                LC,
                "Lords",
                "Department for Transport",
            ),
        ),
        turns=(
            # the party is printed on every block (Lords): nothing is carried
            Turn(14, "Baroness Vere of Norbiton", "Baroness Vere of Norbiton", party="Con"),
            Turn(19, "Baroness Jones of Moulsecoomb", "Baroness Jones of Moulsecoomb", party="GP"),
            Turn(24, "Baroness Vere of Norbiton", "Baroness Vere of Norbiton", party="Con"),
            Turn(
                38, "Baroness Vere of Norbiton", "Baroness Vere of Norbiton", party="Con", debate=1
            ),
        ),
        rejects=(("truncated", 38),),
        ends_in_cut=True,
    ),
    Page(
        "087_jim-shannon_dept-nio_p6_variant-b.txt",
        debates=(
            ("St Patrick\u2019s Day", date(2020, 3, 17), CC, "Commons", "Northern Ireland Office"),
        ),
        turns=(
            Turn(36, "Jim Shannon", "Jim Shannon", None, "Strangford", "DUP"),
            # same speaker twice in a row: two contributions, not merged
            Turn(41, "Jim Shannon", "Jim Shannon", None, "Strangford", "DUP", carried=True),
            Turn(46, "Gregory Campbell", "Mr Campbell"),
            Turn(51, "Jim Shannon", "Jim Shannon", None, "Strangford", "DUP", carried=True),
            Turn(56, "Kevin Brennan", "Kevin Brennan", None, "Cardiff West", "Lab"),
            Turn(61, "Jim Shannon", "Jim Shannon", None, "Strangford", "DUP", carried=True),
            Turn(66, "Kevin Brennan", "Kevin Brennan", None, "Cardiff West", "Lab", carried=True),
        ),
        rejects=(("truncated", 66),),
        ends_in_cut=True,
        listing=(5, 25),
    ),
    Page(
        "093_ian-blackford_commons_2019-07-24_oral-answers.txt",
        debates=(
            ("Oral Answers to Questions", date(2019, 7, 24), CC, "Commons", "Cabinet Office"),
        ),
        turns=(
            Turn(
                19,
                "Ian Blackford",
                "Ian Blackford",
                None,
                "Ross, Skye and Lochaber",
                "SNP",
                paragraphs=2,
            ),
            Turn(26, "Theresa May", "Theresa May", "The Prime Minister", paragraphs=2),
        ),
        rejects=(("truncated", 26),),
        ends_in_cut=True,
    ),
)
STRUCTURED = [p for p in PAGES if p.family is None]


def page_id(page: Page) -> str:
    return page.file.removesuffix(".txt")


def _read(page: Page) -> tuple[Path, bytes]:
    path = corpus_path("pp-text", page.file)
    return path, path.read_bytes()


_CACHE: dict[str, tuple[Path, list[str], PageResult]] = {}


def parsed(page: Page) -> tuple[Path, list[str], PageResult]:
    """(path, file lines, parse result) for a page; the parse is pure, so cache it."""
    if page.file not in _CACHE:
        path, data = _read(page)
        result = parse_page(PageInput(data, str(path), hashlib.sha256(data).hexdigest(), RECEIVED))
        _CACHE[page.file] = (path, data.decode("utf-8").split("\n"), result)
    return _CACHE[page.file]


@pytest.mark.corpus
def test_every_corpus_file_is_covered() -> None:
    folder = corpus_path("pp-text")
    assert sorted(p.name for p in folder.glob("*.txt")) == sorted(p.file for p in PAGES)


# --- per page ------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_debates(page: Page) -> None:
    path, _, result = parsed(page)
    got = [
        (d["title"], d["sitting_date"], d["location"], d["house"], d["department"])
        for d in result.debates
    ]
    assert got == list(page.debates)
    stages = page.stages or (None,) * len(page.debates)
    assert [d["stage"] for d in result.debates] == list(stages)
    for d in result.debates:
        assert d["sitting_year"] == d["sitting_date"].year
        assert d["source"] == "pp_text"
        assert d["parent_debate_id"] is None
        assert d["source_ref"].startswith(f"{path}:")
    assert len({d["debate_id"] for d in result.debates}) == len(result.debates)


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_speaker_segmentation(page: Page) -> None:
    path, lines, result = parsed(page)
    rows = result.contributions
    got = [
        (r["speaker_key"], r["speaker_name"], r["speaker_office"], r["constituency"], r["party"])
        for r in rows
    ]
    want = [(t.key, t.name, t.office, t.constituency, t.party) for t in page.turns]
    assert got == want
    assert [r["source_ref"] for r in rows] == [f"{path}:{t.line}" for t in page.turns]
    for r, t in zip(rows, page.turns, strict=True):
        # the speaker line as printed in the file, split by hand at the first " Portrait "
        key, sep, display = lines[t.line - 1].partition(" Portrait ")
        assert sep, f"line {t.line} is not a speaker line"
        assert r["speaker_display"] == display
        assert r["speaker_key"] == (None if key == "None" else key)
        assert r["is_virtual"] is False
        assert r["member_id"] is None


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_contributions_belong_to_their_debate_in_order(page: Page) -> None:
    _, _, result = parsed(page)
    debates = result.debates
    rows = result.contributions
    assert [r["debate_id"] for r in rows] == [debates[t.debate]["debate_id"] for t in page.turns]
    for n, d in enumerate(debates):
        mine = [r for r in rows if r["debate_id"] == d["debate_id"]]
        assert [r["ordinal"] for r in mine] == list(range(1, len(mine) + 1)), f"debate {n}"
        for r in mine:
            assert (r["sitting_date"], r["sitting_year"], r["house"], r["location"]) == (
                d["sitting_date"],
                d["sitting_year"],
                d["house"],
                d["location"],
            )
            assert r["raw_sha256"] == d["raw_sha256"]
    ids = [r["contribution_id"] for r in rows]
    assert len(set(ids)) == len(ids), "identical placeholder texts still get distinct ids"


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_contribution_types_and_bodies(page: Page) -> None:
    _, _, result = parsed(page)
    for r, t in zip(result.contributions, page.turns, strict=True):
        if t.key is None:
            assert r["contribution_type"] == "collective"
            assert r["speaker_key"] is None and r["speaker_name"] is None
            assert r["text"] == "" and r["word_count"] == 0
            continue
        assert r["contribution_type"] in ("speech", "question")
        paragraphs = r["text"].split("\n\n")
        assert len(paragraphs) == t.paragraphs, f"line {t.line}"
        for p in paragraphs:
            assert PLACEHOLDER.fullmatch(p), f"line {t.line}: not one placeholder: {p[:60]!r}"
        assert r["word_count"] == len(r["text"].split())


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_after_gap_and_details_carried(page: Page) -> None:
    _, lines, result = parsed(page)
    rows = result.contributions
    assert [r["after_gap"] for r in rows] == [t.gap for t in page.turns]
    assert [r["details_carried"] for r in rows] == [t.carried for t in page.turns]
    # the file agrees: a gap row's speaker line comes right after "--- Later in debate ---"
    for t in page.turns:
        assert (lines[t.line - 2] == "--- Later in debate ---") is t.gap


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_truncation(page: Page) -> None:
    _, lines, result = parsed(page)
    last_content = next(line for line in reversed(lines) if line.strip())
    # the file itself: ends in a CUT placeholder exactly when we say so
    assert (PLACEHOLDER.fullmatch(last_content) is not None and "CUT" in last_content) is (
        page.ends_in_cut
    )
    flags = [r["is_truncated"] for r in result.contributions]
    want = [False] * len(page.turns)
    if page.ends_in_cut:
        want[-1] = True
        assert "CUT" in result.contributions[-1]["text"].split("\n\n")[-1]
    assert flags == want


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_rejects(page: Page) -> None:
    path, _, result = parsed(page)
    got = [(j["reason"], j["source_ref"]) for j in result.rejects]
    want = [
        (reason, str(path) if line is None else f"{path}:{line}") for reason, line in page.rejects
    ]
    assert got == want
    for j in result.rejects:
        assert j["source"] == "pp_text"
        assert j["detail"].startswith(j["source_ref"])
        assert j["rejected_at"] == RECEIVED
        assert j["raw_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    if page.family is not None:
        assert result.debates == [] and result.contributions == []
        assert f"family {page.family}" in result.rejects[0]["detail"]


@pytest.mark.corpus
@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_rows_fit_the_schema(page: Page) -> None:
    _, _, result = parsed(page)
    assert frame(DEBATES, result.debates).height == len(page.debates)
    assert frame(CONTRIBUTIONS, result.contributions).height == len(page.turns)
    assert frame(REJECTS, result.rejects).height == len(page.rejects)


@pytest.mark.corpus
@pytest.mark.parametrize("page", [p for p in PAGES if p.listing], ids=page_id)
def test_listing_preamble_never_becomes_speech(page: Page) -> None:
    _, lines, result = parsed(page)
    first, last = page.listing  # type: ignore[misc]
    listing = [line for line in lines[first - 1 : last] if line.strip()]
    assert any(re.fullmatch(r"\w{3} \d{1,2}\w\w \w{3} \d{4}", line) for line in listing)
    texts = [r["text"] for r in result.contributions]
    for line in listing:
        assert not any(line in t for t in texts), line
    for sample in ("Fri 20th Dec 2019", "Tue 17th Mar 2020", "House of Commons", "&"):
        assert not any(sample in t for t in texts)
    # and the listing's items are not debates
    assert [d["title"] for d in result.debates] == [d[0] for d in page.debates]


@pytest.mark.corpus
def test_debate_of_a_multi_debate_page_starts_at_its_bare_title() -> None:
    page = next(p for p in PAGES if p.file.startswith("079_"))
    path, lines, result = parsed(page)
    assert lines[28] == result.debates[1]["title"]  # line 29: the bare title
    assert result.debates[1]["source_ref"] == f"{path}:29"
    assert all("Railway Industry" not in r["text"] for r in result.contributions)


# --- 079 cut short inside its second block header (derived in memory) ------------------------
#
# The page is cut at different points of lines 29-37 (title, Excerpts, date, age, location,
# nav). Expected each time: the first debate with its three contributions intact and not
# truncated, the second block reported once as 'truncated' at its title line (29), and no
# header text inside any speech.

CUTS_079 = [
    pytest.param(31, None, id="after-excerpts-line"),
    pytest.param(32, None, id="after-date-line"),
    pytest.param(32, 15, id="mid-date-line"),
    pytest.param(34, None, id="after-age-line"),
    pytest.param(34, 6, id="mid-age-line"),
    pytest.param(36, None, id="after-location-line"),
    pytest.param(36, 9, id="mid-location-line"),
    pytest.param(37, 8, id="mid-nav-line"),
    pytest.param(37, None, id="after-nav-line"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("line", "chars"), CUTS_079)
def test_079_cut_inside_second_block_header(line: int, chars: int | None) -> None:
    page = next(p for p in PAGES if p.file.startswith("079_"))
    _, lines, _ = parsed(page)
    kept = lines[: line - 1] + [lines[line - 1] if chars is None else lines[line - 1][:chars]]
    data = "\n".join(kept).encode()
    result = parse_page(PageInput(data, "cut.txt", hashlib.sha256(data).hexdigest(), RECEIVED))
    assert [d["title"] for d in result.debates] == ["Great British Railway Plans"]
    assert [r["source_ref"] for r in result.contributions] == [
        "cut.txt:14",
        "cut.txt:19",
        "cut.txt:24",
    ]
    assert [r["is_truncated"] for r in result.contributions] == [False, False, False]
    for r in result.contributions:
        assert all(PLACEHOLDER.fullmatch(p) for p in r["text"].split("\n\n"))
    assert [(j["reason"], j["source_ref"]) for j in result.rejects] == [("truncated", "cut.txt:29")]


# --- transforms.common.speaker.split_display on the display forms of pp-text.md §2.3 ---


def _parts(name, office=None, constituency=None, party=None, virtual=False) -> SpeakerParts:
    return SpeakerParts(name, office, constituency, party, virtual)


DISPLAYS = [
    pytest.param(
        "Sam Tarry (Ilford South) (Lab)",
        "Sam Tarry",
        _parts("Sam Tarry", None, "Ilford South", "Lab"),
        id="mp-first",
    ),
    pytest.param(
        "Mr John Spellar (Warley) (Lab)",
        "John Spellar",
        _parts("Mr John Spellar", None, "Warley", "Lab"),
        id="mp-first-with-title",
    ),
    pytest.param(
        "Ian Blackford (Ross, Skye and Lochaber) (SNP)",
        "Ian Blackford",
        _parts("Ian Blackford", None, "Ross, Skye and Lochaber", "SNP"),
        id="constituency-with-commas",
    ),
    pytest.param(
        "David Simmonds (Ruislip, Northwood and Pinner) (Con)",
        "David Simmonds",
        _parts("David Simmonds", None, "Ruislip, Northwood and Pinner", "Con"),
        id="constituency-with-commas-seed",
    ),
    pytest.param(
        "Stephen Doughty (Cardiff South and Penarth) (Lab/Co-op)",
        "Stephen Doughty",
        _parts("Stephen Doughty", None, "Cardiff South and Penarth", "Lab/Co-op"),
        id="party-with-slash",
    ),
    pytest.param(
        "Sam Tarry (Ilford South) (Lab) [V]",
        "Sam Tarry",
        _parts("Sam Tarry", None, "Ilford South", "Lab", virtual=True),
        id="virtual-mp",
    ),
    pytest.param(
        "The Prime Minister (Boris Johnson) [V]",
        "Boris Johnson",
        _parts("Boris Johnson", "The Prime Minister", virtual=True),
        id="virtual-office",
    ),
    pytest.param(
        "Lord Foulkes of Cumnock (Lab Co-op) [V]",
        "Lord Foulkes of Cumnock",
        _parts("Lord Foulkes of Cumnock", party="Lab Co-op", virtual=True),
        id="virtual-peer-party-with-space",
    ),
    pytest.param("Sam Tarry", "Sam Tarry", _parts("Sam Tarry"), id="name-alone"),
    pytest.param("Mr Lansley", "Lord Lansley", _parts("Mr Lansley"), id="short-form-key-differs"),
    pytest.param(
        "Sir Peter Bottomley (Worthing West)",
        "Peter Bottomley",
        _parts("Sir Peter Bottomley", constituency="Worthing West"),
        id="constituency-without-party",
    ),
    pytest.param(
        f"{FCDO_PUSS} (Vicky Ford)",
        "Vicky Ford",
        _parts("Vicky Ford", FCDO_PUSS),
        id="office-with-commas",
    ),
    pytest.param(
        "The Minister of State, Home Department (Mr Nick Hurd)",
        "Nick Hurd",
        _parts("Mr Nick Hurd", "The Minister of State, Home Department"),
        id="office-with-comma-after-state",
    ),
    pytest.param(
        "The Leader of the House of Commons (Mr Andrew Lansley)",
        "Lord Lansley",
        _parts("Mr Andrew Lansley", "The Leader of the House of Commons"),
        id="office-name-then-ennobled-key",
    ),
    pytest.param(
        "The Lord Speaker (Baroness D'Souza)",
        "Baroness D'Souza",
        _parts("Baroness D'Souza", "The Lord Speaker"),
        id="lord-speaker",
    ),
    pytest.param(
        "Madam Deputy Speaker (Dame Rosie Winterton)",
        "Rosie Winterton",
        _parts("Dame Rosie Winterton", "Madam Deputy Speaker"),
        id="deputy-speaker-with-name",
    ),
    pytest.param(
        "Mr Speaker",
        "Lindsay Hoyle",
        _parts("Lindsay Hoyle", "Mr Speaker"),
        id="mr-speaker-with-key",
    ),
    pytest.param(
        "Madam Deputy Speaker",
        "Eleanor Laing",
        _parts("Eleanor Laing", "Madam Deputy Speaker"),
        id="deputy-speaker-alone",
    ),
    pytest.param(
        "The Prime Minister",
        "Theresa May",
        _parts("Theresa May", "The Prime Minister"),
        id="office-alone",
    ),
    pytest.param(
        "Baroness Meacher (CB)",
        "Baroness Meacher",
        _parts("Baroness Meacher", party="CB"),
        id="peer-crossbench",
    ),
    pytest.param(
        "Baroness Jones of Moulsecoomb (GP)",
        "Baroness Jones of Moulsecoomb",
        _parts("Baroness Jones of Moulsecoomb", party="GP"),
        id="peer-green",
    ),
    pytest.param(
        "Baroness Anelay of St Johns",
        "Baroness Anelay of St Johns",
        _parts("Baroness Anelay of St Johns"),
        id="peer-without-party",
    ),
    pytest.param(
        "The Earl of Courtown (Con)",
        "Earl of Courtown",
        _parts("The Earl of Courtown", party="Con"),
        id="peer-style-not-office",
    ),
    pytest.param(
        "The Minister of State, Home Office (Lord Hanson of Flint) (Lab)",
        "Lord Hanson of Flint",
        _parts("Lord Hanson of Flint", "The Minister of State, Home Office", None, "Lab"),
        id="lords-minister-two-groups",
    ),
    pytest.param(
        "The Parliamentary Under-Secretary of State, Department for Transport "
        "(Baroness Vere of Norbiton) (Con)",
        "Baroness Vere of Norbiton",
        _parts(
            "Baroness Vere of Norbiton",
            "The Parliamentary Under-Secretary of State, Department for Transport",
            None,
            "Con",
        ),
        id="lords-minister-two-groups-commas",
    ),
    pytest.param(
        "The Lord Bishop of Chelmsford",
        "Bishop of Chelmsford",
        _parts("The Lord Bishop of Chelmsford"),
        id="lord-bishop",
    ),
    pytest.param(
        "Valerie Vaz (in the Chair)",
        "Valerie Vaz",
        _parts("Valerie Vaz", "in the Chair"),
        id="in-the-chair",
    ),
    pytest.param(
        "Alex Example (Exampleton North) (Workers)",
        "Alex Example",
        _parts("Alex Example", None, "Exampleton North", "Workers"),
        id="unknown-party-label-kept",
    ),
    pytest.param("Several hon. Members rose\u2014", None, _parts(None), id="none-portrait"),
]


@pytest.mark.parametrize(("display", "key", "want"), DISPLAYS)
def test_split_display(display: str, key: str | None, want: SpeakerParts) -> None:
    assert split_display(display, key) == want


def test_split_display_never_splits_on_commas() -> None:
    got = split_display("The Minister of State, Department for Transport (Lord Davies) (Lab)", "x")
    assert got.office == "The Minister of State, Department for Transport"
    assert got.name == "Lord Davies"
    assert got.constituency is None
