"""What may pass into the store: only the model's declared columns, and no value that still looks personal.

Readers map what they understand; this guard makes sure that nothing else (a stray name, plate or
case-number column) can reach the database, whatever a reader hands over: a DataFrame, or a Parquet
file of observations (an audit log's counts), which is checked through DuckDB without loading it.
It also lists each text column's distinct values for the screen (labels.py), and is the store's last line of
defence behind it: a value the screen did not replace and that looks personal refuses the whole file.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Iterable

from .errors import InputError, PrivacyWarning
from .model import OBSERVATION_COLUMN_NAMES, OBSERVATION_COLUMNS, ObservationFile
from .screen import personal_kind
from .sql import sql_text

TEXT_COLUMNS = [c.name for c in OBSERVATION_COLUMNS if c.sql_type.startswith("VARCHAR")]
ALLOWED_COLUMNS = [c for c in OBSERVATION_COLUMN_NAMES if c != "source_id"]

if TYPE_CHECKING:
    import pandas as pd


def _warn_extra(columns: Iterable[str]) -> None:
    extra = [c for c in columns if c not in ALLOWED_COLUMNS and c != "source_id"]
    if extra:
        warnings.warn(f"columns dropped before storing (not part of the count model): {', '.join(map(str, extra))}",
                      PrivacyWarning, stacklevel=3)


def guard_observations(observations: pd.DataFrame, file_name: str | None = None,
                       replaced: dict[str, dict] | None = None) -> pd.DataFrame:
    """Keep only the declared observation columns; warn about anything else that was handed over."""
    _warn_extra(observations.columns)
    frame = observations.reindex(columns=ALLOWED_COLUMNS)
    for column in TEXT_COLUMNS:
        refuse_personal_values(column, frame[column].dropna().astype(str).unique(), file_name, replaced)
    return frame


def guard_observation_file(connection, observations: ObservationFile, file_name: str | None = None,
                           replaced: dict[str, dict] | None = None) -> tuple[str, dict[str, set]]:
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
        refuse_personal_values(column, values, file_name, replaced)
    columns = ", ".join(f'"{c}"' if c in present else f"NULL AS {c}" for c in ALLOWED_COLUMNS)
    return f"SELECT {columns} FROM {source}", distinct


def refuse_personal_values(column: str, values: Iterable, file_name: str | None = None,
                           replaced: dict[str, dict] | None = None) -> None:
    """Last line of defence, behind the screen of labels.py: no value that looks personal is stored, whichever
    reader or caller let it through (values the screen replaces are not stored)."""
    skip = (replaced or {}).get(column, {})
    for value in values:
        if value is not None and str(value) not in skip and personal_kind(value):
            raise InputError(f"a value in what would be the {column!r} column looks like {personal_kind(value)}; "
                             "nothing was stored", file=file_name,
                             hint="Check which column of the file holds that value and leave it out of the mapping "
                                  "(or the table).")


def distinct_texts(observations: pd.DataFrame | ObservationFile) -> dict[str, dict[str, int | None]]:
    """Each text column's distinct values, with the first row each was read from (None when rows are not known).

    What the screen (labels.py) looks at before anything is stored; a Parquet file is read by DuckDB.
    """
    if isinstance(observations, ObservationFile):
        import duckdb

        source = f"read_parquet({sql_text(str(observations.path))})"
        with duckdb.connect(":memory:") as connection:
            present = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            texts = [c for c in TEXT_COLUMNS if c in present]
            row = "min(row_number)" if "row_number" in present else "NULL::INTEGER"
            union = " UNION ALL ".join(f"SELECT '{c}' AS col, {c}::VARCHAR AS value, {row} AS first_row FROM {source} "
                                       f"WHERE {c} IS NOT NULL GROUP BY {c}" for c in texts)
            rows = connection.execute(union).fetchall() if texts else []
    else:
        rows = []
        for column in TEXT_COLUMNS:
            if column in observations.columns:
                values = observations[[column, "row_number"]].dropna(subset=[column]) \
                    if "row_number" in observations.columns else observations[[column]].dropna().assign(row_number=None)
                first = values.groupby(column, sort=False)["row_number"].min()
                rows += [(column, str(value), None if row != row or row is None else int(row))
                         for value, row in first.items()]
    distinct: dict[str, dict[str, int | None]] = {}
    for column, value, first_row in rows:
        distinct.setdefault(column, {})[value] = first_row
    return distinct
