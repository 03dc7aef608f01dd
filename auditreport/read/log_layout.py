"""The layout of an audit log: which of its columns hold the mapped dimensions, read off its first row.

A header row names the columns. A file without one is matched against the mapping's layouts by width, then
by its values: the layout's time column must hold times and its agency column agency names, so that a file
whose columns are in another order is refused rather than read with names as agencies.
A first row that may be data is never echoed in an error; the names of a row that is certainly a header
may be, except those that look personal.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..model import Finding
from .log_time import detect_time
from .mapping import (Mapping, Sample, filled_cells, header_key, looks_like_agencies, looks_like_data, looks_personal,
                      matching_profile)


@dataclass
class LogLayout:
    """Where the mapped dimensions stand: the columns' names and positions, and whether row 1 is a header."""

    names: list[str]          # header of each column, as in the file or the mapping's layout
    has_header: bool
    positions: dict[str, int]  # dimension -> 0-based column index (only mapped, present columns)


def log_layout(sample: Sample, mapping: Mapping, file_name: str) -> tuple[LogLayout, list[Finding]]:
    """The layout of the sampled file, and findings about columns missing, unlisted or read without a header."""
    findings: list[Finding] = []
    first = sample.records[0] if sample.records else []
    if header_key(mapping.columns["time"]) in [header_key(cell) for cell in first]:
        names, has_header = [cell.replace("\ufeff", "").strip() for cell in first], True
    else:
        names, has_header = _headerless_names(sample, mapping, file_name), False
        findings.append(Finding("file", "no_header_row",
                                f"The file has no header row; its {len(first)} columns were read in the order of "
                                f"{mapping.origin}: {', '.join(names)}."))
    positions: dict[str, int] = {}
    by_key = {}
    for index, name in enumerate(names):
        by_key.setdefault(header_key(name), index)
    missing = []
    for dimension, header in mapping.columns.items():
        if header_key(header) in by_key:
            positions[dimension] = by_key[header_key(header)]
        else:
            missing.append(f"{header!r} ({dimension})")
    keys = [header_key(name) for name in names]
    known_layout = any([header_key(header) for header in layout] == keys for layout in mapping.layouts)
    if missing and not known_layout:  # a layout the mapping lists lacks those columns by design (cameraCount, 2026)
        findings.append(Finding("file", "mapped_column_absent",
                                f"Mapped column(s) not in this file: {', '.join(missing)}; those dimensions are "
                                "not counted."))
    mapped_keys = {header_key(h) for h in mapping.columns.values()}
    dropped_keys = {header_key(h) for h in mapping.dropped}
    unlisted = [name for name in names if header_key(name) not in mapped_keys | dropped_keys]
    if unlisted:
        findings.append(Finding("file", "columns_not_read",
                                f"Column(s) not in the mapping, never read: {', '.join(unlisted)}."))
    return LogLayout(names, has_header, positions), findings


def _known_names(mapping: Mapping) -> set[str]:
    known = {header_key(h) for h in (*mapping.columns.values(), *mapping.dropped)}
    return known | {header_key(h) for layout in mapping.layouts for h in layout}


def _headerless_names(sample: Sample, mapping: Mapping, file_name: str) -> list[str]:
    """The column names of a file whose first row lacks the time column: a layout its values fit, or an error."""
    first = sample.records[0] if sample.records else []
    time_header, known = mapping.columns["time"], _known_names(mapping)
    if _certainly_header(first, known):
        profile = matching_profile(first)
        hint = (f"This file looks like profile {profile}: pass --profile {profile}." if profile else
                "Pass the profile or mapping that fits, or write one with: auditreport mapping init FILE.")
        raise InputError(f"there is no column {time_header!r} (the search time, as {mapping.origin} expects); "
                         f"the file's columns are: {_shown_names(first, known)}", file=file_name, row=1, hint=hint)
    if not mapping.layouts:  # the first row may be data: never echo it
        raise InputError(f"the first row has no column {time_header!r} (the search time, as {mapping.origin} "
                         "expects), and is not certainly a header row", file=file_name, row=1,
                         hint="If the file has no header row, list its columns in the mapping: layouts = [[...]].")
    widths = [layout for layout in mapping.layouts if len(layout) == len(first)]
    if not widths:
        raise InputError(f"the first row is not a header with {time_header!r}, and its {len(first)} columns "
                         f"match none of the layouts of {mapping.origin} "
                         f"({', '.join(str(len(layout)) for layout in mapping.layouts)} columns)",
                         file=file_name, row=1, hint="Pass the profile or mapping that fits, or add the header row.")
    misfits = [_misfit(layout, sample.records, mapping) for layout in widths]
    if None in misfits:
        return list(widths[misfits.index(None)])
    raise InputError(f"the file has no header row, and its values do not fit the {len(first)}-column layout of "
                     f"{mapping.origin}: {misfits[0]}", file=file_name, row=1,
                     hint="The export's columns may be in another order: add the header row, or write a mapping "
                          "with this file's column order (auditreport mapping init FILE) and review it.")


def _certainly_header(first: list[str], known: set[str]) -> bool:
    """Two or more of the mapping's column names, and no cell shaped like data (a time, an id, a plate)."""
    return len({header_key(cell) for cell in first} & known) >= 2 and not any(map(looks_like_data, first))


def _shown_names(header: list[str], known: set[str]) -> str:
    """The header's names, leaving out those that look personal unless the mapping knows them."""
    cells = [cell.replace("\ufeff", "").strip() for cell in header if cell.strip()]
    shown = [cell for cell in cells if header_key(cell) in known or not looks_personal(cell)]
    hidden = len(cells) - len(shown)
    return ", ".join(shown) + (f" and {hidden} more not shown (they look personal)" if hidden else "")


def _misfit(layout: tuple[str, ...], records: list[list[str]], mapping: Mapping) -> str | None:
    """Why the file's values do not fit a layout (its time column holds no times, its agency column names),
    or None when they fit. No value is quoted."""
    index = {header_key(name): number for number, name in enumerate(layout)}

    def values(header: str) -> list[str]:
        column = index[header_key(header)]
        return [row[column] for row in records if column < len(row)]

    time_header = mapping.columns["time"]
    times = values(time_header)
    try:
        detect_time(times, mapping.time_format, "times", "", time_header, 1)
    except InputError:
        return f"the values of {time_header!r} are not times"
    if not filled_cells(times):
        return f"the column {time_header!r} is empty"
    agency = mapping.columns.get("agency")
    if agency and header_key(agency) in index:
        agencies = values(agency)
        if filled_cells(agencies) and not looks_like_agencies(agencies):
            return f"the values of {agency!r} do not look like agency names"
    return None
