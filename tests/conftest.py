"""Shared test helpers: paths to the samples and a way to snapshot a whole database."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_logs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COPLINK = SAMPLES / "coplink-region-outside-agency-queries-2017-2019.csv"
DHS = SAMPLES / "dhs-2011-search-share.csv"
PUBLISHED = SAMPLES / "published-headline-figures.csv"
EUGENE = REPO.parent / "shared" / "data" / "eugene-or-flock" / "EPDSearchAuditLogs.csv"
NETWORK_SAMPLE = SAMPLES / "harbor-city-flock-network-audit-2024-2025.csv"
SAMPLE_AGENCIES = SAMPLES / "agencies.toml"
needs_eugene = pytest.mark.skipif(not EUGENE.exists(), reason=f"the real Eugene log is not at {EUGENE} "
                                  "(it is never copied into the project)")


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read through DuckDB, sorted: to prove a database did not change."""
    if not Path(db_path).exists():
        return {}
    with duckdb.connect(str(db_path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall()]
        return {table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
                for table in tables}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory) -> Path:
    """The demo, built once per test session: its folder holds demo.duckdb and every report file."""
    import auditreport

    out = tmp_path_factory.mktemp("demo")
    auditreport.demo(out)
    return out


# -- reading what the report wrote, as a reader (or a leak check) sees it -------------------------------------
def pdf_text(path: Path, *, layout: bool = True) -> str:
    """The text of a PDF, pages separated by form feeds: poppler's pdftotext where installed (CI installs it),
    else pypdf. `layout` keeps columns side by side; without it, text comes in the order it was drawn."""
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout" if layout else "-raw", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    from pypdf import PdfReader

    return "\f".join(page.extract_text() for page in PdfReader(str(path)).pages)


def xlsx_text(path: Path) -> str:
    """Every XML part of a workbook, unescaped: cell texts, sheet names and document properties."""
    import html
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return "\n".join(html.unescape(archive.read(name).decode("utf-8", errors="replace"))
                         for name in archive.namelist())


def output_text(path: Path) -> str:
    """What a person can read in an output file, whatever its format."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".xlsx":
        return xlsx_text(path)
    return path.read_bytes().decode("utf-8", errors="replace")


# Hypothesis: no deadline (a loaded machine, a first import, are not failures); in CI the same examples on every
# run, so that a red CI can be replayed.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")
