"""`hansard ingest api --from D --to D [--house H]` and `hansard ingest api --since-last`."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.core.cli_kit import CliContext, FromDate, ToDate, WarehouseOpt, day
from flows.core.source import Job


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    @ingest.command("api")
    def ingest_api(  # noqa: PLR0913
        from_date: FromDate = None,
        to_date: ToDate = None,
        since_last: Annotated[
            bool,
            typer.Option(
                "--since-last",
                help="From the last fetched day minus the correction window, to today.",
            ),
        ] = False,
        house: Annotated[
            list[str] | None, typer.Option("--house", help="Commons and/or Lords (default both).")
        ] = None,
        warehouse: WarehouseOpt = None,
        base_url: Annotated[
            str | None, typer.Option(envvar="HANSARD_API_BASE_URL", help="Hansard API root.")
        ] = None,
        correction_days: Annotated[
            int | None,
            typer.Option(help="Days before the last fetched one to re-check for revisions."),
        ] = None,
        rps: Annotated[float | None, typer.Option(help="Requests per second at most.")] = None,
        concurrency: Annotated[int | None, typer.Option(help="Requests in flight at most.")] = None,
    ) -> None:
        """Fetch debates from the official Hansard API (incremental; politely rate-limited)."""
        if since_last == bool(from_date and to_date) or bool(from_date) != bool(to_date):
            ctx.fail("give both --from and --to, or --since-last")
        cfg = ctx.settings("hansard_api")
        params = {
            "start": (d.isoformat() if (d := day(from_date)) else None),
            "end": (d.isoformat() if (d := day(to_date)) else None),
            "since_last": since_last,
            "houses": house or list(cfg.houses),
            "base_url": base_url or cfg.base_url,
            "correction_days": cfg.correction_days if correction_days is None else correction_days,
            "max_rps": rps or cfg.max_rps,
            "max_concurrency": concurrency or cfg.max_concurrency,
        }
        summary = ctx.run(Job("hansard_api", "ingest", params, warehouse))
        for failure in summary.failures[:10]:
            ctx.say(f"[yellow]failed:[/yellow] {failure}")
        if summary.failures and not (summary.days_changed or summary.days_unchanged):
            ctx.fail(
                f"every fetch failed ({len(summary.failures)} failure(s)): nothing was fetched "
                'or published; see hansard sql "select * from rejects where reason = '
                "'fetch_failed'\""
            )
