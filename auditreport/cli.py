"""The command line: argument parsing only. Library errors become one line on stderr and an exit code."""
from __future__ import annotations

import functools
import sys
import traceback
import warnings
from pathlib import Path

import click
import duckdb

from . import api
from .errors import AuditReportError, UsageError
from .model import DIMENSIONS, MEASURES
from .screen import redact
from .periods import ALL_GRAINS, DEFAULT_FISCAL_YEAR_START
from .read.mapping import profile_names, propose_mapping
from .store import DEFAULT_DB

EXIT_UNEXPECTED = 3


def _tables():
    """The table printers: they need pandas, which `ingest` does without, so they load when first used."""
    from .report import tables

    return tables


def _say(text: str) -> None:
    """One line on stderr, through the privacy screen: whatever a message carries, nothing personal is printed."""
    click.echo(redact(text), err=True)


def _fail(error: BaseException, verbose: bool) -> None:
    if verbose:
        _say("".join(traceback.format_exception(error)).rstrip("\n"))
    if isinstance(error, AuditReportError):
        _say(f"error: {error}")
        sys.exit(error.exit_code)
    if isinstance(error, duckdb.InterruptException) or (isinstance(error, RuntimeError)
                                                         and "query interrupted" in str(error).lower()):
        _say("error: stopped (Ctrl-C); the file being read was not stored, and the database is as it was.")
        sys.exit(1)
    if isinstance(error, (OSError, duckdb.IOException)):  # a full disk, a folder that cannot be written
        what = f"{error.filename}: {error.strerror}" if isinstance(error, OSError) and error.filename else \
            str(error).splitlines()[0]
        _say(f"error: a file could not be read or written ({what}). Check the path, its permissions and the free "
             "space; the database is as it was before this command.")
        sys.exit(1)
    _say(f"error: unexpected failure ({type(error).__name__}: {error}). "
         "Run the command again with --verbose and report the output.")
    sys.exit(EXIT_UNEXPECTED)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    _say(f"warning: {message}")


def agencies_option(function):
    return click.option("--agencies", "agencies", default=None, type=click.Path(dir_okay=False),
                        help="Project agency crosswalk (TOML); default: agencies.toml beside the database.")(function)


def command(function):
    """Common options (--db, --verbose) and error handling for every command."""
    @click.option("--db", "db", default=None, type=click.Path(dir_okay=False),
                  help=f"The auditreport database file (DuckDB); also accepted before the command. "
                       f"[default: {DEFAULT_DB}]")
    @click.option("--verbose", is_flag=True, help="Show the full traceback on errors.")
    @functools.wraps(function)
    def wrapper(*args, verbose: bool, **kwargs):
        root = click.get_current_context().find_root().params
        if kwargs.get("db") is None:  # `auditreport --db x.duckdb counts` as well as `auditreport counts --db ...`
            kwargs["db"] = root.get("db") or DEFAULT_DB
        if "agencies" in kwargs and kwargs["agencies"] is None:
            kwargs["agencies"] = root.get("agencies")
        verbose = verbose or bool(root.get("verbose"))
        try:
            return function(*args, **kwargs)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as error:  # noqa: BLE001 - every failure gets one line and an exit code
            _fail(error, verbose)
    return wrapper


class _Commands(click.Group):
    """The program: a mistake on the command line is one line on stderr, exit 2, like every other error."""

    def main(self, *args, **kwargs):
        kwargs.pop("standalone_mode", None)
        warnings.showwarning = _show_warning  # warnings are printed through the screen too
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            if error.ctx is not None and type(error).__name__ == "NoArgsIsHelpError":  # a bare group: its help
                click.echo(error.ctx.get_help())
                sys.exit(0)
            where = error.ctx.command_path if error.ctx else "auditreport"
            _say(f"error: {error.format_message().rstrip('.')}. See '{where} --help'.")
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("error: stopped.", err=True)
            sys.exit(1)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="auditreport")
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False),
              help=f"The auditreport database file (DuckDB) for the command that follows. [default: {DEFAULT_DB}]")
