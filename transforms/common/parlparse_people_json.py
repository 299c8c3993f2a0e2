"""ParlParse's current members file, `members/people.json`, → the `People` index that
`transforms.common.parlparse_people.people_rows` turns into `twfy_people` rows (pure;
twfy-xml.md Part B).

The file is Popolo-style JSON (validated upstream by `mysoc-validator popolo validate`):

* `persons`: `{id: "uk.org.publicwhip/person/N", identifiers: [{scheme, identifier}],
  other_names: [...], ...}`; the `datadotparl_id` identifier is the Parliament member id (MNIS,
  the Members API id). A merged identity is `{id, redirect}` naming the person it became;
* `memberships`: `{id, person_id, post_id | organization_id, on_behalf_of_id, start_date,
  end_date, ...}` (`uk.org.publicwhip/member/N` in the Commons, `…/lord/N` in the Lords, other
  legislatures' ids too), or `{id, redirect}` naming another membership;
* `organizations`, `posts`: not needed for the id mapping; checked to be lists, not read.

A person's name is their current `Main` name (open end date, else the latest), formatted as
parlparse does: "Given Family" for commoners; for peers `honorific_prefix` + `lordname` +
" of " + `lordofname` ("Baroness Voss of Kelby", "Earl of Caldmoor").

Anything malformed in what is read raises `PeopleJsonError` naming the file and where: the
line and column of a JSON syntax error, the byte offset of bad UTF-8, or the JSON path
(`persons[12].identifiers[0]`) and id of a wrong shape. Extra keys are ignored (upstream adds
fields); what is read is checked strictly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from transforms.common.parlparse_members import PERSON
from transforms.common.parlparse_people import MAX_REDIRECT_HOPS, People

DATADOTPARL = "datadotparl_id"
_OPEN_END = "9999-12-31"


class PeopleJsonError(ValueError):
    """people.json is not the documented shape; the message names the file and position."""


def _fail(name: str, where: str, problem: str) -> PeopleJsonError:
    return PeopleJsonError(f"{name}: {where}: {problem}")


def _load(data: bytes, name: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _fail(name, f"byte {e.start}", "not UTF-8") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise _fail(name, f"line {e.lineno} column {e.colno}", f"not JSON ({e.msg})") from None
    if not isinstance(doc, dict):
        raise _fail(name, "top level", f"expected an object, got {type(doc).__name__}")
    for key in ("persons", "memberships"):
        if not isinstance(doc.get(key), list):
            raise _fail(name, "top level", f"`{key}` must be a list")
    for key in ("organizations", "posts"):
        if key in doc and not isinstance(doc[key], list):
            raise _fail(name, "top level", f"`{key}` must be a list")
    return doc


def _entry(item: Any, name: str, where: str) -> tuple[str, str | None]:
    """(id, redirect target or None) of a person or membership entry."""
    if not isinstance(item, dict):
        raise _fail(name, where, f"expected an object, got {type(item).__name__}")
    entry_id, target = item.get("id"), item.get("redirect")
    if not isinstance(entry_id, str) or not entry_id:
        raise _fail(name, where, f"id must be a non-empty string, got {entry_id!r}")
    if target is not None and (not isinstance(target, str) or not target):
        raise _fail(name, f"{where} ({entry_id})", f"redirect must be an id, got {target!r}")
    return entry_id, target


def main_name(names: Any, name: str = "people.json", where: str = "") -> str | None:
    """The current Main name of a person's `other_names`, formatted (module docstring)."""
    if names is None:
        return None
    if not isinstance(names, list):
        raise _fail(name, f"{where}.other_names", "must be a list")
    mains = []
    for n, entry in enumerate(names):
        if not isinstance(entry, dict):
            raise _fail(name, f"{where}.other_names[{n}]", "expected an object")
        if entry.get("note") == "Main":
            mains.append(entry)
    if not mains:
        return None
    chosen = max(
        mains,
        key=lambda e: (str(e.get("end_date") or _OPEN_END), str(e.get("start_date") or "")),
    )
    return _format_name(chosen)


