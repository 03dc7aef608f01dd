"""Shared test helpers: paths to the samples and a way to snapshot a whole database."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_logs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COPLINK = SAMPLES / "coplink-region-outside-agency-queries-2017-2019.csv"
DHS = SAMPLES / "dhs-2011-search-share.csv"
PUBLISHED = SAMPLES / "published-headline-figures.csv"
EUGENE = REPO.parent / "shared" / "data" / "eugene-or-flock" / "EPDSearchAuditLogs.csv"


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


# -- reading what the report wrote, as a reader (or a leak check) sees it -------------------------------------
def pdf_text(path: Path) -> str:
    """The text of a PDF: poppler's pdftotext where installed (CI installs it), else pypdf."""
    import shutil
    import subprocess

    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


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
