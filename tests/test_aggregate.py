"""Aggregates answer the board's questions honestly: sums of what is known, bounds, exactness, coverage."""
from __future__ import annotations

import csv
import math
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditreport.aggregate import CountQuery, changes, counts, display_value, shares
from auditreport.errors import UsageError
from auditreport.model import MEASURES
from auditreport.periods import add_months, bucket_of
from auditreport.read.count_table import read_count_table
from auditreport.store import SourceInfo, Store

D = date
NAN = math.nan
PROPERTY = settings(max_examples=30, deadline=None)
SAMPLES = Path(__file__).parent.parent / "sample_logs"

# A hand-made table: two agencies by month (with a withheld, a suppressed and a missing cell) and one
# irregular window that crosses a quarter boundary (Mar-Apr 2017: 31 + 30 days).
HAND_MADE = [
    ("agency", "system", "period", "searches"),
    ("Agency A", "S", "Jan-17", "10"),
    ("Agency A", "S", "Feb-17", "20"),
    ("Agency A", "S", "Mar-17", "30"),
    ("Agency A", "S", "Apr-17", "40"),
    ("Agency A", "S", "May-17", "(b)(7)(E)"),
    ("Agency A", "S", "Jun-17", "60"),
    ("Agency B", "S", "Jan-17", "5"),
    ("Agency B", "S", "Feb-17", "<10"),
    ("Agency B", "S", "Mar-17", "7"),
    ("Agency B", "S", "Apr-17", "(no file)"),
    ("Agency B", "S", "May-17", "8"),
    ("Agency B", "S", "Jun-17", "9"),
    ("Agency C", "S", "Mar 2017 - Apr 2017", "61"),
]
SHARES = [
    ("agency", "system", "period", "share"),
    ("ICE", "LEIS", "Q1 2017", "40%"),
    ("ICE", "LEIS", "Q1 2017", "60%"),  # two figures for one group and period: never added up
    ("ICE", "AZLink", "Q1 2017", "77%"),  # another system: its own row, never combined with LEIS
]
COLUMNS = ["period", "agency", "value", "exact", "value_low", "value_high", "complete", "estimated", "status"]


def write_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def ingest(store: Store, path: Path, **options) -> None:
    read = read_count_table(path, **options)
    grid = read.grid
    store.add_source(SourceInfo(grid.file_name, grid.sha256, grid.size_bytes, read.reader, rows_read=read.rows_read),
                     read.observations, read.findings)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "audit.duckdb") as opened:
        ingest(opened, write_csv(tmp_path / "hand_made.csv", HAND_MADE))
        ingest(opened, write_csv(tmp_path / "shares.csv", SHARES))
        yield opened


def table_rows(result, columns=COLUMNS) -> list[tuple]:
    """Rows as tuples with NaN as None, so they compare with ==."""
    frame = result.table if hasattr(result, "table") else result
    return [tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row)
            for row in frame[columns].itertuples(index=False)]


# -- counts by agency at every grain -------------------------------------------------------------------------
def test_month_grain(store):
    result = counts(store, by=("agency",), grain="month")
    assert table_rows(result) == [
        ("2017-01", "Agency A", 10.0, True, 10.0, 10.0, True, False, "reported"),
        ("2017-01", "Agency B", 5.0, True, 5.0, 5.0, True, False, "reported"),
        ("2017-02", "Agency A", 20.0, True, 20.0, 20.0, True, False, "reported"),
        ("2017-02", "Agency B", None, False, 0.0, 9.0, True, False, "suppressed"),
        ("2017-03", "Agency A", 30.0, True, 30.0, 30.0, True, False, "reported"),
        ("2017-03", "Agency B", 7.0, True, 7.0, 7.0, True, False, "reported"),
        ("2017-04", "Agency A", 40.0, True, 40.0, 40.0, True, False, "reported"),
        ("2017-04", "Agency B", None, False, 0.0, None, False, False, "missing"),
        ("2017-05", "Agency A", None, False, 0.0, None, True, False, "withheld"),
        ("2017-05", "Agency B", 8.0, True, 8.0, 8.0, True, False, "reported"),
        ("2017-06", "Agency A", 60.0, True, 60.0, 60.0, True, False, "reported"),
        ("2017-06", "Agency B", 9.0, True, 9.0, 9.0, True, False, "reported"),
    ]
    assert list(result.table["display"]) == ["10", "5", "20", "<10", "30", "7", "40", "missing", "withheld", "8",
                                             "60", "9"]
    assert list(result.left_out["period_label"]) == ["Mar 2017 - Apr 2017"]


