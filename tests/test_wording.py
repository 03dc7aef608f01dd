"""Numbers in words: one helper for the report, the charts and the command line; never 0% for some, 100% for less."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditreport.wording import change_words, count_words, percent_words, share_words, signed_count_words, value_words


@pytest.mark.parametrize("fraction,words", [(0, "0%"), (0.0015, "<1%"), (0.004, "<1%"), (0.01, "1%"),
                                            (0.125, "13%"), (0.77, "77%"), (0.9985, ">99%"), (0.996, ">99%"),
                                            (1, "100%")])
def test_percent_words(fraction, words):
    assert percent_words(fraction) == words


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_a_share_is_never_rounded_to_none_or_to_all(fraction):
    words = percent_words(fraction)
    if 0 < fraction:
        assert words != "0%"
    if fraction < 1:
        assert words != "100%"


def test_counts_changes_and_qualified_shares():
    assert count_words(2099.0) == "2,099" and count_words(0) == "0"
    assert signed_count_words(52) == "+52" and signed_count_words(-13) == "\u221213" and signed_count_words(0) == "0"
    assert change_words(0.7) == "up 70%" and change_words(-0.785) == "down 79%" and change_words(0) == "no change"
    assert change_words(2.5) == "up 250%" and change_words(math.nan) == "change not known"
    assert share_words(0.77, exact=False) == "about 77%"


@pytest.mark.parametrize("row,kind,words", [
    (dict(value=1234.0, exact=True, status="reported"), "count", "1,234"),
    (dict(value=math.nan, exact=False, status="suppressed", value_low=0.0, value_high=9.0), "count", "<10"),
    (dict(value=math.nan, exact=False, status="withheld"), "count", "withheld"),
    (dict(value=1913.0, exact=False, status="mixed", value_low=1913.0, value_high=math.nan), "count",
     "at least 1,913"),
    (dict(value=0.0015, exact=True, status="reported"), "share", "<1%"),
    (dict(value=0.9985, exact=False, status="reported"), "share", "about >99%"),
])
def test_value_words_never_shows_a_bare_number_unless_exact(row, kind, words):
    assert value_words(SimpleNamespace(**row), kind) == words


def test_the_shares_command_words_small_shares_honestly(tmp_path):
    import csv
    import io

    from click.testing import CliRunner

    from auditreport.cli import main
    table = tmp_path / "counts.csv"
    table.write_text("agency,system,period,searches\nSpringfield PD,S,2025,1997\nFBI,S,2025,3\n", encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    assert CliRunner().invoke(main, ["ingest", str(table), "--db", str(db)]).exit_code == 0
    output = CliRunner().invoke(main, ["shares", "--db", str(db), "--grain", "year"]).stdout
    words = {row["agency"]: row["display"] for row in csv.DictReader(io.StringIO(output))}
    assert words == {"Federal Bureau of Investigation": "<1%", "Springfield PD": ">99%"}
