"""One count-table cell read honestly: missing is never zero, marks keep their meaning, errors say how to fix."""
from __future__ import annotations

import math

import pytest

from auditreport.model import MISSING, QUALIFIERS, REPORTED, SUPPRESSED, WITHHELD
from auditreport.read.cells import COUNT_HINT, Cell, CellError, parse_cell

HINT = ("Write a whole number, leave the cell blank if no value was given, "
        "or copy a mark such as (b)(7)(E) or <10 as printed.")


def test_count_hint_wording_is_pinned():
    assert COUNT_HINT == HINT


# -- plain numbers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value", [
    ("0", 0.0),
    ("35", 35.0),
    ("  42  ", 42.0),
    ("007", 7.0),
    ("1,204", 1204.0),
    ("12,345", 12345.0),
    ("120,271", 120271.0),
    ("1,000,000", 1_000_000.0),
    ("1 204", 1204.0),            # space as thousands separator
    ("1\u00a0204", 1204.0),       # no-break space, as spreadsheets export it
    ("1\u202f204", 1204.0),       # narrow no-break space
    ("12.0", 12.0),               # a whole number written with a decimal point
    (35, 35.0),                   # numbers from spreadsheets
    (35.0, 35.0),
])
def test_plain_counts(raw, value):
    assert parse_cell(raw) == Cell(REPORTED, value)


# -- missing, withheld, suppressed ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["", "   ", None, math.nan])
def test_blank_is_missing_not_zero(raw):
    cell = parse_cell(raw)
    assert cell == Cell(MISSING)
    assert cell.value is None


@pytest.mark.parametrize("raw", ["(no file)", "no file", "N/A", "n/a", "-", "--", "\u2014", "not available",
                                 "no data", "unknown", "?"])
def test_marked_missing_keeps_its_mark(raw):
    assert parse_cell(raw) == Cell(MISSING, mark=raw)


@pytest.mark.parametrize("raw", ["(b)(7)(E)", "(b)(7)(e)", "(b) (7) (E)", "(b)(6), (b)(7)(C)", "(b)(6)", "b7e",
                                 "[REDACTED]", "redacted", "withheld", "***", "xxx", "\u2588\u2588\u2588",
                                 "exempt", "Exemption 7(E)"])
def test_redaction_marks_are_withheld(raw):
    cell = parse_cell(raw)
    assert cell == Cell(WITHHELD, mark=raw)
    assert cell.value is None and cell.low is None and cell.high is None


@pytest.mark.parametrize("raw, low, high", [
    ("<10", 0.0, 9.0),
    ("< 10", 0.0, 9.0),
    ("fewer than 10", 0.0, 9.0),
    ("less than 5", 0.0, 4.0),
    ("<=10", 0.0, 10.0),
    ("\u226410", 0.0, 10.0),
    ("at most 10", 0.0, 10.0),
    ("1-9", 1.0, 9.0),
    ("1 to 9", 1.0, 9.0),
    ("<1,000", 0.0, 999.0),
])
def test_suppressed_cells_carry_bounds(raw, low, high):
    assert parse_cell(raw) == Cell(SUPPRESSED, None, low, high, mark=raw)


# -- qualified numbers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value, low, qualifier", [
    ("more than 4,000", 4000.0, 4001.0, "more_than"),
    ("More than 4,000", 4000.0, 4001.0, "more_than"),
    ("over 9000", 9000.0, 9001.0, "more_than"),
    ("> 50", 50.0, 51.0, "more_than"),
    ("more than 12,000,000", 12_000_000.0, 12_000_001.0, "more_than"),
    ("more than 12 million", 12_000_000.0, 12_000_001.0, "more_than"),
    ("4,000+", 4000.0, 4000.0, "at_least"),
    ("at least 5", 5.0, 5.0, "at_least"),
    ("about 60", 60.0, None, "about"),
    ("approximately 60", 60.0, None, "about"),
    ("approx. 60", 60.0, None, "about"),
    ("~60", 60.0, None, "about"),
    ("about 3 thousand", 3000.0, None, "about"),
])
def test_qualified_numbers_are_reported_but_not_exact(raw, value, low, qualifier):
    cell = parse_cell(raw)
    assert cell == Cell(REPORTED, value, low, None, qualifier=qualifier, mark=raw)
    assert not QUALIFIERS[cell.qualifier].exact


