"""Nothing personal is kept from count tables: planted names, plates and numbers never reach any table or output."""
from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
from click.testing import CliRunner

from auditreport.cli import main

from .conftest import output_text

PLANTED = ["Jonathan Q. Planted", "Officer Maria Testcase", "7ABC123", "PLT-4471", "CASE-2017-000981",
           "078-05-1120", "fakeuser@example.org"]

TABLE = """Queries by outside agencies, prepared by Officer Maria Testcase
Agency,Officer,Case number,Plate searched,Jan-17,Feb-17,Total
FBI,Jonathan Q. Planted,CASE-2017-000981,7ABC123,12,14,26
ICE - HSI,Officer Maria Testcase,CASE-2017-000981,PLT-4471,3,(b)(7)(E),9
Total,,,,15,23,35

* Queries by fakeuser@example.org were excluded; SSN 078-05-1120 was on file.
"""


def every_text_in(db_path: Path) -> str:
    """Read every table through DuckDB (its compression hides strings from a byte grep)."""
    with duckdb.connect(str(db_path), read_only=True) as connection:
        tables = [r[0] for r in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()]
        return "\n".join(repr(connection.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)


def test_planted_personal_data_reaches_no_table_and_no_output(tmp_path):
    source = tmp_path / "planted.csv"
    source.write_text(TABLE, encoding="utf-8")
    db_path, out = tmp_path / "planted.duckdb", tmp_path / "report"
    runner = CliRunner()
    outputs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in (["ingest", str(source), "--system", "Regional COPLINK"], ["counts"],
                     ["counts", "--format", "json"], ["findings"], ["sources"], ["report", "--out", str(out)]):
            result = runner.invoke(main, [*args, "--db", str(db_path)])
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    stored = every_text_in(db_path)
    assert "FBI" in stored  # the allowed dimension is there...
    files = "\n".join(output_text(p) for p in out.iterdir())
    for value in PLANTED:  # ...and nothing personal is
        assert value not in stored, value
        assert value not in files, value
        assert all(value not in output for output in outputs), value


FIXTURES = Path(__file__).parent / "fixtures"


def test_label_columns_free_text_marks_and_references_never_reach_the_store_or_messages(tmp_path):
    # regressions: officer names and case numbers stored as agencies, "Exempt - <name>" kept as a mark,
    # a 'reference' column stored as the citation, a long note quoted whole in an error
    db_path = tmp_path / "refs.duckdb"
    runner = CliRunner()
    outputs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, code in (("wide_officer_name_label_column.csv", 2), ("wide_case_number_before_agency.csv", 0),
                           ("wide_exempt_free_text.csv", 2), ("long_reference_column.csv", 0),
                           ("footnote_numbered_split_by_comma.csv", 0), ("unclosed_quote.csv", 2)):
            result = runner.invoke(main, ["ingest", str(FIXTURES / name), "--system", "S", "--db", str(db_path)])
            assert result.exit_code == code, (name, result.output)
            outputs.append(result.output)
        for args in (["counts"], ["findings"], ["sources"]):
            outputs.append(runner.invoke(main, [*args, "--db", str(db_path)]).output)
    # the one bad cell is located in its error (row and column), never quoted: it may be personal
    exempt_error = outputs.pop(2)
    assert "the text of the cell is not a count" in exempt_error and "row " in exempt_error
    stored = every_text_in(db_path)
    for value in ("John Smith", "Jane Doe", "7ABC123", "2017-000123", "2017-000456", "Det. J. Smith"):
        assert value not in stored, value
        assert all(value not in output for output in outputs), value


def test_a_long_tables_text_columns_keep_categories_and_placeholders_never_the_text(tmp_path):
    # issue 10, case 1: purpose, type, citation and agency cells holding names, plates and phone numbers
    table = tmp_path / "long-with-text.csv"
    table.write_text(
        "agency,purpose,type of search,published by,period,searches\n"
        "ICE - HSI,assist ICE re Jonathan Q. Planted,plate 7ABC123,Letter to Maria Testcase 541-555-0187,2025-Q3,4\n"
        "Springfield PD - Ofc. Maria Testcase,Narcotics,person,County report 2025,2025-Q3,6\n"
        "FBI,Immigration enforcement,vehicle,County report 2025,2025-Q3,3\n", encoding="utf-8")
    db_path, out = tmp_path / "text.duckdb", tmp_path / "report"
    runner = CliRunner()
    outputs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args in (["ingest", str(table), "--system", "Regional COPLINK"], ["counts", "--by",
                     "agency,reason_category,query_type"], ["findings"], ["report", "--out", str(out)]):
            result = runner.invoke(main, [*args, "--db", str(db_path)])
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    with duckdb.connect(str(db_path), read_only=True) as connection:
        rows = connection.execute("SELECT agency, reason_category, query_type, citation FROM observations "
                                  "ORDER BY value").fetchall()
    assert rows == [("FBI", "immigration", "vehicle", "County report 2025"),
                    ("ICE - HSI", "immigration", "unreviewed search type 1",
                     "(citation withheld: it looked personal or was too long)"),
                    ("unreviewed agency 1", "other", "person", "County report 2025")]
    everything = every_text_in(db_path) + "\n".join(outputs) + "\n".join(output_text(p) for p in out.iterdir())
    for value in ("Planted", "Testcase", "7ABC123", "541-555-0187", "Narcotics", "assist ICE"):
        assert value not in everything, value
    assert 'row 3,agency_unreviewed,"1 agency name(s)' in outputs[2]
    assert 'row 2,agency_unreviewed,"1 search type(s)' in outputs[2]


def test_a_held_name_quoted_by_a_reader_in_a_finding_is_replaced_there_too(tmp_path):
    table = tmp_path / "twice.csv"
    table.write_text("agency,Jan-17,Feb-17\nFBI,3,4\nRex Plantwell,1,2\nRex Plantwell,5,6\n", encoding="utf-8")
    db_path = tmp_path / "twice.duckdb"
    runner = CliRunner()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert runner.invoke(main, ["ingest", str(table), "--system", "S", "--db", str(db_path)]).exit_code == 0
    stored = every_text_in(db_path)
    assert "Plantwell" not in stored and "'unreviewed agency 1' appears again" in stored
