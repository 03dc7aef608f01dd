"""The command line: argument parsing only. Library errors become one line on stderr and an exit code."""
from __future__ import annotations

import functools
import json
import math
import sys
import traceback
from pathlib import Path

import click

from . import api
from .aggregate import ALL_GRAINS
from .errors import AuditReportError
from .periods import DEFAULT_FISCAL_YEAR_START
from .store import DEFAULT_DB

EXIT_UNEXPECTED = 3


def _fail(error: BaseException, verbose: bool) -> None:
    if verbose:
        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, AuditReportError):
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    click.echo(f"error: unexpected failure ({type(error).__name__}: {error}). "
               "Run the command again with --verbose and report the output.", err=True)
    sys.exit(EXIT_UNEXPECTED)


def command(function):
    """Common options (--db, --verbose) and error handling for every command."""
    @click.option("--db", "db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                  help="The auditreport database file (DuckDB).")
    @click.option("--verbose", is_flag=True, help="Show the full traceback on errors.")
    @functools.wraps(function)
    def wrapper(*args, verbose: bool, **kwargs):
        try:
            return function(*args, **kwargs)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as error:  # noqa: BLE001 - every failure gets one line and an exit code
            _fail(error, verbose)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="auditreport")
def main() -> None:
    """auditreport: who searches shared police databases, and how often.

    Ingest count tables from records requests, ask for counts by agency and period, and write a
    report a board can read. Holds counts only, never personal records.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--system", help="System searched, for tables that do not name it (e.g. \"Regional COPLINK\").")
@click.option("--agency", help="Searching agency, for tables that do not name it.")
@click.option("--request", "request", help="Records-request id or URL the file came from.")
@click.option("--sheet", help="Worksheet of an XLSX file (default: the first).")
@click.option("--fiscal-year-start", type=int, default=DEFAULT_FISCAL_YEAR_START, show_default=True,
              help="Month fiscal years start in, for FY labels in the file.")
@command
def ingest(paths, db, system, agency, request, sheet, fiscal_year_start):
    """Ingest count tables (CSV or XLSX). Each file is one transaction; the same file twice changes nothing."""
    with api.open_db(db) as database:
        for path in paths:
            for result in database.ingest(path, system=system, agency=agency, request=request, sheet=sheet,
                                          fiscal_year_start=fiscal_year_start):
                click.echo(result.summary())


def _format_number(value: float, share: bool) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if share:
        return f"{value:.4f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


@main.command()
@click.option("--by", default="agency", show_default=True,
              help="Dimensions to break down by, comma separated (agency, system, reason_category, query_type), "
                   "or none.")
@click.option("--grain", type=click.Choice(ALL_GRAINS), default="quarter", show_default=True,
              help="Period grain; 'reported' keeps each number in the period its source gave.")
@click.option("--fiscal-year-start", type=int, default=DEFAULT_FISCAL_YEAR_START, show_default=True,
              help="Month (1-12) fiscal years start in; 10 is the US federal year, 7 a July year.")
@click.option("--measure", default="searches", show_default=True, help="searches or share_of_searches.")
@click.option("--apportion", is_flag=True,
              help="Split numbers whose period spans several buckets by days (marked estimated).")
@click.option("--format", "output_format", type=click.Choice(["csv", "table", "json"]), default="csv",
              show_default=True)
@command
def counts(db, by, grain, fiscal_year_start, measure, apportion, output_format):
    """Counts by agency (or other dimensions) and period, with exactness and completeness."""
    with api.open_db(db, read_only=True) as database:
        result = database.counts(by=by, grain=grain, measure=measure, fiscal_year_start=fiscal_year_start,
                                 apportion=apportion)
    table = result.table.copy()
    share = measure == "share_of_searches"
    if output_format == "json":
        records = json.loads(table.to_json(orient="records", date_format="iso"))
        for record in records:
            for key in ("period_start", "period_end"):
                record[key] = record[key][:10]
        click.echo(json.dumps(records, indent=2))
    elif output_format == "table":
        _print_table(table, result.query.by)
    else:
        for column in ("value", "value_low", "value_high"):
            table[column] = [_format_number(v, share) for v in table[column]]
        click.echo(table.to_csv(index=False, lineterminator="\n"), nl=False)
    if len(result.left_out):
        shown = "; ".join(f"{row.source} row {row.row_number} ({row.period_label})"
                          for row in result.left_out.head(3).itertuples())
        more = f" and {len(result.left_out) - 3} more" if len(result.left_out) > 3 else ""
        click.echo(f"note: {len(result.left_out)} number(s) cover a period longer than one {grain} and were left "
                   f"out: {shown}{more}. Use --grain reported to see them, or --apportion to split them by days "
                   "(estimated).", err=True)


def _print_table(table, by) -> None:
    from rich.console import Console
    from rich.table import Table

    view = Table(show_lines=False)
    columns = ["period", *by, "display", "complete"]
    for column in columns:
        view.add_column("value" if column == "display" else column,
                        justify="right" if column == "display" else "left")
    for row in table[columns].itertuples(index=False):
        view.add_row(*["" if value is None else str(value) for value in row])
    Console(width=160).print(view)


def _period_options(function):
    function = click.option("--fiscal-year-start", type=int, default=DEFAULT_FISCAL_YEAR_START, show_default=True,
                            help="Month (1-12) fiscal years start in.")(function)
    function = click.option("--grain", type=click.Choice(ALL_GRAINS[:-1]), default="quarter", show_default=True)(function)
    return click.option("--by", default="agency", show_default=True,
                        help="Dimensions to break down by, comma separated, or none.")(function)


@main.command()
@_period_options
@command
def shares(db, by, grain, fiscal_year_start):
    """Each group's share of all searches in its period (CSV). Exact only when every count in the period is."""
    with api.open_db(db, read_only=True) as database:
        table = database.shares(by=by, grain=grain, fiscal_year_start=fiscal_year_start).table
    table["value"] = [_format_number(v, True) for v in table["value"]]
    columns = [c for c in table.columns if c not in ("value_low", "value_high", "estimated")]
    click.echo(table[columns].to_csv(index=False, lineterminator="\n"), nl=False)


