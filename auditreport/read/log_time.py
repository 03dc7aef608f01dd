"""Time in audit logs: the format of a sample of cells, and the SQL that reads every row in a reporting zone.

The format is sniffed in Python on a sample; DuckDB then parses every row. Zones: `--source-tz` for
timestamps written without one, explicit offsets and a "UTC" suffix honoured, `--tz` for the days counted.

>>> detect_time(["11/14/2025, 09:53:36 AM UTC"], None, "search times", "log.csv", '"Search Time"', 2)
TimeParse(kind='utc', fmt='%m/%d/%Y, %I:%M:%S %p')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError, UsageError
from ..sql import sql_text
from .mapping import header_key
from .markers import SHIPPED

TIME_SAMPLE = 500               # cells of the sample whose format is checked
TIME_FORMATS = (  # tried in order on a sample when the mapping names no format; "iso" is a cast
    "iso", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y, %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M", "%Y/%m/%d %H:%M:%S",
    "%d-%b-%Y %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y %H:%M:%S",
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|Z)$")
_OFFSET_SUFFIX = re.compile(r"(?<=\d)\s*(?:GMT|[+-]\d\d:?\d\d)$")
_ZONE_SQL = r"(Z|UTC|GMT|[+-]\d\d:?\d\d)$"
TIME_HINT = "Check that the profile or mapping fits this file; a mapping can name the format: [time] format = \"...\"."


@dataclass(frozen=True)
class TimeParse:
    kind: str              # "naive", "utc" or "mixed"
    fmt: str               # strptime format, or "iso"


def shape(text: str) -> str:
    """A value's shape without its content: '11/14/2025 x' -> '99/99/9999 a'."""
    return re.sub(r"[A-Za-z]", "a", re.sub(r"\d", "9", text))[:40]


def check_zone(zone: str | None, option: str) -> str | None:
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{option} {zone!r} is not a time zone",
                         hint="Use an IANA name such as UTC, America/Los_Angeles or America/New_York.") from None
    return zone


def _suffix_kind(value: str) -> str:
    if _UTC_SUFFIX.search(value):
        return "utc"
    if _OFFSET_SUFFIX.search(value):
        return "offset"
    return "naive"


def _strip_zone(value: str) -> str:
    return _OFFSET_SUFFIX.sub("", _UTC_SUFFIX.sub("", value)).strip().rstrip("T")


def _parses(value: str, fmt: str) -> bool:
    if fmt == "iso":
        return bool(_ISO.match(value))
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def detect_time(values: list[str], declared: str | None, what: str, file_name: str, column: str,
                 first_row: int) -> TimeParse:
    """The format of a sample of time cells; a cell that fits no format stops the read, with its row."""
    skip = {"", header_key(column.strip('"'))}  # blank cells and repeated header rows are sorted out later
    cells = [(row, value.strip()) for row, value in enumerate(values[:TIME_SAMPLE], start=first_row)
             if header_key(value) not in skip and not SHIPPED.is_marker(value)]
    if not cells:
        return TimeParse("naive", declared or "iso")
    kinds = {_suffix_kind(value) for _, value in cells}
    kind = "naive" if kinds == {"naive"} else "utc" if kinds == {"utc"} else "mixed"
    bodies = [(row, _strip_zone(value)) for row, value in cells]
    formats = [declared] if declared else list(TIME_FORMATS)
    fits = {fmt: sum(1 for _, body in bodies if _parses(body, fmt)) for fmt in formats}
    best = max(formats, key=lambda fmt: (fits[fmt], -formats.index(fmt)))
    if fits[best] == len(bodies):
        return TimeParse(kind, best)
    row, bad = next((row, body) for row, body in bodies if not _parses(body, best))
    wanted = (f"the format {best!r} of the other {what}" if fits[best] else
              f"the format {declared!r}" if declared else "any timestamp format auditreport knows")
    raise InputError(f"{what} like {shape(bad)!r} do not match {wanted}", file=file_name, row=row, column=column,
                     hint=TIME_HINT)


def _parse_sql(body: str, fmt: str) -> str:
    if fmt == "iso":
        return f"TRY_CAST({body} AS TIMESTAMP)"
    return f"try_strptime({body}, {sql_text(fmt)})"