def _format_name(entry: Mapping[str, Any]) -> str | None:
    def part(key: str) -> str:
        value = entry.get(key)
        return value.strip() if isinstance(value, str) else ""

    prefix, lordname, lordof = part("honorific_prefix"), part("lordname"), part("lordofname")
    if lordname or (lordof and prefix):
        title = lordname + (" of " + lordof if lordof else "") if lordname else "of " + lordof
        return " ".join(p for p in (prefix, title) if p)
    if part("name"):
        return part("name")
    return " ".join(p for p in (part("given_name"), part("family_name")) if p) or None


def _datadotparl(identifiers: Any, name: str, where: str) -> set[int]:
    if identifiers is None:
        return set()
    if not isinstance(identifiers, list):
        raise _fail(name, f"{where}.identifiers", "must be a list")
    found = set()
    for n, ident in enumerate(identifiers):
        at = f"{where}.identifiers[{n}]"
        if not isinstance(ident, dict) or not isinstance(ident.get("scheme"), str):
            raise _fail(name, at, "expected {scheme, identifier}")
        if ident["scheme"] != DATADOTPARL:
            continue
        value = ident.get("identifier")
        text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if not text.isdigit():
            raise _fail(name, at, f"{DATADOTPARL} must be a member id number, got {value!r}")
        found.add(int(text))
    return found


def _read_persons(doc: dict[str, Any], people: People, name: str) -> None:
    for n, item in enumerate(doc["persons"]):
        where = f"persons[{n}]"
        person_id, target = _entry(item, name, where)
        if not PERSON.fullmatch(person_id):
            raise _fail(name, where, f"id {person_id!r} is not a person id")
        if person_id in people.names or person_id in people.redirects:
            raise _fail(name, where, f"duplicate person id {person_id!r}")
        if target is not None:
            if not PERSON.fullmatch(target):
                raise _fail(name, f"{where} ({person_id})", f"redirect {target!r} is no person")
            people.redirects[person_id] = target
            continue
        people.names[person_id] = main_name(item.get("other_names"), name, where)
        ids = _datadotparl(item.get("identifiers"), name, where)
        if ids:
            people.identifiers[person_id] = ids


def _read_memberships(doc: dict[str, Any], people: People, name: str) -> None:
    redirects: dict[str, str] = {}
    for n, item in enumerate(doc["memberships"]):
        where = f"memberships[{n}]"
        membership_id, target = _entry(item, name, where)
        if membership_id in people.offices or membership_id in redirects:
            raise _fail(name, where, f"duplicate membership id {membership_id!r}")
        if target is not None:
            redirects[membership_id] = target
            continue
        person_id = item.get("person_id")
        if not isinstance(person_id, str) or not PERSON.fullmatch(person_id):
            raise _fail(name, f"{where} ({membership_id})", f"person_id {person_id!r}")
        people.offices[membership_id] = person_id
    for membership_id, target in redirects.items():
        seen = [membership_id, target]
        while seen[-1] in redirects and len(seen) <= MAX_REDIRECT_HOPS:
            if redirects[seen[-1]] in seen:
                break  # a cycle: no membership to land on
            seen.append(redirects[seen[-1]])
        if seen[-1] in people.offices:
            people.offices[membership_id] = people.offices[seen[-1]]
            people.redirected_offices.add(membership_id)


def parse_people_json(data: bytes, name: str = "people.json") -> People:
    """Persons (names, `datadotparl_id`, redirects) and memberships (membership id → person,
    membership redirects followed) of a people.json; `name` is used in error messages. A
    membership redirect that leads nowhere known is left out rather than guessed."""
    doc = _load(data, name)
    people = People()
    _read_persons(doc, people, name)
    _read_memberships(doc, people, name)
    return people
