"""Mappings: which column of an audit log holds which dimension, and which columns are never read.

A mapping is a small TOML file (see `auditreport/profiles/*.toml` for the shipped ones):

    name = "my-county-log"
    system = "County RMS"                 # default system; --system overrides
    dropped = ["Officer", "Plate", "Case Number"]

    [columns]                             # dimension = header of the column that holds it
    time = "Query Date"
    agency = "Requesting Agency"
    reason = "Purpose"

Only the mapped columns are ever read; `dropped` lists the columns a reviewer has seen and decided
never to read. `propose_mapping` writes a first draft from a sample of an unknown file, fail-closed: every
column whose header looks personal, every column it does not recognise, and every column whose values do not
fit its header (person names under "Org Name", birth dates under "Date") is dropped, and the draft quotes
header names only, never a cell.
"""
from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from ..errors import InputError, UsageError
from ..screen import looks_like_agency, personal_kind
from ..tabular import clean

# dimension key -> what it means; `time` is the only one a mapping must have
MAPPED_DIMENSIONS = {
    "time": "when the search was run",
    "agency": "the searching agency",
    "system": "the system searched (else --system or the mapping's default)",
    "query_type": "the kind of search",
    "reason": "the free-text reason: classified into a category, then dropped",
    "networks": "number of networks searched",
    "devices": "number of devices (cameras) searched",
    "lookback": "the look-back window: start and end in one cell (two lines, or 'start to end')",
    "lookback_start": "start of the look-back window",
    "lookback_end": "end of the look-back window",
    "users": "the searching user: distinct users are counted, never stored",
    "search_id": "the search's id: kept only as a keyed hash, so that a search is counted once across files",
    "offense_type": "the offense type(s) from Flock's list; any other value is stored as 'other'",
    "moderation": "what the vendor's moderation did to a free-form search: allow, block or warn",
}
TOP_KEYS = ("name", "description", "view", "system", "own_agency", "dropped", "layouts", "columns", "time",
            "redaction_markers", "offense_types")
TIME_KEYS = ("format", "lookback_format")
MAPPING_HINT = "See auditreport/profiles/flock-network-audit.toml for a complete mapping."
SAMPLE_BYTES = 256 * 1024


def header_key(text: str) -> str:
    """Headers compare without case, byte-order mark or extra spaces: ' Org  Name' == 'org name'."""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class Mapping:
    """A log's columns mapped to auditreport's dimensions."""

    name: str
    columns: dict[str, str]                       # dimension -> header
    dropped: tuple[str, ...] = ()
    layouts: tuple[tuple[str, ...], ...] = ()     # column orders of files without a header row
    system: str | None = None                     # default system
    view: str | None = None                       # whose searches: "own", "network", "organization"
    own_agency: str | None = None                 # the producing agency, in a network audit (--own-agency)
    redaction_markers: tuple[str, ...] = ()       # more cells that mean "redacted" (read/markers.py)
    offense_types: tuple[str, ...] = ()           # more offense types than Flock's list (read/log_closed.py)
    description: str = ""
    time_format: str | None = None                # strptime format of `time` (zone suffix excluded)
    lookback_format: str | None = None
    origin: str = ""                              # "profile NAME" or the file name
    _keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def column(self, dimension: str) -> str | None:
        return self.columns.get(dimension)

    @property
    def read_headers(self) -> tuple[str, ...]:
        """Every header this mapping reads (all others are never read)."""
        return tuple(self.columns.values())


# -- loading --------------------------------------------------------------------------------------------
def _fail(message: str, origin: str, hint: str = MAPPING_HINT) -> UsageError:
    return UsageError(message, file=origin, hint=hint)


def _strings(value: object, what: str, origin: str, items: str = "column headers") -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise _fail(f"{what} must be a list of {items}", origin)
    return tuple(value)


