"""ParlParse member ids → people (twfy-xml.md A5, Part B).

Old files name speakers and voters by membership (`uk.org.publicwhip/member/N` in the
Commons, `…/lord/N` in the Lords), modern ones by person (`uk.org.publicwhip/person/N`).
`members/people.xml` lists, per person, every office id they held; `all-members-2010.xml`
gives some Commons memberships their `datadotparl_id` (the Parliament member id). Both are
read here, purely, into a `Members` index; `person_of` and `member_id_of` resolve one id.
Anything else (names, aliases, the Members API) is identity resolution, not done here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transforms.common.xml_load import Loaded, LoadError, load_xml

PERSON = re.compile(r"uk\.org\.publicwhip/person/\d+")
MEMBERSHIP = re.compile(r"uk\.org\.publicwhip/(?:member|lord)/\d+")


@dataclass
class Members:
    persons: dict[str, str] = field(default_factory=dict)  # office/membership id → person id
    datadotparl: dict[str, int] = field(default_factory=dict)  # membership id → member id

    def merge(self, other: Members) -> Members:
        return Members(self.persons | other.persons, self.datadotparl | other.datadotparl)

    def person_of(self, ref: str | None) -> str | None:
        """The person behind a speaker or voter id as printed; None when unknown."""
        if not ref:
            return None
        if PERSON.fullmatch(ref):
            return ref
        return self.persons.get(ref)

    def member_id_of(self, ref: str | None) -> int | None:
        """The Parliament member id, only where the members data gives it directly."""
        return self.datadotparl.get(ref) if ref else None


def _read(data: bytes, what: str) -> Loaded | LoadError:
    loaded = load_xml(data)
    if isinstance(loaded, Loaded) and loaded.root.tag not in ("publicwhip", "xml_grep"):
        return LoadError("unknown_element", f"{what}: root <{loaded.root.tag}> is not <publicwhip>")
    return loaded


def parse_people(data: bytes) -> Members | LoadError:
    """`people.xml`: <person id=…><office id=…/>…</person>."""
    loaded = _read(data, "people.xml")
    if isinstance(loaded, LoadError):
        return loaded
    members = Members()
    for person in loaded.root.iter("person"):
        person_id = person.get("id", "")
        if not PERSON.fullmatch(person_id):
            return LoadError(
                "malformed", f"person id {person_id!r} is not a person id", person.sourceline
            )
        members.persons[person_id] = person_id
        for office in person.iter("office"):
            office_id = office.get("id")
            if office_id:
                members.persons.setdefault(office_id, person_id)
    return members


def parse_all_members(data: bytes) -> Members | LoadError:
    """`all-members-2010.xml`: <member id=… datadotparl_id=…/>; only the member id crosswalk."""
    loaded = _read(data, "all-members")
    if isinstance(loaded, LoadError):
        return loaded
    members = Members()
    for member in loaded.root.iter("member"):
        member_id, mnis = member.get("id", ""), member.get("datadotparl_id", "")
        if MEMBERSHIP.fullmatch(member_id) and mnis.isdigit():
            members.datadotparl[member_id] = int(mnis)
    return members


def parse_members_file(name: str, data: bytes) -> Members | LoadError:
    return parse_people(data) if name == "people.xml" else parse_all_members(data)
