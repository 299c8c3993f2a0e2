"""Canonical schema: the one place that declares every table's columns and types.

Every table written by the pipeline is built from these declarations (`frame()` applies them),
the data dictionary in docs/ is generated from them, and the DuckDB views select columns in
this order. Column names are a contract: change one only with a new SCHEMA_VERSION.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

SCHEMA_VERSION = 11


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
    # rows per Parquet row group: a reader skips the row groups whose statistics rule them out
    row_group: int = 100_000
    # integer columns stored as deltas (DELTA_BINARY_PACKED), for numbers that mostly increase
    # in the file's order; every other column is dictionary-encoded
    delta_encoded: tuple[str, ...] = ()

    @cached_property  # built once per table: publish asks for it for every partition
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
    "Written Statements",
    "Written Answers",
)
CONTRIBUTION_TYPES = ("speech", "question", "collective", "written", "answer", "procedural")

_SOURCE = _c(
    "source",
    STR,
    False,
    "The source the row came from (its name in the source registry: see Sources above, or "
    "`hansard status`); `raw_inputs` names the raw-zone folder. A partition key wherever the "
    "table is partitioned.",
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
    "General Committees, Lords Chamber, Grand Committee; TheyWorkForYou XML adds Written "
    "Statements and Written Answers.",
)
_DATE = _c("sitting_date", DATE, False, "Date of the sitting.")
_UNKNOWN = (
    "; null when a transcript page does not print it anywhere (the rows are flagged "
    "`header_incomplete`)"
)
_HOUSE_OPEN = _c(
    "house",
    STR,
    True,
    "`Commons` or `Lords` (partition key)" + _UNKNOWN + ", stored under "
    "`house=__HIVE_DEFAULT_PARTITION__`, which every Parquet reader reads as null.",
)
_YEAR_OPEN = _c(
    "sitting_year",
    I16,
    True,
    "Calendar year of `sitting_date` (partition key)" + _UNKNOWN + ".",
)
_DATE_OPEN = _c("sitting_date", DATE, True, "Date of the sitting" + _UNKNOWN + ".")
_LOCATION_OPEN = Column("location", STR, True, _LOCATION.description.rstrip(".") + _UNKNOWN + ".")
_HEADER_INCOMPLETE = _c(
    "header_incomplete",
    BOOL,
    True,
    "Transcript text: the page did not print the debate's date, House, location or title "
    "anywhere (block, page header, listing or URL); what is unknown is null, never guessed, "
    "and a `header_incomplete` warning in rejects names it. Null for the other sources, whose "
    "rows always carry them.",
)

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
            "of house, location, sitting date and title, so excerpts on several pages share it. "
            "TheyWorkForYou XML: the heading's gid (`uk.org.publicwhip/debate/2009-10-27d.141.0`).",
        ),
        _SOURCE,
        _HOUSE_OPEN,
        _LOCATION_OPEN,
        _DATE_OPEN,
        _YEAR_OPEN,
        _c("title", STR, True, "Debate title as printed" + _UNKNOWN + "."),
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
        _c(
            "heading_level",
            STR,
            True,
            "TheyWorkForYou XML: the heading that made the debate: `major` (its children are "
            "the `minor` headings after it), `minor`, or `oral` (Oral Answers to Questions).",
        ),
        _c(
            "source_url",
            STR,
            True,
            "TheyWorkForYou XML: the heading's `url` (the Official Report page it was read "
            "from); null when empty, as in every modern file.",
        ),
        _c(
            "bill_title",
            STR,
            True,
            "TheyWorkForYou Public Bill Committee files: the bill the committee considered.",
        ),
        _HEADER_INCOMPLETE,
    ),
)

CONTRIBUTIONS = Table(
    name="contributions",
    grain="One row per contribution (one speaker's turn) in a debate.",
    key=("contribution_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Every spoken contribution, with its speaker as printed and its full text.",
    order_by=("sitting_date", "debate_id", "ordinal", "contribution_id"),
    # by date, in row groups of ~5 MB of text: fetching a few contributions by id and date
    # (search_top) reads their row groups, not the partition (~1.3 KB of text a row), and
    # writing a row group holds ~5 MB of text in Arrow (16,384 rows: ~40 MB more a merge worker)
    row_group=4_096,
    columns=(
        _c(
            "contribution_id",
            STR,
            False,
            "Stable id. Hansard API: its ContributionExtId. Transcript text: `pp-` + hash of "
            "debate id, speaker key, text and the occurrence of that speaker+text in the debate. "
            "TheyWorkForYou XML: the speech's gid.",
        ),
        _c("debate_id", STR, False, "The debate (debates.debate_id)."),
        _SOURCE,
        _c(
            "source_ref",
            STR,
            False,
            "Input file or URL plus position: the speaker line, or the API result index.",
        ),
        _DATE_OPEN,
        _YEAR_OPEN,
        _HOUSE_OPEN,
        _LOCATION_OPEN,
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
            "`speech`, `question` (a tabled question), `written` (a written statement), "
            "`collective` (e.g. Several hon. Members rose); TheyWorkForYou XML adds `answer` (a "
            "written answer) and `procedural` (text with no speaker: Question put, Resolved).",
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
        _c(
            "speaker_ref",
            STR,
            True,
            "TheyWorkForYou XML: the speaker id as printed: `person_id` (modern files, "
            "`uk.org.publicwhip/person/N`) or `speakerid` (old files, a membership "
            "`uk.org.publicwhip/member/N` or `…/lord/N`), or `unknown`.",
        ),
        _c(
            "twfy_person_id",
            STR,
            True,
            "TheyWorkForYou person (`uk.org.publicwhip/person/N`) behind `speaker_ref`, via "
            "members/people.xml for membership ids; null when unknown.",
        ),
        _c(
            "speech_type",
            STR,
            True,
            "TheyWorkForYou XML: the speech's `type` as printed in modern files, e.g. `Start "
            "Question`, `Continuation Speech`.",
        ),
        _c(
            "source_url",
            STR,
            True,
            "TheyWorkForYou XML: the speech's `url` (old files: the Official Report page and "
            "anchor); null when empty.",
        ),
        _c(
            "has_motion",
            BOOL,
            True,
            "TheyWorkForYou XML: some paragraph is marked as motion text "
            '(`pwmotiontext="yes"`: "I beg to move, That …").',
        ),
        _c(
            "question_uin",
            STR,
            True,
            "TheyWorkForYou XML: the question's UIN (`qnum`, e.g. `295520`, `HL5813`); for a "
            "grouped question, the one its gid is keyed on (else the first printed).",
        ),
        _c(
            "question_uins",
            pl.List(STR),
            True,
            "TheyWorkForYou XML: every UIN of the question in printed order (a grouped "
            "question answered together has several; `question_uin` is the keyed one).",
        ),
        _HEADER_INCOMPLETE,
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
            "unreadable, refused (a file name that is not UTF-8, a dangling link, a link out of "
            "the folder given), corrupt_raw (a raw-zone object missing or not matching its "
            "sha256), header_incomplete (a warning: the block's speeches are kept, with "
            "what its header lacks left null); TheyWorkForYou XML adds hostile_xml, malformed, "
            "too_large, "
            "unknown_element, unknown_file, unknown_vote, missing_field, duplicate_id, "
            "bad_value, no_latest_version, newer_version_missing.",
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
        _c("flow", STR, False, "Which job: ingest-text, ingest-api, ingest-twfy, rebuild."),
        _SOURCE,
        _c("started_at", TS, False, "Start (UTC)."),
        _c("finished_at", TS, True, "End (UTC); null while running or if it crashed."),
        _c(
            "status",
            STR,
            False,
            "`completed`, `failed`, `running`, or `crashed` (its process ended without an "
            "outcome, e.g. killed: set by the next run that finds no other writer).",
        ),
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

DIVISIONS = Table(
    name="divisions",
    grain="One row per division (a recorded vote) of a sitting.",
    key=("division_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Divisions with the counts as declared; the names are in division_votes.",
    order_by=("sitting_date", "division_id"),
    columns=(
        _c(
            "division_id",
            STR,
            False,
            "The division's gid as printed (TheyWorkForYou XML), or `commonsvotes/<DivisionId>` "
            "/ `lordsvotes/<divisionId>` (the Votes APIs).",
        ),
        _c(
            "debate_id",
            STR,
            True,
            "The debate it was held in (debates.debate_id), where the source says; null for the "
            "Votes APIs, whose divisions are linked to debates by the `division_debates` view.",
        ),
        _SOURCE,
        _c("source_ref", STR, False, "Input file plus line of the division."),
        _DATE,
        _YEAR,
        _HOUSE,
        _LOCATION,
        _c("division_number", I32, True, "Division number of the session (`divnumber`)."),
        _c("timecode", TS_LOCAL, True, "Time printed with the division (UK local time)."),
        _c("column_start", I32, True, "Hansard column where the division is printed."),
        _c(
            "aye_count",
            I32,
            True,
            "Ayes as declared in `divisioncount` (Lords: Contents). Commons counts leave the two "
            "tellers out; Lords counts include them.",
        ),
        _c("no_count", I32, True, "Noes as declared (Lords: Not-Contents)."),
        _c("source_url", STR, True, "The division's `url` (Official Report page); null if none."),
        _c("upstream_id", I32, True, "The Votes API's division id (`DivisionId`/`divisionId`)."),
        _c("title", STR, True, "The division's title as the Votes API gives it."),
        _c("friendly_title", STR, True, "Commons `FriendlyTitle`: a plain-English title."),
        _c(
            "friendly_description",
            STR,
            True,
            "Commons `FriendlyDescription`; Lords `amendmentMotionNotes` (HTML as given).",
        ),
        _c("is_deferred", BOOL, True, "Commons: a deferred division (voted on paper, no tellers)."),
        _c("evel_type", STR, True, "Commons `EVELType` (English votes for English laws); '' none."),
        _c("evel_country", STR, True, "Commons `EVELCountry`; '' when not an EVEL division."),
        _c(
            "double_majority_aye_count",
            I32,
            True,
            "Commons double-majority (EVEL) Ayes as declared; null when not applicable.",
        ),
        _c("double_majority_no_count", I32, True, "Commons double-majority Noes as declared."),
        _c("aye_teller_count", I32, True, "Tellers named for the Ayes/Contents."),
        _c("no_teller_count", I32, True, "Tellers named for the Noes/Not-Contents."),
        _c(
            "remote_voting_start",
            TS_LOCAL,
            True,
            "Start of the remote (pass-reader or app) voting window, UK local time.",
        ),
        _c("remote_voting_end", TS_LOCAL, True, "End of the remote voting window."),
        _c(
            "publication_updated",
            TS_LOCAL,
            True,
            "Commons `PublicationUpdated`: when the published record last changed (the "
            "correction window re-fetches a division when it moves).",
        ),
        _c("is_government_win", BOOL, True, "Lords `isGovernmentWin`, where given."),
        _RAW,
    ),
)

DIVISION_VOTES = Table(
    name="division_votes",
    grain="One row per name in a division's vote lists.",
    key=("division_id", "ordinal"),
    partition_by=("source", "house", "sitting_year"),
    description="Who voted which way in each division, as printed, tellers and proxies marked.",
    order_by=("sitting_date", "division_id", "ordinal"),
    columns=(
        _c("division_id", STR, False, "The division (divisions.division_id)."),
        _SOURCE,
        _HOUSE,
        _DATE,
        _YEAR,
        _c("ordinal", I32, False, "Position in the division's lists, in document order (1-based)."),
        _c(
            "vote",
            STR,
            False,
            "As printed: `aye` or `no` (Commons), `content` or `not-content` (Lords); the "
            "Commons Votes API's `NoVoteRecorded` list as `no-vote-recorded`.",
        ),
        _c(
            "voter_name",
            STR,
            False,
            'The name as printed in the list, e.g. "Ainsworth, Mr. Peter".',
        ),
        _c(
            "voter_ref",
            STR,
            True,
            "The voter's id as printed: `person_id` (modern), `id` (old: a membership), "
            "`memberid` (Public Bill Committees); the Votes APIs' member id.",
        ),
        _c(
            "twfy_person_id",
            STR,
            True,
            "TheyWorkForYou person behind `voter_ref`; null if unknown.",
        ),
        _c("member_id", I32, True, "Parliament member id; null until identity resolution."),
        _c("is_teller", BOOL, False, 'Marked `teller="yes"`: counted the votes for this side.'),
        _c("proxy_ref", STR, True, "Who cast the vote by proxy (`proxy`, a person id), if anyone."),
        _c("proxy_twfy_person_id", STR, True, "TheyWorkForYou person behind `proxy_ref`."),
        _c("proxy_name", STR, True, "Commons Votes API `ProxyName`: who cast the vote by proxy."),
        _c("party", STR, True, "The voter's party as the Votes API records it with the vote."),
        _c("source_ref", STR, False, "Input file plus line of the name."),
        _RAW,
    ),
)

ID_REDIRECTS = Table(
    name="id_redirects",
    grain="One row per redirect from a superseded version's gid to a newer one.",
    key=("old_gid", "direct_gid"),
    partition_by=("source",),
    description="Where the gids of superseded TheyWorkForYou versions now point.",
    order_by=("old_gid", "direct_gid"),
    columns=(
        _c("old_gid", STR, False, "The gid in the older version (`…/2009-10-27a.225.1`)."),
        _SOURCE,
        _c(
            "new_gid",
            STR,
            False,
            "Where it points once chains are followed (a→b→c→d) as far as the stored versions "
            "reach; the published row has this id when the newest version is stored.",
        ),
        _c("direct_gid", STR, False, "The `newgid` as printed: the next version only."),
        _c(
            "matchtype",
            STR,
            False,
            "As printed: `perfectmatch`, `changes`, `multiplecover`, `missing`, `removed`.",
        ),
        _c("hops", I16, False, "Redirects followed from old_gid to new_gid (1 = direct)."),
        _HOUSE,
        _DATE,
        _YEAR,
        _c("source_ref", STR, False, "Input file plus line of the `gidredirect`."),
        _RAW,
    ),
)

# --- members dimension and speaker identity (issue 5) ------------------------------------------
_MEMBER_ID = _c(
    "member_id",
    I32,
    False,
    "Parliament member id (MNIS id; the Members API `id`, the Hansard API `MemberId`, "
    "TheyWorkForYou's `datadotparl_id`).",
)
_MEMBERS_RAW = _c(
    "raw_sha256",
    STR,
    False,
    "sha256 of the Members API response the row was read from (warehouse/raw/members_api/).",
)
_ORDINAL = _c(
    "ordinal",
    I16,
    False,
    "Position of the entry in the member's history as the Members API lists it (1-based).",
)

MEMBERS = Table(
    name="members",
    grain="One row per member of either House (a Parliament member id).",
    key=("member_id",),
    partition_by=(),
    description="Members of Parliament and of the Lords as the Members API describes them now.",
    order_by=("member_id",),
    columns=(
        _MEMBER_ID,
        _c("name_display", STR, False, "Name as displayed now (`nameDisplayAs`)."),
        _c("name_list", STR, True, "Name as listed, surname first (`nameListAs`)."),
        _c("name_full_title", STR, True, "Name with full title (`nameFullTitle`)."),
        _c("name_address", STR, True, "Name as addressed (`nameAddressAs`), e.g. `Mr Smith`."),
        _c("gender", STR, True, "`M` or `F` as the API gives it; null when not given."),
        _c(
            "house",
            STR,
            True,
            "House of the latest membership (`Commons` or `Lords`); null when none is known.",
        ),
        _c(
            "membership_from",
            STR,
            True,
            "Latest membership: the constituency (Commons) or peerage type (Lords).",
        ),
        _c("membership_start_date", DATE, True, "Start of the latest membership."),
        _c("membership_end_date", DATE, True, "End of the latest membership; null if current."),
        _c(
            "is_current",
            BOOL,
            True,
            "The latest membership's status is active (`membershipStatus.statusIsActive`).",
        ),
        _c("party_id", I32, True, "Latest party: Members API party id."),
        _c("party_name", STR, True, "Latest party: name."),
        _c("party_abbreviation", STR, True, "Latest party: abbreviation, e.g. `Lab`, `CB`."),
        _c(
            "details_from",
            STR,
            False,
            "`search` (a /api/Members/Search item) or `history` (only /api/Members/History "
            "knew the member: names, house and party are the latest entries of its history).",
        ),
        _c("fetched_at", TS, False, "When the response the row was read from was fetched (UTC)."),
        _MEMBERS_RAW,
    ),
)

MEMBER_PARTIES = Table(
    name="member_parties",
    grain="One row per period of a member in one party (Members API `partyHistory`).",
    key=("member_id", "ordinal"),
    partition_by=(),
    description="Party affiliation over time: which party a member belonged to on any date.",
    order_by=("member_id", "start_date", "ordinal"),
    columns=(
        _MEMBER_ID,
        _ORDINAL,
        _c("party_id", I32, False, "Members API party id."),
        _c("party_name", STR, True, "Party name, e.g. `Labour`, `Crossbench`."),
        _c("party_abbreviation", STR, True, "Party abbreviation, e.g. `Lab`, `CB`."),
        _c("is_independent", BOOL, True, "The API marks the party as independent."),
        _c("start_date", DATE, False, "First day in the party."),
        _c(
            "end_date",
            DATE,
            True,
            "Last day in the party (for MPs since 2015, the start of the pre-election period); "
            "null while current.",
        ),
        _MEMBERS_RAW,
    ),
)

MEMBER_HOUSES = Table(
    name="member_houses",
    grain="One row per house membership (Members API `houseMembershipHistory`).",
    key=("member_id", "ordinal"),
    partition_by=(),
    description="Seats over time: the constituency (Commons) or peerage (Lords) on any date.",
    order_by=("member_id", "start_date", "ordinal"),
    columns=(
        _MEMBER_ID,
        _ORDINAL,
        _c("house", STR, False, "`Commons` or `Lords`."),
        _c(
            "membership_from",
            STR,
            True,
            "The constituency (Commons) or the peerage type, e.g. `Life peer` (Lords).",
        ),
        _c("membership_from_id", I32, True, "Constituency id (or peerage type id ≤ 10)."),
        _c(
            "start_date",
            DATE,
            True,
            "Start of the membership; null when the API omits it (some hereditary peers).",
        ),
        _c("end_date", DATE, True, "End of the membership; null while current."),
        _c("end_reason", STR, True, "Why it ended, e.g. `General election`, `Retired`."),
        _c("end_reason_notes", STR, True, "Notes on why it ended."),
        _MEMBERS_RAW,
    ),
)

MEMBER_NAMES = Table(
    name="member_names",
    grain="One row per name a member had over a period (Members API `nameHistory`).",
    key=("member_id", "ordinal"),
    partition_by=(),
    description="Names over time: how a member was named on any date (e.g. before a peerage).",
    order_by=("member_id", "start_date", "ordinal"),
    columns=(
        _MEMBER_ID,
        _ORDINAL,
        _c("name_display", STR, True, "Name as displayed in that period (`nameDisplayAs`)."),
        _c("name_list", STR, True, "Name as listed, surname first (`nameListAs`)."),
        _c("name_full_title", STR, True, "Name with full title (`nameFullTitle`)."),
        _c("name_address", STR, True, "Name as addressed (`nameAddressAs`)."),
        _c("start_date", DATE, False, "First day of the name."),
        _c("end_date", DATE, True, "Last day of the name; null while current."),
        _MEMBERS_RAW,
    ),
)

TWFY_PEOPLE = Table(
    name="twfy_people",
    grain="One row per TheyWorkForYou id: a person, or a membership or office they held.",
    key=("twfy_id",),
    partition_by=(),
    description="TheyWorkForYou ids mapped to the TheyWorkForYou person and the Parliament "
    "member id, from the ParlParse members files (people.xml, all-members-2010.xml).",
    order_by=("twfy_id",),
    columns=(
        _c(
            "twfy_id",
            STR,
            False,
            "The id as printed: a person (`uk.org.publicwhip/person/N`), a membership "
            "(`…/member/N`, `…/lord/N`), a ministerial office (`…/moffice/N`) or a Parliament "
            "post (`uk.parliament.data/Member/<MNIS>/…`).",
        ),
        _c(
            "id_kind",
            STR,
            False,
            "`person`, `member` (Commons), `lord`, `moffice`, `parliament_post` or `other`.",
        ),
        _c(
            "twfy_person_id",
            STR,
            True,
            "The person behind the id, redirects followed; null for a membership no person lists.",
        ),
        _c(
            "redirected",
            BOOL,
            False,
            "The person id was reached through a redirect (merged identities).",
        ),
        _c(
            "member_id",
            I32,
            True,
            "Parliament member id of the person when the data links them; null otherwise "
            "(or when it links more than one: see member_id_via).",
        ),
        _c(
            "member_id_via",
            STR,
            True,
            "How member_id was found: `datadotparl_id` (all-members-2010.xml), `office_id` "
            "(`uk.parliament.data/Member/<MNIS>/…` in people.xml), both joined by `+`; or "
            "`conflict: …` naming the different ids found (member_id null).",
        ),
        _c("name", STR, True, "The person's latest name (`latestname` in people.xml)."),
        _c(
            "raw_sha256",
            STR,
            False,
            "sha256 of the members file that listed the id.",
        ),
    ),
)

SPEAKER_RESOLUTIONS = Table(
    name="speaker_resolutions",
    grain="One row per contribution: who spoke, as a Parliament member id, and how we know.",
    key=("contribution_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Identity resolution of every contribution's speaker, derived partition by "
    "partition from contributions and the members tables: a partition is recomputed when its "
    "contributions partition or the members tables change.",
    order_by=("contribution_id",),
    columns=(
        _c("contribution_id", STR, False, "The contribution (contributions.contribution_id)."),
        _SOURCE,
        _HOUSE_OPEN,
        _YEAR_OPEN,
        _c("member_id", I32, True, "Parliament member id; null when unresolved (see reason)."),
        _c(
            "method",
            STR,
            True,
            "How member_id was found: `source` (the input gave it), `mapped` (TheyWorkForYou "
            "person → member id via twfy_people), `name_date` (the printed name matched one "
            "member sitting in that House on that date), `name_constituency` (name and printed "
            "constituency matched one), `name_in_debate` (a surname matched the one candidate "
            "already named in the same debate), `office_in_debate` (an office printed alone "
            "matched the person printed with that office earlier in the debate); null when "
            "unresolved.",
        ),
        _c(
            "reason",
            STR,
            True,
            "Why member_id is null: `ambiguous: N candidates …` (never guessed), `no match: …`, "
            "or `no speaker: …` (collective and procedural rows); null when resolved.",
        ),
        _c(
            "candidates",
            STR,
            True,
            "Ambiguous: the candidate member ids, comma-separated, ascending.",
        ),
        _c(
            "name_tried",
            STR,
            True,
            "The normalised name (or office) the match was made or attempted on.",
        ),
    ),
)

DEBATE_STATS = Table(
    name="debate_stats",
    grain="One row per debate with contributions.",
    key=("debate_id",),
    partition_by=("source", "house", "sitting_year"),
    description="What happened in each debate, counted partition by partition from "
    "contributions and speaker_resolutions (the `debate_summary` view joins it to debates): "
    "a partition is recomputed when its contributions partition or the members tables change.",
    order_by=("debate_id",),
    columns=(
        _SOURCE,
        _HOUSE_OPEN,
        _YEAR_OPEN,
        _c("debate_id", STR, False, "The debate (debates.debate_id)."),
        _c("contribution_count", I64, False, "Its contributions, collective rows included."),
        _c(
            "speaker_count",
            I64,
            False,
            "Distinct people who spoke (contributions_enriched.person_key).",
        ),
        _c("word_count", I64, False, "Words of its contributions."),
        _c(
            "first_speaker_key",
            STR,
            True,
            "The first named speaker (lowest ordinal, then contribution_id; collective rows "
            "skipped): their speaker_key.",
        ),
        _c("first_speaker_name", STR, True, "Their name as printed."),
        _c("first_speaker_member_id", I32, True, "Their member id, when resolved."),
    ),
)

_DOC = _c(
    "doc",
    I32,
    False,
    "The contribution's number in its partition's index: its rank by contribution_id, from 1 "
    "(search_docs maps it to the contribution).",
)

CONTRIBUTIONS_ENRICHED = Table(
    name="contributions_enriched",
    grain="One row per contribution: who spoke, with the party and seat they had on the day.",
    key=("contribution_id",),
    partition_by=("source", "house", "sitting_year"),
    description="Every contribution (its text left out) with its resolved member "
    "(speaker_resolutions), the member's name on the sitting date (member_names; the current "
    "name when no history covers it), and the party and the constituency (Commons) or peerage "
    "type (Lords) held ON THE SITTING DATE (member_parties, member_houses in the "
    "contribution's house), beside the party and constituency as printed. When two periods "
    "touch the date, the later-starting one wins (a party switch takes effect on its start "
    "date). Derived partition by partition from contributions, speaker_resolutions and the "
    "members tables: a partition is recomputed when its contributions partition or any members "
    "table changes.",
    order_by=("sitting_date", "debate_id", "ordinal", "contribution_id"),
    row_group=16_384,
    columns=(
        _c("contribution_id", STR, False, "The contribution (contributions.contribution_id)."),
        _c(
            "doc",
            I32,
            False,
            "The contribution's number in its partition's search index (search_postings, "
            "search_docs): its rank by contribution_id, from 1; search matches join on it.",
        ),
        _c("debate_id", STR, False, "The debate (debates.debate_id)."),
        _SOURCE,
        _DATE_OPEN,
        _YEAR_OPEN,
        _HOUSE_OPEN,
        _LOCATION_OPEN,
        _c("ordinal", I32, False, "Order within the debate (contributions.ordinal)."),
        _c("contribution_type", STR, False, "contributions.contribution_type."),
        _c("speaker_key", STR, True, "contributions.speaker_key."),
        _c("speaker_display", STR, False, "contributions.speaker_display."),
        _c("speaker_name", STR, True, "contributions.speaker_name."),
        _c("speaker_office", STR, True, "contributions.speaker_office."),
        _c("printed_constituency", STR, True, "The constituency as printed (contributions)."),
        _c("printed_party", STR, True, "The party as printed (contributions.party)."),
        _c("twfy_person_id", STR, True, "contributions.twfy_person_id."),
        _c("member_id", I32, True, "The resolved member (speaker_resolutions); null if none."),
        _c(
            "person_key",
            STR,
            True,
            "Who, for counting people: `member:<id>` for a resolved member, else "
            "`twfy:<person id>` for a TheyWorkForYou person the map cannot place, else "
            "`name:<printed name>` (the speaker key, else the name); null for collective and "
            "procedural rows.",
        ),
        _c("resolution_method", STR, True, "speaker_resolutions.method."),
        _c("resolution_reason", STR, True, "speaker_resolutions.reason."),
        _c(
            "member_name",
            STR,
            True,
            "The member's name on the sitting date (member_names), else as displayed now.",
        ),
        _c("member_gender", STR, True, "members.gender."),
        _c("party_id", I32, True, "The party held on the sitting date: Members API id."),
        _c("party_name", STR, True, "Its name."),
        _c("party_abbreviation", STR, True, "Its abbreviation, e.g. `Lab`."),
        _c(
            "membership_from",
            STR,
            True,
            "The constituency (Commons) or peerage type (Lords) held on the sitting date.",
        ),
        _c(
            "party",
            STR,
            True,
            "The party on the sitting date (abbreviation, else name), else as printed.",
        ),
        _c(
            "party_basis",
            STR,
            True,
            "Which: `on_date`, `printed`, or null when neither is known.",
        ),
        _c("word_count", I32, False, "contributions.word_count."),
    ),
)

INTERVENTION_PAIRS = Table(
    name="intervention_pairs",
    grain="One row per ordered pair of speakers who spoke one straight after the other, per "
    "contributions partition.",
    key=("speaker_key", "next_speaker_key"),
    partition_by=("source", "house", "sitting_year"),
    description="Who spoke straight after whom, counted partition by partition from "
    "contributions (the `interventions` view sums the partitions): turns follow each other by "
    "ordinal within one excerpt of a debate, not across a gap, collective rows skipped, the "
    "same speaker twice in a row not a pair. A partition is recomputed when its contributions "
    "partition changes.",
    order_by=("speaker_key", "next_speaker_key"),
    columns=(
        _SOURCE,
        _HOUSE_OPEN,
        _YEAR_OPEN,
        _c("speaker_key", STR, False, "Who spoke (contributions.speaker_key)."),
        _c("next_speaker_key", STR, False, "Who spoke straight after them."),
        _c("pair_count", I64, False, "How often, in this partition."),
        _c("debate_count", I64, False, "In how many debates (a debate is in one partition)."),
        _c("first_date", DATE, True, "First sitting date of the pair in this partition."),
        _c("last_date", DATE, True, "Last sitting date of the pair in this partition."),
    ),
)

SEARCH_POSTINGS = Table(
    name="search_postings",
    grain="One row per (term, contribution): the full-text search index over "
    "contributions.text, one partition per contributions partition.",
    key=("term", "source", "house", "sitting_year", "doc"),
    partition_by=("source", "house", "sitting_year"),
    description="Inverted index for the search macros and term_trend(): each "
    "contribution's text lower-cased, accents stripped, split on runs of non-letters, English "
    "stopwords removed and Snowball-stemmed (DuckDB fts's `stem(word, 'english')`). Derived "
    "partition by partition from contributions, so an ingest re-indexes only what it "
    "changed. Files are sorted by term, so a search reads only the row groups of its terms; "
    "a contribution is its partition and document number (search_docs), not its id string.",
    order_by=("term", "doc"),
    # ascending within a term: deltas take half the bytes of a dictionary (7.1 vs 14.1 MB for
    # the 3.2 M postings of a 51 k-contribution partition)
    delta_encoded=("doc",),
    columns=(
        _c("term", STR, False, "A stemmed word (e.g. `fish` for fishing, fished)."),
        _DOC,
        _SOURCE,
        _HOUSE_OPEN,
        _YEAR_OPEN,
        _c("tf", I32, False, "Times the term occurs in the contribution's text."),
        _c(
            "doc_length",
            I32,
            False,
            "Indexed words in the contribution (stopwords left out): BM25's document length.",
        ),
    ),
)

SEARCH_DOCS = Table(
    name="search_docs",
    grain="One row per indexed contribution.",
    key=("source", "house", "sitting_year", "doc"),
    partition_by=("source", "house", "sitting_year"),
    description="The documents of the search index: each contribution's number in its "
    "partition's postings, its sitting date (for date filters and to find its row) and its "
    "length (for BM25's document count and average length); derived with search_postings.",
    order_by=("doc",),
    columns=(
        _DOC,
        _c("contribution_id", STR, False, "The contribution (contributions.contribution_id)."),
        _SOURCE,
        _HOUSE_OPEN,
        _YEAR_OPEN,
        _DATE_OPEN,
        _c(
            "doc_length",
            I32,
            False,
            "Indexed words in the contribution (stopwords left out); 0 when none.",
        ),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DEBATES,
        CONTRIBUTIONS,
        REJECTS,
        RAW_INPUTS,
        INGEST_RUNS,
        DIVISIONS,
        DIVISION_VOTES,
        ID_REDIRECTS,
        MEMBERS,
        MEMBER_PARTIES,
        MEMBER_HOUSES,
        MEMBER_NAMES,
        TWFY_PEOPLE,
        SPEAKER_RESOLUTIONS,
        DEBATE_STATS,
        CONTRIBUTIONS_ENRICHED,
        INTERVENTION_PAIRS,
        SEARCH_POSTINGS,
        SEARCH_DOCS,
    )
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
    schema = df.schema  # built anew at each access
    for col in table.columns:
        if schema[col.name] != col.dtype:
            raise TypeError(
                f"{table.name}.{col.name}: type {schema[col.name]}, declared {col.dtype}"
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
    if isinstance(dtype, pl.List):
        return f"{duckdb_type(dtype.inner)}[]"
    return _DUCKDB_TYPES[type(dtype)]


def contract() -> dict[str, Any]:
    """The BI contract: the table format (v11 on: each table a Delta table at
    tables/<name>), every table's partition keys and columns (name, SQL type, nullable), in
    order. Frozen per SCHEMA_VERSION in docs/schema-v<N>.json."""
    return {
        "schema_version": SCHEMA_VERSION,
        "table_format": "delta",
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