def mapping_from_dict(data: dict, origin: str) -> Mapping:
    """Check a parsed mapping and build it; every problem is a UsageError naming the key."""
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(unknown)}", origin,
                    f"A mapping may have: {', '.join(TOP_KEYS)}. {MAPPING_HINT}")
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise _fail("the mapping has no [columns] table", origin,
                    'Add [columns] with at least time = "<header of the time column>".')
    unknown = sorted(set(columns) - set(MAPPED_DIMENSIONS))
    if unknown:
        raise _fail(f"[columns] names unknown dimension(s) {', '.join(unknown)}", origin,
                    f"Use: {', '.join(MAPPED_DIMENSIONS)}; list other columns under dropped.")
    for key, header in columns.items():
        if not isinstance(header, str) or not header.strip():
            raise _fail(f"[columns] {key} must be a column header (text)", origin)
    if "time" not in columns:
        raise _fail("[columns] has no time column", origin,
                    'Add time = "<header of the column with the search time>".')
    if "lookback" in columns and ({"lookback_start", "lookback_end"} & set(columns)):
        raise _fail("[columns] has both lookback and lookback_start/lookback_end", origin,
                    "Use lookback for one cell holding start and end, or the two separate columns.")
    by_header: dict[str, str] = {}
    for key, header in columns.items():
        other = by_header.setdefault(header_key(header), key)
        if other != key:
            raise _fail(f"[columns] maps {header!r} to both {other} and {key}", origin,
                        "Map each column to one dimension.")
    dropped = _strings(data.get("dropped", []), "dropped", origin)
    both = [header for header in dropped if header_key(header) in by_header]
    if both:
        raise _fail(f"{', '.join(map(repr, both))} is both mapped and dropped", origin,
                    "Remove it from dropped, or from [columns].")
    layouts = data.get("layouts", [])
    if not isinstance(layouts, list):
        raise _fail("layouts must be a list of column lists", origin)
    layouts = tuple(_strings(layout, "each layout", origin) for layout in layouts)
    for number, layout in enumerate(layouts, start=1):
        keys = {header_key(header) for header in layout}
        if header_key(columns["time"]) not in keys:
            raise _fail(f"layout {number} has no {columns['time']!r} (the time column)", origin,
                        "Every layout must hold the time column.")
    time = data.get("time", {})
    if not isinstance(time, dict) or set(time) - set(TIME_KEYS):
        raise _fail("[time] may only hold format and lookback_format", origin,
                    'Example: format = "%m/%d/%Y, %I:%M:%S %p" (a time-zone suffix such as UTC is read apart).')
    for key in TIME_KEYS:
        if key in time and not _valid_format(time[key]):
            raise _fail(f"[time] {key} {time[key]!r} is not a strptime format", origin,
                        'Write it like "%Y-%m-%d %H:%M:%S".')
    for key in ("name", "description", "view", "system", "own_agency"):
        if key in data and not isinstance(data[key], str):
            raise _fail(f"{key} must be text", origin)
    return Mapping(name=data.get("name") or origin, columns=dict(columns), dropped=dropped, layouts=layouts,
                   system=data.get("system"), view=data.get("view"), description=data.get("description", ""),
                   own_agency=data.get("own_agency"),
                   redaction_markers=_strings(data.get("redaction_markers", []), "redaction_markers", origin,
                                              "texts"),
                   offense_types=_strings(data.get("offense_types", []), "offense_types", origin, "texts"),
                   time_format=time.get("format"), lookback_format=time.get("lookback_format"), origin=origin)


def _valid_format(value: object) -> bool:
    if not isinstance(value, str) or "%" not in value:
        return False
    try:
        datetime(2025, 1, 2, 3, 4, 5).strftime(value)
    except ValueError:
        return False
    return True


