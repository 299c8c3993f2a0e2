"""Divisions and their vote lists in ParlParse XML (twfy-xml.md A4).

* Commons: `<division id divnumber colnum time url>` → `<divisioncount ayes noes
  [tellerayes tellernoes]/>` and `<mplist vote="aye|no">` of `<mpname>`; old files name the
  voter by membership (`id`), modern ones by person (`person_id`) with `teller="yes"` and
  `proxy` (the proxy holder's person id).
* Lords: `<divisioncount content not-content/>` and `<lordlist vote="content|not-content">`
  of `<lord id vote [teller]>`.
* Public Bill Committees: a top-level `<divisioncount id divnumber ayes noes url>` wraps the
  `mplist`s; voters carry `memberid` and `membername`.

One `divisions` row per division (the counts as declared: Ayes/Contents in `aye_count`,
Noes/Not-Contents in `no_count`) and one `division_votes` row per name in the lists, in
document order, with the vote as printed. A name with a vote outside `VOTES` is rejected
(`unknown_vote`) and the rest of the division kept.
"""

from __future__ import annotations

from lxml import etree

from transforms.common.xml_load import text_of
from transforms.twfy_xml.rows import FileState

VOTE_LISTS = {"mplist": "mpname", "lordlist": "lord"}
VOTES = frozenset({"aye", "no", "content", "not-content"})
_VOTER_IDS = ("person_id", "id", "memberid")  # modern, old, Public Bill Committee


def read_division(st: FileState, el: etree._Element) -> None:
    """A `<division>`, or a Public Bill Committee's top-level `<divisioncount>`."""
    gid = (el.get("id") or "").strip()
    if not gid:
        st.reject(el, "missing_field", f"<{el.tag}> has no id; the division is not published")
        return
    if not st.claim(el, gid):
        return
    count = el if el.tag == "divisioncount" else el.find("divisioncount")
    lists = [c for c in el if c.tag in VOTE_LISTS]
    st.result.divisions.append(
        st.place()
        | {
            "division_id": gid,
            "debate_id": st.debate(el),
            "source_ref": st.ref(el),
            "division_number": st.integer(el, "divnumber"),
            "timecode": st.timecode(el),
            "column_start": st.column(el),
            "aye_count": None if count is None else st.integer(count, "ayes", "content"),
            "no_count": None if count is None else st.integer(count, "noes", "not-content"),
            "source_url": el.get("url") or None,
        }
    )
    ordinal = 0
    for vote_list in lists:
        for voter in vote_list:
            if voter.tag != VOTE_LISTS[vote_list.tag]:
                continue  # the vocabulary check has already refused anything else
            vote = voter.get("vote") or vote_list.get("vote") or ""
            if vote not in VOTES:
                st.reject(
                    voter,
                    "unknown_vote",
                    f"<{voter.tag}> vote {vote!r} in division {gid} is not one of "
                    f"{sorted(VOTES)}; the name is not published",
                )
                continue
            ordinal += 1
            st.result.division_votes.append(_vote(st, voter, gid, ordinal, vote))


def _vote(st: FileState, voter: etree._Element, gid: str, ordinal: int, vote: str) -> dict:
    ref = next((voter.get(k) for k in _VOTER_IDS if voter.get(k)), None)
    proxy = voter.get("proxy") or None
    place = st.place()
    return {
        "division_id": gid,
        "source": place["source"],
        "house": place["house"],
        "sitting_date": place["sitting_date"],
        "sitting_year": place["sitting_year"],
        "ordinal": ordinal,
        "vote": vote,
        "voter_name": text_of(voter, st.entities),
        "voter_ref": ref,
        "twfy_person_id": st.members.person_of(ref),
        "member_id": st.members.member_id_of(ref),
        "is_teller": voter.get("teller") == "yes",
        "proxy_ref": proxy,
        "proxy_twfy_person_id": st.members.person_of(proxy),
        "source_ref": st.ref(voter),
        "raw_sha256": place["raw_sha256"],
    }
