"""The quarterly board review: the period in focus, its numbers in every format equal to `counts`, honest
about completeness, safe to open, and the same bytes on every run."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import auditreport
from auditreport.cli import main

from .conftest import COPLINK, EUGENE, NETWORK_SAMPLE, SAMPLE_AGENCIES, needs_eugene, output_text, pdf_text

NETWORK = "Flock ALPR (network audit)"


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def review_db(tmp_path_factory) -> Path:
    """A count table (2017-2019) and a two-year network audit (2024-2025), as a board's staff would load them."""
    folder = tmp_path_factory.mktemp("review")
    db = folder / "audit.duckdb"
    (folder / "agencies.toml").write_text(SAMPLE_AGENCIES.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("ingest", COPLINK, "--system", "Regional COPLINK", "--db", db).exit_code == 0
    result = run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles",
                 "--retention-days", "30", "--db", db)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def q3(review_db) -> Path:
    out = review_db.parent / "q3"
    result = run("report", "--db", review_db, "--out", out, "--period", "2025-Q3")
    assert result.exit_code == 0, result.output
    return out


def count(db: Path, by: str, period: str, **where) -> int:
    rows = rows_of(run("counts", "--db", db, "--by", by, "--grain", "quarter").stdout)
    match = [r for r in rows if r["period"] == period and r["system"] == NETWORK
             and all(r[k] == v for k, v in where.items())]
    assert len(match) == 1, (by, period, where, match)
    return int(match[0]["value"])


def glance(workbook: Path) -> dict[str, dict]:
    sheet = openpyxl.load_workbook(workbook)["At a glance"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=2)]
    return {row["key"]: row for row in rows if row["system"] == NETWORK}


# -- the numbers of the period in focus -------------------------------------------------------------------------
def test_the_period_total_previous_year_ago_federal_and_immigration_counts_are_in_every_format(review_db, q3):
    expected = {"searches": count(review_db, "none", "2025-Q3"), "previous": count(review_db, "none", "2025-Q2"),
                "year_ago": count(review_db, "none", "2024-Q3"),
                "federal": count(review_db, "federal", "2025-Q3", federal="True"),
                "immigration": count(review_db, "reason_category", "2025-Q3", reason_category="immigration")}
    assert {p.name for p in q3.iterdir()} >= {"report.html", "report.pdf", "report.xlsx", "at-a-glance.csv"}
    facts = glance(q3 / "report.xlsx")
    text = pdf_text(q3 / "report.pdf", layout=False)
    html = (q3 / "report.html").read_text(encoding="utf-8")
    for key, number in expected.items():
        assert facts[key]["value"] == number and isinstance(facts[key]["value"], int), key  # a number, not text
        assert facts[key]["qualifier"] == "exact" and facts[key]["period"] == "2025-Q3"
        label = re.escape(facts[key]["label"])
        assert re.search(rf"{label}\s+{number:,}\b", text), f"{key}: {number:,} is not beside its label in the PDF"
        assert f'<span class="number">{number:,}</span>' in html, key


