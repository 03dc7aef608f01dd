"""The demo's samples are what their README says: the made-up network audit is exactly what its generator writes."""
from __future__ import annotations

import importlib.util

from .conftest import NETWORK_SAMPLE, SAMPLES


def _generator(name: str):
    """A sample's generator script, loaded as a module (its OUT may be pointed elsewhere)."""
    spec = importlib.util.spec_from_file_location(name, SAMPLES / f"{name}.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator


def test_the_made_up_network_audit_is_what_its_generator_writes(tmp_path):
    generator = _generator("make_demo_network_audit")
    generator.OUT = tmp_path / NETWORK_SAMPLE.name
    assert generator.write().read_bytes() == NETWORK_SAMPLE.read_bytes()
    header = NETWORK_SAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "Name" not in header and "License Plate" not in header  # the December 2025 export: no personal columns


LINX_SAMPLE = SAMPLES / "linx-query-log-2025-made-up.csv"
LINX_MAPPING = SAMPLES / "linx-query-log.mapping.toml"
CLETS_SAMPLE = SAMPLES / "clets-misuse-statistics-2021-2025-made-up.csv"
# The invented personal values of the LInX sample: user ids and names, case numbers, search criteria, and
# justification texts (one holds a case number)
LINX_PERSONAL = ["lx-user-", "Testuser", "LX-25-", "TESTPLATE", "Doe, Test", "Example St", "burglary follow-up",
                 "fugitive operations", "background for hire"]


def test_the_made_up_linx_log_is_what_its_generator_writes(tmp_path):
    generator = _generator("make_demo_linx_query_log")
    generator.OUT = tmp_path / LINX_SAMPLE.name
    assert generator.write().read_bytes() == LINX_SAMPLE.read_bytes()
    assert 2000 < len(LINX_SAMPLE.read_text(encoding="utf-8").splitlines()) < 5000  # small: a few thousand rows


def test_the_linx_mapping_reads_no_personal_column_and_is_the_reviewed_proposal():
    from auditreport.read.mapping import load_mapping, propose_mapping

    mapping = load_mapping(LINX_MAPPING)
    assert mapping.columns == {"time": "Query Date/Time", "agency": "Agency", "query_type": "Search Type",
                               "reason": "Justification"}
    assert {"User ID", "User Name", "Case Number", "Search Criteria", "Purpose Code"} <= set(mapping.dropped)
    proposal = propose_mapping(LINX_SAMPLE)  # the review moved the reason from the purpose code to the justification
    assert 'reason = "Purpose Code"' in proposal and '"Justification",  # a second column' in proposal


def test_no_linx_user_case_number_criteria_or_justification_reaches_the_database(tmp_path):
    import duckdb

    import auditreport

    db_path = tmp_path / "audit.duckdb"
    with auditreport.open_db(db_path) as db:
        db.ingest(LINX_SAMPLE, mapping=LINX_MAPPING, tz="America/Los_Angeles")
        reasons = db.counts(by="reason_category", grain="year").table
    assert set(reasons["reason_category"]) == {"blank", "immigration", "other", "redacted", "vague"}
    with duckdb.connect(str(db_path), read_only=True) as connection:
        text = "\n".join(" ".join(map(str, row)) for table in ("sources", "observations", "findings", "coverage")
                         for row in connection.execute(f"SELECT * FROM {table}").fetchall())
    for value in LINX_PERSONAL:
        assert value.lower() not in text.lower(), value


def test_the_made_up_clets_table_reads_as_two_measures_with_agencies_not_reporting_missing():
    from auditreport.read.count_table import read_count_table

    read = read_count_table(CLETS_SAMPLE, system="CLETS (made-up sample)")
    frame = read.observations
    assert set(frame["measure"]) == {"misuse_investigations", "violations"}
    assert len(frame) == 50 and (frame["status"] == "missing").sum() == 8
    assert frame[frame["measure"] == "misuse_investigations"]["value"].sum() == 115  # the made-up total, pinned
    assert frame[frame["measure"] == "violations"]["value"].sum() == 49
