"""The full-text search index, one contributions partition at a time.

`index_partition` reads one contributions Parquet file and returns its rows of the two index
tables (transforms.schema SEARCH_POSTINGS, SEARCH_DOCS); flows/derived/refresh.py calls it for every
contributions partition whose file changed and publishes the result beside it. The search
macros (sql/search_contributions.sql) compute BM25 from these tables at query time.

Tokenisation is DuckDB fts's own (`pragma create_fts_index(..., stemmer = 'english',
stopwords = 'english', ignore = '[^a-z]+', strip_accents = 1, lower = 1)`), so scores equal
its `match_bm25`:

  lower(strip_accents(text)) → split on runs of anything but a-z → drop empty tokens and the
  fts extension's English stopwords (570 distinct words, checked before stemming) →
  stem(token, 'english') (Snowball, from the fts extension).

The typographic ’ “ ” — and £ of the transcripts are separators, like every non-letter. The
stemmer runs once per distinct token of the partition, not once per occurrence.

Everything runs in a small in-memory DuckDB (a few threads, a memory limit), reading only the
(contribution_id, text) columns of the one file, so memory is bounded by one partition.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq

from flows.core import spill_dir
from flows.core.publish import ROW_GROUP, arrow_schema, parquet_options
from flows.core.views import load_fts
from flows.derived import search_version
from transforms.schema import SEARCH_DOCS, SEARCH_POSTINGS, Table

SEARCH_VERSION = search_version.SEARCH_VERSION

THREADS = 2
MEMORY_LIMIT = "2GB"
# A worker process: DuckDB spills to its own directory beyond this. Measured on a 50 k
# contribution partition (one process, fresh): 512MB → 787 MB peak RSS, 4.3 s; 256MB → 517 MB,
# 4.0 s; 128MB → 353 MB, 4.4 s; 64MB → 247 MB, 2.8 s, and 252 MB on a 91 k-row
# TheyWorkForYou partition (165 MB of text); 32MB runs out of memory. Spilling costs almost
# nothing here, and a worker's memory then no longer grows with the partition.
WORKER_MEMORY_LIMIT = "64MB"

# fts's tokenize() with its empty-token filter: the runs of a-z of lower(strip_accents(text)).
TOKENS_SQL = "regexp_split_to_array(lower(strip_accents({text})), '[^a-z]+')"

# The text is cut at spaces first (string_split is ~6x faster than a regex split), and the
# fts rule (TOKENS_SQL, stopwords, stem) then runs once per distinct piece: a space is a
# separator under the rule and the rule acts character by character, so the tokens are the
# same. A piece such as “silt” or answer—generous gives 0, 1 or more terms; a word is counted
# once per occurrence. Documents and terms are numbered so that the big aggregation groups
# integers, not strings.
_STEPS = (
    """
    create or replace temp table docs as
    select
        cast(file_row_number as integer) as doc,
        cast(row_number() over (order by contribution_id) as integer) as doc_rank,
        contribution_id,
        sitting_date
    from read_parquet($file, file_row_number = true)
    """,
    """
    create or replace temp table pieces as
    select cast(file_row_number as integer) as doc, unnest(string_split(text, ' ')) as piece
    from read_parquet($file, file_row_number = true)
    """,
    f"""
    create or replace temp table vocabulary as
    with
    distinct_pieces as (
        select distinct piece from pieces
    ),
    tokens as (
        select piece, unnest({TOKENS_SQL.format(text="piece")}) as token from distinct_pieces
    ),
    kept as (
        select piece, token from tokens
        where token <> '' and token not in (select word from stopwords)
    ),
    stemmed as (
        select piece, stem(token, 'english') as term from kept
    ),
    numbered as (
        select term, cast(row_number() over (order by term) as integer) as term_id
        from (select distinct term from stemmed)
    )
    select s.piece, n.term_id, n.term
    from stemmed as s
    inner join numbered as n on s.term = n.term
    """,
    """
    create or replace temp table postings as
    select p.doc, v.term_id, cast(count(*) as integer) as tf
    from pieces as p
    inner join vocabulary as v on p.piece = v.piece
    group by p.doc, v.term_id
    """,
    """
    create or replace temp table lengths as
    select
        d.doc,
        d.doc_rank,
        d.contribution_id,
        d.sitting_date,
        cast(coalesce(sum(p.tf), 0) as integer) as doc_length
    from docs as d
    left join postings as p on d.doc = p.doc
    group by d.doc, d.doc_rank, d.contribution_id, d.sitting_date
    """,
)
# A document's number in the index is its rank by contribution_id within the partition (from
# 1): postings carry that integer, not the 27-character id, and search_docs maps it back. Both
# come out in the declared order (term ids follow the terms' order): sorting integers here is
# cheaper than sorting strings later, and publish's sort of an already sorted frame is quick.
_DOCS_SQL = """
select doc_rank as doc, contribution_id, sitting_date, doc_length from lengths order by doc_rank
"""
_POSTINGS_SQL = """
select t.term, l.doc_rank as doc, p.tf, l.doc_length
from postings as p
inner join (select distinct term_id, term from vocabulary) as t on p.term_id = t.term_id
inner join lengths as l on p.doc = l.doc
order by p.term_id, l.doc_rank
"""
_TEMP_TABLES = ("docs", "pieces", "vocabulary", "postings", "lengths")


@lru_cache(maxsize=1)
def english_stopwords() -> tuple[str, ...]:
    """The fts extension's English stopword list (what `stopwords = 'english'` removes), read
    from a throwaway index: the extension has no other way to expose it."""
    with duckdb.connect() as con:
        load_fts(con)
        con.execute("create table probe (id integer, body varchar)")
        con.execute("pragma create_fts_index('probe', 'id', 'body', stopwords = 'english')")
        query = "select distinct sw from fts_main_probe.stopwords order by sw"
        words = con.execute(query).fetchall()
    return tuple(w for (w,) in words)


def connect(threads: int = THREADS, memory_limit: str = MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with fts loaded and the stopwords in table `stopwords(word)`."""
    con = duckdb.connect(
        config={"threads": threads, "memory_limit": memory_limit, "temp_directory": spill_dir.own()}
    )
    load_fts(con)
    con.execute(
        "create temp table stopwords as select unnest($words) as word",
        {"words": list(english_stopwords())},
    )
    return con


