"""Versions of a ParlParse day: which file is published, and where old gids now point.

Each re-parse of a day that differs writes the next letter (a, b, …); the older file is
rewritten as `latest="no"`, holding `gidredirect` lines (old gid → the gid one letter on)
and, where the match was not perfect, the old element (twfy-xml.md A1). So, per day:

* the published version is the highest letter whose file is not `latest="no"` (a tie goes
  to the later ingest, then the higher sha256); only its headings, speeches and divisions
  become rows, whatever order the files arrived in;
* every `gidredirect` of every stored version becomes an `id_redirects` row, its `new_gid`
  resolved through the chain a→b→c→d as far as the stored versions reach;
* a day with only `latest="no"` files publishes no content (`no_latest_version`), and one
  whose newest known version (a file, or a redirect target) is newer than the published one
  says so (`newer_version_missing`); both are rejects so the gap is visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from transforms.twfy_xml.rows import TwfyInput, TwfyResult, make_reject

CONTENT_TABLES = ("debates", "contributions", "divisions", "division_votes")
ROW_TABLES = (*CONTENT_TABLES, "id_redirects", "rejects")
_GID_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(?P<letter>[a-z]+)\.")


def _rank(letter: str) -> tuple[int, str]:
    return len(letter), letter


def _order(result: TwfyResult) -> tuple:
    assert result.file is not None
    return result.file.version_rank, result.received_at, result.raw_sha256


def _gid_letter(gid: str) -> str | None:
    m = _GID_VERSION.search(gid)
    return m["letter"] if m else None


def derive(results: Iterable[TwfyResult]) -> dict[str, list[dict]]:
    """Table rows from parsed files of any number of days (each day's files all given)."""
    rows: dict[str, list[dict]] = {name: [] for name in ROW_TABLES}
    days: dict[str, list[TwfyResult]] = {}
    for result in results:
        rows["rejects"].extend(result.rejects)
        if result.file is not None and result.parsed:
            days.setdefault(result.file.day_key, []).append(result)
    for day_key in sorted(days):
        _derive_day(rows, days[day_key])
    return rows


def choose(versions: list[TwfyResult]) -> TwfyResult | None:
    """The version to publish: highest letter not marked latest="no"."""
    candidates = [r for r in versions if r.latest is not False]
    if not candidates:
        return None
    return max(candidates, key=_order)


def _derive_day(rows: dict[str, list[dict]], versions: list[TwfyResult]) -> None:
    chosen = choose(versions)
    if chosen is not None:
        for name in CONTENT_TABLES:
            rows[name].extend(getattr(chosen, name))
    rows["id_redirects"].extend(resolve_redirects(versions))
    newest = max(versions, key=lambda r: r.file.version_rank)
    stored = {r.file.letter for r in versions}
    pointed = {
        letter
        for r in versions
        for red in r.redirects
        if (letter := _gid_letter(red["direct_gid"])) is not None
    }
    newest_letter = max(stored | pointed, key=_rank)
    name = newest.file.day_key
    if chosen is None:
        missing = sorted(pointed - stored, key=_rank)
        detail = (
            f"only superseded versions ({', '.join(sorted(stored, key=_rank))}) of {name} "
            'are stored (latest="no"): their redirects are kept, their leftover speeches are '
            "not published; ingest the day's latest file"
            + (f" (redirects point to {', '.join(missing)}, not stored)" if missing else "")
        )
        rows["rejects"].append(_day_reject(newest, "no_latest_version", detail))
    elif _rank(newest_letter) > chosen.file.version_rank:
        detail = (
            f"{name}: version {chosen.file.letter} is published but version "
            f"{newest_letter} exists (redirects point to it); ingest {name}{newest_letter}.xml"
        )
        rows["rejects"].append(_day_reject(chosen, "newer_version_missing", detail))


def _day_reject(result: TwfyResult, reason: str, detail: str) -> dict:
    where = TwfyInput(b"", result.ref, result.raw_sha256, result.received_at)
    return make_reject(where, None, reason, detail)


def resolve_redirects(versions: list[TwfyResult]) -> list[dict]:
    """One row per (old_gid, direct_gid) across the day's versions (the newer version's row
    first), `new_gid` the end of the chain: followed while a gid has exactly one onward
    redirect (a `multiplecover` fan-out stops there), never round a cycle."""
    ordered = sorted(versions, key=_order, reverse=True)
    unique: dict[tuple[str, str], dict] = {}
    for result in ordered:
        for red in result.redirects:
            unique.setdefault((red["old_gid"], red["direct_gid"]), red)
    onward: dict[str, list[str]] = {}
    for old, new in unique:
        onward.setdefault(old, []).append(new)
    out = []
    for (old, direct), red in sorted(unique.items()):
        final, hops, seen = direct, 1, {old, direct}
        while len(onward.get(final, ())) == 1 and onward[final][0] not in seen:
            final = onward[final][0]
            seen.add(final)
            hops += 1
        out.append(red | {"new_gid": final, "hops": hops, "sitting_year": red["sitting_date"].year})
    return out