def test_quarter_grain_with_bounds_and_left_out_range(store):
    result = counts(store, by=("agency",), grain="quarter")
    assert table_rows(result) == [
        ("2017-Q1", "Agency A", 60.0, True, 60.0, 60.0, True, False, "reported"),
        ("2017-Q1", "Agency B", 12.0, False, 12.0, 21.0, True, False, "mixed"),      # 5 + <10 + 7
        ("2017-Q2", "Agency A", 100.0, False, 100.0, None, True, False, "mixed"),    # withheld May: no upper bound
        ("2017-Q2", "Agency B", 17.0, False, 17.0, None, False, False, "mixed"),     # Apr missing: not complete
    ]
    assert list(result.table["display"]) == ["60", "12 to 21", "at least 100", "at least 17"]
    assert table_rows(result, ["period", "agency", "reported_cells", "withheld_cells", "suppressed_cells",
                               "missing_cells", "source_ids"]) == [
        ("2017-Q1", "Agency A", 3, 0, 0, 0, "1"),
        ("2017-Q1", "Agency B", 2, 0, 1, 0, "1"),
        ("2017-Q2", "Agency A", 2, 1, 0, 0, "1"),
        ("2017-Q2", "Agency B", 2, 0, 0, 1, "1"),
    ]
    # the Mar-Apr window fits no quarter: left out, and listed
    assert "Agency C" not in set(result.table["agency"])
    left_out = result.left_out.assign(period_start=lambda f: pd.to_datetime(f["period_start"]).dt.date,
                                      period_end=lambda f: pd.to_datetime(f["period_end"]).dt.date)
    assert table_rows(left_out, ["source", "row_number", "agency", "period_label", "period_start", "period_end",
                                 "value"]) == [
        ("hand_made.csv", 14, "Agency C", "Mar 2017 - Apr 2017", D(2017, 3, 1), D(2017, 5, 1), 61.0)]
    assert "1 observation(s) span more than one quarter" in result._repr_html_()


def test_year_grain_includes_the_range(store):
    result = counts(store, by=("agency",), grain="year")
    assert table_rows(result) == [
        ("2017", "Agency A", 160.0, False, 160.0, None, False, False, "mixed"),
        ("2017", "Agency B", 29.0, False, 29.0, None, False, False, "mixed"),
        ("2017", "Agency C", 61.0, True, 61.0, 61.0, False, False, "reported"),
    ]
    assert len(result.left_out) == 0


def test_fiscal_quarter_grain(store):
    result = counts(store, by=("agency",), grain="fiscal_quarter")
    assert table_rows(result, ["period", "period_start", "period_end", "agency", "value", "exact"]) == [
        ("FY2017-Q2", D(2017, 1, 1), D(2017, 4, 1), "Agency A", 60.0, True),
        ("FY2017-Q2", D(2017, 1, 1), D(2017, 4, 1), "Agency B", 12.0, False),
        ("FY2017-Q3", D(2017, 4, 1), D(2017, 7, 1), "Agency A", 100.0, False),
        ("FY2017-Q3", D(2017, 4, 1), D(2017, 7, 1), "Agency B", 17.0, False),
    ]
    assert list(result.left_out["agency"]) == ["Agency C"]


