"""Members API responses → the members tables (pure; hansard-api.md §7, the Members API
OpenAPI document `members-api_swagger-v1_captured-2026-04-30.json`).

Two responses are read:

* `/api/Members/Search` (`MemberMembersServiceSearchResult`): `{items: [{value: Member, links}],
  totalResults, resultContext, skip, take, links, resultType}` — one page of members, each with
  its current names, gender, latest party and latest house membership;
* `/api/Members/History?ids=…` (`[MemberHistoryItem]`): `[{value: {id, thumbnailUrl,
  partyHistory, houseMembershipHistory, nameHistory}, links}]` — what each member was called,
  which party and seat they had, over time.

Keys are camelCase; dates are ISO date-times without a zone (only the date is kept); `house` is
1 (Commons) or 2 (Lords). A member seen in several responses takes each part from the newest
response that has it: the one seen by the latest refresh (`Response.seen`), then the latest
fetched (a later refresh wins, even when it got bytes an older one had already stored).

An incremental refresh compares each member's Search item with the newest stored one
(`search_fingerprints`) and asks History only for what is new or changed (`plan_histories`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SOURCE = "members_api"
HOUSE_NAMES = {1: "Commons", 2: "Lords"}


class MembersFormatError(ValueError):
    """A response that is not the documented shape (the message names what is wrong)."""


@dataclass(frozen=True)
class Response:
    """One stored response: its bytes and where it came from."""

    body: bytes
    raw_sha256: str
    fetched_at: datetime
    seen: int = 0  # number of the newest refresh that saw it (refreshes count up)


@dataclass
class SearchPage:
    members: list[dict[str, Any]]  # Member objects (the `value` of each item)
    total: int
    skip: int
    take: int

    @property
    def ids(self) -> list[int]:
        return [m["id"] for m in self.members]


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise MembersFormatError(f"{what}: not JSON ({e})") from None


def _values(items: Any, what: str) -> list[dict[str, Any]]:
    """The `value` of each `{value, links}` wrapper; an item with a null value is skipped."""
    if not isinstance(items, list):
        raise MembersFormatError(f"{what}: expected a list of {{value, links}} items")
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or "value" not in item:
            raise MembersFormatError(f"{what}: item {n} is not a {{value, links}} object")
        value = item["value"]
        if value is None:
            continue
        if not isinstance(value, dict) or not isinstance(value.get("id"), int):
            raise MembersFormatError(f"{what}: item {n} has no integer id")
        out.append(value)
    return out


def parse_search_page(body: bytes) -> SearchPage:
    page = _json(body, "Members Search page")
    if not isinstance(page, dict) or "items" not in page or "totalResults" not in page:
        raise MembersFormatError("Members Search page: expected {items, totalResults, …}")
    try:
        total, skip, take = (int(page.get(k) or 0) for k in ("totalResults", "skip", "take"))
    except (TypeError, ValueError) as e:
        raise MembersFormatError(f"Members Search page: bad paging numbers ({e})") from None
    return SearchPage(_values(page["items"] or [], "Members Search page"), total, skip, take)


def parse_history(body: bytes) -> list[dict[str, Any]]:
    """The MemberHistory objects of one /api/Members/History response."""
    return _values(_json(body, "Members History"), "Members History")


def to_date(value: Any) -> date | None:
    """`2024-07-04T00:00:00` (any fraction or zone) → 2024-07-04; null/empty → None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) < 10:
        raise MembersFormatError(f"bad date {value!r}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise MembersFormatError(f"bad date {value!r}") from None


def house_name(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value in HOUSE_NAMES.values():
        return value
    try:
        return HOUSE_NAMES[int(value)]
    except (KeyError, TypeError, ValueError):
        raise MembersFormatError(f"unknown house {value!r} (expected 1 or 2)") from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- rows ---------------------------------------------------------------------------------


def _party_fields(party: Mapping[str, Any] | None) -> dict[str, Any]:
    party = party or {}
    return {
        "party_id": party.get("id"),
        "party_name": _text(party.get("name")),
        "party_abbreviation": _text(party.get("abbreviation")),
    }


def _member_row(member: Mapping[str, Any], resp: Response) -> dict[str, Any]:
    latest = member.get("latestHouseMembership") or {}
    status = latest.get("membershipStatus") or {}
    return {
        "member_id": member["id"],
        "name_display": _text(member.get("nameDisplayAs")) or f"member {member['id']}",
        "name_list": _text(member.get("nameListAs")),
        "name_full_title": _text(member.get("nameFullTitle")),
        "name_address": _text(member.get("nameAddressAs")),
        "gender": _text(member.get("gender")),
        "house": house_name(latest.get("house")),
        "membership_from": _text(latest.get("membershipFrom")),
        "membership_start_date": to_date(latest.get("membershipStartDate")),
        "membership_end_date": to_date(latest.get("membershipEndDate")),
        "is_current": status.get("statusIsActive"),
        **_party_fields(member.get("latestParty")),
        "details_from": "search",
        "fetched_at": resp.fetched_at,
        "raw_sha256": resp.raw_sha256,
    }


def _latest(
    entries: list[dict[str, Any]], start_key: str = "startDate", end_key: str = "endDate"
) -> dict[str, Any] | None:
    """The entry with the latest start (an open end breaks ties); None for no entries."""
    if not entries:
        return None

    def rank(e: dict[str, Any]) -> tuple[date, bool]:
        return (to_date(e.get(start_key)) or date.min, e.get(end_key) is None)

    return max(entries, key=rank)


def _member_from_history(hist: Mapping[str, Any], resp: Response) -> dict[str, Any]:
    """A members row for a member only History knows: the latest entry of each history."""
    name = _latest(list(hist.get("nameHistory") or [])) or {}
    houses = list(hist.get("houseMembershipHistory") or [])
    house = _latest(houses, "membershipStartDate", "membershipEndDate") or {}
    party = _latest(list(hist.get("partyHistory") or [])) or {}
    return {
        "member_id": hist["id"],
        "name_display": _text(name.get("nameDisplayAs")) or f"member {hist['id']}",
        "name_list": _text(name.get("nameListAs")),
        "name_full_title": _text(name.get("nameFullTitle")),
        "name_address": _text(name.get("nameAddressAs")),
        "gender": None,
        "house": house_name(house.get("house")),
        "membership_from": _text(house.get("membershipFrom")),
        "membership_start_date": to_date(house.get("membershipStartDate")),
        "membership_end_date": to_date(house.get("membershipEndDate")),
        "is_current": (house.get("membershipStatus") or {}).get("statusIsActive"),
        **_party_fields(party.get("party")),
        "details_from": "history",
        "fetched_at": resp.fetched_at,
        "raw_sha256": resp.raw_sha256,
    }


def _history_rows(hist: Mapping[str, Any], resp: Response) -> dict[str, list[dict[str, Any]]]:
    member_id, sha = hist["id"], resp.raw_sha256
    parties, houses, names = [], [], []
    for n, e in enumerate(hist.get("partyHistory") or [], start=1):
        party = e.get("party")
        start = to_date(e.get("startDate"))
        if not party or party.get("id") is None or start is None:
            continue  # a period without a party (historic Commons terms) says nothing
        parties.append(
            {
                "member_id": member_id,
                "ordinal": n,
                **_party_fields(party),
                "is_independent": party.get("isIndependentParty"),
                "start_date": start,
                "end_date": to_date(e.get("endDate")),
                "raw_sha256": sha,
            }
        )
    for n, e in enumerate(hist.get("houseMembershipHistory") or [], start=1):
        house = house_name(e.get("house"))
        if house is None:
            raise MembersFormatError(f"member {member_id}: house membership {n} has no house")
        houses.append(
            {
                "member_id": member_id,
                "ordinal": n,
                "house": house,
                "membership_from": _text(e.get("membershipFrom")),
                "membership_from_id": e.get("membershipFromId"),
                "start_date": to_date(e.get("membershipStartDate")),
                "end_date": to_date(e.get("membershipEndDate")),
                "end_reason": _text(e.get("membershipEndReason")),
                "end_reason_notes": _text(e.get("membershipEndReasonNotes")),
                "raw_sha256": sha,
            }
        )
    for n, e in enumerate(hist.get("nameHistory") or [], start=1):
        start = to_date(e.get("startDate"))
        if start is None:
            raise MembersFormatError(f"member {member_id}: name {n} has no startDate")
        names.append(
            {
                "member_id": member_id,
                "ordinal": n,
                "name_display": _text(e.get("nameDisplayAs")),
                "name_list": _text(e.get("nameListAs")),
                "name_full_title": _text(e.get("nameFullTitle")),
                "name_address": _text(e.get("nameAddressAs")),
                "start_date": start,
                "end_date": to_date(e.get("endDate")),
                "raw_sha256": sha,
            }
        )
    return {"member_parties": parties, "member_houses": houses, "member_names": names}


@dataclass
class MembersTables:
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {
            "members": [],
            "member_parties": [],
            "member_houses": [],
            "member_names": [],
        }
    )

    def count(self, name: str) -> int:
        return len(self.rows[name])


def _newest_first(responses: Iterable[Response]) -> list[Response]:
    return sorted(responses, key=lambda r: (r.seen, r.fetched_at, r.raw_sha256), reverse=True)


def build_tables(searches: Iterable[Response], histories: Iterable[Response]) -> MembersTables:
    """The members tables from Search pages and History responses. Each member's row comes
    from the newest Search page listing it (else from its newest History); its histories from
    the newest History response holding it."""
    out = MembersTables()
    seen: dict[int, dict[str, Any]] = {}
    for resp in _newest_first(searches):
        for member in parse_search_page(resp.body).members:
            seen.setdefault(member["id"], _member_row(member, resp))
    with_history: set[int] = set()
    for resp in _newest_first(histories):
        for hist in parse_history(resp.body):
            if hist["id"] in with_history:
                continue
            with_history.add(hist["id"])
            seen.setdefault(hist["id"], _member_from_history(hist, resp))
            for name, rows in _history_rows(hist, resp).items():
                out.rows[name].extend(rows)
    out.rows["members"] = [seen[k] for k in sorted(seen)]
    return out


# --- incremental refresh ----------------------------------------------------------------------


def member_fingerprint(member: Mapping[str, Any]) -> str:
    """A Search item (`Member` object) as canonical JSON: equal exactly when nothing in it
    changed (names, gender, latest party, latest house membership and its status)."""
    return json.dumps(member, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def search_fingerprints(searches: Iterable[Response]) -> dict[int, str]:
    """Member id → fingerprint of the newest Search item about them."""
    found: dict[int, str] = {}
    for resp in _newest_first(searches):
        for member in parse_search_page(resp.body).members:
            found.setdefault(member["id"], member_fingerprint(member))
    return found


def history_ids(histories: Iterable[Response]) -> set[int]:
    """Every member some History response holds."""
    return {hist["id"] for resp in histories for hist in parse_history(resp.body)}


@dataclass(frozen=True)
class HistoryPlan:
    """Which members' History a refresh asks for, and how each compares with what is stored:
    `new` (no stored History), `changed` (Search item differs from the newest stored one),
    `unchanged` (the rest: ids the Search did not list count here when History is stored)."""

    fetch: tuple[int, ...]
    new: tuple[int, ...]
    changed: tuple[int, ...]
    unchanged: tuple[int, ...]


def plan_histories(
    current: Mapping[int, str],
    stored: Mapping[int, str],
    with_history: set[int],
    extra: Iterable[int] = (),
    asked: Iterable[int] = (),
    *,
    full: bool = False,
) -> HistoryPlan:
    """`current`: this refresh's Search items (id → fingerprint); `stored`: the newest stored
    ones; `with_history`: members a stored History holds; `extra`: other ids to cover (the
    inputs' member ids); `asked`: ids always fetched; `full`: fetch everyone. A member whose
    Search item is unchanged keeps its stored History (a correction to a past period that
    leaves the Search item alone waits for the next full refresh)."""
    asked_set = set(asked)
    new, changed, unchanged, fetch = [], [], [], []
    for member_id in sorted(current.keys() | set(extra) | asked_set):
        if member_id not in with_history:
            new.append(member_id)
        elif member_id in current and stored.get(member_id) != current[member_id]:
            changed.append(member_id)
        else:
            unchanged.append(member_id)
            if not (full or member_id in asked_set):
                continue
        fetch.append(member_id)
    return HistoryPlan(tuple(fetch), tuple(new), tuple(changed), tuple(unchanged))
