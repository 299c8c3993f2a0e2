"""The `hansard` command line: ingest, rebuild, query, demo."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table as RichTable

from flows.core.lock import WarehouseBusy
from flows.core.warehouse import Warehouse

app = typer.Typer(
    help="Hansard Warehouse: UK Parliament debates as Parquet + DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
ingest_app = typer.Typer(help="Ingest inputs into the warehouse.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
members_app = typer.Typer(help="Members dimension and speaker identity.", no_args_is_help=True)
app.add_typer(members_app, name="members")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse", "-w", help="Warehouse root (default: $HANSARD_WAREHOUSE or ./warehouse)."
    ),
]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _quiet_flow_settings():  # noqa: ANN202
    """Batch CLI runs need no flow heartbeat (it adds ~1 s per run); see toolchain-gotchas."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _run_flow(fn, *args):  # noqa: ANN001, ANN202
    try:
        with _quiet_flow_settings():
            return fn(*args)
    except WarehouseBusy as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None


def _print_run(summary) -> None:  # noqa: ANN001
    console.print(
        f"run {summary.run_id}: {summary.inputs_seen} inputs "
        f"({summary.inputs_new} new, {summary.inputs_unchanged} unchanged) → "
        f"{summary.debates} debates, {summary.contributions} contributions, "
        f"{summary.rejects} rejects; {summary.partitions_written} partitions written"
    )


@ingest_app.command("text")
def ingest_text_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders of *.txt.")],
    warehouse: WarehouseOpt = None,
) -> None:
    """Ingest transcript-text pages (files, or folders of *.txt)."""
    from flows.text_flow import ingest_text

    summary = _run_flow(ingest_text, [str(p) for p in paths], warehouse)
    _print_run(summary)
    if summary.rejects:
        console.print(f'{summary.rejects} rejects: hansard sql "select * from rejects"')


@ingest_app.command("twfy")
def ingest_twfy_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(help="TheyWorkForYou XML files or mirror folders (+ members/people.xml)."),
    ],
    warehouse: WarehouseOpt = None,
) -> None:
    """Ingest TheyWorkForYou ParlParse XML (latest version of each day; divisions and votes)."""
    from flows.twfy_flow import ingest_twfy

    _print_run(_run_flow(ingest_twfy, [str(p) for p in paths], warehouse))


@ingest_app.command("twfy-web")
def ingest_twfy_web_cmd(
    from_date: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    to_date: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    folder: Annotated[
        list[str] | None, typer.Option("--folder", help="scrapedxml folders (default all).")
    ] = None,
    warehouse: WarehouseOpt = None,
    base_url: Annotated[
        str, typer.Option(envvar="HANSARD_TWFY_BASE_URL", help="Root above scrapedxml/.")
    ] = "https://www.theyworkforyou.com/pwdata",
    rps: Annotated[float, typer.Option(help="Requests per second at most.")] = 2.0,
) -> None:
    """Fetch TheyWorkForYou XML day files for a date range from the scrapedxml listings."""
    from flows.twfy_fetch import fetch_twfy

    summary = _run_flow(
        fetch_twfy, from_date.date(), to_date.date(), folder, warehouse, base_url, rps
    )
    _print_run(summary)


@ingest_app.command("api")
def ingest_api_cmd(
    from_date: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
    ] = None,
    to_date: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
    since_last: Annotated[
        bool,
        typer.Option(
            "--since-last", help="From the last fetched day minus the correction window, to today."
        ),
    ] = False,
    house: Annotated[
        list[str] | None, typer.Option("--house", help="Commons and/or Lords (default both).")
    ] = None,
    warehouse: WarehouseOpt = None,
    base_url: Annotated[
        str, typer.Option(envvar="HANSARD_API_BASE_URL", help="Hansard API root.")
    ] = "https://hansard-api.parliament.uk",
    correction_days: Annotated[
        int, typer.Option(help="Days before the last fetched one to re-check for revisions.")
    ] = 30,
    rps: Annotated[float, typer.Option(help="Requests per second at most.")] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Requests in flight at most.")] = 4,
) -> None:
    """Fetch debates from the official Hansard API (incremental; politely rate-limited)."""
    from flows.api_flow import ingest_api

    if since_last == bool(from_date and to_date) or bool(from_date) != bool(to_date):
        err.print("[red]error:[/red] give both --from and --to, or --since-last")
        raise typer.Exit(1)
    try:
        summary = _run_flow(
            ingest_api,
            from_date.date() if from_date else None,
            to_date.date() if to_date else None,
            since_last,
            house,
            warehouse,
            base_url,
            correction_days,
            rps,
            concurrency,
        )
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    console.print(summary.describe())
    for failure in summary.failures[:10]:
        err.print(f"[yellow]failed:[/yellow] {failure}")