def load_mapping(path: str | Path) -> Mapping:
    """A mapping from a TOML file (as written by `auditreport mapping init`)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"there is no mapping file at {path}",
                         hint="Write one with: auditreport mapping init LOG.csv MAPPING.toml")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise _fail(f"the mapping is not valid TOML ({error})", path.name) from None
    return mapping_from_dict(data, path.name)


def profile_names() -> list[str]:
    """Names of the shipped profiles (flock-search-audit, ...)."""
    folder = resources.files("auditreport").joinpath("profiles")
    return sorted(entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".toml"))


def load_profile(name: str) -> Mapping:
    """A shipped mapping by name."""
    names = profile_names()
    if name not in names:
        raise UsageError(f"there is no profile {name!r}",
                         hint=f"Use one of: {', '.join(names)}; or pass --mapping FILE.")
    text = resources.files("auditreport").joinpath("profiles", f"{name}.toml").read_text("utf-8")
    mapping = mapping_from_dict(tomllib.loads(text), f"profile {name}")
    return Mapping(**{**mapping.__dict__, "origin": f"profile {name}"})


def resolve_mapping(profile: str | None = None, mapping: str | Path | Mapping | None = None) -> Mapping:
    """Exactly one of a profile name or a mapping (file or object)."""
    if (profile is None) == (mapping is None):
        raise UsageError("name either a profile or a mapping file" if profile is None
                         else "name a profile or a mapping file, not both",
                         hint=f"Use --profile NAME ({', '.join(profile_names())}) or --mapping FILE.")
    if profile is not None:
        return load_profile(profile)
    if isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping)


# -- sampling a file ------------------------------------------------------------------------------------
@dataclass
class Sample:
    """The first records of a file, parsed in Python only to sniff it (never stored)."""

    records: list[list[str]]
    encoding: str          # for DuckDB: "utf-8" or "latin-1"
    whole_file: bool


def read_sample(path: Path, max_bytes: int = SAMPLE_BYTES) -> Sample:
    """The first records of a CSV file; a record cut off by the sample's end is left out."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputError(f"the file could not be opened ({error.strerror})", file=path.name,
                         hint="Check the path.") from None
    whole = len(data) <= max_bytes
    data = data[:max_bytes]
    if not data.strip():
        raise InputError("the file is empty", file=path.name, hint="Ingest the log as exported.")
    if b"\x00" in data[:4096]:
        raise InputError("this is not a CSV text file (it looks binary, or is UTF-16)", file=path.name,
                         hint="Export the log as CSV (UTF-8).")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        if not whole and error.start >= len(data) - 4:  # a character cut by the sample's end
            text, encoding = data[:error.start].decode("utf-8-sig"), "utf-8"
        else:
            text, encoding = data.decode("cp1252", errors="replace"), "latin-1"
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise InputError(f"the file could not be split into CSV cells ({error})", file=path.name,
                         hint="Export the log as CSV (comma separated).") from None
    if not whole and len(records) > 1:
        records = records[:-1]
    return Sample([record for record in records if any(cell.strip() for cell in record)], encoding, whole)


# -- what a column holds: its header's words first, then its values ------------------------------------
# Personal words are tested before any role, so "Agency Case Number" is a case number, not an agency.
_PERSONAL_WORDS = re.compile(
    r"\b(?:names?|users?|userids?|officers?|operators?|badges?|employees?|plates?|licen[cs]es?|tags?|vins?|cases?|"
    r"reports?|incidents?|filters?|prompts?|terms?|text|ssn|social|dob|address(?:es)?|emails?|phones?|contacts?|"
    r"notes?|details?|comments?|persons?|people|subjects?|drivers?|owners?|ip|ids?)\b"
    r"|birth|query(?! (?:date|time|type|reason|purpose)\b)")  # "Query Date" is a time, "Database Query" a search
