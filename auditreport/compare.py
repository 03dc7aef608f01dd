"""When a change in searches is worth a board's attention: one stated rule, printed in every report.

A change between two periods is **notable** when
1. both periods' counts are exact (no withheld, suppressed, missing or qualified part) and complete (the
   data cover every day of both periods);
2. the larger of the two counts is at least `min_count`, and the count changed by at least `min_change`
   (a quarter up or down: with thousands of searches, a change of 3 % is beyond chance and still no news); and
3. the difference is beyond chance for counts: a two-sided exact test that both periods share one daily
   rate (conditional on their sum, the count of one period is binomial with probability
   days / (days of both); p-value = twice the smaller tail, at most 1) gives p < `alpha`.

A change that fails 1 is never notable: the report says why it cannot be compared instead. A fall to
half or less (or a rise to double or more) of a whole system's searches is said to be possibly a sign of
an incomplete log, on the system's line and on the lines of its agencies.

>>> rule = NotableRule()
>>> rule.p_value(507, 92, 298, 92) < 0.001
True
>>> rule.p_value(12, 92, 10, 92) > 0.5
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr, bdtrc  # binomial tails; scipy.special loads in a third of scipy.stats' time

from .wording import change_words, count_words, signed_count_words


@dataclass(frozen=True)
class NotableRule:
    min_count: int = 20
    min_change: float = 0.25
    alpha: float = 0.01
    large_fall: float = 0.5      # a system down to this fraction or less may have an incomplete log
    large_rise: float = 2.0      # ... or up to this multiple or more

    def describe(self) -> str:
        return (f"A change is called notable only when both periods are complete and exact, the larger count is "
                f"at least {self.min_count}, the count changed by {self.min_change:.0%} or more, and an exact "
                "two-sided test of equal daily rates (the counts "
                f"conditional on their sum, binomial by the periods' lengths) gives p < {self.alpha:g}. A system "
                f"whose searches fall to {self.large_fall:.0%} or less, or rise to {self.large_rise:g} times or "
                "more, is flagged: a change that large can mean that a log is incomplete.")

    def p_value(self, count, days, other_count, other_days):
        """Two-sided p-value that `count` in `days` and `other_count` in `other_days` share one daily rate.

        Works on numbers or numpy arrays alike.
        """
        count = np.rint(np.asarray(count, dtype=float)).astype(np.int64)  # exact counts: whole numbers
        other_count = np.rint(np.asarray(other_count, dtype=float)).astype(np.int64)
        total = count + other_count
        share = np.asarray(days, dtype=float) / (np.asarray(days, dtype=float) + np.asarray(other_days, dtype=float))
        lower = bdtr(count, total, share)                              # P(X <= count)
        upper = np.where(count > 0, bdtrc(count - 1, total, share), 1.0)  # P(X >= count)
        p = np.minimum(1.0, 2 * np.minimum(lower, upper))
        return p if p.ndim else float(p)


@dataclass(frozen=True)
class Comparison:
    """This period against another: the change, whether it is notable, or why it cannot be compared."""

    value: float | None
    other: float | None
    other_label: str
    change: float | None = None
    ratio: float | None = None
    p_value: float | None = None
    notable: bool = False
    why_not: str = ""           # why the two cannot be compared, in words ("" when they can)
    large: bool = False         # a fall or rise large enough to suggest an incomplete log
    verdict: str = ""           # what the rule says of a compared change, in words

    def change_words(self) -> str:
        """The change as a table shows it beside both values: 'down 24% (−64)', or why it is not compared."""
        if self.why_not:
            return f"not compared: {self.why_not}"
        if self.ratio is None:
            return f"{count_words(self.value)} against none"
        return f"{change_words(self.ratio)} ({signed_count_words(self.change)})"


def compare(value, exact: bool, complete: bool, days: int, other, other_exact: bool, other_complete: bool,
            other_days: int, other_label: str, rule: NotableRule, *, other_exists: bool = True) -> Comparison:
    """Compare a count with the count of another period by the rule."""
    known = value is not None and not np.isnan(value)
    other_known = other is not None and not np.isnan(other)
    why = ""
    if not other_exists:
        why = "no data for that period"
    elif not known or not other_known:
        why = "a count is not known"
    elif not (complete and other_complete):
        which = "this period is" if not complete else f"{other_label} is"
        why = f"{which} not complete"
    elif not (exact and other_exact):
        which = "this period's count" if not exact else f"{other_label}'s count"
        why = f"{which} is not exact"
    if why:
        return Comparison(value if known else None, other if other_known else None, other_label, why_not=why)
    change = float(value - other)
    ratio = change / other if other else None
    p = rule.p_value(value, days, other, other_days)
    material = other == 0 or abs(change) >= rule.min_change * other
    notable = max(value, other) >= rule.min_count and material and p < rule.alpha
    large = other > 0 and (value <= rule.large_fall * other or value >= rule.large_rise * other)
    if notable:
        verdict = "notable by the rule in the method section"
    elif p >= rule.alpha:
        verdict = "a change chance alone could explain"
    elif not material:
        verdict = f"beyond chance, but less than the {rule.min_change:.0%} change the rule asks"
    else:
        verdict = f"too few searches to call notable (fewer than {rule.min_count})"
    return Comparison(float(value), float(other), other_label, change, ratio, p, notable, "", large, verdict)
