"""Keep `speaker_resolutions` (and the other tables derived from contributions) up to date.

`refresh_all` first brings twfy_people up to date with the newest stored ParlParse members files
(people.json, people.xml, all-members-2010.xml: flows/core/identity.py), whichever source
stored them, then runs flows.derived.refresh over every contributions partition: a
speaker_resolutions partition is recomputed — the columns resolution needs (not the text)
through the pure resolver, transforms/resolve.py — only when its contributions file or the
members inputs changed; the search index follows the same way. The engine calls it, holding
the writer lock, after every run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from flows.core import identity
from flows.core.publish import Partition, live_files, read_table
from flows.core.warehouse import Warehouse
from flows.derived.refresh import Deriver, SearchIndex, file_sha256, refresh_derived
from transforms.common.parlparse_people import person_member_ids
from transforms.resolve import Directory, build_directory, resolve
from transforms.schema import (
    CONTRIBUTIONS,
    MEMBER_HOUSES,
    MEMBER_NAMES,
    MEMBERS,
    SPEAKER_RESOLUTIONS,
    TWFY_PEOPLE,
    Table,
    empty,
    frame,
)

RESOLVER_VERSION = "1"  # bump when transforms/resolve.py changes what it outputs

RESOLVE_COLUMNS = (
    "contribution_id",
    "debate_id",
    "source",
    "house",
    "sitting_date",
    "ordinal",
    "contribution_type",
    "speaker_key",
    "speaker_display",
    "speaker_name",
    "speaker_office",
    "constituency",
    "member_id",
    "speaker_ref",
    "twfy_person_id",
)


def read_file_columns(
    path: Path, part: Partition, columns: tuple[str, ...], table: Table = CONTRIBUTIONS
) -> pl.DataFrame:
    """Some columns of one partition file of `table`, partition keys filled from `part`."""
    stored = [c for c in columns if c in table.file_columns]
    df = pl.read_parquet(path, columns=stored, hive_partitioning=False)
    keys = dict(zip(table.partition_by, part, strict=True))
    df = df.with_columns(
        pl.lit(keys[k], dtype=table.schema[k]).alias(k) for k in columns if k in keys
    )
    return df.select(columns)


def read_columns(wh: Warehouse, table: Table, columns: tuple[str, ...]) -> pl.DataFrame:
    """Some columns of a published table (partition keys included), without reading the rest."""
    frames = [
        read_file_columns(path, part, columns, table)
        for part, path in live_files(wh, table).items()
    ]
    if not frames:
        return empty(table).select(columns)
    return pl.concat(frames)


@dataclass(frozen=True)
class ResolutionSummary:
    contributions: int
    by_method: dict[str, int] = field(default_factory=dict)  # "unresolved" and "no speaker" too
    partitions_written: int = 0

    @property
    def speeches(self) -> int:
        """Contributions with a speaker to resolve (collective and procedural rows left out)."""
        return self.contributions - self.by_method.get("no speaker", 0)

    @property
    def resolved(self) -> int:
        return sum(n for k, n in self.by_method.items() if k not in ("unresolved", "no speaker"))

    @property
    def share_resolved(self) -> float:
        return self.resolved / self.speeches if self.speeches else 0.0

    def describe(self) -> str:
        methods = ", ".join(f"{k} {v}" for k, v in sorted(self.by_method.items()))
        return (
            f"speakers resolved: {self.resolved}/{self.speeches} "
            f"({self.share_resolved:.1%}); {methods}"
        )


def current_twfy_people(wh: Warehouse, identity_raw: Iterable[str] = ()) -> tuple[list[dict], bool]:
    """(twfy_people rows, whether they come from stored members files)."""
    return identity.current_people(wh, identity_raw)


def add_files(digest: hashlib._Hash, wh: Warehouse, tables: Iterable[Table]) -> None:
    """Feed `digest` the published files of `tables` by content (sha256), not mtimes."""
    for table in tables:
        for part, path in live_files(wh, table).items():
            digest.update(f"{table.name}{part}:{file_sha256(path)}".encode())


def _members_fingerprint(wh: Warehouse, twfy: list[dict]) -> str:
    """What resolution depends on besides the contributions: the members tables' files and the
    TheyWorkForYou person → member mapping (content, not mtimes: rebuilds stay identical)."""
    digest = hashlib.sha256(RESOLVER_VERSION.encode())
    add_files(digest, wh, (MEMBERS, MEMBER_NAMES, MEMBER_HOUSES))
    pairs = sorted(person_member_ids(twfy).items())
    digest.update(json.dumps(pairs, default=str).encode())
    return digest.hexdigest()[:32]


_DIRECTORIES: dict[str, Directory] = {}  # per process: fingerprint → directory
_DIRECTORIES_LOCK = threading.Lock()


class SpeakerResolution:
    """The resolution deriver (flows.derived.refresh): one speaker_resolutions partition per
    contributions partition, from the columns resolution needs (not the text). `twfy`: the
    person → member mapping rows (default: the published twfy_people). A worker
    builds the members directory from the published tables once per fingerprint."""

    name = "resolve-speakers"
    tables = (SPEAKER_RESOLUTIONS,)

    def __init__(self, wh: Warehouse, twfy: list[dict] | None = None) -> None:
        self.wh = wh
        self.twfy = twfy
        self._fingerprint: str | None = None

    def _twfy(self) -> list[dict]:
        return self.twfy if self.twfy is not None else read_table(self.wh, TWFY_PEOPLE).to_dicts()

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = _members_fingerprint(self.wh, self._twfy())
        return self._fingerprint

    @property
    def directory(self) -> Directory:
        key = f"{self.wh.root}:{self.fingerprint()}"
        with _DIRECTORIES_LOCK:  # built once, when some partition needs resolving
            if key not in _DIRECTORIES:
                _DIRECTORIES.clear()
                _DIRECTORIES[key] = build_directory(
                    read_table(self.wh, MEMBERS).to_dicts(),
                    read_table(self.wh, MEMBER_NAMES).to_dicts(),
                    read_table(self.wh, MEMBER_HOUSES).to_dicts(),
                    person_member_ids(self._twfy()),
                )
            return _DIRECTORIES[key]

    def derive(self, contributions_file: Path, part: Partition) -> dict[str, pl.DataFrame]:
        """Resolved a slice of whole debates at a time (resolution looks across a debate's rows,
        never further), so the rows held as Python dicts are one slice, not the partition."""
        rows = read_file_columns(contributions_file, part, RESOLVE_COLUMNS)
        frames = [
            frame(SPEAKER_RESOLUTIONS, resolve(piece.iter_rows(named=True), self.directory))
            for piece in debate_slices(rows, SLICE_ROWS)
        ]
        return {
            SPEAKER_RESOLUTIONS.name: pl.concat(frames) if frames else empty(SPEAKER_RESOLUTIONS)
        }


SLICE_ROWS = 8192  # contributions resolved at once (a debate longer than this is one slice)


def debate_slices(rows: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
    """Slices of about `size` rows that never split a debate (a debate longer than `size` is
    one slice); rows keep their order within a debate."""
    if rows.height <= size:
        yield rows
        return
    rows = rows.sort("debate_id", maintain_order=True)  # adjacent already: files are so ordered
    starts = (
        rows.select(
            (pl.col("debate_id") != pl.col("debate_id").shift(1)).fill_null(True).arg_true()
        )
        .to_series()
        .to_list()
    )
    begin = 0
    for start in starts[1:]:
        if start - begin >= size:
            yield rows.slice(begin, start - begin)
            begin = start
    yield rows.slice(begin)


def resolution_rows(wh: Warehouse, twfy: list[dict] | None = None) -> list[dict]:
    """The speaker_resolutions rows for everything published now (nothing written; all in
    memory, for tests and small warehouses)."""
    if twfy is None:
        twfy, _ = current_twfy_people(wh)
    deriver = SpeakerResolution(wh, twfy)
    rows: list[dict] = []
    for part, file in live_files(wh, CONTRIBUTIONS).items():
        rows += deriver.derive(file, part)[SPEAKER_RESOLUTIONS.name].to_dicts()
    return rows


def published_summary(wh: Warehouse, written: int = 0) -> ResolutionSummary:
    """Counts by method over the whole published speaker_resolutions, one partition file at a
    time (the whole table's reasons at 7.6×10^6 rows took the run's parent to 1.4 GB)."""
    outcome = (
        pl.when(pl.col("method").is_not_null())
        .then(pl.col("method"))
        .when(pl.col("reason").str.starts_with("no speaker"))
        .then(pl.lit("no speaker"))
        .otherwise(pl.lit("unresolved"))
    )
    total, by_method = 0, {}
    for part, path in live_files(wh, SPEAKER_RESOLUTIONS).items():
        df = read_file_columns(path, part, ("method", "reason"), SPEAKER_RESOLUTIONS)
        total += df.height
        for key, n in df.select(outcome.alias("k")).group_by("k").len().iter_rows():
            by_method[key] = by_method.get(key, 0) + n
    return ResolutionSummary(total, by_method, written)


def derivers(wh: Warehouse, twfy: list[dict] | None = None) -> list[Deriver]:
    """Every table derived from contributions, in the order they are refreshed."""
    # imported here: they read files with this module's helper
    from flows.derived.enriched import EnrichedContributions
    from flows.derived.pairs import SpeakerPairs
    from flows.derived.stats import DebateStats

    resolution = SpeakerResolution(wh, twfy)
    return [
        resolution,
        DebateStats(wh, resolution),
        EnrichedContributions(wh, resolution),
        SpeakerPairs(),
        SearchIndex(),
    ]


def resolve_all(
    wh: Warehouse,
    identity_raw: Iterable[str] = (),
    executor: Callable[[int, float], Executor] | None = None,
    in_flight: int = 1,
) -> ResolutionSummary:
    """Bring twfy_people, speaker_resolutions, debate_stats, contributions_enriched,
    intervention_pairs and the search index up to date, recomputing only partitions whose
    inputs changed. Returns the counts by method over everything published."""
    return refresh_all(wh, identity_raw, executor, in_flight)[1]


def refresh_all(
    wh: Warehouse,
    identity_raw: Iterable[str],
    executor: Callable[[int, float], Executor] | None = None,
    in_flight: int = 1,
    version: int | None = None,
) -> tuple[str, ResolutionSummary]:
    """resolve_all from the contributions at `version` (default: the latest), and what it did
    in one line (the engine's derived step)."""
    _, written = identity.refresh_people(wh, identity_raw)
    summary = refresh_derived(
        wh, derivers(wh), executor=executor, in_flight=in_flight, version=version
    )
    resolution = published_summary(wh, written + summary.derived + summary.removed)
    return f"{summary.describe()}; {resolution.describe()}", resolution
