"""`hansard sql`: a read-only query against the views, shown or exported.

On a terminal the result is a table that fits its width (long values cut with an ellipsis);
in a pipe it is tab-separated text with a header (tabs and newlines inside values written as
`\\t` and `\\n`), which `cut`, `sort`, `column -t` and spreadsheets read. `--format` picks one
explicitly (table, tsv, csv, json). `--out FILE` writes the whole result by its extension
(.csv, .tsv, .parquet, .json) through DuckDB, streaming, and says how many rows it wrote.

Read-only for real: a query is one or more SELECT statements (WITH, FROM, DESCRIBE, SHOW,
SUMMARIZE and EXPLAIN of those included), checked by DuckDB's own parser before it runs; the
connection then reads only the warehouse's tables folder (no other file, no ATTACH, no
extension install) and its settings are locked, so a query can neither write a file nor lift
the limits. `--out FILE` is the way to save a result: the same check, and that one file made
writable.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from flows.core import spill_dir
from flows.core.warehouse import Warehouse

if TYPE_CHECKING:
    import duckdb

EXPORTS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".json": "json"}


class Format(StrEnum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"


# A reader's DuckDB memory: beyond it joins, sorts and aggregates spill to this process's own
# directory (a search of a common word over all of Hansard once took a 13 GB reader).
READER_MEMORY_LIMIT = "1GB"
# and its spill files: beyond this a query fails with DuckDB's clear error instead of filling
# the disk (its default is 90 % of the free space)
READER_SPILL_LIMIT = "10GB"
# A hash join whose build side has at most this many rows filters the scan on its other side
# with the exact values (DuckDB's default, 50, is min/max only beyond 50): the texts of a phrase
# search's few hundred candidates are read from their row groups, not from every date between
# the first and the last (4.3 → 1.3 s for 118 candidates at 7.6×10^6)
READER_DYNAMIC_IN_FILTER = 1000


class NotReadOnly(ValueError):
    """A statement that is not a query: hansard sql refuses it before anything runs."""


ALLOWED = "SELECT (with WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) and EXPLAIN of a SELECT"
_EXPLAIN = re.compile(r"\s*explain\s+(?:analy[sz]e\s+)?(.*)\Z", re.IGNORECASE | re.DOTALL)


def check_read_only(sql_text: str) -> int:
    """Raise NotReadOnly unless every statement is a query; returns how many there are."""
    import duckdb

    statements = duckdb.extract_statements(sql_text)
    for n, statement in enumerate(statements, start=1):
        kind = statement.type
        if kind == duckdb.StatementType.EXPLAIN:
            inner = _EXPLAIN.match(statement.query)
            if inner and check_read_only(inner.group(1)) == 1:
                continue
        elif kind == duckdb.StatementType.SELECT:
            continue
        name = kind.name if hasattr(kind, "name") else str(kind)
        raise NotReadOnly(
            f"statement {n} is {name}: hansard sql runs read-only queries ({ALLOWED}); "
            "to save a result, use --out FILE (.csv, .tsv, .parquet, .json)"
        )
    return len(statements)


def connect(
    wh: Warehouse, *, writable: Path | None = None, delta: bool = False
) -> duckdb.DuckDBPyConnection:
    """The warehouse's DuckDB file, read-only, sandboxed: only its tables readable, nothing
    writable but `writable`, configuration locked. With `delta`, DuckDB's delta extension is
    loaded first (for a time-travel query's `delta_scan`; ~0.1 s, so only when asked)."""
    import duckdb

    if not wh.duckdb_path.exists():
        raise FileNotFoundError(
            f"no DuckDB file at {wh.duckdb_path}: run `hansard demo` or `hansard ingest` first"
        )
    config = {
        "temp_directory": spill_dir.own(),
        "memory_limit": READER_MEMORY_LIMIT,
        "max_temp_directory_size": READER_SPILL_LIMIT,
        "dynamic_or_filter_threshold": READER_DYNAMIC_IN_FILTER,
    }
    con = duckdb.connect(str(wh.duckdb_path), read_only=True, config=config)
    try:
        if delta:
            load_delta(con)
        _sandbox(con, wh, writable)
    except BaseException:
        con.close()
        raise
    return con


def names_delta_scan(sql_text: str) -> bool:
    return "delta_scan" in sql_text.lower()


def load_delta(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's delta extension from the pinned wheel's own binary (no network)."""
    import duckdb_extensions

    duckdb_extensions.import_extension("delta", con=con)
    con.execute("load delta")


def _sandbox(con: duckdb.DuckDBPyConnection, wh: Warehouse, writable: Path | None) -> None:
    import duckdb

    try:
        con.execute("load fts")  # the search macros' stem(); no loading once locked
    except duckdb.Error:
        from flows.core.views import load_fts

        load_fts(con)  # not installed yet on this machine: from the pinned wheel
    readable = [f"{wh.tables.resolve()}/", f"{wh.runs.resolve()}/"]  # runs/: ingest_runs
    con.execute("set allowed_directories = $d", {"d": readable})
    if writable is not None:  # and the temporary file DuckDB's COPY writes first, beside it
        out = writable.resolve()
        paths = [str(out), str(out.with_name(f"tmp_{out.name}"))]
        con.execute("set allowed_paths = $p", {"p": paths})
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def query(wh: Warehouse, sql_text: str) -> tuple[list[str], list[tuple]]:
    check_read_only(sql_text)
    con = connect(wh, delta=names_delta_scan(sql_text))
    try:
        cur = con.execute(sql_text)
        names = [d[0] for d in cur.description or []]
        return names, cur.fetchall()
    finally:
        con.close()


def _jsonable(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def render(names: list[str], rows: list[tuple], fmt: Format, width: int | None = None) -> str:
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return buf.getvalue()
    if fmt is Format.json:
        data = [{n: _jsonable(v) for n, v in zip(names, r, strict=True)} for r in rows]
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if fmt is Format.tsv:
        lines = ["\t".join(names), *("\t".join(_cell(v) for v in r) for r in rows)]
        return "\n".join(lines) + "\n"
    return _table(names, rows, width)


def _table(names: list[str], rows: list[tuple], width: int | None) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(*names, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for col in table.columns:
        col.overflow, col.no_wrap = "ellipsis", True
    for r in rows:
        table.add_row(*(_cell(v) for v in r))
    out = io.StringIO()
    Console(file=out, width=width or 80, color_system=None).print(table)
    return out.getvalue() + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def default_format() -> Format:
    return Format.table if sys.stdout.isatty() else Format.tsv


def export(wh: Warehouse, sql_text: str, out: Path) -> int:
    """Write the whole result to `out` (format by extension); returns the rows written."""
    kind = EXPORTS.get(out.suffix.lower())
    if kind is None:
        raise ValueError(f"--out {out}: the extension must be one of {', '.join(EXPORTS)}")
    options = {
        "csv": "(FORMAT csv, HEADER true)",
        "tsv": "(FORMAT csv, HEADER true, DELIMITER '\t')",
        "parquet": "(FORMAT parquet, COMPRESSION zstd)",
        "json": "(FORMAT json, ARRAY true)",
    }[kind]
    body = sql_text.strip().rstrip(";")
    if check_read_only(body) != 1:
        raise NotReadOnly("--out takes one query, not several statements")
    out.parent.mkdir(parents=True, exist_ok=True)
    con = connect(wh, writable=out, delta=names_delta_scan(sql_text))
    try:
        target = str(out).replace("'", "''")
        (count,) = con.execute(f"COPY ({body}) TO '{target}' {options}").fetchone() or (0,)
    finally:
        con.close()
    return int(count)
