"""What may pass into the store: only the model's declared columns, nothing else.

Readers map what they understand; this guard makes sure that nothing else (a stray name, plate or
case-number column) can reach the database, whatever a reader hands over: a DataFrame, or a Parquet
file of observations (an audit log's counts), which is checked through DuckDB without loading it.
"""
from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Iterable

from .errors import InputError, PrivacyWarning
from .model import OBSERVATION_COLUMN_NAMES, OBSERVATION_COLUMNS, ObservationFile
from .sql import sql_text

# Values that are personal whatever column they arrive in; the guard refuses the whole file.
PERSONAL_PATTERNS = {
    "a social security number": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
}
TEXT_COLUMNS = [c.name for c in OBSERVATION_COLUMNS if c.sql_type.startswith("VARCHAR")]
ALLOWED_COLUMNS = [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]

if TYPE_CHECKING:
    import pandas as pd


def _warn_extra(columns: Iterable[str]) -> None:
    extra = [c for c in columns if c not in ALLOWED_COLUMNS and c != "source_id"]
    if extra:
        warnings.warn(f"columns dropped before storing (not part of the count model): {', '.join(map(str, extra))}",
                      PrivacyWarning, stacklevel=3)


def guard_observations(observations: pd.DataFrame, file_name: str | None = None) -> pd.DataFrame:
    """Keep only the declared observation columns; warn about anything else that was handed over."""
    _warn_extra(observations.columns)
    frame = observations.reindex(columns=ALLOWED_COLUMNS)
    for column in TEXT_COLUMNS:
        refuse_personal_values(column, frame[column].dropna().astype(str).unique(), file_name)
    return frame


def guard_observation_file(connection, observations: ObservationFile,
                           file_name: str | None = None) -> tuple[str, dict[str, set]]:
    """The SELECT of only the declared columns of a Parquet file of observations, after the same checks.

    Also returns the distinct values of each text column, for the store's own checks.
    """
    source = f"read_parquet({sql_text(str(observations.path))})"
    present = [row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    _warn_extra(present)
    texts = [c for c in TEXT_COLUMNS if c in present]
    lists = connection.execute(f"SELECT {', '.join(f'list(DISTINCT {c})' for c in texts)} "
                               f"FROM {source}").fetchone() if texts else ()
    distinct = {column: set(values or ()) for column, values in zip(texts, lists)}
    for column, values in distinct.items():
        refuse_personal_values(column, values, file_name)
    columns = ", ".join(f'"{c}"' if c in present else f"NULL AS {c}" for c in ALLOWED_COLUMNS)
    return f"SELECT {columns} FROM {source}", distinct


def refuse_personal_values(column: str, values: Iterable, file_name: str | None = None) -> None:
    """Last line of defence: no text value that looks personal is stored, whichever reader let it through."""
    texts = [str(value) for value in values if value is not None and str(value)]
    for what, pattern in PERSONAL_PATTERNS.items():
        if any(pattern.search(value) for value in texts):
            raise InputError(f"a value in what would be the {column!r} column looks like {what}; "
                             "nothing was stored", file=file_name,
                             hint="Check which column of the file holds that value and leave it out of the mapping "
                                  "(or the table).")