@click.option("--agencies", "agencies", default=None, type=click.Path(dir_okay=False),
              help="Project agency crosswalk (TOML) for the command that follows.")
@click.option("--verbose", is_flag=True, help="Show the full traceback on errors, for the command that follows.")
def main(db: str | None, agencies: str | None, verbose: bool) -> None:
    """auditreport: who searches shared police databases, and how often.

    Ingest count tables from records requests, ask for counts by agency and period, and write a
    report a board can read. Holds counts only, never personal records.

    \b
    Example:
      auditreport demo
      auditreport --db audit.duckdb counts --by agency --grain quarter --format table
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--system", help="System searched, for files that do not name it (e.g. \"Regional COPLINK\").")
@click.option("--agency", help="Searching agency, for files that do not name it (a one-agency table or log).")
@click.option("--request", "request", help="Records-request id or URL the file came from.")
@click.option("--sheet", multiple=True,
              help="Worksheet of an XLSX file (default: a count table's active visible sheet; every visible sheet of "
                   "an audit log). Repeat it to read several sheets of an audit log as one log.")
@click.option("--include-hidden", is_flag=True,
              help="Also read hidden sheets, rows and columns of an XLSX file (not read by default; a finding "
                   "says so either way).")
@click.option("--fiscal-year-start", type=click.IntRange(1, 12), default=DEFAULT_FISCAL_YEAR_START,
              show_default=True, help="Month fiscal years start in, for FY labels in the file.")
@click.option("--profile", help="Read an audit log with a shipped mapping: " + ", ".join(profile_names()) + ".")
@click.option("--mapping", type=click.Path(dir_okay=False), help="Read an audit log with your own mapping (TOML).")
@click.option("--tz", help="Time zone to count days in (e.g. America/Los_Angeles); default: times as given.")
@click.option("--source-tz", help="Time zone the log's times without a zone were recorded in.")
@click.option("--retention-days", type=click.IntRange(min=1),
              help="Also count searches whose look-back reaches further back than this many days.")
@click.option("--reason-rules", type=click.Path(dir_okay=False),
              help="Your own reason-category rules (TOML), added to the shipped ones (for a log's reasons, and a "
                   "count table's reason or category column).")
@click.option("--complete", is_flag=True,
              help="State that the log records every search from its first to its last day (the report says "
                   "it relies on your statement); without it, improbable gaps and partial days are found by rule.")
@click.option("--own-agency",
              help="In a network audit, the agency that produced it: its own searches and other agencies' searches "
                   "of its data become two systems, never added.")
@click.option("--replace", is_flag=True,
              help="Read a file ingested before again, with these options, replacing its source (one transaction).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Read up to this many files at once (each with its own memory limit); they are still stored "
                   "one at a time, in the order given.")
@command
def ingest(paths, db, system, agency, request, sheet, include_hidden, fiscal_year_start, profile, mapping, tz,
           source_tz, retention_days, reason_rules, complete, own_agency, replace, jobs):
    """Ingest count tables (CSV or XLSX), or audit logs with --profile or --mapping.

    Each file is one transaction; the same file twice changes nothing (with other options it is refused:
    add --replace, or remove the source first). Audit logs become counts per agency, system and day;
    personal columns are never read.

    \b
    Example:
      auditreport ingest coplink-2017-2019.csv --system "Regional COPLINK" --request R-2019-0412
      auditreport ingest network-audit.csv --profile flock-network-audit --tz America/Los_Angeles
    """
    options = api.IngestOptions(system=system, agency=agency, request=request, sheets=sheet,
                                fiscal_year_start=fiscal_year_start, profile=profile, mapping=mapping, tz=tz,
                                source_tz=source_tz, retention_days=retention_days, reason_rules=reason_rules,
                                complete=complete, include_hidden=include_hidden, replace=replace,
                                own_agency=own_agency)
    for result in api.ingest_paths(db, paths, options, progress=jobs == 1, jobs=jobs):
        click.echo(result.summary())


@main.group()
def mapping():
    """Mappings from an audit log's columns to what auditreport counts.

    \b
    Example:
      auditreport mapping init unknown-log.csv --out unknown-log.toml
    """


@mapping.command("init")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--out", type=click.Path(dir_okay=False), help="Write the proposed mapping here (default: print it).")
@click.option("--verbose", is_flag=True, help="Show the full traceback on errors.")
def mapping_init(file, out, verbose):
    """Propose a mapping for an unknown log: review it, then pass it back with --mapping.

    \b
    Example:
      auditreport mapping init unknown-log.csv --out unknown-log.toml
      auditreport ingest unknown-log.csv --mapping unknown-log.toml --system "County LPR"
    """
    verbose = verbose or bool(click.get_current_context().find_root().params.get("verbose"))
    try:
        proposal = propose_mapping(file)
    except Exception as error:  # noqa: BLE001
        _fail(error, verbose)
    if out:
        Path(out).write_text(proposal, encoding="utf-8")
        click.echo(redact(f"proposed mapping written to {out}: review it (personal columns are marked as dropped), "
                          f"then run: auditreport ingest {file} --mapping {out}"))
    else:
        click.echo(proposal, nl=False)


BY_HELP = ("Dimensions to break down by, comma separated, or none: " + ", ".join(DIMENSIONS) + ".")
FORMATS = ["csv", "table", "json", "xlsx"]


def FORMAT_OPTION(function):  # noqa: N802  (used as a decorator, like click's own)
    """--format and --out, for every command that prints a table."""
    function = click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False),
                            help="Write to this file instead of the screen (needed for xlsx).")(function)
    return click.option("--format", "output_format", type=click.Choice(FORMATS), default="csv", show_default=True,
                        help="csv (for a spreadsheet), table (to read), json, or xlsx (with --out).")(function)


def _emit(table, output_format: str, out_file: str | None, *, as_csv=None, columns: list[str] | None = None,
          rename: dict[str, str] | None = None) -> None:
    """A table as CSV, a terminal table, JSON or a one-sheet XLSX workbook; on the screen or into --out."""
    tables = _tables()
    if output_format == "xlsx":
        if not out_file:
            raise UsageError("--format xlsx writes a workbook, which a terminal cannot show",
                                 hint="Add --out FILE.xlsx.")
        from .report.xlsx import table_workbook

        text = table_workbook(table)
    elif output_format == "json":
        text = tables.frame_json(table) + "\n"
    elif output_format == "table":
        text = tables.terminal_table(table, columns or list(table.columns), rename=rename)
    else:
        text = as_csv() if as_csv else tables.frame_csv(table)
    if out_file:
        from .tabular import write_file

        where = Path(out_file)
        write_file(where.parent if str(where.parent) else Path("."), where.name, text)
        click.echo(f"written to {where}", err=True)
    else:
        click.echo(text.rstrip("\n") if output_format == "table" else text, nl=output_format == "table")


@main.command()
@click.option("--by", default="agency", show_default=True, help=BY_HELP)
@click.option("--grain", type=click.Choice(ALL_GRAINS), default="quarter", show_default=True,
              help="Period grain; 'reported' keeps each number in the period its source gave.")
@click.option("--fiscal-year-start", type=click.IntRange(1, 12), default=DEFAULT_FISCAL_YEAR_START, show_default=True,
              help="Month (1-12) fiscal years start in; 10 is the US federal year, 7 a July year.")
@click.option("--measure", type=click.Choice(list(MEASURES)), default="searches", show_default=True,
              help="What is counted.")
@click.option("--apportion", is_flag=True,
              help="Split numbers whose period spans several buckets by days (marked estimated).")
@FORMAT_OPTION
@agencies_option
@command
def counts(db, by, grain, fiscal_year_start, measure, apportion, output_format, out_file, agencies):
    """Counts by agency (or other dimensions) and period, with exactness and completeness.

    \b
    Example:
      auditreport counts --by agency,reason_category --grain fiscal_year --format table
      auditreport counts --by level --grain month --measure searches_beyond_retention
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        result = database.counts(by=by, grain=grain, measure=measure, fiscal_year_start=fiscal_year_start,
                                 apportion=apportion)
    _emit(result.table, output_format, out_file, as_csv=lambda: _tables().counts_csv(result),
          columns=["period", *result.query.group_by, "display", "complete"], rename={"display": "value"})
    note = _tables().left_out_note(result)
    if note:
        click.echo(note, err=True)


