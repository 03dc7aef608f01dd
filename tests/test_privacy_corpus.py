"""Nothing personal gets in (issue 10): the privacy corpus (tests/privacy_corpus.py) plants invented names, plates,
case numbers, SSNs, phones, e-mails, birth dates and user ids in every column of every reader path, runs every
command, and reads every table through DuckDB, every output file, stdout, stderr, logs, warnings and the temp
folder. It must find nothing; a failure lists each planted value, where it was found and which input it came from.

The corpus is built and run once for the module (in-process, through click's CliRunner)."""
from __future__ import annotations

import logging
import tempfile
import time
import traceback
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from auditreport.cli import main

from .conftest import output_text, pdf_text, xlsx_text
from .privacy_corpus import (EITHER, OK, PLANTED, REFUSED, Case, Corpus, Hit, command_cases, find_planted,
                             find_planted_bytes, write_corpus)


@dataclass
class Run:
    case: Case
    argv: list[str]
    verbose: bool
    exit_code: int
    stdout: str
    stderr: str
    escaped: str = ""            # a traceback that escaped the command line (never expected)
    db_changed: bool | None = None

    @property
    def command(self) -> str:
        return "auditreport " + " ".join(_short(arg) for arg in self.argv)


@dataclass
class Exhibit:
    """A text the corpus produced, and the planted values found in it (searched once, when collected)."""

    kind: str    # database, file, stream, temp, log
    where: str
    inputs: str  # the input(s) it came from, as far as can be told
    hits: list[Hit]


def _exhibit(kind: str, where: str, inputs: str, text: str | bytes) -> Exhibit:
    return Exhibit(kind, where, inputs, find_planted_bytes(text) if isinstance(text, bytes) else find_planted(text))


@dataclass
class CorpusRun:
    corpus: Corpus
    runs: list[Run] = field(default_factory=list)
    exhibits: list[Exhibit] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # the databases a report was written from
    seconds: float = 0.0


def _short(arg: str) -> str:
    """Arguments as a person reads them: input paths by their name under inputs/."""
    return arg.split("/inputs/", 1)[1] if "/inputs/" in arg else (arg.split("/work/", 1)[1] if "/work/" in arg
                                                                   else arg)


def _fingerprint(db: Path) -> dict[str, tuple]:
    """Each table's row count and a hash of every row: to prove a refused ingest changed nothing."""
    if not db.exists():
        return {}
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return {table: connection.execute(f'SELECT count(*), sum(hash(t)) FROM "{table}" t').fetchone()
                for table in tables}


def _invoke(runner: CliRunner, case: Case, corpus: Corpus, verbose: bool, fingerprints: dict[str, dict]) -> Run:
    """Run one command line; an ingest that may fail is checked to leave its database as it was."""
    argv = list(case.args)
    if case.db is not None:
        argv += ["--db", str(corpus.databases[case.db])]
    if verbose:
        argv.append("--verbose")
    check = case.db is not None and case.args[0] == "ingest" and case.expect != OK and not verbose
    if check and case.db not in fingerprints:
        fingerprints[case.db] = _fingerprint(corpus.databases[case.db])
    result = runner.invoke(main, argv)
    escaped = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        escaped = "".join(traceback.format_exception(*result.exc_info))
    run = Run(case, argv, verbose, result.exit_code, result.stdout, result.stderr, escaped)
    if check:
        after = _fingerprint(corpus.databases[case.db])
        run.db_changed = after != fingerprints[case.db]
        fingerprints[case.db] = after
    elif case.db is not None and case.args[0] == "ingest":
        fingerprints.pop(case.db, None)  # it may have changed: taken again before the next check
    return run


