"""Parse the Commons and Lords Votes APIs' division bodies into `divisions` and
`division_votes` rows (shapes: shared/corpus/parliament-apis/, the Swagger documents and the
recorded responses).

Pure: bytes in, row dicts out, ready for `schema.frame`.

* Commons, `GET /data/division/{id}.json` → `PublishedDivision` (PascalCase): counts as declared
  (`AyeCount`/`NoCount` leave the tellers out), `AyeTellers`/`NoTellers` (separate from the
  lists; null for a deferred division), `Ayes`, `Noes`, `NoVoteRecorded` of `RecordedMember`
  (with `ProxyName` when a proxy voted).
* Lords, `GET /data/Divisions/{id}` → `DivisionViewModel` (camelCase): `authoritativeContentCount`
  / `authoritativeNotContentCount` as declared, `contents`/`notContents` of `MemberViewModel`,
  and `contentTellers`/`notContentTellers`, who are also inside the lists (marked, not repeated).
* `summaries`: the search pages (`/data/divisions.json/search`, `/data/Divisions/search`), read
  by the fetch for each division's id, date and version (Commons: `PublicationUpdated`; Lords,
  which has none: a digest of the whole item).

One `divisions` row per body and one `division_votes` row per name, in list order: Commons
tellers then names for Aye, the same for No, then `NoVoteRecorded` (`vote` = `no-vote-recorded`);
Lords contents then not-contents. Every vote carries the Parliament member id and the party as
the API records them.

Bad input never raises: a body that is not a JSON object, or lacks the id, date or number, is
one reject (`unreadable`, `missing_field`, `bad_value`); a name without a member id is one reject
and the rest of the division is kept. A key this parser does not know is a warning reject
(`unknown_field`, naming it; the division is published): the keys it reads or deliberately
ignores are listed below by name.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

SOURCE = "votes_api"
HOUSES = ("Commons", "Lords")
ID_PREFIX = {"Commons": "commonsvotes/", "Lords": "lordsvotes/"}
LOCATION = {"Commons": "Commons Chamber", "Lords": "Lords Chamber"}
WEB_PAGE = {  # the public page of a division on votes.parliament.uk
    "Commons": "https://votes.parliament.uk/votes/commons/division/{id}",
    "Lords": "https://votes.parliament.uk/votes/lords/division/{id}",
}

COMMONS_KEYS = frozenset(
    {
        "DivisionId",
        "Date",
        "PublicationUpdated",
        "Number",
        "IsDeferred",
        "EVELType",
        "EVELCountry",
        "Title",
        "AyeCount",
        "NoCount",
        "DoubleMajorityAyeCount",
        "DoubleMajorityNoCount",
        "AyeTellers",
        "NoTellers",
        "Ayes",
        "Noes",
        "FriendlyDescription",
        "FriendlyTitle",
        "NoVoteRecorded",
        "RemoteVotingStart",
        "RemoteVotingEnd",
    }
)
# read: MemberId, Name, ListAs, Party, ProxyName; ignored: SubParty, PartyColour,
# PartyAbbreviation, MemberFrom (the members tables hold them, dated)
COMMONS_MEMBER_KEYS = frozenset(
    {
        "MemberId",
        "Name",
        "Party",
        "SubParty",
        "PartyColour",
        "PartyAbbreviation",
        "MemberFrom",
        "ListAs",
        "ProxyName",
    }
)
LORDS_KEYS = frozenset(
    {
        "divisionId",
        "date",
        "number",
        "notes",
        "title",
        "amendmentMotionNotes",
        "authoritativeContentCount",
        "authoritativeNotContentCount",
        "contentTellers",
        "notContentTellers",
        "contents",
        "notContents",
        "remoteVotingStart",
        "remoteVotingEnd",
        "isGovernmentWin",
        # deliberately ignored: derivable from the lists, or flags the tables do not carry
        "isWhipped",
        "isGovernmentContent",
        "divisionHadTellers",
        "tellerContentCount",
        "tellerNotContentCount",
        "memberContentCount",
        "memberNotContentCount",
        "sponsoringMemberId",
        "isHouse",
        "divisionWasExclusivelyRemote",
        "isInquorate",
    }
)
# read: memberId, name, listAs, party; ignored: memberFrom, partyColour, partyAbbreviation,
# partyIsMainParty
LORDS_MEMBER_KEYS = frozenset(
    {
        "memberId",
        "name",
        "listAs",
        "memberFrom",
        "party",
        "partyColour",
        "partyAbbreviation",
        "partyIsMainParty",
    }
)


@dataclass(frozen=True)
class VotesInput:
    data: bytes  # the raw response body
    url: str  # the request URL (source_ref)
    raw_sha256: str
    received_at: datetime  # tz-aware UTC; becomes rejected_at
    house: str


@dataclass
class VotesResult:
    divisions: list[dict] = field(default_factory=list)
    division_votes: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """A division as a search page lists it: enough to decide whether to fetch its body."""

    upstream_id: int
    day: date
    version: str


class _Bad(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _timestamp(value: Any, key: str, required: bool = False) -> datetime | None:  # noqa: ANN401
    if value is None or value == "":
        if required:
            raise _Bad("missing_field", f"`{key}` is missing")
        return None
    if not isinstance(value, str):
        raise _Bad("bad_value", f"`{key}` is {value!r}, not a date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad("bad_value", f"`{key}` {value!r} is not an ISO date-time") from None
    return parsed.replace(tzinfo=None)  # UK local time, as the API gives it


def _int(value: Any, key: str, required: bool = False) -> int | None:  # noqa: ANN401
    if value is None:
        if required:
            raise _Bad("missing_field", f"`{key}` is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise _Bad("bad_value", f"`{key}` is {value!r}, not a 32-bit integer")
    return value


def _bool(value: Any, key: str) -> bool | None:  # noqa: ANN401
    if value is None or isinstance(value, bool):
        return value
    raise _Bad("bad_value", f"`{key}` is {value!r}, not true/false")


def _text(value: Any, key: str) -> str | None:  # noqa: ANN401
    if value is None or isinstance(value, str):
        return value
    raise _Bad("bad_value", f"`{key}` is {value!r}, not a string")


def _members(value: Any, key: str) -> list:  # noqa: ANN401
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad("bad_value", f"`{key}` is {type(value).__name__}, not a list")
    return value


def _reject(inp: VotesInput, ref: str, reason: str, detail: str) -> dict:
    return {
        "source": SOURCE,
        "source_ref": ref,
        "reason": reason,
        "detail": detail,
        "rejected_at": inp.received_at,
        "raw_sha256": inp.raw_sha256,
    }


def _load(inp: VotesInput) -> dict:
    try:
        body = json.loads(inp.data)
    except (ValueError, UnicodeDecodeError) as e:
        raise _Bad("unreadable", f"not JSON: {e}") from None
    if not isinstance(body, dict):
        raise _Bad("unreadable", f"a division body is a JSON object, got {type(body).__name__}")
    return body


def parse_division(inp: VotesInput) -> VotesResult:
    """One division body of either house: its row, its names, and rejects."""
    result = VotesResult()
    try:
        body = _load(inp)
        read = _commons if inp.house == "Commons" else _lords
        if inp.house not in HOUSES:
            raise _Bad("bad_value", f"house {inp.house!r} is not one of {HOUSES}")
        read(inp, body, result)
    except _Bad as e:
        return VotesResult(rejects=[_reject(inp, inp.url, e.reason, f"{inp.url}: {e}")])
    return result


def _unknown(inp: VotesInput, obj: dict, known: frozenset[str], where: str, out: VotesResult):  # noqa: ANN202
    extra = sorted(set(obj) - known)
    if extra:
        out.rejects.append(
            _reject(
                inp,
                f"{inp.url}#{where}",
                "unknown_field",
                f"{inp.url}: {where} has keys this parser does not know: {extra} (ignored; the "
                "division is published)",
            )
        )


def _division_row(  # noqa: PLR0913
    inp: VotesInput, upstream_id: int, when: datetime, number: int, **columns: Any
) -> dict:
    day = when.date()
    return {
        "division_id": f"{ID_PREFIX[inp.house]}{upstream_id}",
        "debate_id": None,
        "source": SOURCE,
        "source_ref": inp.url,
        "sitting_date": day,
        "sitting_year": day.year,
        "house": inp.house,
        "location": LOCATION[inp.house],
        "division_number": number,
        "timecode": when if when.time() != datetime.min.time() else None,
        "column_start": None,
        "source_url": WEB_PAGE[inp.house].format(id=upstream_id),
        "upstream_id": upstream_id,
        "raw_sha256": inp.raw_sha256,
        **columns,
    }


def _commons(inp: VotesInput, body: dict, out: VotesResult) -> None:
    upstream_id = _int(body.get("DivisionId"), "DivisionId", required=True)
    when = _timestamp(body.get("Date"), "Date", required=True)
    number = _int(body.get("Number"), "Number", required=True)
    assert upstream_id is not None and when is not None and number is not None
    _unknown(inp, body, COMMONS_KEYS, "division", out)
    aye_tellers = body.get("AyeTellers")
    no_tellers = body.get("NoTellers")
    row = _division_row(
        inp,
        upstream_id,
        when,
        number,
        aye_count=_int(body.get("AyeCount"), "AyeCount"),
        no_count=_int(body.get("NoCount"), "NoCount"),
        title=_text(body.get("Title"), "Title"),
        friendly_title=_text(body.get("FriendlyTitle"), "FriendlyTitle"),
        friendly_description=_text(body.get("FriendlyDescription"), "FriendlyDescription"),
        is_deferred=_bool(body.get("IsDeferred"), "IsDeferred"),
        evel_type=_text(body.get("EVELType"), "EVELType"),
        evel_country=_text(body.get("EVELCountry"), "EVELCountry"),
        double_majority_aye_count=_int(body.get(dm_aye := "DoubleMajorityAyeCount"), dm_aye),
        double_majority_no_count=_int(body.get(dm_no := "DoubleMajorityNoCount"), dm_no),
        aye_teller_count=None if aye_tellers is None else len(_members(aye_tellers, "AyeTellers")),
        no_teller_count=None if no_tellers is None else len(_members(no_tellers, "NoTellers")),
        remote_voting_start=_timestamp(body.get("RemoteVotingStart"), "RemoteVotingStart"),
        remote_voting_end=_timestamp(body.get("RemoteVotingEnd"), "RemoteVotingEnd"),
        publication_updated=_timestamp(body.get("PublicationUpdated"), "PublicationUpdated"),
        is_government_win=None,
    )
    lists = (
        ("AyeTellers", "aye", True),
        ("Ayes", "aye", False),
        ("NoTellers", "no", True),
        ("Noes", "no", False),
        ("NoVoteRecorded", "no-vote-recorded", False),
    )
    votes: list[dict] = []
    for key, vote, teller in lists:
        for i, member in enumerate(_members(body.get(key), key)):
            where = f"{key}[{i}]"
            got = _vote(inp, row, member, where, COMMONS_MEMBER_KEYS, out)
            if got is not None:
                member_id, name, party, proxy = got
                votes.append(
                    _vote_row(row, inp, where, vote, member_id, name, party, teller, proxy)
                )
    out.divisions.append(row)
    out.division_votes.extend(_numbered(votes))


def _lords(inp: VotesInput, body: dict, out: VotesResult) -> None:
    upstream_id = _int(body.get("divisionId"), "divisionId", required=True)
    when = _timestamp(body.get("date"), "date", required=True)
    number = _int(body.get("number"), "number", required=True)
    assert upstream_id is not None and when is not None and number is not None
    _unknown(inp, body, LORDS_KEYS, "division", out)
    content_tellers = _members(body.get("contentTellers"), "contentTellers")
    not_content_tellers = _members(body.get("notContentTellers"), "notContentTellers")
    notes = _text(body.get("amendmentMotionNotes"), "amendmentMotionNotes") or _text(
        body.get("notes"), "notes"
    )
    row = _division_row(
        inp,
        upstream_id,
        when,
        number,
        aye_count=_int(body.get("authoritativeContentCount"), "authoritativeContentCount"),
        no_count=_int(body.get("authoritativeNotContentCount"), "authoritativeNotContentCount"),
        title=_text(body.get("title"), "title"),
        friendly_title=None,
        friendly_description=notes,
        is_deferred=None,
        evel_type=None,
        evel_country=None,
        double_majority_aye_count=None,
        double_majority_no_count=None,
        aye_teller_count=len(content_tellers),
        no_teller_count=len(not_content_tellers),
        remote_voting_start=_timestamp(body.get("remoteVotingStart"), "remoteVotingStart"),
        remote_voting_end=_timestamp(body.get("remoteVotingEnd"), "remoteVotingEnd"),
        publication_updated=None,
        is_government_win=_bool(body.get("isGovernmentWin"), "isGovernmentWin"),
    )
    votes: list[dict] = []
    for key, tellers_key, tellers, vote in (
        ("contents", "contentTellers", content_tellers, "content"),
        ("notContents", "notContentTellers", not_content_tellers, "not-content"),
    ):
        teller_ids = {t.get("memberId") for t in tellers if isinstance(t, dict)}
        listed: set[int] = set()
        for i, member in enumerate(_members(body.get(key), key)):
            where = f"{key}[{i}]"
            got = _vote(inp, row, member, where, LORDS_MEMBER_KEYS, out)
            if got is not None:
                member_id, name, party, _ = got
                listed.add(member_id)
                is_teller = member_id in teller_ids
                votes.append(_vote_row(row, inp, where, vote, member_id, name, party, is_teller))
        for i, member in enumerate(tellers):  # a teller the list leaves out still told
            where = f"{tellers_key}[{i}]"
            got = _vote(inp, row, member, where, LORDS_MEMBER_KEYS, out)
            if got is not None and got[0] not in listed:
                member_id, name, party, _ = got
                votes.append(_vote_row(row, inp, where, vote, member_id, name, party, True))
    out.divisions.append(row)
    out.division_votes.extend(_numbered(votes))


def _vote(  # noqa: PLR0913
    inp: VotesInput,
    row: dict,
    member: Any,  # noqa: ANN401
    where: str,
    known: frozenset[str],
    out: VotesResult,
) -> tuple[int, str, str | None, str | None] | None:
    """(member id, name as listed, party, proxy) of one list entry; None (and a reject)
    when it cannot be published."""
    ref = f"{inp.url}#{where}"
    commons = "MemberId" in known
    try:
        if not isinstance(member, dict):
            raise _Bad("bad_value", f"is {type(member).__name__}, not an object")
        member_id = _int(member.get("MemberId" if commons else "memberId"), "member id", True)
        listed = member.get("ListAs" if commons else "listAs")
        name = listed or member.get("Name" if commons else "name")
        if not isinstance(name, str) or not name.strip():
            raise _Bad("missing_field", "has no name (`ListAs`/`Name`)")
        party = _text(member.get("Party" if commons else "party"), "party")
        proxy = _text(member.get("ProxyName"), "ProxyName") if commons else None
    except _Bad as e:
        division = row["division_id"]
        detail = f"{inp.url}: {where} in division {division} {e}; the name is not published"
        out.rejects.append(_reject(inp, ref, e.reason, detail))
        return None
    _unknown(inp, member, known, where, out)
    assert member_id is not None
    return member_id, name.strip(), party, proxy


def _vote_row(  # noqa: PLR0913
    row: dict,
    inp: VotesInput,
    where: str,
    vote: str,
    member_id: int,
    name: str,
    party: str | None,
    is_teller: bool,
    proxy: str | None = None,
) -> dict:
    return {
        "division_id": row["division_id"],
        "source": SOURCE,
        "house": row["house"],
        "sitting_date": row["sitting_date"],
        "sitting_year": row["sitting_year"],
        "ordinal": 0,  # numbered once the division's lists are read
        "vote": vote,
        "voter_name": name,
        "voter_ref": str(member_id),
        "twfy_person_id": None,
        "member_id": member_id,
        "is_teller": is_teller,
        "proxy_ref": None,
        "proxy_twfy_person_id": None,
        "proxy_name": proxy,
        "party": party,
        "source_ref": f"{inp.url}#{where}",
        "raw_sha256": inp.raw_sha256,
    }


def _numbered(votes: list[dict]) -> list[dict]:
    for i, v in enumerate(votes, start=1):
        v["ordinal"] = i
    return votes


def summaries(data: bytes, house: str) -> list[Summary]:
    """The divisions a search page lists. Raises ValueError naming what is wrong."""
    page = json.loads(data)
    if not isinstance(page, list):
        raise ValueError(f"a search page is a JSON list, got {type(page).__name__}")
    out = []
    for i, item in enumerate(page):
        try:
            if not isinstance(item, dict):
                raise _Bad("bad_value", f"is {type(item).__name__}, not an object")
            if house == "Commons":
                upstream_id = _int(item.get("DivisionId"), "DivisionId", True)
                when = _timestamp(item.get("Date"), "Date", True)
                version = str(item.get("PublicationUpdated") or "")
            else:
                upstream_id = _int(item.get("divisionId"), "divisionId", True)
                when = _timestamp(item.get("date"), "date", True)
                canonical = json.dumps(item, sort_keys=True, separators=(",", ":"))
                version = hashlib.sha256(canonical.encode()).hexdigest()
        except _Bad as e:
            raise ValueError(f"item {i}: {e}") from None
        assert upstream_id is not None and when is not None
        out.append(Summary(upstream_id, when.date(), version))
    return out