def _period_options(function):
    function = click.option("--fiscal-year-start", type=click.IntRange(1, 12), default=DEFAULT_FISCAL_YEAR_START,
                            show_default=True,
                            help="Month (1-12) fiscal years start in.")(function)
    function = click.option("--grain", type=click.Choice(ALL_GRAINS[:-1]), default="quarter",
                            show_default=True)(function)
    return click.option("--by", default="agency", show_default=True, help=BY_HELP)(function)


@main.command()
@_period_options
@FORMAT_OPTION
@agencies_option
@command
def shares(db, by, grain, fiscal_year_start, output_format, out_file, agencies):
    """Each group's share of all searches in its period. Exact only when every count in the period is.

    \b
    Example:
      auditreport shares --by federal --grain year --format table
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        result = database.shares(by=by, grain=grain, fiscal_year_start=fiscal_year_start)
    _emit(result.table, output_format, out_file, as_csv=lambda: _tables().shares_csv(result),
          columns=["period", *result.query.group_by, "display", "complete"], rename={"display": "value"})


@main.command()
@_period_options
@FORMAT_OPTION
@agencies_option
@command
def changes(db, by, grain, fiscal_year_start, output_format, out_file, agencies):
    """Each period's searches beside the previous period's and the same period a year before.

    \b
    Example:
      auditreport changes --by agency --grain quarter --format table
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        result = database.changes(by=by, grain=grain, fiscal_year_start=fiscal_year_start)
    _emit(result.table, output_format, out_file, as_csv=lambda: _tables().changes_csv(result.table),
          columns=["period", *result.query.group_by, "value", "previous_value", "change", "year_ago_value",
                   "change_from_year_ago"])