@members_app.command("refresh")
def members_refresh_cmd(  # noqa: PLR0913
    from_date: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
    ] = None,
    to_date: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
    house: Annotated[list[str] | None, typer.Option("--house", help="Commons/Lords.")] = None,
    member_id: Annotated[list[int] | None, typer.Option("--id", help="Member ids too.")] = None,
    twfy_members: Annotated[
        str | None, typer.Option(help="TheyWorkForYou members folder or file to map.")
    ] = None,
    warehouse: WarehouseOpt = None,
    base_url: Annotated[
        str, typer.Option(envvar="HANSARD_MEMBERS_API_BASE_URL", help="Members API root.")
    ] = "https://members-api.parliament.uk",
    rps: Annotated[float, typer.Option(help="Requests per second at most.")] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Requests in flight at most.")] = 4,
    full: Annotated[
        bool, typer.Option("--full", help="Re-read every member's History, not only changes.")
    ] = False,
    full_after_days: Annotated[
        int, typer.Option(help="Refresh in full when the last full refresh is older.")
    ] = 28,
    parlparse: Annotated[
        bool,
        typer.Option(
            "--parlparse/--no-parlparse", help="Also fetch the parlparse members files (HTTP)."
        ),
    ] = False,
    parlparse_base_url: Annotated[
        str,
        typer.Option(envvar="HANSARD_PARLPARSE_BASE_URL", help="parlparse members folder URL."),
    ] = "https://raw.githubusercontent.com/mysociety/parlparse/master/members",
    parlparse_file: Annotated[
        list[str] | None,
        typer.Option("--parlparse-file", help="Files to fetch (default people.json)."),
    ] = None,
) -> None:
    """Fetch members (Search, then History for new and changed members: names, parties, seats
    with dates) from the Members API, map TheyWorkForYou ids (from --twfy-members and, with
    --parlparse, the parlparse files over HTTP), and re-resolve every contribution's speaker."""
    from functools import partial

    from flows.members_flow import refresh_members

    run = partial(
        refresh_members,
        warehouse=warehouse,
        base_url=base_url,
        start=from_date.date() if from_date else None,
        end=to_date.date() if to_date else None,
        houses=house,
        ids=member_id,
        twfy_members=twfy_members,
        max_rps=rps,
        max_concurrency=concurrency,
        full=full,
        full_after_days=full_after_days,
        parlparse=parlparse,
        parlparse_base_url=parlparse_base_url,
        parlparse_files=parlparse_file,
    )
    try:
        summary = _run_flow(run)
    except ValueError as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    console.print(summary.describe())


@members_app.command("resolve")
def members_resolve_cmd(warehouse: WarehouseOpt = None) -> None:
    """Re-resolve every contribution's speaker against the members tables now."""
    from flows.derived.resolution import resolve_now

    try:
        summary = resolve_now(warehouse)
    except WarehouseBusy as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    console.print(summary.describe())


@app.command()
def rebuild(warehouse: WarehouseOpt = None) -> None:
    """Regenerate every table from the raw zone alone (offline)."""
    from flows.text_flow import rebuild as rebuild_flow

    _print_run(_run_flow(rebuild_flow, warehouse))


@app.command()
def views(warehouse: WarehouseOpt = None) -> None:
    """Recreate hansard.duckdb's views (e.g. after moving the warehouse folder)."""
    from flows.core.views import refresh_views

    wh = Warehouse.at(warehouse)
    names = refresh_views(wh, force=True)
    console.print(f"{len(names)} views and macros in {wh.duckdb_path}: {', '.join(names)}")


DICTIONARY = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"


@app.command()
def dictionary(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = DICTIONARY,
) -> None:
    """Regenerate the data dictionary, and write this schema version's frozen contract."""
    from transforms.present.dictionary import render
    from transforms.schema import SCHEMA_VERSION, contract

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render())
    console.print(f"wrote {output}")
    frozen = output.parent / f"schema-v{SCHEMA_VERSION}.json"
    text = json.dumps(contract(), indent=1) + "\n"
    if frozen.exists() and frozen.read_text() != text:
        err.print(
            f"[red]error:[/red] the schema differs from {frozen.name}, which is frozen: a "
            "column changed, so bump SCHEMA_VERSION in transforms/schema.py"
        )
        raise typer.Exit(1)
    frozen.write_text(text)
    console.print(f"wrote {frozen}")


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def query(wh: Warehouse, sql_text: str) -> tuple[list[str], list[tuple]]:
    if not wh.duckdb_path.exists():
        raise FileNotFoundError(
            f"no DuckDB file at {wh.duckdb_path}: run `hansard demo` or `hansard ingest` first"
        )
    con = duckdb.connect(str(wh.duckdb_path), read_only=True)
    try:
        cur = con.execute(sql_text)
        names = [d[0] for d in cur.description or []]
        return names, cur.fetchall()
    finally:
        con.close()