def _with_partition(table: Table, df: pl.DataFrame, part: tuple) -> pl.DataFrame:
    values = dict(zip(table.partition_by, part, strict=True))
    df = df.with_columns(pl.lit(v).alias(k) for k, v in values.items())
    return df.select(pl.col(c.name).cast(c.dtype) for c in table.columns)


def index_partition(
    contributions_file: Path, part: tuple, con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, pl.DataFrame]:
    """The search_postings and search_docs rows of one contributions partition: `part` is its
    (source, house, sitting_year), `contributions_file` its Parquet file. Every contribution
    has a search_docs row (doc_length 0 when no word of it is indexed)."""
    own = con is None
    con = connect() if own else con
    try:
        params = {"file": str(contributions_file)}
        for step in _STEPS:
            con.execute(step, params if "$file" in step else None)
        docs = con.sql(_DOCS_SQL).pl()
        postings = con.sql(_POSTINGS_SQL).pl()
        for name in _TEMP_TABLES:
            con.execute(f"drop table if exists {name}")
    finally:
        if own:
            con.close()
    return {
        SEARCH_POSTINGS.name: _with_partition(SEARCH_POSTINGS, postings, part),
        SEARCH_DOCS.name: _with_partition(SEARCH_DOCS, docs, part),
    }


def write_partition(
    contributions_file: Path,
    part: tuple,
    out: dict[str, Path],
    metadata: dict[str, str],
    con: duckdb.DuckDBPyConnection,
) -> dict[str, int]:
    """index_partition, streamed: each table's rows go from DuckDB to the Parquet file at
    `out[table]` in record batches of one row group, never all in memory (a partition of
    ~50 k contributions has ~3 M postings); returns the rows written per table. The files are
    what publish writes for the same rows (declared schema, zstd, row groups of 100 k)."""
    params = {"file": str(contributions_file)}
    try:
        for step in _STEPS:
            con.execute(step, params if "$file" in step else None)
        rows = {}
        for table, sql in ((SEARCH_DOCS, _DOCS_SQL), (SEARCH_POSTINGS, _POSTINGS_SQL)):
            schema = arrow_schema(table).with_metadata(metadata)
            path = out[table.name]
            path.parent.mkdir(parents=True, exist_ok=True)
            reader = con.execute(sql).to_arrow_reader(ROW_GROUP)
            n = 0
            with pq.ParquetWriter(path, schema, **parquet_options(table)) as writer:
                for batch in reader:
                    writer.write_batch(batch.cast(schema), row_group_size=ROW_GROUP)
                    n += batch.num_rows
            rows[table.name] = n
    finally:
        for name in _TEMP_TABLES:
            con.execute(f"drop table if exists {name}")
    return rows


_SHARED = threading.local()


def shared_connection() -> duckdb.DuckDBPyConnection:
    """One indexing connection per thread, kept for every partition it indexes (a DuckDB
    connection is not shared between threads; a worker process indexes on its own core)."""
    con = getattr(_SHARED, "con", None)
    if con is None:
        worker = bool(os.environ.get("HANSARD_WORKER"))
        con = _SHARED.con = connect(
            threads=1 if worker else THREADS,
            memory_limit=WORKER_MEMORY_LIMIT if worker else MEMORY_LIMIT,
        )
    return con
