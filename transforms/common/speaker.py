"""Split a printed speaker display ("Name (Constituency) (Party)", "Office (Name)", …) into parts.

Offices and constituencies contain commas, so nothing here splits on commas: only trailing
bracket groups are peeled, right to left (see reference pp-text.md §2.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Labels seen in speaker lines or listed in the Official Report's abbreviations; the set is open,
# so an unknown label in the party position of a two-group display is still kept as printed.
KNOWN_PARTIES = frozenset(
    {
        "Alba",
        "Alliance",
        "APNI",
        "Bishops",
        "CB",
        "Con",
        "Con Ind",
        "DUP",
        "GP",
        "Green",
        "Ind",
        "Ind Con",
        "Ind Lab",
        "Ind LD",
        "Ind SD",
        "Ind UU",
        "Lab",
        "Lab Ind",
        "Lab/Co-op",
        "Lab Co-op",
        "LD",
        "LD Ind",
        "Non-Afl",
        "PC",
        "Reform",
        "SDLP",
        "SF",
        "SNP",
        "TUV",
        "UKIP",
        "UUP",
        "Your Party",
        "Crossbench",
        "Conservative",
        "Labour",
        "Liberal Democrat",
        "Speaker",
        "Spk",
    }
)
# Bracketed annotations printed after a speaker (Hansard API AttributedTo) that are never a
# party (hansard-api.md §3): peeled off before the display is split; compared case-insensitively.
NON_PARTY_LABELS = frozenset({"maiden speech", "valedictory speech", "urgent question", "maiden"})
_PARTY_SHAPE = re.compile(r"[A-Z][A-Za-z/ -]{0,15}")
_PEER_STYLES = re.compile(
    r"The (Earl|Countess|Duke|Duchess|Marquess|Marchioness|Viscount|Lord Bishop|Bishop|"
    r"Archbishop) of "
)
_OFFICE_WORDS = re.compile(
    r"\b(Minister|Secretary|Speaker|Chancellor|Attorney|Solicitor|Advocate|Leader of|"
    r"Chairman|Chair|Whip|Privy Seal|Paymaster|Comptroller|Treasurer|President)\b"
)
_VIRTUAL = " [V]"


@dataclass(frozen=True)
class SpeakerParts:
    name: str | None
    office: str | None
    constituency: str | None
    party: str | None
    is_virtual: bool


@lru_cache(maxsize=1 << 16)
def is_office(text: str) -> bool:
    """True for office forms ("The Prime Minister", "Madam Deputy Speaker"), not peers' styles."""
    if _PEER_STYLES.match(text):
        return False
    return text.startswith("The ") or bool(_OFFICE_WORDS.search(text))


def _peel_group(text: str) -> tuple[str, str] | None:
    """Split "head (group)" at the bracket matching the final ")"; None if there is none."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                head = text[:i].rstrip()
                return (head, text[i + 1 : -1]) if head else None
    return None


def _is_party(label: str, *, strict: bool) -> bool:
    if label in KNOWN_PARTIES:
        return True
    return not strict and _PARTY_SHAPE.fullmatch(label) is not None


def _one_group(head: str, group: str) -> tuple[str, str | None, str | None, str | None]:
    """(name, office, constituency, party) for "head (group)" with no party peeled yet."""
    if _is_party(group, strict=True):
        return head, None, None, group
    if group == "in the Chair":
        return head, "in the Chair", None, None
    if is_office(head):
        return group, head, None, None
    return head, None, group, None


def _drop_annotations(text: str) -> str:
    """ "Name (Seat) (Party) (Maiden Speech)" -> "Name (Seat) (Party)"."""
    while (last := _peel_group(text)) is not None and last[1].casefold() in NON_PARTY_LABELS:
        text = last[0]
    return text


def split_display(display: str, key: str | None) -> SpeakerParts:
    """Parse a display; `key` (the name before "Portrait") names office-only speakers."""
    text = display.strip()
    virtual = text.endswith(_VIRTUAL)
    if virtual:
        text = text[: -len(_VIRTUAL)].rstrip()
    text = _drop_annotations(text)
    last = _peel_group(text)
    if last is None:
        if key is None:
            return SpeakerParts(None, None, None, None, virtual)
        if is_office(text):
            return SpeakerParts(key, text, None, None, virtual)
        return SpeakerParts(text, None, None, None, virtual)
    head, group = last
    inner = _peel_group(head)
    if inner is not None and _is_party(group, strict=False):
        head2, first = inner
        if is_office(head2):
            return SpeakerParts(first, head2, None, group, virtual)
        if first == "in the Chair":
            return SpeakerParts(head2, first, None, group, virtual)
        return SpeakerParts(head2, None, first, group, virtual)
    name, office, constituency, party = _one_group(head, group)
    return SpeakerParts(name, office, constituency, party, virtual)