@main.command()
@FORMAT_OPTION
@agencies_option
@command
def findings(db, output_format, out_file, agencies):
    """Data-quality findings: columns source, location, kind, message.

    \b
    Example:
      auditreport findings --format table
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        table = database.findings()
    _emit(table, output_format, out_file)


@main.group(invoke_without_command=True)
@FORMAT_OPTION
@command
def sources(db, output_format, out_file):
    """The ingested files: name, sha256, size, request id, reader. `sources remove ID` removes one.

    \b
    Example:
      auditreport sources --format table
      auditreport sources remove 3
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    with api.open_db(db, read_only=True) as database:
        table = database.sources()
    columns = ["source_id", "file_name", "sha256", "size_bytes", "sheet", "request_id", "reader", "rows_read"]
    _emit(table[columns], output_format, out_file)


@sources.command("remove")
@click.argument("source_id", type=click.IntRange(min=1))
@command
def sources_remove(db, source_id):
    """Remove one source: its numbers, coverage and findings go too, in one transaction.

    \b
    Example:
      auditreport sources remove 3
      auditreport ingest network-audit.csv --profile flock-network-audit --tz America/Los_Angeles
    """
    with api.open_db(db) as database:
        name = database.store.remove_source(source_id)
    click.echo(f"source {source_id} ({name}) removed; ingest it again with the right options if you need it")


@main.group()
def agencies():
    """Who searched: how agency names were matched to the crosswalk, and which were not.

    \b
    Example:
      auditreport agencies unmatched --format table
    """


@agencies.command("unmatched")
@FORMAT_OPTION
@agencies_option
@command
def agencies_unmatched(db, output_format, out_file, agencies):
    """Names that match no agency in the crosswalk, to review and add to agencies.toml.

    \b
    Example:
      auditreport agencies unmatched --format table
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        _emit(database.unmatched_agencies(), output_format, out_file)


@agencies.command("names")
@FORMAT_OPTION
@agencies_option
@command
def agencies_names(db, output_format, out_file, agencies):
    """Every agency name as given, as counted, its hierarchy and how it was matched.

    \b
    Example:
      auditreport agencies names --format xlsx --out agencies.xlsx
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        _emit(database.agencies(), output_format, out_file)


