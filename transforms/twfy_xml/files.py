"""ParlParse file names: which House, location and sitting day a file holds, and its version.

`debates2009-10-27d.xml` is version `d` of the Commons Chamber on 27 October 2009; a Public
Bill Committee file names its sitting as well as its date
(`standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml`: the Child Poverty Bill committee's fifth
sitting, 27 October). A day's versions share a `day_key` (the name without letter and
extension); letters run a, b, …, z, aa, … (twfy-xml.md A1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

SOURCE = "twfy_xml"


@dataclass(frozen=True)
class FileType:
    house: str
    location: str
    kind: str  # how a speech is typed: speech (spoken), written (a statement), answers


# The file families this parser knows, by name stem (new_hansard.py ParseDay; xml2db.pl).
FILE_TYPES: dict[str, FileType] = {
    "debates": FileType("Commons", "Commons Chamber", "speech"),
    "westminster": FileType("Commons", "Westminster Hall", "speech"),
    "daylord": FileType("Lords", "Lords Chamber", "speech"),
    "ministerial": FileType("Commons", "Written Statements", "written"),
    "lordswms": FileType("Lords", "Written Statements", "written"),
    "answers": FileType("Commons", "Written Answers", "answers"),
    "lordswrans": FileType("Lords", "Written Answers", "answers"),
    "standing": FileType("Commons", "Public Bill Committees", "speech"),
}
MEMBERS_FILES = re.compile(r"people\.xml|all-members(?:-\d{4})?\.xml")

_DAY_FILE = re.compile(
    r"(?P<stem>[a-z]+)(?P<sitting>\d{4}-\d{2}-\d{2}_[A-Za-z0-9_-]+?_)?"
    r"(?P<date>\d{4}-\d{2}-\d{2})(?P<letter>[a-z]{1,3})\.xml"
)


@dataclass(frozen=True)
class DayFile:
    name: str
    stem: str
    day_key: str  # the file name without version letter and extension
    sitting_date: date
    letter: str
    type: FileType

    @property
    def version_rank(self) -> tuple[int, str]:
        """Orders versions: a < b < … < z < aa < ab."""
        return len(self.letter), self.letter


def day_file(path: str) -> DayFile | str:
    """The day file named by `path`, or why the name is not one this parser reads."""
    name = PurePath(path).name
    m = _DAY_FILE.fullmatch(name)
    if m is None:
        return (
            f"file name {name!r} is not <type>YYYY-MM-DD<version>.xml "
            f"(types: {', '.join(FILE_TYPES)})"
        )
    if m["stem"] not in FILE_TYPES:
        return f"file type {m['stem']!r} is not one of {', '.join(FILE_TYPES)}"
    if (m["sitting"] is not None) != (m["stem"] == "standing"):
        return f"file name {name!r}: only Public Bill Committee files name a sitting"
    try:
        sitting_date = date.fromisoformat(m["date"])
    except ValueError:
        return f"file name {name!r}: {m['date']} is not a date"
    key = name[: m.start("letter")]
    return DayFile(name, m["stem"], key, sitting_date, m["letter"], FILE_TYPES[m["stem"]])


def is_members_file(path: str) -> bool:
    return MEMBERS_FILES.fullmatch(PurePath(path).name) is not None


def is_known_file(path: str) -> bool:
    return is_members_file(path) or isinstance(day_file(path), DayFile)
