"""Parse Hansard API response bodies into table rows (see reference hansard-api.md §3-5, §10).

Pure: bytes in, row dicts out (debates, contributions, rejects), ready for `schema.frame`.

* `parse_search_page`: a `/search/contributions/{Spoken|Written|…}.json` page. One contribution
  row per result item (ids as sent: `ContributionExtId`, `DebateSectionExtId`), one minimal
  debate row per debate section seen (title, house, location, date; tree and tags null).
* `parse_debate`: a `/debates/debate/{ExtId}.json` body. Debate rows only: the debate itself
  (from `Overview`), its ancestors (from `Navigator`) and its `ChildDebates`, recursively.
  `Items` are counted (`item_count`) but not turned into contributions: contributions come
  from the search pages, whose ids they share.
* `combine_debates`: one row per debate_id from rows of several inputs.

Bad input never raises: a body that is not JSON is one reject for the page; a result item
with a missing or ill-typed key, or with markup `hansard_text` does not know, is one reject
for that item (`source_ref` = URL#Results[i]) and the rest of the page still parses.

Columns (`column_start`/`column_end`). The number in a column-number span is the column that
STARTS there, and columns only grow through a debate, so:
1. a contribution that crosses a column span knows its own range: start = first span - 1 when
   text precedes the span (else the span's column), end = last span;
2. one that crosses none sits wholly on the column in effect at its start, which the page
   knows only when the previous contribution of the same debate on the page ended on a known
   column AND either it is the immediately preceding one (ordinal + 1: nothing unseen between)
   or the next span-crossing contribution of the debate on the page starts on that same column
   (bracketed: the column cannot have changed in between);
3. otherwise null. A member-filtered search returns one speaker's turns with gaps between
   them, so carrying a column across a gap would be a guess. `HansardSection` ("AV-AX",
   "BQ2-BR") is the daily part's printed page range in letter codes, not a column, and is
   kept as is in `hansard_section`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from transforms.common.speaker import split_display
from transforms.hansard_api.text import CleanText, MarkupError, clean_text
from transforms.schema import DEBATES, HOUSES

__all__ = [
    "SOURCE",
    "ApiInput",
    "ApiResult",
    "CleanText",
    "clean_text",
    "combine_debates",
    "parse_debate",
    "parse_search_page",
]

SOURCE = "hansard_api"

# The 19 keys of SearchReferencesItem (Swagger; all present in every real item). Keys not
# listed here are ignored; of these, only the REQUIRED ones must be present and non-null.
SEARCH_ITEM_KEYS = (
    "MemberName",
    "MemberId",
    "AttributedTo",
    "ItemId",
    "ContributionExtId",
    "ContributionText",  # a 255-character preview: never used for `text`
    "ContributionTextFull",
    "HRSTag",
    "HansardSection",
    "Timecode",
    "DebateSection",
    "DebateSectionId",
    "DebateSectionExtId",
    "SittingDate",
    "Section",
    "House",
    "OrderInDebateSection",
    "DebateSectionOrder",
    "Rank",
)
REQUIRED_SEARCH_KEYS = (
    "ContributionExtId",
    "DebateSectionExtId",
    "DebateSection",
    "SittingDate",
    "House",
    "Section",
    "OrderInDebateSection",
    "ContributionTextFull",
)
DEPARTMENT_TAG = "hs_6bdepartment"  # Navigator heading naming an oral-questions department
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
_WRITTEN_PATH = re.compile(r"/search/contributions/written(?:\.json)?/?$", re.I)
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?)?")


@dataclass(frozen=True)
class ApiInput:
    data: bytes  # the raw response body
    url: str  # full request URL incl. query (used in source_ref)
    raw_sha256: str
    received_at: datetime  # tz-aware UTC; becomes rejected_at


@dataclass
class ApiResult:
    debates: list[dict] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    total_results: int | None = None  # search envelope TotalResultCount (None for debate bodies)
    item_count: int = 0  # result items on a search page; `Items` of a debate body
    debate_ext_ids: list[str] = field(default_factory=list)  # search pages: distinct, in order


class _Bad(Exception):
    """A field problem in one object: becomes a reject row."""

    def __init__(self, reason: str, key: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.key, self.message = reason, key, message


# --- lenient values --------------------------------------------------------------------------


def parse_local_datetime(value: str) -> datetime:
    """ISO date-time without a zone, 0-7 fractional digits (the wire sends 0-3): naive."""
    m = _ISO.fullmatch(value)
    if not m:
        raise ValueError(f"not an ISO date-time without zone: {value!r}")
    day, clock, fraction = m.groups()
    clock = clock or "00:00:00"
    if len(clock) == 5:
        clock += ":00"
    micro = (fraction or "").ljust(6, "0")[:6]
    return datetime.fromisoformat(f"{day}T{clock}.{micro}")


def _get(obj: dict, key: str, kinds: tuple[type, ...], required: bool) -> Any:  # noqa: ANN401
    value = obj.get(key)
    if value is None:
        if required:
            raise _Bad("missing_field", key, "missing" if key not in obj else "null")
        return None
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = "/".join(k.__name__ for k in kinds)
        raise _Bad("malformed", key, f"expected {names}, got {type(value).__name__} {value!r:.60}")
    return value


def _int32(obj: dict, key: str, required: bool) -> int | None:
    value = _get(obj, key, (int,), required)
    if value is not None and not INT32_MIN <= value <= INT32_MAX:
        raise _Bad("malformed", key, f"{value} is out of the int32 range")
    return value


def _id(obj: dict, key: str) -> str:
    value = _get(obj, key, (str,), True)
    if not value.strip():
        raise _Bad("missing_field", key, "empty")
    return value


EDITIONS = {"RollingHansard": 1, "DailyHansard": 2, "BoundVolume": 3, "Historic": 4}


def _edition(overview: dict) -> int | None:
    """Overview.Source: an integer on the wire (2 in all real data), a name in the spec."""
    value = _get(overview, "Source", (int, str), False)
    if isinstance(value, str):
        if value not in EDITIONS:
            raise _Bad("malformed", "Source", f"unknown edition {value!r:.40}")
        return EDITIONS[value]
    if value is not None and not 0 <= value <= 32767:
        raise _Bad("malformed", "Source", f"{value} is out of range")
    return value


def _opt_str(obj: dict, key: str) -> str | None:
    return _get(obj, key, (str,), False) or None


def _datetime(obj: dict, key: str, required: bool) -> datetime | None:
    value = _get(obj, key, (str,), required)
    if value is None or (not required and not value.strip()):
        return None
    try:
        return parse_local_datetime(value)
    except ValueError as e:
        raise _Bad("malformed", key, str(e)) from None


def _house(obj: dict, key: str) -> str:
    value = _get(obj, key, (str,), True)
    if value not in HOUSES:
        raise _Bad("malformed", key, f"unknown house {value!r}")
    return value


def _place(obj: dict, key: str) -> str:
    value = _get(obj, key, (str,), True).strip()
    if not value:
        raise _Bad("missing_field", key, "empty")
    return value


def _reject(inp: ApiInput, ref: str, reason: str, detail: str) -> dict:
    return {
        "source": SOURCE,
        "source_ref": ref,
        "reason": reason,
        "detail": f"{ref}: {detail}",
        "rejected_at": inp.received_at,
        "raw_sha256": inp.raw_sha256,
    }


def _load(inp: ApiInput, result: ApiResult) -> Any:  # noqa: ANN401
    """The decoded JSON body, or None after adding a page reject."""
    if not inp.data.strip():
        result.rejects.append(_reject(inp, inp.url, "empty", "empty response body"))
        return None
    try:
        return json.loads(inp.data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        detail = f"body is not UTF-8 (byte {e.start}): not JSON"
    except json.JSONDecodeError as e:
        detail = f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
    except (ValueError, RecursionError) as e:  # an over-long number, absurd nesting
        detail = f"unreadable JSON: {type(e).__name__}: {str(e)[:120]}"
    result.rejects.append(_reject(inp, inp.url, "malformed", detail))
    return None


# --- search pages ----------------------------------------------------------------------------


@dataclass
class _Item:
    index: int
    raw: dict
    debate_id: str
    sitting_date: date
    ordinal: int
    clean: CleanText
    column_start: int | None = None
    column_end: int | None = None


def parse_search_page(inp: ApiInput) -> ApiResult:
    """Rows from one page of `/search/contributions/{type}.json`."""
    result = ApiResult()
    body = _load(inp, result)
    if body is None:
        return result
    if not isinstance(body, dict):
        detail = f"expected a JSON object (a search result), got {type(body).__name__}"
        result.rejects.append(_reject(inp, inp.url, "malformed", detail))
        return result
    total = body.get("TotalResultCount")
    result.total_results = total if isinstance(total, int) and not isinstance(total, bool) else None
    results = body.get("Results")
    if not isinstance(results, list):
        reason = "missing_field" if results is None else "malformed"
        result.rejects.append(_reject(inp, inp.url, reason, "no Results list in the envelope"))
        return result
    result.item_count = len(results)
    written = bool(_WRITTEN_PATH.search(urlsplit(inp.url).path))
    items: list[_Item] = []
    first_index: dict[str, int] = {}
    for i, raw in enumerate(results):
        item = _read_item(inp, result, i, raw)
        if item is None:
            continue
        ext_id = raw["ContributionExtId"]
        if ext_id in first_index:
            detail = f"ContributionExtId {ext_id} repeats Results[{first_index[ext_id]}]; dropped"
            result.rejects.append(_reject(inp, _ref(inp, i), "duplicate", detail))
            continue
        first_index[ext_id] = i
        items.append(item)
    _resolve_columns(items)
    seen: set[str] = set()
    for item in items:
        if item.debate_id not in seen:
            seen.add(item.debate_id)
            result.debates.append(_search_debate(inp, item))
        result.contributions.append(_contribution(inp, item, written))
    return result


def _ref(inp: ApiInput, i: int) -> str:
    return f"{inp.url}#Results[{i}]"


def _read_item(inp: ApiInput, result: ApiResult, i: int, raw: object) -> _Item | None:
    ref = _ref(inp, i)
    if not isinstance(raw, dict):
        detail = f"result item is {type(raw).__name__}, not an object"
        result.rejects.append(_reject(inp, ref, "malformed", detail))
        return None
    debate_id = raw.get("DebateSectionExtId")
    if isinstance(debate_id, str) and debate_id.strip() and debate_id not in result.debate_ext_ids:
        result.debate_ext_ids.append(debate_id)
    try:
        for key in REQUIRED_SEARCH_KEYS:  # the first missing one is named
            if raw.get(key) is None:
                raise _Bad("missing_field", key, "missing" if key not in raw else "null")
        item = _Item(
            index=i,
            raw=raw,
            debate_id=_id(raw, "DebateSectionExtId"),
            sitting_date=_datetime(raw, "SittingDate", True).date(),
            ordinal=_int32(raw, "OrderInDebateSection", True),
            clean=clean_text(_get(raw, "ContributionTextFull", (str,), True)),
        )
        _id(raw, "ContributionExtId")
        _house(raw, "House")
        _place(raw, "Section")
        _get(raw, "DebateSection", (str,), True)
        for key in ("MemberName", "AttributedTo", "HRSTag", "HansardSection"):
            _opt_str(raw, key)
        _int32(raw, "MemberId", False)
        _datetime(raw, "Timecode", False)
    except _Bad as bad:
        result.rejects.append(_reject(inp, ref, bad.reason, f"{bad.key}: {bad.message}"))
        return None
    except MarkupError as e:
        detail = f"ContributionTextFull: unknown markup {e.markup}; the item is not published"
        result.rejects.append(_reject(inp, ref, "unknown_markup", detail))
        return None
    if not item.clean.text:
        detail = "ContributionTextFull has no text once cleaned"
        result.rejects.append(_reject(inp, ref, "empty_body", detail))
        return None
    return item


def _resolve_columns(items: list[_Item]) -> None:
    """column_start/column_end per the rules in the module docstring."""
    debates: dict[str, list[_Item]] = {}
    for item in items:
        debates.setdefault(item.debate_id, []).append(item)
    for group in debates.values():
        group.sort(key=lambda it: (it.ordinal, it.index))
        last_col: int | None = None
        last_ord: int | None = None
        for n, item in enumerate(group):
            if item.clean.columns_seen:
                item.column_start, item.column_end = item.clean.column_start, item.clean.column_end
                last_col, last_ord = item.column_end, item.ordinal
                continue
            if last_col is None:
                continue
            following = next((it for it in group[n + 1 :] if it.clean.columns_seen), None)
            bracketed = following is not None and following.clean.column_start == last_col
            if item.ordinal == last_ord + 1 or bracketed:
                item.column_start = item.column_end = last_col
                last_ord = item.ordinal


def _search_debate(inp: ApiInput, item: _Item) -> dict:
    raw = item.raw
    return _debate_row(
        inp,
        debate_id=item.debate_id,
        house=raw["House"],
        location=raw["Section"].strip(),
        sitting_date=item.sitting_date,
        title=raw["DebateSection"].strip(),
        source_ref=_ref(inp, item.index),
    )


def _contribution(inp: ApiInput, item: _Item, written: bool) -> dict:
    raw = item.raw
    key = raw.get("MemberName") or None
    display = raw.get("AttributedTo") or key or ""
    parts = split_display(display, key)
    hrs_tag = raw.get("HRSTag") or None
    text = item.clean.text
    kind = "written" if written else "question" if hrs_tag == "Question" else "speech"
    return {
        "contribution_id": raw["ContributionExtId"],
        "debate_id": item.debate_id,
        "source": SOURCE,
        "source_ref": _ref(inp, item.index),
        "sitting_date": item.sitting_date,
        "sitting_year": item.sitting_date.year,
        "house": raw["House"],
        "location": raw["Section"].strip(),
        "ordinal": item.ordinal,
        "speaker_key": key,
        "speaker_display": display,
        "speaker_name": parts.name,
        "speaker_office": parts.office,
        "constituency": parts.constituency,
        "party": parts.party,
        "member_id": raw.get("MemberId") or None,
        "contribution_type": kind,
        "text": text,
        "word_count": len(text.split()),
        "is_virtual": False,
        "details_carried": False,
        "after_gap": False,
        "is_truncated": False,
        "hrs_tag": hrs_tag,
        "hansard_section": raw.get("HansardSection") or None,
        "column_start": item.column_start,
        "column_end": item.column_end,
        "question_number": item.clean.question_number,
        "timecode": _datetime(raw, "Timecode", False),
        "raw_sha256": inp.raw_sha256,
    }


def _debate_row(inp: ApiInput, **values: Any) -> dict:  # noqa: ANN401
    row: dict[str, Any] = dict.fromkeys(DEBATES.column_names)
    row.update(source=SOURCE, raw_sha256=inp.raw_sha256)
    row.update(values)
    date_ = row["sitting_date"]
    row["sitting_year"] = date_.year
    return row


# --- debate bodies ---------------------------------------------------------------------------


def parse_debate(inp: ApiInput) -> ApiResult:
    """Debate rows from one `/debates/debate/{ExtId}.json` body (one row per debate_id)."""
    result = ApiResult()
    body = _load(inp, result)
    if body is None:
        return result
    if not isinstance(body, dict):
        detail = f"expected a JSON object (Debate), got {type(body).__name__}"
        result.rejects.append(_reject(inp, inp.url, "malformed", detail))
        return result
    items = body.get("Items")
    result.item_count = len(items) if isinstance(items, list) else 0
    rows: list[dict] = []
    _read_debate(inp, result, rows, body, "#", None)
    result.debates = combine_debates(rows)
    return result


def _list(inp: ApiInput, result: ApiResult, obj: dict, key: str, where: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        detail = f"{key} is {type(value).__name__}, not a list; ignored"
        result.rejects.append(_reject(inp, f"{inp.url}{where}{key}", "malformed", detail))
        return []
    return value


def _read_debate(
    inp: ApiInput,
    result: ApiResult,
    rows: list[dict],
    body: dict,
    where: str,
    parent_id: str | None,
) -> None:
    """Rows for one Debate object (`where` is its JSON path prefix) and, recursively, its
    children; a bad Overview is one reject and its children are still read."""
    ref = f"{inp.url}{where}Overview"
    overview = body.get("Overview")
    ext_id: str | None = None
    try:
        if not isinstance(overview, dict):
            raise _Bad(
                "missing_field" if overview is None else "malformed", "Overview", "not an object"
            )
        ext_id = _id(overview, "ExtId")
        row = _debate_row(
            inp,
            debate_id=ext_id,
            house=_house(overview, "House"),
            location=_place(overview, "Location"),
            sitting_date=_datetime(overview, "Date", True).date(),
            title=_get(overview, "Title", (str,), True).strip(),
            hrs_tag=_opt_str(overview, "HRSTag"),
            hansard_edition=_edition(overview),
            content_last_updated=_datetime(overview, "ContentLastUpdated", False),
            parent_debate_id=parent_id,
            source_ref=ref,
        )
    except _Bad as bad:
        result.rejects.append(_reject(inp, ref, bad.reason, f"{bad.key}: {bad.message}"))
    else:
        rows.append(row)
        navigator = _list(inp, result, body, "Navigator", where)
        _read_navigator(inp, result, rows, row, navigator, where)
    for n, child in enumerate(_list(inp, result, body, "ChildDebates", where)):
        child_where = f"{where}ChildDebates[{n}]."
        if not isinstance(child, dict):
            detail = f"child debate is {type(child).__name__}, not an object"
            ref = f"{inp.url}{child_where.rstrip('.')}"
            result.rejects.append(_reject(inp, ref, "malformed", detail))
            continue
        _read_debate(inp, result, rows, child, child_where, ext_id)


@dataclass(frozen=True)
class _TreeItem:
    index: int
    id: int
    parent_id: int | None
    ext_id: str | None
    title: str
    hrs_tag: str | None


def _tree_items(inp: ApiInput, result: ApiResult, navigator: list, where: str) -> list[_TreeItem]:
    items = []
    for j, raw in enumerate(navigator):
        ref = f"{inp.url}{where}Navigator[{j}]"
        try:
            if not isinstance(raw, dict):
                raise _Bad("malformed", "SectionTreeItem", f"{type(raw).__name__}, not an object")
            items.append(
                _TreeItem(
                    index=j,
                    id=_get(raw, "Id", (int,), True),
                    parent_id=_get(raw, "ParentId", (int,), False),
                    ext_id=_opt_str(raw, "ExternalId"),
                    title=(_opt_str(raw, "Title") or "").strip(),
                    hrs_tag=_opt_str(raw, "HRSTag"),
                )
            )
        except _Bad as bad:
            result.rejects.append(_reject(inp, ref, bad.reason, f"{bad.key}: {bad.message}"))
    return items


def _read_navigator(
    inp: ApiInput, result: ApiResult, rows: list[dict], row: dict, navigator: list, where: str
) -> None:
    """Set the debate's parent (and department) from the tree; its ancestors become rows."""
    items = _tree_items(inp, result, navigator, where)
    by_id = {it.id: it for it in reversed(items)}  # first wins on a repeated Id
    own_key = row["debate_id"].upper()
    me = next((it for it in items if (it.ext_id or "").upper() == own_key), None)
    if me is None:
        return
    chain: list[_TreeItem] = []  # ancestors, nearest first
    seen = {me.id}
    node = me
    while node.parent_id is not None and node.parent_id in by_id:
        node = by_id[node.parent_id]
        if node.id in seen:  # a cycle: stop
            break
        seen.add(node.id)
        chain.append(node)
    linked = [it for it in chain if it.ext_id and it.ext_id.strip()]  # "" links mean none
    if row["parent_debate_id"] is None and linked:
        row["parent_debate_id"] = linked[0].ext_id
    row["department"] = _department(chain)
    for n, anc in enumerate(linked):
        rows.append(
            _debate_row(
                inp,
                debate_id=anc.ext_id,
                house=row["house"],
                location=row["location"],
                sitting_date=row["sitting_date"],
                title=anc.title,
                hrs_tag=anc.hrs_tag,
                department=_department(chain[chain.index(anc) + 1 :]),
                parent_debate_id=linked[n + 1].ext_id if n + 1 < len(linked) else None,
                source_ref=f"{inp.url}{where}Navigator[{anc.index}]",
            )
        )


