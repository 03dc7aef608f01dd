"""The count model, declared once: measures, dimensions, statuses, qualifiers and the stored columns.

An observation is one number (or the honest absence of one): a measure's value for one searching
agency, one system and one period [period_start, period_end), with optional dimensions and a status.
Everything else in auditreport (store schema, readers, SQL, README) is derived from these tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# -- statuses: what we know about a cell ---------------------------------------------------------
REPORTED = "reported"      # a number was given (possibly qualified: "more than 4,000")
MISSING = "missing"        # nothing was given where a value was due ("(no file)", blank): never zero
WITHHELD = "withheld"      # redacted, e.g. "(b)(7)(E)": a value exists but we may not see it
SUPPRESSED = "suppressed"  # e.g. "<10": the value lies in [value_low, value_high]
STATUSES = (REPORTED, MISSING, WITHHELD, SUPPRESSED)

# -- qualifiers: how exact a reported number is ----------------------------------------------------
@dataclass(frozen=True)
class Qualifier:
    name: str
    exact: bool
    words: str  # how a report says it before the number


QUALIFIERS = {q.name: q for q in (
    Qualifier("exact", True, ""),
    Qualifier("more_than", False, "more than"),
    Qualifier("at_least", False, "at least"),
    Qualifier("fewer_than", False, "fewer than"),
    Qualifier("at_most", False, "at most"),
    Qualifier("about", False, "about"),
    Qualifier("order_of_magnitude", False, ""),  # "thousands": only a range is known
)}


# -- measures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    name: str
    kind: str        # "count" or "share"; shares are never summed, and never summed with counts
    unit: str        # axis and table unit
    additive: bool   # may values of smaller periods/agencies be added up?
    description: str
    # Header words that name this measure in a count table: a long table's value column ("Investigations"), a
    # measure column's cells, a wide table's first header cell or title ("Misuse investigations by agency"), or
    # a wide column header beside its period ("2019 investigations"). Compared without case.
    header_words: tuple[str, ...] = ()


MEASURES = {m.name: m for m in (
    Measure("searches", "count", "searches", True, "Number of searches (queries) run",
            ("searches", "count", "queries", "number of searches", "number of queries", "total searches",
             "search count", "query count", "value", "searches run", "inquiries", "lookups")),
    Measure("share_of_searches", "share", "share of searches", False,
            "Fraction (0 to 1) of all searches in a stated group that this agency ran",
            ("share", "percent", "percentage", "share of searches", "% of searches", "%")),
    Measure("searches_beyond_retention", "count", "searches", True,
            "Searches whose look-back window starts further back than a retention period (audit logs; the "
            "period is in the source's options as retention_days)"),
    Measure("searches_multi_network", "count", "searches", True,
            "Searches that covered more than one network (audit logs)"),
    Measure("distinct_users", "count", "users", False,
            "Distinct users who ran searches, per agency over a log's whole span (audit logs with a user column; "
            "the ids are counted, never stored); never summed over periods or agencies"),
    Measure("misuse_investigations", "count", "investigations", True,
            "Investigations of suspected misuse of a system (cases investigated), as an oversight body reports them "
            "per agency and year (CLETS misuse statistics); never added to searches",
            ("investigations", "misuse investigations", "investigated cases", "cases investigated",
             "misuse cases investigated", "misuse investigations opened", "investigations opened",
             "number of investigations", "misuse cases")),
    Measure("violations", "count", "violations", True,
            "Misuse investigations that found a violation (sustained cases), per agency and period; never added to "
            "searches or to investigations",
            ("violations", "misuse violations", "violations found", "confirmed violations", "sustained violations",
             "number of violations", "cases with violations")),
    Measure("accounts_with_access", "count", "accounts", False,
            "User accounts able to search a system at a date or in a period (a stock, not a flow: never added "
            "over periods)",
            ("accounts", "accounts with access", "users with access", "user accounts", "active accounts",
             "authorized users", "authorised users", "number of accounts")),
    Measure("hits", "count", "hits", True,
            "Searches that returned a match (hits), as a system reports them; a hit is not a search, so never "
            "added to searches",
            ("hits", "number of hits", "hit count", "matches", "positive hits")),
)}


def measure(name: str) -> Measure:
    from .errors import UsageError

    try:
        return MEASURES[name]
    except KeyError:
        raise UsageError(f"unknown measure {name!r}",
                         hint=f"Use one of: {', '.join(MEASURES)}.") from None


# -- dimensions: what an observation may be broken down by ---------------------------------------
@dataclass(frozen=True)
class Dimension:
    name: str
    description: str
    header_aliases: tuple[str, ...] = ()  # column headers in count tables that mean this dimension
    origin: str = "stored"  # "stored" in observations, or derived from the agency "crosswalk" at query time


DIMENSIONS = {d.name: d for d in (
    Dimension("agency", "The searching agency (who ran the searches)",
              ("agency", "searching agency", "requesting agency", "outside agency", "org name",
               "organization", "organisation", "department", "agency name", "user agency")),
    Dimension("system", "The database or network that was searched",
              ("system", "database", "network", "system searched")),
    Dimension("reason_category", "Category of the stated reason (never the free text)",
              ("reason category", "reason_category", "purpose", "purpose code", "category")),
    Dimension("query_type", "Kind of search (person, vehicle, plate, ...)",
              ("query type", "query_type", "search type", "type of search", "type")),
    Dimension("on_behalf_of", "An agency named in the reason text ('assist ICE'), never the searching agency"),
    Dimension("offense_type", "Offense type from Flock's list (its 2026 dropdown; several joined by ', '; a value "
                              "outside the list reads 'other')"),
    Dimension("moderation", "What the vendor's moderation did to a free-form search: allow, block or warn"),
    Dimension("parent", "The searching agency's parent in the crosswalk (ICE for HSI, DHS for ICE)",
              origin="crosswalk"),
    Dimension("department", "The top of the searching agency's hierarchy (DHS, DOJ; the agency itself if none)",
              origin="crosswalk"),
    Dimension("level", "federal, state, county, municipal, tribal, regional or other", origin="crosswalk"),
    Dimension("state", "The searching agency's state (two-letter code), from the crosswalk or its name",
              origin="crosswalk"),
    Dimension("federal", "true for federal agencies, false for others, empty when the level is not known",
              origin="crosswalk"),
)}
STORED_DIMENSIONS = tuple(name for name, d in DIMENSIONS.items() if d.origin == "stored")


# -- stored columns ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    description: str


OBSERVATION_COLUMNS = (
    Column("source_id", "INTEGER NOT NULL", "The source file this number came from (sources.source_id)"),
    Column("row_number", "INTEGER", "Row in the source file (1 = first line/row), where one row"),
    Column("column_name", "VARCHAR", "Column in the source file, as its letter and header"),
    Column("measure", "VARCHAR NOT NULL", "What is counted: " + ", ".join(MEASURES)),
    Column("agency", "VARCHAR", "Searching agency, as named in the source"),
    Column("system", "VARCHAR NOT NULL", "System searched"),
    Column("reason_category", "VARCHAR", "Reason category, where given"),
    Column("query_type", "VARCHAR", "Query type, where given"),
    Column("period_start", "DATE NOT NULL", "First day of the period"),
    Column("period_end", "DATE NOT NULL", "Day after the last day of the period (end exclusive)"),
    Column("period_label", "VARCHAR", "The period as written in the source"),
    Column("status", "VARCHAR NOT NULL", "One of: " + ", ".join(STATUSES)),
    Column("value", "DOUBLE", "The number; NULL unless status is reported"),
    Column("value_low", "DOUBLE", "Lowest value the source allows (suppressed or qualified)"),
    Column("value_high", "DOUBLE", "Highest value the source allows; NULL when unbounded"),
    Column("qualifier", "VARCHAR NOT NULL", "How exact the number is: " + ", ".join(QUALIFIERS)),
    Column("cell_text", "VARCHAR", "The mark as printed when it was not a plain number (\"<10\", \"(b)(7)(E)\")"),
    Column("citation", "VARCHAR", "Where a published figure was published, when given"),
    Column("on_behalf_of", "VARCHAR", "Agency named in the reason text (audit logs), never the searching agency"),
    Column("offense_type", "VARCHAR", "Offense type from Flock's list (audit logs); 'other' outside it"),
    Column("moderation", "VARCHAR", "allow, block or warn: what moderation did (audit logs)"),
)
OBSERVATION_COLUMN_NAMES = tuple(c.name for c in OBSERVATION_COLUMNS)

SOURCE_COLUMNS = (
    Column("source_id", "INTEGER PRIMARY KEY", "Number of the source in this database"),
    Column("file_name", "VARCHAR NOT NULL", "File name as ingested (no directories)"),
    Column("sha256", "VARCHAR NOT NULL", "SHA-256 of the file's bytes"),
    Column("size_bytes", "BIGINT NOT NULL", "File size"),
    Column("sheet", "VARCHAR NOT NULL", "Worksheet read ('' for CSV)"),
    Column("request_id", "VARCHAR", "Records-request id or URL, when given"),
    Column("reader", "VARCHAR NOT NULL", "Reader used (count-table-wide, count-table-long, ...)"),
    Column("options", "VARCHAR", "Ingest options as JSON (system, agency, ...)"),
    Column("source_tz", "VARCHAR", "Time zone in which naive timestamps were recorded, for logs"),
    Column("report_tz", "VARCHAR", "Time zone counts were bucketed in, for logs"),
    Column("rows_read", "BIGINT", "Data rows read from the file"),
    Column("ingested_at", "TIMESTAMP NOT NULL", "When the file was ingested (UTC)"),
)

COVERAGE_COLUMNS = (  # where a source records every search: inside the window, no row means zero searches
    Column("source_id", "INTEGER NOT NULL", "The source (an audit log) that records every search in the window"),
    Column("system", "VARCHAR NOT NULL", "System whose searches it records"),
    Column("period_start", "DATE NOT NULL", "First day recorded"),
    Column("period_end", "DATE NOT NULL", "Day after the last day recorded"),
)

FINDING_COLUMNS = (
    Column("source_id", "INTEGER", "Source the finding is about"),
    Column("location", "VARCHAR NOT NULL", "Row/column or period where it was found"),
    Column("kind", "VARCHAR NOT NULL", "Kind of finding (total_mismatch, blank_cells, ...)"),
    Column("message", "VARCHAR NOT NULL", "What was found, in plain words"),
)


@dataclass(frozen=True)
class ObservationFile:
    """Observations in a Parquet file with the stored columns (but source_id): how a reader hands millions of
    counts (an audit log's days) to the store, which reads the file straight into its table."""

    path: Path


# -- findings: what a reader of the numbers should know, each kind declared once in plain words -----------
@dataclass(frozen=True)
class FindingKind:
    name: str
    title: str      # plain words for a board member
    affects: str    # what it bears on: "completeness", "exactness", "counting", "agencies", "reading" or "method"


FINDING_KINDS = {k.name: k for k in (
    FindingKind("coverage_gap", "The log is probably missing days", "completeness"),
    FindingKind("partial_day", "A first or last day of the log is not recorded in full", "completeness"),
    FindingKind("quiet_days", "Quiet days: no searches, and not a gap by the rule", "completeness"),
    FindingKind("stated_complete", "A log stated complete by the person who ingested it", "completeness"),
    FindingKind("blank_cells", "Blank cells, read as missing (not zero)", "completeness"),
    FindingKind("missing_cells", "Cells marked as not available", "completeness"),
    FindingKind("withheld_cells", "Cells withheld (redacted) by the agency", "exactness"),
    FindingKind("suppressed_cells", "Small counts suppressed by the agency", "exactness"),
    FindingKind("total_mismatch", "A total that does not match its parts", "exactness"),
    FindingKind("overlapping_sources", "Two files count the same searches", "exactness"),
    FindingKind("overlapping_periods", "Periods in one file overlap", "exactness"),
    FindingKind("duplicate_row", "A row repeated in the file", "counting"),
    FindingKind("counted_before", "Searches already counted from another file, not counted again", "counting"),
    FindingKind("repeated_search", "A search listed twice in one log, counted once", "counting"),
    FindingKind("shared_days", "Days another log also records, counted from that log", "counting"),
    FindingKind("subtotal_not_counted", "A subtotal row, not counted again", "counting"),
    FindingKind("subtotal_column", "A column that totals other columns, not counted again", "counting"),
    FindingKind("rows_without_counts", "Rows without counts (headings)", "counting"),
    FindingKind("blank_search_time", "Searches without a time, not counted", "counting"),
    FindingKind("implausible_search_time", "Searches at times that cannot be right, not counted", "counting"),
    FindingKind("repeated_header_row", "Repeated header rows, skipped", "counting"),
    FindingKind("marker_only_rows", "Rows of only blank or redacted cells, skipped (not searches)", "counting"),
    FindingKind("redacted_search_time", "Searches whose time was redacted, not counted", "completeness"),
    FindingKind("lookback_unreadable", "Look-back windows that could not be read", "counting"),
    FindingKind("networks_unreadable", "Numbers of networks that could not be read", "counting"),
    FindingKind("own_searches", "The producing agency's own searches, counted apart from others'", "counting"),
    FindingKind("agency_unmatched", "An agency name the crosswalk does not know", "agencies"),
    FindingKind("agency_unreviewed", "Names held back for review (they looked personal, or not like an agency)",
                "agencies"),
    FindingKind("value_withheld", "Text withheld because it looked personal", "reading"),
    FindingKind("mixed_encoding", "Lines in two text encodings, each read in its own", "reading"),
    FindingKind("hidden_content_skipped", "Hidden sheets, rows or columns, not read", "reading"),
    FindingKind("sheet_chosen", "The sheet a workbook's table was read from", "reading"),
    FindingKind("sheet_read", "A sheet of a workbook log: its searches and days", "reading"),
    FindingKind("sheet_layout_drift", "Columns that differ between a workbook's sheets", "reading"),
    FindingKind("header_label_blank", "A blank header label: read by its place, or not read", "reading"),
    FindingKind("hidden_content_read", "Hidden rows or columns read, as asked", "reading"),
    FindingKind("distinct_users", "Distinct users counted (ids never kept)", "agencies"),
    FindingKind("columns_not_read", "Columns not read", "reading"),
    FindingKind("footnotes_not_read", "Footnotes not read", "reading"),
    FindingKind("mapped_column_absent", "A mapped column is not in the file", "reading"),
    FindingKind("no_header_row", "A log without a header row, read by its column order", "reading"),
    FindingKind("mixed_time_offsets", "Search times with different UTC offsets", "reading"),
    FindingKind("time_zones", "Time zones the searches were counted in", "method"),
    FindingKind("reason_categories", "How free-text reasons were sorted into categories", "method"),
)}


@dataclass(frozen=True)
class Finding:
    """A data-quality finding: something a reader of the numbers should know."""

    location: str
    kind: str
    message: str

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:  # a developer's slip: every kind is declared above, with its words
            raise ValueError(f"undeclared finding kind {self.kind!r}; declare it in model.FINDING_KINDS")
