"""Parse one TheyWorkForYou / ParlParse XML day file into table rows (twfy-xml.md Part A).

Pure: bytes in, row dicts out (debates, contributions, divisions, division_votes, raw
redirects, rejects), ready for `schema.frame` once `twfy_versions` has chosen each day's
version and resolved redirect chains.

* The document is flat: headings are siblings of speeches. A `major-heading` is a debate at
  the top of the tree; a `minor-heading` is a debate whose parent is the last major heading
  (a major heading clears it); an `oral-heading` ("Oral Answers to Questions") is a top-level
  debate like a major heading. Speeches and divisions belong to the current minor heading,
  else the major one. Ids are the gids as printed.
* `speech`, and `ques`/`reply` in written answers, become contributions: paragraphs in order
  joined by a blank line, a table as one paragraph (rows on lines, cells split by tabs).
* Tag vocabularies are data (`CHILDREN`): every element is checked against its parent's
  list before any row is made, and an element not listed fails the whole file
  (`unknown_element`, naming the element, its parent and line). `IGNORED` subtrees
  (Public Bill Committee attendance) are skipped on purpose.
* Bad input never raises: an unreadable, hostile or malformed file is one reject; a missing
  id or repeated gid rejects that item; an odd time or column is null plus a `bad_value`
  reject.
"""

from __future__ import annotations

import re

from lxml import etree

from transforms.common.parlparse_members import Members
from transforms.common.xml_load import Loaded, clean, load_xml, text_of
from transforms.twfy_xml.divisions import VOTE_LISTS, read_division
from transforms.twfy_xml.files import SOURCE, DayFile, day_file
from transforms.twfy_xml.rows import FileState, TwfyInput, TwfyResult, make_reject

__all__ = ["SOURCE", "TwfyInput", "TwfyResult", "parse_file"]

