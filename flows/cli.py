"""The `hansard` command line.

Each registered source adds its own commands (`hansard ingest text`, `hansard ingest api`, …,
`hansard members …`); the rest is shared: rebuild, sql, report, status, views, dictionary,
config, demo, serve. One-off commands run the engine in-process and start no server (local
mode); with a Prefect API configured ($PREFECT_API_URL or the active Prefect profile) they run
as Prefect flows on that server instead. Exit codes: 0 success, 1 an input, query or config
error, 2 the warehouse is locked by another run.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from flows.core.cli_kit import WarehouseOpt
from flows.core.lock import WarehouseBusy
from flows.core.source import Job
from flows.core.warehouse import Warehouse, local_root
from flows.query_out import Format
from flows.sources import CATALOG

app = typer.Typer(
    help="Hansard Warehouse: UK Parliament debates as Parquet + DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
ingest_app = typer.Typer(help="Ingest inputs into the warehouse.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
export_app = typer.Typer(help="Export the warehouse for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample"
DICTIONARY = ROOT / "docs" / "data-dictionary.md"
ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", "-c", help="TOML file (default: $HANSARD_CONFIG or ./hansard.toml)."),
]


class Context:
    """What source commands get (flows/core/cli_kit.CliContext): config, running, errors."""

    def __init__(self) -> None:
        self._cfg: Any = None
        self._loaded = False
        self.config_path: str | None = None

    def config(self) -> Any:  # noqa: ANN401
        """The validated config, when there is any to read (a file, or HANSARD__ variables);
        None otherwise (defaults apply, and pydantic is not even imported)."""
        if not self._loaded:
            self._loaded = True
            wanted = (
                self.config_path
                or os.environ.get("HANSARD_CONFIG")
                or Path("hansard.toml").is_file()
                or any(k.startswith("HANSARD__") for k in os.environ)
            )
            if wanted:
                from flows.config import ConfigError, load_config

                try:
                    self._cfg = load_config(self.config_path)
                except ConfigError as e:
                    self.fail(f"config error: {e}")
        return self._cfg

    def settings(self, source: str) -> Any:  # noqa: ANN401
        cfg = self.config()
        return getattr(cfg, source) if cfg is not None else CATALOG[source].settings.load()()

    def fail(self, message: str, code: int = 1) -> None:
        err.print(f"[red]error:[/red] {message}", highlight=False)
        raise typer.Exit(code)

    def say(self, message: str) -> None:
        console.print(message, highlight=False)

    def run(self, job: Job) -> Any:  # noqa: ANN401
        cfg = self.config()
        if job.warehouse is None and cfg is not None and cfg.warehouse.root:
            job = Job(job.source, job.action, job.params, cfg.warehouse.root)
        summary = self._guarded(lambda: _dispatch(job, cfg, self.config_path))
        self.say(summary.describe())
        if summary.rejects:
            self.say(f'{summary.rejects} rejects: hansard sql "select * from rejects"')
        return summary

    def _guarded(self, fn: Any) -> Any:  # noqa: ANN401
        from flows.core.quality import QualityGateError

        try:
            return fn()
        except WarehouseBusy as e:
            self.fail(str(e), 2)
        except (ValueError, FileNotFoundError, QualityGateError) as e:
            self.fail(str(e))
        except OSError as e:  # a full disk, a permission, an I/O error: said, not a traceback
            where = f" ({e.filename})" if e.filename else ""
            self.fail(
                f"{e.strerror or e}{where}: the run stopped; the tables keep what was published "
                "before it; fix this and run again (the next run carries on from the raw zone)"
            )


CTX = Context()


def _dispatch(job: Job, cfg: Any, config_path: str | None) -> Any:  # noqa: ANN401
    """Run the job in-process, or as a Prefect flow when a Prefect API is configured."""
    from flows import app as application

    if application.prefect_api_url():
        from flows.deployments import hansard_run
        from flows.run import RunSummary

        flow_name = CATALOG[job.source].actions[job.action].flow
        result = hansard_run.with_options(name=flow_name)(job.to_dict(), config_path)
        return RunSummary.from_dict(result)
    return application.run_job(job, application.options(cfg))


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # only here: it costs a tenth of a second

        console.print(f"hansard-warehouse {version('hansard-warehouse')}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log what each step does (stderr).")
    ] = False,
    config_path: ConfigOpt = None,
) -> None:
    """Hansard Warehouse: UK Parliament debates as Parquet + DuckDB."""
    CTX.config_path = config_path
    if os.environ.get("HANSARD_WAREHOUSE"):
        try:
            local_root(os.environ["HANSARD_WAREHOUSE"])
        except ValueError as e:
            CTX.fail(f"HANSARD_WAREHOUSE: {e}")
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        logging.getLogger("hansard").setLevel(logging.INFO)


for _source in CATALOG:
    if _source.cli is not None:
        _source.cli.load()(app, ingest_app, CTX)


@app.command()
def rebuild(warehouse: WarehouseOpt = None) -> None:
    """Regenerate every table of every source from the raw zone alone (offline)."""
    from flows import app as application

    cfg = CTX.config()
    root = warehouse or (cfg.warehouse.root if cfg is not None else None)
    if application.prefect_api_url():
        from flows.deployments import rebuild as rebuild_flow
        from flows.run import RunSummary

        summary = CTX._guarded(lambda: RunSummary.from_dict(rebuild_flow(CTX.config_path)))
    else:
        summary = CTX._guarded(lambda: application.rebuild(root, application.options(cfg)))
    CTX.say(summary.describe())


@app.command()
def views(warehouse: WarehouseOpt = None) -> None:
    """Recreate hansard.duckdb's views (e.g. after moving the warehouse folder)."""
    from flows.core.views import refresh_views

    wh = Warehouse.at(warehouse)
    names = refresh_views(wh, force=True)
    CTX.say(f"{len(names)} views and macros in {wh.duckdb_path}: {', '.join(names)}")


