"""Mappings: shipped profiles, TOML validation with clear errors, and `mapping init` proposals."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from auditreport.errors import UsageError
from auditreport.read.mapping import (MAPPED_DIMENSIONS, load_mapping, load_profile, profile_names, propose_mapping,
                                      resolve_mapping)

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
PERSONAL = {"ID", "Name", "License Plate", "Case #", "Filters", "Text Prompt", "Moderation"}


def test_shipped_profiles():
    assert profile_names() == ["flock-network-audit", "flock-organization-audit", "flock-search-audit"]
    network = load_profile("flock-network-audit")
    assert network.columns["time"] == "Search Time" and network.columns["agency"] == "Org Name"
    assert network.columns["lookback"] == "Time Frame"
    assert set(network.dropped) == PERSONAL
    assert [len(layout) for layout in network.layouts] == [14, 12, 11]
    assert load_profile("flock-organization-audit").view == "organization"
    search = load_profile("flock-search-audit")
    assert search.columns == {"time": "searchDate", "devices": "cameraCount", "reason": "reason", "users": "userId"}
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
    assert set(data["dropped"]) == PERSONAL
    assert data["columns"] == {"time": "Search Time", "agency": "Org Name", "query_type": "Search Type",
                               "reason": "Reason", "networks": "Total Networks Searched",
                               "devices": "Total Devices Searched", "lookback": "Time Frame"}
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