def _run_case(runner: CliRunner, case: Case, corpus: Corpus, runs: list[Run], fingerprints: dict[str, dict]) -> None:
    run = _invoke(runner, case, corpus, False, fingerprints)
    runs.append(run)
    if run.exit_code != 0:  # every failure again with --verbose: the traceback must not quote the input either
        runs.append(_invoke(runner, case, corpus, True, fingerprints))


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> CorpusRun:
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("privacy-corpus")
    temp = root / "tmp"
    temp.mkdir()
    include_hidden = any(param.name == "include_hidden" for param in main.commands["ingest"].params)
    corpus = write_corpus(root, include_hidden=include_hidden)
    outcome = CorpusRun(corpus)
    records = _Records()  # every record of auditreport's loggers, and warnings and errors of any library
    root_logger, own_logger = logging.getLogger(), logging.getLogger("auditreport")
    level = own_logger.level
    root_logger.addHandler(records)
    own_logger.setLevel(logging.DEBUG)
    try:
        with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            patch.setattr(tempfile, "tempdir", str(temp))
            patch.setenv("TMPDIR", str(temp))
            runner, fingerprints = CliRunner(), {}
            for case in corpus.mapping_cases:
                _run_case(runner, case, corpus, outcome.runs, fingerprints)
            for case in corpus.ingests:
                _run_case(runner, case, corpus, outcome.runs, fingerprints)
            for key, db in corpus.databases.items():
                if not db.exists():
                    continue
                inputs = tuple(dict.fromkeys(f for c in corpus.ingests if c.db == key for f in c.inputs))
                outcome.reports.append(key)
                agencies = corpus.inputs["named-agencies.toml"] if key == "tables" else None
                for case in command_cases(key, db, root / "work" / f"report-{key}", inputs, logs=key == "logs",
                                          agencies=agencies):
                    _run_case(runner, case, corpus, outcome.runs, fingerprints)
    finally:
        root_logger.removeHandler(records)
        own_logger.setLevel(level)
    # (the system's temp folder is not compared: other processes on the machine may use it meanwhile)
    outcome.left_behind = [f"{p} (left in the temp folder of the run)" for p in temp.glob("auditreport-*")]
    outcome.exhibits = _collect(outcome, temp, records.lines, [str(w.message) for w in caught])
    outcome.seconds = time.perf_counter() - started
    return outcome


# -- collecting every text ------------------------------------------------------------------------------------
def _database_exhibits(key: str, db: Path) -> list[Exhibit]:
    exhibits = []
    where = f"database {key}.duckdb"
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = connection.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        names = {}
        if any(table == "sources" for _, table in tables):
            names = dict(connection.execute("SELECT source_id, file_name FROM sources").fetchall())
        schema = connection.execute("SELECT sql FROM duckdb_tables() UNION ALL "
                                    "SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
        exhibits.append(_exhibit("database", f"{where}: schema (tables, columns, views)", "",
                                "\n".join(str(row[0]) for row in schema)))
        for schema_name, table in tables:
            cursor = connection.execute(f'SELECT * FROM "{schema_name}"."{table}"')
            columns = [d[0] for d in cursor.description]
            by_source: dict[object, list[str]] = defaultdict(list)
            for row in cursor.fetchall():
                values = dict(zip(columns, row))
                by_source[values.get("source_id")].append(" | ".join(map(str, row)))
            for source_id, lines in by_source.items():
                source = f"source {source_id}: {names.get(source_id, '?')}" if source_id is not None else ""
                exhibits.append(_exhibit("database", f"{where}, table {table}", source, "\n".join(lines)))
    for path in (db, db.with_name(db.name + ".wal")):
        if path.exists():  # bytes too: a value that reached the file on disk, even in a block no longer used
            exhibits.append(_exhibit("database", f"bytes of the file {path.name}", "", path.read_bytes()))
    return exhibits


def _file_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return output_text(path) + "\n" + pdf_text(path, layout=False)  # laid out, and in drawing order
    if path.suffix == ".xlsx":
        return xlsx_text(path)
    return path.read_bytes().decode("utf-8", errors="replace")


def _collect(outcome: CorpusRun, temp: Path, log_lines: list[str], warning_lines: list[str]) -> list[Exhibit]:
    corpus = outcome.corpus
    exhibits: list[Exhibit] = []
    for run in outcome.runs:
        inputs = ", ".join(run.case.inputs)
        where = f"`{run.command}` ({run.case.name})"
        exhibits += [_exhibit("stream", f"stdout of {where}", inputs, run.stdout),
                     _exhibit("stream", f"stderr of {where}", inputs, run.stderr),
                     _exhibit("stream", f"traceback escaping {where}", inputs, run.escaped)]
    work = corpus.root / "work"
    databases = {db: key for key, db in corpus.databases.items()}
    for key, db in corpus.databases.items():
        if db.exists():
            exhibits += _database_exhibits(key, db)
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        if path in databases or path.name.endswith(".duckdb.wal"):
            continue
        relative = path.relative_to(work)
        inputs = ""
        if relative.parts[0].startswith("report-"):
            key = relative.parts[0].removeprefix("report-")
            inputs = f"everything ingested into {key.removesuffix('-crosswalk')}.duckdb"
            if key.endswith("-crosswalk"):
                inputs += f", report with --agencies {_short(str(corpus.inputs['named-agencies.toml']))}"
        exhibits.append(_exhibit("file", f"output file {relative}", inputs, _file_text(path)))
        if path.suffix == ".pdf":  # its document properties are not in the text
            exhibits.append(_exhibit("file", f"bytes of output file {relative}", inputs, path.read_bytes()))
        exhibits.append(_exhibit("file", "output file names", "", str(relative)))
    for path in sorted(temp.rglob("*")):
        exhibits.append(_exhibit("temp", "temp folder entry names", "", str(path.relative_to(temp))))
        if path.is_file():
            exhibits.append(_exhibit("temp", f"temp file {path.relative_to(temp)}", "", path.read_bytes()))
    exhibits.append(_exhibit("log", "log records", "", "\n".join(log_lines)))
    exhibits.append(_exhibit("log", "warnings raised", "", "\n".join(warning_lines)))
    return exhibits


def _leaks(outcome: CorpusRun, *kinds: str) -> list[str]:
    found: dict[tuple[str, str, str], tuple[int, str]] = {}
    for exhibit in outcome.exhibits:
        if exhibit.kind not in kinds:
            continue
        for hit in exhibit.hits:
            key = (hit.value, exhibit.where, exhibit.inputs)
            count, snippet = found.get(key, (0, hit.snippet))
            found[key] = (count + 1, snippet)
    return [f"{value!r} in {where}" + (f" [input: {inputs}]" if inputs else "")
            + (f" ({count} times)" if count > 1 else "") + f": ...{snippet}..."
            for (value, where, inputs), (count, snippet) in sorted(found.items(), key=lambda item: item[0][1:])]


def _report(title: str, lines: list[str]) -> str:
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines)


