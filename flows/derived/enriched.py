"""contributions_enriched: every contribution (not its text) with its resolved member and the
name, party and seat that member held on the sitting date, derived per contributions partition
so that the people views (speaker_activity, party_month, member_profile, term_trend …) read one
table instead of joining every contribution to its resolution and three histories at query time
(1.6–2.3 s for a count at 7.6×10^6, 0.7 GB of reader memory).

The rules are the view's before it: a period covers the date when it started on or before it
and has not ended before it; of two that cover it, the later start wins, then the higher
ordinal (a party switch takes effect on its start date); a seat is looked up in the
contribution's House, and a seat with no start date covers every date up to its end. The name
is the one on the date, else the member's current name. `doc` is the contribution's number in
the search index of its partition (its rank by contribution_id), so term_trend and the search
macros reach a match's row by integers.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import polars as pl

from flows.core.publish import Partition, partition_file, read_table
from flows.core.warehouse import Warehouse
from flows.derived.resolution import SpeakerResolution, add_files, read_file_columns
from flows.derived.stats import person_key
from transforms.schema import (
    CONTRIBUTIONS_ENRICHED,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBER_PARTIES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    Table,
)

ENRICHED_VERSION = "1"  # bump when the rules change: every partition is derived again
COLUMNS = (
    "contribution_id",
    "debate_id",
    "source",
    "sitting_date",
    "sitting_year",
    "house",
    "location",
    "ordinal",
    "contribution_type",
    "speaker_key",
    "speaker_display",
    "speaker_name",
    "speaker_office",
    "constituency",
    "party",
    "twfy_person_id",
    "word_count",
)
MEMBER_TABLES = (MEMBERS, MEMBER_NAMES, MEMBER_PARTIES, MEMBER_HOUSES)


def on_date(
    rows: pl.DataFrame, periods: pl.DataFrame, values: list[str], same_house: bool = False
) -> pl.DataFrame:
    """For each row (contribution_id, member_id, sitting_date, house) the `values` of the
    member's period covering its sitting date: the latest start, then the highest ordinal."""
    on = ["member_id", "house"] if same_house else ["member_id"]
    start, end, date = pl.col("start_date"), pl.col("end_date"), pl.col("sitting_date")
    covering = (start.is_null() | (start <= date)) & (end.is_null() | (date <= end))
    return (
        rows.join(periods.select(*on, "start_date", "end_date", "ordinal", *values), on=on)
        .filter(covering)
        .sort(
            ["contribution_id", "start_date", "ordinal"],
            descending=[False, True, True],
            nulls_last=True,
        )
        .unique("contribution_id", keep="first", maintain_order=True)
        .select("contribution_id", *values)
    )


def enrich(
    rows: pl.DataFrame, resolutions: pl.DataFrame, members: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """contributions_enriched's rows for some contributions (COLUMNS) and their resolutions
    (contribution_id, member_id, method, reason); `members`: the members tables by name."""
    printed = {"constituency": "printed_constituency", "party": "printed_party"}
    res = rows.rename(printed).join(resolutions, on="contribution_id", how="left")
    who = res.filter(pl.col("member_id").is_not_null()).select(
        "contribution_id", "member_id", "sitting_date", "house"
    )
    names = on_date(who, members[MEMBER_NAMES.name], ["name_display"])
    parties = on_date(
        who, members[MEMBER_PARTIES.name], ["party_id", "party_name", "party_abbreviation"]
    )
    seats = on_date(who, members[MEMBER_HOUSES.name], ["membership_from"], same_house=True)
    current = members[MEMBERS.name].select(
        "member_id", current_name="name_display", member_gender="gender"
    )
    on_the_day = pl.coalesce("party_abbreviation", "party_name")
    return (
        res.join(current, on="member_id", how="left")
        .join(names, on="contribution_id", how="left")
        .join(parties, on="contribution_id", how="left")
        .join(seats, on="contribution_id", how="left")
        .with_columns(
            person_key=person_key(),
            member_name=pl.coalesce("name_display", "current_name"),
            party_basis=pl.when(on_the_day.is_not_null())
            .then(pl.lit("on_date"))
            .when(pl.col("printed_party").is_not_null())
            .then(pl.lit("printed")),
            party=pl.coalesce(on_the_day, "printed_party"),
        )
        .rename({"method": "resolution_method", "reason": "resolution_reason"})
        # the search index's number for the contribution (flows/derived/search.py: its rank
        # by id in the partition), so search matches find their rows by integers, not ids
        .with_columns(doc=pl.col("contribution_id").rank("ordinal"))
    )


_MEMBERS: dict[str, dict[str, pl.DataFrame]] = {}  # per process: fingerprint → members tables
_MEMBERS_LOCK = threading.Lock()


class EnrichedContributions:
    """The deriver (flows/derived/refresh.py) of contributions_enriched: after the speaker
    resolutions (it reads their partition); its fingerprint covers every members table."""

    name = "contributions-enriched"
    tables = (CONTRIBUTIONS_ENRICHED,)

    def __init__(self, wh: Warehouse, resolution: SpeakerResolution) -> None:
        self.wh = wh
        self.resolution = resolution
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        """The resolution's (members, names, seats, the TheyWorkForYou map) and the parties."""
        if self._fingerprint is None:
            digest = hashlib.sha256(f"{ENRICHED_VERSION}:{self.resolution.fingerprint()}".encode())
            add_files(digest, self.wh, (MEMBER_PARTIES,))
            self._fingerprint = digest.hexdigest()[:32]
        return self._fingerprint

    def members(self) -> dict[str, pl.DataFrame]:
        """The members tables, read once per process and fingerprint (a few MB)."""
        key = f"{self.wh.root}:{self.fingerprint()}"
        with _MEMBERS_LOCK:
            if key not in _MEMBERS:
                _MEMBERS.clear()
                _MEMBERS[key] = {t.name: read_table(self.wh, t) for t in MEMBER_TABLES}
            return _MEMBERS[key]

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        rows = read_file_columns(contributions_file, part, COLUMNS)
        resolved = partition_file(self.wh, SPEAKER_RESOLUTIONS, part)
        if resolved is None:  # refresh_derived resolves a partition before enriching it
            raise FileNotFoundError(
                f"{SPEAKER_RESOLUTIONS.name} {part}: resolve the speakers before enriching"
            )
        resolutions = pl.read_parquet(
            resolved, columns=["contribution_id", "member_id", "method", "reason"]
        )
        table: Table = CONTRIBUTIONS_ENRICHED
        out = enrich(rows, resolutions, self.members()).select(table.column_names)
        return {table.name: out.sort(list(table.order_by)).cast(dict(table.schema))}
