"""The quality gate: checks on a staged publish, before anything is swapped in.

Data that fails is not published: the plan is aborted, the run fails with a report naming
every problem, and the previously published state stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from flows.core.publish import (
    ROW_GROUP,
    Plan,
    arrow_schema,
    existing_partitions,
    increasing,
    partition_file,
)
from flows.core.rules import GateRules
from flows.core.warehouse import Warehouse
from transforms.schema import CONTRIBUTIONS, DEBATES, TABLES


class QualityGateError(RuntimeError):
    def __init__(self, problems: list[str]) -> None:
        report = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"quality gate failed; nothing was published:\n{report}")
        self.problems = problems


def _column(path, name: str) -> set:  # noqa: ANN001
    return set(pq.ParquetFile(path).read(columns=[name]).column(name).to_pylist())


def _null_counts(path: Path, names: list[str]) -> dict[str, int]:
    """Nulls per column, from the row-group statistics the writer stored (no data read);
    a column without them (a file written elsewhere) is read."""
    meta = pq.ParquetFile(path).metadata
    index = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
    counts: dict[str, int] = {}
    unknown = []
    for name in names:
        total = 0
        for rg in range(meta.num_row_groups):
            stats = meta.row_group(rg).column(index[name]).statistics
            if stats is None or not stats.has_null_count:
                unknown.append(name)
                break
            total += stats.null_count
        else:
            counts[name] = total
    if unknown:
        data = pq.ParquetFile(path).read(columns=unknown)
        counts |= {name: data.column(name).null_count for name in unknown}
    return counts


def _unique(path: Path, key: list[str], batch_rows: int = ROW_GROUP) -> bool:
    """Keys unique. Files a publish wrote are sorted by key when their order starts with it:
    checked one row group at a time (each strictly increasing, and each first key above the
    previous last), so memory is one row group whatever the file's size; anything else by
    hashing every key."""
    file = pq.ParquetFile(path)
    last: pl.DataFrame | None = None
    for batch in file.iter_batches(columns=key, batch_size=batch_rows):
        keys = pl.from_arrow(batch)
        assert isinstance(keys, pl.DataFrame)
        if keys.height == 0:
            continue
        edge = keys.head(1) if last is None else pl.concat([last, keys.head(1)])
        if not (increasing(edge, key) and increasing(keys, key)):
            everything = pl.from_arrow(file.read(columns=key))
            assert isinstance(everything, pl.DataFrame)
            return not everything.is_duplicated().any()
        last = keys.tail(1)
    return True


def _schema_and_keys(plan: Plan) -> list[str]:
    problems = []
    for item in plan.items:
        path = item.staged
        if path is None:
            continue
        table = TABLES[item.table]
        schema = pq.read_schema(path)
        if not schema.equals(arrow_schema(table), check_metadata=False):
            problems.append(f"{item.table} {item.part}: schema differs from the declared one")
            if set(table.file_columns) - set(schema.names):
                continue  # columns missing: nothing more to check in this file
        key = [k for k in table.key if k in table.file_columns]
        if not _unique(path, key):
            problems.append(f"{item.table} {item.part}: duplicate keys {list(table.key)}")
        required = [n for n in table.required if n in table.file_columns]
        for name, nulls in _null_counts(path, required).items():
            if nulls:
                problems.append(f"{item.table} {item.part}: nulls in required column {name}")
    return problems


def _debates_after(wh: Warehouse, plan: Plan) -> set:
    """Every debate_id the debates table will hold once the plan is committed."""
    planned = {i.part: i for i in plan.items if i.table == DEBATES.name}
    ids: set = set()
    for part in set(existing_partitions(wh, DEBATES)) | set(planned):
        if part in planned:
            path = planned[part].staged
        else:
            path = partition_file(wh, DEBATES, part)
        if path is not None and path.exists():
            ids |= _column(path, "debate_id")
    return ids


def _orphans(wh: Warehouse, plan: Plan) -> list[str]:
    debates = None
    problems = []
    for item in plan.items:
        path = item.staged
        if item.table != CONTRIBUTIONS.name or path is None:
            continue
        debates = _debates_after(wh, plan) if debates is None else debates
        missing = _column(path, "debate_id") - debates
        if missing:
            problems.append(
                f"contributions {item.part}: {len(missing)} debate id(s) with no debate row, "
                f"e.g. {sorted(missing)[:3]}"
            )
    return problems


def _collapses(plan: Plan, rules: GateRules) -> list[str]:
    return [
        f"{i.table} {i.part}: rows would fall from {i.old_rows} to {i.new_rows} "
        f"(more than {rules.max_shrink:.0%} lost)"
        for i in plan.items
        if i.old_rows >= rules.min_rows and i.new_rows < i.old_rows * (1 - rules.max_shrink)
    ]


def _dates(new: Mapping[str, pl.DataFrame | pl.LazyFrame | None], rules: GateRules) -> list[str]:
    if rules.date_range is None:
        return []
    lo, hi = rules.date_range
    problems = []
    for name in (DEBATES.name, CONTRIBUTIONS.name):
        rows = new.get(name)
        if rows is None:
            continue
        outside = rows.lazy().filter(~pl.col("sitting_date").is_between(lo, hi))
        days = outside.select("sitting_date").collect()["sitting_date"]
        if days.len():
            problems.append(
                f"{name}: {days.len()} new row(s) dated outside {lo}..{hi}, "
                f"e.g. {sorted(set(days))[:3]}"
            )
    return problems


def check(
    wh: Warehouse,
    plan: Plan,
    new: Mapping[str, pl.DataFrame | pl.LazyFrame | None],
    rules: GateRules,
) -> list[str]:
    return [
        *_schema_and_keys(plan),
        *_orphans(wh, plan),
        *_collapses(plan, rules),
        *_dates(new, rules),
    ]


def enforce(
    wh: Warehouse,
    plan: Plan,
    new: Mapping[str, pl.DataFrame | pl.LazyFrame | None],
    rules: GateRules,
) -> None:
    problems = check(wh, plan, new, rules)
    if problems:
        plan.abort()
        raise QualityGateError(problems)
