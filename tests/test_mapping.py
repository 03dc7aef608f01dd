"""Mappings: shipped profiles, TOML validation with clear errors, and `mapping init` proposals."""
from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditreport.cli import main
from auditreport.errors import InputError, UsageError
from auditreport.read.audit_log import read_audit_log
from auditreport.read.mapping import (MAPPED_DIMENSIONS, load_mapping, load_profile, profile_names, propose_mapping,
                                      resolve_mapping)

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
PERSONAL = {"Name", "License Plate", "Case #", "Filters", "Text Prompt"}


def test_shipped_profiles():
    assert profile_names() == ["flock-network-audit", "flock-organization-audit", "flock-search-audit"]
    network = load_profile("flock-network-audit")
    assert network.columns["time"] == "Search Time" and network.columns["agency"] == "Org Name"
    assert network.columns["lookback"] == "Time Frame"
    assert network.columns["search_id"] == "ID"  # kept only as a keyed hash (read/log_ids.py)
    assert set(network.dropped) == PERSONAL
    assert [len(layout) for layout in network.layouts] == [14, 12, 11]
    assert load_profile("flock-organization-audit").view == "organization"
    search = load_profile("flock-search-audit")
    assert search.columns == {"time": "searchDate", "devices": "cameraCount", "networks": "networkCount",
                              "reason": "reason", "users": "userId", "search_id": "id",
                              "offense_type": "offenseType"}
    assert [len(layout) for layout in search.layouts] == [5, 5, 6]  # Eugene 2025; San Mateo 2026, with offenseType
    assert "agency" not in search.columns and search.system == "Flock ALPR (search audit)"


@pytest.mark.parametrize("name", ["flock-network-audit", "flock-organization-audit", "flock-search-audit"])
def test_profiles_never_map_a_personal_column(name):
    profile = load_profile(name)
    assert not PERSONAL & set(profile.columns.values())


def test_unknown_profile_lists_the_shipped_ones():
    with pytest.raises(UsageError, match="there is no profile 'flock'.*flock-network-audit"):
        load_profile("flock")


def test_profile_or_mapping_exactly_one(tmp_path):
    with pytest.raises(UsageError, match="name either a profile or a mapping file"):
        resolve_mapping()
    with pytest.raises(UsageError, match="not both"):
        resolve_mapping("flock-search-audit", tmp_path / "m.toml")


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, "utf-8")
    return path


def test_load_a_user_mapping(tmp_path):
    mapping = load_mapping(_write(tmp_path, 'name = "county"\nsystem = "County RMS"\ndropped = ["Officer"]\n'
                                            '[columns]\ntime = "Query Date"\nagency = "Agency"\n'
                                            '[time]\nformat = "%d.%m.%Y %H:%M"\n'))
    assert mapping.name == "county" and mapping.system == "County RMS" and mapping.time_format == "%d.%m.%Y %H:%M"
    assert mapping.read_headers == ("Query Date", "Agency") and mapping.origin == "mapping.toml"


@pytest.mark.parametrize("text, message", [
    ('[columns]\nagency = "A"\n', "[columns] has no time column"),
    ('name = "x"\n', "the mapping has no [columns] table"),
    ('[columns]\ntime = "T"\nplate = "P"\n', "[columns] names unknown dimension(s) plate"),
    ('dropped = ["T"]\n[columns]\ntime = "T"\n', "'T' is both mapped and dropped"),
    ('colour = "red"\n[columns]\ntime = "T"\n', "unknown key(s) colour"),
    ('[columns]\ntime = "T"\nlookback = "W"\nlookback_start = "S"\n', "both lookback and lookback_start"),
    ('[columns]\ntime = "T"\nreason = "t"\n', "maps 't' to both time and reason"),
    ('layouts = [["A", "B"]]\n[columns]\ntime = "T"\n', "layout 1 has no 'T'"),
    ('[columns]\ntime = "T"\n[time]\nformat = "yyyy-mm-dd"\n', "is not a strptime format"),
    ('[columns\n', "not valid TOML"),
])
def test_bad_mappings_say_what_to_fix(tmp_path, text, message):
    with pytest.raises(UsageError) as error:
        load_mapping(_write(tmp_path, text))
    assert message in str(error.value)
    assert str(error.value).startswith("mapping.toml: ")
    assert "\n" not in str(error.value)