# -- the corpus is what it says -------------------------------------------------------------------------------
def test_the_corpus_plants_every_value_in_every_kind_of_input(corpus_run):
    corpus = corpus_run.corpus
    families: dict[str, str] = defaultdict(str)
    for path in corpus.inputs.values():
        if path.is_file():
            text = xlsx_text(path) if path.suffix == ".xlsx" else path.read_text("utf-8", errors="replace")
            families[path.parent.relative_to(corpus.root / "inputs").parts[0]] += text + "\n"
    assert set(families) == {"logs", "tables", "xlsx"}
    for family, text in families.items():
        assert {hit.value for hit in find_planted(text)} >= set(PLANTED), family
    profiles = {case.args[case.args.index("--profile") + 1] for case in corpus.ingests if "--profile" in case.args}
    assert profiles == {"flock-network-audit", "flock-organization-audit", "flock-search-audit"}
    assert {c.args[0] for c in corpus.mapping_cases} == {"mapping"}
    assert {case.expect for case in corpus.ingests} == {OK, REFUSED, EITHER}
    for key in ("logs", "tables"):  # every database was filled, so its commands read planted inputs...
        with duckdb.connect(str(corpus.databases[key]), read_only=True) as connection:
            assert connection.execute("SELECT count(*) FROM observations").fetchone()[0] > 0, key
            held = connection.execute("SELECT count(DISTINCT agency) FROM observations "
                                      "WHERE agency LIKE 'unreviewed agency %'").fetchone()[0]
            assert held >= 5, key  # ...and the planted agency names went all the way, under placeholders
        assert "unreviewed agency" in output_text(corpus.root / "work" / f"report-{key}" / "report.html")


def test_ingests_and_commands_that_should_succeed_succeed(corpus_run):
    failed = [f"`{run.command}` ({run.case.name}): exit {run.exit_code}: "
              f"{(run.stderr.strip().splitlines() or [''])[-1][:300]}"
              for run in corpus_run.runs if run.case.expect == OK and not run.verbose and run.exit_code != 0]
    assert not failed, _report("failed though they should succeed", failed)