def test_fiscal_year_grain_federal_and_july(store):
    federal = counts(store, by=("agency",), grain="fiscal_year")
    assert table_rows(federal, ["period", "period_start", "period_end", "agency", "value", "complete"]) == [
        ("FY2017", D(2016, 10, 1), D(2017, 10, 1), "Agency A", 160.0, False),
        ("FY2017", D(2016, 10, 1), D(2017, 10, 1), "Agency B", 29.0, False),
        ("FY2017", D(2016, 10, 1), D(2017, 10, 1), "Agency C", 61.0, False),
    ]
    july = counts(store, by=(), grain="fiscal_year", fiscal_year_start=7)
    assert table_rows(july, ["period", "period_start", "period_end", "value", "exact"]) == [
        ("FY2017", D(2016, 7, 1), D(2017, 7, 1), 250.0, False)]


def test_all_agencies_together(store):
    result = counts(store, by=(), grain="quarter")
    assert table_rows(result, ["period", "value", "exact", "value_low", "value_high", "complete"]) == [
        ("2017-Q1", 72.0, False, 72.0, 81.0, True),
        ("2017-Q2", 117.0, False, 117.0, None, False),
    ]
    assert "agency" not in result.table.columns


def test_shares_in_the_store_never_enter_counts(store):
    result = counts(store, by=("agency",), grain="quarter")
    assert "ICE" not in set(result.table["agency"])
    assert set(result.table["measure"]) == {"searches"}


def test_irregular_range_is_apportioned_by_days_only_when_asked(store):
    result = counts(store, by=("agency",), grain="quarter", apportion=True)
    agency_c = result.table[result.table["agency"] == "Agency C"]
    assert table_rows(agency_c) == [
        ("2017-Q1", "Agency C", 31.0, False, 31.0, 31.0, False, True, "reported"),  # 31 of 61 days in March
        ("2017-Q2", "Agency C", 30.0, False, 30.0, 30.0, False, True, "reported"),  # 30 days in April
    ]
    assert list(agency_c["display"]) == ["about 31", "about 30"]
    # the other agencies are not estimated
    assert not result.table[result.table["agency"] != "Agency C"]["estimated"].any()
    assert len(result.left_out) == 0


def test_reported_grain_shows_each_observation_in_its_own_period(store):
    # regression: grain='reported' crashed ('any_p.value(p.value)' after a blind str.replace)
    result = counts(store, by=("agency",), grain="reported")
    agency_c = result.table[result.table["agency"] == "Agency C"]
    assert table_rows(agency_c, ["period", "period_start", "period_end", "value", "exact", "complete"]) == [
        ("Mar 2017 - Apr 2017", D(2017, 3, 1), D(2017, 5, 1), 61.0, True, True)]
    assert len(result.table) == 13


def test_shares_are_never_summed(store):
    # regression: any share measure crashed ('any_p.value(p.value)' after a blind str.replace)
    result = counts(store, by=("agency",), grain="quarter", measure="share_of_searches")
    assert table_rows(result, ["period", "agency", "system", "value"]) == [
        ("2017-Q1", "U.S. Immigration and Customs Enforcement", "AZLink", 0.77),
        ("2017-Q1", "U.S. Immigration and Customs Enforcement", "LEIS", None)]  # not 0.4 + 0.6, nor + 0.77


def test_share_bounds_are_not_summed_either(store):
    # regression: value_low/value_high were 0.4 + 0.6 = 1.0, exact True, display '100% to 100%'
    result = counts(store, by=("agency",), grain="quarter", measure="share_of_searches")
    row = result.table[result.table["system"] == "LEIS"].iloc[0]
    assert math.isnan(row["value_low"]) and math.isnan(row["value_high"])
    assert not row["exact"]
    assert "100%" not in row["display"]


def test_shares_cannot_be_apportioned():
    with pytest.raises(UsageError) as raised:
        CountQuery(measure="share_of_searches", apportion=True)
    assert str(raised.value) == ("share_of_searches cannot be apportioned: a share of a longer period is not the "
                                 "share of a part of it. Leave out --apportion, or use --grain reported.")


