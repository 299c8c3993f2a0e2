"""`hansard ingest api --from D --to D [--house H]` and `hansard ingest api --since-last`."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.core.cli_kit import (
    CliContext,
    Concurrency,
    CorrectionDays,
    FromDate,
    HouseOpt,
    Rps,
    SinceLast,
    ToDate,
    WarehouseOpt,
    dated_params,
    report_fetches,
)
from flows.core.source import Job


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    @ingest.command("api")
    def ingest_api(  # noqa: PLR0913
        from_date: FromDate = None,
        to_date: ToDate = None,
        since_last: SinceLast = False,
        house: HouseOpt = None,
        warehouse: WarehouseOpt = None,
        base_url: Annotated[
            str | None, typer.Option(envvar="HANSARD_API_BASE_URL", help="Hansard API root.")
        ] = None,
        correction_days: CorrectionDays = None,
        rps: Rps = None,
        concurrency: Concurrency = None,
    ) -> None:
        """Fetch debates from the official Hansard API (incremental; politely rate-limited)."""
        params = dated_params(ctx, from_date, to_date, since_last)
        cfg = ctx.settings("hansard_api")
        params |= {
            "houses": house or list(cfg.houses),
            "base_url": base_url or cfg.base_url,
            "correction_days": cfg.correction_days if correction_days is None else correction_days,
            "max_rps": rps or cfg.max_rps,
            "max_concurrency": concurrency or cfg.max_concurrency,
        }
        report_fetches(ctx, ctx.run(Job("hansard_api", "ingest", params, warehouse)))
