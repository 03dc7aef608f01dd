"""The door: one file is read, screened and stored, in that order, in one transaction.

    read (read/: count tables, audit logs)  ->  screen (labels.py, screen.py)  ->  store (store.py)

Nothing a reader brings reaches the database without passing the screen: its labels, its findings and its own
names (file, sheet, request id). Ingesting needs neither pandas nor matplotlib for a log: the count-table reader
is imported where it is used.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .agencies import Crosswalk, project_crosswalk
from .errors import InputError, UsageError
from .labels import option_text, screen_file_name, screen_read
from .periods import DEFAULT_FISCAL_YEAR_START
from .privacy import distinct_texts
from .read.grid import file_identity
from .rules import load_reason_rules
from .store import IngestResult, SourceInfo, Store


@dataclass(frozen=True)
class IngestOptions:
    """How to read a file: a count table (the default) or, with a profile or mapping, an audit log."""

    system: str | None = None
    agency: str | None = None
    request: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()  # sheets of a workbook audit log (with `sheet`): read as one log
    fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
    profile: str | None = None
    mapping: str | Path | None = None
    tz: str | None = None
    source_tz: str | None = None
    retention_days: int | None = None
    reason_rules: str | Path | None = None
    complete: bool = False  # the log records every search from its first to its last day (the user's statement)
    include_hidden: bool = False  # read hidden sheets, rows and columns of a workbook (refused by default)
    replace: bool = False  # the same file, stored before, is read again and replaces its source
    own_agency: str | None = None  # a network audit's producing agency: its own searches become their own system

    @property
    def is_audit_log(self) -> bool:
        return bool(self.profile or self.mapping)

    @property
    def asked_sheets(self) -> tuple[str, ...]:
        """The sheets asked for (`sheet`, then `sheets`), each once, in the order given."""
        sheets = (self.sheets,) if isinstance(self.sheets, str) else tuple(self.sheets or ())
        return tuple(dict.fromkeys(((self.sheet,) if self.sheet else ()) + sheets))


def ingest_options(**keywords) -> IngestOptions:
    """IngestOptions from keywords, with a misspelt one named as such ("agnecy": did you mean "agency"?)."""
    import difflib
    from dataclasses import fields

    known = [f.name for f in fields(IngestOptions)]
    for keyword in keywords:
        if keyword not in known:
            close = difflib.get_close_matches(keyword, known, n=1)
            raise UsageError(f"unknown ingest option {keyword!r}" + (f"; did you mean {close[0]!r}?" if close else ""),
                             hint=f"Options: {', '.join(known)}.")
    return IngestOptions(**keywords)


def read_file(path: str | Path, options: IngestOptions, *, progress: bool = False,
              agencies: Crosswalk | None = None, search_ids=None) -> tuple[SourceInfo, object]:
    """Read and check one file without writing to any database: its SourceInfo and what was read. A log with
    search ids is told apart from earlier sources by `search_ids` (Store.search_ids), when given."""
    if options.is_audit_log:
        from .read.audit_log import read_audit_log

        read = read_audit_log(path, profile=options.profile, mapping=options.mapping, system=options.system,
                              agency=options.agency, source_tz=options.source_tz, tz=options.tz,
                              retention_days=options.retention_days, reason_rules=options.reason_rules,
                              progress=progress, agencies=agencies, complete=options.complete,
                              own_agency=options.own_agency, search_ids=search_ids,
                              sheets=options.asked_sheets, include_hidden=options.include_hidden)
        source = SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                            sheet=read.grid.sheet, request_id=options.request, options=read.options,
                            source_tz=read.source_tz, report_tz=read.report_tz, rows_read=read.rows_read,
                            coverage=read.coverage, search_keys=read.search_keys,
                            counted_before=tuple(read.counted_before.items()))
        return source, read
    if options.tz or options.source_tz or options.retention_days or options.complete or options.own_agency:
        raise UsageError("--tz, --source-tz, --retention-days, --complete and --own-agency are for audit logs",
                         file=str(path), hint="Add --profile NAME or --mapping FILE, or leave those options out.")
    from .read.count_table import read_count_table

    if len(options.asked_sheets) > 1:
        raise UsageError("a count table is read from one sheet; --sheet more than once is for audit logs",
                         file=str(path), hint="Ingest each sheet on its own, or add --profile NAME for a log.")
    sheet = options.asked_sheets[0] if options.asked_sheets else None
    read = read_count_table(path, sheet=sheet, system=options.system, agency=options.agency,
                            fiscal_year_start=options.fiscal_year_start, include_hidden=options.include_hidden,
                            reason_rules=load_reason_rules(options.reason_rules))
    stored_options = {key: value for key, value in (("system", options.system), ("agency", options.agency),
                                                    ("fiscal_year_start", options.fiscal_year_start),
                                                    ("encoding", read.grid.encoding),
                                                    ("include_hidden", options.include_hidden or None),
                                                    ("reason_rules", _text(options.reason_rules)))
                      if value is not None}
    source = SourceInfo(read.grid.file_name, read.grid.sha256, read.grid.size_bytes, read.reader,
                        sheet=read.grid.sheet, request_id=options.request, options=stored_options,
                        rows_read=read.rows_read)
    return source, read


def _text(path: str | Path | None) -> str | None:
    return str(path) if path is not None else None


def ingest_file(store: Store, path: str | Path, options: IngestOptions | None = None, *,
                progress: bool = False, crosswalk: Crosswalk | None = None, **keywords) -> IngestResult:
    """Read one file, screen it and store it in one transaction (nothing is stored if anything fails)."""
    options = options or ingest_options(**keywords)
    options, detected, existing = _before_reading(store, path, options)
    if existing is not None:
        return existing
    crosswalk = crosswalk or project_crosswalk(store.path)
    replacing = (store.find_source(file_identity(Path(path))[0], "") if options.replace and options.is_audit_log
                 else None)
    source, read = read_file(path, options, progress=progress, agencies=crosswalk,
                             search_ids=store.search_ids(replacing) if options.is_audit_log else None)
    return _store_read(store, options, source, read, crosswalk, detected)


def _before_reading(store: Store, path: str | Path,
                    options: IngestOptions) -> tuple[IngestOptions, str, IngestResult | None]:
    """What is settled before a file is read: its name passes the screen, a log's profile is detected, and the
    same bytes stored before are answered from the store."""
    screen_file_name(Path(path).name)  # before anything, even "already ingested", prints it
    options, detected = _detected_profile(path, options)
    return options, detected, _already_ingested(store, path, options)


def _store_read(store: Store, options: IngestOptions, source: SourceInfo, read, crosswalk: Crosswalk,
                detected: str) -> IngestResult:
    """Screen what was read and store it, in one transaction; the read's files are removed either way."""
    try:
        observations = read.counts if options.is_audit_log else read.observations
        screened = screen(store, source, observations, read.findings, crosswalk, options)
        result = store.add_source(screened.source, observations, screened.findings, screened.replacements,
                                  replace=options.replace)
    finally:
        if options.is_audit_log:
            read.close()  # the log's counts were in a Parquet file the store read straight in
    result = _with_other_options(store, result, read.options) if options.is_audit_log and result.already_ingested \
        else result
    return replace(result, note=" ".join(part for part in (result.note, detected) if part))


