"""(Re)create the DuckDB file: one view or macro per sql/*.sql, over the published Parquet.

SQL files name their input as {{ parquet('<table>') }}. That becomes a read_parquet() of the
table's live files at its current Delta version (absolute paths, typed hive partition columns),
so the views work from any working directory and read one consistent publish of every table:
the file is rebuilt after each run from the versions its tables reached, and a run still
committing (or killed mid-way) is not seen until it ends. A table with no files yet becomes an
empty relation of the declared types, so every view always opens. One exception: `ingest_runs`
is the run log and reads its JSON records (`runs/*.json`) at query time, so a running run
shows, and a run that changes nothing else (a no-op) needs no rebuild.

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

The file depends on the SQL, the warehouse location and each table's Delta version; a run
that commits nothing (a no-op) leaves it as it is.

The file is built beside the target and swapped in with os.replace: readers of the old file
are never blocked, and a failed build leaves the old file in place.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from flows.core import delta, faults
from flows.core.publish import live_files
from flows.core.warehouse import Warehouse, disk_errors, write_atomic
from transforms.schema import INGEST_RUNS, TABLES, Table, duckdb_type

if TYPE_CHECKING:
    import duckdb  # imported where used: a run whose views are unchanged never needs it

Pins = Mapping[str, int]  # table → the Delta version its views read
NO_PINS: Pins = MappingProxyType({})

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_PLACEHOLDER = re.compile(r"\{\{\s*parquet\('(?P<table>[a-z_]+)'\)\s*\}\}")

# The fts extension's English stopword list as a table, for the search macros' query tokens.
STOPWORDS_TABLE = "search_stopwords"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty(table: Table) -> str:
    cols = ", ".join(f"CAST(NULL AS {duckdb_type(c.dtype)}) AS {c.name}" for c in table.columns)
    return f"(SELECT {cols} WHERE false)"


def parquet_source(wh: Warehouse, table: Table, version: int | None = None) -> str:
    files = live_files(wh, table, version)
    if not files:
        return _empty(table)
    paths = "[" + ", ".join(_quote(p.as_posix()) for p in files.values()) + "]"
    if not table.partition_by:
        return f"read_parquet({paths})"
    types = ", ".join(f"{k}: {duckdb_type(table.schema[k])}" for k in table.partition_by)
    return f"read_parquet({paths}, hive_partitioning = true, hive_types = {{{types}}})"


def runs_source(wh: Warehouse) -> str:
    """The run log's JSON records, one per run, as the ingest_runs columns."""
    if not any(wh.runs.glob("*.json")):
        return _empty(INGEST_RUNS)
    cols = ", ".join(f"{c.name}: '{duckdb_type(c.dtype)}'" for c in INGEST_RUNS.columns)
    path = (wh.runs / "*.json").as_posix()
    return f"read_json({_quote(path)}, columns = {{{cols}}}, format = 'unstructured')"


def source_sql(wh: Warehouse, table: Table, *, no_rows: bool = False, pins: Pins = NO_PINS) -> str:
    if table is INGEST_RUNS:
        return runs_source(wh)
    return _empty(table) if no_rows else parquet_source(wh, table, pins.get(table.name))


def render(sql: str, wh: Warehouse, *, no_rows: bool = False, pins: Pins = NO_PINS) -> str:
    """`sql` with each table placeholder replaced by its source: the table at its version in
    `pins`, else its latest (with `no_rows`, every table but the run log an empty relation)."""
    return _PLACEHOLDER.sub(
        lambda m: source_sql(wh, TABLES[m["table"]], no_rows=no_rows, pins=pins), sql
    )


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


def _create(
    con: duckdb.DuckDBPyConnection,
    wh: Warehouse,
    paths: list[Path],
    *,
    no_rows: bool = False,
    pins: Pins = NO_PINS,
) -> list[str]:
    import duckdb

    for path in paths:
        try:
            con.execute(render(path.read_text(), wh, no_rows=no_rows, pins=pins))
        except duckdb.Error as e:
            e.add_note(f"while creating {path}")
            raise
    return [p.stem for p in paths]