@pytest.mark.parametrize("raw, low, high", [
    ("thousands", 1000.0, 999_999.0),
    ("Thousands", 1000.0, 999_999.0),
    ("hundreds", 200.0, 999.0),
    ("dozens", 24.0, 143.0),
    ("tens of thousands", 10_000.0, 99_999.0),
    ("millions", 1_000_000.0, None),
])
def test_orders_of_magnitude_are_a_range_without_a_value(raw, low, high):
    cell = parse_cell(raw)
    assert cell == Cell(REPORTED, None, low, high, qualifier="order_of_magnitude", mark=raw)


# -- shares ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, value, qualifier", [
    ("77 percent", 0.77, "exact"),
    ("77%", 0.77, "exact"),
    ("77 per cent", 0.77, "exact"),
    ("about 77 percent", 0.77, "about"),
    ("more than 50%", 0.5, "more_than"),
    ("12.5%", 0.125, "exact"),
])
def test_percent_text_is_a_share(raw, value, qualifier):
    cell = parse_cell(raw)
    assert cell.status == REPORTED and cell.is_share and cell.qualifier == qualifier and cell.mark == raw
    assert cell.value == pytest.approx(value)


@pytest.mark.parametrize("raw, value", [("0.77", 0.77), ("77", 0.77), (0.77, 0.77), (77, 0.77), ("1", 1.0)])
def test_share_column_reads_fractions_and_percents(raw, value):
    cell = parse_cell(raw, share=True)
    assert cell.is_share and cell.status == REPORTED
    assert cell.value == pytest.approx(value)


def test_share_column_keeps_marks():
    assert parse_cell("(b)(7)(E)", share=True).status == WITHHELD
    assert parse_cell("", share=True).status == MISSING


def test_share_over_100_percent():
    with pytest.raises(CellError) as raised:
        parse_cell("150%")
    assert str(raised.value) == "'150%' is more than 100 percent"
    assert raised.value.hint == "Check the share as published."


def test_share_that_is_not_a_number():
    with pytest.raises(CellError) as raised:
        parse_cell("most", share=True)
    assert str(raised.value) == "'most' is not a share"
    assert raised.value.hint == "Write a share as 77%, 77 percent or 0.77, between 0 and 100 percent."


@pytest.mark.parametrize("raw", ["-5", "150", -5, 150])
def test_share_column_refuses_values_outside_0_to_100_percent(raw):
    # regression: '-5' was read as a share of -5 and '150' as 1.5
    with pytest.raises(CellError) as raised:
        parse_cell(raw, share=True)
    assert str(raised.value) == f"{str(raw)!r} is not a share between 0 and 100 percent"
    assert raised.value.hint == "Write a share as 77%, 77 percent or 0.77, between 0 and 100 percent."


# -- errors, with the message pinned -------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, message", [
    ("lots", "the text of the cell is not a count"),
    ("abc", "the text of the cell is not a count"),
    ('"1,204"', "'\"1,204\"' is not a count"),
    ("12,34", "'12,34' is not a count"),
    ("9-5", "'9-5' is not a count"),  # a range that runs backwards
    ("-5", "'-5' is negative; a count of searches cannot be"),
    ("- 5", "'- 5' is negative; a count of searches cannot be"),
    ("(5)", "'(5)' is negative; a count of searches cannot be"),  # accountants' negative
    ("-1,204", "'-1,204' is negative; a count of searches cannot be"),
    ("12.5", "'12.5' is not a whole number of searches"),
    ("<10.5", "'<10.5' is not a whole number of searches"),
    (-3, "-3 is negative; a count of searches cannot be"),
    (-3.5, "-3.5 is negative; a count of searches cannot be"),
    (12.5, "'12.5' is not a whole number of searches"),
    (True, "the text of the cell is not a count"),
    (math.inf, "'inf' is not a whole number of searches"),
])
def test_cells_that_are_not_counts(raw, message):
    with pytest.raises(CellError) as raised:
        parse_cell(raw)
    assert str(raised.value) == message
    assert raised.value.hint == HINT


