"""(Re)create the DuckDB file: one view or macro per sql/*.sql, over the published Parquet.

SQL files name their input as {{ parquet('<table>') }}. That becomes a read_parquet() with the
table's absolute path, explicit-depth glob and typed hive partition columns, so the views work
from any working directory; a table with no files yet becomes an empty relation of the declared
types, so every view always opens.

DuckDB binds a view or table macro when it is created, so the order matters: first the base
views (one per table in transforms.schema.TABLES), then the table `search_stopwords`, then
every other sql file (analysis views and macros) after the files it names, else in name order.

Full-text search needs nothing built here: its index is the search_postings / search_docs
tables, derived per contributions partition (flows/derived/search.py,
flows/derived/refresh.py), and the
search macros compute BM25 from them at query time. The file holds only `search_stopwords`
(the fts extension's English stopword list, for tokenising queries as the text was) and the
macros. They call the fts extension's `stem()`: the extension comes from the pinned
`duckdb-extension-fts` wheel (installed into DuckDB's extension directory from the wheel's
file, no download), and readers that reopen the file autoload it from there when a search
macro first needs it.

Views glob their files at query time, so the file depends only on the SQL, the warehouse
location and which tables have any data; a run that adds or rewrites partitions of tables
that already had data leaves it as it is.

The file is built beside the target and swapped in with os.replace: readers of the old file
are never blocked, and a failed build leaves the old file in place.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from flows.core import faults
from flows.core.publish import FILE_NAME, existing_partitions
from flows.core.warehouse import Warehouse, disk_errors, write_atomic
from transforms.schema import TABLES, Table, duckdb_type

if TYPE_CHECKING:
    import duckdb  # imported where used: a run whose views are unchanged never needs it

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_PLACEHOLDER = re.compile(r"\{\{\s*parquet\('(?P<table>[a-z_]+)'\)\s*\}\}")

# The fts extension's English stopword list as a table, for the search macros' query tokens.
STOPWORDS_TABLE = "search_stopwords"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_source(wh: Warehouse, table: Table) -> str:
    if not existing_partitions(wh, table):
        cols = ", ".join(f"CAST(NULL AS {duckdb_type(c.dtype)}) AS {c.name}" for c in table.columns)
        return f"(SELECT {cols} WHERE false)"
    glob = "/".join([*(["*"] * len(table.partition_by)), FILE_NAME])
    path = (wh.table_dir(table.name) / glob).as_posix()
    if not table.partition_by:
        return f"read_parquet({_quote(path)})"
    types = ", ".join(f"{k}: {duckdb_type(table.schema[k])}" for k in table.partition_by)
    return f"read_parquet({_quote(path)}, hive_partitioning = true, hive_types = {{{types}}})"


def render(sql: str, wh: Warehouse) -> str:
    return _PLACEHOLDER.sub(lambda m: parquet_source(wh, TABLES[m["table"]]), sql)


def view_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The base views: one file per table in transforms.schema.TABLES, in name order."""
    return sorted(p for p in sql_dir.glob("*.sql") if p.stem in TABLES)


def analysis_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """Every other sql file (analysis views and macros), in creation order: a file after the
    files it names (DuckDB binds a view or macro when it is created), else in name order."""
    files = sorted(p for p in sql_dir.glob("*.sql") if p.stem not in TABLES)
    by_name = {p.stem: p for p in files}
    needs = {p.stem: _names_used(p.read_text(), set(by_name) - {p.stem}) for p in files}
    done: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(name) :], name])
            raise ValueError(f"sql files name each other in a cycle: {cycle}")
        visiting.append(name)
        for other in sorted(needs[name]):
            visit(other)
        visiting.pop()
        done.append(name)

    for name in by_name:
        visit(name)
    return [by_name[n] for n in done]


_COMMENT = re.compile(r"--[^\n]*")


def _names_used(sql: str, names: set[str]) -> set[str]:
    """Which of `names` the SQL mentions as a word, outside its `--` comments."""
    words = set(re.findall(r"[a-z_][a-z0-9_]*", _COMMENT.sub("", sql)))
    return words & names


def sql_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """Every sql file, in the order refresh_views creates them."""
    return view_files(sql_dir) + analysis_files(sql_dir)


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Install fts from the pinned wheel's own binary (no network), then load it."""
    import duckdb_extensions

    duckdb_extensions.import_extension("fts", con=con)
    con.execute("load fts")


def create_stopwords(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts (the macros' stem() binds against it) and store its English stopwords."""
    from flows.derived.search import english_stopwords

    load_fts(con)
    con.execute(
        f"create or replace table {STOPWORDS_TABLE} as select unnest($words) as word",
        {"words": list(english_stopwords())},
    )


def _create(con: duckdb.DuckDBPyConnection, wh: Warehouse, paths: list[Path]) -> list[str]:
    import duckdb

    for path in paths:
        try:
            con.execute(render(path.read_text(), wh))
        except duckdb.Error as e:
            e.add_note(f"while creating {path}")
            raise
    return [p.stem for p in paths]


def build_fingerprint(wh: Warehouse, sql_dir: Path = SQL_DIR) -> str:
    """What the file is built from: the SQL, the warehouse location, which tables have data
    (an empty table is an empty relation) and the stopword list. Views glob their files at
    query time, so new or rewritten files need no rebuild. Equal fingerprints mean an
    identical build."""
    from flows.derived.search_version import SEARCH_VERSION

    digest = hashlib.sha256(str(wh.root).encode())
    for path in sql_files(sql_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name, table in TABLES.items():
        digest.update(f"{name}:{bool(existing_partitions(wh, table))}".encode())
    digest.update(f"search:{SEARCH_VERSION}".encode())
    return digest.hexdigest()


def _fingerprint_path(wh: Warehouse) -> Path:
    return wh.duckdb_path.with_name(wh.duckdb_path.name + ".built")


def refresh_views(wh: Warehouse, sql_dir: Path = SQL_DIR, *, force: bool = False) -> list[str]:
    """Build the DuckDB file with every view, the stopword table and the macros; returns the
    names of the views and macros, in creation order. When nothing it is built from has
    changed since the last build (a no-op run), the file is left as it is."""
    wh.root.mkdir(parents=True, exist_ok=True)
    fingerprint = build_fingerprint(wh, sql_dir)
    marker = _fingerprint_path(wh)
    if not force and wh.duckdb_path.exists() and marker.exists():
        if marker.read_text() == fingerprint:
            return [p.stem for p in sql_files(sql_dir)]
    tmp = wh.duckdb_path.with_name(f".{wh.duckdb_path.name}.{os.getpid()}.tmp")
    wal = tmp.with_name(tmp.name + ".wal")
    tmp.unlink(missing_ok=True)
    wal.unlink(missing_ok=True)
    import duckdb

    try:
        with disk_errors(tmp):
            con = duckdb.connect(str(tmp))
            try:
                names = _create(con, wh, view_files(sql_dir))
                create_stopwords(con)
                names += _create(con, wh, analysis_files(sql_dir))
                con.execute("checkpoint")  # everything in the file itself, or an error here
            finally:
                con.close()
        if wal.exists():  # a checkpoint that failed on close (a full disk) loses no error
            raise OSError(errno.EIO, "the views file was not written whole", str(tmp))
        faults.step("replace the views file")
        os.replace(tmp, wh.duckdb_path)
        write_atomic(marker, fingerprint.encode())
    except BaseException:
        tmp.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        raise
    return names
