"""`hansard members refresh` and `hansard members resolve`."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.core.cli_kit import CliContext, FromDate, ToDate, WarehouseOpt, day
from flows.core.source import Job


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    members = typer.Typer(help="Members dimension and speaker identity.", no_args_is_help=True)
    app.add_typer(members, name="members")

    @members.command("refresh")
    def refresh(  # noqa: PLR0913
        from_date: FromDate = None,
        to_date: ToDate = None,
        house: Annotated[list[str] | None, typer.Option("--house", help="Commons/Lords.")] = None,
        member_id: Annotated[list[int] | None, typer.Option("--id", help="Member ids too.")] = None,
        twfy_members: Annotated[
            str | None, typer.Option(help="TheyWorkForYou members folder or file to map.")
        ] = None,
        warehouse: WarehouseOpt = None,
        base_url: Annotated[
            str | None,
            typer.Option(envvar="HANSARD_MEMBERS_API_BASE_URL", help="Members API root."),
        ] = None,
        rps: Annotated[float | None, typer.Option(help="Requests per second at most.")] = None,
        concurrency: Annotated[int | None, typer.Option(help="Requests in flight at most.")] = None,
        full: Annotated[
            bool, typer.Option("--full", help="Re-read every member's History, not only changes.")
        ] = False,
        full_after_days: Annotated[
            int | None, typer.Option(help="Refresh in full when the last full refresh is older.")
        ] = None,
        parlparse: Annotated[
            bool | None,
            typer.Option(
                "--parlparse/--no-parlparse", help="Also fetch the parlparse members files (HTTP)."
            ),
        ] = None,
        parlparse_base_url: Annotated[
            str | None,
            typer.Option(envvar="HANSARD_PARLPARSE_BASE_URL", help="parlparse members folder URL."),
        ] = None,
        parlparse_file: Annotated[
            list[str] | None,
            typer.Option("--parlparse-file", help="Files to fetch (default people.json)."),
        ] = None,
    ) -> None:
        """Fetch members (Search, then History for new and changed members: names, parties,
        seats with dates) from the Members API, map TheyWorkForYou ids (from --twfy-members
        and, with --parlparse, the parlparse files over HTTP), and re-resolve speakers."""
        cfg = ctx.settings("members")
        params = {
            "start": (d.isoformat() if (d := day(from_date)) else None),
            "end": (d.isoformat() if (d := day(to_date)) else None),
            "houses": house,
            "ids": member_id,
            "twfy_members": twfy_members,
            "base_url": base_url or cfg.base_url,
            "max_rps": rps or cfg.max_rps,
            "max_concurrency": concurrency or cfg.max_concurrency,
            "full": full,
            "full_after_days": cfg.full_after_days if full_after_days is None else full_after_days,
            "parlparse": cfg.parlparse if parlparse is None else parlparse,
            "parlparse_base_url": parlparse_base_url or cfg.parlparse_base_url,
            "parlparse_files": parlparse_file or list(cfg.parlparse_files),
        }
        ctx.run(Job("members", "refresh", params, warehouse))

    @members.command("resolve")
    def resolve(warehouse: WarehouseOpt = None) -> None:
        """Bring every contribution's speaker resolution up to date with the members tables."""
        ctx.run(Job("members", "resolve", {}, warehouse))