def wall_sql(text: str, parse: TimeParse) -> tuple[str, str | None]:
    """SQL for the timestamp as written (zone suffix removed), and for its UTC offset in minutes (or None).

    `text` is the cell as read, untrimmed. The common spelling is parsed as it stands (the "UTC" suffix as part
    of the format), which spares a copy of every cell; only cells that do not parse so are trimmed and parsed
    again (COALESCE evaluates its second argument only for the rows where the first is NULL).
    """
    if parse.kind == "naive":
        return f"coalesce({_parse_sql(text, parse.fmt)}, {_parse_sql(f'trim({text})', parse.fmt)})", None
    if parse.kind == "utc":
        slow = _parse_sql(f"rtrim(trim({text}), ' UTCZ')", parse.fmt)
        if parse.fmt == "iso":
            return slow, "0"
        return f"coalesce(try_strptime({text}, {sql_text(parse.fmt + ' UTC')}), {slow})", "0"
    text = f"trim({text})"
    zone = f"regexp_extract({text}, '{_ZONE_SQL}', 1)"
    body = f"rtrim(CASE WHEN {zone} = '' THEN {text} ELSE left({text}, length({text}) - length({zone})) END, ' T')"
    offset = (f"CASE WHEN {zone} = '' THEN NULL WHEN {zone} IN ('Z', 'UTC', 'GMT') THEN 0 "
              f"ELSE (CASE WHEN left({zone}, 1) = '-' THEN -1 ELSE 1 END) * "
              f"(substr({zone}, 2, 2)::INTEGER * 60 + right({zone}, 2)::INTEGER) END")
    # an offset beyond +-14:00, or with 60 minutes or more, is no offset: the time cannot be read
    impossible = (f"({zone} NOT IN ('', 'Z', 'UTC', 'GMT') AND (substr({zone}, 2, 2)::INTEGER > 14 "
                  f"OR right({zone}, 2)::INTEGER > 59))")
    return f"CASE WHEN {impossible} THEN NULL ELSE {_parse_sql(body, parse.fmt)} END", offset


FAST_ZONE_YEARS = (1990, 2050)  # UTC -> local by arithmetic inside these years, by DuckDB's ICU outside


def _offset_changes(tz: str) -> list[tuple[datetime, int]]:
    """(UTC instant, offset in minutes from then on) for `tz`, from the start of FAST_ZONE_YEARS."""
    zone = ZoneInfo(tz)

    def offset(instant: datetime) -> int:
        return int(instant.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset().total_seconds() // 60)

    day = datetime(FAST_ZONE_YEARS[0], 1, 1)
    changes = [(day, offset(day))]
    while day.year < FAST_ZONE_YEARS[1]:
        following = day + timedelta(days=1)
        if offset(following) != changes[-1][1]:
            low, high = day, following  # the change lies in (low, high]: narrow it to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high, offset(high)))
        day = following
    return changes


def utc_to_local_sql(utc: str, tz: str) -> str:
    """Wall time in `tz` of a UTC timestamp: the zone's offsets as a binary tree of comparisons.

    DuckDB's timezone() calls ICU for every row; this is plain arithmetic, about ten comparisons a row.
    """
    if tz == "UTC":
        return utc
    changes = _offset_changes(tz)

    def tree(low: int, high: int) -> str:  # offset of changes[low:high]
        if high - low == 1:
            return str(changes[low][1])
        middle = (low + high) // 2
        return (f"CASE WHEN {utc} < TIMESTAMP '{changes[middle][0]:%Y-%m-%d %H:%M:%S}' THEN {tree(low, middle)} "
                f"ELSE {tree(middle, high)} END")

    start, end = (f"TIMESTAMP '{year}-01-01'" for year in FAST_ZONE_YEARS)
    exact = f"timezone({sql_text(tz)}, timezone('UTC', {utc}))"
    return (f"CASE WHEN {utc} >= {start} AND {utc} < {end} THEN {utc} + to_minutes(({tree(0, len(changes))})::BIGINT) "
            f"ELSE {exact} END")


def local_sql(wall: str, offset: str | None, source_tz: str | None, tz: str | None) -> str:
    """The timestamp in the reporting zone (or as given when there is none)."""
    naive = wall
    if tz is not None and (source_tz or tz) != tz:
        naive = (utc_to_local_sql(wall, tz) if source_tz == "UTC" else
                 f"timezone({sql_text(tz)}, timezone({sql_text(source_tz or tz)}, {wall}))")
    if offset is None or tz is None:
        return naive
    utc = wall if offset == "0" else f"({wall} - to_minutes(({offset})::BIGINT))"
    zoned = utc_to_local_sql(utc, tz)
    if offset == "0":
        return zoned
    return f"CASE WHEN ({offset}) IS NULL THEN {naive} ELSE {zoned} END"


def zone_note(parse: TimeParse, source_tz: str | None, tz: str | None) -> str:
    written = {"naive": "without a time zone", "utc": "in UTC (\"UTC\" suffix)",
               "mixed": "with explicit offsets or zone suffixes"}[parse.kind]
    if parse.kind == "naive":
        read_as = f"read as {source_tz or tz} time" if (source_tz or tz) else "taken as given"
    elif parse.kind == "utc":
        read_as = "honoured"
    else:
        read_as = "offsets honoured" + (f"; timestamps without one read as {source_tz or tz} time"
                                        if (source_tz or tz) else "; timestamps without one taken as given")
    bucket = f"days are {tz} days" if tz else "days are the days as written (no --tz)"
    return f"Search times are written {written}, {read_as}; {bucket}."