def build_fingerprint(
    wh: Warehouse,
    sql_dir: Path = SQL_DIR,
    *,
    no_rows: bool = False,
    pins: Pins = NO_PINS,
) -> str:
    """What the file is built from: its code (the SQL, the warehouse location, the stopword
    list; `code_fingerprint`), then the data its base views name (`data_fingerprint`). Equal
    fingerprints mean an identical build."""
    return f"{code_fingerprint(wh, sql_dir, no_rows=no_rows)}:{data_fingerprint(wh, pins)}"


def code_fingerprint(wh: Warehouse, sql_dir: Path = SQL_DIR, *, no_rows: bool = False) -> str:
    from flows.derived.search_version import SEARCH_VERSION

    digest = hashlib.sha256(f"{wh.root}:{no_rows}".encode())
    for path in sql_files(sql_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(f"search:{SEARCH_VERSION}".encode())
    return digest.hexdigest()


def data_fingerprint(wh: Warehouse, pins: Pins = NO_PINS) -> str:
    """Each table's Delta version (its live files: the pinned one, else the latest); for
    ingest_runs, read at query time, whether a run record exists."""
    digest = hashlib.sha256()
    for name, table in TABLES.items():
        if table is INGEST_RUNS:
            digest.update(f"{name}:{any(wh.runs.glob('*.json'))}".encode())
        else:
            version = pins.get(name, delta.snapshot(wh.table_dir(name), table).version)
            digest.update(f"{name}:{version}".encode())
    return digest.hexdigest()


def _fingerprint_path(wh: Warehouse) -> Path:
    return wh.duckdb_path.with_name(wh.duckdb_path.name + ".built")


def refresh_views(
    wh: Warehouse,
    sql_dir: Path = SQL_DIR,
    *,
    force: bool = False,
    no_rows: bool = False,
    pins: Pins = NO_PINS,
) -> list[str]:
    """Build the DuckDB file with every view, the stopword table and the macros; returns the
    names of the views and macros, in creation order. When nothing it is built from has
    changed since the last build (a no-op run), the file is left as it is; when only the data
    has (a run committed), a copy of it gets new base views and is swapped in (the analysis
    views and macros name the base views, bound at query time: 0.03 s instead of 0.2 s).
    With `no_rows`, every view opens on no rows (a first run failed: nothing is complete).
    `pins` holds tables at an earlier version than their latest (the contributions the derived
    tables were derived from, while another run commits newer ones)."""
    wh.root.mkdir(parents=True, exist_ok=True)
    fingerprint = build_fingerprint(wh, sql_dir, no_rows=no_rows, pins=pins)
    marker = _fingerprint_path(wh)
    built = marker.read_text() if wh.duckdb_path.exists() and marker.exists() else ""
    if not force and built == fingerprint:
        return [p.stem for p in sql_files(sql_dir)]
    same_code = not force and built.split(":")[0] == fingerprint.split(":")[0]
    tmp = wh.duckdb_path.with_name(f".{wh.duckdb_path.name}.{os.getpid()}.tmp")
    wal = tmp.with_name(tmp.name + ".wal")
    tmp.unlink(missing_ok=True)
    wal.unlink(missing_ok=True)
    import duckdb

    try:
        with disk_errors(tmp):
            if same_code:
                shutil.copyfile(wh.duckdb_path, tmp)
            con = duckdb.connect(str(tmp))
            try:
                names = _create(con, wh, view_files(sql_dir), no_rows=no_rows, pins=pins)
                if same_code:
                    names += [p.stem for p in analysis_files(sql_dir)]
                else:
                    create_stopwords(con)
                    names += _create(con, wh, analysis_files(sql_dir), no_rows=no_rows, pins=pins)
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