def test_the_federal_headline_counts_the_federal_rows_not_the_others(tmp_path):
    table = tmp_path / "counts.csv"
    table.write_text("agency,system,period,searches\n"
                     "FBI,S,2025-Q2,10\nSpringfield PD,S,2025-Q2,90\n"
                     "FBI,S,2025-Q3,12\nICE ERO,S,2025-Q3,3\nSpringfield PD,S,2025-Q3,135\n", encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    assert run("ingest", table, "--db", db).exit_code == 0
    assert run("report", "--db", db, "--out", tmp_path / "out", "--format", "csv,html").exit_code == 0
    facts = {r["key"]: r for r in read_csv(tmp_path / "out" / "at-a-glance.csv")}
    assert (facts["federal"]["value"], facts["federal"]["in_words"]) == ("15", "15")  # FBI 12 + ERO 3, never 135
    assert (facts["federal_share"]["share"], facts["federal_share"]["in_words"]) == ("0.1", "10%")  # never 90%
    assert "U.S. Department of Justice 12" in facts["federal"]["detail"]
    assert "U.S. Department of Homeland Security 3" in facts["federal"]["detail"]


def test_each_number_names_the_query_that_gives_it(review_db, q3):
    facts = glance(q3 / "report.xlsx")
    with auditreport.open_db(review_db, read_only=True) as db:
        counts = eval(facts["federal"]["query"], {"db": db})  # noqa: S307 - the call the report prints
        assert "FROM observations" in counts.sql
        table = counts.table
        row = table[(table["period"] == "2025-Q3") & (table["system"] == NETWORK) & table["federal"].eq(True)]
        assert row["value"].iloc[0] == facts["federal"]["value"]
    queries = {r["call"]: r["sql"] for r in read_csv(q3 / "queries.csv")}
    assert facts["federal"]["query"] in queries and "agency_names" in queries[facts["federal"]["query"]]


def test_what_changed_lists_every_agency_with_its_changes_largest_first(review_db, q3):
    rows = [r for r in read_csv(q3 / "what-changed.csv") if r["system"] == NETWORK]
    assert rows[0]["agency"] == "All agencies"
    agencies = rows[1:]
    assert {"ICE Enforcement and Removal Operations", "U.S. Border Patrol", "Harbor City Police Department"} \
        <= {r["agency"] for r in agencies}
    sizes = [max(abs(float(r["change_on_previous"] or 0)), abs(float(r["change_on_year_ago"] or 0)))
             for r in agencies]
    assert sizes == sorted(sizes, reverse=True)
    ero = next(r for r in agencies if r["agency"] == "ICE Enforcement and Removal Operations")
    this, year_ago = int(ero["this_searches"]), int(ero["year_ago_searches"])
    assert (this, year_ago) == (count(review_db, "agency", "2025-Q3", agency=ero["agency"]),
                                count(review_db, "agency", "2024-Q3", agency=ero["agency"]))
    assert ero["change_on_year_ago"] == str(this - year_ago)


def test_a_period_with_a_gap_in_the_log_is_never_compared(review_db, tmp_path):
    # the demo log misses 2024-05-12 to 2024-05-15: 2024-Q2 is incomplete, so 2025-Q2 has no year-ago change
    assert run("report", "--db", review_db, "--out", tmp_path, "--period", "2025-Q2", "--format", "csv").exit_code == 0
    total = next(r for r in read_csv(tmp_path / "what-changed.csv") if r["system"] == NETWORK)
    assert total["change_on_year_ago_in_words"] == "not compared: 2024-Q2 is not complete"
    assert total["change_on_year_ago"] == "" and total["notable_on_year_ago"] == "False"
    gap = [r for r in read_csv(tmp_path / "findings.csv") if r["kind"] == "coverage_gap"]
    assert [r["location"] for r in gap] == ["2024-05-12 to 2024-05-15"]
    facts = {r["key"]: r for r in read_csv(tmp_path / "at-a-glance.csv") if r["system"] == NETWORK}
    assert facts["year_ago"]["detail"].startswith("incomplete: the log covers 87 of 91 days")


# -- the period in focus ----------------------------------------------------------------------------------------
def test_without_a_period_the_latest_complete_one_is_chosen_and_the_report_says_why(review_db, tmp_path):
    assert run("report", "--db", review_db, "--out", tmp_path, "--format", "html,csv").exit_code == 0
    facts = read_csv(tmp_path / "at-a-glance.csv")
    assert {r["period"] for r in facts} == {"2025-Q4"}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"2025-Q4 is the latest quarter complete in {NETWORK}, the system with the most recent data" in html


@pytest.mark.parametrize("period,grain,expected", [("2025-11", None, "2025-11"), ("FY2025", None, "FY2025"),
                                                    ("2025", None, "2025")])
def test_the_period_label_names_its_grain(review_db, tmp_path, period, grain, expected):
    result = run("report", "--db", review_db, "--out", tmp_path, "--period", period, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert {r["period"] for r in read_csv(tmp_path / "at-a-glance.csv")} == {expected}


def test_a_period_no_source_covers_lists_the_periods_that_can_be_reviewed(review_db, tmp_path):
    result = run("report", "--db", review_db, "--out", tmp_path, "--period", "2021-Q1")
    assert result.exit_code == 2
    assert result.output.strip() == ("error: no source covers 2021-Q1. Periods that can be reviewed at the quarter "
                                     "grain: 2017-Q1 to 2019-Q4, 2024-Q1 to 2025-Q4.")
    result = run("report", "--db", review_db, "--out", tmp_path, "--period", "2025-Q3", "--grain", "month")
    assert result.exit_code == 2 and "'2025-Q3' names a quarter, not a month" in result.output
    result = run("report", "--db", review_db, "--out", tmp_path, "--format", "docx")
    assert result.exit_code == 2 and "unknown report format(s): docx" in result.output


def test_first_time_is_measured_only_after_a_complete_period(tmp_path):
    # UTC times of 1 January moved to 31 December by --tz: a one-day 2023-Q4 makes nobody new in 2024-Q1
    log = tmp_path / "network.csv"
    header = NETWORK_SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    lines = [header]
    for day in range(91):
        date = dt.date(2024, 1, 1) + dt.timedelta(days=day)
        for agency in ("Springfield PD", "Shelbyville PD") + (("ICE HSI",) if day > 3 else ()):
            when = f"{date:%m/%d/%Y}, 02:00:00 AM UTC"
            lines.append(f'x{day}{agency[:2]},{agency},1,10,"{when}\n{when}",Stolen vehicle,,,"{when}",lookup,,')
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    result = run("ingest", log, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles", "--db", db)
    assert result.exit_code == 0, result.output
    assert run("report", "--db", db, "--out", tmp_path / "out", "--period", "2024-Q1", "--format", "csv").exit_code == 0
    facts = {r["key"]: r for r in read_csv(tmp_path / "out" / "at-a-glance.csv")}
    assert facts["agencies"]["detail"].startswith('"first time" is not measured')
    agencies = read_csv(tmp_path / "out" / "agencies.csv")
    assert not [r for r in agencies if r["first_time"] == "yes"]


# -- honest completeness on the real Eugene log -------------------------------------------------------------------
@needs_eugene
def test_eugene_findings_and_complete_flags_agree_and_the_fall_is_never_a_plain_change(tmp_path):
    db = tmp_path / "eugene.duckdb"
    assert run("ingest", EUGENE, "--profile", "flock-search-audit", "--agency", "Eugene Police Department",
               "--db", db).exit_code == 0
    months = rows_of(run("counts", "--db", db, "--by", "none", "--grain", "month").stdout)
    findings = rows_of(run("findings", "--db", db).stdout)
    missing_days = [f["location"] for f in findings if f["kind"] in ("coverage_gap", "partial_day")]
    for month in months:
        has_gap = any(day.startswith(month["period"]) or day.split(" to ")[-1].startswith(month["period"])
                      for day in missing_days)
        whole = month["period_start"] >= "2025-06-18" and month["period_end"] <= "2025-12-03"
        assert month["complete"] == str(whole and not has_gap), month
    for period in ("2025-10", "2025-11"):
        out = tmp_path / period
        assert run("report", "--db", db, "--out", out, "--period", period, "--format", "csv,html").exit_code == 0
        total = read_csv(out / "what-changed.csv")[0]
        words = total["change_on_previous_in_words"]
        assert words.startswith("not compared:") and "is not complete" in words, words
        html = (out / "report.html").read_text(encoding="utf-8")
        assert not re.search(r"down 7[89]%", html)


# -- formats -----------------------------------------------------------------------------------------------------
def test_the_spreadsheet_has_a_sheet_per_table_numbers_as_numbers_and_frozen_headers(q3):
    workbook = openpyxl.load_workbook(q3 / "report.xlsx")
    assert workbook.sheetnames[:3] == ["At a glance", "What changed", "Counts by period"]
    for name in ("By reason category", "Findings", "Sources", "Method", "Agencies"):
        assert name in workbook.sheetnames
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(sheet.column_dimensions[letter].width for letter in ("A", "B")), sheet.title
    counts = workbook["Counts by period"]
    header = [cell.value for cell in counts[1]]
    searches = [row[header.index("searches")] for row in counts.iter_rows(min_row=2, values_only=True)]
    assert all(value is None or isinstance(value, int) for value in searches)
    assert {"qualifier", "complete", "source_ids"} <= set(header)  # every column is in the CSV
    words = {row[header.index("qualifier")]: row[header.index("searches_in_words")]
             for row in counts.iter_rows(min_row=2, values_only=True)}
    assert words.get("suppressed", "1-10") == "1-10"  # a small count reads as the range, never as a blank


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path):
    table = tmp_path / "hostile.csv"
    table.write_text('agency,system,period,searches\n"=HYPERLINK(""http://x"",""County PD"")",S,2025-Q3,5\n'
                     "+cmd|' /C calc'!A0 PD,S,2025-Q3,7\n@SUM(1) Sheriff,S,2025-Q3,9\n", encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    assert run("ingest", table, "--db", db).exit_code == 0
    assert run("report", "--db", db, "--out", tmp_path / "out", "--format", "xlsx,csv").exit_code == 0
    workbook = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen += 1
    assert seen >= 3
    agencies = {r["agency"] for r in read_csv(tmp_path / "out" / "counts-by-period.csv")}
    assert {"'=HYPERLINK(\"http://x\",\"County PD\")", "'+cmd|' /C calc'!A0 PD", "'@SUM(1) Sheriff"} <= agencies


def test_the_pdf_has_page_numbers_and_repeats_table_headers(tmp_path):
    lines = ["agency,system,period,searches"]
    for number in range(70):
        lines += [f"Agency {number:02d} Police Department,S,2025-Q2,{50 + number}",
                  f"Agency {number:02d} Police Department,S,2025-Q3,{60 + 2 * number}"]
    table = tmp_path / "many.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    assert run("ingest", table, "--db", db).exit_code == 0
    assert run("report", "--db", db, "--out", tmp_path / "out", "--format", "pdf").exit_code == 0
    pages = pdf_text(tmp_path / "out" / "report.pdf").split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in page
    with_header = [page for page in pages if re.search(r"Agency\s+Level\s+2025-Q3\s+2025-Q2", page)]
    assert len(with_header) >= 2, "the what-changed table spans pages and repeats its header row"


def test_integers_are_written_as_integers_in_the_csvs(q3):
    for path in q3.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(^|,)\d+\.0(,|$)", text, flags=re.M), path.name


def test_the_html_is_self_contained_and_charts_say_what_they_show(q3):
    html = (q3 / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no network access from the report"
    assert "<script" not in html and "<link" not in html and "<img" not in html
    charts = re.findall(r'<svg role="img" aria-label="([^"]+)"[^>]*><title>([^<]+)</title>', html)
    assert len(charts) >= 4 and all(label == title for label, title in charts)
    assert re.search(r'<nav class="toc"', html) and "@media print" in html
    for section in ("at-a-glance", "what-changed", "agencies", "reasons", "context", "data-quality", "method"):
        assert f'<section id="{section}">' in html and f'href="#{section}"' in html


def test_published_figures_stand_apart_from_this_periods_numbers(demo_report):
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    glance = html[html.index('<section id="at-a-glance">'):html.index('<section id="what-changed">')]
    context = html[html.index('<section id="context">'):html.index('<section id="data-quality">')]
    for figure in ("77 percent", "more than 12,000,000", "more than 4,000"):
        assert figure not in glance and figure in context
    assert "Aug 2010 - Feb 2011" in context and "DHS 2011 report on the LEIS Service" in context


def test_no_two_charts_or_csvs_hold_the_same_numbers(demo_report):
    texts = {}
    for path in sorted(demo_report.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        assert text not in texts.values(), f"{path.name} repeats {[k for k, v in texts.items() if v == text]}"
        texts[path.name] = text
    charts = [name for name in texts if name.startswith("chart-")]
    assert len(charts) >= 4 and all(re.match(r"chart-\d\d-[a-z-]+\.csv$", name) for name in charts)


def test_chart_numbers_equal_the_counts(review_db, q3):
    levels = [r for r in read_csv(q3 / "chart-01-searches-by-level.csv") if r["period"] == "2025-Q3"]
    assert sum(int(r["value"]) for r in levels) == count(review_db, "none", "2025-Q3")
    assert count(review_db, "level", "2025-Q3", level="federal") == int(
        next(r["value"] for r in levels if r["level"] == "federal"))


def test_the_report_is_byte_identical_across_runs(review_db, q3, tmp_path):
    assert run("report", "--db", review_db, "--out", tmp_path, "--period", "2025-Q3").exit_code == 0
    names = sorted(p.name for p in q3.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (q3 / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_report_from_an_empty_database(tmp_path):
    with auditreport.open_db(tmp_path / "empty.duckdb") as db:
        path = db.report(tmp_path / "out")
    assert "No numbers yet" in path.read_text(encoding="utf-8")
    assert "No numbers yet" in output_text(tmp_path / "out" / "report.pdf")
    assert (tmp_path / "out" / "report.xlsx").is_file()


def test_the_demo_reviews_its_network_audit(demo_report):
    facts = {(r["system"], r["key"]): r for r in read_csv(demo_report / "at-a-glance.csv")}
    for key in ("searches", "previous", "year_ago", "federal", "federal_share", "immigration", "vague", "agencies",
                "beyond_retention", "multi_network", "on_behalf_of"):
        assert (NETWORK, key) in facts, key
    assert facts[(NETWORK, "agencies")]["detail"] == "searching for the first time: CBP Office of Field Operations"
    sources = read_csv(demo_report / "sources.csv")
    network = next(r for r in sources if r["file_name"] == NETWORK_SAMPLE.name)
    assert "made-up" in network["request_id"]  # labelled as made up wherever its source is named


def test_a_log_stated_complete_is_trusted_and_the_report_says_so(tmp_path):
    db = tmp_path / "audit.duckdb"
    result = run("ingest", NETWORK_SAMPLE, "--profile", "flock-network-audit", "--tz", "America/Los_Angeles",
                 "--complete", "--db", db)
    assert result.exit_code == 0, result.output
    result = run("report", "--db", db, "--out", tmp_path / "out", "--period", "2025-Q2", "--format", "csv,html")
    assert result.exit_code == 0, result.output
    total = read_csv(tmp_path / "out" / "what-changed.csv")[0]
    assert total["year_ago_complete"] == "True"  # the May 2024 gap is taken on trust as days without searches
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"{NETWORK_SAMPLE.name} was stated complete by the person who ingested it (--complete)" in html


def test_one_review_matches_the_crosswalk_once_and_runs_each_query_once(review_db):
    from auditreport.report.review import ReviewOptions, build_review

    with auditreport.open_db(review_db, read_only=True) as db:
        review = build_review(db.analysis, ReviewOptions(period="2025-Q3"))
        assert db.analysis.names_matched == 1
        assert len(db.analysis.runs) == len(set(db.analysis.runs)), "a query ran twice"
        assert len(review.queries) >= 10 and all(sql for sql in review.queries.values())


def test_every_number_at_a_glance_equals_its_query(review_db, q3):
    facts = {r["key"]: r for r in read_csv(q3 / "at-a-glance.csv") if r["system"] == NETWORK}
    total = count(review_db, "none", "2025-Q3")
    vague = count(review_db, "reason_category", "2025-Q3", reason_category="vague")
    immigration = count(review_db, "reason_category", "2025-Q3", reason_category="immigration")
    assert (int(facts["vague"]["value"]), int(facts["immigration"]["value"])) == (vague, immigration)
    assert facts["vague"]["detail"].startswith(f"{round(100 * vague / total)}% of all searches")
    assert facts["immigration"]["detail"].startswith(f"{round(100 * immigration / total)}% of all searches")
    for key, measure in (("beyond_retention", "searches_beyond_retention"),
                         ("multi_network", "searches_multi_network")):
        rows = rows_of(run("counts", "--db", review_db, "--by", "none", "--measure", measure).stdout)
        expected = next(int(r["value"]) for r in rows if r["period"] == "2025-Q3" and r["system"] == NETWORK)
        assert int(facts[key]["value"]) == expected, key
    by_agency = [r for r in rows_of(run("counts", "--db", review_db, "--by", "agency").stdout)
                 if r["period"] == "2025-Q3" and r["system"] == NETWORK and int(r["value"] or 0) > 0]
    assert int(facts["agencies"]["value"]) == len(by_agency)
    family = {r["agency"]: {r["agency"], r["parent"], r["department"]}  # an agency naming itself or its own
              for r in rows_of(run("agencies", "names", "--db", review_db).stdout)}  # parent is not "another"
    behalf = [r for r in rows_of(run("counts", "--db", review_db, "--by", "agency,on_behalf_of").stdout)
              if r["period"] == "2025-Q3" and r["system"] == NETWORK and r["on_behalf_of"]
              and r["on_behalf_of"] not in family[r["agency"]]]
    truth = sum(int(r["value"]) for r in behalf)
    if facts["on_behalf_of"]["qualifier"] == "exact":
        assert int(facts["on_behalf_of"]["value"]) == truth > 0
    else:  # parts held back as "1-10" count at their least, and the sum says "at least"
        assert facts["on_behalf_of"]["qualifier"] == "at least" and 0 < int(facts["on_behalf_of"]["value"]) <= truth


def test_the_first_page_says_what_the_rule_says_of_each_change(review_db, q3):
    from auditreport.compare import NotableRule, compare

    facts = {r["key"]: r for r in read_csv(q3 / "at-a-glance.csv") if r["system"] == NETWORK}
    this = count(review_db, "none", "2025-Q3")
    for key, period, days in (("previous", "2025-Q2", 91), ("year_ago", "2024-Q3", 92)):
        other = count(review_db, "none", period)
        result = compare(this, True, True, 92, other, True, True, days, period, NotableRule())
        assert facts[key]["detail"] == f"complete quarter; {result.change_words()}; {result.verdict}", key


def test_the_demo_shows_clets_misuse_apart_from_searches_and_linx_as_another_system(demo_report):
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    misuse = html[html.index('<section id="other-measures">'):html.index('<section id="context">')]
    assert "CLETS (made-up sample): misuse investigations and violations by agency and year" in misuse
    assert misuse.count("not reported") >= 8  # 4 agency-years that did not report, two measures each
    rows = {(r["agency"], r["period"]): r for r in read_csv(demo_report / "other-measures.csv")}
    assert (rows[("State Police", "2023")]["misuse_investigations"], rows[("State Police", "2023")]["violations"]) \
        == ("14", "6")
    eastport = rows[("Eastport Police Department", "2022")]
    assert (eastport["misuse_investigations"], eastport["misuse_investigations_in_words"]) == ("", "not reported")
    glance = html[html.index('<section id="at-a-glance">'):html.index('<section id="what-changed">')]
    assert "LInX (query log, made-up sample)" in glance
    assert "misuse investigations and violations, not searches" in glance  # where they are, not what they add up to
    facts = {(r["system"], r["key"]): r for r in read_csv(demo_report / "at-a-glance.csv")}
    assert facts[("LInX (query log, made-up sample)", "searches")]["value"] == "907"
    assert "CLETS (made-up sample)" not in {system for system, _ in facts}  # its counts are not searches