@main.command()
@_period_options
@command
def changes(db, by, grain, fiscal_year_start):
    """Each period's searches beside the previous period's and the same period a year before (CSV)."""
    with api.open_db(db, read_only=True) as database:
        table = database.changes(by=by, grain=grain, fiscal_year_start=fiscal_year_start)
    for column in ("value", "previous_value", "change", "year_ago_value", "change_from_year_ago"):
        table[column] = [_format_number(v, False) for v in table[column]]
    for column in ("change_ratio", "change_from_year_ago_ratio"):
        table[column] = [_format_number(v, True) for v in table[column]]
    click.echo(table.to_csv(index=False, lineterminator="\n"), nl=False)


@main.command()
@click.option("--format", "output_format", type=click.Choice(["csv", "table"]), default="csv", show_default=True)
@command
def findings(db, output_format):
    """Data-quality findings: columns source, location, kind, message."""
    with api.open_db(db, read_only=True) as database:
        table = database.findings()
    if output_format == "table":
        from rich.console import Console
        from rich.table import Table

        view = Table()
        for column in table.columns:
            view.add_column(column)
        for row in table.itertuples(index=False):
            view.add_row(*[str(value) for value in row])
        Console(width=160).print(view)
    else:
        click.echo(table.to_csv(index=False, lineterminator="\n"), nl=False)


@main.command()
@command
def sources(db):
    """The ingested files: name, sha256, size, request id, reader."""
    with api.open_db(db, read_only=True) as database:
        table = database.sources()
    columns = ["source_id", "file_name", "sha256", "size_bytes", "sheet", "request_id", "reader", "rows_read"]
    click.echo(table[columns].to_csv(index=False, lineterminator="\n"), nl=False)


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write the report into.")
@click.option("--grain", type=click.Choice(ALL_GRAINS[:-1]), default="quarter", show_default=True)
@click.option("--fiscal-year-start", type=int, default=DEFAULT_FISCAL_YEAR_START, show_default=True)
@command
def report(db, out, grain, fiscal_year_start):
    """Write report.html (one self-contained file) and a CSV of each chart's data into --out."""
    with api.open_db(db, read_only=True) as database:
        path = database.report(out, grain=grain, fiscal_year_start=fiscal_year_start)
    click.echo(f"report written to {path}")


@main.command()
@click.option("--out", default="auditreport-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the demo database and report into.")
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False),
              help="Database for the demo (default: OUT/demo.duckdb).")
@click.option("--verbose", is_flag=True, help="Show the full traceback on errors.")
def demo(out, db, verbose):
    """Ingest the bundled sample_logs and write the demo report."""
    try:
        path, results = api.demo(out, db=db)
    except Exception as error:  # noqa: BLE001
        _fail(error, verbose)
    for result in results:
        click.echo(result.summary())
    click.echo(f"report written to {Path(path).resolve()}")