def _detected_profile(path: str | Path, options: IngestOptions) -> tuple[IngestOptions, str]:
    """An audit log given without --profile or --mapping whose header is exactly a shipped profile's layout is
    read with that profile, and the output says so; anything else goes on as a count table."""
    from .read.mapping import matching_profile, read_sample

    path = Path(path)
    if options.is_audit_log or options.asked_sheets or path.suffix.lower() in (".xlsx", ".xlsm") or not path.is_file():
        return options, ""
    try:
        sample = read_sample(path, max_bytes=65_536)
    except InputError:  # the count-table reader says what is wrong with it
        return options, ""
    name = matching_profile(sample.records[0]) if sample.records else None
    if name is None:
        return options, ""
    return (replace(options, profile=name),
            f"Read as an audit log with the shipped profile {name} (its columns match); pass --profile {name} to "
            "say so yourself.")


def screen(store: Store, source: SourceInfo, observations, findings: list, crosswalk: Crosswalk,
           options: IngestOptions):
    """What of the read may be stored (labels.py): placeholders for labels that fail, findings that never quote."""
    rules = load_reason_rules(options.reason_rules)
    return screen_read(source, distinct_texts(observations), findings,
                       known_agency=lambda name: crosswalk.match(name).method != "unmatched",
                       reason_categories=set(rules.categories), placeholders_taken=store.placeholders_taken())