def test_shares_from_counts_are_not_exact_when_a_count_is_not(store):
    result = shares(store, by=("agency",), grain="quarter")
    q1 = result.table[result.table["period"] == "2017-Q1"]
    assert list(q1["value"]) == pytest.approx([60 / 72, 12 / 72])
    assert list(q1["exact"]) == [False, False]  # Agency B's <10 makes every share in Q1 uncertain
    assert set(result.table["measure"]) == {"share_of_searches"}
    with pytest.raises(UsageError, match="shares are computed from counts, not from share_of_searches"):
        shares(store, measure="share_of_searches")


def test_published_headline_figures_are_never_summed(tmp_path):
    with Store(tmp_path / "audit.duckdb") as store:
        ingest(store, SAMPLES / "published-headline-figures.csv")
        try:
            result = counts(store, by=(), grain="year", apportion=True)
        except UsageError:
            return  # refusing to add them up is a fix too
    assert (result.table["reported_cells"] <= 1).all()


# -- changes ------------------------------------------------------------------------------------------------------
def test_changes_previous_and_year_ago(tmp_path):
    path = write_csv(tmp_path / "quarters.csv", [
        ("Agency", "Q1 2017", "Q2 2017", "Q3 2017", "Q4 2017", "Q1 2018", "Q2 2018"),
        ("ICE ERO", "10", "20", "30", "40", "15", "(b)(7)(E)"),
    ])
    with Store(tmp_path / "audit.duckdb") as store:
        ingest(store, path, system="S")
        table = changes(store, by=("agency",), grain="quarter")
    columns = ["period", "value", "exact", "previous_value", "change", "change_ratio", "year_ago_value",
               "change_from_year_ago", "change_from_year_ago_ratio"]
    assert table_rows(table, columns) == [
        ("2017-Q1", 10.0, True, None, None, None, None, None, None),
        ("2017-Q2", 20.0, True, 10.0, 10.0, 1.0, None, None, None),
        ("2017-Q3", 30.0, True, 20.0, 10.0, 0.5, None, None, None),
        ("2017-Q4", 40.0, True, 30.0, 10.0, pytest.approx(1 / 3), None, None, None),
        ("2018-Q1", 15.0, True, 40.0, -25.0, -0.625, 10.0, 5.0, 0.5),
        ("2018-Q2", None, False, 15.0, None, None, 20.0, None, None),  # withheld: no change is claimed
    ]
    assert list(table["previous_exact"]) == [False, True, True, True, True, True]
    assert list(table["year_ago_exact"]) == [False, False, False, False, True, True]


def test_changes_need_a_calendar_grain(store):
    with pytest.raises(UsageError) as raised:
        changes(store, grain="reported")
    assert str(raised.value) == ("changes need a calendar grain. "
                                 "Use --grain month, quarter, year, fiscal_quarter, fiscal_year.")


# -- the query is checked before any SQL runs ----------------------------------------------------------------------
@pytest.mark.parametrize("options, message", [
    ({"by": ("plate",)}, "cannot break down by plate. Use one or more of: agency, system, reason_category, "
                         "query_type, on_behalf_of, offense_type, moderation, parent, department, level, state, "
                         "federal."),
    ({"by": ("agency", "agency")}, "a dimension is named twice in --by. Name each dimension once."),
    ({"grain": "week"}, "unknown grain 'week'. Use one of: month, quarter, year, fiscal_quarter, fiscal_year, "
                        "reported."),
    ({"fiscal_year_start": 13}, "--fiscal-year-start must be a month number from 1 to 12, not 13. "
                                "Use 10 for the US federal year (October), 7 for July."),
    ({"measure": "arrests"}, f"unknown measure 'arrests'. Use one of: {', '.join(MEASURES)}."),
])
def test_bad_queries(options, message):
    with pytest.raises(UsageError) as raised:
        CountQuery(**options)
    assert str(raised.value) == message


def test_empty_store_gives_an_empty_table(tmp_path):
    with Store(tmp_path / "empty.duckdb") as store:
        result = counts(store, by=("agency",), grain="month")
    assert len(result) == 0


