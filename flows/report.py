"""`hansard report`: query the warehouse's views read-only and write one static HTML page.

The base views and the people views (speaker_activity, contributions_enriched, member_profile)
are read over one read-only DuckDB connection; transforms/present/report_html.py turns the
numbers into the page, which is written atomically (readers see the old report or the new
one, never a part).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from flows.core import spill_dir
from flows.core.warehouse import Warehouse, write_atomic
from transforms.present.report_html import render

TOP_SPEAKERS = 15
LATEST_REJECTS = 10
TOP_MEMBERS = 5  # member profiles shown: the top speakers who are resolved members

QUERIES = {
    "monthly": """
        with sittings as (
            select strftime(sitting_date, '%Y-%m') as month, house,
                count(distinct (location, sitting_date)) as sittings
            from debates group by all
        ), spoken as (
            select strftime(sitting_date, '%Y-%m') as month, house, count(*) as contributions
            from contributions group by all
        )
        select month, house, coalesce(sittings, 0) as sittings,
            coalesce(contributions, 0) as contributions
        from sittings full outer join spoken using (month, house)
        order by month, house""",
    "top_speakers": f"""
        select speaker_name as speaker, member_id, party, party_basis, houses,
            speech_count as contributions, word_count as words
        from speaker_activity
        order by words desc, speaker, person_key limit {TOP_SPEAKERS}""",
    "party_share": """
        select house, party, party_basis, sum(word_count)::bigint as words
        from contributions_enriched group by all having sum(word_count) > 0
        order by house, words desc, party nulls last, party_basis nulls last""",
    "coverage": """
        with d as (
            select source, house, count(*) as debates,
                min(sitting_date) as first_date, max(sitting_date) as last_date
            from debates group by all
        ), c as (
            select source, house, count(*) as contributions, sum(word_count)::bigint as words
            from contributions group by all
        )
        select source, house, coalesce(debates, 0) as debates,
            coalesce(contributions, 0) as contributions, coalesce(words, 0) as words,
            first_date, last_date
        from d full outer join c using (source, house)
        order by source, house""",
    "sources": """
        with names as (
            select source from raw_inputs union select source from debates
            union select source from rejects
        ), r as (
            select source, count(*) as raw_inputs, count(*) filter (is_current) as current_inputs,
                sum(bytes)::bigint as bytes
            from raw_inputs group by all
        ), d as (
            select source, min(sitting_date) as first_date, max(sitting_date) as last_date
            from debates group by all
        ), j as (select source, count(*) as rejects from rejects group by all)
        select source, coalesce(raw_inputs, 0) as raw_inputs,
            coalesce(current_inputs, 0) as current_inputs, coalesce(bytes, 0) as bytes,
            coalesce(rejects, 0) as rejects, first_date, last_date
        from names left join r using (source) left join d using (source)
        left join j using (source)
        order by source""",
    "reject_reasons": """
        select reason, count(*) as count from rejects group by all order by count desc, reason""",
    "latest_rejects": f"""
        select rejected_at, reason, source_ref, detail from rejects
        order by rejected_at desc, source_ref, reason limit {LATEST_REJECTS}""",
    "last_run": """
        select flow, status, started_at, finished_at from ingest_runs
        order by started_at desc, run_id desc limit 1""",
    "totals": """
        select
            (select count(*) from debates) as debates,
            (select count(*) from contributions) as contributions,
            (select coalesce(sum(word_count), 0)::bigint from contributions) as words,
            (select count(distinct person_key) from contributions_enriched) as speakers,
            (select count(*) from raw_inputs) as raw_inputs,
            (select count(*) from raw_inputs where is_current) as current_inputs,
            (select count(*) from rejects) as rejects,
            (select count(*) from ingest_runs) as runs""",
}


def _plain(value: Any) -> Any:
    """Dates as ISO days, timestamps as UTC text: the renderer takes plain values."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description or []]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def collect(wh: Warehouse) -> dict[str, Any]:
    """Every number the report shows, as plain dicts and lists."""
    if not wh.duckdb_path.exists():
        raise FileNotFoundError(
            f"no DuckDB file at {wh.duckdb_path}: run `hansard demo` or `hansard ingest` first"
        )
    con = duckdb.connect(
        str(wh.duckdb_path), read_only=True, config={"temp_directory": spill_dir.own()}
    )
    try:
        data: dict[str, Any] = {name: _rows(con, sql) for name, sql in QUERIES.items()}
        ids = [r["member_id"] for r in data["top_speakers"] if r["member_id"] is not None]
        data["members"] = [
            row
            for i in ids[:TOP_MEMBERS]
            for row in _rows(con, f"select *, name_display as name from member_profile({int(i)})")
        ]
    finally:
        con.close()
    data["totals"] = data["totals"][0]
    data["last_run"] = data["last_run"][0] if data["last_run"] else None
    return data


def write_report(wh: Warehouse, out: Path | None = None, now: datetime | None = None) -> Path:
    """Query the warehouse, render the page and write it (default <warehouse>/report.html)."""
    path = (out or wh.root / "report.html").expanduser().resolve()
    data = collect(wh)
    data["generated_at"] = _plain(now or datetime.now(UTC))
    data["warehouse"] = str(wh.root)
    write_atomic(path, render(data).encode("utf-8"))
    return path