_AGENCY_NAME = re.compile(r"\b(org|organi[sz]ation|agency|department|dept) names?\b")  # "Org Name" names no person
_ROLE_PATTERNS = (  # tried after the personal words; first match wins
    ("agency", r"\borg\b|organi[sz]ation|agency|department|\bdept\b|\bori\b"),
    ("lookback", r"time ?frame|look ?back|window|date range"),
    ("time", r"search time|search date|query time|query date|timestamp|date|time|when"),
    ("offense_type", r"offense"),
    ("moderation", r"moderation"),
    ("query_type", r"search type|query type|type"),
    ("reason", r"reason|purpose|justification"),
    ("networks", r"networks?"),
    ("devices", r"devices?|cameras?|camera ?count"),
    ("system", r"system|database"),  # recognised only to be dropped: the system comes from --system
)
_DATA_SHAPE = re.compile(r"\d{3}|\d[-/.:]\d")  # ids, plates, phone numbers, dates, clock times: never in a header
EARLIEST_SEARCH_YEAR = 1990  # an earlier "search time" is a birth date or a placeholder


def looks_personal(header: str) -> bool:
    """A header whose column may hold personal data: never proposed as a dimension."""
    return _role(header) == "personal"


def _role(header: str) -> str | None:
    # split camelCase so "userId" reads "user id" and "searchDate" reads "search date"
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", header).replace("_", " ").replace("#", " case ").lower()
    words = _AGENCY_NAME.sub(r"\1", " ".join(words.split()))
    if _PERSONAL_WORDS.search(words):
        return "personal"
    for role, pattern in _ROLE_PATTERNS:
        if re.search(pattern, words):
            return role
    return None


def filled_cells(values: list[str]) -> list[str]:
    """The cells that hold something: not blank, not a redaction marker ("***", "[REDACTED]")."""
    from .markers import SHIPPED
    return [value.strip() for value in values if value.strip() and not SHIPPED.is_marker(value)]


def looks_like_agencies(values: list[str]) -> bool:
    """Most distinct values name an agency ("Harbor County SO", "FBI"), not a person; False without values."""
    names = set(filled_cells(values))
    agencies = [name for name in names if looks_like_agency(name)]
    return bool(names) and len(agencies) > len(names) / 2


def looks_like_data(cell: str) -> bool:
    """A cell no header holds: a time the log reader reads, or digits shaped like an id, plate or date."""
    from .log_time import detect_time  # here, not at the top: log_time imports header_key from this module
    text = cell.strip()
    if not filled_cells([text]):
        return False
    if _DATA_SHAPE.search(text):  # also catches times in formats the reader does not know
        return True
    try:
        detect_time([text], None, "cells", "", "", 1)
    except InputError:
        return False
    return True


def holds_search_times(values: list[str]) -> bool:
    """Recent timestamps with a time of day, in one format the log reader knows (birth dates are not)."""
    from . import log_time  # here, not at the top: log_time imports header_key from this module
    cells = filled_cells(values)[:log_time.TIME_SAMPLE]
    try:
        fmt = log_time.detect_time(cells, None, "cells", "", "", 1).fmt
    except InputError:
        return False
    bodies = [log_time._strip_zone(cell) for cell in cells]
    if fmt == "iso":
        with_clock = all(len(body) > len("2025-07-01") for body in bodies)
    else:
        with_clock = "%H" in fmt or "%I" in fmt
    try:
        times = [datetime.fromisoformat(body) if fmt == "iso" else datetime.strptime(body, fmt) for body in bodies]
    except ValueError:  # shaped like a timestamp, but no day of the calendar ("2025-13-45")
        return False
    return bool(times) and with_clock and all(time.year >= EARLIEST_SEARCH_YEAR for time in times)


# -- proposing a mapping --------------------------------------------------------------------------------
def _column_role(header: str, values: list[str], has_header: bool) -> tuple[str | None, str]:
    """The dimension a column is proposed for, or None and why it is dropped."""
    role = _role(header) if has_header else None
    if role == "personal":
        return None, "looks personal"
    if role == "system":
        return None, "the system is never read from the file: pass --system"
    single_line = not any("\n" in value or " to " in value for value in values)
    if role in (None, "time") and single_line and holds_search_times(values):
        return "time", ""
    if role == "time":
        return None, "not recent timestamps with a time of day"
    if role == "agency" and not looks_like_agencies(values):
        return None, "does not hold agency names"
    if role == "moderation" and not {value.lower() for value in filled_cells(values)} <= {"allow", "block", "warn"}:
        return None, "does not hold only allow, block or warn"
    return role, ("" if role else "not recognised")


