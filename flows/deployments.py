"""Scheduled operation: the daily incremental flow, backfill, rebuild, and their deployments.

`hansard serve` registers the deployments on the Prefect server named by PREFECT_API_URL and
runs their flow runs (a long-running process); with a worker instead, see docs/operations.md.
The daily schedule (cron, Europe/London by default) and everything else come from the
configuration (flows/config.py), validated before anything starts.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prefect import flow, serve
from prefect.schedules import Cron

from flows import api_fetch
from flows.api_flow import ingest_api
from flows.config import Config, load_config
from flows.core.warehouse import Warehouse
from flows.members_flow import refresh_members
from flows.text_flow import ingest_text, rebuild


def _api(cfg: Config, start: date | None, end: date | None, since_last: bool) -> dict:
    api = cfg.api
    summary = ingest_api(
        start=start,
        end=end,
        since_last=since_last,
        houses=list(api.houses),
        warehouse=cfg.warehouse.root,
        base_url=api.base_url,
        correction_days=api.correction_days,
        max_rps=api.max_rps,
        max_concurrency=api.max_concurrency,
        max_shrink=cfg.quality.max_shrink,
    )
    return asdict(summary)


@flow(name="daily", log_prints=True)
def daily(config_path: str | None = None) -> dict:
    """Every configured source, incrementally: new transcript pages from the inbox folder, and
    Hansard API days since the last fetched one minus the correction window."""
    cfg = load_config(config_path)
    results: dict = {}
    inbox = Path(cfg.sources.text_inbox)
    if "pp_text" in cfg.sources.enabled and inbox.is_dir():
        results["pp_text"] = asdict(ingest_text([str(inbox)], cfg.warehouse.root))
    if "hansard_api" in cfg.sources.enabled:
        wh = Warehouse.at(cfg.warehouse.root)
        if api_fetch.snapshot_days(wh):
            results["hansard_api"] = _api(cfg, None, None, since_last=True)
        else:  # first run: the correction window up to today
            today = datetime.now(UTC).date()
            start = today - timedelta(days=cfg.api.correction_days)
            results["hansard_api"] = _api(cfg, start, today, since_last=False)
    return results


@flow(name="backfill", log_prints=True)
def backfill(start: date, end: date, config_path: str | None = None) -> dict:
    """Fetch a date range from the Hansard API (weeks or years: days are fetched in parallel,
    politely rate-limited; re-running is cheap, unchanged days cost only their requests)."""
    return _api(load_config(config_path), start, end, since_last=False)


@flow(name="members-refresh", log_prints=True)
def members_refresh(config_path: str | None = None) -> dict:
    """Members, their names, parties and seats with dates, for the sitting dates published so
    far; then every contribution's speaker re-resolved."""
    cfg = load_config(config_path)
    summary = refresh_members(
        warehouse=cfg.warehouse.root,
        base_url=cfg.members.base_url,
        houses=list(cfg.api.houses),
        max_rps=cfg.api.max_rps,
        max_concurrency=cfg.api.max_concurrency,
        max_shrink=cfg.quality.max_shrink,
        full_after_days=cfg.members.full_after_days,
        parlparse=cfg.members.parlparse,
        parlparse_base_url=cfg.members.parlparse_base_url,
        parlparse_files=list(cfg.members.parlparse_files),
    )
    return asdict(summary)


@flow(name="rebuild-from-raw", log_prints=True)
def rebuild_from_raw(config_path: str | None = None) -> dict:
    """Regenerate every table from the raw zone alone (offline)."""
    return asdict(rebuild(load_config(config_path).warehouse.root))


def deployments(cfg: Config, config_path: str | None = None):  # noqa: ANN201
    params = {"config_path": config_path} if config_path else {}
    tz = cfg.schedule.timezone
    return [
        daily.to_deployment(
            name="daily",
            schedule=Cron(cfg.schedule.daily, timezone=tz),
            parameters=params,
            description="Every configured source, incrementally, with the correction window.",
        ),
        backfill.to_deployment(
            name="backfill", parameters=params, description="A date range from the Hansard API."
        ),
        rebuild_from_raw.to_deployment(
            name="rebuild", parameters=params, description="Every table from the raw zone, offline."
        ),
        members_refresh.to_deployment(
            name="members-refresh",
            schedule=Cron(cfg.schedule.members, timezone=tz),
            parameters=params,
            description="Members API dimension and speaker resolution.",
        ),
    ]


def serve_all(config_path: str | None = None) -> None:
    cfg = load_config(config_path)  # invalid config fails here, before anything is registered
    serve(*deployments(cfg, config_path))
