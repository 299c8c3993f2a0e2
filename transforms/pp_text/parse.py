"""Parse one Parallel Parliament transcript page (structured "Portrait" text) into table rows.

Pure: bytes in, row dicts out (debates, contributions, rejects), ready for `schema.frame`.
A page is cut into regions at its speaker lines ("<Key> Portrait <Display>" followed by a
marker line). The region before the first speaker, and the tail of any speech body that holds a
new block header, are read by `pp_header`; the rest of each body is the speech, paragraph by
paragraph. Pages with no speaker lines are rejected, never guessed at (pp-text.md §3-5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from transforms.common.decode import DecodeError, decode_text
from transforms.common.ids import stable_id
from transforms.common.speaker import split_display
from transforms.pp_text.header import BlockHeader, Line, PageInfo, read_header, tail_start
from transforms.pp_text.lines import (
    LOCATION_HOUSE,
    MARKER_RE,
    PORTRAIT,
    Kind,
    classify,
    is_blank,
    looks_like_marker,
)
from transforms.pp_text.url import UrlHints, read_url

SOURCE = "pp_text"
_QUESTION = re.compile(r"(?:[QT]?\d+\.\s|To ask (?:His|Her) Majesty)")
_COMPLETE_ENDING = re.compile(r"[.?!”’)\]—]\s*$")  # pp-text.md §6, plus "]" ([Interruption.])
_FAMILY_D = re.compile(r'^".*" .+ - View Speech$', re.M)
_FAMILY_C = re.compile(r"^ {12}\S.*$", re.M)
_FAMILY_B = re.compile(
    r"^(?:Commons Chamber|Westminster Hall|Lords Chamber|Grand Committee)\S", re.M
)


@dataclass(frozen=True)
class PageInput:
    data: bytes
    ref: str  # file path or URL, used in every source_ref
    raw_sha256: str
    received_at: datetime


@dataclass
class PageResult:
    debates: list[dict] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


@dataclass
class _Turn:
    line: int
    key: str | None
    display: str
    marker: str
    paragraphs: list[str]
    after_gap: bool
    end_line: int  # line number of the last paragraph line (the marker line if none)


@dataclass
class _Block:
    header: BlockHeader
    turns: list[_Turn] = field(default_factory=list)


class _Page:
    """Per-page state while parsing: input, URL hints, page facts, and the rows made so far."""

    def __init__(self, page: PageInput, lines: list[str]) -> None:
        self.input = page
        self.lines = lines
        self.result = PageResult()
        self.info = PageInfo()
        self.hints = UrlHints("")
        self.known: dict[str, tuple[str | None, str | None]] = {}
        self.ordinals: dict[str, int] = {}
        self.seen: dict[tuple[str, str | None, str], int] = {}

    def ref(self, line: int) -> str:
        return f"{self.input.ref}:{line}"

    def reject(self, reason: str, line: int | None, detail: str) -> None:
        where = self.ref(line) if line else self.input.ref
        self.result.rejects.append(
            {
                "source": SOURCE,
                "source_ref": where,
                "reason": reason,
                "detail": f"{where}: {detail}",
                "rejected_at": self.input.received_at,
                "raw_sha256": self.input.raw_sha256,
            }
        )


def parse_page(page: PageInput) -> PageResult:
    text = decode_text(page.data)
    if isinstance(text, DecodeError):
        state = _Page(page, [])
        state.reject(text.reason, text.line, text.detail)
        return state.result
    state = _Page(page, text.split("\n"))
    _read_url_line(state)
    speakers = _speaker_lines(state)
    if not speakers:
        state.reject("no_speakers", None, _no_speaker_detail(text))
        return state.result
    for block in _blocks(state, speakers):
        _emit_block(state, block)
    return state.result


def _read_url_line(state: _Page) -> None:
    first = state.lines[0] if state.lines else ""
    if first.startswith("URL: "):
        state.hints = read_url(first[5:].strip())
        state.lines[0] = ""  # consumed
        state.info.department = state.hints.department


def _speaker_lines(state: _Page) -> list[int]:
    """0-based indexes of speaker lines: "<Key> Portrait <Display>" then a marker line."""
    lines = state.lines
    return [
        i for i in range(len(lines) - 1) if PORTRAIT in lines[i] and looks_like_marker(lines[i + 1])
    ]


def _no_speaker_detail(text: str) -> str:
    if _FAMILY_D.search(text):
        family = "a speeches list (family D: snippets, no debate or date)"
    elif _FAMILY_C.search(text):
        family = "whitespace-block text (family C: names without markers)"
    elif _FAMILY_B.search(text):
        family = "flattened text (family B: no speaker attribution)"
    else:
        family = "text with no recognisable structure"
    return (
        "no speaker lines ('<Key> Portrait <Display>' followed by a '- … Hansard …' marker); "
        f"the page looks like {family}. Unattributed text is not guessed at."
    )


def _numbered(state: _Page, start: int, stop: int) -> list[Line]:
    return [(i + 1, state.lines[i]) for i in range(start, stop)]


def _groups(lines: list[Line]) -> list[list[Line]]:
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if is_blank(line[1]):
            if current:
                groups.append(current)
            current = []
        else:
            current.append(line)
    if current:
        groups.append(current)
    return groups


def _blocks(state: _Page, speakers: list[int]) -> list[_Block]:
    last_line = _last_content_line(state)
    blocks = [_Block(read_header(_numbered(state, 0, speakers[0]), state.info, last_line))]
    after_gap = False
    for n, s in enumerate(speakers):
        stop = speakers[n + 1] if n + 1 < len(speakers) else len(state.lines)
        groups = _groups(_numbered(state, s + 2, stop))
        tail = tail_start(groups, last_line)
        body = groups if tail is None else groups[:tail]
        next_gap = bool(body) and len(body[-1]) == 1 and classify(body[-1][0][1]) is Kind.LATER
        if next_gap:
            body = body[:-1]
        key, _, display = state.lines[s].partition(PORTRAIT)
        blocks[-1].turns.append(
            _Turn(
                line=s + 1,
                key=None if key == "None" else key,
                display=display,
                marker=state.lines[s + 1],
                paragraphs=["\n".join(t for _, t in g) for g in body],
                after_gap=after_gap,
                end_line=body[-1][-1][0] if body else s + 2,
            )
        )
        after_gap = next_gap
        if tail is not None:
            header_lines = [line for g in groups[tail:] for line in g]
            blocks.append(_Block(read_header(header_lines, state.info, last_line)))
    return blocks


def _complete_header(state: _Page, head: BlockHeader) -> tuple[str | None, list[str]]:
    """Fill gaps from the page header and the URL; return the House and what is still
    unknown. Nothing is guessed: a listing's dates, a URL slug or the speakers never fill in."""
    head.title = head.title or state.info.title or state.hints.title or head.stage
    head.sitting_date = head.sitting_date or state.hints.sitting_date
    head.location = head.location or state.hints.location
    house = LOCATION_HOUSE[head.location] if head.location else state.hints.house
    missing = [
        name
        for name, value in (
            ("sitting date", head.sitting_date),
            ("House", house),
            ("location", head.location),
            ("title", head.title),
        )
        if value is None
    ]
    return house, missing