def test_display_value_never_shows_a_bare_number_unless_exact():
    row = pd.Series({"value": 12.0, "exact": False, "value_low": 12.0, "value_high": 21.0, "status": "mixed",
                     "estimated": False})
    assert display_value(row) == "12 to 21"
    row = pd.Series({"value": NAN, "exact": False, "value_low": 0.0, "value_high": 9.0, "status": "suppressed"})
    assert display_value(row) == "<10"
    row = pd.Series({"value": 0.77, "exact": True})
    assert display_value(row, "share") == "77%"


# -- properties ------------------------------------------------------------------------------------------------------
FIRST_MONTH = D(2017, 7, 1)  # twelve months across a fiscal-year and a calendar-year boundary
MONTHS = [add_months(FIRST_MONTH, i) for i in range(12)]
AGENCIES = ["ICE ERO", "CBP", "Harbor County Sheriff's Office"]


@contextmanager
def store_of(rows: list[tuple], header=("agency", "system", "period", "searches"), name="counts.csv"):
    """A fresh database in a temporary directory holding one CSV of `rows` (hypothesis reuses no fixture)."""
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / name, [header, *rows])
        with Store(Path(directory) / "audit.duckdb") as store:
            ingest(store, path)
            yield store


monthly_counts = st.dictionaries(
    keys=st.tuples(st.sampled_from(AGENCIES), st.integers(min_value=0, max_value=11)),
    values=st.integers(min_value=0, max_value=5000), min_size=1, max_size=20)


def month_rows(cells: dict) -> list[tuple]:
    return [(agency, "S", f"{MONTHS[month]:%b %Y}", str(value)) for (agency, month), value in sorted(cells.items())]


@PROPERTY
@given(cells=monthly_counts, grain=st.sampled_from(["month", "quarter", "year", "fiscal_quarter", "fiscal_year"]))
def test_agencies_add_up_to_the_total(cells, grain):
    with store_of(month_rows(cells)) as store:
        by_agency = counts(store, by=("agency",), grain=grain).table
        total = counts(store, by=(), grain=grain).table
    summed = by_agency.groupby("period", sort=False)["value"].sum(min_count=1)  # all unknown stays unknown
    assert dict(zip(total["period"], total["value"])) == pytest.approx(summed.to_dict(), nan_ok=True)
    assert total["value"].sum() == sum(cells.values())


@PROPERTY
@given(cells=monthly_counts, grain=st.sampled_from(["quarter", "year", "fiscal_quarter", "fiscal_year"]))
def test_coarser_buckets_equal_the_sum_of_their_months(cells, grain):
    with store_of(month_rows(cells)) as store:
        months = counts(store, by=("agency",), grain="month").table
        coarse = counts(store, by=("agency",), grain=grain).table
    months["bucket"] = [bucket_of(start, grain).label for start in months["period_start"]]
    expected = months.groupby(["bucket", "agency"])["value"].sum(min_count=1).to_dict()
    assert {(r.period, r.agency): r.value for r in coarse.itertuples()} == pytest.approx(expected, nan_ok=True)


@PROPERTY
@given(cells=monthly_counts, data=st.data())
def test_row_order_does_not_change_the_answer(cells, data):
    rows = month_rows(cells)
    shuffled = data.draw(st.permutations(rows))
    grain = data.draw(st.sampled_from(["month", "quarter", "fiscal_year"]))
    with store_of(rows) as store:
        expected = counts(store, by=("agency",), grain=grain).table
    with store_of(shuffled) as store:
        actual = counts(store, by=("agency",), grain=grain).table
    pd.testing.assert_frame_equal(actual, expected)


DAY_ONE = D(2017, 1, 1)
windows = st.lists(st.tuples(st.integers(min_value=0, max_value=700), st.integers(min_value=1, max_value=400),
                             st.integers(min_value=0, max_value=10_000)), min_size=1, max_size=6)


