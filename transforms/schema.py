"""Canonical schema: the one place that declares every table's columns and types.

Every table written by the pipeline is built from these declarations (`frame()` applies them),
the data dictionary in docs/ is generated from them, and the DuckDB views select columns in
this order. Column names are a contract: change one only with a new SCHEMA_VERSION.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    nullable: bool
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    key: tuple[str, ...]
    partition_by: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str
    order_by: tuple[str, ...] = ()  # row order inside every file: output is deterministic

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if not c.nullable]

    @property
    def file_columns(self) -> list[str]:
        """Columns stored inside the Parquet files (partition keys live in the path)."""
        return [c.name for c in self.columns if c.name not in self.partition_by]


def _c(name: str, dtype: pl.DataType, nullable: bool, description: str) -> Column:
    return Column(name, dtype, nullable, description)


STR, DATE, I32, I16, BOOL = pl.String(), pl.Date(), pl.Int32(), pl.Int16(), pl.Boolean()
F64 = pl.Float64()
I64 = pl.Int64()
TS = pl.Datetime("us", "UTC")

HOUSES = ("Commons", "Lords")
LOCATIONS = (
    "Commons Chamber",
    "Westminster Hall",
    "Public Bill Committees",
    "General Committees",
    "Lords Chamber",
    "Grand Committee",
)
CONTRIBUTION_TYPES = ("speech", "question", "collective", "written")
SOURCES = ("pp_text", "hansard_api")

_SOURCE = _c(
    "source",
    STR,
    False,
    "Input family the row came from: `pp_text` (transcript text) or `hansard_api` (the "
    "official Hansard API). A partition key wherever the table is partitioned.",
)
TS_LOCAL = pl.Datetime("us")
_RAW = _c(
    "raw_sha256",
    STR,
    False,
    "sha256 of the raw input the row was parsed from (lineage into warehouse/raw/).",
)
_HOUSE = _c("house", STR, False, "`Commons` or `Lords` (partition key).")
_YEAR = _c("sitting_year", I16, False, "Calendar year of `sitting_date` (partition key).")
_LOCATION = _c(
    "location",
    STR,
    False,
    "Where the debate sat: Commons Chamber, Westminster Hall, Public Bill Committees, "
    "General Committees, Lords Chamber, Grand Committee.",
)
_DATE = _c("sitting_date", DATE, False, "Date of the sitting.")

DEBATES = Table(
    name="debates",
    grain="One row per debate (a titled item of business on one sitting day and location).",
    key=("debate_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Debates seen in any input, with their place in the debate tree.",
    order_by=("sitting_date", "debate_id"),
    columns=(
        _c(
            "debate_id",
            STR,
            False,
            "Stable id. Hansard API: the debate section's ExtId. Transcript text: `pp-` + hash "
            "of house, location, sitting date and title, so excerpts on several pages share it.",
        ),
        _SOURCE,
        _HOUSE,
        _LOCATION,
        _DATE,
        _YEAR,
        _c("title", STR, False, "Debate title as printed."),
        _c("department", STR, True, "Government department the page attributes it to."),
        _c("stage", STR, True, "Bill stage string when the block gives one."),
        _c("parent_debate_id", STR, True, "Enclosing debate in the tree; null at the top."),
        _c("hrs_tag", STR, True, "Hansard API section tag, e.g. `hs_2cStatement`."),
        _c(
            "hansard_edition",
            I16,
            True,
            "Hansard API Overview.Source, the integer the API sends (documented as an enum: "
            "1 RollingHansard, 2 DailyHansard, 3 BoundVolume, 4 Historic).",
        ),
        _c(
            "content_last_updated",
            TS_LOCAL,
            True,
            "Hansard API: when the debate's content last changed (UK local time, as sent).",
        ),
        _c(
            "source_ref",
            STR,
            False,
            "Input file or URL plus position (line, or result index) of the debate.",
        ),
        _RAW,
    ),
)

CONTRIBUTIONS = Table(
    name="contributions",
    grain="One row per contribution (one speaker's turn) in a debate.",
    key=("contribution_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Every spoken contribution, with its speaker as printed and its full text.",
    order_by=("sitting_date", "debate_id", "ordinal", "contribution_id"),
    columns=(
        _c(
            "contribution_id",
            STR,
            False,
            "Stable id. Hansard API: its ContributionExtId. Transcript text: `pp-` + hash of "
            "debate id, speaker key, text and the occurrence of that speaker+text in the debate.",
        ),
        _c("debate_id", STR, False, "The debate (debates.debate_id)."),
        _SOURCE,
        _c(
            "source_ref",
            STR,
            False,
            "Input file or URL plus position: the speaker line, or the API result index.",
        ),
        _DATE,
        _YEAR,
        _HOUSE,
        _LOCATION,
        _c(
            "ordinal",
            I32,
            False,
            "Order within the debate as published (1-based). For transcript excerpts, the "
            "order within the excerpt.",
        ),
        _c("speaker_key", STR, True, 'Canonical name before "Portrait"; null for `None`.'),
        _c("speaker_display", STR, False, 'The speaker line as printed after "Portrait".'),
        _c("speaker_name", STR, True, "The person's name as printed (null for collectives)."),
        _c("speaker_office", STR, True, "Office printed with the name, e.g. a minister's."),
        _c("constituency", STR, True, "Constituency as printed or carried from earlier."),
        _c("party", STR, True, "Party label as printed or carried from earlier, e.g. `Con`."),
        _c("member_id", I32, True, "Parliament member id; null until identity resolution."),
        _c(
            "contribution_type",
            STR,
            False,
            "`speech`, `question` (a tabled question), `written` (a written statement) or "
            "`collective` (e.g. Several hon. Members rose).",
        ),
        _c("text", STR, False, "Paragraphs joined by a blank line (\\n\\n), exact."),
        _c("word_count", I32, False, "Whitespace-separated words in `text`."),
        _c("is_virtual", BOOL, False, "Printed with [V]: took part virtually."),
        _c(
            "details_carried",
            BOOL,
            False,
            "Constituency/party came from the same speaker's earlier block on the page.",
        ),
        _c("after_gap", BOOL, False, "Preceded by `--- Later in debate ---` (a gap)."),
        _c(
            "is_truncated",
            BOOL,
            False,
            "The page was cut inside this contribution's last paragraph.",
        ),
        _c("hrs_tag", STR, True, "Hansard API item tag, e.g. `hs_Para`, `Question`."),
        _c("hansard_section", STR, True, "Printed column range as the API gives it."),
        _c("column_start", I32, True, "Hansard column where the contribution starts."),
        _c("column_end", I32, True, "Hansard column where it ends."),
        _c("question_number", STR, True, "Order-paper number of a tabled question."),
        _c("timecode", TS_LOCAL, True, "Time printed with the contribution (UK local time)."),
        _RAW,
    ),
)

REJECTS = Table(
    name="rejects",
    grain="One row per rejected input or fragment of an input.",
    key=("source", "source_ref", "reason"),
    partition_by=("source",),
    description="Inputs or fragments that were not published, and why.",
    order_by=("source_ref", "reason", "detail"),
    columns=(
        _SOURCE,
        _c("source_ref", STR, False, "File or URL plus line where the problem is."),
        _c(
            "reason",
            STR,
            False,
            "Short code: empty, binary, encoding, no_speakers, unknown_line, truncated, "
            "no_date, unreadable.",
        ),
        _c("detail", STR, False, "Human-readable explanation naming what was found."),
        _c("rejected_at", TS, False, "When the input was ingested (UTC)."),
        _c("raw_sha256", STR, True, "sha256 of the raw input; null if it could not be read."),
    ),
)

RAW_INPUTS = Table(
    name="raw_inputs",
    grain="One row per raw input: a file's content, or one HTTP response to one request.",
    key=("raw_sha256", "document_key"),
    partition_by=("source",),
    description="Manifest of the immutable raw zone.",
    order_by=("ingested_at", "raw_sha256"),
    columns=(
        _SOURCE,
        _RAW,
        _c(
            "document_key",
            STR,
            False,
            "Identity of the document (its URL line, else its path); a newer input with the "
            "same key supersedes the older.",
        ),
        _c("original_path", STR, False, "Path, or full request URL, the bytes came from."),
        _c("http_status", I32, True, "HTTP status of a fetched response."),
        _c("content_type", STR, True, "Content-Type of a fetched response."),
        _c("raw_path", STR, False, "Location under warehouse/raw/."),
        _c("bytes", I64, False, "Size in bytes."),
        _c("ingested_at", TS, False, "When the bytes were stored (fetched) (UTC)."),
        _c("is_current", BOOL, False, "False when a newer input of the same document exists."),
    ),
)

INGEST_RUNS = Table(
    name="ingest_runs",
    grain="One row per pipeline run.",
    key=("run_id",),
    partition_by=(),
    description="What each run did.",
    order_by=("started_at", "run_id"),
    columns=(
        _c("run_id", STR, False, "Unique run id."),
        _c("flow", STR, False, "Which job: ingest-text, ingest-api, rebuild."),
        _SOURCE,
        _c("started_at", TS, False, "Start (UTC)."),
        _c("finished_at", TS, True, "End (UTC); null while running or if it crashed."),
        _c("status", STR, False, "`completed`, `failed` or `running`."),
        _c("inputs_seen", I32, False, "Input files offered to the run."),
        _c("inputs_new", I32, False, "Inputs whose bytes were new to the raw zone."),
        _c("inputs_unchanged", I32, False, "Inputs already in the raw zone (no-op)."),
        _c("debates", I32, False, "Debate rows parsed from the new inputs."),
        _c("contributions", I32, False, "Contribution rows parsed from the new inputs."),
        _c("rejects", I32, False, "Reject rows produced by the new inputs."),
        _c("partitions_written", I32, False, "Partitions replaced by this run."),
        _c("debates_new", I32, True, "Debates published for the first time (API runs)."),
        _c("debates_changed", I32, True, "Debates whose content changed (API runs)."),
        _c("debates_unchanged", I32, True, "Debates re-checked and found unchanged (API runs)."),
        _c("duration_s", F64, True, "Wall time of the run in seconds."),
        _c("message", STR, True, "Error or note."),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (DEBATES, CONTRIBUTIONS, REJECTS, RAW_INPUTS, INGEST_RUNS)
}


def frame(table: Table, rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Build a frame for `table` from row dicts, strictly: unknown keys are an error."""
    rows = list(rows)
    names = set(table.column_names)
    for i, row in enumerate(rows):
        extra = set(row) - names
        if extra:
            raise ValueError(f"{table.name} row {i}: unknown columns {sorted(extra)}")
    return conform(table, pl.DataFrame(rows, schema=table.schema))


