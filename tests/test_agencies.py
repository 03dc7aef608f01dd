"""Who searched: the crosswalk, name matching, hierarchy, and the dimensions it gives."""
from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from auditreport.agencies import load_crosswalk, parse_name, project_crosswalk
from auditreport.cli import main
from auditreport.errors import UsageError

from .conftest import FIXTURES

VARIANTS = list(csv.DictReader(open(FIXTURES / "agency_name_variants.csv", encoding="utf-8")))


@pytest.fixture(scope="module")
def crosswalk():
    return load_crosswalk()


@pytest.mark.parametrize("variant", VARIANTS, ids=[v["name"] for v in VARIANTS])
def test_real_world_name_variants(crosswalk, variant):
    names = crosswalk.match_names([v["name"] for v in VARIANTS]).set_index("agency_as_given")
    row = names.loc[variant["name"]]
    assert row["agency"] == variant["agency"]
    assert row["match_method"] == variant["method"]
    assert (row["state"] if isinstance(row["state"], str) else "") == variant["state"]
    assert row["level"] == variant["level"]


def test_variants_of_one_agency_meet_and_others_stay_apart(crosswalk):
    names = crosswalk.match_names([v["name"] for v in VARIANTS]).set_index("agency_as_given")
    groups: dict[str, set[str]] = {}
    for variant in VARIANTS:
        groups.setdefault(variant["group"], set()).add(names.loc[variant["name"], "agency"])
    assert all(len(agencies) == 1 for agencies in groups.values()), groups
    shown = [next(iter(agencies)) for agencies in groups.values()]
    assert len(set(shown)) == len(shown), "different agencies never share a name"


def test_bracketed_qualifiers_are_kept_as_facts():
    parsed = parse_name("[Federal] US Border Patrol [Inactive]")
    assert parsed.qualifiers == ("Federal", "Inactive")
    assert "inactive" not in parsed.words


@pytest.mark.parametrize("name,state", [("Gwinnett County GA SO", "GA"),
                                        ("Gwinnett County Sheriff's Office (GA)", "GA"),
                                        ("SC - Sumter Co Sheriff's Office", "SC"), ("Houston PD, Texas", "TX"),
                                        ("Sumter CO Sheriff", ""), ("LA County Sheriff", "")])
def test_state_from_the_name(name, state):
    assert parse_name(name).state == state


def test_hierarchy_rolls_up_to_the_department(crosswalk):
    hsi = crosswalk.match("HSI")
    assert (hsi.parent, hsi.department, hsi.federal) == ("U.S. Immigration and Customs Enforcement",
                                                         "U.S. Department of Homeland Security", True)
    assert crosswalk.match("ICE").parent == "U.S. Department of Homeland Security"
    assert crosswalk.match("Border Patrol").parent == "U.S. Customs and Border Protection"
    assert crosswalk.match("FBI").department == crosswalk.match("USMS").department == "U.S. Department of Justice"


def test_short_acronyms_count_only_in_capitals(crosswalk):
    assert crosswalk.match("Ice Arena Security").method == "unmatched"
    assert crosswalk.mentioned("ice on the road") is None and crosswalk.mentioned("assist ICE") == "ICE"


@pytest.mark.parametrize("toml,message", [
    ("agency = 5\n", "agencies must be listed as [[agency]] tables"),
    ('[[agency]]\nid = "X"\nname = "X"\nlevel = "county"\naliases = "X Co SO"\n',
     "[[agency]] number 1 has aliases that are not a list of text"),
    ('[[agency]]\nid = 7\nname = "X"\nlevel = "county"\n', "[[agency]] number 1 has a id that is not text"),
])
def test_malformed_project_files_get_clear_errors(tmp_path, toml, message):
    path = tmp_path / "agencies.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(message)):
        load_crosswalk(path)


def test_a_name_naming_two_unrelated_agencies_is_not_guessed(crosswalk):
    match = crosswalk.match("FBI/ICE Joint Task Force")
    assert match.method == "unmatched" and "names more than one agency" in match.note


@pytest.mark.parametrize("text,agency", [("ICE+ERO", "ICE-ERO"), ("on behalf of HSI", "ICE-HSI"),
                                         ("Assist CBP", "CBP"), ("Police assist", None), ("Service call", None),
                                         ("Price St theft", None)])
def test_agencies_named_in_reason_text(crosswalk, text, agency):
    assert crosswalk.mentioned(text) == agency


def test_project_file_adds_local_agencies_and_never_merges_states(tmp_path):
    (tmp_path / "agencies.toml").write_text('''
[[agency]]
id = "HOUSTON-PD-TX"
name = "Houston Police Department"
level = "municipal"
state = "TX"
aliases = ["HPD"]

[[agency]]
id = "HOUSTON-PD-MO"
name = "Houston Police Department"
level = "municipal"
state = "MO"
''', encoding="utf-8")
    crosswalk = project_crosswalk(tmp_path / "audit.duckdb")
    assert crosswalk.match("Houston PD, Texas").agency_id == "HOUSTON-PD-TX"
    assert crosswalk.match("Houston Police Department (MO)").agency_id == "HOUSTON-PD-MO"
    ambiguous = crosswalk.match("Houston Police Department")
    assert ambiguous.method == "unmatched" and "the name gives no state" in ambiguous.note
    assert crosswalk.match("HPD (TX)").agency_id == "HOUSTON-PD-TX"