@PROPERTY
@given(windows=windows, grain=st.sampled_from(["month", "quarter", "year", "fiscal_quarter", "fiscal_year"]))
def test_apportioning_conserves_the_total(windows, grain):
    rows = []
    for offset, length, value in windows:
        first, last = DAY_ONE + timedelta(days=offset), DAY_ONE + timedelta(days=offset + length - 1)
        rows.append(("ICE", "S", first.isoformat(), last.isoformat(), str(value)))
    header = ("agency", "system", "period_start", "period_end", "searches")
    with store_of(rows, header=header) as store:
        result = counts(store, by=("agency",), grain=grain, apportion=True)
    assert result.table["value"].sum() == pytest.approx(sum(value for _, _, value in windows))
    table = result.table
    spanning = table["estimated"]
    assert not table[spanning]["exact"].any()  # an apportioned value is an estimate, never exact


marked_cells = st.dictionaries(
    keys=st.tuples(st.sampled_from(AGENCIES), st.integers(min_value=0, max_value=11)),
    values=st.one_of(st.integers(min_value=0, max_value=5000).map(str),
                     st.sampled_from(["<10", "<5", "(b)(7)(E)", "(no file)"])),
    min_size=1, max_size=20)


@PROPERTY
@given(cells=marked_cells, grain=st.sampled_from(["month", "quarter", "year", "fiscal_quarter", "fiscal_year"]),
       by=st.sampled_from([("agency",), ()]))
def test_no_exact_value_for_a_bucket_with_a_suppressed_cell(cells, grain, by):
    rows = [(agency, "S", f"{MONTHS[month]:%b %Y}", text) for (agency, month), text in sorted(cells.items())]
    with store_of(rows) as store:
        table = counts(store, by=by, grain=grain).table
    for row in table.itertuples():
        if row.suppressed_cells or row.withheld_cells or row.missing_cells:
            assert not row.exact
            assert row.display != f"{row.value:,.0f}"  # never shown as a bare number
        if row.suppressed_cells:
            assert row.value_high != row.value_high or row.value_high > row.value_low
        if row.exact:
            assert row.value_low == row.value == row.value_high
        if not math.isnan(row.value_high):
            assert row.value_low <= row.value_high


@PROPERTY
@given(cells=marked_cells, grain=st.sampled_from(["month", "quarter", "fiscal_year"]))
def test_bounds_exactness_and_coverage_of_the_total_follow_from_the_agencies(cells, grain):
    rows = [(agency, "S", f"{MONTHS[month]:%b %Y}", text) for (agency, month), text in sorted(cells.items())]
    with store_of(rows) as store:
        by_agency = counts(store, by=("agency",), grain=grain).table
        total = counts(store, by=(), grain=grain).table.set_index("period")
    for period, group in by_agency.groupby("period"):
        row = total.loc[period]
        assert row["value_low"] == pytest.approx(group["value_low"].sum())
        if group["value_high"].isna().any():
            assert math.isnan(row["value_high"])
        else:
            assert row["value_high"] == pytest.approx(group["value_high"].sum())
        assert row["exact"] == group["exact"].all()
        assert row["complete"] == group["complete"].all()
        for column in ("reported_cells", "withheld_cells", "suppressed_cells", "missing_cells"):
            assert row[column] == group[column].sum()


@PROPERTY
@given(cells=marked_cells, grain=st.sampled_from(["month", "quarter", "year", "fiscal_year"]))
def test_wide_and_long_layouts_of_the_same_numbers_agree(cells, grain):
    agencies = sorted({agency for agency, _ in cells})
    used = sorted({month for _, month in cells})
    grid = {(agency, month): cells.get((agency, month), "(no file)") for agency in agencies for month in used}
    long_rows = [(agency, "S", f"{MONTHS[month]:%b %Y}", text) for (agency, month), text in grid.items()]
    wide_rows = [(agency, *[grid[agency, month] for month in used]) for agency in agencies]
    header = ("Agency", *[f"{MONTHS[month]:%b-%y}" for month in used])
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / "wide.csv", [header, *wide_rows])
        with Store(Path(directory) / "wide.duckdb") as store:
            ingest(store, path, system="S")
            wide = counts(store, by=("agency",), grain=grain).table
    with store_of(long_rows) as store:
        long = counts(store, by=("agency",), grain=grain).table
    columns = [c for c in wide.columns if c != "source_ids"]
    pd.testing.assert_frame_equal(wide[columns], long[columns])


