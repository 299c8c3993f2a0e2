"""The line vocabulary of Parallel Parliament transcript text, kept as data.

Each structural line shape has a name; `classify` names a line or returns OTHER. Lines that are
deliberately ignored are listed in IGNORED_KINDS. See reference pp-text.md §2.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum

_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_UNIT = r"\d+[ \u00a0](?:year|month|week|day|hour|minute)s?"


class Kind(Enum):
    SPEAKER = "speaker line (<Key> Portrait <Display>)"
    MARKER = "marker line (- … Hansard …)"
    LATER = "--- Later in debate ---"
    PAGE_TITLE = "page title (<Title> Debate)"
    FULL_DEBATE = "Full Debate: Read Full Debate"
    DEPARTMENT = "Department: <Department>"
    MAIN_PAGE = "Main Page: <Member> (…)"
    LISTING_HEAD = "listing header (… debates involving the …)"
    LIST_DATE = "listing date (Ddd Dth Mon yyyy)"
    EXCERPTS = "<Member> Excerpts"
    DATE = "date line (Weekday Dth Month yyyy)"
    AGE = "relative age ((… ago))"
    LOCATION = "location line"
    NAV = "nav line (Read Full debate …)"
    LIMITED = "(Limited Text - Ministerial Extracts only)"
    BLURB = "Parallel Parliament blurb or disclaimer"
    STAGE = "bill stage string"
    ADJOURNMENT = "(Adjournment Debate)"
    CHAIR = "[<Name> in the Chair]"
    SKELETON = "skeleton banner"
    OTHER = "other text"


# Kinds that carry no data and are skipped on purpose.
IGNORED_KINDS = frozenset(
    {Kind.FULL_DEBATE, Kind.AGE, Kind.NAV, Kind.BLURB, Kind.CHAIR, Kind.SKELETON, Kind.LIMITED}
)

LOCATION_HOUSE = {
    "Commons Chamber": "Commons",
    "Westminster Hall": "Commons",
    "Public Bill Committees": "Commons",
    "General Committees": "Commons",
    "Lords Chamber": "Lords",
    "Grand Committee": "Lords",
}
BLURB_STARTS = (
    "Westminster Hall is an alternative Chamber for MPs",
    "Each debate is chaired by an MP from the Panel of Chairs",
    "Urgent Questions are proposed each morning",
    "Each Urgent Question requires a Government Minister",
    "This text is a record of ministerial contributions to a debate",
    "This extract highlights statements made by Government Ministers",
    "In Pepper v. Hart",
    "This information is provided by Parallel Parliament and does not comprise part of the "
    "offical record",
    "⟨PP-",  # skeleton placeholders for the blurbs above
)
PORTRAIT = " Portrait "
MARKER_RE = re.compile(r"- (View Speech - )?Hansard -( -( - Excerpts)?)?")
_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.LATER, re.compile(r"--- Later in debate ---")),
    (Kind.FULL_DEBATE, re.compile(r"Full Debate: Read Full Debate")),
    (Kind.DEPARTMENT, re.compile(r"Department: (?P<department>.+)")),
    (Kind.MAIN_PAGE, re.compile(r"Main Page: (?P<member>.+)")),
    (
        Kind.LISTING_HEAD,
        re.compile(
            r"(?:\d+ .+ debates involving the (?P<department>.+?)"
            r"(?: during the \d{4}-\d{4} Parliament)?"
            r"|.+ debates involving the (?P<department2>.+?) during the \d{4}-\d{4} Parliament"
            r"|All \d+ Debates between .+ and .+"
            r"|Debates between .+ and .+ during the \d{4}-\d{4} Parliament)"
        ),
    ),
    (
        Kind.LIST_DATE,
        re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}(?:st|nd|rd|th) [A-Z][a-z]{2} \d{4}"),
    ),
    (Kind.EXCERPTS, re.compile(r"(?P<member>.+) Excerpts|Debate between (?P<pair>.+ and .+)")),
    (
        Kind.DATE,
        re.compile(
            rf"(?:{_WEEKDAYS}) (?P<day>\d{{1,2}})(?:st|nd|rd|th) (?P<month>{_MONTHS}) "
            r"(?P<year>\d{4})"
        ),
    ),
    (Kind.AGE, re.compile(rf"\({_UNIT}(?:, {_UNIT})? ago\)")),
    (Kind.LOCATION, re.compile("|".join(map(re.escape, LOCATION_HOUSE)))),
    (Kind.NAV, re.compile(r"Read (?:Full debate|Hansard Text)\b.*")),
    (Kind.LIMITED, re.compile(r"\(Limited Text - Ministerial Extracts only\)")),
    (Kind.ADJOURNMENT, re.compile(r"\(Adjournment Debate\)")),
    (Kind.CHAIR, re.compile(r"\[.+ in the Chair\]")),
    (Kind.SKELETON, re.compile(r"\[SKELETON: .*\]")),
    (Kind.PAGE_TITLE, re.compile(r"(?P<title>.+) Debate")),
    (
        Kind.STAGE,
        re.compile(
            r".*(?: & |: House of (?:Commons|Lords)$).*"
            r"|(?:Committee stage|Report stage|Report|[123](?:st|nd|rd) reading|"
            r"Consideration of|Lords amendments|Committee Debate|Second Reading)\b.*"
        ),
    ),
)


def match(line: str) -> tuple[Kind, re.Match[str] | None]:
    """Name the shape of one structural line (no speaker detection: that needs two lines)."""
    if line.startswith(BLURB_STARTS):
        return Kind.BLURB, None
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(line)
        if m:
            return kind, m
    return Kind.OTHER, None


# Kinds that can only be page furniture or a block header, never a speech paragraph.
STRONG_KINDS = frozenset(
    {
        Kind.EXCERPTS,
        Kind.DATE,
        Kind.AGE,
        Kind.LOCATION,
        Kind.NAV,
        Kind.LIMITED,
        Kind.MAIN_PAGE,
        Kind.LISTING_HEAD,
        Kind.FULL_DEBATE,
        Kind.DEPARTMENT,
    }
)
_STRONG_STARTS = (
    "Debate between ",
    "Read ",
    "(",
    "Main Page: ",
    "Full Debate: ",
    "Department: ",
    "All ",
    "Debates between ",
)
_WEEKDAY_SET = frozenset(_WEEKDAYS.split("|"))


def may_be_strong(line: str) -> bool:
    """Cheap necessary condition for a STRONG_KINDS line, so speech is not regex-scanned."""
    return (
        line.startswith(_STRONG_STARTS)
        or line.endswith(" Excerpts")
        or line in LOCATION_HOUSE
        or line.partition(" ")[0] in _WEEKDAY_SET
        or "debates involving the " in line
    )


def classify(line: str) -> Kind:
    return match(line)[0]


def parse_date_line(line: str) -> date | None:
    kind, m = match(line)
    if kind is not Kind.DATE or m is None:
        return None
    month = datetime.strptime(m["month"], "%B").month  # noqa: DTZ007 (a month name, no time)
    return date(int(m["year"]), month, int(m["day"]))


def is_blank(line: str) -> bool:
    return not line.strip()


def looks_like_marker(line: str) -> bool:
    return line.startswith("- ") and "Hansard" in line
