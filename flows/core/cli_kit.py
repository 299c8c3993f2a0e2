"""What a source's CLI commands get from the application: shared option types, and a context
that runs a job (in-process, or as a Prefect flow when a Prefect API is configured), reads the
source's config section, and reports errors the same way for every command."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from flows.core.source import Job
from flows.core.warehouse import local_root


def _local_root(value: str | None) -> str | None:
    """A bad --warehouse is a usage error, before anything runs."""
    try:
        return value if value is None else local_root(value)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="Warehouse root (default: $HANSARD_WAREHOUSE or ./warehouse).",
        callback=_local_root,
    ),
]
DATE_FORMATS = ["%Y-%m-%d"]
FromDate = Annotated[
    datetime | None, typer.Option("--from", formats=DATE_FORMATS, help="First day (YYYY-MM-DD).")
]
ToDate = Annotated[
    datetime | None, typer.Option("--to", formats=DATE_FORMATS, help="Last day (YYYY-MM-DD).")
]

SinceLast = Annotated[
    bool,
    typer.Option(
        "--since-last", help="From the last fetched day minus the correction window, to today."
    ),
]
HouseOpt = Annotated[
    list[str] | None, typer.Option("--house", help="Commons and/or Lords (default both).")
]
CorrectionDays = Annotated[
    int | None,
    typer.Option(help="Days before the last fetched one to re-check for corrections."),
]
Rps = Annotated[float | None, typer.Option(help="Requests per second at most.")]
Concurrency = Annotated[int | None, typer.Option(help="Requests in flight at most.")]


class CliContext(Protocol):
    def run(self, job: Job) -> Any:  # noqa: ANN401
        """Run the job (exits with the right code on failure) and return its summary."""
        ...

    def settings(self, source: str) -> Any:  # noqa: ANN401
        """The source's config section, as validated (defaults when there is no config)."""
        ...

    def fail(self, message: str, code: int = 1) -> None:
        """Print an error and exit with `code`."""
        ...

    def say(self, message: str) -> None: ...


def day(value: datetime | None) -> date | None:
    return value.date() if value else None


def existing_paths(ctx: CliContext, paths: list[Path]) -> list[str]:
    """The paths as strings; any that does not exist is an error (nothing runs)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        ctx.fail(f"no such file or folder: {', '.join(missing)}")
    return [str(p) for p in paths]


def dated_params(
    ctx: CliContext, from_date: datetime | None, to_date: datetime | None, since_last: bool
) -> dict[str, object]:
    """`start`, `end` and `since_last` of a run by date: both dates, or --since-last."""
    if since_last == bool(from_date and to_date) or bool(from_date) != bool(to_date):
        ctx.fail("give both --from and --to, or --since-last")
    start, end = day(from_date), day(to_date)
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "since_last": since_last,
    }


def report_fetches(ctx: CliContext, summary: Any) -> None:  # noqa: ANN401
    """Print a fetching run's failed requests; exit 1 when every fetch failed (no day was
    fetched whole, changed or not), so a scheduler sees it."""
    for failure in summary.failures[:10]:
        ctx.say(f"[yellow]failed:[/yellow] {failure}")
    if summary.failures and not (summary.days_changed or summary.days_unchanged):
        ctx.fail(
            f"every fetch failed ({len(summary.failures)} failure(s)): nothing was fetched "
            'or published; see hansard sql "select * from rejects where reason = '
            "'fetch_failed'\""
        )
