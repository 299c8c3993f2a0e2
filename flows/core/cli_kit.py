"""What a source's CLI commands get from the application: shared option types, and a context
that runs a job (in-process, or as a Prefect flow when a Prefect API is configured), reads the
source's config section, and reports errors the same way for every command."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from flows.core.source import Job

WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="Warehouse root (default: $HANSARD_WAREHOUSE or ./warehouse)."
    ),
]
DATE_FORMATS = ["%Y-%m-%d"]
FromDate = Annotated[
    datetime | None, typer.Option("--from", formats=DATE_FORMATS, help="First day (YYYY-MM-DD).")
]
ToDate = Annotated[
    datetime | None, typer.Option("--to", formats=DATE_FORMATS, help="Last day (YYYY-MM-DD).")
]


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
