"""`hansard ingest text PATH...`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.core.cli_kit import CliContext, WarehouseOpt, existing_paths
from flows.core.source import Job


def register(app: typer.Typer, ingest: typer.Typer, ctx: CliContext) -> None:
    @ingest.command("text")
    def ingest_text(
        paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders of *.txt.")],
        warehouse: WarehouseOpt = None,
    ) -> None:
        """Ingest transcript-text pages (files, or folders of *.txt)."""
        ctx.run(Job("pp_text", "ingest", {"paths": existing_paths(ctx, paths)}, warehouse))
