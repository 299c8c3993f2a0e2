"""Shortcuts for tests: each source's action run in-process through the engine (as the CLI's
local mode runs it), with the old flows' argument names, and a publish without the derived
tables for tests of those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from flows import app
from flows.core import runs
from flows.core.inputs import store_files
from flows.core.warehouse import Warehouse
from flows.run import RunContext, RunOptions, RunSummary, publish_source
from flows.sources import CATALOG


def _wh(warehouse: str | Path | Warehouse | None) -> str | None:
    if isinstance(warehouse, Warehouse):
        return str(warehouse.root)
    return None if warehouse is None else str(warehouse)


def ingest_text(paths: Sequence[str | Path], warehouse: Any = None, **opts: Any) -> RunSummary:  # noqa: ANN401
    return app.run(
        "pp_text", "ingest", _wh(warehouse), opts=_opts(**opts), paths=[str(p) for p in paths]
    )


def ingest_twfy(paths: Sequence[str | Path], warehouse: Any = None, **opts: Any) -> RunSummary:  # noqa: ANN401
    return app.run(
        "twfy_xml", "ingest", _wh(warehouse), opts=_opts(**opts), paths=[str(p) for p in paths]
    )


def fetch_twfy(  # noqa: PLR0913
    start: date | str,
    end: date | str,
    folders: list[str] | None = None,
    warehouse: Any = None,  # noqa: ANN401
    base_url: str = "https://www.theyworkforyou.com/pwdata",
    max_rps: float = 2.0,
    max_concurrency: int = 2,
) -> RunSummary:
    return app.run(
        "twfy_xml",
        "fetch",
        _wh(warehouse),
        start=str(start),
        end=str(end),
        folders=folders,
        base_url=base_url,
        max_rps=max_rps,
        max_concurrency=max_concurrency,
    )


def ingest_api(
    start: date | None = None,
    end: date | None = None,
    *,
    warehouse: Any = None,  # noqa: ANN401
    max_shrink: float = 0.5,
    **params: Any,  # noqa: ANN401
) -> RunSummary:
    return _dated("hansard_api", start, end, warehouse, max_shrink, params)


def ingest_votes(
    start: date | None = None,
    end: date | None = None,
    *,
    warehouse: Any = None,  # noqa: ANN401
    max_shrink: float = 0.5,
    **params: Any,  # noqa: ANN401
) -> RunSummary:
    return _dated("votes_api", start, end, warehouse, max_shrink, params)


def _dated(  # noqa: PLR0913
    source: str,
    start: date | None,
    end: date | None,
    warehouse: Any,  # noqa: ANN401
    max_shrink: float,
    params: dict[str, Any],
) -> RunSummary:
    return app.run(
        source,
        "ingest",
        _wh(warehouse),
        opts=_opts(max_shrink=max_shrink),
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        **params,
    )


def refresh_members(warehouse: Any = None, max_shrink: float = 0.5, **params: Any) -> RunSummary:  # noqa: ANN401
    for key in ("start", "end"):
        if isinstance(params.get(key), date):
            params[key] = params[key].isoformat()
    return app.run(
        "members", "refresh", _wh(warehouse), opts=_opts(max_shrink=max_shrink), **params
    )


def resolve(warehouse: Any = None) -> RunSummary:  # noqa: ANN401
    return app.run("members", "resolve", _wh(warehouse))


def rebuild(warehouse: Any = None, **opts: Any) -> RunSummary:  # noqa: ANN401
    return app.rebuild(_wh(warehouse), _opts(**opts))


def _opts(**overrides: Any) -> RunOptions:  # noqa: ANN401
    return app.options(None, **overrides)


def publish_only(wh: Warehouse, files: Sequence[Path], source: str = "pp_text") -> None:
    """Store `files` and publish them the engine's way (raw_inputs, ledger, gated commit),
    without the derived tables or the views: for tests of those."""
    src = CATALOG[source]
    stored = store_files(wh, src.raw_sources[0], list(files))
    ctx = RunContext(wh, CATALOG, RunOptions(), runs.RunRecord.start("test", source))
    publish_source(ctx, src, stored.rejects)
