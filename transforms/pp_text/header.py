"""Read the non-speech parts of a transcript page: page header, listing preamble, block headers.

A header region is a list of (line number, text) with blank lines kept. `split_header` finds
where the block header (title, "<Member> Excerpts", date, age, location, nav) starts; what is
before it is page furniture (the page title and department, PP's listing of debates) that must
never become speech. Every line must have a known shape, or the region is in error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from transforms.pp_text.lines import (
    IGNORED_KINDS,
    STRONG_KINDS,
    Kind,
    is_blank,
    match,
    may_be_strong,
    parse_date_line,
)

Line = tuple[int, str]
_ANCHORS = (Kind.EXCERPTS, Kind.MAIN_PAGE, Kind.LIMITED)
_TITLE_KINDS = (Kind.OTHER, Kind.STAGE, Kind.PAGE_TITLE)
_LISTING_KINDS = frozenset(
    {Kind.LIST_DATE, Kind.OTHER, Kind.LOCATION, Kind.STAGE, Kind.ADJOURNMENT, Kind.PAGE_TITLE}
)


@dataclass
class PageInfo:
    """Facts printed once per page that apply to its blocks."""

    title: str | None = None
    department: str | None = None


@dataclass
class BlockHeader:
    line: int
    title: str | None = None
    member: str | None = None
    stage: str | None = None
    sitting_date: date | None = None
    location: str | None = None
    truncated: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    no: int
    text: str
    kind: Kind
    groups: dict[str, str | None]


def _items(lines: list[Line]) -> list[_Item]:
    out = []
    for no, text in lines:
        if is_blank(text):
            continue
        kind, m = match(text)
        out.append(_Item(no, text, kind, m.groupdict() if m else {}))
    return out


def _block_start(items: list[_Item]) -> int:
    """Index of the first item of the block header; len(items) when there is none."""
    anchors = [i for i, it in enumerate(items) if it.kind in _ANCHORS]
    if anchors:
        start = anchors[-1]
        if start > 0 and items[start - 1].kind in _TITLE_KINDS:
            start -= 1
        return start
    for i, it in enumerate(items):
        if it.kind is Kind.DATE:
            return i - 1 if i > 0 and items[i - 1].kind is Kind.STAGE else i
    return len(items)


def read_page_furniture(items: list[_Item], page: PageInfo) -> list[str]:
    """Take the page title and department from the furniture; return unknown-line errors."""
    errors: list[str] = []
    listing = False
    for i, it in enumerate(items):
        nxt = items[i + 1].kind if i + 1 < len(items) else None
        if it.kind is Kind.PAGE_TITLE and nxt is Kind.FULL_DEBATE:
            page.title = it.groups["title"]
        elif it.kind is Kind.DEPARTMENT:
            page.department = it.groups["department"]
        elif it.kind is Kind.LISTING_HEAD:
            listing = True
            page.department = it.groups.get("department") or it.groups.get("department2")
        elif it.kind in IGNORED_KINDS or (listing and it.kind in _LISTING_KINDS):
            continue
        elif it.text == page.title:
            continue  # the title printed again under the page header
        else:
            errors.append(f"line {it.no}: unexpected {it.kind.value} {it.text[:80]!r}")
    return errors


def _read_block(items: list[_Item], last_line: int) -> BlockHeader:
    head = BlockHeader(line=items[0].no if items else last_line)
    for i, it in enumerate(items):
        if i == 0 and it.kind in _TITLE_KINDS and len(items) > 1 and items[1].kind in _ANCHORS:
            # "Business Debate" pages print the member's name, not a title, before Main Page
            if items[1].kind is not Kind.MAIN_PAGE:
                head.title = it.text
        elif it.kind in (Kind.EXCERPTS, Kind.MAIN_PAGE):
            head.member = it.groups.get("member") or it.groups.get("pair")
        elif it.kind is Kind.STAGE and head.stage is None:
            head.stage = it.text
        elif it.kind is Kind.DATE and head.sitting_date is None:
            head.sitting_date = parse_date_line(it.text)
        elif it.kind is Kind.LOCATION and head.location is None:
            head.location = it.text
        elif it.kind in IGNORED_KINDS:
            continue
        elif it.no == last_line:
            head.truncated = True  # the page ends inside this header line
        else:
            head.errors.append(f"line {it.no}: unexpected {it.kind.value} {it.text[:80]!r}")
    return head


def read_header(lines: list[Line], page: PageInfo, last_line: int) -> BlockHeader:
    """Read a header region: furniture first (updating `page`), then the block header."""
    items = _items(lines)
    start = _block_start(items)
    furniture_errors = read_page_furniture(items[:start], page)
    block = _read_block(items[start:], last_line)
    block.errors[:0] = furniture_errors
    return block


def tail_start(groups: list[list[Line]], last_line: int) -> int | None:
    """Where a block header begins inside a speech body (a group of strong lines), or None.

    The page's final line may be a header line cut short, so it is not held against a group.
    """
    for g, group in enumerate(groups):
        if not any(may_be_strong(text) for _, text in group):
            continue  # ordinary speech: skip the regexes
        kinds = [match(text)[0] for _, text in group]
        if not any(k in STRONG_KINDS for k in kinds):
            continue
        numbers = [no for no, _ in group]
        if any(k is Kind.OTHER and no != last_line for k, no in zip(kinds, numbers, strict=True)):
            continue
        if g > 0 and len(groups[g - 1]) == 1 and kinds[0] in (*_ANCHORS, Kind.FULL_DEBATE):
            return g - 1
        return g
    return None
