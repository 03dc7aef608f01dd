"""The layout of an audit log: which of its columns hold the mapped dimensions, read off its first row.

A header row names the columns; a file without one is matched by width against the mapping's layouts.
A first row that may be data is never echoed in an error.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from ..model import Finding
from .mapping import Mapping, Sample, header_key, matching_profile

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
    keys = [header_key(cell) for cell in first]
    time_header = mapping.columns["time"]
    known = {header_key(h) for h in (*mapping.columns.values(), *mapping.dropped)}
    known |= {header_key(h) for layout in mapping.layouts for h in layout}
    if header_key(time_header) in keys:
        names, has_header = [cell.replace("\ufeff", "").strip() for cell in first], True
    elif known & set(keys):  # a header row, without the time column
        profile = matching_profile(first)
        hint = (f"This file looks like profile {profile}: pass --profile {profile}." if profile else
                "Pass the profile or mapping that fits, or write one with: auditreport mapping init FILE.")
        raise InputError(f"there is no column {time_header!r} (the search time, as {mapping.origin} expects); "
                         f"the file's columns are: {', '.join(cell.strip() for cell in first)}",
                         file=file_name, row=1, hint=hint)
    elif not mapping.layouts:  # the first row may be data: never echo it
        raise InputError(f"the first row has no column {time_header!r} (the search time, as {mapping.origin} "
                         "expects), and none of the mapping's column names", file=file_name, row=1,
                         hint="If the file has no header row, list its columns in the mapping: layouts = [[...]].")
    else:
        widths = [layout for layout in mapping.layouts if len(layout) == len(first)]
        if not widths:
            raise InputError(f"the first row is not a header with {time_header!r}, and its {len(first)} columns "
                             f"match none of the layouts of {mapping.origin} "
                             f"({', '.join(str(len(layout)) for layout in mapping.layouts)} columns)",
                             file=file_name, row=1,
                             hint="Pass the profile or mapping that fits, or add the header row.")
        names, has_header = list(widths[0]), False
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
    if missing:
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
