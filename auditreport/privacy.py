"""What may pass into the store: only the model's declared columns, nothing else.

Readers map what they understand; this guard makes sure that nothing else (a stray name, plate or
case-number column) can reach the database, whatever a reader hands over.
"""
from __future__ import annotations

import re
import warnings

import pandas as pd

from .errors import InputError, PrivacyWarning
from .model import OBSERVATION_COLUMN_NAMES, OBSERVATION_COLUMNS

# Values that are personal whatever column they arrive in; the guard refuses the whole file.
PERSONAL_PATTERNS = {
    "a social security number": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
}
TEXT_COLUMNS = [c.name for c in OBSERVATION_COLUMNS if c.sql_type.startswith("VARCHAR")]


def guard_observations(observations: pd.DataFrame) -> pd.DataFrame:
    """Keep only the declared observation columns; warn about anything else that was handed over."""
    allowed = [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]
    extra = [c for c in observations.columns if c not in allowed and c != "source_id"]
    if extra:
        warnings.warn(f"columns dropped before storing (not part of the count model): {', '.join(map(str, extra))}",
                      PrivacyWarning, stacklevel=2)
    frame = observations.reindex(columns=allowed)
    _refuse_personal_values(frame)
    return frame


def _refuse_personal_values(frame: pd.DataFrame) -> None:
    """Last line of defence: no text value that looks personal is stored, whichever reader let it through."""
    for column in TEXT_COLUMNS:
        values = [v for v in pd.unique(frame[column].dropna().astype(str)) if v]
        for what, pattern in PERSONAL_PATTERNS.items():
            if any(pattern.search(value) for value in values):
                raise InputError(f"a value in what would be the {column!r} column looks like {what}; "
                                 "nothing was stored", hint="Check which column of the file holds that value "
                                 "and leave it out of the mapping (or the table).")
