"""Prefect: the engine's jobs as flows, the daily run, backfill, rebuild, and the deployments
that `hansard serve` registers and runs.

Every flow here calls the same engine as the CLI's local mode (`flows/run.py` through
`flows/app.py`); what Prefect adds is the run history, the schedules, INFO logs of the engine
in the UI (the `hansard` logger is attached to the flow run) and a `run-summary` artifact per
flow run: inputs new/changed/unchanged, rows, rejects, partitions written, time per step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from prefect import flow, serve
from prefect.schedules import Cron

from flows import app
from flows.config import Config, load_config
from flows.core.source import Job
from flows.core.warehouse import Warehouse
from flows.run import RunSummary
from flows.sources import CATALOG


@contextmanager
def engine_logs_in_prefect() -> Iterator[None]:
    """The engine's INFO logs (logger `hansard`, any thread of this process) sent to the
    current flow run."""
    from prefect.logging.handlers import APILogHandler
    from prefect.runtime import flow_run

    run_id = flow_run.id
    if run_id is None:  # not inside a flow run: nothing to send the logs to
        yield
        return
    handler = APILogHandler()

    def tag(record: logging.LogRecord) -> bool:
        record.flow_run_id = run_id
        return True

    handler.addFilter(tag)
    logger = logging.getLogger("hansard")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def summary_markdown(summaries: dict[str, RunSummary]) -> str:
    lines = [
        "| job | run | inputs new | unchanged | items parsed | debates | contributions | "
        "rejects | partitions written | seconds |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in summaries.items():
        lines.append(
            f"| {name} | {s.run_id} | {s.inputs_new} | {s.inputs_unchanged} | {s.items} | "
            f"{s.debates} | {s.contributions} | {s.rejects} | {s.partitions_written} | "
            f"{sum(s.seconds.values()):.1f} |"
        )
    lines.append("")
    for name, s in summaries.items():
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in s.seconds.items())
        lines.append(f"**{name}**: {s.message}. Steps: {steps}.")
    return "\n".join(lines)


def _artifact(summaries: dict[str, RunSummary]) -> None:
    from prefect.artifacts import create_markdown_artifact

    if summaries:
        create_markdown_artifact(
            markdown=summary_markdown(summaries), key="run-summary", description="What it did."
        )


def _config(config_path: str | None) -> Config:
    return load_config(config_path)


def _with_warehouse(job: Job, cfg: Config) -> Job:
    if job.warehouse is None and cfg.warehouse.root:
        return Job(job.source, job.action, job.params, cfg.warehouse.root)
    return job


def _run(job: Job, cfg: Config) -> RunSummary:
    with engine_logs_in_prefect():
        return app.run_job(_with_warehouse(job, cfg), app.options(cfg))


@flow(name="hansard-run", log_prints=True)
def hansard_run(job: dict[str, Any], config_path: str | None = None) -> dict[str, Any]:
    """One job (a source's action with its parameters) through the engine."""
    cfg = _config(config_path)
    summary = _run(Job.from_dict(job), cfg)
    _artifact({f"{summary.source}:{summary.flow}": summary})
    return summary.to_dict()


def run_each(jobs: dict[str, Job], cfg: Config) -> dict[str, RunSummary]:
    """Run every job; one that fails does not stop the others, and fails the whole after."""
    done: dict[str, RunSummary] = {}
    failed: dict[str, str] = {}
    for name, job in jobs.items():
        try:
            done[name] = _run(job, cfg)
        except Exception as e:  # noqa: BLE001 (reported below, the flow fails)
            logging.getLogger("hansard").error("%s failed: %s", name, e)
            failed[name] = f"{type(e).__name__}: {e}"
    if failed:
        raise RuntimeError(f"failed: {failed}; completed: {sorted(done)}")
    return done


def daily_jobs(cfg: Config) -> dict[str, Job]:
    """Each enabled source's part of the daily run, as it declares it (`Source.daily`)."""
    wh = Warehouse.at(cfg.warehouse.root)
    jobs = {}
    for name in cfg.sources.enabled:
        source = CATALOG[name]
        job = source.daily(getattr(cfg, name), wh) if source.daily else None
        if job is not None:
            jobs[name] = job
    return jobs


def window_jobs(cfg: Config, start: date, end: date, sources: list[str] | None) -> dict[str, Job]:
    """A date range from every chosen source that fetches by date (`Source.window`)."""
    wh = Warehouse.at(cfg.warehouse.root)
    chosen = sources or list(cfg.sources.enabled)
    return {
        name: CATALOG[name].window(getattr(cfg, name), wh, start, end)
        for name in chosen
        if CATALOG[name].window is not None
    }


def _reported(summaries: dict[str, RunSummary]) -> dict[str, Any]:
    _artifact(summaries)
    return {name: s.to_dict() for name, s in summaries.items()}


@flow(name="daily", log_prints=True)
def daily(config_path: str | None = None) -> dict[str, Any]:
    """Every enabled source ([sources] enabled), incrementally, as each source declares it."""
    cfg = _config(config_path)
    return _reported(run_each(daily_jobs(cfg), cfg))


@flow(name="backfill", log_prints=True)
def backfill(
    start: date, end: date, config_path: str | None = None, sources: list[str] | None = None
) -> dict[str, Any]:
    """A date range from every source that fetches by date (default: the enabled ones)."""
    cfg = _config(config_path)
    return _reported(run_each(window_jobs(cfg, start, end, sources), cfg))


@flow(name="rebuild", log_prints=True)
def rebuild(config_path: str | None = None) -> dict[str, Any]:
    """Every table regenerated from the raw zone alone (offline)."""
    cfg = _config(config_path)
    with engine_logs_in_prefect():
        summary = app.rebuild(cfg.warehouse.root, app.options(cfg))
    _artifact({"rebuild": summary})
    return summary.to_dict()


def deployments(cfg: Config, config_path: str | None = None) -> list:
    params = {"config_path": config_path} if config_path else {}
    tz = cfg.schedule.timezone
    made = [
        daily.to_deployment(
            name="daily",
            schedule=Cron(cfg.schedule.daily, timezone=tz),
            parameters=params,
            description="Every enabled source, incrementally, with its correction window.",
        ),
        backfill.to_deployment(
            name="backfill", parameters=params, description="A date range, every dated source."
        ),
        rebuild.to_deployment(
            name="rebuild", parameters=params, description="Every table from the raw zone."
        ),
    ]
    for source in CATALOG:
        for job in source.schedules(getattr(cfg, source.name)) if source.schedules else []:
            made.append(
                hansard_run.to_deployment(
                    name=job.name,
                    schedule=Cron(job.cron, timezone=tz),
                    parameters={"job": _with_warehouse(job.job, cfg).to_dict(), **params},
                    description=job.description,
                )
            )
    return made


def serve_all(config_path: str | None = None) -> None:
    cfg = load_config(config_path)  # an invalid config fails here, before anything registers
    serve(*deployments(cfg, config_path))
