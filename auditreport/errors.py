"""One error base for everything a user can get wrong, and warning classes for data quality and privacy."""
from __future__ import annotations


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def place(file: str | None = None, row: int | None = None, column: str | int | None = None) -> str:
    """Where something is, as an analyst would look for it: 'counts.csv, row 7, column C "Mar-17"'."""
    parts = []
    if file:
        parts.append(str(file))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


class AuditReportError(Exception):
    """Something the user can fix. str() is one line: where, what went wrong, what to do."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, hint: str | None = None):
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = place(self.file, self.row, self.column)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:  # one stop between message and hint ("did you mean 'agency'?" keeps its question mark)
            text = f"{text} {self.hint}" if text.endswith(("?", "!")) else f"{text.rstrip('.')}. {self.hint}"
        return text


class InputError(AuditReportError):
    """An input file that cannot be read as it is."""

    exit_code = 2


class UsageError(AuditReportError):
    """An option or argument that does not make sense."""

    exit_code = 2


class DataQualityWarning(UserWarning):
    """The data can be used, but something in it deserves a look (also stored as a finding)."""


class PrivacyWarning(UserWarning):
    """A column or value that looks personal was seen and dropped."""