def test_missing_mapping_file_says_how_to_make_one(tmp_path):
    with pytest.raises(UsageError, match="auditreport mapping init"):
        load_mapping(tmp_path / "none.toml")


def test_propose_mapping_for_a_network_audit_drops_personal_columns():
    text = propose_mapping(LOGS / "network_audit_utc_suffix.csv")
    data = tomllib.loads(text)
    assert set(data["dropped"]) == PERSONAL | {"ID"}  # fail-closed: an id column is for the reviewer to map
    assert data["columns"] == {"time": "Search Time", "agency": "Org Name", "query_type": "Search Type",
                               "reason": "Reason", "networks": "Total Networks Searched",
                               "devices": "Total Devices Searched", "lookback": "Time Frame",
                               "moderation": "Moderation"}  # allow, block, warn: what a board asks about
    assert "--profile flock-network-audit" in text
    assert "REVIEW IT" in text
    load_mapping_text_roundtrip(text)


def load_mapping_text_roundtrip(text: str) -> None:
    from auditreport.read.mapping import mapping_from_dict
    mapping = mapping_from_dict(tomllib.loads(text), "proposal")
    assert set(mapping.columns) <= set(MAPPED_DIMENSIONS)


def test_propose_mapping_for_a_search_audit_drops_user_ids():
    data = tomllib.loads(propose_mapping(LOGS / "search_audit_naive_timestamps.csv"))
    assert set(data["dropped"]) == {"id", "userId"}
    assert data["columns"] == {"time": "searchDate", "reason": "reason", "devices": "cameraCount"}


def test_propose_mapping_drops_unknown_and_personal_columns(tmp_path):
    path = tmp_path / "county.csv"
    path.write_text("Query Date,Requesting Agency,Officer Badge,Subject DOB,Plate,Purpose,Misc Notes\n"
                    "2024-01-02 10:00,Harbor County SO,1234,1980-01-01,ABC123,warrant,xyz\n", "utf-8")
    data = tomllib.loads(propose_mapping(path))
    assert data["columns"] == {"time": "Query Date", "agency": "Requesting Agency", "reason": "Purpose"}
    assert set(data["dropped"]) == {"Officer Badge", "Subject DOB", "Plate", "Misc Notes"}


def test_propose_mapping_without_a_header_row():
    text = propose_mapping(LOGS / "network_audit_no_header_row.csv")
    data = tomllib.loads(text)
    assert len(data["layouts"][0]) == 14
    assert data["columns"] == {"time": "column 11"}  # the search time, not the two-line Time Frame
    assert len(data["dropped"]) == 13  # everything but the time column: a person must name them


# -- mapping init fails closed (issue 10: nothing personal gets in) --------------------------------------------
PLANTED = ("Jonathan Q. Planted", "Maria Testcase", "7ABC123", "CASE-2017-000981", "078-05-1120", "1984-03-07",
           "Testcase", "Planted")