HEADINGS = {"major-heading": "major", "minor-heading": "minor", "oral-heading": "oral"}
SPEECHES = frozenset({"speech", "ques", "reply"})
DIVISIONS = frozenset({"division", "divisioncount"})  # a top-level divisioncount: PBC
TOP_LEVEL = frozenset({*HEADINGS, *SPEECHES, *DIVISIONS, "gidredirect", "bill"})
IGNORED = frozenset({"committee"})  # PBC attendance: members present, chairs, clerks
INLINE = frozenset(
    {"phrase", "i", "I", "b", "a", "sup", "sub", "span", "em", "strong", "u", "br", "small"}
)
TABLE = frozenset({"table"})
CHILDREN: dict[str, frozenset[str]] = {
    "publicwhip": TOP_LEVEL | IGNORED,
    **dict.fromkeys(HEADINGS, INLINE),
    **dict.fromkeys(SPEECHES, frozenset({"p"}) | TABLE),
    **dict.fromkeys(INLINE, INLINE),
    "p": INLINE,
    "bill": INLINE,
    "table": frozenset({"thead", "tbody", "tr"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
    "td": INLINE,
    "th": INLINE,
    "division": frozenset({"divisioncount", *VOTE_LISTS}),
    "divisioncount": frozenset(VOTE_LISTS),
    **{lst: frozenset({voter}) for lst, voter in VOTE_LISTS.items()},
    **dict.fromkeys(VOTE_LISTS.values(), INLINE),
    "gidredirect": frozenset(),
}
# Printed speaker names that stand for several people (no person to resolve).
COLLECTIVE = re.compile(
    r"(?:several |some )?(?:(?:right )?hon\.?|honourable|noble) (?:members|lords|friends)"
    r"|members",
    re.I,
)


def parse_file(inp: TwfyInput, members: Members | None = None) -> TwfyResult:
    """Rows from one day file; `members` resolves member ids to people (none: only the
    person ids printed in modern files are kept)."""
    result = TwfyResult(inp.ref, inp.raw_sha256, inp.received_at)
    named = day_file(inp.ref)
    if not isinstance(named, DayFile):
        result.rejects.append(make_reject(inp, None, "unknown_file", named))
        return result
    result.file = named
    loaded = load_xml(inp.data)
    if not isinstance(loaded, Loaded):
        result.rejects.append(make_reject(inp, loaded.line, loaded.reason, loaded.detail))
        return result
    problem = check_vocabulary(loaded.root)
    if problem is not None:
        line, detail = problem
        result.rejects.append(make_reject(inp, line, "unknown_element", detail))
        return result
    latest = loaded.root.get("latest")
    result.latest = None if latest is None else latest == "yes"
    st = FileState(inp, named, loaded.entities, members or Members(), result)
    _read_items(st, loaded.root)
    result.parsed = True
    return result


def check_vocabulary(root: etree._Element) -> tuple[int | None, str] | None:
    """(line, detail) of the first element its parent does not allow; None when all known."""
    if root.tag != "publicwhip":
        return root.sourceline, f"root element <{root.tag}> is not <publicwhip>"
    stack = [root]
    while stack:  # depth first, in document order
        el = stack.pop()
        allowed = CHILDREN[el.tag]
        children = [c for c in el if not isinstance(c, etree._Entity)]
        for child in children:
            if child.tag not in allowed:
                where = f"<{el.tag}>" + (f" {el.get('id')}" if el.get("id") else "")
                return child.sourceline, (
                    f"unknown element <{child.tag}> inside {where} at line {child.sourceline}; "
                    f"the file is not published (known here: {', '.join(sorted(allowed))})"
                )
        if el is root:
            children = [c for c in children if c.tag not in IGNORED]
        stack.extend(reversed(children))
    return None


def _read_items(st: FileState, root: etree._Element) -> None:
    bill_title = None
    for el in root:
        if isinstance(el, etree._Entity) or el.tag in IGNORED:
            continue
        if el.tag in HEADINGS:
            _heading(st, el, HEADINGS[el.tag])
        elif el.tag in SPEECHES:
            _speech(st, el)
        elif el.tag in DIVISIONS:
            read_division(st, el)
        elif el.tag == "gidredirect":
            _redirect(st, el)
        elif el.tag == "bill":
            bill_title = el.get("title") or text_of(el, st.entities) or None
    for row in st.result.debates:
        row["bill_title"] = bill_title


def _gid(st: FileState, el: etree._Element) -> str | None:
    gid = (el.get("id") or "").strip()
    if not gid:
        st.reject(el, "missing_field", f"<{el.tag}> has no id; it is not published")
        return None
    return gid if st.claim(el, gid) else None


def _heading(st: FileState, el: etree._Element, level: str) -> None:
    gid = _gid(st, el)
    if gid is None:
        return
    parent = st.major if level == "minor" else None
    if level == "minor":
        st.minor = gid
    else:
        st.major, st.minor = gid, None
    st.result.debates.append(
        st.place()
        | {
            "debate_id": gid,
            "title": text_of(el, st.entities),
            "parent_debate_id": parent,
            "source_ref": st.ref(el),
            "heading_level": level,
            "source_url": el.get("url") or None,
        }
    )


def _table_text(st: FileState, table: etree._Element) -> str:
    rows = []
    for tr in table.iter("tr"):
        cells = [text_of(cell, st.entities) for cell in tr if cell.tag in ("td", "th")]
        rows.append("\t".join(cells))
    return "\n".join(r for r in rows if r.strip())


def _speaker(st: FileState, el: etree._Element) -> tuple[dict, bool]:
    """Speaker columns, and whether the printed name stands for several people."""
    ref = el.get("person_id") or el.get("speakerid") or None
    name = clean(el.get("speakername") or "") or None
    office = clean(el.get("speakeroffice") or "") or None
    person = st.members.person_of(ref)
    collective = name is not None and person is None and COLLECTIVE.fullmatch(name) is not None
    display = f"{office} ({name})" if office and name else name or office or ""
    who = {
        "speaker_ref": ref,
        "twfy_person_id": person,
        "member_id": st.members.member_id_of(ref),
        "speaker_key": None if collective else name,
        "speaker_display": display,
        "speaker_name": None if collective else name,
        "speaker_office": office,
    }
    return who, collective


def _kind(st: FileState, el: etree._Element, who: dict, collective: bool) -> str:
    if who["speaker_display"] == "" and who["speaker_ref"] is None:
        return "procedural"  # nospeaker text: "The Secretary of State was asked—"
    if collective:
        return "collective"
    if el.tag == "ques":
        return "question"
    if el.tag == "reply":
        return "answer"
    if st.file.type.kind == "written":
        return "written"
    return "question" if el.get("oral-qnum") else "speech"


def _body(st: FileState, el: etree._Element) -> tuple[str, list[str], bool]:
    """Text (paragraphs joined by a blank line), every `qnum` in order (a grouped question has
    several), and whether any paragraph is motion text (`pwmotiontext="yes"`)."""
    texts: list[str] = []
    qnums: list[str] = []
    motion = False
    for child in el:
        if isinstance(child, etree._Entity):
            continue
        text = _table_text(st, child) if child.tag == "table" else text_of(child, st.entities)
        if text:
            texts.append(text)
        qnum = (child.get("qnum") or "").strip()
        if qnum and qnum not in qnums:
            qnums.append(qnum)
        motion = motion or child.get("pwmotiontext") == "yes"
    return "\n\n".join(texts), qnums, motion


def _keyed_uin(gid: str, qnums: list[str]) -> str | None:
    """The UIN the gid is keyed on (`wrans/2009-10-27c.296095.q0` → 296095) when it is one of
    the question's numbers, else the first printed."""
    parts = gid.rsplit("/", 1)[-1].split(".")
    return next((q for q in qnums if q in parts[1:]), qnums[0] if qnums else None)


def _speech(st: FileState, el: etree._Element) -> None:
    gid = _gid(st, el)
    if gid is None:
        return
    text, qnums, motion = _body(st, el)
    qnum = _keyed_uin(gid, qnums)
    who, collective = _speaker(st, el)
    debate_id = st.debate(el)
    st.result.contributions.append(
        st.place()
        | who
        | {
            "contribution_id": gid,
            "debate_id": debate_id,
            "source_ref": st.ref(el),
            "ordinal": st.next_ordinal(debate_id),
            "contribution_type": _kind(st, el, who, collective),
            "text": text,
            "word_count": len(text.split()),
            "is_virtual": False,
            "details_carried": False,
            "after_gap": False,
            "is_truncated": False,
            "column_start": st.column(el),
            "question_number": (el.get("oral-qnum") or "").strip() or qnum,
            "question_uin": qnum,
            "question_uins": qnums or None,
            "timecode": st.timecode(el),
            "speech_type": el.get("type") or None,
            "source_url": el.get("url") or None,
            "has_motion": motion,
        }
    )


def _redirect(st: FileState, el: etree._Element) -> None:
    old, new = (el.get("oldgid") or "").strip(), (el.get("newgid") or "").strip()
    if not old or not new:
        st.reject(el, "missing_field", "<gidredirect> without oldgid or newgid; ignored")
        return
    st.result.redirects.append(
        {
            "old_gid": old,
            "direct_gid": new,
            "matchtype": el.get("matchtype") or "",
            "source": SOURCE,
            "house": st.file.type.house,
            "sitting_date": st.file.sitting_date,
            "source_ref": st.ref(el),
            "raw_sha256": st.inp.raw_sha256,
        }
    )
