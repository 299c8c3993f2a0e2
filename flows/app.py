"""The application layer: the registered sources, the configuration and the engine together.

`run(source, action, warehouse=None, **params)` runs one job in-process (what the CLI does in
local mode, and what tests and notebooks call); `rebuild(warehouse)` regenerates everything
from the raw zone; `pending(wh)` says what each source holds unpublished. With a Prefect API
configured the CLI sends the same jobs through `flows/deployments.py` instead.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from flows.core import ledger
from flows.core.source import Job, Reiterable
from flows.core.warehouse import Warehouse
from flows.run import RunOptions, RunSummary
from flows.run import rebuild as rebuild_all
from flows.run import run as run_engine
from flows.sources import CATALOG


def options(cfg: Any | None = None, **overrides: Any) -> RunOptions:  # noqa: ANN401
    """Run options from the config's [run] and [quality] sections (defaults without one)."""
    if cfg is None:
        base = RunOptions()
    else:
        from flows.config import runner_settings

        base = RunOptions(
            batch_mb=cfg.run.batch_mb,
            commit_mb=cfg.run.commit_mb,
            runner=runner_settings(cfg),
            max_shrink=cfg.quality.max_shrink,
        )
    if overrides:
        import dataclasses

        base = dataclasses.replace(base, **overrides)
    return base


def run_job(job: Job, opts: RunOptions | None = None) -> RunSummary:
    return run_engine(CATALOG, job, opts)


def run(
    source: str,
    action: str,
    warehouse: str | os.PathLike[str] | None = None,
    *,
    opts: RunOptions | None = None,
    **params: Any,  # noqa: ANN401
) -> RunSummary:
    """Run one action of one source in-process, e.g. `run("pp_text", "ingest", paths=[…])`."""
    job = Job(source, action, params, str(warehouse) if warehouse is not None else None)
    return run_engine(CATALOG, job, opts)


def rebuild(
    warehouse: str | os.PathLike[str] | None = None, opts: RunOptions | None = None
) -> RunSummary:
    return rebuild_all(CATALOG, str(warehouse) if warehouse is not None else None, opts)


def pending(wh: Warehouse) -> dict[str, int]:
    """Work items each source holds in the raw zone that are not published as they are now."""
    out = {}
    for source in CATALOG:
        if ledger.settled(wh, source.name, ledger.raw_state(wh, source.raw_sources)):
            out[source.name] = 0
            continue
        published = ledger.load(wh, source.name)
        items = Reiterable(lambda source=source: source.items(wh))
        out[source.name] = sum(1 for _ in source.plan(items, published).items)
    return out


def prefect_api_url(env: dict[str, str] | None = None) -> str | None:
    """The Prefect API the CLI should use: $PREFECT_API_URL, else the active Prefect profile's
    (read from its profiles file, without importing Prefect); None: local mode."""
    env = dict(os.environ) if env is None else env
    if env.get("PREFECT_API_URL"):
        return env["PREFECT_API_URL"]
    home = Path(env.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    profiles = Path(env.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    try:
        data = tomllib.loads(profiles.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = env.get("PREFECT_PROFILE") or data.get("active")
    url = (data.get("profiles", {}).get(active) or {}).get("PREFECT_API_URL") if active else None
    return url or None


def data_dictionary() -> str:
    """docs/data-dictionary.md: the registered sources, then every table of the schema."""
    from transforms.present.dictionary import render

    return render([(s.name, s.title, s.tables, s.raw_sources) for s in CATALOG])
