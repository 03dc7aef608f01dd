"""The privacy corpus (issue 10, "nothing personal gets in"): invented personal values planted in every column of
every reader path, the commands that read them, and the check that finds a planted value in any text.

`write_corpus(root)` writes the input files under `root / "inputs"` and returns the cases to run: each case is one
command line, what it plants, and whether it must succeed, must be refused, or may do either (it must never echo
what it read). tests/test_privacy_corpus.py runs the cases in-process and reads every table, file and stream.

Every value below is invented: the names are nobody's, the SSN 078-05-1120 is the famous specimen number printed on
wallet inserts (never a real person's), 541-555-0187 is a 555 number, example.org is reserved.
"""
from __future__ import annotations

import csv
import html
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

PLANTED = ("Jonathan Q. Planted", "Maria Testcase", "Det. Rex Plantwell", "7ABC123", "PLT-4471", "CASE-2017-000981",
           "24-0051234", "078-05-1120", "078051120", "541-555-0187", "fakeuser@example.org", "DOB 03/07/1984",
           "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "a1b2c3d4e5f60718")
# parts that give a planted value away on their own (a surname, the distinctive digits of a number)
FRAGMENTS = ("Testcase", "Plantwell", "Q. Planted", "fakeuser", "ABC123", "PLT 4471", "000981", "0051234",
             "05-1120", "555-0187", "03/07/1984", "4f89-11d3", "0305e82c3301", "e5f60718")
NAMES = PLANTED[:3]
PLANTED_AGENCIES = ("Springfield PD - Ofc. Maria Testcase", "Jonathan Q. Planted", "Det. Rex Plantwell",
                    "Harbor PD 7ABC123", "PLT-4471", "CASE-2017-000981 Task Force", "24-0051234", "078-05-1120",
                    "Bayside SO 078051120", "Springfield PD 541-555-0187", "fakeuser@example.org",
                    "DOB 03/07/1984", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "a1b2c3d4e5f60718")
HEADER_CELL = "Officer 078-05-1120 fakeuser@example.org"  # a header cell that is itself personal
BAD_CELL = "Exempt - Jonathan Q. Planted 7ABC123"          # a word where a count is due: the reader must fail
NOTE_ROW = "Note: excludes searches by Det. Rex Plantwell"  # followed by numbers, so it looks like data
REQUEST = "CASE-2017-000981 Jonathan Q. Planted"
PLANTED_SYSTEM = "COPLINK user Maria Testcase"
PLANTED_FILE = "Maria Testcase 7ABC123"
PLANTED_SHEET = "Jonathan Q. Planted"
VERY_HIDDEN_SHEET = "Maria Testcase 7ABC123"

OK, REFUSED, EITHER = "ok", "refused", "either"


def planted_in(i: int, offset: int = 0) -> str:
    """The planted values in turn: a column filled with planted_in(row) holds every one of them."""
    return PLANTED[(i + offset) % len(PLANTED)]


# -- the check ------------------------------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")


def _normal(text: str) -> str:
    """Lower case, entities and %-escapes decoded, underscores as spaces, runs of white space as one space."""
    text = unicodedata.normalize("NFKC", html.unescape(text))
    if "%" in text:
        text = urllib.parse.unquote(text)
    text = _INVISIBLE.sub("", text).replace("_", " ").lower()
    return _SPACES.sub(" ", text)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text)


@dataclass(frozen=True)
class _Needle:
    value: str  # as planted
    spaced: str
    joined: str
    compact: str | None  # only for values with letters and at least 7 letters or digits (digits alone join falsely)


def _needles() -> list[_Needle]:
    needles = []
    for value in (*PLANTED, *FRAGMENTS):
        spaced = _normal(value)
        compact = _compact(spaced)
        needles.append(_Needle(value, spaced, spaced.replace(" ", ""),
                               compact if re.search("[a-z]", compact) and len(compact) >= 7 else None))
    return needles


NEEDLES = _needles()


@dataclass(frozen=True)
class Hit:
    value: str    # the planted value (or fragment) found
    snippet: str  # the text around it, normalised


def find_planted(text: str) -> list[Hit]:
    """Every planted value (or a fragment of one) in a text, in any case, spacing, wrapping or escaping.

    >>> [hit.value for hit in find_planted("Searched by JONATHAN Q.  PLANTED")]
    ['Jonathan Q. Planted']
    >>> [hit.value for hit in find_planted("case-2017-\\n000981")]
    ['CASE-2017-000981']
    >>> find_planted("unreviewed agency 3, 12 searches, ICE")
    []
    """
    if not text:
        return []
    return _without_covered(_hits(text))


def _without_covered(hits: list[Hit]) -> list[Hit]:
    """A fragment found beside the whole value it belongs to says nothing more: leave it out."""
    whole = [_compact(_normal(hit.value)) for hit in hits if hit.value in PLANTED]
    return [hit for hit in hits if hit.value in PLANTED or not any(_compact(_normal(hit.value)) in w for w in whole)]


def _hits(text: str) -> list[Hit]:
    spaced = _normal(text)
    joined = spaced.replace(" ", "")
    compact = None
    hits = []
    for needle in NEEDLES:
        at = spaced.find(needle.spaced)
        if at >= 0:
            hits.append(Hit(needle.value, spaced[max(0, at - 50):at + len(needle.spaced) + 50]))
            continue
        at = joined.find(needle.joined)
        if at >= 0:
            hits.append(Hit(needle.value, joined[max(0, at - 50):at + len(needle.joined) + 50]))
            continue
        if needle.compact:
            compact = _compact(spaced) if compact is None else compact
            at = compact.find(needle.compact)
            if at >= 0:
                hits.append(Hit(needle.value, compact[max(0, at - 50):at + len(needle.compact) + 50]))
    return hits


def find_planted_bytes(data: bytes) -> list[Hit]:
    """Planted values in the bytes of a binary file (a database on disk), as UTF-8 in any case."""
    lowered = data.lower()
    hits = []
    for needle in NEEDLES:
        for form in dict.fromkeys((needle.spaced, needle.joined)):
            at = lowered.find(form.encode("utf-8"))
            if at >= 0:
                around = lowered[max(0, at - 40):at + len(form) + 40].decode("latin-1")
                hits.append(Hit(needle.value, re.sub(r"[^\x20-\x7e]", ".", around)))
                break
    return _without_covered(hits)