def conform(table: Table, df: pl.DataFrame) -> pl.DataFrame:
    """Check `df` against the declared schema: columns, order, types, required values."""
    if df.columns != table.column_names:
        missing = [c for c in table.column_names if c not in df.columns]
        extra = [c for c in df.columns if c not in table.column_names]
        if missing or extra:
            raise ValueError(f"{table.name}: missing columns {missing}, unexpected {extra}")
        df = df.select(table.column_names)
    for col in table.columns:
        if df.schema[col.name] != col.dtype:
            raise TypeError(
                f"{table.name}.{col.name}: type {df.schema[col.name]}, declared {col.dtype}"
            )
    nulls = [c for c in table.required if df[c].null_count()]
    if nulls:
        raise ValueError(f"{table.name}: nulls in required columns {nulls}")
    return df


_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "VARCHAR",
    pl.Date: "DATE",
    pl.Int16: "SMALLINT",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.Boolean: "BOOLEAN",
    pl.Float64: "DOUBLE",
}


def duckdb_type(dtype: pl.DataType) -> str:
    """The SQL type analysts see in the DuckDB views."""
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP WITH TIME ZONE" if dtype.time_zone else "TIMESTAMP"
    return _DUCKDB_TYPES[type(dtype)]


def contract() -> dict[str, Any]:
    """The BI contract: every table's partition keys and columns (name, SQL type, nullable),
    in order. Frozen per SCHEMA_VERSION in docs/schema-v<N>.json."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tables": {
            t.name: {
                "partition_by": list(t.partition_by),
                "columns": [[c.name, duckdb_type(c.dtype), c.nullable] for c in t.columns],
            }
            for t in TABLES.values()
        },
    }


def empty(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=table.schema)
