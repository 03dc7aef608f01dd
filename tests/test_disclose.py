"""Small-cell suppression: the federal-searches scenario, and properties over random linked tables."""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from auditreport.disclose import POLICIES, Policy, audit, suppress

STANDARD = POLICIES["standard"]


def linked_tables(values: np.ndarray) -> dict:
    """Base cells agency x period x reason, and every margin a report publishes of them."""
    agencies, periods, reasons = values.shape
    index = np.arange(values.size).reshape(values.shape)
    sums = {}
    for a, p, r in itertools.product(range(agencies), range(periods), range(reasons)):
        sums[("cell", a, p, r)] = [int(index[a, p, r])]
    for a, p in itertools.product(range(agencies), range(periods)):
        sums[("agency", a, p)] = index[a, p, :].ravel().tolist()
    for p, r in itertools.product(range(periods), range(reasons)):
        sums[("reason", p, r)] = index[:, p, r].ravel().tolist()
    for p in range(periods):
        sums[("period", p)] = index[:, p, :].ravel().tolist()
    return sums


def test_two_hsi_searches_and_one_border_patrol_search_cannot_be_pinned():
    # the scenario: HSI 2 (both on one day), Border Patrol 1, and 360 and 135 local searches
    values = [2, 1, 360, 135]
    sums = {"HSI": [0], "USBP": [1], "City PD": [2], "County SO": [3], "federal": [0, 1], "all": [0, 1, 2, 3],
            "local": [2, 3]}
    result = suppress(values, sums, STANDARD)
    assert result.passed and {"HSI", "USBP", "federal"} <= result.suppressed
    frame = result.audit_frame().set_index("cell")
    for cell in ("HSI", "USBP", "federal"):  # by level, by difference of totals: never exact, at least 5 wide
        low, high = frame.loc[cell, ["feasible_min", "feasible_max"]]
        assert high - low >= 5 and low <= frame.loc[cell, "value"] <= high


def test_nothing_is_suppressed_under_none_or_without_small_cells():
    values = [2, 1, 360, 135]
    sums = {"HSI": [0], "USBP": [1], "all": [0, 1, 2, 3]}
    assert suppress(values, sums, POLICIES["none"]).suppressed == set()
    assert suppress([20, 30, 360], {"a": [0], "b": [1], "all": [0, 1, 2]}, STANDARD).suppressed == set()


def test_one_small_cell_in_a_table_with_margins_costs_at_most_four_cells():
    # the classic bound for a two-way table: the cell, a partner in its row, one in its column, their crossing
    values = np.array([[[3], [40], [55]], [[60], [70], [80]], [[45], [65], [90]]])  # 3 agencies x 3 periods x 1
    sums = {key: cells for key, cells in linked_tables(values).items() if key[0] != "cell"}
    result = suppress(values.ravel(), sums, STANDARD)
    assert result.passed and ("agency", 0, 0) in result.primary
    assert len(result.suppressed) <= 4, sorted(result.suppressed)


@settings(deadline=None)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(1, 3), st.data())
def test_after_suppression_every_protected_cell_is_at_least_the_width(agencies, periods, reasons, data):
    shape = (agencies, periods, reasons)
    cells = data.draw(st.lists(st.one_of(st.integers(0, 12), st.integers(20, 400)), min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape))))
    values = np.array(cells).reshape(shape)
    sums = linked_tables(values)
    result = suppress(values.ravel(), sums, STANDARD)
    if not result.passed:  # a table too small to hide a cell: then everything around it is withheld
        assert all(key in result.suppressed for key, *_ in result.audit)
        return
    for key, value, low, high, ok in audit(values.ravel(), sums, result.primary, result.suppressed, STANDARD):
        assert low - 1e-6 <= value <= high + 1e-6  # the truth is always inside what the audit allows
        if key in result.primary:
            assert ok and high - low >= STANDARD.width
    published = {key for key in sums if key not in result.suppressed}
    totals = {key: values.ravel()[cells].sum() for key, cells in sums.items()}
    assert not [key for key in published if 1 <= totals[key] <= STANDARD.threshold]  # no small cell released


def test_a_wider_policy_protects_more():
    values = [12, 30, 300]
    sums = {"a": [0], "b": [1], "c": [2], "all": [0, 1, 2]}
    assert suppress(values, sums, STANDARD).suppressed == set()
    assert "a" in suppress(values, sums, Policy("strict", threshold=15, width=5)).primary


def test_a_month_of_only_small_numbers_drops_a_range_instead_of_failing():
    # seven parts of 1 each under a total of 7: "1-10" on the total and on each part would pin each part to 1-4
    values = [1, 1, 1, 1, 1, 1, 1]
    sums = {("part", i): [i] for i in range(7)} | {"total": list(range(7))}
    result = suppress(values, sums, STANDARD)
    assert result.passed and "total" in result.unranged and "total" in result.suppressed
    assert all(high - low >= STANDARD.width for key, _, low, high, _ in result.audit if key in result.primary
               and key not in result.unranged)


def test_sums_of_the_same_cells_are_decided_together():
    # an agency's total and its department's, when it is the only agency in it: one number published twice
    values = [2, 300, 280]
    sums = {"HSI": [0], "DHS": [0], "City PD": [1], "County SO": [2], "all": [0, 1, 2]}
    result = suppress(values, sums, STANDARD)
    assert {"HSI", "DHS"} <= result.primary and result.passed