@app.command()
def dictionary(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = DICTIONARY,
) -> None:
    """Regenerate the data dictionary, and write this schema version's frozen contract."""
    from flows.app import data_dictionary
    from transforms.schema import SCHEMA_VERSION, contract

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(data_dictionary())
    CTX.say(f"wrote {output}")
    frozen = output.parent / f"schema-v{SCHEMA_VERSION}.json"
    text = json.dumps(contract(), indent=1) + "\n"
    if frozen.exists() and frozen.read_text() != text:
        CTX.fail(
            f"the schema differs from {frozen.name}, which is frozen: a column changed, so bump "
            "SCHEMA_VERSION in transforms/schema.py"
        )
    frozen.write_text(text)
    CTX.say(f"wrote {frozen}")


@app.command()
def sql(
    query_text: Annotated[str, typer.Argument(metavar="QUERY", help="SQL to run.")],
    warehouse: WarehouseOpt = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", "-f", help="Default: table on a terminal, tsv in a pipe."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the result: .csv .tsv .parquet .json")
    ] = None,
) -> None:
    """Run a read-only SQL query against the warehouse's DuckDB views."""
    import duckdb

    from flows import query_out

    wh = Warehouse.at(warehouse)
    try:
        if out is not None:
            rows = query_out.export(wh, query_text, out)
            err.print(f"wrote {rows} row(s) to {out}", highlight=False)
            return
        names, rows = query_out.query(wh, query_text)
    except (duckdb.Error, FileNotFoundError, ValueError) as e:
        CTX.fail(str(e))
    chosen = fmt or query_out.default_format()
    width = console.width if sys.stdout.isatty() else 80
    sys.stdout.write(query_out.render(names, rows, chosen, width))


@app.command()
def report(
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file to write (default: <warehouse>/report.html)."),
    ] = None,
) -> None:
    """Write a static HTML report of what the warehouse holds (one self-contained file)."""
    import duckdb

    from flows.report import write_report

    try:
        path = write_report(Warehouse.at(warehouse), out)
    except (duckdb.Error, FileNotFoundError) as e:
        CTX.fail(str(e))
    CTX.say(f"wrote {path}")


@export_app.command("parquet")
def export_parquet(
    folder: Annotated[Path, typer.Argument(help="A new (or empty) folder to write.")],
    table: Annotated[
        list[str] | None, typer.Option("--table", "-t", help="Only these tables (default all).")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write a hive-partitioned Parquet snapshot of every table's current state (bare Parquet,
    for tools without DuckDB), with the BI contract in _schema.json."""
    from flows.export import ExportError
    from flows.export import export_parquet as export

    try:
        done = export(Warehouse.at(warehouse), folder, table or ())
    except ExportError as e:
        CTX.fail(str(e))
    rows = sum(t["rows"] for t in done.tables.values())
    CTX.say(
        f"exported {len(done.tables)} tables, {rows} rows, to {done.folder} "
        f"({done.linked} files hard-linked, {done.copied} copied)"
    )


@app.command()
def demo(warehouse: WarehouseOpt = None) -> None:
    """Ingest the bundled sample offline and print what the warehouse now holds."""
    from flows.status import overview

    wh = Warehouse.at(warehouse)
    CTX.run(Job("pp_text", "ingest", {"paths": [str(SAMPLE_DIR)]}, str(wh.root)))
    overview(wh, console)


@app.command()
def config(config_path: ConfigOpt = None) -> None:
    """Validate the configuration (file + HANSARD__* overrides) and print what is in force."""
    from flows.config import ConfigError, as_dict, load_config

    try:
        cfg = load_config(config_path or CTX.config_path)
    except ConfigError as e:
        CTX.fail(f"config error: {e}")
    console.print_json(json.dumps(as_dict(cfg)))


@app.command()
def serve(config_path: ConfigOpt = None) -> None:
    """Register the deployments (daily and each source's own schedules, backfill, rebuild) on
    the Prefect server at PREFECT_API_URL and run their flow runs until stopped."""
    from flows.config import ConfigError

    try:
        from flows.deployments import serve_all

        serve_all(config_path or CTX.config_path)
    except ConfigError as e:
        CTX.fail(f"config error: {e}")


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """What the warehouse holds and what the last runs did: sources, runs, freshness, rejects."""
    import duckdb

    from flows.status import show

    try:
        show(Warehouse.at(warehouse), console)
    except (duckdb.Error, FileNotFoundError) as e:
        CTX.fail(str(e))


if __name__ == "__main__":
    app()
