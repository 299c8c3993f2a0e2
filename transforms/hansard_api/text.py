"""Clean the HTML fragment of a Hansard API contribution (`ContributionTextFull`, item `Value`).

Pure: a string in, `CleanText` out (hansard-api.md §5). What the markup becomes:

* paragraphs: split on a blank line (`\\r\\n\\r\\n` on the wire) and at every `<p>`/`</p>`;
  joined with `\\n\\n`; empty paragraphs dropped; `<br>` is a line break inside a paragraph.
* `<span class="column-number…" data-column-number="N">` (also `column-hidden`/`column-only`):
  removed; N is recorded in `columns_seen` (the number only: "144WH" is 144, the series
  suffix WH/WS/GC follows from the location). A span marks the START of column N, so text before
  the first span is on column N-1: `column_start` is N-1 when any text precedes the first span,
  else N; `column_end` is the last N (both null when the text crosses no column).
* `<span class="cross-reference" data-column-number=…>`: the tags go, the text stays; its
  column belongs to ANOTHER debate (an earlier volume) and is never recorded.
* `<em>`: unwrapped (`<em>[</em><em>Laughter.</em><em>]</em>` -> `[Laughter.]`).
* `<Question HRSContentId=…>7. <QuestionText …>Whether …</QuestionText> </Question>`: the
  wrappers go ("7. Whether …"); the text before `<QuestionText>` gives `question_number`
  ("7", "Q15", "T2": as printed, without the full stop).
* entities: `html.unescape` on text only (after the tags are read, so `&lt;` stays text).
* whitespace: the run of spaces around a removed tag becomes one space (none if there was
  none); paragraph ends are stripped. Everything else (curly quotes, £, é, dashes) is kept.

Any other tag, a span of another class, or an unterminated `<tag` raises `MarkupError`
naming it: the caller rejects that one contribution (reason `unknown_markup`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# Tags whose meaning is known (seen in the 306 real items, or <p>/<br> in peers' `Value`).
KNOWN_TAGS = frozenset({"span", "em", "p", "br", "question", "questiontext"})
COLUMN_CLASS = "column-number"  # plus optional "column-hidden" / "column-only"
CROSS_REFERENCE_CLASS = "cross-reference"

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s[^<>]*?)?)\s*/?>")
_TAG_LIKE = re.compile(r"<[/!?A-Za-z]")
_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_EDGE = "\x00"  # marks where a tag was removed, until the whitespace around it is settled
_AROUND_EDGE = re.compile(r"[ \t]*\x00[ \t\x00]*")
_COLUMN_NUMBER = re.compile(r"(\d+)[A-Za-z]*")  # "718"; "144WH" in Westminster Hall
_MAX_COLUMN = 2**31 - 1  # column_start/column_end are int32
_QUESTION_NUMBER = re.compile(r"[A-Z]?\d+[A-Za-z]?")


class MarkupError(ValueError):
    """Markup this module does not know; `markup` names the tag (or the unparsed text)."""

    def __init__(self, markup: str) -> None:
        super().__init__(f"unknown markup {markup}")
        self.markup = markup


@dataclass(frozen=True)
class CleanText:
    text: str
    column_start: int | None  # from the text alone; the page may know better (hansard_api)
    column_end: int | None
    question_number: str | None
    columns_seen: tuple[int, ...] = ()
    text_before_first_column: bool = False  # some text precedes the first column span


@dataclass
class _State:
    paragraphs: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)  # roles of open elements
    columns: list[int] = field(default_factory=list)
    text_before_first_column: bool = False
    seen_text: bool = False
    question_prefix: list[str] | None = None  # collecting "7. " between the question tags
    question_number: str | None = None

    def edge(self) -> None:
        self.pieces.append(_EDGE)

    def add_text(self, raw: str) -> None:
        text = html.unescape(raw).replace(_EDGE, "")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.question_prefix is not None:
            self.question_prefix.append(text)
        if text.strip():
            self.seen_text = True
        parts = _BLANK_LINE.split(text)
        for n, part in enumerate(parts):
            if n:
                self.end_paragraph()
            self.pieces.append(part)

    def end_paragraph(self) -> None:
        joined = "".join(self.pieces)
        joined = _AROUND_EDGE.sub(lambda m: " " if m.group().strip(_EDGE) else "", joined)
        lines = [line.strip() for line in joined.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.paragraphs.append(paragraph)
        self.pieces = []


def _attrs(raw: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None)
        for m in _ATTR.finditer(raw)
    }


def _open_span(state: _State, attrs: dict[str, str]) -> str:
    classes = attrs.get("class", "").split()
    if CROSS_REFERENCE_CLASS in classes:
        return "xref"
    if COLUMN_CLASS in classes:
        number = _COLUMN_NUMBER.fullmatch(attrs.get("data-column-number", "").strip())
        # one that does not parse is dropped: the column is metadata, not text
        if number and int(number.group(1)) <= _MAX_COLUMN:
            if not state.columns:
                state.text_before_first_column = state.seen_text
            state.columns.append(int(number.group(1)))
        return "column"
    raise MarkupError(f'<span class="{attrs.get("class", "")}">')


def _open(state: _State, name: str, raw_attrs: str) -> None:
    if name == "br":
        state.pieces.append("\n")
        return
    if name == "p":
        state.end_paragraph()
        role = "p"
    elif name == "span":
        role = _open_span(state, _attrs(raw_attrs))
    elif name == "question":
        state.question_prefix = []
        role = name
    elif name == "questiontext":
        _close_question_prefix(state)
        role = name
    else:
        role = name
    state.edge()
    state.stack.append(role)


def _close_question_prefix(state: _State) -> None:
    if state.question_prefix is None:
        return
    prefix = "".join(state.question_prefix).strip().rstrip(".").strip()
    if _QUESTION_NUMBER.fullmatch(prefix) and state.question_number is None:
        state.question_number = prefix
    state.question_prefix = None


def _close(state: _State, name: str) -> None:
    if name == "p":
        state.end_paragraph()
    elif name in ("question", "questiontext"):
        _close_question_prefix(state)
    state.edge()
    # pop to the matching open element; a stray closing tag of a known name is ignored
    roles = {"span": ("xref", "column")}.get(name, (name,))
    for depth in range(len(state.stack) - 1, -1, -1):
        if state.stack[depth] in roles:
            del state.stack[depth:]
            break


def clean_text(value: str) -> CleanText:
    """Clean one fragment; raises MarkupError for markup outside KNOWN_TAGS."""
    state = _State()
    value = value.replace(_EDGE, "")
    pos = 0
    for m in _TAG.finditer(value):
        _text_between(state, value[pos : m.start()])
        pos = m.end()
        closing, name = m.group(1) == "/", m.group(2).lower()
        if name not in KNOWN_TAGS:
            raise MarkupError(f"<{'/' if closing else ''}{m.group(2)}>")
        if closing:
            _close(state, name)
        else:
            _open(state, name, m.group(3))
    _text_between(state, value[pos:])
    _close_question_prefix(state)
    state.end_paragraph()
    columns = tuple(state.columns)
    start = end = None
    if columns:
        first = columns[0]
        start = first - 1 if state.text_before_first_column and first > 1 else first
        end = columns[-1]
    return CleanText(
        text="\n\n".join(state.paragraphs),
        column_start=start,
        column_end=end,
        question_number=state.question_number,
        columns_seen=columns,
        text_before_first_column=state.text_before_first_column,
    )


def _text_between(state: _State, raw: str) -> None:
    stray = _TAG_LIKE.search(raw)
    if stray:
        raise MarkupError(f"unparsed {raw[stray.start() : stray.start() + 30]!r}")
    if raw:
        state.add_text(raw)
