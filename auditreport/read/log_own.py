"""Own searches and others' searches of one network audit, as two systems that are never added.

A network audit lists every search that reached the producing agency's cameras, its own users' searches among
them. A board asks two questions of it: who else searched our data, and how much did we search ourselves. With
`--own-agency NAME` (or `own_agency` in the mapping) the rows of that agency are counted as the system
"<system>: own searches" and every other row as "<system>: searches by other agencies": separate systems, so
no sum ever adds them. Both views cover the whole log's days (a day without an own search is a day of zero own
searches, not a gap).

The name matches an agency of the log as written (case and spaces aside) or through the crosswalk ("Harbor City
Police Department" finds "Harbor City PD" when the crosswalk knows both).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..agencies import Crosswalk
from ..errors import UsageError
from ..model import Finding
from ..screen import looks_like_agency
from .mapping import header_key

OWN = ": own searches"
OTHERS = ": searches by other agencies"


@dataclass(frozen=True)
class OwnSplit:
    """The producing agency of a network audit, as given by the user."""

    name: str
    option: str = "--own-agency"

    def systems(self, system: str) -> tuple[str, str]:
        """The two systems one log's system becomes: (own searches, searches by other agencies)."""
        return system + OWN, system + OTHERS

    def matching(self, labels: list[str], crosswalk: Crosswalk) -> list[str]:
        """The log's agency labels that are the producing agency."""
        wanted = header_key(self.name)
        wanted_id = crosswalk.match(self.name).agency_id
        return [label for label in labels if header_key(label) == wanted
                or (wanted_id is not None and crosswalk.match(label).agency_id == wanted_id)]

    def refuse(self, labels: list[str], file_name: str, column: str) -> UsageError:
        """No row names the producing agency: a typo, most likely; say which names are close (agencies only)."""
        shown = [label for label in labels if looks_like_agency(label)]
        close = difflib.get_close_matches(self.name, shown, n=3, cutoff=0.5)
        return UsageError(f"{self.option} {self.name!r} names no agency of column {column!r}",
                          file=file_name, hint=("Close names in the log: " + "; ".join(close) + "." if close else
                                                "Write the name as the log writes it (auditreport agencies names "
                                                "lists the names of an ingested log)."))

    def finding(self, system: str, own: int, others: int, matched: list[str]) -> Finding:
        own_system, others_system = self.systems(system)
        names = ", ".join(repr(label) for label in matched)
        return Finding("file", "own_searches",
                       f"{own} search(es) by the producing agency ({names}) are counted as the system "
                       f"{own_system!r}, and {others} by other agencies as {others_system!r}; the two are never "
                       "added.")
