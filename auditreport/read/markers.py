"""Redaction markers: one inventory (rules/redaction_markers.toml), one comparison, in Python and in DuckDB.

Releases mark withheld cells in many ways (`***`, `* * *`, `###`, `REDACTED`, `[REDACTED]`, `7923.600 GC` typed
into a cell, FOIA codes), with stray spaces. A cell is a marker when, without case and without any whitespace, it
is one of the inventory's markers or matches one of its patterns. A mapping may add markers of its own.

>>> SHIPPED.is_marker(" * * * "), SHIPPED.is_marker("7923.600  gc"), SHIPPED.is_marker("Harbor PD")
(True, True, False)
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from ..sql import sql_text


MARK_CHARACTERS = r"[*#\[\](){}]"  # a cell holding one of these may be a mark; every pattern below needs one


def squeezed(text: str) -> str:
    """The cell as markers compare: no whitespace anywhere, lower case."""
    return "".join(str(text).split()).lower()


@dataclass(frozen=True)
class Markers:
    values: frozenset[str]       # squeezed markers
    patterns: tuple[str, ...]    # RE2-compatible, over the squeezed cell, matched in full

    def is_marker(self, text: str | None) -> bool:
        cell = squeezed(text or "")
        return bool(cell) and (cell in self.values or any(re.fullmatch(p, cell) for p in self.patterns))

    def sql(self, cell: str) -> str:
        """SQL: true when `cell` is a marker (false for NULL and blank). One cheap search first (a mark's
        character, or the start of a listed marker), so that the full test runs on the few cells that may be one."""
        squeezed_cell = f"lower(regexp_replace(coalesce({cell}, ''), '\\s', '', 'g'))"
        listed = ", ".join(sql_text(value) for value in sorted(self.values))
        patterns = " OR ".join(f"regexp_full_match({squeezed_cell}, {sql_text(p)})" for p in self.patterns)
        full = f"({squeezed_cell} IN ({listed}){' OR ' + patterns if patterns else ''})"
        maybe = f"regexp_matches(coalesce({cell}, ''), {sql_text(self.prefilter)})"
        return f"(CASE WHEN {maybe} THEN {full} ELSE false END)"

    @property
    def prefilter(self) -> str:
        """RE2: found in every marker as written, spaces or not: a mark's character (every shipped pattern needs
        one), or the first three characters of a listed marker."""
        starts = sorted({r"\s*".join(re.escape(ch) for ch in value[:3]) for value in self.values
                         if not re.search(MARK_CHARACTERS, value)})
        return "(?i)" + "|".join([MARK_CHARACTERS, *starts])

    def blank_or_marker_sql(self, cell: str) -> str:
        return f"(coalesce(trim({cell}), '') = '' OR {self.sql(cell)})"

    def adding(self, extra: tuple[str, ...]) -> "Markers":
        return Markers(self.values | {squeezed(value) for value in extra if squeezed(value)}, self.patterns)


def _shipped() -> Markers:
    data = tomllib.loads(resources.files("auditreport").joinpath("rules", "redaction_markers.toml").read_text("utf-8"))
    return Markers(frozenset(squeezed(value) for value in data["markers"]), tuple(data["patterns"]))


SHIPPED = _shipped()