@app.command()
def sql(
    query_text: Annotated[str, typer.Argument(metavar="QUERY", help="SQL to run.")],
    warehouse: WarehouseOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Run a read-only SQL query against the warehouse's DuckDB views."""
    try:
        names, rows = query(Warehouse.at(warehouse), query_text)
    except (duckdb.Error, FileNotFoundError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    elif fmt is Format.json:
        data = [{n: _jsonable(v) for n, v in zip(names, r, strict=True)} for r in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        table = RichTable(*names)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        console.print(table)


@app.command()
def report(
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="HTML file to write (default: <warehouse>/report.html)."),
    ] = None,
) -> None:
    """Write a static HTML report of what the warehouse holds (one self-contained file)."""
    from flows.report import write_report

    try:
        path = write_report(Warehouse.at(warehouse), out)
    except (duckdb.Error, FileNotFoundError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    console.print(f"wrote {path}")


@app.command()
def demo(warehouse: WarehouseOpt = None) -> None:
    """Ingest the bundled sample offline and print what the warehouse now holds."""
    from flows.text_flow import ingest_text

    wh = Warehouse.at(warehouse)
    _print_run(_run_flow(ingest_text, [str(SAMPLE_DIR)], str(wh.root)))
    _print_overview(wh)


ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", "-c", help="TOML file (default: $HANSARD_CONFIG or ./hansard.toml)."),
]


@app.command()
def config(config_path: ConfigOpt = None) -> None:
    """Validate the configuration (file + HANSARD__* overrides) and print what is in force."""
    from dataclasses import asdict

    from flows.config import ConfigError, load_config

    try:
        cfg = load_config(config_path)
    except ConfigError as e:
        err.print(f"[red]config error:[/red] {e}")
        raise typer.Exit(1) from None
    console.print_json(json.dumps(asdict(cfg)))


@app.command()
def serve(config_path: ConfigOpt = None) -> None:
    """Register the deployments (daily on its cron schedule, backfill, rebuild) on the Prefect
    server at PREFECT_API_URL and run their flow runs until stopped."""
    from flows.config import ConfigError
    from flows.deployments import serve_all

    try:
        serve_all(config_path)
    except ConfigError as e:
        err.print(f"[red]config error:[/red] {e}")
        raise typer.Exit(1) from None


STATUS_QUERIES = {
    "Last run per flow and source": """
        select flow, source, status, started_at, round(duration_s, 1) as seconds,
               inputs_new, inputs_unchanged, debates_new, debates_changed, debates_unchanged,
               contributions, rejects, message
        from ingest_runs
        qualify row_number() over (partition by flow, source order by started_at desc) = 1
        order by flow, source""",
    "Freshness: latest sitting day per house and location": """
        select house, location, max(sitting_date) as latest_sitting, count(*) as debates
        from debates group by house, location order by house, location""",
    "Rejects": """
        select source, reason, count(*) as rejects, max(rejected_at) as latest
        from rejects group by source, reason order by source, reason""",
}


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """What the warehouse holds and what the last runs did: runs, freshness, rejects."""
    wh = Warehouse.at(warehouse)
    try:
        for title, sql_text in STATUS_QUERIES.items():
            names, rows = query(wh, sql_text)
            table = RichTable(*names, title=title)
            for r in rows:
                table.add_row(*("" if v is None else str(v) for v in r))
            console.print(table if rows else f"{title}: none")
    except (duckdb.Error, FileNotFoundError) as e:
        err.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None


def _print_overview(wh: Warehouse) -> None:
    _, ((debates, contributions, rejects),) = query(
        wh,
        "select (select count(*) from debates), (select count(*) from contributions), "
        "(select count(*) from rejects)",
    )
    console.print(
        f"\nwarehouse now holds {debates} debates, {contributions} contributions, {rejects} rejects"
    )
    names, rows = query(
        wh,
        "select speaker_key as speaker, max(party) as party, count(*) as speeches, "
        "sum(word_count) as words from contributions where speaker_key is not null "
        "group by speaker_key order by words desc, speaker limit 5",
    )
    table = RichTable(*names, title="Top speakers by words")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console.print(table)
    console.print(f"Parquet tables: {wh.tables}\nDuckDB file:    {wh.duckdb_path}")
    console.print('Try: hansard sql "select title, sitting_date, location from debates"')


if __name__ == "__main__":
    app()
