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