# -- regressions from review: absence is missing, overlaps are not exact, unknown shares are not 0% -------------
def _db(tmp_path, files: dict[str, str]):
    store = Store(tmp_path / "audit.duckdb")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        ingest(store, tmp_path / name, system="S")
    return store


def test_an_agency_absent_from_a_later_file_is_missing_not_zero(tmp_path):
    with _db(tmp_path, {"h1.csv": "Agency,Jan-17,Feb-17,Mar-17\nICE,10,10,10\nTucson PD,20,20,20\n",
                        "q2.csv": "Agency,Apr-17,May-17,Jun-17\nICE,10,10,10\n"}) as store:
        table = counts(store, by=(), grain="quarter").table
    assert table_rows(table, ["period", "value", "exact", "complete", "status"]) == [
        ("2017-Q1", 90.0, True, True, "reported"), ("2017-Q2", 30.0, False, False, "mixed")]


def test_a_period_without_data_is_a_missing_row(tmp_path):
    with _db(tmp_path, {"gap.csv": "Agency,Q1 2017,Q3 2017\nICE,5,6\n"}) as store:
        table = counts(store, by=("agency",), grain="quarter").table
    assert table_rows(table, ["period", "value", "status", "display"]) == [
        ("2017-Q1", 5.0, "reported", "5"), ("2017-Q2", None, "missing", "missing"), ("2017-Q3", 6.0, "reported", "6")]


def test_overlapping_sources_are_never_exact(tmp_path):
    with _db(tmp_path, {"months.csv": "Agency,Jan-17,Feb-17,Mar-17\nICE,10,10,10\n",
                        "quarter.csv": "Agency,Q1 2017\nICE,30\n"}) as store:
        row = counts(store, by=("agency",), grain="quarter").table.iloc[0]
    assert (row["value"], row["exact"], row["status"]) == (60.0, False, "overlapping")
    assert "overlapping sources" in row["display"]


def test_a_withheld_agency_has_no_share(tmp_path):
    with _db(tmp_path, {"w.csv": "Agency,Q1 2017\nICE,(b)(7)(E)\nTucson PD,90\nCBP,<10\n"}) as store:
        table = shares(store, by=("agency",), grain="quarter").table.set_index("agency")
    assert table.loc["U.S. Immigration and Customs Enforcement", "display"] == "withheld"
    assert math.isnan(table.loc["U.S. Immigration and Customs Enforcement", "value"])
    assert table.loc["Tucson PD", "display"] == "about 100%" and not table["exact"].any()
    assert table.loc["Tucson PD", "value_low"] == 0.0  # the withheld count could be any size


def test_apportion_needs_a_calendar_grain():
    with pytest.raises(UsageError, match="--apportion splits numbers across calendar periods"):
        CountQuery(grain="reported", apportion=True)


def test_one_session_sees_every_ingest(tmp_path):
    """An analysis session answers once per question, and again after a file is ingested (the notebook's way)."""
    import auditreport

    first = write_csv(tmp_path / "first.csv", [("agency", "system", "period", "searches"),
                                               ("FBI", "S", "2017-Q1", "5")])
    second = write_csv(tmp_path / "second.csv", [("agency", "system", "period", "searches"),
                                                 ("ICE", "S", "2017-Q2", "7")])
    with auditreport.open_db(tmp_path / "session.duckdb") as db:
        db.ingest(first)
        assert list(db.counts(by="agency").table["agency"]) == ["Federal Bureau of Investigation"]
        query = CountQuery(("agency",), "quarter")
        assert db.analysis.counts(query) is db.analysis.counts(query)  # asked once
        mine = db.counts(by="agency").table
        mine.loc[0, "value"] = 1_000_000  # a notebook's edit of an answer changes no later answer
        assert db.counts(by="agency").table.loc[0, "value"] == 5
        db.ingest(second)
        agencies = set(db.counts(by="agency").table["agency"])
        assert agencies == {"Federal Bureau of Investigation", "U.S. Immigration and Customs Enforcement"}
        assert db.analysis.names_matched == 2
