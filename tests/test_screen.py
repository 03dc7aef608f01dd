"""The privacy screen: what it recognises, what it lets through, and that it stays linear on any text."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditreport.agencies import load_crosswalk
from auditreport.screen import LONGEST_TEXT, label_problem, looks_like_agency, personal_kind, redact

PLANTED = {
    "078-05-1120": "a social security number",
    "078051120": "a social security number",
    "fakeuser@example.org": "an e-mail address",
    "541-555-0187": "a phone number",
    "(541) 555-0187": "a phone number",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301": "a long id",
    "a1b2c3d4e5f60718": "a long id",
    "7ABC123": "a licence plate",
    "PLT-4471": "a licence plate",
    "plate 6TRJ244": "a licence plate",
    "CASE-2017-000981": "a case or report number",
    "24-0051234": "a case or report number",
    "Case # 17-4512": "a case or report number",
    "DOB 03/07/1984": "a date of birth",
    "Det. J. Smith": "a name beside an officer word",
    "Springfield PD - Ofc. Maria Testcase": "a name beside an officer word",
    "owner Jane Doe": "a name beside an officer word",
    "COPLINK user Planted": "a name beside an officer word",
    "Jonathan Q. Planted": "a person's name",
    "JOHN SMITH": "a person's name",
}

# Real labels and the tool's own words: none may be withheld
SAFE = ["ICE - HSI", "Lane County SO", "Eugene OR PD", "Harbor County Sheriff's Office", "123rd Precinct",
        "I-5 Task Force", "Anne Arundel County Police", "George Mason University Police", "Charles County Sheriff",
        "Office of the Chief Counsel", "Deputy Sheriffs Association", "Special Agent in Charge", "K9 Unit",
        "FY2017", "2025-Q3", "Q3 2019", "Jan-17", "Aug 2010 - Feb 2011", "2017-2018", "US-101", "COVID19 response",
        "Flock ALPR (search audit)", "Regional COPLINK", "DHS LEIS Service (local and regional databases)",
        "officer safety", "Officer assist", "cannot break down by officer. Use one or more of: agency",
        "coverage gap from 2025-11-03 to 2025-11-05 (3 days)", "row 12, column C", "1,234 searches",
        "Column(s) not in the mapping, never read: Name, License Plate, Case #, Filters."]


@pytest.mark.parametrize("text, kind", PLANTED.items())
def test_the_screen_recognises_each_planted_shape(text, kind):
    assert personal_kind(text) == kind
    assert text not in redact(f"seen: {text}.")


@pytest.mark.parametrize("text", SAFE)
def test_real_labels_and_the_tools_own_words_pass(text):
    assert personal_kind(text) is None
    assert redact(text) == text


def test_no_agency_of_the_shipped_crosswalk_is_withheld():
    crosswalk = load_crosswalk()
    names = {name for agency in crosswalk.agencies.values() for name in (agency.name, *agency.aliases)}
    assert names and not [name for name in names if label_problem(name)]


@given(st.sampled_from(sorted(PLANTED)), st.lists(st.sampled_from(["County", "PD", "re", "-", "assist", "ICE", ":",
                                                                  "searched", "by", "for", "2025-Q3"]), max_size=6),
       st.lists(st.sampled_from(["note", "Sheriff", "(", ")", "and", "plate", "case", "on"]), max_size=6))
def test_a_planted_value_is_found_whatever_surrounds_it(value, before, after):
    text = " ".join([*before, value, *after])
    assert personal_kind(text) is not None
    assert value not in redact(text)


@pytest.mark.parametrize("text", ["a" * (LONGEST_TEXT - 1), "a@" * 999, "1-" * 999, "Officer " * 240,
                                  "7" * 1999, "x" * 10_000_000])
def test_any_text_is_screened_without_backtracking(text):
    personal_kind(text)  # returns at once (linear patterns; nothing over LONGEST_TEXT is searched)
    assert redact(text) is not None


def test_redact_removes_control_characters_and_keeps_the_rest():
    assert redact("ICE\u202e - HSI\x1b[2J") == "ICE - HSI[2J"


def test_what_reads_like_an_agency():
    assert all(looks_like_agency(name) for name in ("Bayside PD", "FBI", "LCSO", "OR0200200", "DHS (all components)",
                                                    "All searching agencies (3,900+)"))
    assert not any(looks_like_agency(name) for name in ("Maria Testcase", "DOE, JANE", "Rex Plantwell"))
