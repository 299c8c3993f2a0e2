"""What sources that fetch by date share: the dates a run covers, where their house-day
snapshots live (raw/<source>/days/<house>/<date>.json: what a day is published from), and the
write policy of a snapshot (publishing a day replaces that day's rows from the source, nothing
else)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from flows.core.rules import GateRules
from flows.core.source import Job, Published, Scope, WorkItem
from flows.core.warehouse import Warehouse


def window(
    start: date | None, end: date | None, since_last: date | None, correction_days: int, today: date
) -> tuple[date, date]:
    """The dates to fetch: explicit, or from the last fetched day minus the correction window
    (re-checking revised days) up to today."""
    if start and end:
        if start > end:
            raise ValueError(f"--from {start} is after --to {end}")
        return start, end
    anchor = since_last or today
    return anchor - timedelta(days=correction_days), today


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def run_window(  # noqa: PLR0913
    wh: Warehouse,
    source: str,
    start: date | str | None,
    end: date | str | None,
    since_last: bool,
    correction_days: int,
) -> tuple[date, date]:
    """A run's dates from its parameters: both dates, or since the source's last snapshot day
    minus the correction window, to today."""
    first, last_day = _date(start), _date(end)
    if not since_last and not (first and last_day):
        raise ValueError("give --from and --to, or --since-last")
    last = last_snapshot_day(wh, source) if since_last else None
    if since_last and last is None:
        raise ValueError(
            f"--since-last: no earlier {source} run in this warehouse; give --from/--to"
        )
    return window(first, last_day, last, correction_days, datetime.now(UTC).date())


def snapshot_file(wh: Warehouse, source: str, house: str, day: date) -> Path:
    return wh.raw / source / "days" / house / f"{day.isoformat()}.json"


def snapshot_days(wh: Warehouse, source: str, house: str | None = None) -> list[tuple[str, date]]:
    """(house, day) of every snapshot the source holds, in order."""
    folder = wh.raw / source / "days"
    if not folder.is_dir():
        return []
    pattern = f"{house}/*.json" if house else "*/*.json"
    return sorted((p.parent.name, date.fromisoformat(p.stem)) for p in folder.glob(pattern))


def last_snapshot_day(wh: Warehouse, source: str) -> date | None:
    days = snapshot_days(wh, source)
    return max(d for _, d in days) if days else None


def day_scope(
    source: str, tables: Sequence[str], found: Sequence[WorkItem], published: Published
) -> Scope:
    """Committing house-day items replaces those days' rows of `tables` from `source` (in the
    year partitions they fall in) and the rejects of their earlier responses; failed requests,
    with no raw bytes, stay as a record. New rows must fall inside the days' date range."""
    days = [(i.house, i.day) for i in found if i.house and i.day]
    ours = pl.col("source") == source
    day_rows = pl.struct("house", "sitting_date").is_in(
        [{"house": h, "sitting_date": d} for h, d in days]
    )
    shas = sorted({s for i in found for s in (*published.get(i.key, ()), *i.shas)})
    parts = sorted({(h, d.year) for h, d in days})
    touch = [{"source": source, "house": h, "sitting_year": y} for h, y in parts]
    dates = [d for _, d in days]
    return Scope(
        drop={
            **{t: ours & day_rows for t in tables},
            "rejects": ours & pl.col("raw_sha256").is_in(shas),
        },
        touch={**{t: touch for t in tables}, "rejects": [{"source": source}]},
        rules=GateRules(date_range=(min(dates), max(dates)) if dates else None),
    )


def daily_job(wh: Warehouse, source: str, params: dict, correction_days: int) -> Job:
    """A source's part of the daily run: since its last snapshot day minus the correction
    window; the first time, the correction window up to today."""
    if last_snapshot_day(wh, source) is not None:
        return Job(source, "ingest", {"since_last": True, **params}, str(wh.root))
    today = datetime.now(UTC).date()
    return window_job(wh, source, params, today - timedelta(days=correction_days), today)


def window_job(wh: Warehouse, source: str, params: dict, start: date, end: date) -> Job:
    """A run over [start, end] (a backfill)."""
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    return Job(source, "ingest", {**dates, **params}, str(wh.root))