def _emit_block(state: _Page, block: _Block) -> None:
    head = block.header
    label = f"block at line {head.line}"
    if head.errors:
        state.reject("unknown_line", head.line, f"{label}: " + "; ".join(head.errors))
        return
    if not block.turns:
        state.reject(
            "truncated",
            head.line,
            f"{label} ({head.title or 'untitled'}) has no speech: the page ends inside it",
        )
        return
    house, missing = _complete_header(state, head)
    fields = (house, head.location, head.sitting_date, head.title)
    if missing:
        state.reject(
            "header_incomplete",
            head.line,
            f"{label}: no {', '.join(missing)} in the block, the page header or the URL; its "
            f"{len(block.turns)} speaker block(s) are kept with that left null "
            "(header_incomplete = true)",
        )
        # unique to this page's block: an incomplete header is not evidence of one debate
        debate_id = stable_id("pp", *fields, state.input.raw_sha256, head.line)
    else:
        debate_id = stable_id("pp", *fields)
    year = head.sitting_date.year if head.sitting_date else None
    state.result.debates.append(
        {
            "debate_id": debate_id,
            "source": SOURCE,
            "house": house,
            "location": head.location,
            "sitting_date": head.sitting_date,
            "sitting_year": year,
            "title": head.title,
            "department": state.info.department,
            "stage": head.stage,
            "parent_debate_id": None,
            "source_ref": state.ref(head.line),
            "raw_sha256": state.input.raw_sha256,
            "header_incomplete": bool(missing),
        }
    )
    for turn in block.turns:
        _emit_turn(state, turn, debate_id, house, head, bool(missing))


