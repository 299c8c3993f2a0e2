"""Per-file parsing state for ParlParse XML, and the value readers its elements share.

`FileState` holds one file's facts (day, House, location), the rows made so far and the
heading context (TWFY's rule: a major heading starts a section and clears the minor heading;
a minor heading is a subsection of the last major one). Values are read leniently: an odd
time or column becomes null with a `bad_value` reject naming the element, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from lxml import etree

from transforms.common.ids import stable_id
from transforms.common.parlparse_members import Members
from transforms.twfy_xml.files import SOURCE, DayFile

# Old files print 3-digit hours ("017:45:00") and times without seconds ("15:15"); an
# unknown time is "unknown" or "" (twfy-xml.md A7). Hours 24-47 are after midnight.
_TIME = re.compile(r"(?P<h>\d{1,3}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")
NO_TIME = frozenset({"", "unknown"})
_COLUMN = re.compile(r"(?P<n>\d{1,6})(?P<suffix>[A-Z]{0,3})")  # "809", "1WS", "483W"


@dataclass(frozen=True)
class TwfyInput:
    data: bytes
    ref: str  # file path, used in every source_ref
    raw_sha256: str
    received_at: datetime  # tz-aware UTC; becomes rejected_at


@dataclass
class TwfyResult:
    ref: str
    raw_sha256: str
    received_at: datetime
    file: DayFile | None = None
    latest: bool | None = None  # the root's latest="yes|no"; None when absent
    parsed: bool = False  # False: the whole file was rejected
    debates: list[dict] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    divisions: list[dict] = field(default_factory=list)
    division_votes: list[dict] = field(default_factory=list)
    redirects: list[dict] = field(default_factory=list)  # as printed; chains resolved later
    rejects: list[dict] = field(default_factory=list)


def make_reject(inp: TwfyInput, line: int | None, reason: str, detail: str) -> dict:
    where = f"{inp.ref}:{line}" if line else inp.ref
    return {
        "source": SOURCE,
        "source_ref": where,
        "reason": reason,
        "detail": f"{where}: {detail}",
        "rejected_at": inp.received_at,
        "raw_sha256": inp.raw_sha256,
    }


@dataclass
class FileState:
    inp: TwfyInput
    file: DayFile
    entities: dict[str, str]
    members: Members
    result: TwfyResult
    major: str | None = None
    minor: str | None = None
    untitled: str | None = None
    ordinals: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # gid → line of its first use

    def ref(self, el: etree._Element) -> str:
        return f"{self.inp.ref}:{el.sourceline}"

    def reject(self, el: etree._Element | None, reason: str, detail: str) -> None:
        line = el.sourceline if el is not None else None
        self.result.rejects.append(make_reject(self.inp, line, reason, detail))

    def place(self) -> dict:
        """The columns every row of this file shares."""
        day = self.file.sitting_date
        return {
            "source": SOURCE,
            "house": self.file.type.house,
            "location": self.file.type.location,
            "sitting_date": day,
            "sitting_year": day.year,
            "raw_sha256": self.inp.raw_sha256,
        }

    def claim(self, el: etree._Element, gid: str) -> bool:
        """Register a gid; a repeat is rejected (ParlParse has printed duplicate ids)."""
        if gid in self.seen:
            self.reject(
                el,
                "duplicate_id",
                f"<{el.tag}> id {gid} repeats line {self.seen[gid]}; this one is not published",
            )
            return False
        self.seen[gid] = el.sourceline
        return True

    def debate(self, el: etree._Element) -> str:
        """The debate an item belongs to: the minor heading, else the major; an item before
        any heading gets one untitled debate for the file."""
        current = self.minor or self.major
        if current is not None:
            return current
        if self.untitled is None:
            self.untitled = stable_id("twfy", self.file.name, "untitled")
            self.result.debates.append(
                self.place()
                | {
                    "debate_id": self.untitled,
                    "title": "(untitled: before the first heading)",
                    "parent_debate_id": None,
                    "source_ref": self.ref(el),
                    "heading_level": None,
                    "source_url": None,
                }
            )
        return self.untitled

    def next_ordinal(self, debate_id: str) -> int:
        self.ordinals[debate_id] = self.ordinals.get(debate_id, 0) + 1
        return self.ordinals[debate_id]

    def timecode(self, el: etree._Element) -> datetime | None:
        value = el.get("time")
        if value is None or value.strip() in NO_TIME:
            return None
        m = _TIME.fullmatch(value.strip())
        hour = int(m["h"]) if m else -1
        minute, second = (int(m["m"]), int(m["s"] or 0)) if m else (0, 0)
        if not m or hour > 47 or minute > 59 or second > 59:
            self.reject(el, "bad_value", f"<{el.tag}> time {value!r} is not a time; left null")
            return None
        day = self.file.sitting_date + timedelta(days=hour // 24)
        return datetime.combine(day, time(hour % 24, minute, second))

    def column(self, el: etree._Element) -> int | None:
        value = (el.get("colnum") or "").strip()
        if not value:
            return None
        m = _COLUMN.fullmatch(value)
        if m is None:
            self.reject(el, "bad_value", f"<{el.tag}> colnum {value!r} is not a column; left null")
            return None
        return int(m["n"])

    def integer(self, el: etree._Element, *names: str) -> int | None:
        for name in names:
            value = el.get(name)
            if value is None:
                continue
            if value.strip().isdigit() and len(value.strip()) < 10:
                return int(value)
            self.reject(el, "bad_value", f"<{el.tag}> {name}={value!r} is not a count; left null")
            return None
        return None
