"""`hansard status` and the demo's overview: what the warehouse holds, per registered source,
and what the last runs did."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from flows import app
from flows.core.warehouse import Warehouse
from flows.query_out import query
from flows.sources import CATALOG

QUERIES = {
    "Last run per flow and source": """
        select flow, source, status, started_at, round(duration_s, 1) as seconds,
               inputs_new, inputs_unchanged, debates_new, debates_changed, debates_unchanged,
               contributions, rejects, message
        from ingest_runs
        qualify row_number() over (partition by flow, source order by started_at desc) = 1
        order by flow, source""",
    "Freshness: latest sitting day per house and location": """
        select house, location, max(sitting_date) as latest_sitting, count(*) as debates
        from debates group by house, location order by house, location""",
    "Rejects": """
        select source, reason, count(*) as rejects, max(rejected_at) as latest
        from rejects group by source, reason order by source, reason""",
}


def _table(title: str, names: list[str], rows: list[tuple]) -> Table:
    table = Table(*names, title=title)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    return table


def sources_rows(wh: Warehouse) -> list[tuple]:
    """Per registered source: raw inputs stored, work items not yet published, last run."""
    _, counts = query(wh, "select source, count(*) from raw_inputs group by source")
    stored = dict(counts)
    _, last = query(
        wh,
        "select source, arg_max(status, started_at), max(started_at) from ingest_runs "
        "group by source",
    )
    runs = {s: (st, at) for s, st, at in last}
    pending = app.pending(wh)
    rows = []
    for s in CATALOG:
        status, at = runs.get(s.name, (None, None))
        raw = sum(stored.get(r, 0) for r in s.raw_sources)
        rows.append((s.name, s.title, raw, pending[s.name], status, at))
    return rows


def show(wh: Warehouse, console: Console) -> None:
    names = ["source", "what", "raw inputs", "pending", "last run", "at"]
    console.print(_table("Sources", names, sources_rows(wh)))
    for title, sql_text in QUERIES.items():
        names, rows = query(wh, sql_text)
        console.print(_table(title, names, rows) if rows else f"{title}: none")


def overview(wh: Warehouse, console: Console) -> None:
    _, ((debates, contributions, rejects),) = query(
        wh,
        "select (select count(*) from debates), (select count(*) from contributions), "
        "(select count(*) from rejects)",
    )
    console.print(
        f"\nwarehouse now holds {debates} debates, {contributions} contributions, {rejects} rejects"
    )
    names, rows = query(
        wh,
        "select speaker_key as speaker, max(party) as party, count(*) as speeches, "
        "sum(word_count) as words from contributions where speaker_key is not null "
        "group by speaker_key order by words desc, speaker limit 5",
    )
    console.print(_table("Top speakers by words", names, rows))
    console.print(f"Parquet tables: {wh.tables}\nDuckDB file:    {wh.duckdb_path}")
    console.print('Try: hansard sql "select title, sitting_date, location from debates"')