def _department(ancestors: list[_TreeItem]) -> str | None:
    """Title of the nearest ancestor heading tagged hs_6bDepartment (oral questions)."""
    for anc in ancestors:
        if (anc.hrs_tag or "").lower() == DEPARTMENT_TAG and anc.title:
            return anc.title
    return None


# --- combining -------------------------------------------------------------------------------


def _rank(row: dict) -> int:
    """2: a debate body's Overview (has content_last_updated); 1: a tree heading (hrs_tag);
    0: the minimal row made from search items."""
    if row.get("content_last_updated") is not None:
        return 2
    return 1 if row.get("hrs_tag") is not None else 0


def _preferred(rows: list[dict]) -> list[dict]:
    """Best first: higher rank, then newer content_last_updated, then source_ref, raw_sha256."""
    ordered = sorted(rows, key=lambda r: (r.get("source_ref") or "", r.get("raw_sha256") or ""))
    dated = [r for r in ordered if r.get("content_last_updated") is not None]
    undated = [r for r in ordered if r.get("content_last_updated") is None]
    dated.sort(key=lambda r: r["content_last_updated"], reverse=True)  # stable: ties keep order
    return sorted(dated + undated, key=lambda r: -_rank(r))


def combine_debates(rows: list[dict]) -> list[dict]:
    """One row per debate_id, whatever the input order: the best row (a debate body over a tree
    heading over a search item; then the newest content_last_updated; then source_ref) is kept
    whole, and its null fields are filled from rows of a lower rank. Sorted by debate_id."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["debate_id"], []).append(row)
    combined = []
    for debate_id in sorted(groups):
        ordered = _preferred(groups[debate_id])
        best = dict(ordered[0])
        best_rank = _rank(best)
        for other in ordered[1:]:
            if _rank(other) == best_rank:
                continue
            for name in DEBATES.column_names:
                if best.get(name) is None and other.get(name) is not None:
                    best[name] = other[name]
        combined.append(best)
    return combined
