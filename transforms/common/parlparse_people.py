"""TheyWorkForYou ids → person → Parliament member id: the `twfy_people` rows (pure;
twfy-xml.md Part B "Mapping ids").

`transforms.common.parlparse_members` already resolves a printed speaker id to its person for
the XML parser; this module adds what identity resolution needs on top, from the ParlParse members
files (the current `people.json` is read by `transforms.common.parlparse_people_json` into the
same `People` index; `merge_people` says which file wins when both are stored):

* `people.xml`: every `<person id latestname>` with its `<office id>` children. A person entry
  of the form `<person id=… redirect=…/>` (a merged identity, as in people.json) is followed to
  the person it names, chains included. Office ids `uk.parliament.data/Member/<MNIS>/…` carry
  the person's Parliament member id (MNIS);
* `all-members-2010.xml`: `<member id datadotparl_id>` gives a Commons membership its MNIS id.

A person's member id is the one id both sources agree on; when they name different ids the
row says `conflict` and member_id stays null (never guessed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from transforms.common.parlparse_members import PERSON, parse_all_members
from transforms.common.xml_load import Loaded, LoadError, load_xml

PARLIAMENT_POST = re.compile(r"uk\.parliament\.data/Member/(?P<mnis>\d+)(?:/.*)?")
_KINDS = (
    ("person", re.compile(r"uk\.org\.publicwhip/person/\d+")),
    ("member", re.compile(r"uk\.org\.publicwhip/member/\d+")),
    ("lord", re.compile(r"uk\.org\.publicwhip/lord/\d+")),
    ("moffice", re.compile(r"uk\.org\.publicwhip/moffice/\d+")),
    ("parliament_post", PARLIAMENT_POST),
)
MAX_REDIRECT_HOPS = 20


def id_kind(twfy_id: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.fullmatch(twfy_id):
            return kind
    return "other"


@dataclass
class People:
    names: dict[str, str | None] = field(default_factory=dict)  # person id → latestname
    redirects: dict[str, str] = field(default_factory=dict)  # person id → person id
    offices: dict[str, str] = field(default_factory=dict)  # office id → person id (first)
    # people.json only: person id → its `datadotparl_id` identifiers (MNIS member ids)
    identifiers: dict[str, set[int]] = field(default_factory=dict)
    redirected_offices: set[str] = field(default_factory=set)  # reached by a membership redirect
    origins: dict[str, str] = field(default_factory=dict)  # twfy id → sha256 of its file

    def ids(self) -> set[str]:
        return self.names.keys() | self.redirects.keys() | self.offices.keys()

    def from_file(self, sha: str) -> People:
        """Every id here listed by the file with this sha256 (for raw_sha256 after a merge)."""
        self.origins = dict.fromkeys(self.ids(), sha)
        return self

    def final(self, person_id: str) -> tuple[str, bool]:
        """(the person id after following redirects, whether any was followed)."""
        seen = [person_id]
        while seen[-1] in self.redirects and len(seen) <= MAX_REDIRECT_HOPS:
            nxt = self.redirects[seen[-1]]
            if nxt in seen:
                break  # a cycle: stop where it closes
            seen.append(nxt)
        return seen[-1], len(seen) > 1


def parse_people_xml(data: bytes) -> People | LoadError:
    loaded = load_xml(data)
    if isinstance(loaded, LoadError):
        return loaded
    assert isinstance(loaded, Loaded)
    if loaded.root.tag != "publicwhip":
        return LoadError("unknown_element", f"people.xml: root <{loaded.root.tag}>")
    people = People()
    for person in loaded.root.iter("person"):
        person_id = person.get("id", "")
        if not PERSON.fullmatch(person_id):
            return LoadError("malformed", f"person id {person_id!r}", person.sourceline)
        target = person.get("redirect")
        if target:
            if not PERSON.fullmatch(target):
                return LoadError("malformed", f"redirect {target!r}", person.sourceline)
            people.redirects[person_id] = target
            continue
        people.names[person_id] = person.get("latestname") or None
        for office in person.iter("office"):
            office_id = office.get("id")
            if office_id:
                people.offices.setdefault(office_id, person_id)
    return people


def merge_people(current: People, older: People) -> People:
    """people.json (`current`) and people.xml (`older`) together. The current file wins for
    every id it lists (its person, redirect, name); the older one only adds ids the current
    file does not list (e.g. `uk.parliament.data/Member/<MNIS>/…` office ids). Member-id
    evidence from both is pooled by `_member_ids`, so a disagreement is a conflict."""
    listed = current.names.keys() | current.redirects.keys()
    identifiers = {k: set(v) for k, v in older.identifiers.items()}
    for person_id, ids in current.identifiers.items():
        identifiers.setdefault(person_id, set()).update(ids)
    return People(
        names={k: v for k, v in older.names.items() if k not in listed} | current.names,
        redirects={k: v for k, v in older.redirects.items() if k not in listed} | current.redirects,
        offices=older.offices | current.offices,
        identifiers=identifiers,
        redirected_offices=(older.redirected_offices - current.offices.keys())
        | current.redirected_offices,
        origins=older.origins | current.origins,
    )


def _member_ids(people: People, datadotparl: dict[str, int]) -> dict[str, tuple[set, set]]:
    """Final person id → (MNIS ids from office ids, MNIS ids from datadotparl_id: the
    people.json person identifier or all-members-2010.xml's membership attribute)."""
    found: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for person_id, mnis_ids in people.identifiers.items():
        found[people.final(person_id)[0]][1].update(mnis_ids)
    for office_id, person_id in people.offices.items():
        final, _ = people.final(person_id)
        m = PARLIAMENT_POST.fullmatch(office_id)
        if m:
            found[final][0].add(int(m["mnis"]))
        if office_id in datadotparl:
            found[final][1].add(datadotparl[office_id])
    return found


def _verdict(ids: tuple[set, set] | None) -> tuple[int | None, str | None]:
    if not ids:
        return None, None
    by_office, by_dotparl = ids
    every = by_office | by_dotparl
    if len(every) > 1:
        return None, "conflict: " + ", ".join(str(i) for i in sorted(every))
    if not every:
        return None, None
    via = "+".join(v for v, s in (("datadotparl_id", by_dotparl), ("office_id", by_office)) if s)
    return next(iter(every)), via


def people_rows(
    people: People | None,
    people_sha: str | None,
    all_members: bytes | None = None,
    all_members_sha: str | None = None,
) -> list[dict] | LoadError:
    """The twfy_people rows from parsed people.xml / people.json (or both, merged) and the
    all-members-2010.xml bytes. `people_sha` is the raw_sha256 of ids without an origin."""
    datadotparl: dict[str, int] = {}
    if all_members is not None:
        parsed = parse_all_members(all_members)
        if isinstance(parsed, LoadError):
            return parsed
        datadotparl = parsed.datadotparl
    people = people or People()
    ids = _member_ids(people, datadotparl)
    rows: dict[str, dict] = {}

    def add(twfy_id: str, person_id: str | None, sha: str | None) -> None:
        final, redirected = people.final(person_id) if person_id else (None, False)
        redirected = redirected or twfy_id in people.redirected_offices
        member_id, via = _verdict(ids.get(final)) if final else (None, None)
        if final is None and twfy_id in datadotparl:
            member_id, via = datadotparl[twfy_id], "datadotparl_id"
        rows[twfy_id] = {
            "twfy_id": twfy_id,
            "id_kind": id_kind(twfy_id),
            "twfy_person_id": final,
            "redirected": redirected,
            "member_id": member_id,
            "member_id_via": via,
            "name": people.names.get(final) if final else None,
            "raw_sha256": people.origins.get(twfy_id, sha),
        }

    for person_id in [*people.names, *people.redirects]:
        add(person_id, person_id, people_sha)
    for office_id, person_id in people.offices.items():
        add(office_id, person_id, people_sha)
    for membership in datadotparl.keys() - rows.keys():
        add(membership, None, all_members_sha)
    return [rows[k] for k in sorted(rows)]


def person_member_ids(rows: list[dict]) -> dict[str, int]:
    """TheyWorkForYou id (person, membership, office; redirected ones too) → member id."""
    return {r["twfy_id"]: r["member_id"] for r in rows if r["member_id"] is not None}
