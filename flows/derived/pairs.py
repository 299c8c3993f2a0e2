"""intervention_pairs: who spoke straight after whom, counted per contributions partition; the
`interventions` view sums the partitions (a debate never spans two), so it reads a few
thousand rows instead of running a window over every contribution.

The rule is the view's before it: turns follow each other by ordinal within one excerpt of a
debate (one raw input) and not across a "Later in debate" gap; rows without a named speaker
(collective, procedural) are skipped, so A, collective, B is a pair A → B; the same speaker twice
in a row is not a pair.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.core.publish import Partition
from flows.derived.resolution import read_file_columns
from transforms.schema import INTERVENTION_PAIRS

PAIRS_VERSION = "1"  # bump when the rule changes: every partition is derived again
COLUMNS = ("debate_id", "raw_sha256", "ordinal", "contribution_id", "speaker_key", "after_gap")
EXCERPT = ("debate_id", "raw_sha256")


def pairs(contributions: pl.DataFrame) -> pl.DataFrame:
    """The pairs of some whole debates' contributions (with `sitting_date` and COLUMNS)."""
    rows = contributions.sort([*EXCERPT, "ordinal", "contribution_id"]).with_row_index("row")
    event = pl.col("speaker_key").is_not_null() | pl.col("after_gap")
    rows = rows.with_columns(
        # the row of the next event (a named speaker, or a gap) in the same excerpt
        next_row=pl.when(event).then(pl.col("row")).shift(-1).backward_fill().over(EXCERPT)
    )
    events = rows.select("row", next_speaker_key="speaker_key", next_gap="after_gap")
    turns = rows.join(events, left_on="next_row", right_on="row", how="inner").filter(
        pl.col("speaker_key").is_not_null()
        & ~pl.col("next_gap")
        & (pl.col("next_speaker_key") != pl.col("speaker_key"))
    )
    return turns.group_by("speaker_key", "next_speaker_key").agg(
        pair_count=pl.len().cast(pl.Int64),
        debate_count=pl.col("debate_id").n_unique().cast(pl.Int64),
        first_date=pl.col("sitting_date").min(),
        last_date=pl.col("sitting_date").max(),
    )


class SpeakerPairs:
    """The deriver (flows/derived/refresh.py) of intervention_pairs."""

    name = "intervention-pairs"
    tables = (INTERVENTION_PAIRS,)

    def fingerprint(self) -> str:
        return PAIRS_VERSION

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        columns = ("source", "house", "sitting_year", "sitting_date", *COLUMNS)
        rows = read_file_columns(contributions_file, part, columns)
        keys = rows.select("source", "house", "sitting_year").head(1)
        found = pairs(rows)
        out = found.join(keys, how="cross") if keys.height else found.clear()
        table = INTERVENTION_PAIRS
        out = out.select(table.column_names).sort(list(table.order_by))
        return {table.name: out.cast(dict(table.schema))}