def _already_ingested(store: Store, path: str | Path, options: IngestOptions) -> IngestResult | None:
    """The same bytes (and sheet) are never read twice: answer from the store before any reading."""
    path = Path(path)
    if not path.is_file() or options.asked_sheets or options.is_audit_log or options.replace:  # a log is hashed as read
        return None
    sha256, _ = file_identity(path)
    source_id = store.find_source(sha256, "")
    if source_id is None:
        return None
    stored = store.source_options(source_id)
    asked = {"system": options.system, "agency": options.agency, "fiscal_year_start": options.fiscal_year_start,
             "include_hidden": options.include_hidden or None, "reason_rules": _text(options.reason_rules)}
    differing = sorted(key for key, value in asked.items() if stored.get(key) != option_text(key, value))
    if differing:
        _refuse_other_options(path.name, source_id, stored, differing)
    return IngestResult(source_id, path.name, True, 0, 0)


def _refuse_other_options(file_name: str, source_id: int, stored: dict, differing: list[str]) -> None:
    """The same bytes asked to be read with other options: never a silent "nothing changed"."""
    options = ", ".join(f"{key}={stored.get(key)!r}" for key in differing)
    raise UsageError(f"already ingested as source {source_id} with other options ({options}); yours were not "
                     "applied", file=file_name, hint=f"To read it again with yours, add --replace, or remove it "
                     f"first with: auditreport sources remove {source_id}.")


LOG_OPTIONS = ("mapping", "system", "agency", "source_tz", "tz", "retention_days", "complete", "reason_rules",
               "own_agency", "include_hidden")


def _with_other_options(store: Store, result: IngestResult, asked: dict) -> IngestResult:
    """A log ingested before with other options (another zone, --complete) is not read again: refused, saying so."""
    stored = store.source_options(result.source_id)
    differing = sorted(key for key in LOG_OPTIONS if stored.get(key) != option_text(key, asked.get(key)))
    if differing:
        _refuse_other_options(result.file_name, result.source_id, stored, differing)
    return result


def ingest_paths(db: str | Path, paths, options: IngestOptions, *, progress: bool = False,
                 jobs: int = 1) -> list[IngestResult]:
    """Ingest several files into the database at `db`, one transaction each, in the order given.

    A file that cannot be found is reported before the database is created or opened, so a typo
    leaves no empty database behind; a file that fails to read leaves the database as it was (files
    before it in the list stay ingested, and the message names the failing file). With `jobs` > 1, up to
    that many files are read at once (ingest_parallel.py); they are still stored one at a time, in order, and the
    database ends as it would reading them one by one.
    """
    for path in paths:
        if not Path(path).is_file():
            raise InputError("no such file", file=str(path), hint="Check the path and try again.")
    crosswalk = project_crosswalk(db)  # read first: a bad agency file opens nothing
    created = not Path(db).exists()
    results: list[IngestResult] = []
    try:
        with Store(db) as store:
            ingest_into(store, paths, options, crosswalk, results, progress=progress, jobs=jobs)
    except BaseException:
        if created and not any(not result.already_ingested for result in results):
            _remove_database(Path(db))  # a first ingest that failed leaves no empty database behind
        raise
    return results


def ingest_into(store: Store, paths, options: IngestOptions, crosswalk: Crosswalk, results: list[IngestResult], *,
                progress: bool = False, jobs: int = 1) -> None:
    """Ingest `paths` into an open store in order, appending each result as it is stored; with `jobs` > 1 (and not
    --replace) up to that many files are read at once (ingest_parallel.py)."""
    if jobs > 1 and len(paths) > 1 and not options.replace:
        from .ingest_parallel import ingest_parallel

        ingest_parallel(store, [Path(path) for path in paths], options, crosswalk, jobs, results)
        return
    for path in paths:
        results.append(ingest_file(store, path, options, progress=progress, crosswalk=crosswalk))


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