def _emit_turn(
    state: _Page,
    turn: _Turn,
    debate_id: str,
    house: str | None,
    head: BlockHeader,
    incomplete: bool,
) -> None:
    if not MARKER_RE.fullmatch(turn.marker):
        state.reject("unknown_line", turn.line + 1, f"unknown marker line {turn.marker[:80]!r}")
        return
    if not turn.paragraphs and turn.key is not None:
        at_end = turn.end_line >= _last_content_line(state)
        state.reject(
            "truncated" if at_end else "empty_body",
            turn.line,
            f"speaker line {turn.display[:80]!r} has no speech"
            + (": the page ends after its marker" if at_end else ""),
        )
        return
    parts = split_display(turn.display, turn.key)
    constituency, party, carried = _carry_details(state, turn.key, parts.constituency, parts.party)
    text = "\n\n".join(turn.paragraphs)
    occurrence_key = (debate_id, turn.key, text)
    occurrence = state.seen.get(occurrence_key, 0)
    state.seen[occurrence_key] = occurrence + 1
    ordinal = state.ordinals.get(debate_id, 0) + 1
    state.ordinals[debate_id] = ordinal
    truncated = _is_cut(state, turn)
    row_id = stable_id("pp", debate_id, turn.key, text, occurrence)
    if truncated:
        state.reject(
            "truncated",
            turn.line,
            f"the page ends mid-paragraph in {turn.display[:60]!r}'s speech; the contribution "
            f"is kept ({row_id}) with is_truncated = true",
        )
    state.result.contributions.append(
        {
            "contribution_id": row_id,
            "debate_id": debate_id,
            "source": SOURCE,
            "source_ref": state.ref(turn.line),
            "sitting_date": head.sitting_date,
            "sitting_year": head.sitting_date.year if head.sitting_date else None,
            "house": house,
            "location": head.location,
            "ordinal": ordinal,
            "speaker_key": turn.key,
            "speaker_display": turn.display,
            "speaker_name": parts.name,
            "speaker_office": parts.office,
            "constituency": constituency,
            "party": party,
            "member_id": None,
            "contribution_type": _contribution_type(turn),
            "text": text,
            "word_count": len(text.split()),
            "is_virtual": parts.is_virtual,
            "details_carried": carried,
            "after_gap": turn.after_gap,
            "is_truncated": truncated,
            "header_incomplete": incomplete,
            "raw_sha256": state.input.raw_sha256,
        }
    )


def _carry_details(
    state: _Page, key: str | None, constituency: str | None, party: str | None
) -> tuple[str | None, str | None, bool]:
    """A constituency/party printed once on a page applies to that speaker's later blocks."""
    if key is None:
        return constituency, party, False
    known_constituency, known_party = state.known.get(key, (None, None))
    carried = (constituency is None and known_constituency is not None) or (
        party is None and known_party is not None
    )
    constituency = constituency or known_constituency
    party = party or known_party
    state.known[key] = (constituency, party)
    return constituency, party, carried


def _contribution_type(turn: _Turn) -> str:
    if turn.key is None:
        return "collective"
    if turn.paragraphs and _QUESTION.match(turn.paragraphs[0]):
        return "question"
    return "speech"


def _last_content_line(state: _Page) -> int:
    for i in range(len(state.lines) - 1, -1, -1):
        if not is_blank(state.lines[i]):
            return i + 1
    return 0


def _is_cut(state: _Page, turn: _Turn) -> bool:
    """The page's last speech ends mid-paragraph (a final em dash is an interruption)."""
    if not turn.paragraphs or turn.end_line != _last_content_line(state):
        return False
    return not _COMPLETE_ENDING.search(turn.paragraphs[-1])
