"""What a Parallel Parliament page URL says about its content (pp-text.md §1).

Only single-debate URLs give a date, house and location; department pages give a department.
The member segment (/mp/ vs /lord/) does not tell the house, so it is not used for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

_DEBATE_BY_LOCATION = re.compile(
    r"/debate/(?P<date>\d{4}-\d{2}-\d{2})/(?P<house>commons|lords)/(?P<loc>[a-z-]+)/"
)
_DEBATE_BY_ID = re.compile(
    r"/debate/(?P<house>Commons|Lords)/(?P<date>\d{4}-\d{2}-\d{2})/debates/[^/]+/"
    r"(?P<title>[^/?#]+)"
)
_DEPT = re.compile(r"/dept(?:-debates)?/(?P<dept>[^/?#]+)")
_LOCATION_SLUGS = {
    "commons-chamber": "Commons Chamber",
    "westminster-hall": "Westminster Hall",
    "lords-chamber": "Lords Chamber",
    "grand-committee": "Grand Committee",
    "public-bill-committees": "Public Bill Committees",
    "general-committees": "General Committees",
}
DEPARTMENT_SLUGS = {
    "FCDO": "Foreign, Commonwealth and Development Office",
    "NIO": "Northern Ireland Office",
    "DIT": "Department for International Trade",
    "DfT": "Department for Transport",
    "DHSC": "Department of Health and Social Care",
    "DCMS": "Department for Culture, Media and Sport",
    "cabinet-office": "Cabinet Office",
    "leaders-office": "Leader of the House",
    "scotland-office": "Scotland Office",
}


@dataclass(frozen=True)
class UrlHints:
    url: str
    sitting_date: date | None = None
    house: str | None = None
    location: str | None = None
    title: str | None = None
    department: str | None = None


def _decamel(slug: str) -> str:
    text = unquote(slug)
    text = re.sub(r"(?<=[a-z’'])(?=[A-Z(])|(?<=\))(?=[A-Za-z])", " ", text)
    return re.sub(r"(?<=\()(\d+)(?=[A-Z])", r"\1 ", text)


def read_url(url: str) -> UrlHints:
    m = _DEBATE_BY_LOCATION.search(url)
    if m:
        return UrlHints(
            url,
            date.fromisoformat(m["date"]),
            m["house"].title(),
            _LOCATION_SLUGS.get(m["loc"]),
        )
    m = _DEBATE_BY_ID.search(url)
    if m:
        return UrlHints(url, date.fromisoformat(m["date"]), m["house"], title=_decamel(m["title"]))
    m = _DEPT.search(url)
    if m:
        slug = unquote(m["dept"])
        return UrlHints(url, department=DEPARTMENT_SLUGS.get(slug, slug))
    return UrlHints(url)
