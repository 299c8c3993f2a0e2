"""`hansard ingest twfy PATH...` and `hansard ingest twfy-web --from D --to D`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.core.cli_kit import CliContext, WarehouseOpt, existing_paths
from flows.core.source import Job


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    @ingest.command("twfy")
    def ingest_twfy(
        paths: Annotated[
            list[Path],
            typer.Argument(help="TheyWorkForYou XML files or mirror folders (+ people.xml)."),
        ],
        warehouse: WarehouseOpt = None,
    ) -> None:
        """Ingest TheyWorkForYou ParlParse XML (latest version of each day; divisions, votes)."""
        ctx.run(Job("twfy_xml", "ingest", {"paths": existing_paths(ctx, paths)}, warehouse))

    @ingest.command("twfy-web")
    def ingest_twfy_web(  # noqa: PLR0913
        from_date: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
        to_date: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
        folder: Annotated[
            list[str] | None, typer.Option("--folder", help="scrapedxml folders (default all).")
        ] = None,
        warehouse: WarehouseOpt = None,
        base_url: Annotated[
            str | None, typer.Option(envvar="HANSARD_TWFY_BASE_URL", help="Root above scrapedxml/.")
        ] = None,
        rps: Annotated[float | None, typer.Option(help="Requests per second at most.")] = None,
        concurrency: Annotated[int | None, typer.Option(help="Requests in flight at most.")] = None,
    ) -> None:
        """Fetch TheyWorkForYou XML day files for a date range from the scrapedxml listings."""
        cfg = ctx.settings("twfy_xml")
        params = {
            "start": from_date.date().isoformat(),
            "end": to_date.date().isoformat(),
            "folders": folder or list(cfg.folders),
            "base_url": base_url or cfg.base_url,
            "max_rps": rps or cfg.max_rps,
            "max_concurrency": concurrency or cfg.max_concurrency,
        }
        ctx.run(Job("twfy_xml", "fetch", params, warehouse))
