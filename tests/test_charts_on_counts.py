"""Charts drawn from real aggregated counts show exactly those numbers (the two layers meet here)."""
from __future__ import annotations

import math

import pytest

import auditreport

from .conftest import COPLINK


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory):
    with auditreport.open_db(tmp_path_factory.mktemp("charts") / "db.duckdb") as db:
        db.ingest(COPLINK, system="Regional COPLINK")
        counts = db.counts(by="agency", grain="quarter")
        yield db, counts


def drawn(figure, prefix: str) -> dict[str, object]:
    return {artist.get_gid(): artist for artist in figure.findobj() if str(artist.get_gid()).startswith(prefix)}


def test_stacked_bar_heights_equal_the_aggregated_counts(quarterly):
    db, counts = quarterly
    bars = drawn(db.chart(counts, "bars"), "bar|")
    marks = drawn(db.chart(counts, "bars"), "mark|")
    for row in counts.table.itertuples():
        gid = f"bar|{row.period}|{row.agency}"
        if math.isnan(row.value):
            assert gid not in bars, "nothing known is never drawn as a bar"
        else:
            assert bars[gid].get_height() == pytest.approx(row.value), gid
        if not row.exact:
            assert f"mark|{row.period}|{row.agency}" in marks, "a number that is not exact is marked"
    withheld = counts.table[(counts.table["period"] == "2018-Q4") & counts.table["agency"].str.startswith("ICE Home")]
    assert withheld["withheld_cells"].iloc[0] == 1


def test_trend_lines_break_where_a_value_is_unknown(quarterly):
    db, counts = quarterly
    lines = drawn(db.chart(counts, "trend"), "line|")
    lakeview = counts.table[counts.table["agency"] == "Lakeview Police Department"].reset_index(drop=True)
    ydata = list(lines["line|Lakeview Police Department"].get_ydata())
    for value, status, y in zip(lakeview["value"], lakeview["status"], ydata):
        if status == "reported":
            assert y == pytest.approx(value)
        else:
            assert math.isnan(y)
