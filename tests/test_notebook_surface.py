"""The analyst's surface, typed as in a notebook: one kind of answer, a wide view, charts from any tidy frame,
real keyword arguments, small reprs (issue 15)."""
from __future__ import annotations

import inspect

import pandas as pd
import pytest
from matplotlib.figure import Figure

import auditreport
from auditreport.errors import AuditReportError, UsageError

NETWORK = "Flock ALPR (network audit)"


@pytest.fixture(scope="module")
def db(demo_report):
    with auditreport.open_db(demo_report / "demo.duckdb", read_only=True) as database:
        yield database


def test_every_question_answers_with_the_same_kind_of_object(db):
    answers = [db.counts(by="agency"), db.shares(by="reason_category"), db.changes(by="agency")]
    assert len({type(answer) for answer in answers}) == 1
    for answer in answers:
        assert "SELECT" in answer.sql and isinstance(answer.table, pd.DataFrame)
        assert answer._repr_html_().startswith("<table")
        assert str(answer.table["period_start"].dtype).startswith("datetime64")


def test_counts_are_whole_numbers_with_missing_as_na(db):
    table = db.counts(by="agency").table
    assert str(table["value"].dtype) == "Int64" and table["value"].dtype.na_value is pd.NA  # unknown: <NA>, never 0
    assert table["value"].sum() == db.analysis.counts(auditreport.CountQuery(("agency",))).table["value"].sum()


def test_the_wide_view_is_agencies_by_periods_in_order(db):
    answer = db.counts(by="agency", grain="year")
    wide = answer.wide()
    assert list(wide.columns[:2]) == ["system", "agency"]
    periods = list(wide.columns[2:])
    assert periods == sorted(periods) and "2025" in periods
    agency = answer.table[answer.table["system"] == NETWORK]["agency"].dropna().iloc[0]
    row = wide[(wide["system"] == NETWORK) & (wide["agency"] == agency)].iloc[0]
    truth = answer.table[(answer.table["system"] == NETWORK) & (answer.table["period"] == "2025")
                         & (answer.table["agency"] == agency)]["value"].iloc[0]
    assert row["2025"] == truth
    words = answer.wide(words=True)
    assert words.shape == wide.shape and (words.drop(columns=["system", "agency"]).map(
        lambda v: isinstance(v, str) or pd.isna(v))).all().all()


def test_a_chart_reads_the_answers_own_breakdown_and_any_filtered_frame(db):
    levels = db.counts(by="level")
    assert isinstance(db.chart(levels, system=NETWORK), Figure)
    assert isinstance(levels.chart(system=NETWORK), Figure)
    shares = db.shares(by="reason_category")
    assert isinstance(db.chart(shares, system=NETWORK), Figure)          # the latest period, as a share chart
    filtered = levels.table[levels.table["system"] == NETWORK]
    assert isinstance(db.chart(filtered), Figure)                         # a plain DataFrame, by its dimension
    with pytest.raises(UsageError, match="systems are never drawn as one"):
        db.chart(levels)


def test_chart_functions_take_a_plain_frame_without_a_source_line(db):
    from auditreport.charts import searches_by_period

    table = db.counts(by="level").table
    figure = searches_by_period(table[table["system"] == NETWORK], by="level")
    texts = " ".join(text.get_text() for text in figure.findobj(lambda a: hasattr(a, "get_text")))
    assert "Source: auditreport database, source 1" in texts


def test_ingest_takes_real_keywords_and_names_a_misspelt_one(db):
    parameters = inspect.signature(db.ingest).parameters
    for name in ("system", "agency", "profile", "tz", "request", "retention_days"):
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    with pytest.raises(UsageError, match="did you mean 'agency'"):
        db.ingest("x.csv", agnecy="ICE")


def test_reprs_are_small(db):
    said = repr(db)
    assert said.startswith("<AuditDB ") and len(said) < 300 and NETWORK in said
    assert len(repr(db.counts(by="agency"))) < 200


def test_answers_write_through_the_safe_writer(db, tmp_path):
    answer = db.counts(by="agency", grain="year")
    csv_path = answer.to_csv(tmp_path / "counts.csv")
    assert csv_path.read_text(encoding="utf-8").startswith("period,")
    assert answer.to_excel(tmp_path / "counts.xlsx").stat().st_size > 1000


def test_every_error_the_package_raises_derives_from_its_base(db):
    from auditreport.periods import PeriodError, parse_period

    assert issubclass(PeriodError, AuditReportError)
    with pytest.raises(AuditReportError):
        parse_period("2025-Q7")


def test_the_reports_tables_are_dataframes_with_the_numbers_it_publishes(db, demo_report):
    import csv

    tables = db.review()
    assert {"at-a-glance", "what-changed", "counts-by-period", "chart-01-searches-by-level"} <= set(tables)
    with open(demo_report / "at-a-glance.csv", encoding="utf-8") as handle:
        published = [row["in_words"] for row in csv.DictReader(handle)]
    assert tables["at-a-glance"]["in_words"].tolist() == published          # the same numbers as the report
    assert "value_low" not in tables["counts-by-period"].columns          # and no more than it publishes