# -- what to run ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """One command line of the corpus. `db` is the database it runs on (None: it opens none)."""

    name: str                       # what is planted where
    args: tuple[str, ...]           # the command line, without --db
    db: str | None
    expect: str = OK                # OK, REFUSED or EITHER
    inputs: tuple[str, ...] = ()    # the input files it reads (names under inputs/)


@dataclass
class Corpus:
    root: Path
    inputs: dict[str, Path] = field(default_factory=dict)  # name -> path
    ingests: list[Case] = field(default_factory=list)
    mapping_cases: list[Case] = field(default_factory=list)
    hidden_rows: dict[str, set[int]] = field(default_factory=dict)  # xlsx input -> 1-based rows hidden in it
    include_hidden: bool = False

    @property
    def databases(self) -> dict[str, Path]:
        return {key: self.root / "work" / f"{key}.duckdb" for key in ("logs", "tables", "xlsx-hidden")}

    def add(self, name: str, path: Path) -> Path:
        self.inputs[name] = path
        return path

    def ingest(self, name: str, files: list[str], options: list[str], db: str, expect: str = OK) -> None:
        self.ingests.append(Case(name, ("ingest", *(str(self.inputs[f]) for f in files), *options), db, expect,
                                 tuple(files)))


# -- writers --------------------------------------------------------------------------------------------------
def _write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return path


def _write_xlsx(path: Path, sheets: list[tuple[str, list[list[object]], str]], *, hidden_rows: set[int] = frozenset(),
                hidden_columns: tuple[str, ...] = (), creator: str | None = None) -> Path:
    """Sheets as (title, rows, state); hidden rows and columns apply to the first visible sheet."""
    import openpyxl
    from openpyxl.comments import Comment

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    first_visible = None
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        sheet.sheet_state = state
        if state == "visible" and first_visible is None:
            first_visible = sheet
    first_visible["A1"].comment = Comment(f"checked by {NAMES[2]}, {PLANTED[10]}", NAMES[1])
    for row in hidden_rows:
        first_visible.row_dimensions[row].hidden = True
    for column in hidden_columns:
        first_visible.column_dimensions[column].hidden = True
    workbook.active = workbook.sheetnames.index(first_visible.title)
    if creator:
        workbook.properties.creator = creator
        workbook.properties.title = f"Searches, prepared by {creator}"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


