"""Reason texts of a log -> reason classes: a category and the agency the text names, never the text.

A class is a (reason_category, on_behalf_of) pair with a small number, so that the scan of a log groups
its rows by a number instead of by free text. The texts of a sample are classified before the scan. The
scan classifies every other row itself: the rules in RE2 (`category_sql`, the same expressions Python
reads with google-re2), and it keeps a text only where an agency pattern may stand in it (`mention_sql`);
those few texts are read in Python after the scan for the agency they name.

>>> classes = ReasonClasses(load_reason_rules(), load_crosswalk())      # doctest: +SKIP
>>> [classes.category_of(number) for number in classes.classify(["ICE+ERO", "Stolen vehicle"])]  # doctest: +SKIP
[('immigration', 'ICE Enforcement and Removal Operations'), ('other', None)]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..agencies import Crosswalk
from ..rules import ReasonRules


@dataclass
class ReasonClasses:
    """The classes met so far, numbered in the order they were met."""

    rules: ReasonRules
    agencies: Crosswalk
    numbers: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def number(self, category: str, on_behalf_of: str | None) -> int:
        return self.numbers.setdefault((category, on_behalf_of), len(self.numbers))

    def classify(self, texts: list[str]) -> list[int]:
        """The class of each text (distinct texts: a log's vocabulary, not its rows)."""
        categories = self.rules.classify_many(texts)
        named = [self.agencies.mentioned(text) if text else None for text in texts]
        return [self.number(category, self.agencies.agencies[agency].name if agency else None)
                for category, agency in zip(categories, named)]

    def category_of(self, number: int) -> tuple[str, str | None]:
        return next(pair for pair, known in self.numbers.items() if known == number)

    def class_sql(self, reason: str) -> str:
        """SQL of the class of `reason` (a text column) by its category alone, as a number (a narrow key for the
        scan's groups); the agency a text names is read after the scan (`of_category`)."""
        labels = {category: self.number(category, None) for category in self.rules.categories}
        return f"({self.rules.category_sql(reason, labels)})::USMALLINT"

    def mention_sql(self, reason: str) -> str:
        """SQL true where `reason` may name an agency: only such texts are kept past the scan."""
        return self.agencies.mention_sql(reason)

    def of_category(self, number: int, text: str | None) -> int:
        """The class of a text the scan gave class `number` by its category: with the agency it names, read in
        Python."""
        named = self.agencies.mentioned(text) if text else None
        return self.number(self.category_of(number)[0], self.agencies.agencies[named].name if named else None)

    def rows(self) -> list[tuple[int, str, str | None]]:
        """(number, reason_category, on_behalf_of) of every class."""
        return [(number, category, agency) for (category, agency), number in self.numbers.items()]

    def describe(self) -> str:
        return self.rules.describe()
