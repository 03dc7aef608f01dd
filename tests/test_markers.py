"""Redaction markers as releases print them: one inventory, compared without case or spaces, in every column read."""
from __future__ import annotations

import csv

import pytest

from auditreport.read.audit_log import read_audit_log
from auditreport.read.mapping import load_profile
from auditreport.read.markers import SHIPPED

HEADER = ["ID", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame", "Reason", "Case #",
          "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]
TIME = "11/14/2025, 09:53:36 AM UTC"


def row(n, org="Springfield PD", networks="2", time=TIME, reason="Stolen vehicle", kind="lookup"):
    return [f"id-{n}", org, networks, "40", f"{time}\n{time}", reason, "", "", time, kind, "", ""]


@pytest.mark.parametrize("cell", ["***", " * * * ", "###", "REDACTED", "[Redacted]", "7923.600 GC", "7923.600  gc",
                                  "(b)(7)(C)", "(b)(6), (b)(7)(C)"])
def test_the_inventory_knows_the_markers_of_real_releases(cell):
    assert SHIPPED.is_marker(cell)


@pytest.mark.parametrize("cell", ["Harbor PD", "GC Police", "", "7923", "b6 unit"])
def test_names_are_not_markers(cell):
    assert not SHIPPED.is_marker(cell)


def _log(tmp_path, rows):
    path = tmp_path / "log.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def _read(path, **options):
    with read_audit_log(path, profile="flock-network-audit", system="Flock", **options) as read:
        return read.observations, {f.kind: f.message for f in read.findings}


def test_markers_in_every_column_read(tmp_path):
    rows = [row(1), row(2, org=" * * * "), row(3, org="7923.600  GC"), row(4, networks="REDACTED"),
            row(5, reason="7923.600 GC"),
            # trailing rows of only markers: not searches
            ["***", "***", "***", "", "", "[REDACTED]", "", "", "***", "###", "", ""],
            ["", "###", "", "", "", "", "", "", "", "", "", ""],
            # a search whose time was redacted: a search, on no known day
            row(8, time="[REDACTED]")]
    observations, findings = _read(_log(tmp_path, rows))
    searches = observations[observations["measure"] == "searches"]
    assert searches["value"].sum() == 5
    by_agency = searches.groupby("agency")["value"].sum().to_dict()
    assert by_agency == {"Springfield PD": 3, "(redacted)": 2}
    assert searches.loc[searches["reason_category"] == "redacted", "value"].sum() == 1
    assert findings["marker_only_rows"].startswith("2 row(s) hold nothing but blank cells and redaction marks")
    assert findings["redacted_search_time"].startswith("1 search(es) have a redacted time")
    assert "not a number" not in findings["networks_unreadable"]  # REDACTED is unknown, not unreadable


def test_a_mapping_adds_its_own_markers(tmp_path):
    path = _log(tmp_path, [row(1), row(2, org="WITHHELD PER 6254(f)")])
    mapping = load_profile("flock-network-audit")
    mapping = type(mapping)(**{**mapping.__dict__, "redaction_markers": ("Withheld per 6254(f)",)})
    with read_audit_log(path, mapping=mapping, system="Flock") as read:
        agencies = set(read.observations["agency"].dropna())
    assert agencies == {"Springfield PD", "(redacted)"}
