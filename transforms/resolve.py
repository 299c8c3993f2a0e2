"""Who spoke: each contribution's speaker as a Parliament member id (pure).

In order, the first that applies:

1. `source` — the input gave the member id (Hansard API `MemberId`; TheyWorkForYou
   `datadotparl_id` through all-members-2010.xml);
2. `mapped` — the TheyWorkForYou person (or membership) id maps to a member id (twfy_people);
3. the printed name — speaker_name, then speaker_key — normalised (honorifics, post-nominals,
   punctuation and accents dropped; "The Lord Bishop of X" → "bishop of x"; a peer's "Lord X of
   Y" also answers to "Lord X") and looked up among the names members had (member_names, and
   members' current names), keeping only members who sat in the contribution's House on the
   sitting date (member_houses). A name valid on the date is preferred; a name held at another
   time (a transcript's key is the member's current name) is tried next. One candidate:
   `name_date`. Several: the printed constituency picks one (`name_constituency`), else the
   speech is left unresolved as `ambiguous`. "Mr Lomax" (an honorific and a surname) matches
   surnames of members of that House and gender on the date; if several, the one already named
   in the same debate is taken (`name_in_debate`);
4. `office_in_debate` — an office printed without a usable name ("The Prime Minister") is the
   person printed with that same office elsewhere in the same debate ("The Prime Minister
   (Boris Johnson)"), when that is exactly one person who sat in the row's House on the date
   and whose gender does not contradict the printed title ("Madam Deputy Speaker").

A row that carries its own person or member id is never re-attributed by a name or office
guess: an id the identity map does not know leaves member_id null (`unmapped id`), however
well the printed name or office would match someone else. Nothing is guessed: ambiguous
matches and misses keep member_id null with the reason and the candidates, and collective or
procedural rows say `no speaker`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from transforms.common.speaker import is_office

METHODS = (
    "source",
    "mapped",
    "name_date",
    "name_constituency",
    "name_in_debate",
    "office_in_debate",
)
NO_SPEAKER_TYPES = frozenset({"collective", "procedural"})

_HONORIFICS = {
    "mr": "M",
    "mrs": "F",
    "ms": "F",
    "miss": "F",
    "mx": None,
    "dr": None,
    "sir": "M",
    "dame": "F",
    "rt": None,
    "hon": None,
    "right": None,
    "honourable": None,
    "professor": None,
    "prof": None,
    "rev": None,
    "revd": None,
    "reverend": None,
}
_POST_NOMINALS = frozenset(
    "mp qc kc pc cbe obe mbe kbe dbe gcb kcb cb cmg kcmg gcmg cvo kcvo lvo frs freng frse dl "
    "jp td vc gc msp mla ms am".split()
)
PEER_RANKS = frozenset(
    "lord baroness lady viscount viscountess earl countess marquess marquis marchioness duke "
    "duchess bishop archbishop".split()
)
_SHORTENED_RANKS = frozenset({"lord", "baroness", "lady", "viscount", "viscountess"})
_NON_WORD = re.compile(r"[^a-z0-9 ]+")
_APOSTROPHES = str.maketrans({"’": "", "‘": "", "'": "", "`": "", "´": ""})


# --- names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameForm:
    full: str  # normalised name, e.g. "yvette cooper", "baroness anelay of st johns"
    short: str | None  # a peer's name without its territorial part: "baroness anelay"
    surname_only: str | None  # "Mr Lomax" → "lomax": an honorific and one or two words
    gender: str | None  # implied by the honorific: M, F, or None


@lru_cache(maxsize=1 << 16)  # speakers' names repeat thousands of times
def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_APOSTROPHES).casefold().replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text.replace("-", " ")).split())


def normalise_place(text: str | None) -> str | None:
    """A constituency for comparison: case, accents, punctuation and '&' → 'and' ignored."""
    return _plain(text) or None if text else None


def _reorder_list_name(text: str) -> str:
    """nameListAs "Cooper, Yvette" → "Yvette Cooper" (peers' list names stay as they are)."""
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        return f"{first} {last}"
    return text


@lru_cache(maxsize=1 << 16)
def normalise_name(text: str | None) -> NameForm | None:
    if not text:
        return None
    words = _plain(text.replace("[V]", " ")).split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    if words[:2] == ["lord", "bishop"]:
        words = words[1:]  # "The Lord Bishop of X" is printed as "The Bishop of X" too
    gender: str | None = None
    honorific = False
    while len(words) > 1 and words[0] in _HONORIFICS and words[0] not in PEER_RANKS:
        gender = gender or _HONORIFICS[words[0]]
        honorific = True
        words = words[1:]
        if words[:1] == ["the"] and len(words) > 1:
            words = words[1:]
    while len(words) > 2 and words[-1] in _POST_NOMINALS:
        words = words[:-1]
    if not words:
        return None
    full = " ".join(words)
    short = None
    if words[0] in _SHORTENED_RANKS and "of" in words[2:]:
        short = " ".join(words[: words.index("of", 2)])
    surname_only = full if honorific and len(words) <= 2 else None  # "Mr Rees-Mogg"
    return NameForm(full, short, surname_only, gender)


# --- the directory of members -----------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    member_id: int
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Seat:
    house: str
    start: date | None
    end: date | None
    place: str | None  # normalised membership_from

    def covers(self, house: str, day: date) -> bool:
        return (
            self.house == house
            and (self.start is None or self.start <= day)
            and (self.end is None or day <= self.end)
        )


@dataclass
class Directory:
    exact: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    short: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    surnames: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    seats: dict[int, list[Seat]] = field(default_factory=lambda: defaultdict(list))
    latest_house: dict[int, str | None] = field(default_factory=dict)
    gender: dict[int, str] = field(default_factory=dict)
    twfy: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.exact

    def _add_name(self, text: str | None, span: Span, *, list_form: bool = False) -> None:
        if not text:
            return
        form = normalise_name(_reorder_list_name(text) if list_form else text)
        if form is None:
            return
        self.exact[form.full].append(span)
        if form.short:
            self.short[form.short].append(span)
        words = form.full.split()
        if words[0] not in PEER_RANKS:
            self.surnames[words[-1]].append(span)
            if len(words) > 2:
                self.surnames[" ".join(words[-2:])].append(span)

    def sat(self, member_id: int, house: str, day: date) -> bool:
        seats = self.seats.get(member_id)
        if seats:
            return any(s.covers(house, day) for s in seats)
        known = self.latest_house.get(member_id)
        return known is None or known == house

    def places(self, member_id: int, house: str, day: date) -> set[str]:
        return {s.place for s in self.seats.get(member_id, ()) if s.covers(house, day) and s.place}


def build_directory(
    members: Iterable[Mapping[str, Any]],
    names: Iterable[Mapping[str, Any]],
    houses: Iterable[Mapping[str, Any]],
    twfy_members: Mapping[str, int] | None = None,
) -> Directory:
    """The lookup structures from members, member_names, member_houses rows and the
    TheyWorkForYou id → member id map."""
    d = Directory(twfy=dict(twfy_members or {}))
    for m in members:
        member_id = m["member_id"]
        undated = Span(member_id, None, None)
        d._add_name(m.get("name_display"), undated)
        d._add_name(m.get("name_full_title"), undated)
        d._add_name(m.get("name_list"), undated, list_form=True)
        d.latest_house[member_id] = m.get("house")
        if m.get("gender") in ("M", "F"):
            d.gender[member_id] = m["gender"]
    for n in names:
        span = Span(n["member_id"], n.get("start_date"), n.get("end_date"))
        d._add_name(n.get("name_display"), span)
        d._add_name(n.get("name_full_title"), span)
        d._add_name(n.get("name_list"), span, list_form=True)
    for h in houses:
        d.seats[h["member_id"]].append(
            Seat(
                h["house"],
                h.get("start_date"),
                h.get("end_date"),
                normalise_place(h.get("membership_from")),
            )
        )
    return d


# --- resolving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    member_id: int | None
    method: str | None
    reason: str | None = None
    candidates: tuple[int, ...] = ()
    name_tried: str | None = None


def _members_in(spans: list[Span], d: Directory, house: str, day: date, dated: bool) -> set[int]:
    return {
        s.member_id
        for s in spans
        if (not dated or s.covers(day)) and d.sat(s.member_id, house, day)
    }


def name_candidates(d: Directory, form: NameForm, house: str, day: date) -> set[int]:
    """Members who sat in `house` on `day` and had the name (on that date, else ever)."""
    for index, key in ((d.exact, form.full), (d.short, form.full)):
        spans = index.get(key, [])
        for dated in (True, False):
            found = _members_in(spans, d, house, day, dated)
            if found:
                return found
    return set()


def surname_candidates(d: Directory, form: NameForm, house: str, day: date) -> set[int]:
    assert form.surname_only is not None
    found = _members_in(d.surnames.get(form.surname_only, []), d, house, day, dated=False)
    if form.gender:
        found = {m for m in found if d.gender.get(m, form.gender) == form.gender}
    return found


def _ids(found: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(found))


def _ambiguous(found: set[int], what: str, house: str, note: str = "") -> Outcome:
    ids = _ids(found)
    listed = ", ".join(map(str, ids))
    return Outcome(
        None,
        None,
        f"ambiguous: {len(ids)} candidates named '{what}' sitting in {house} (ids {listed}){note}",
        ids,
        what,
    )


@dataclass
class _Debate:
    """What pass 1 learnt about one debate: members resolved in it, and office → members."""

    members: set[int] = field(default_factory=set)
    offices: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def _office_key(office: str | None) -> str | None:
    """ "The Prime Minister" and "Prime Minister" are one office."""
    key = _plain(office) if office else ""
    return key.removeprefix("the ") or None


_UNDATED = (
    "no match: the sitting date or House is unknown (the page's header is incomplete), so "
    "who sat then cannot be checked"
)


class Resolver:
    def __init__(self, directory: Directory) -> None:
        self.d = directory
        self._memo: dict[tuple, Outcome] = {}

    def by_id(self, row: Mapping[str, Any]) -> Outcome | None:
        """The row's own id, mapped; an unmapped own id is final (no name or office guess)."""
        if row.get("member_id") is not None:
            return Outcome(int(row["member_id"]), "source")
        refs = [r for r in (row.get("twfy_person_id"), row.get("speaker_ref")) if _is_id(r)]
        for ref in refs:
            if ref in self.d.twfy:
                return Outcome(self.d.twfy[ref], "mapped", name_tried=ref)
        if refs:
            why = (
                "members tables are empty (run the members refresh)"
                if self.d.empty
                else "the identity map (twfy_people) has no Parliament member id for it"
            )
            return Outcome(
                None, None, f"unmapped id: the source names {refs[0]}; {why}", (), refs[0]
            )
        return None

    def printed_names(self, row: Mapping[str, Any]) -> list[str]:
        out = []
        for text in (row.get("speaker_name"), row.get("speaker_key")):
            if text and not is_office(text) and text not in out:
                out.append(text)
        return out

    def by_name(self, row: Mapping[str, Any]) -> Outcome:
        """Pass 1: the printed names alone (memoised per name, house, date, constituency)."""
        house, day = row["house"], row["sitting_date"]
        if house is None or day is None:
            return Outcome(None, None, _UNDATED)
        key = (tuple(self.printed_names(row)), house, day, row.get("constituency"))
        if key not in self._memo:
            self._memo[key] = self._by_name(key[0], house, day, row.get("constituency"))
        return self._memo[key]

    def _by_name(
        self, names: tuple[str, ...], house: str, day: date, constituency: str | None
    ) -> Outcome:
        first_problem: Outcome | None = None
        place = normalise_place(constituency)
        for text in names:
            form = normalise_name(text)
            if form is None:
                continue
            found = name_candidates(self.d, form, house, day)
            if place and found:
                seated = {m for m in found if place in self.d.places(m, house, day)}
                if len(seated) == 1:
                    return Outcome(seated.pop(), "name_constituency", name_tried=form.full)
            if len(found) == 1:
                return Outcome(found.pop(), "name_date", name_tried=form.full)
            if found:
                first_problem = first_problem or _ambiguous(found, form.full, house)
                continue
            if form.surname_only:
                found = surname_candidates(self.d, form, house, day)
                if len(found) == 1:
                    return Outcome(found.pop(), "name_date", name_tried=form.full)
                if found:
                    note = "; surname only"
                    first_problem = first_problem or _ambiguous(found, form.full, house, note)
        if first_problem:
            return first_problem
        forms = [f for f in map(normalise_name, names) if f is not None]
        tried = forms[0].full if forms else None
        why = (
            "members tables are empty (run the members refresh)"
            if self.d.empty
            else f"no member named '{tried}' sat in {house} on the date"
            if tried
            else "no printed name"
        )
        return Outcome(None, None, f"no match: {why}", (), tried)

    def in_debate(self, row: Mapping[str, Any], first: Outcome, debate: _Debate) -> Outcome:
        """Pass 2: a surname or an office alone, with what the same debate printed."""
        if row["house"] is None or row["sitting_date"] is None:
            return first
        if first.candidates and "surname only" in (first.reason or ""):
            named = set(first.candidates) & debate.members
            if len(named) == 1:
                return Outcome(named.pop(), "name_in_debate", name_tried=first.name_tried)
        office = _office_key(row.get("speaker_office"))
        for text in (row.get("speaker_name"), row.get("speaker_key")):
            if not office and text and is_office(text):
                office = _office_key(text)
        if office and debate.offices.get(office):
            holders = {
                m
                for m in debate.offices[office]
                if self.d.sat(m, row["house"], row["sitting_date"])
                and _gender_fits(self.d.gender.get(m), _printed_gender(row))
            }
            if first.candidates:
                holders = holders & set(first.candidates)
            if len(holders) == 1:
                return Outcome(next(iter(holders)), "office_in_debate", name_tried=office)
        return first


def _is_id(ref: str | None) -> bool:
    """A source's own speaker id ("uk.org.publicwhip/person/10370"), not "unknown"/empty."""
    return bool(ref) and ref.rsplit("/", 1)[-1].strip().lower() not in ("", "unknown")


_TITLE_GENDER = {"madam": "F", "mister": "M", "mr": "M"}


def _printed_gender(row: Mapping[str, Any]) -> str | None:
    """The gender a printed title implies: "Madam Deputy Speaker" → F, "Mr Speaker" → M."""
    for text in (row.get("speaker_display"), row.get("speaker_name"), row.get("speaker_office")):
        words = _plain(text).split() if text else []
        if words[:1] == ["the"]:
            words = words[1:]
        if words and words[0] in _TITLE_GENDER:
            return _TITLE_GENDER[words[0]]
        if words and words[0] in _HONORIFICS and _HONORIFICS[words[0]]:
            return _HONORIFICS[words[0]]
    return None


def _gender_fits(known: str | None, printed: str | None) -> bool:
    return known is None or printed is None or known == printed


def _no_speaker(row: Mapping[str, Any]) -> bool:
    if row.get("contribution_type") in NO_SPEAKER_TYPES:
        return True
    return not any(row.get(k) for k in ("speaker_key", "speaker_name", "speaker_office"))


def _debate_facts(
    rows: list[Mapping[str, Any]], outcomes: list[Outcome | None]
) -> dict[str, _Debate]:
    debates: dict[str, _Debate] = defaultdict(_Debate)
    for row, out in zip(rows, outcomes, strict=True):
        if out is None or out.member_id is None:
            continue
        debate = debates[row["debate_id"]]
        debate.members.add(out.member_id)
        office = _office_key(row.get("speaker_office"))
        if office:
            debate.offices[office].add(out.member_id)
    return debates


def resolve(rows: Iterable[Mapping[str, Any]], directory: Directory) -> list[dict[str, Any]]:
    """One speaker_resolutions row per contribution row (rows need contribution_id, source,
    debate_id, house, sitting_date, contribution_type, the speaker_* columns, constituency,
    member_id, and for TheyWorkForYou twfy_person_id / speaker_ref)."""
    rows = list(rows)
    resolver = Resolver(directory)
    outcomes: list[Outcome | None] = []
    for row in rows:
        known = resolver.by_id(row)
        if known is None and _no_speaker(row):
            outcomes.append(None)
            continue
        outcomes.append(known or resolver.by_name(row))
    debates = _debate_facts(rows, outcomes)
    out = []
    for row, first in zip(rows, outcomes, strict=True):
        if first is None:
            kind = row.get("contribution_type") or "unnamed"
            first = Outcome(None, None, f"no speaker: {kind} row")
        elif first.member_id is None and not (first.reason or "").startswith("unmapped id"):
            first = resolver.in_debate(row, first, debates.get(row["debate_id"], _Debate()))
        out.append(
            {
                "contribution_id": row["contribution_id"],
                "source": row["source"],
                "house": row["house"],
                "sitting_year": row["sitting_date"].year if row["sitting_date"] else None,
                "member_id": first.member_id,
                "method": first.method,
                "reason": first.reason,
                "candidates": ",".join(map(str, first.candidates)) or None,
                "name_tried": first.name_tried,
            }
        )
    return out
