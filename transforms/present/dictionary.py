"""Render the data dictionary (docs/data-dictionary.md) from the schema declarations."""

from __future__ import annotations

from collections.abc import Sequence

from transforms.schema import SCHEMA_VERSION, TABLES, Table, duckdb_type

HEADER = f"""# Data dictionary (schema v{SCHEMA_VERSION})

Generated from `transforms/schema.py` by `hansard dictionary`; a test fails when this file and
the schema disagree. Each table is a Delta Lake table under `warehouse/tables/<table>/`,
partitioned as shown (hive-style `key=value` folders; partition columns are in the path and the
Delta log, not in the files), zstd-compressed Parquet, one live file per partition (the log
names it), rows sorted as listed. Each has a DuckDB view of the same name in
`warehouse/hansard.duckdb`; `hansard export parquet DIR` writes them as bare Parquet.
"""


def _type(table: Table, name: str) -> str:
    dtype = table.schema[name]
    return f"{duckdb_type(dtype)} ({dtype})"


def render_table(table: Table) -> str:
    parts = ", ".join(f"`{p}`" for p in table.partition_by) or "none (one file)"
    lines = [
        f"## `{table.name}`",
        "",
        table.description,
        "",
        f"- Grain: {table.grain}",
        f"- Key: {', '.join(f'`{k}`' for k in table.key)}",
        f"- Partitioned by: {parts}",
        f"- Row order: {', '.join(f'`{k}`' for k in table.order_by)}",
        "",
        "| column | SQL type (polars) | nullable | description |",
        "|---|---|---|---|",
    ]
    for c in table.columns:
        desc = c.description.replace("|", "\\|")
        lines.append(
            f"| `{c.name}` | {_type(table, c.name)} | {'yes' if c.nullable else 'no'} | {desc} |"
        )
    return "\n".join(lines)


SourceInfo = tuple[str, str, Sequence[str], Sequence[str]]  # name, what, tables, raw folders


def render_sources(sources: Sequence[SourceInfo]) -> str:
    lines = [
        "## Sources",
        "",
        "The registered sources (flows/sources/__init__.py), the tables each writes and the "
        "raw-zone folders it stores into (each a `raw_inputs` partition).",
        "",
        "| source | what | tables | raw-zone folders |",
        "|---|---|---|---|",
    ]
    for name, title, tables, raw in sources:
        names = ", ".join(f"`{t}`" for t in tables)
        folders = ", ".join(f"`{r}`" for r in raw)
        lines.append(f"| `{name}` | {title} | {names} | {folders} |")
    return "\n".join(lines)


def render(sources: Sequence[SourceInfo] = ()) -> str:
    parts = [render_sources(sources)] if sources else []
    parts += [render_table(t) for t in TABLES.values()]
    return HEADER + "\n" + "\n\n".join(parts) + "\n"
