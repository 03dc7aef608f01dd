"""Dimensions of a log read from a closed list: offense type (Flock's dropdown) and moderation.

Neither is ever stored as typed: a value outside its list becomes "other", a redaction marker "redacted", a
blank nothing (unknown). A search with several offense types (Flock joins them with ", ") is stored under
their sorted combination, so that every search is counted once and the parts still sum to the total.

>>> offense_label("stolen vehicle,  Homicide", OFFENSE_TYPES)
'Homicide, Stolen Vehicle'
>>> offense_label("Stolen vehicle, Officer J. Doe's hunch", OFFENSE_TYPES)
'other, Stolen Vehicle'
"""
from __future__ import annotations

import tomllib
from importlib import resources

from .markers import SHIPPED, Markers

MODERATION = ("allow", "block", "warn")


def _shipped() -> dict[str, str]:
    text = resources.files("auditreport").joinpath("rules", "offense_types.toml").read_text("utf-8")
    return {name.casefold(): name for name in tomllib.loads(text)["offense_types"]}


OFFENSE_TYPES = _shipped()


def offense_types(extra: tuple[str, ...] = ()) -> dict[str, str]:
    return OFFENSE_TYPES | {" ".join(name.split()).casefold(): " ".join(name.split()) for name in extra}


def offense_label(cell: str | None, known: dict[str, str], markers: Markers = SHIPPED) -> str | None:
    """The stored offense type of a cell: its known parts, sorted; 'other' for any part not in the list."""
    if cell is None or not cell.strip():
        return None
    if markers.is_marker(cell):
        return "redacted"
    parts = {known.get(" ".join(part.split()).casefold(), "other") for part in cell.split(",") if part.strip()}
    return ", ".join(sorted(parts, key=str.casefold)) or None


def moderation_sql(cell: str, markers: Markers = SHIPPED) -> str:
    """SQL of the stored moderation of a cell: allow, block, warn, redacted, other, or NULL when blank."""
    word = f"lower(trim({cell}))"
    listed = ", ".join(f"'{value}'" for value in MODERATION)
    return (f"CASE WHEN coalesce(trim({cell}), '') = '' THEN NULL WHEN {word} IN ({listed}) THEN {word} "
            f"WHEN {markers.sql(cell)} THEN 'redacted' ELSE 'other' END")