def test_bad_project_file_says_what_to_fix(tmp_path):
    path = tmp_path / "agencies.toml"
    path.write_text('[[agency]]\nid = "X"\nname = "X County SO"\nlevel = "sheriff"\n', encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_crosswalk(path)
    assert str(raised.value) == (f"{path}: [[agency]] number 1 (X) has level 'sheriff'. Use one of: federal, state, "
                                 "county, municipal, tribal, regional, other.")


TABLE = """Agency,Jan-17,Feb-17
Gwinnett County GA SO,10,11
Gwinnett County Sheriff's Office (GA),1,2
Houston Police Department (TX),5,5
Houston PD (MO),7,7
ICE HSI Boston,3,4
DHS - Immigration & Customs Enforcement (ERO),2,2
FBI,1,1
"""


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def variants_db(tmp_path):
    table = tmp_path / "variants.csv"
    table.write_text(TABLE, encoding="utf-8")
    db = tmp_path / "audit.duckdb"
    assert run("ingest", table, "--system", "Regional COPLINK", "--db", db).exit_code == 0
    return db


def counts_by(db, by):
    output = run("counts", "--db", db, "--by", by, "--grain", "quarter").stdout
    return {row[by]: row for row in csv.DictReader(io.StringIO(output))}


def test_counts_by_agency_puts_variants_in_one_row(variants_db):
    rows = counts_by(variants_db, "agency")
    assert rows["Gwinnett County Sheriff's Office (GA)"]["value"] == "24"
    assert rows["Houston Police Department (TX)"]["value"] == "10"
    assert rows["Houston PD (MO)"]["value"] == "14"
    assert len(rows) == 6


def test_counts_by_department_rolls_federal_components_up(variants_db):
    rows = counts_by(variants_db, "department")
    assert rows["U.S. Department of Homeland Security"]["value"] == "11"  # HSI 7 + ERO 4
    assert rows["U.S. Department of Justice"]["value"] == "2"


def test_counts_by_federal_and_level(variants_db):
    assert {k: r["value"] for k, r in counts_by(variants_db, "federal").items()} == {"True": "13", "False": "48"}
    assert counts_by(variants_db, "level")["county"]["value"] == "24"


def test_unmatched_names_are_findings_and_exported(variants_db):
    findings = list(csv.DictReader(io.StringIO(run("findings", "--db", variants_db).stdout)))
    unmatched = [f for f in findings if f["kind"] == "agency_unmatched"]
    assert {f["location"] for f in unmatched} >= {"agency 'Gwinnett County GA SO'", "agency 'Houston PD (MO)'"}
    exported = list(csv.DictReader(io.StringIO(run("agencies", "unmatched", "--db", variants_db).stdout)))
    assert {r["agency_as_given"] for r in exported} == {"Gwinnett County GA SO",
                                                      "Gwinnett County Sheriff's Office (GA)",
                                                      "Houston Police Department (TX)", "Houston PD (MO)"}
    names = list(csv.DictReader(io.StringIO(run("agencies", "names", "--db", variants_db).stdout)))
    assert {r["agency_as_given"]: r["match_method"] for r in names}["ICE HSI Boston"] == "rule"


def test_agencies_toml_beside_the_database_is_used(variants_db):
    (variants_db.parent / "agencies.toml").write_text('''
[[agency]]
id = "GWINNETT-SO"
name = "Gwinnett County Sheriff's Office"
level = "county"
state = "GA"
aliases = ["Gwinnett County Sheriff's Office", "Gwinnett Co SO"]
''', encoding="utf-8")
    rows = counts_by(variants_db, "agency")
    assert rows["Gwinnett County Sheriff's Office"]["value"] == "24"
    exported = run("agencies", "unmatched", "--db", variants_db).stdout
    assert "Gwinnett" not in exported


def test_report_names_every_agency_and_the_federal_share(variants_db, tmp_path):
    result = run("report", "--db", variants_db, "--out", tmp_path / "out", "--grain", "month", "--format", "html,csv")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Who searched" in html and "Houston PD (MO)" in html
    assert "Share of searches by federal agencies" in html
    glance = {row["key"]: row for row in csv.DictReader(open(tmp_path / "out" / "at-a-glance.csv", encoding="utf-8"))}
    assert (glance["federal"]["period"], glance["federal"]["value"]) == ("2017-02", "7")  # HSI 4, ERO 2, FBI 1
    assert (tmp_path / "out" / "chart-01-searches-by-level.csv").is_file()


def test_merged_variants_do_not_double_their_coverage(variants_db):
    # regression: two names of one agency were one series, so their days added up and no month was complete
    output = run("counts", "--db", variants_db, "--by", "agency", "--grain", "month").stdout
    rows = [r for r in csv.DictReader(io.StringIO(output)) if r["agency"].startswith("Gwinnett")]
    assert [(r["period"], r["value"], r["complete"]) for r in rows] == [("2017-01", "11", "True"),
                                                                       ("2017-02", "13", "True")]
