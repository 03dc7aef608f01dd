"""Reason texts of a log -> reason classes: a category and the agency the text names, never the text.

A class is a (reason_category, on_behalf_of) pair with a small number, so that the scan of a log groups
its rows by a number instead of by free text. The texts of a sample are classified before the scan; the
texts first met in the scan are classified after it, and DuckDB first picks out the few of those that
any rule or agency pattern may match (`candidate_sql`): the rest take the fallback class unread.

>>> classes = ReasonClasses(load_reason_rules(), load_crosswalk())      # doctest: +SKIP
>>> [classes.category_of(number) for number in classes.classify(["ICE+ERO", "Stolen vehicle"])]  # doctest: +SKIP
[('immigration', 'ICE Enforcement and Removal Operations'), ('other', None)]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..agencies import Crosswalk
from ..rules import ReasonRules, reason_sql


@dataclass
class ReasonClasses:
    """The classes met so far, numbered in the order they were met."""

    rules: ReasonRules
    agencies: Crosswalk
    numbers: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def number(self, category: str, on_behalf_of: str | None) -> int:
        return self.numbers.setdefault((category, on_behalf_of), len(self.numbers))

    @property
    def fallback(self) -> int:
        """The class of a text that no rule and no agency pattern matches."""
        return self.number(self.rules.fallback, None)

    @property
    def missing(self) -> int:
        """The class of a reason cell that is empty (read as NULL)."""
        return self.number(self.rules.classify(None), None)

    def classify(self, texts: list[str]) -> list[int]:
        """The class of each text (distinct texts: a log's vocabulary, not its rows)."""
        categories = self.rules.classify_many(texts)
        named = [self.agencies.mentioned(text) if text else None for text in texts]
        return [self.number(category, self.agencies.agencies[agency].name if agency else None)
                for category, agency in zip(categories, named)]

    def category_of(self, number: int) -> tuple[str, str | None]:
        return next(pair for pair, known in self.numbers.items() if known == number)

    def candidate_sql(self, reason: str) -> str:
        """SQL true for every text whose class may not be the fallback; the others need no classifying.

        The rules and the agency patterns are tested in RE2 on ASCII text only: on other text Python's re
        folds letters RE2 does not ("ıCE" is ICE to re), so every text that is not ASCII is a candidate.
        """
        rules = self.rules.candidate_sql(reason_sql(reason))
        return (f"(strlen({reason}) <> length({reason}) OR {rules} "
                f"OR {self.agencies.mention_candidate_sql(reason)})")

    def rows(self) -> list[tuple[int, str, str | None]]:
        """(number, reason_category, on_behalf_of) of every class."""
        return [(number, category, agency) for (category, agency), number in self.numbers.items()]

    def describe(self) -> str:
        return self.rules.describe()
