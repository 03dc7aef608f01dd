"""Collect every problem in a file, then fail once with all of them (a 40-row FOIA table, 40 fixes)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError, place


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str
    hint: str


class TableProblems(InputError):
    """One or more cells that cannot be read; str() names the first and where the others are."""

    def __init__(self, file: str, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, file=file, row=first.row, column=first.column, hint=first.hint)

    def __str__(self) -> str:
        text = super().__str__()
        others = self.problems[1:]
        if others:
            listed = "; ".join(place(None, p.row, p.column) for p in others[:5])
            more = f" and {len(others) - 5} more" if len(others) > 5 else ""
            text += f" ({len(others)} more problem{'s' if len(others) > 1 else ''} in this file: {listed}{more})"
        return text


@dataclass
class ProblemList:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str, hint: str) -> None:
        self.problems.append(Problem(row, column, message, hint))

    def raise_if_any(self) -> None:
        if self.problems:
            raise TableProblems(self.file, self.problems)
