"""The notable-change rule: an exact test of equal daily rates, a minimum count and change, never on partial data."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditreport.compare import NotableRule, compare

RULE = NotableRule()


def compared(value, other, *, complete=True, exact=True, other_complete=True, other_exact=True, days=92,
             other_days=92):
    return compare(value, exact, complete, days, other, other_exact, other_complete, other_days, "2024-Q3", RULE)


@given(st.integers(0, 400), st.integers(0, 400), st.integers(28, 92), st.integers(28, 92))
def test_the_p_value_is_the_doubled_exact_binomial_tail(count, other, days, other_days):
    from scipy.stats import binom

    total, share = count + other, days / (days + other_days)
    tails = min(binom.cdf(count, total, share), binom.sf(count - 1, total, share))
    expected = 1.0 if total == 0 else min(1.0, 2 * tails)
    assert RULE.p_value(count, days, other, other_days) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_a_large_rise_beyond_chance_is_notable():
    result = compared(507, 298)
    assert result.notable and result.change == 209 and result.ratio == pytest.approx(0.7013, abs=1e-4)
    assert result.verdict == "notable by the rule in the method section"
    assert result.change_words() == "up 70% (+209)"


@pytest.mark.parametrize("value,other,verdict", [
    (12, 10, "a change chance alone could explain"),
    (63_579, 56_062, "beyond chance, but less than the 25% change the rule asks"),
    (1, 12, "too few searches to call notable (fewer than 20)"),
])
def test_a_change_that_is_not_notable_says_which_part_of_the_rule_it_fails(value, other, verdict):
    result = compared(value, other)
    assert not result.notable and result.verdict == verdict


@pytest.mark.parametrize("options,why", [
    ({"complete": False}, "this period is not complete"),
    ({"other_complete": False}, "2024-Q3 is not complete"),
    ({"exact": False}, "this period's count is not exact"),
    ({"other_exact": False}, "2024-Q3's count is not exact"),
])
def test_a_partial_or_inexact_period_is_never_compared(options, why):
    result = compared(900, 73, **options)
    assert not result.notable and result.why_not == why and result.change is None
    assert result.change_words() == f"not compared: {why}"


def test_a_fall_to_half_or_less_is_large_and_says_so_in_words():
    assert compared(73, 340).large and compared(1000, 300).large
    assert not compared(300, 340).large
    assert compared(15, 0).change_words() == "15 against none"


def test_periods_of_different_lengths_compare_daily_rates():
    # 31 searches in a 31-day month and 30 in a 30-day month: the same rate, nothing to see
    assert RULE.p_value(31, 31, 30, 30) == pytest.approx(1.0)
    assert compared(310, 100, days=31, other_days=10).verdict == "a change chance alone could explain"
