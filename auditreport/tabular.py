"""Text safe to put in any output: one rule for every CSV, XLSX, terminal and HTML cell, and one way to write files.

- **Formulas**: a text cell that begins with `=`, `+`, `-`, `@`, tab or carriage return would run as a formula
  when a spreadsheet opens the file. As OWASP recommends, it gets a leading apostrophe in CSV and Excel's quote
  prefix in XLSX; numbers written as numbers are never touched.
- **Control and bidirectional characters** (ESC sequences, U+202E right-to-left override, zero-width marks) are
  removed from every text, so that a name displays as stored and a terminal obeys no code in the data.
- **Files** are written to a temporary file in the output folder and renamed into place: a planted symlink in
  the folder is replaced, never followed.

>>> neutral("=HYPERLINK(\\"http://x\\")"), neutral("ICE\\u202e HSI"), neutral("-2+3")
('\\'=HYPERLINK("http://x")', 'ICE HSI', "'-2+3")
"""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean(text: str) -> str:
    """The text without control or bidirectional-override characters (newline and tab kept), in NFC."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutral(text: str) -> str:
    """A text cell for CSV: cleaned, and with a leading apostrophe when a spreadsheet would run it."""
    text = clean(text)
    return "'" + text if formula_like(text) else text


def csv_frame(data: pd.DataFrame) -> pd.DataFrame:
    """The table as CSV writes it: integers as integers (2099, not 2099.0), every text cell neutral."""
    import pandas as pd

    def cell(value):
        if isinstance(value, str):
            return neutral(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            return int(value)
        return value

    frame = data.copy()
    frame.columns = [neutral(str(column)) for column in frame.columns]
    for index, column in enumerate(frame.columns):
        series = frame.iloc[:, index]
        if pd.api.types.is_float_dtype(series) or series.dtype == object or pd.api.types.is_string_dtype(series):
            frame[column] = pd.Series([cell(value) for value in series], index=series.index, dtype=object)
    return frame


def csv_text(data: pd.DataFrame) -> str:
    """A table as CSV text, safe to open in a spreadsheet."""
    return csv_frame(data).to_csv(index=False, lineterminator="\n")


def write_file(folder: Path, name: str, data: str | bytes) -> Path:
    """Write `name` into `folder` by a temporary file and a rename: a symlink there is replaced, not followed."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")  # a developer's slip: names are fixed in code
    target = folder / name
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".auditreport-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