@main.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write the report into.")
@click.option("--period", help="The period the board reviews, as the grain names it: 2025-Q3, 2025-11, 2025, "
                               "FY2026-Q1, FY2025. Default: the latest complete period of the system with the most "
                               "recent data.")
@click.option("--grain", type=click.Choice(ALL_GRAINS[:-1]), default=None,
              help="Period grain (default: the grain of --period, else quarter).")
@click.option("--fiscal-year-start", type=click.IntRange(1, 12), default=DEFAULT_FISCAL_YEAR_START, show_default=True,
              help="Month (1-12) fiscal years start in; 10 is the US federal year, 7 a July year.")
@click.option("--title", default=None, help="Title printed on the report.")
@click.option("--format", "formats", default="html,pdf,xlsx,csv", show_default=True,
              help="Formats to write, comma separated: html, pdf, xlsx, csv.")
@click.option("--disclosure", type=click.Choice(["standard", "none"]), default="standard", show_default=True,
              help="How small counts from audit logs are published: standard shows 1 to 10 as \"1-10\" and withholds "
                   "what would give one away; none shows them exactly (internal use only).")
@click.option("--threshold", type=click.IntRange(2, 1000), default=None,
              help="Under --disclosure standard, the largest count read as a range (default 10: \"1-10\").")
@click.option("--confirm-unprotected", is_flag=True,
              help="Confirm --disclosure none on audit-log data: the report is for internal use, never published.")
@agencies_option
@command
def report(db, out, period, grain, fiscal_year_start, title, formats, disclosure, threshold, confirm_unprotected,
           agencies):
    """Write the quarterly review of --period: report.html, report.pdf, report.xlsx and a CSV per table.

    Small counts from audit logs are protected by default (--disclosure standard): a count of 1 to 10 reads
    "1-10", and numbers that would give one away read "withheld". The proof (an audit of every protected
    count) is written beside the folder, as OUT-disclosure-audit.csv: keep it private.

    \b
    Example:
      auditreport report --out review-2025-Q3 --period 2025-Q3
      auditreport report --out fy --period FY2026 --fiscal-year-start 7 --format pdf,xlsx
      auditreport report --out internal --disclosure none --confirm-unprotected
    """
    with api.open_db(db, read_only=True, agencies=agencies) as database:
        path = database.report(out, period=period, grain=grain, fiscal_year_start=fiscal_year_start, title=title,
                               formats=formats, disclosure=disclosure, confirm_unprotected=confirm_unprotected,
                               threshold=threshold)
    click.echo(f"report ({formats}) written to {Path(path).parent}"
               + ("" if period else "; it reviews the latest complete period: pass --period to review another"))
    _say_disclosure(out, disclosure)


def _say_disclosure(out, disclosure: str = "standard") -> None:
    """Where the private audit went, or that the report is not protected."""
    from .report.build import audit_path

    if disclosure == "none":
        click.echo("small counts are NOT protected (--disclosure none): do not publish this report")
    elif audit_path(out).exists():
        click.echo(f"disclosure audit (private: do not publish) written to {audit_path(out)}")


@main.command()
@click.option("--out", default="auditreport-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the demo database and report into.")
@click.option("--db", "db", default=None, type=click.Path(dir_okay=False),
              help="Database for the demo (default: OUT/demo.duckdb).")
@click.option("--verbose", is_flag=True, help="Show the full traceback on errors.")
def demo(out, db, verbose):
    """Ingest the bundled sample_logs and write the demo report.

    \b
    Example:
      auditreport demo --out auditreport-demo
    """
    root = click.get_current_context().find_root().params
    db, verbose = db or root.get("db"), verbose or bool(root.get("verbose"))
    try:
        path, results = api.demo(out, db=db)
    except Exception as error:  # noqa: BLE001
        _fail(error, verbose)
    for result in results:
        click.echo(result.summary())
    click.echo(f"report written to {Path(path).resolve()}")
    _say_disclosure(Path(path).resolve().parent)
