"""The board report: self-contained, complete, honest, traceable and byte-identical across runs."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import auditreport
from auditreport.read.count_table import read_count_table

from .conftest import COPLINK


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    auditreport.demo(out)
    return out


def html_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained(demo_dir):
    html = html_text(demo_dir / "report.html")
    assert "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no network access from the report"
    assert "<script" not in html and "<link" not in html and "<img" not in html


def test_report_shows_the_dhs_share_with_its_citation(demo_dir):
    html = html_text(demo_dir / "report.html")
    assert "77 percent" in html and "ICE: share of searches of DHS LEIS Service" in html
    assert "Aug 2010 - Feb 2011" in html
    assert "DHS 2011 report on the LEIS Service" in html
    published = list(csv.DictReader(open(demo_dir / "published-share-1.csv", encoding="utf-8")))
    assert [(row["agency"], row["value"]) for row in published] == [("ICE", "0.77")]


def test_report_keeps_qualifiers_of_published_figures(demo_dir):
    html = html_text(demo_dir / "report.html")
    for words in ("thousands", "more than 4,000", "more than 12,000,000"):
        assert words in html


def test_report_has_findings_and_sources(demo_dir):
    html = html_text(demo_dir / "report.html")
    assert "Data-quality findings" in html and "total_mismatch" in html and "Jun-18" in html
    sha256 = read_count_table(COPLINK, system="x").grid.sha256
    assert sha256 in html and "R-2019-0412 (fictional)" in html


def test_chart_csvs_match_the_chart_tables(demo_dir):
    with open(demo_dir / "searches-by-agency-regional-coplink-node-made-up-sample.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9 * 12  # 9 agencies x 12 quarters
    withheld = [r for r in rows if r["period"] == "2018-Q4" and r["agency"].startswith("ICE Homeland")][0]
    assert withheld["exact"] == "False" and withheld["display"].startswith("at least ")
    assert all(r["source_ids"] == "1" for r in rows)


def test_report_is_byte_identical_across_runs(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    auditreport.demo(first)
    auditreport.demo(second)
    names = sorted(p.name for p in first.iterdir() if p.suffix in (".html", ".csv"))
    assert names == sorted(p.name for p in second.iterdir() if p.suffix in (".html", ".csv"))
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_report_from_an_empty_database(tmp_path):
    with auditreport.open_db(tmp_path / "empty.duckdb") as db:
        path = db.report(tmp_path / "out")
    assert "No numbers yet" in path.read_text(encoding="utf-8")