def _log(tmp_path, lines: list[str], name: str = "county.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _assert_no_planted(text: str) -> None:
    for value in PLANTED:
        assert value.casefold() not in text.casefold(), f"{value!r} leaked into: {text}"


def _proposal(path: Path) -> tuple[str, dict]:
    """The proposal from the library and from `auditreport mapping init` (stdout), which must agree."""
    text = propose_mapping(path)
    result = CliRunner().invoke(main, ["mapping", "init", str(path)], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == text
    _assert_no_planted(text)
    return text, tomllib.loads(text)


@pytest.mark.parametrize("header, value", [
    ("Agency Case Number", "CASE-2017-000981"),
    ("Department Case #", "CASE-2017-000981"),
    ("Agency Report Number", "CASE-2017-000981"),
    ("ORI / Operator", "Jonathan Q. Planted"),
    ("Organization Contact", "Maria Testcase"),
    ("Database Query", "7ABC123"),
    ("System Query", "7ABC123"),
    ("Query Type Details", "plate 7ABC123"),
    ("query text", "7ABC123"),
    ("Birthdate", "1984-03-07"),
    ("Date of Birth", "03/07/1984"),
    ("Subject DOB", "1984-03-07"),
    ("Officer", "Jonathan Q. Planted"),
    ("Badge", "CASE-2017-000981"),
    ("Operator Contact Details", "Maria Testcase"),
    ("Notes", "Maria Testcase 078-05-1120"),
])
def test_personal_words_win_over_every_role(tmp_path, header, value):
    path = _log(tmp_path, [f"Search Time,{header},Requesting Agency,Purpose",
                           f'2025-07-01 10:00:00,"{value}",Harbor County SO,warrant',
                           f'2025-07-02 11:30:00,"{value}",Bayside PD,stolen vehicle'])
    text, data = _proposal(path)
    assert data["columns"] == {"time": "Search Time", "agency": "Requesting Agency", "reason": "Purpose"}
    assert data["dropped"] == [header]
    assert f"{json.dumps(header)},  # looks personal" in text


def test_a_case_number_column_before_the_agency_does_not_take_its_place(tmp_path):
    path = _log(tmp_path, ["Agency Case Number,Query Date,Requesting Agency,Reason",
                           "CASE-2017-000981,2025-07-01 10:00:00,Harbor County Sheriff,warrant"])
    _, data = _proposal(path)
    assert data["columns"]["agency"] == "Requesting Agency"


@pytest.mark.parametrize("header", ["System", "Database", "System Searched"])
def test_the_system_is_never_proposed_from_the_file(tmp_path, header):
    path = _log(tmp_path, [f"Search Time,Agency,{header}", "2025-07-01 10:00:00,Harbor PD,CLETS"])
    text, data = _proposal(path)
    assert "system" not in data["columns"] and header in data["dropped"]
    assert "CLETS" not in text
    assert '# system = "Name of the system searched"   # or pass --system' in text


@pytest.mark.parametrize("names", [["Maria Testcase", "Jonathan Q. Planted"], ["MARIA TESTCASE", "JONATHAN PLANTED"]])
def test_an_agency_column_must_hold_agency_names(tmp_path, names):
    path = _log(tmp_path, ["Search Time,Org Name,Reason", f"2025-07-01 10:00:00,{names[0]},warrant",
                           f"2025-07-01 11:00:00,{names[1]},warrant"])
    text, data = _proposal(path)
    assert data["columns"] == {"time": "Search Time", "reason": "Reason"}
    assert '"Org Name",  # does not hold agency names' in text
    assert "No agency column" in text


@pytest.mark.parametrize("agencies", [
    ["Harbor County Sheriff's Office", "DHS - ICE ERO", "FBI", "State Police", "U.S. Marshals Service"],
    ["Eastport PD", "Maricopa County SO", "CBP Office of Field Operations", "Texas DPS", "CA0194200"],
])
def test_agency_names_are_recognised(tmp_path, agencies):
    rows = [f"2025-07-01 10:00:0{second},{name}" for second, name in enumerate(agencies)]
    path = _log(tmp_path, ["Search Time,Org Name", *rows])
    assert tomllib.loads(propose_mapping(path))["columns"] == {"time": "Search Time", "agency": "Org Name"}


@pytest.mark.parametrize("header, values", [
    ("Date", ["1984-03-07", "1991-11-30"]),                        # dates without a time of day
    ("Record Date", ["03/07/1984", "11/30/1991"]),
    ("Search Time", ["1984-03-07 10:00:00", "1979-11-30 08:15:00"]),  # not recent: not a search time
])
def test_a_time_column_holds_recent_timestamps_with_a_time_of_day(tmp_path, header, values):
    path = _log(tmp_path, [f"{header},Agency"] + [f"{value},Harbor PD" for value in values])
    text, data = _proposal(path)
    assert data["columns"]["time"] == "?" and "No column looked like a search time" in text
    assert header in data["dropped"]


@pytest.mark.parametrize("time", ["01-Jul-2025 10:00:00", "01.07.2025 10:00:00", "07/01/2025, 10:00:00 AM UTC",
                                  "2025-07-01T10:00:00Z", "07/01/25 10:00"])
def test_a_headerless_log_is_never_copied_into_the_proposal(tmp_path, time):
    path = _log(tmp_path, [f'Jonathan Q. Planted,7ABC123,CASE-2017-000981,078-05-1120,1984-03-07,"{time}",Harbor PD',
                           f'Maria Testcase,7ABC123,CASE-2017-000981,078-05-1120,1984-03-07,"{time}",Bayside PD'])
    text, data = _proposal(path)
    assert data["layouts"] == [[f"column {i}" for i in range(1, 8)]]
    assert data["columns"] == {"time": "column 6"}  # the birth dates (no time of day) are not the search time


def test_a_first_row_with_digits_is_not_taken_for_a_header(tmp_path):
    # times the reader does not know: the row is still data (it holds ids and plates), never copied
    path = _log(tmp_path, ["Jonathan Q. Planted,7ABC123,CASE-2017-000981,July 1 2025 10:00,Harbor PD"])
    _, data = _proposal(path)
    assert data["layouts"] == [[f"column {i}" for i in range(1, 6)]]


# -- headerless layouts are checked against their values ------------------------------------------------------
FLOCK_ROW = ["a1", "Jonathan Q. Planted", "Harbor County SO", "1", "120",
             "11/13/2025, 09:00:00 AM UTC\n11/14/2025, 09:00:00 AM UTC", "7ABC123", "Stolen vehicle",
             "CASE-2017-000981", "", "11/14/2025, 09:53:36 AM UTC", "lookup", "", ""]


def _flock_rows(tmp_path, swap: tuple[int, int]) -> Path:
    path = tmp_path / "headerless.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for number, name in enumerate(["Jonathan Q. Planted", "Maria Testcase", "Ann Planted"]):
            row = [*FLOCK_ROW]
            row[0], row[1] = f"a{number}", name
            row[swap[0]], row[swap[1]] = row[swap[1]], row[swap[0]]
            writer.writerow(row)
    return path


@pytest.mark.parametrize("swap, message", [
    ((1, 2), "the values of 'Org Name' do not look like agency names"),
    ((10, 11), "the values of 'Search Time' are not times"),
])
def test_a_headerless_log_must_fit_its_layout_by_value_not_only_by_width(tmp_path, swap, message):
    with pytest.raises(InputError) as error:
        read_audit_log(_flock_rows(tmp_path, swap), profile="flock-network-audit")
    text = str(error.value)
    assert text.startswith("headerless.csv, row 1: the file has no header row") and message in text
    assert "\n" not in text
    _assert_no_planted(text)


def test_a_headerless_log_that_fits_its_layout_is_read(tmp_path):
    read = read_audit_log(_flock_rows(tmp_path, (0, 0)), profile="flock-network-audit")
    assert [f.kind for f in read.findings].count("no_header_row") == 1


def test_a_first_row_of_data_is_never_echoed(tmp_path):
    row = [*FLOCK_ROW[:7], "Reason", *FLOCK_ROW[8:13]]  # 13 columns: no layout; one cell reads like a header
    path = tmp_path / "data_first.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(row)
    with pytest.raises(InputError) as error:
        read_audit_log(path, profile="flock-network-audit")
    assert str(error.value).startswith("data_first.csv, row 1: ")
    _assert_no_planted(str(error.value))
    assert "Harbor" not in str(error.value) and "lookup" not in str(error.value)


def test_a_header_without_the_time_column_lists_its_names_but_not_personal_looking_ones(tmp_path):
    path = _log(tmp_path, ["ID,Org Name,Reason,Searched At,Driver Name,Maria Testcase Notes",
                           "a1,Harbor PD,warrant,2025-07-01 10:00:00,x,y"], "renamed.csv")
    with pytest.raises(InputError) as error:
        read_audit_log(path, profile="flock-network-audit")
    text = str(error.value)
    assert "there is no column 'Search Time'" in text and "Searched At" in text and "Org Name" in text
    _assert_no_planted(text)
    assert "2 more not shown" in text