def _toml(value: str) -> str:
    """A TOML string: JSON's escapes are TOML's, once control characters (DEL, ESC, U+202E) are removed."""
    return json.dumps(clean(value), ensure_ascii=False)


def matching_profile(headers: list[str]) -> str | None:
    """The shipped profile whose layout is exactly these headers, if any."""
    keys = [header_key(header) for header in headers]
    for name in profile_names():
        profile = load_profile(name)
        for layout in profile.layouts:
            if [header_key(header) for header in layout] == keys:
                return name
    return None


def propose_mapping(path: str | Path) -> str:
    """A draft mapping (TOML text) for an unknown log, for a person to review before ingesting.

    Fail-closed: columns that look personal, columns it does not recognise, and columns whose sampled values do
    not fit their header (names under "Org Name", birth dates under "Date") are listed under `dropped`. The draft
    holds header names only, never a cell: a file without a header row gets "column 1", "column 2", ...
    """
    path = Path(path)
    sample = read_sample(path)
    first = sample.records[0]
    has_header = not any(looks_like_data(cell) for cell in first)
    headers = [" ".join(cell.replace("\ufeff", "").split()) or f"column {i}" for i, cell in enumerate(first, 1)] \
        if has_header else [f"column {i}" for i in range(1, len(first) + 1)]
    rows = sample.records[1:] if has_header else sample.records
    mapped: dict[str, str] = {}
    dropped: list[tuple[str, str]] = []
    for index, header in enumerate(headers):
        role, why = _column_role(header, [row[index] for row in rows if index < len(row)], has_header)
        if role in mapped:
            role, why = None, "a second column for the same dimension"
        if role is None:
            dropped.append((header, why))
        else:
            mapped[role] = header
    return _proposal_text(path.name, path.stem, headers, has_header, mapped, dropped)


def _proposal_text(file_name: str, stem: str, headers: list[str], has_header: bool, mapped: dict[str, str],
                   dropped: list[tuple[str, str]]) -> str:
    if personal_kind(file_name):  # a file named after a person or a plate: its name is never written
        file_name, stem = "this file", "log"
    lines = [f"# Proposed by auditreport mapping init from {file_name}: REVIEW IT before ingesting.",
             "# Only the columns under [columns] are ever read; every column under dropped is never read.",
             "# Move a column out of dropped only if it holds no personal data (names, plates, case numbers,",
             "# search terms, user ids, free text other than the reason)."]
    profile = matching_profile(headers) if has_header else None
    if profile:
        lines.append(f"# This file has the columns of the shipped profile {profile!r}: --profile {profile} may do.")
    lines += [f"name = {_toml(stem + '-mapping')}",
              "# system = \"Name of the system searched\"   # or pass --system",
              "dropped = ["]
    lines += [f"    {_toml(header)},  # {why}" for header, why in dropped if not personal_kind(header)]
    lines.append("]")
    named = [headers.index(header) + 1 for header, _ in dropped if personal_kind(header)]
    if named:  # a header that names a person is not written here; a column the mapping does not list is never read
        lines.append(f"# Column(s) {', '.join(map(str, named))}: the header looks personal, so it is not written "
                     "here; the column is never read.")
    if not has_header:
        lines += ["# The file has no header row: its columns, in order.",
                  "layouts = [[" + ", ".join(_toml(header) for header in headers) + "]]"]
    lines += ["", "[columns]"]
    if "time" not in mapped:
        lines.append("# No column looked like a search time: name it here.")
        lines.append('time = "?"')
    for role in MAPPED_DIMENSIONS:
        if role in mapped:
            lines.append(f"{role} = {_toml(mapped[role])}  # {MAPPED_DIMENSIONS[role]}")
    if "agency" not in mapped:
        lines.append("# No agency column: pass --agency with the agency whose searches these are.")
    return "\n".join(lines) + "\n"
