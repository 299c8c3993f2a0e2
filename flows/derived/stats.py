"""debate_stats: each debate's contributions, distinct speakers, words and first named speaker,
counted per contributions partition from its contributions and speaker resolutions; the
`debate_summary` view joins it to debates instead of aggregating every contribution through
`contributions_enriched`.

The rules are the view's before it: a person is `member:<id>` when resolved, else
`twfy:<person id>`, else `name:<speaker key or name>`, none for collective and procedural rows;
the first speaker is the named one (a person) with the lowest ordinal, then contribution_id.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.core.publish import Partition, partition_file
from flows.core.warehouse import Warehouse
from flows.derived.resolution import SpeakerResolution, read_file_columns
from transforms.schema import DEBATE_STATS, SPEAKER_RESOLUTIONS

STATS_VERSION = "1"  # bump when the rules change: every partition is derived again
COLUMNS = (
    "source",
    "house",
    "sitting_year",
    "debate_id",
    "contribution_id",
    "ordinal",
    "contribution_type",
    "speaker_key",
    "speaker_name",
    "twfy_person_id",
    "word_count",
)


def person_key() -> pl.Expr:
    """contributions_enriched.person_key, from a contribution and its member_id."""
    printed = pl.coalesce("speaker_key", "speaker_name")
    return (
        pl.when(pl.col("member_id").is_not_null())
        .then(pl.lit("member:") + pl.col("member_id").cast(pl.String))
        .when(pl.col("twfy_person_id").is_not_null())
        .then(pl.lit("twfy:") + pl.col("twfy_person_id"))
        .when(pl.col("contribution_type").is_in(["collective", "procedural"]))
        .then(None)
        .when(printed.is_not_null())
        .then(pl.lit("name:") + printed)
    )


def stats(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per debate of `rows` (COLUMNS and member_id)."""
    named = pl.col("person").is_not_null()
    order = ["ordinal", "contribution_id"]

    def first(column: str) -> pl.Expr:
        return (
            pl.col(column).filter(named).sort_by([pl.col(c).filter(named) for c in order]).first()
        )

    return (
        rows.with_columns(person=person_key())
        .group_by("source", "house", "sitting_year", "debate_id")
        .agg(
            contribution_count=pl.len().cast(pl.Int64),
            speaker_count=pl.col("person").drop_nulls().n_unique().cast(pl.Int64),
            word_count=pl.col("word_count").sum().cast(pl.Int64),
            first_speaker_key=first("speaker_key"),
            first_speaker_name=first("speaker_name"),
            first_speaker_member_id=first("member_id"),
        )
    )


class DebateStats:
    """The deriver (flows/derived/refresh.py) of debate_stats: after the speaker resolutions
    (it reads their partition), with their fingerprint (the members tables)."""

    name = "debate-stats"
    tables = (DEBATE_STATS,)

    def __init__(self, wh: Warehouse, resolution: SpeakerResolution) -> None:
        self.wh = wh
        self.resolution = resolution

    def fingerprint(self) -> str:
        return f"{STATS_VERSION}:{self.resolution.fingerprint()}"

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        rows = read_file_columns(contributions_file, part, COLUMNS)
        resolved = partition_file(self.wh, SPEAKER_RESOLUTIONS, part)
        if resolved is None:  # refresh_derived resolves a partition before counting it
            raise FileNotFoundError(
                f"{SPEAKER_RESOLUTIONS.name} {part}: resolve the speakers before debate_stats"
            )
        members = pl.read_parquet(resolved, columns=["contribution_id", "member_id"])
        out = stats(rows.join(members, on="contribution_id", how="left"))
        table = DEBATE_STATS
        out = out.select(table.column_names).sort(list(table.order_by))
        return {table.name: out.cast(dict(table.schema))}