# -- audit logs -----------------------------------------------------------------------------------------------
NETWORK_14 = ["ID", "Name", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame",
              "License Plate", "Reason", "Case #", "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]
NETWORK_12 = [h for h in NETWORK_14 if h not in ("Name", "License Plate")]
NETWORK_11 = ["Name", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame", "License Plate",
              "Reason", "Case #", "Filters", "Search Time", "Search Type"]
LOG_DAYS = 92  # 2025-10-01 to 2025-12-31: a whole quarter
CLEAN_LOG_AGENCIES = ("Springfield PD", "U.S. Border Patrol", "Shelbyville County SO", "ICE HSI Boston",
                      "Harbor County Sheriff's Office")
REASON_PREFIXES = ("ICE+ERO", "assist HSI", "Stolen vehicle", "immigration hold", "case", "BOLO")
CLEAN_REASONS = ("Stolen vehicle", "investigation", "Robbery suspect", "***", "")
SEARCH_TYPES = ("lookup", "search", "convoy", "plate 7ABC123", "Maria Testcase")


def _flock_time(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y, %I:%M:%S %p") + " UTC"


def _reason(i: int) -> str:
    if i % 3 == 0:
        return CLEAN_REASONS[i // 3 % len(CLEAN_REASONS)]
    return f"{REASON_PREFIXES[i % len(REASON_PREFIXES)]} {planted_in(i)}"


def _network_row(i: int, agencies: tuple[str, ...] = CLEAN_LOG_AGENCIES, *, planted_agencies: bool = True
                 ) -> dict[str, str]:
    moment = datetime(2025, 10, 1, 8) + timedelta(days=i // 2, hours=7 * (i % 2), minutes=i % 50)
    agency = agencies[i % len(agencies)]
    if planted_agencies and i % 4 == 3:
        agency = PLANTED_AGENCIES[i // 4 % len(PLANTED_AGENCIES)]
    search_type = SEARCH_TYPES[i % len(SEARCH_TYPES)] if i % 5 != 4 else planted_in(i, 5)
    return {"ID": planted_in(i), "Name": planted_in(i, 1), "Org Name": agency,
            "Total Networks Searched": str(1 + i % 3), "Total Devices Searched": str(40 + i % 90),
            "Time Frame": f"{_flock_time(moment - timedelta(days=1 + i % 40))}\n{_flock_time(moment)}",
            "License Plate": planted_in(i, 2), "Reason": _reason(i), "Case #": planted_in(i, 3),
            "Filters": f"plate:{planted_in(i, 4)} name:{planted_in(i, 5)}",
            "Search Time": _flock_time(moment + timedelta(minutes=3)), "Search Type": search_type,
            "Text Prompt": f"red pickup near Elm {planted_in(i, 6)}", "Moderation": f"allow {planted_in(i, 7)}"}


def _log_rows(header: list[str], *, with_header: bool = True, names_first: bool = False,
              agencies: tuple[str, ...] = CLEAN_LOG_AGENCIES, redacted: bool = False,
              planted_agencies: bool = True) -> list[list[str]]:
    rows = []
    for i in range(LOG_DAYS * 2):
        row = _network_row(i, agencies, planted_agencies=planted_agencies)
        if redacted and i % 7 == 0:
            row.update({key: "***" for key in ("Name", "License Plate", "Reason", "Case #")})
        if names_first and i == 0:  # a headerless file whose first row has names where agencies belong
            row.update({"Org Name": NAMES[0], "Search Type": NAMES[1], "Reason": NAMES[2], "Name": NAMES[0]})
        rows.append([row[h] for h in header])
    return ([list(header)] if with_header else []) + rows


def _search_audit_rows() -> list[list[str]]:
    rows = [["id", "userId", "searchDate", "cameraCount", "reason"]]
    for i in range(LOG_DAYS * 2):
        moment = datetime(2025, 10, 1, 9) + timedelta(days=i // 2, hours=5 * (i % 2), minutes=i % 50)
        rows.append([planted_in(i), planted_in(i, 3), moment.strftime("%Y-%m-%d %H:%M:%S.000"), str(60 + i % 40),
                     _reason(i)])
    return rows


CUSTOM_HEADER = ["Query Date", "Requesting Agency", "Officer", "Plate", "Case Number", "Purpose", "Search Type",
                 HEADER_CELL, "Date of Birth", "User ID"]


def _custom_log_rows(*, with_header: bool = True) -> list[list[str]]:
    rows = []
    for i in range(LOG_DAYS * 2):
        moment = datetime(2025, 10, 1, 10) + timedelta(days=i // 2, hours=4 * (i % 2), minutes=i % 50)
        row = _network_row(i)
        rows.append([moment.strftime("%Y-%m-%d %H:%M:%S"), row["Org Name"], planted_in(i), planted_in(i, 1),
                     planted_in(i, 2), _reason(i), row["Search Type"], planted_in(i, 4), "03/07/1984",
                     planted_in(i, 5)])
    if not with_header:
        rows[0][1:3] = [NAMES[0], NAMES[1]]
    return ([list(CUSTOM_HEADER)] if with_header else []) + rows


# headers that read as headers (no digits) and name people: `mapping init` must not print them
NAMED_HEADER = ["Query Date", "Requesting Agency", NAMES[2], NAMES[0], f"Reviewed by {NAMES[1]}", "Purpose",
                "Search Type"]


def _named_header_rows() -> list[list[str]]:
    return [list(NAMED_HEADER)] + [[row[0], row[1], row[2], row[3], row[4], row[5], row[6]]
                                   for row in _custom_log_rows()[1:]]


REVIEWED_MAPPING = f"""name = "county-rms-reviewed"
system = "County RMS"
dropped = ["Officer", "Plate", "Case Number", "{HEADER_CELL}", "Date of Birth", "User ID"]

[columns]
time = "Query Date"
agency = "Requesting Agency"
reason = "Purpose"
query_type = "Search Type"
"""
# reason rules of the user's own, naming an officer and a plate (only the category may ever be kept)
RULES = f"""[[rule]]
category = "assist"
words = ["{NAMES[2]}", "{PLANTED[4]}", "{NAMES[1]}"]
"""
# a mapping that puts the officers' column where the agency belongs
NAMES_AS_AGENCY_MAPPING = REVIEWED_MAPPING.replace('"Officer", ', "").replace(
    'agency = "Requesting Agency"', 'agency = "Officer"').replace("county-rms-reviewed", "officers-as-agencies")


def _write_logs(corpus: Corpus) -> None:
    logs = corpus.root / "inputs" / "logs"
    add, ingest = corpus.add, corpus.ingest
    network = ["--profile", "flock-network-audit"]
    organization = ["--profile", "flock-organization-audit"]
    add("network-full.csv", _write_csv(logs / "network-full.csv", _log_rows(NETWORK_14)))
    ingest("network audit, 14 columns with a header: every column planted", ["network-full.csv"],
           [*network, "--tz", "America/Chicago", "--retention-days", "3"], "logs")
    add("network-12.csv", _write_csv(logs / "network-12.csv", _log_rows(NETWORK_12)))
    ingest("network audit without Name and License Plate (December 2025 export)", ["network-12.csv"],
           [*network, "--complete"], "logs")
    add("network-11.csv", _write_csv(logs / "network-11.csv", _log_rows(NETWORK_11)))
    ingest("network audit, 11-column layout", ["network-11.csv"], network, "logs")
    for width, header in ((14, NETWORK_14), (12, NETWORK_12), (11, NETWORK_11)):
        name = f"network-headerless-{width}.csv"
        add(name, _write_csv(logs / name, _log_rows(header, with_header=False, names_first=True)))
        ingest(f"network audit without a header row ({width} columns), names where agencies belong in row 1",
               [name], [*network, "--source-tz", "UTC"], "logs", EITHER)
    add("network-bom-redacted.csv", logs / "network-bom-redacted.csv")
    _write_csv(logs / "network-bom-redacted.csv", _log_rows(NETWORK_14, redacted=True), encoding="utf-8-sig")
    ingest("network audit with a byte-order mark and *** cells", ["network-bom-redacted.csv"], network, "logs")
    springfield = ("Springfield PD",)
    add("organization-full.csv", _write_csv(logs / "organization-full.csv",
                                            _log_rows(NETWORK_14, agencies=springfield)))
    ingest("organization audit, 14 columns with a header", ["organization-full.csv"],
           [*organization, "--retention-days", "30"], "logs")
    add("organization-headerless-12.csv", _write_csv(logs / "organization-headerless-12.csv",
                                                     _log_rows(NETWORK_12, with_header=False, names_first=True,
                                                               agencies=springfield)))
    ingest("organization audit without a header row (12 columns)", ["organization-headerless-12.csv"],
           organization, "logs", EITHER)
    add("organization-headerless-14.csv", _write_csv(logs / "organization-headerless-14.csv",
                                                     _log_rows(NETWORK_14, with_header=False, agencies=springfield,
                                                               planted_agencies=False)))
    ingest("organization audit without a header row (14 columns), every other column planted",
           ["organization-headerless-14.csv"], [*organization, "--complete"], "logs")
    add("search-audit.csv", _write_csv(logs / "search-audit.csv", _search_audit_rows()))
    ingest("transparency-portal search audit: id, userId, reason planted", ["search-audit.csv"],
           ["--profile", "flock-search-audit", "--agency", "Springfield PD", "--source-tz", "UTC"], "logs")

    # an unknown log: `mapping init` proposes a mapping; a reviewed one is ingested
    add("county-rms-log.csv", _write_csv(logs / "county-rms-log.csv", _custom_log_rows()))
    add("county-rms-headerless.csv", _write_csv(logs / "county-rms-headerless.csv",
                                                _custom_log_rows(with_header=False)))
    add("named-header-log.csv", _write_csv(logs / "named-header-log.csv", _named_header_rows()))
    add(f"{PLANTED_FILE}.csv", _write_csv(logs / f"{PLANTED_FILE}.csv", _custom_log_rows()))
    proposed = corpus.root / "work" / "proposed-county-rms.toml"
    proposed_named_header = corpus.root / "work" / "proposed-named-header.toml"
    proposed_headerless = corpus.root / "work" / "proposed-headerless.toml"
    proposed_named = corpus.root / "work" / "proposed-named.toml"
    for name, args, expect in (
            ("mapping init of an unknown log with a personal header cell (printed)",
             ("mapping", "init", str(corpus.inputs["county-rms-log.csv"])), OK),
            ("mapping init of an unknown log, written to a file",
             ("mapping", "init", str(corpus.inputs["county-rms-log.csv"]), "--out", str(proposed)), OK),
            ("mapping init of an unknown log whose header names people (printed)",
             ("mapping", "init", str(corpus.inputs["named-header-log.csv"])), OK),
            ("mapping init of an unknown log whose header names people, written to a file",
             ("mapping", "init", str(corpus.inputs["named-header-log.csv"]), "--out", str(proposed_named_header)), OK),
            ("mapping init of a headerless unknown log with names in row 1",
             ("mapping", "init", str(corpus.inputs["county-rms-headerless.csv"])), OK),
            ("mapping init of a headerless unknown log, written to a file",
             ("mapping", "init", str(corpus.inputs["county-rms-headerless.csv"]), "--out", str(proposed_headerless)),
             OK),
            ("mapping init of a log whose file name is personal",
             ("mapping", "init", str(corpus.inputs[f"{PLANTED_FILE}.csv"])), EITHER),
            ("mapping init of a log whose file name is personal, written to a file",
             ("mapping", "init", str(corpus.inputs[f"{PLANTED_FILE}.csv"]), "--out", str(proposed_named)), EITHER),
            ("mapping init of a path that does not exist, named after a person",
             ("mapping", "init", str(logs / NAMES[0] / f"{PLANTED_FILE}.csv")), REFUSED)):
        corpus.mapping_cases.append(Case(name, args, None, expect, (Path(args[2]).name,)))
    ingest("unknown log ingested with the mapping `mapping init` proposed", ["county-rms-log.csv"],
           ["--mapping", str(proposed), "--system", "County RMS"], "logs", EITHER)
    ingest("unknown log whose header names people, with the mapping `mapping init` proposed",
           ["named-header-log.csv"], ["--mapping", str(proposed_named_header), "--system", "County RMS (named)"],
           "logs", EITHER)
    add("reviewed-mapping.toml", logs / "reviewed-mapping.toml").write_text(REVIEWED_MAPPING, "utf-8")
    ingest("unknown log with a reviewed mapping that drops a personal header", ["county-rms-log.csv"],
           ["--mapping", str(logs / "reviewed-mapping.toml"), "--system", "County RMS (reviewed)"], "logs")
    add("officers-as-agencies.toml", logs / "officers-as-agencies.toml").write_text(NAMES_AS_AGENCY_MAPPING, "utf-8")
    add("county-rms-log-2.csv", _write_csv(logs / "county-rms-log-2.csv", _custom_log_rows()[:-1]))  # other bytes
    ingest("unknown log with a mapping that reads officers' names as agencies", ["county-rms-log-2.csv"],
           ["--mapping", str(logs / "officers-as-agencies.toml"), "--system", "County RMS"], "logs", EITHER)
    # a mapping and reason rules kept in files (and folders) named after people: their paths are names too
    named_mapping = logs / NAMES[2] / f"{NAMES[1]} mapping.toml"
    named_mapping.parent.mkdir()
    add("named-mapping.toml", named_mapping).write_text(REVIEWED_MAPPING, "utf-8")
    add("county-rms-log-3.csv", _write_csv(logs / "county-rms-log-3.csv", _custom_log_rows()[:-2]))
    ingest("unknown log read with a mapping file named after people", ["county-rms-log-3.csv"],
           ["--mapping", str(named_mapping)], "logs", EITHER)
    rules = logs / NAMES[0] / f"rules {PLANTED[3]}.toml"
    rules.parent.mkdir()
    add("named-rules.toml", rules).write_text(RULES, "utf-8")
    add("search-audit-2.csv", _write_csv(logs / "search-audit-2.csv", _search_audit_rows()[:-1]))
    ingest("search audit read with reason rules in a file named after people (the rules name a person too)",
           ["search-audit-2.csv"], ["--profile", "flock-search-audit", "--agency", "Springfield PD", "--reason-rules",
                                    str(rules)], "logs", EITHER)
    ingest("a log whose file name is personal", [f"{PLANTED_FILE}.csv"],
           ["--mapping", str(logs / "reviewed-mapping.toml"), "--system", "County RMS"], "logs", REFUSED)

    # refusals: options a person typed, and cells that make the reader fail
    ingest("--request with a case number and a name", ["search-audit.csv"],
           ["--profile", "flock-search-audit", "--agency", "Springfield PD", "--source-tz", "UTC", "--request",
            REQUEST, "--system", "Flock ALPR (search audit, requested)"], "logs", REFUSED)
    ingest("--agency that is a person", ["search-audit.csv"],
           ["--profile", "flock-search-audit", "--agency", NAMES[0], "--system", "Flock ALPR (person)"], "logs",
           REFUSED)
    ingest("--system that names a user", ["network-12.csv"], [*network, "--system", PLANTED_SYSTEM], "logs", REFUSED)
    bad_time = _search_audit_rows()
    for i, row in enumerate(bad_time[1:6]):
        row[2] = planted_in(i)
    add("search-audit-names-in-time.csv", _write_csv(logs / "search-audit-names-in-time.csv", bad_time))
    ingest("search audit with names where the time is due", ["search-audit-names-in-time.csv"],
           ["--profile", "flock-search-audit", "--agency", "Springfield PD"], "logs", REFUSED)
    bad_count = _search_audit_rows()
    bad_count[5][3] = BAD_CELL
    add("search-audit-bad-camera-count.csv", _write_csv(logs / "search-audit-bad-camera-count.csv", bad_count))
    ingest("search audit with a name where the camera count is due", ["search-audit-bad-camera-count.csv"],
           ["--profile", "flock-search-audit", "--agency", "Springfield PD"], "logs", EITHER)
    bad_networks = _log_rows(NETWORK_14)
    bad_networks[9][3] = BAD_CELL
    add("network-bad-networks-count.csv", _write_csv(logs / "network-bad-networks-count.csv", bad_networks))
    ingest("network audit with a name where the number of networks is due", ["network-bad-networks-count.csv"],
           network, "logs", EITHER)
    bad_frame = _log_rows(NETWORK_14)
    bad_frame[4][5] = f"{NAMES[0]}\n{PLANTED[3]}"
    add("network-bad-time-frame.csv", _write_csv(logs / "network-bad-time-frame.csv", bad_frame))
    ingest("network audit with a name in the Time Frame", ["network-bad-time-frame.csv"],
           [*network, "--retention-days", "3", "--system", "Flock ALPR (bad frame)"], "logs", EITHER)
    bad_search_time = _log_rows(NETWORK_14)
    bad_search_time[3][10] = BAD_CELL
    add("network-bad-search-time.csv", _write_csv(logs / "network-bad-search-time.csv", bad_search_time))
    ingest("network audit with a name where the Search Time is due", ["network-bad-search-time.csv"],
           [*network, "--system", "Flock ALPR (bad time)"], "logs", REFUSED)
    ragged = _log_rows(NETWORK_14)
    ragged[7].append(f"{NAMES[0]} {PLANTED[3]}")
    add("network-ragged-row.csv", _write_csv(logs / "network-ragged-row.csv", ragged))
    ingest("network audit with a row one cell too long", ["network-ragged-row.csv"],
           [*network, "--system", "Flock ALPR (ragged)"], "logs", REFUSED)
    no_time = _log_rows(NETWORK_14)
    no_time[0][10] = HEADER_CELL
    add("network-personal-header.csv", _write_csv(logs / "network-personal-header.csv", no_time))
    ingest("network audit whose Search Time header is personal", ["network-personal-header.csv"], network, "logs",
           REFUSED)
    odd = _log_rows(NETWORK_14, with_header=False, names_first=True)
    odd = [row[:13] for row in odd]
    add("network-headerless-13.csv", _write_csv(logs / "network-headerless-13.csv", odd))
    ingest("headerless log of a width no layout has, names in row 1", ["network-headerless-13.csv"], network,
           "logs", REFUSED)
    corpus.inputs["missing-log"] = logs / NAMES[0] / f"{PLANTED_FILE}.csv"
    ingest("a log path that does not exist, named after a person", ["missing-log"], network, "logs", REFUSED)


# -- count tables ---------------------------------------------------------------------------------------------
MONTHS = ("2017-01", "2017-02", "2017-03", "2017-04", "2017-05", "2017-06")
WIDE_MONTHS = ("Jan-17", "Feb-17", "Mar-17", "Apr-17", "May-17", "Jun-17")
CLEAN_AGENCIES = ("ICE - HSI", "Tucson PD", "Pima County Sheriff's Department", "FBI")
TITLE = [f"Queries by outside agencies, prepared by {NAMES[2]}"], [f"Records request {REQUEST}"]
FOOTNOTES = ([f"* Queries by {PLANTED[10]} were excluded; SSN {PLANTED[7]} was on file."],
             [f"1. {NAMES[1]} ({PLANTED[9]}) reviewed the {PLANTED[5]} figures."],
             [f"Source: {NAMES[0]}, {PLANTED[11]}, user {PLANTED[12]}"])
# dimension -> header aliases a count table may use (auditreport/model.py, table_header.LONG_ALIASES)
AGENCY_HEADERS = ("agency", "searching agency", "requesting agency", "outside agency", "org name", "organization",
                  "organisation", "department", "agency name", "user agency")
SYSTEM_HEADERS = ("system", "database", "network", "system searched")
REASON_HEADERS = ("reason category", "reason_category", "purpose", "purpose code", "category")
TYPE_HEADERS = ("query type", "query_type", "search type", "type of search", "type")
CITATION_HEADERS = ("citation", "published in", "published by")


def _count(row: int, column: int) -> int:
    return 1 + (row * 7 + column * 3) % 23


def _long(extra: list[tuple[str, object]], *, agencies=CLEAN_AGENCIES, agency_header: str = "Agency",
          title: bool = False, footnotes: bool = False) -> list[list[object]]:
    """A long table (agency, period, searches), with extra columns: (header, value or function of the row)."""
    rows = [list(line) for line in TITLE] if title else []
    rows.append([agency_header, "Period", "Searches", *(header for header, _ in extra)])
    r = 0
    for agency in agencies:
        for month in MONTHS:
            cells = [value(r) if callable(value) else value for _, value in extra]
            rows.append([agency, month, _count(r, 0), *cells])
            r += 1
    if footnotes:
        rows += [[], *(list(line) for line in FOOTNOTES)]
    return rows


def _wide(labels: list[tuple[str, object]] | None = None, *, agencies=CLEAN_AGENCIES, agency_header: str = "Agency",
          total: bool = True, title: bool = False, footnotes: bool = False) -> list[list[object]]:
    """A wide table: agencies down the side (and label columns), months across, a total column and row."""
    labels = labels or []
    rows = [list(line) for line in TITLE] if title else []
    rows.append([agency_header, *(header for header, _ in labels), *WIDE_MONTHS, *(["Total"] if total else [])])
    sums = [0] * len(WIDE_MONTHS)
    for r, agency in enumerate(agencies):
        counts = [_count(r, c) for c in range(len(WIDE_MONTHS))]
        sums = [a + b for a, b in zip(sums, counts)]
        rows.append([agency, *(value(r) if callable(value) else value for _, value in labels), *counts,
                     *([sum(counts)] if total else [])])
    rows.append(["Total", *([""] * len(labels)), *sums, *([sum(sums)] if total else [])])
    if footnotes:
        rows += [[], *(list(line) for line in FOOTNOTES)]
    return rows


PERSONAL_COLUMNS = [("Officer", lambda r: planted_in(r)), ("Case number", lambda r: planted_in(r, 5)),
                    ("Plate searched", lambda r: planted_in(r, 3)), (HEADER_CELL, lambda r: planted_in(r, 9))]
LONG_PERSONAL = [("Officer", lambda r: planted_in(r)), ("Case number", lambda r: planted_in(r, 5)),
                 ("Plate searched", lambda r: planted_in(r, 3)), (HEADER_CELL, lambda r: planted_in(r, 9)),
                 ("Requested by", lambda r: planted_in(r, 11))]


def _reason_text(r: int) -> str:
    return ("immigration", "Assist ICE", "other")[r % 3] if r % 2 else f"{REASON_PREFIXES[r % 6]} {planted_in(r)}"


def _type_text(r: int) -> str:
    return ("vehicle", "person")[r % 2] if r % 3 == 0 else (f"plate {planted_in(r)}" if r % 2 else planted_in(r))


def _citation_text(r: int) -> str:
    return "DHS OIG report 2019" if r % 3 == 0 else (f"Published by {planted_in(r)}" if r % 2 else planted_in(r))


def _write_tables(corpus: Corpus) -> None:
    folder = corpus.root / "inputs" / "tables"
    add, ingest = corpus.add, corpus.ingest
    coplink = ["--system", "Regional COPLINK"]

    def table(name: str, rows, what: str, expect: str = OK, options=None, **kwargs) -> None:
        add(name, _write_csv(folder / name, rows, **kwargs))
        ingest(what, [name], coplink if options is None else options, "tables", expect)

    table("long_all_dimensions.csv",
          _long([("System", "Regional COPLINK"), ("Purpose", _reason_text), ("Type of search", _type_text),
                 ("Published by", _citation_text), *LONG_PERSONAL], title=True, footnotes=True)
          + [["Subtotal (Jonathan Q. Planted 7ABC123)", "2017-01", 9, "Regional COPLINK"]],
          "long table with every dimension column, personal columns, title lines and footnotes", options=[])
    table("long_agency_names.csv", _long([], agencies=CLEAN_AGENCIES + PLANTED_AGENCIES),
          "long table, planted values in the agency column")
    for alias in AGENCY_HEADERS:
        name = f"long_agency_header_{alias.replace(' ', '_')}.csv"
        table(name, _long([], agencies=PLANTED_AGENCIES[:4] + CLEAN_AGENCIES[:1], agency_header=alias),
              f"long table, agency column headed {alias!r}, names in it")
    for alias in REASON_HEADERS:
        table(f"long_reason_{alias.replace(' ', '_')}.csv", _long([(alias, _reason_text)]),
              f"long table, reason text in a {alias!r} column")
    for alias in TYPE_HEADERS:
        table(f"long_type_{alias.replace(' ', '_')}.csv", _long([(alias, _type_text)]),
              f"long table, planted search types in a {alias!r} column")
    for alias in CITATION_HEADERS:
        table(f"long_citation_{alias.replace(' ', '_')}.csv", _long([(alias, _citation_text)]),
              f"long table, planted citations in a {alias!r} column")
    for alias in SYSTEM_HEADERS:
        table(f"long_system_{alias.replace(' ', '_')}.csv",
              _long([(alias, lambda r: PLANTED_SYSTEM if r == 3 else "Regional COPLINK")]),
              f"long table, a user's name in the {alias!r} column", REFUSED, options=[])
    rules = folder / NAMES[0] / f"rules {PLANTED[3]}.toml"
    rules.parent.mkdir(parents=True)
    add("table-rules.toml", rules).write_text(RULES, "utf-8")
    table("long_reason_with_named_rules.csv", _long([("purpose", lambda r: _reason_text(r + 1))]),
          "long table, reason text, read with reason rules in a file named after people", EITHER,
          options=[*coplink, "--reason-rules", str(rules)])
    table("long_personal_columns.csv", _long(LONG_PERSONAL), "long table, personal columns that are never read")
    table("long_subtotal_rows.csv", _long([]) + [["Total (Jonathan Q. Planted 7ABC123)", "2017-01", 40],
                                                ["Subtotal (Maria Testcase PLT-4471)", "2017-02", 12],
                                                ["Federal total - Det. Rex Plantwell", "2017-03", 30]],
          "long table, total and subtotal rows labelled with names")
    table("long_note_rows.csv", _long([]) + [[NOTE_ROW, 2, 1], [f"* {NAMES[0]} {PLANTED[3]}", 4, 3]],
          "long table, note rows with numbers after the data", EITHER)
    table("long_footnotes.csv", _long([], title=True, footnotes=True), "long table, title lines and footnotes")
    bad = _long([])
    bad[5][2] = BAD_CELL
    table("long_bad_count.csv", bad, "long table, a name where a count is due", REFUSED)
    bad = _long([])
    bad[3][1] = f"{NAMES[0]} {PLANTED[3]}"
    table("long_bad_period.csv", bad, "long table, a name where the period is due", REFUSED)
    table("long_bad_measure.csv", _long([("Measure", lambda r: NAMES[1] if r == 4 else "searches")]),
          "long table, a name in the measure column", REFUSED)
    table("long_bad_share.csv", _long([("Share", lambda r: BAD_CELL if r == 2 else "10%")]),
          "long table, a name in a share column", REFUSED)

    table("wide_label_columns.csv", _wide(PERSONAL_COLUMNS, title=True, footnotes=True),
          "wide table, personal label columns (never read), title lines and footnotes")
    table("wide_agency_names.csv", _wide(agencies=CLEAN_AGENCIES + PLANTED_AGENCIES),
          "wide table, planted values in the agency label column")
    for alias in AGENCY_HEADERS[1::3]:  # the wide reader finds its label columns as the long one does
        table(f"wide_agency_header_{alias.replace(' ', '_')}.csv",
              _wide(agencies=PLANTED_AGENCIES[:4] + CLEAN_AGENCIES[:1], agency_header=alias),
              f"wide table, agency column headed {alias!r}, names in it")
    table("wide_unnamed_first_column.csv", _wide(agencies=PLANTED_AGENCIES + CLEAN_AGENCIES, agency_header=""),
          "wide table, unnamed first column holding names")
    for alias in SYSTEM_HEADERS:
        table(f"wide_system_{alias.replace(' ', '_')}.csv",
              _wide([(alias, lambda r: PLANTED_SYSTEM if r == 1 else "Regional COPLINK")]),
              f"wide table, a user's name in the {alias!r} label column", REFUSED, options=[])
    rows = _wide()
    rows[-1:-1] = [["Subtotal (Jonathan Q. Planted 7ABC123)", *range(1, 8)],
                   ["Federal total - Det. Rex Plantwell", *range(1, 8)]]
    rows.append(["Total (Maria Testcase PLT-4471)", *range(10, 17)])
    table("wide_subtotal_rows.csv", rows, "wide table, subtotal and total rows labelled with names")
    rows = _wide() + [[NOTE_ROW, 2, 1], [f"* {NAMES[0]} {PLANTED[3]}", 4, 3, 2], [f"1. {PLANTED[10]}", 5]]
    table("wide_note_rows.csv", rows, "wide table, note rows with numbers after the data", EITHER)
    rows = _wide()
    rows[0][3] = HEADER_CELL
    table("wide_personal_period_header.csv", rows, "wide table, a personal header cell among the periods", EITHER)
    rows = _wide(total=False)
    rows[0].append(f"Total {NAMES[0]}")
    for row in rows[1:]:
        row.append(sum(cell for cell in row[1:] if isinstance(cell, int)))
    table("wide_total_column_named.csv", rows, "wide table, a total column whose header holds a name", EITHER)
    rows = _wide()
    rows[2][2] = BAD_CELL
    table("wide_bad_cell.csv", rows, "wide table, a name where a count is due", REFUSED)
    rows = _wide(agencies=CLEAN_AGENCIES + CLEAN_AGENCIES)
    for r in range(1, 9):
        rows[r][1 + r % 6] = f"Exempt - {planted_in(r)}"
    table("wide_many_bad_cells.csv", rows, "wide table, every planted value in a bad cell", REFUSED)
    rows = _wide()
    rows[2].append(f"{NAMES[0]} {PLANTED[3]}")
    table("wide_ragged_row.csv", rows, "wide table, a row one cell too long", REFUSED)
    add("wide_unclosed_quote.csv", folder / "wide_unclosed_quote.csv").write_text(
        "Agency,Jan-17,Feb-17\nTucson PD,1,2\n\"Jonathan Q. Planted 7ABC123,3,4\nFBI,5,6\n", "utf-8")
    ingest("wide table, a quote never closed before a name", ["wide_unclosed_quote.csv"], coplink, "tables", REFUSED)
    table("wide_semicolon.csv", _wide(agencies=PLANTED_AGENCIES[:6] + CLEAN_AGENCIES),
          "wide table, semicolon delimited, names as agencies", delimiter=";")
    table("wide_cp1252.csv", _wide(agencies=("Müller Maria Testcase", *PLANTED_AGENCIES[:5], *CLEAN_AGENCIES)),
          "wide table in cp1252, names as agencies", encoding="cp1252")
    one_agency = [["Month", "Searches", "Officer"]] + [[m, _count(r, 0), planted_in(r)] for r, m in enumerate(MONTHS)]
    add("one_agency.csv", _write_csv(folder / "one_agency.csv", one_agency))
    ingest("one-agency table with --agency that is a person", ["one_agency.csv"], [*coplink, "--agency", NAMES[0]],
           "tables", REFUSED)
    add("system_clean.csv", _write_csv(folder / "system_clean.csv", _wide(agencies=CLEAN_AGENCIES[1:])))
    ingest("--system that names a user", ["system_clean.csv"], ["--system", PLANTED_SYSTEM], "tables", REFUSED)
    ingest("--system that names a user, on a file ingested before", ["wide_agency_names.csv"],
           ["--system", PLANTED_SYSTEM], "tables", EITHER)
    add("request_clean.csv", _write_csv(folder / "request_clean.csv", _wide(agencies=CLEAN_AGENCIES[:2])))
    ingest("--request with a case number and a name", ["request_clean.csv"], [*coplink, "--request", REQUEST],
           "tables", REFUSED)
    ingest("--request on a file ingested before", ["long_footnotes.csv"], [*coplink, "--request", REQUEST],
           "tables", EITHER)
    add(f"{PLANTED_FILE}.csv", _write_csv(folder / f"{PLANTED_FILE}.csv", _wide(agencies=CLEAN_AGENCIES[1:3])))
    ingest("a count table whose file name is personal", [f"{PLANTED_FILE}.csv"], coplink, "tables", REFUSED)
    copy = folder / NAMES[1] / f"{PLANTED_FILE}.csv"  # the same bytes as a file already ingested
    copy.parent.mkdir()
    add("copy-with-personal-name", copy).write_bytes(corpus.inputs["long_footnotes.csv"].read_bytes())
    ingest("a personal file name on bytes ingested before", ["copy-with-personal-name"], coplink, "tables", EITHER)
    in_folder = folder / NAMES[0] / "wide_in_named_folder.csv"
    add("wide_in_named_folder.csv", _write_csv(in_folder, _wide(agencies=CLEAN_AGENCIES[:3])))
    ingest("a count table in a folder named after a person", ["wide_in_named_folder.csv"],
           [*coplink, "--request", "R-2019-0412"], "tables")
    corpus.inputs["missing-table"] = folder / NAMES[0] / f"{PLANTED_FILE} missing.csv"
    ingest("a count table path that does not exist, named after a person", ["missing-table"], coplink, "tables",
           REFUSED)


def _write_workbooks(corpus: Corpus, include_hidden: bool) -> None:
    folder = corpus.root / "inputs" / "xlsx"
    add, ingest = corpus.add, corpus.ingest
    coplink = ["--system", "Regional COPLINK"]
    hidden_table = _wide(PERSONAL_COLUMNS, agencies=PLANTED_AGENCIES, title=True, footnotes=True)
    visible = _wide([("Officer", lambda r: planted_in(r)), ("Case number", lambda r: planted_in(r, 5))],
                    agencies=CLEAN_AGENCIES)
    # rows 3-4 of the visible sheet are hidden and hold names where agencies belong, with counts
    visible[3:3] = [[PLANTED_AGENCIES[0], NAMES[0], PLANTED[5], *range(5, 12)],
                    [PLANTED_AGENCIES[1], NAMES[1], PLANTED[6], *range(2, 9)]]
    hidden_rows = {4, 5}
    add("xlsx_planted_sheet_name.xlsx", _write_xlsx(folder / "xlsx_planted_sheet_name.xlsx",
                                                    [(PLANTED_SHEET, _wide(PERSONAL_COLUMNS,
                                                                           agencies=CLEAN_AGENCIES + PLANTED_AGENCIES,
                                                                           footnotes=True), "visible")],
                                                    creator=NAMES[1]))
    ingest("workbook whose only sheet is named after a person", ["xlsx_planted_sheet_name.xlsx"], coplink, "tables")
    ingest("--sheet naming a person", ["xlsx_planted_sheet_name.xlsx"],
           ["--system", "Regional COPLINK (sheet)", "--sheet", PLANTED_SHEET], "tables", EITHER)
    add("xlsx_hidden_content.xlsx", _write_xlsx(folder / "xlsx_hidden_content.xlsx",
                                                [("Counts", visible, "visible"),
                                                 (PLANTED_SHEET, hidden_table, "hidden"),
                                                 (VERY_HIDDEN_SHEET, hidden_table, "veryHidden")],
                                                hidden_rows=hidden_rows, hidden_columns=("B", "C"), creator=NAMES[0]))
    corpus.hidden_rows["xlsx_hidden_content.xlsx"] = hidden_rows
    ingest("workbook with hidden rows, hidden columns, a hidden and a very hidden sheet (default)",
           ["xlsx_hidden_content.xlsx"], coplink, "tables")
    ingest("--sheet naming a hidden sheet", ["xlsx_hidden_content.xlsx"],
           ["--system", "Regional COPLINK (hidden sheet)", "--sheet", PLANTED_SHEET], "tables", EITHER)
    ingest("--sheet that does not exist (the error may list the sheets)", ["xlsx_hidden_content.xlsx"],
           [*coplink, "--sheet", "No such sheet"], "tables", REFUSED)
    add("xlsx_hidden_first_sheet.xlsx", _write_xlsx(folder / "xlsx_hidden_first_sheet.xlsx",
                                                    [(NAMES[2], hidden_table, "hidden"),
                                                     ("Counts", _wide(agencies=CLEAN_AGENCIES[1:]), "visible")]))
    ingest("workbook whose first sheet is hidden and named after a person", ["xlsx_hidden_first_sheet.xlsx"],
           ["--system", "Regional COPLINK (first hidden)"], "tables", EITHER)
    long_rows = _long([("System", "Regional COPLINK"), ("Purpose", _reason_text), ("Type of search", _type_text),
                       ("Published by", _citation_text), *LONG_PERSONAL],
                      agencies=CLEAN_AGENCIES + PLANTED_AGENCIES[:3], title=True, footnotes=True)
    add("xlsx_long_all_dimensions.xlsx", _write_xlsx(folder / "xlsx_long_all_dimensions.xlsx",
                                                     [("Long", long_rows, "visible")]))
    ingest("workbook, long table with every dimension column", ["xlsx_long_all_dimensions.xlsx"], [], "tables")
    bad = _wide(agencies=CLEAN_AGENCIES)
    bad[3][4] = BAD_CELL
    add("xlsx_bad_cell.xlsx", _write_xlsx(folder / "xlsx_bad_cell.xlsx", [("Counts", bad, "visible")]))
    ingest("workbook, a name where a count is due", ["xlsx_bad_cell.xlsx"], coplink, "tables", REFUSED)
    formula = _wide(agencies=CLEAN_AGENCIES)
    formula[2][3] = f'=LEN("{NAMES[0]} {PLANTED[3]}")'
    add("xlsx_unsaved_formula.xlsx", _write_xlsx(folder / "xlsx_unsaved_formula.xlsx",
                                                 [("Counts", formula, "visible")]))
    ingest("workbook, a formula quoting a name, never computed", ["xlsx_unsaved_formula.xlsx"], coplink, "tables",
           REFUSED)
    add(f"{PLANTED_FILE}.xlsx", _write_xlsx(folder / f"{PLANTED_FILE}.xlsx",
                                            [("Counts", _wide(agencies=CLEAN_AGENCIES[:2]), "visible")]))
    ingest("a workbook whose file name is personal", [f"{PLANTED_FILE}.xlsx"], coplink, "tables", REFUSED)
    if include_hidden:
        hidden = ["--include-hidden"]
        ingest("--include-hidden: hidden rows, columns and sheets", ["xlsx_hidden_content.xlsx"],
               [*coplink, *hidden], "xlsx-hidden", EITHER)
        ingest("--include-hidden: a hidden first sheet named after a person", ["xlsx_hidden_first_sheet.xlsx"],
               ["--system", "Regional COPLINK (first hidden)", *hidden], "xlsx-hidden", EITHER)
        ingest("--include-hidden with --sheet naming a hidden sheet", ["xlsx_hidden_content.xlsx"],
               ["--system", "Regional COPLINK (hidden sheet)", "--sheet", PLANTED_SHEET, *hidden], "xlsx-hidden",
               EITHER)
        ingest("--include-hidden, a very hidden sheet named after a person", ["xlsx_hidden_content.xlsx"],
               ["--system", "Regional COPLINK (very hidden)", "--sheet", VERY_HIDDEN_SHEET, *hidden], "xlsx-hidden",
               EITHER)


AGENCIES_TOML = """[[agency]]
id = "SPRINGFIELD-PD"
name = "Springfield Police Department"
level = "municipal"
state = "IL"
aliases = ["Springfield PD"]
"""


def write_corpus(root: Path, *, include_hidden: bool) -> Corpus:
    """Write every input under root/inputs and return the corpus: its files and the ingests to run, in order."""
    corpus = Corpus(Path(root), include_hidden=include_hidden)
    (corpus.root / "work").mkdir(parents=True, exist_ok=True)
    crosswalk = corpus.root / "inputs" / "tables" / NAMES[2] / f"agencies {NAMES[1]}.toml"  # named after people
    crosswalk.parent.mkdir(parents=True)
    corpus.add("named-agencies.toml", crosswalk).write_text(AGENCIES_TOML, "utf-8")
    _write_logs(corpus)
    _write_tables(corpus)
    _write_workbooks(corpus, include_hidden)
    return corpus


BY_EVERYTHING = "agency,system,query_type,reason_category,on_behalf_of"


def command_cases(key: str, db: Path, out: Path, inputs: tuple[str, ...], *, logs: bool,
                  agencies: Path | None = None) -> list[Case]:
    """Every reading command on one database: counts in each format and breakdown, shares, changes, findings,
    sources, agency names, and the report in every format (with `agencies`, a crosswalk file named after people)."""
    commands = [("counts",), ("counts", "--by", BY_EVERYTHING), ("counts", "--by", BY_EVERYTHING, "--format", "table"),
                ("counts", "--by", BY_EVERYTHING, "--format", "json"), ("counts", "--grain", "reported"),
                ("shares",), ("shares", "--by", BY_EVERYTHING),
                ("changes",), ("changes", "--by", "agency,query_type,on_behalf_of", "--grain", "month"),
                ("findings",), ("findings", "--format", "table"), ("sources",), ("agencies", "names"),
                ("agencies", "unmatched"), ("report", "--out", str(out))]
    if logs:
        commands += [("counts", "--measure", "searches_beyond_retention", "--grain", "month"),
                     ("counts", "--measure", "searches_multi_network", "--by", "agency,query_type", "--format",
                      "table")]
    if agencies is not None:
        commands += [("agencies", "names", "--agencies", str(agencies)),
                     ("report", "--out", f"{out}-crosswalk", "--agencies", str(agencies), "--format", "html,pdf")]
    cases = [Case(" ".join(command[:3]), command, key, OK, inputs) for command in commands]
    if key == "tables":  # options a person typed, echoed in an error
        missing = out.parent / NAMES[0]
        cases += [Case(f"{command[0]} with a personal {command[1]}", command, key, REFUSED, inputs) for command in (
            ("counts", "--by", NAMES[1]), ("counts", "--measure", PLANTED[5]),
            ("shares", "--by", f"agency,{PLANTED[3]}"), ("changes", "--grain", PLANTED[6]),
            ("report", "--out", str(out) + "-refused", "--period", REQUEST),
            ("counts", "--agencies", str(missing / f"{PLANTED_FILE}.toml")))]
        cases.append(Case("counts with a --db that does not exist, named after a person",
                          ("counts", "--db", str(missing / f"{PLANTED_FILE}.duckdb")), None, REFUSED))
    return cases
