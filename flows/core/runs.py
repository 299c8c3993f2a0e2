"""The run log: one JSON record per run under runs/, published as the ingest_runs table."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flows.core.publish import publish_current
from flows.core.warehouse import Warehouse, write_atomic
from transforms.schema import INGEST_RUNS, frame

if TYPE_CHECKING:
    import polars as pl


@dataclass
class RunRecord:
    run_id: str
    flow: str
    source: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    inputs_seen: int = 0
    inputs_new: int = 0
    inputs_unchanged: int = 0
    debates: int = 0
    contributions: int = 0
    rejects: int = 0
    partitions_written: int = 0
    debates_new: int | None = None
    debates_changed: int | None = None
    debates_unchanged: int | None = None
    duration_s: float | None = None
    message: str | None = None
    steps: dict[str, float] | None = None  # seconds per engine step (in the JSON, not the table)

    @classmethod
    def start(cls, flow: str, source: str) -> RunRecord:
        now = datetime.now(UTC)
        return cls(f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", flow, source, now)

    def to_json(self) -> str:
        data = asdict(self)
        for k in ("started_at", "finished_at"):
            data[k] = data[k].isoformat() if data[k] else None
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunRecord:
        data = json.loads(text)
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for k in ("started_at", "finished_at"):
            data[k] = datetime.fromisoformat(data[k]) if data[k] else None
        return cls(**data)


def record(wh: Warehouse, run: RunRecord) -> None:
    """Save the run's record and republish ingest_runs, so a running run is visible too."""
    write_atomic(wh.runs / f"{run.run_id}.json", run.to_json().encode())
    publish_runs(wh)


def finish(wh: Warehouse, run: RunRecord, status: str, message: str | None = None) -> None:
    run.status, run.finished_at = status, datetime.now(UTC)
    run.duration_s = round((run.finished_at - run.started_at).total_seconds(), 3)
    run.message = message or run.message
    record(wh, run)


def mark_crashed(wh: Warehouse) -> int:
    """Records still `running` when a run holds the warehouse alone belong to processes that
    are gone (every run holds the lock while it runs): marked `crashed`. Returns how many."""
    found = 0
    for path in sorted(wh.runs.glob("*.json")) if wh.runs.is_dir() else []:
        run = RunRecord.from_json(path.read_text())
        if run.status != "running":
            continue
        run.status = "crashed"
        run.message = (
            f"ended without an outcome (killed, or the machine stopped); found at "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC by the next run"
        )
        write_atomic(path, run.to_json().encode())
        found += 1
    return found


def records(wh: Warehouse) -> list[RunRecord]:
    """Every run's record, oldest first (a run id starts with its start time)."""
    paths = sorted(wh.runs.glob("*.json")) if wh.runs.is_dir() else []
    return [RunRecord.from_json(p.read_text()) for p in paths]


def publish_runs(wh: Warehouse) -> None:
    def rows() -> pl.DataFrame:
        found = [{k: v for k, v in asdict(r).items() if k != "steps"} for r in records(wh)]
        return frame(INGEST_RUNS, found)

    publish_current(wh, INGEST_RUNS, rows, replace=[{}])