@pytest.mark.parametrize("raw", ["about 60.5", "more than 4,000.5", "at least 2.5", "4.5+"])
def test_qualified_counts_must_be_whole_numbers(raw):
    # regression: 'about 60.5' was read as 60.5 searches
    with pytest.raises(CellError, match="is not a whole number of searches"):
        parse_cell(raw)


def test_qualified_counts_with_a_scale_word_may_have_a_decimal_point():
    assert parse_cell("more than 1.5 million").value == 1_500_000.0
    assert parse_cell("about 2.5 thousand").value == 2500.0


def test_percent_in_a_count_cell_is_read_as_a_share_so_the_reader_can_refuse_it():
    # parse_cell reports what the text is; the count-table reader refuses shares in count columns
    assert parse_cell("77 percent").is_share


def test_cell_error_is_a_value_error():
    assert issubclass(CellError, ValueError)


# -- privacy: only known marks are kept, never free text --------------------------------------------------------
@pytest.mark.parametrize("raw", ["Exempt - John Smith plate 7ABC123", "exemption: see officer J. Smith",
                                 "withheld for Det. Smith", "redacted CASE-2017-000981", "Exempt 7ABC123"])
def test_free_text_beginning_like_a_redaction_is_not_a_mark(raw):
    # regression: '^exempt.*' kept "Exempt - John Smith plate 7ABC123" verbatim as the cell's mark
    with pytest.raises(CellError) as raised:
        parse_cell(raw)
    assert "is not a count" in str(raised.value)


@pytest.mark.parametrize("raw", ["Exempt (b)(7)(E)", "Exemption 7(E)", "exempt - b7e", "(b)(7)(E) and (b)(6)",
                                 "GC 6254(f)", "Gov. Code \u00a7 7923.600", "(withheld)", "*****"])
def test_redaction_codes_are_withheld_with_their_mark(raw):
    assert parse_cell(raw) == Cell(WITHHELD, mark=raw)


def test_a_mark_is_never_long_text():
    with pytest.raises(CellError) as raised:
        parse_cell("<" + "9" * 300)
    assert len(str(raised.value)) < 80


def test_long_cell_values_are_cut_in_messages():
    raw = "Excludes 3 searches by Det. J. Smith for plate 7ABC123"
    with pytest.raises(CellError) as raised:
        parse_cell(raw)
    assert str(raised.value) == "the text of the cell is not a count"
    assert "7ABC123" not in str(raised.value)


# -- thousands separators that could be decimal points --------------------------------------------------------
@pytest.mark.parametrize("raw, message", [
    ("1.000", "'1.000' could be 1,000 or 1; write 1000 or 1,000"),
    ("1.204", "'1.204' could be 1,204 or 1.204; write 1204 or 1,204"),  # was: not a whole number
    ("12.000", "'12.000' could be 12,000 or 12; write 12000 or 12,000"),
])
def test_dot_and_three_digits_is_ambiguous(raw, message):
    with pytest.raises(CellError) as raised:
        parse_cell(raw)
    assert str(raised.value) == message


@pytest.mark.parametrize("raw, value", [("1.000", 1000.0), ("12.000", 12000.0), ("1.234.567", 1234567.0),
                                        ("1,204", 1204.0), ("5", 5.0)])
def test_decimal_comma_reads_dots_as_thousands(raw, value):
    assert parse_cell(raw, decimal_comma=True) == Cell(REPORTED, value)


def test_decimal_comma_quotes_the_cell_as_printed():
    with pytest.raises(CellError) as raised:
        parse_cell("12,5", decimal_comma=True)
    assert str(raised.value) == "'12,5' is not a whole number of searches"


# -- counts too large for a DOUBLE ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["99999999999999999999", "9" * 400, 2 ** 60, float(2 ** 60)])
def test_counts_beyond_2_to_the_53_are_refused(raw):
    with pytest.raises(CellError, match="is too large to be a count of searches"):
        parse_cell(raw)


def test_largest_exact_count_is_read():
    assert parse_cell(str(2 ** 53)).value == 2 ** 53


# -- shares decided per column -------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, percent, value", [("1", True, 0.01), ("1", False, 1.0), ("0.5", True, 0.005),
                                                 (77, True, 0.77)])
def test_share_scale_is_given_by_the_column(raw, percent, value):
    assert parse_cell(raw, share=True, percent=percent).value == pytest.approx(value)