def test_refusals_are_one_line_a_non_zero_exit_and_change_nothing(corpus_run):
    problems = []
    for run in corpus_run.runs:
        if run.case.expect == REFUSED and run.exit_code == 0:
            problems.append(f"`{run.command}` ({run.case.name}) was not refused: {run.stdout.strip()[:200]}")
            continue
        if run.exit_code == 0 or run.case.expect == OK:
            continue
        if run.escaped:
            problems.append(f"`{run.command}` ({run.case.name}): an exception escaped the command line")
        if run.exit_code not in (1, 2):
            problems.append(f"`{run.command}` ({run.case.name}): exit {run.exit_code}, expected 1 or 2 (a known "
                            f"problem): {run.stderr.strip()[:300]}")
        if run.db_changed:
            problems.append(f"`{run.command}` ({run.case.name}): failed, but changed the database")
        if not run.verbose:
            lines = [line for line in run.stderr.splitlines() if line.strip() and not line.startswith("warning:")]
            if len(lines) != 1 or not lines[0].startswith("error: "):
                problems.append(f"`{run.command}` ({run.case.name}): not a one-line error: {lines[:3]}")
    assert not problems, _report("refusals that misbehave", problems)


def test_hidden_workbook_content_is_not_read_by_default(corpus_run):
    corpus = corpus_run.corpus
    from auditreport.read.grid import file_identity

    read_hidden = []
    with duckdb.connect(str(corpus.databases["tables"]), read_only=True) as connection:
        for name, rows in corpus.hidden_rows.items():
            sha256, _ = file_identity(corpus.inputs[name])
            for source_id, sheet in connection.execute("SELECT source_id, sheet FROM sources WHERE sha256 = ? AND "
                                                       "sheet = 'Counts'", [sha256]).fetchall():
                stored = {row[0] for row in connection.execute(
                    "SELECT DISTINCT row_number FROM observations WHERE source_id = ?", [source_id]).fetchall()}
                if stored & rows:
                    read_hidden.append(f"{name}, sheet {sheet}: hidden rows {sorted(stored & rows)} were counted")
        sha256, _ = file_identity(corpus.inputs["xlsx_hidden_first_sheet.xlsx"])
        sheets = [row[0] for row in connection.execute("SELECT sheet FROM sources WHERE sha256 = ?",
                                                       [sha256]).fetchall()]
        read_hidden += [f"xlsx_hidden_first_sheet.xlsx: the hidden first sheet was read ({sheet!r})"
                        for sheet in sheets if sheet != "Counts"]
    assert not read_hidden, _report("hidden content read without --include-hidden", read_hidden)


# -- nothing planted anywhere ---------------------------------------------------------------------------------
def test_no_planted_value_reaches_any_database(corpus_run):
    leaks = _leaks(corpus_run, "database")
    assert not leaks, _report("planted values in the databases", leaks)


def test_no_planted_value_reaches_any_output_file(corpus_run):
    assert sum(e.where.endswith("report.pdf") for e in corpus_run.exhibits) >= len(corpus_run.reports)
    leaks = _leaks(corpus_run, "file")
    assert not leaks, _report("planted values in output files", leaks)


def test_no_planted_value_is_printed(corpus_run):
    leaks = _leaks(corpus_run, "stream")
    assert not leaks, _report("planted values on stdout or stderr", leaks)


def test_nothing_is_left_in_the_temp_folder_and_no_log_quotes_a_planted_value(corpus_run):
    leaks = _leaks(corpus_run, "temp", "log")
    assert not leaks + corpus_run.left_behind, _report("planted values in temp files, logs or warnings, and "
                                                       "temp folders left behind", leaks + corpus_run.left_behind)


def test_the_check_sees_a_planted_value_however_it_is_written(corpus_run):
    assert [hit.value for hit in find_planted("by MARIA TESTCASE")] == ["Maria Testcase"]
    assert [hit.value for hit in find_planted("Jonathan Q.\nPlanted")] == ["Jonathan Q. Planted"]
    assert [hit.value for hit in find_planted("fakeuser&#64;example.org")] == ["fakeuser@example.org"]
    assert [hit.value for hit in find_planted("Maria%20Testcase%207ABC123.csv")] == ["Maria Testcase", "7ABC123"]
    assert [hit.value for hit in find_planted("PLT-\n4471")] == ["PLT-4471"]
    assert [hit.value for hit in find_planted("Jonathan_Q._Planted")] == ["Jonathan Q. Planted"]
    assert find_planted("unreviewed agency 12 | ICE - HSI | 2017-01-01 | 17") == []
    assert [hit.value for hit in find_planted_bytes(b"\x00\x03JONATHAN Q. PLANTED\xff")] == ["Jonathan Q. Planted"]
    exhibit = _exhibit("stream", "a test", "", "Searched by Det. Rex Plantwell")
    assert _leaks(CorpusRun(corpus_run.corpus, exhibits=[exhibit]), "stream") == [
        "'Det. Rex Plantwell' in a test: ...searched by det. rex plantwell..."]
