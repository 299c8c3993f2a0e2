"""`hansard ingest votes --from D --to D [--house H]` and `hansard ingest votes --since-last`."""

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
from flows.sources.votes_api.settings import HOUSES


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    @ingest.command("votes")
    def ingest_votes(  # noqa: PLR0913
        from_date: FromDate = None,
        to_date: ToDate = None,
        since_last: SinceLast = False,
        house: HouseOpt = None,
        warehouse: WarehouseOpt = None,
        commons_url: Annotated[
            str | None,
            typer.Option(envvar="HANSARD_COMMONS_VOTES_URL", help="Commons Votes API root."),
        ] = None,
        lords_url: Annotated[
            str | None,
            typer.Option(envvar="HANSARD_LORDS_VOTES_URL", help="Lords Votes API root."),
        ] = None,
        correction_days: CorrectionDays = None,
        rps: Rps = None,
        concurrency: Concurrency = None,
    ) -> None:
        """Fetch divisions and votes from the Commons and Lords Votes APIs (incremental)."""
        params = dated_params(ctx, from_date, to_date, since_last)
        cfg = ctx.settings("votes_api")
        houses = house or list(cfg.houses)
        unknown = sorted(set(houses) - set(HOUSES))
        if unknown:
            ctx.fail(f"--house must be among {list(HOUSES)}, got {unknown}")
        params |= {
            "houses": houses,
            "commons_base_url": commons_url or cfg.commons_base_url,
            "lords_base_url": lords_url or cfg.lords_base_url,
            "correction_days": cfg.correction_days if correction_days is None else correction_days,
            "max_rps": rps or cfg.max_rps,
            "max_concurrency": concurrency or cfg.max_concurrency,
            "timeout_s": cfg.timeout_s,
        }
        report_fetches(ctx, ctx.run(Job("votes_api", "ingest", params, warehouse)))
