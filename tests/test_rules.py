"""Reason rules: categories by word boundaries, redaction marks, blanks, and user overrides."""
from __future__ import annotations

import pytest

from auditreport.errors import UsageError
from auditreport.rules import load_reason_rules, normalize_reason


@pytest.fixture(scope="module")
def rules():
    return load_reason_rules()


@pytest.mark.parametrize("reason", ["ICE+ERO", "ICE", "assist ice", "HSI", "HSI/ICE", "(CBP)", "USBP agent",
                                    "Border Patrol", "border  patrol", "Border+Patrol", "deportation",
                                    "Immigration check", "ERO Seattle"])
def test_immigration_words_match_on_word_boundaries(rules, reason):
    assert rules.classify(reason) == "immigration"


@pytest.mark.parametrize("reason", ["Police assist", "Service call", "Price St theft", "Justice", "Alice",
                                    "nice car", "hero", "Ceroni", "borderline", "immigrant"])
def test_words_inside_other_words_do_not_match(rules, reason):
    assert rules.classify(reason) == "other"


@pytest.mark.parametrize("reason, category", [("***", "redacted"), ("*****", "redacted"), ("[REDACTED]", "redacted"),
                                              ("(b)(7)(C)", "redacted"), ("", "blank"), ("   ", "blank"),
                                              ("+", "blank"), (None, "blank")])
def test_blank_and_redacted(rules, reason, category):
    assert rules.classify(reason) == category


def test_plus_reads_as_space():
    assert normalize_reason("Person+Crime ") == "Person Crime"


def test_shipped_categories(rules):
    assert rules.categories == ("blank", "redacted", "immigration", "other")


def test_user_rules_add_categories_first_and_override_by_category(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('fallback = "unclassified"\n'
                    '[[rule]]\ncategory = "federal"\nwords = ["FBI", "DEA", "US Marshals"]\n'
                    '[[rule]]\ncategory = "immigration"\nwords = ["ICE", "deport"]\n'
                    '[[rule]]\ncategory = "test"\nexact = ["Camera Test", "Administrative Test"]\n', "utf-8")
    rules = load_reason_rules(path)
    assert rules.classify("assist FBI") == "federal"
    assert rules.classify("deport") == "immigration"
    assert rules.classify("HSI") == "unclassified"  # the user's immigration rule replaced the shipped one
    assert rules.classify("camera  test") == "test"
    assert rules.classify("***") == "redacted"       # shipped rules of other categories stay
    assert rules.categories[:3] == ("federal", "immigration", "test")
    assert rules.describe() == "shipped rules, rules.toml"


def test_replace_defaults_drops_shipped_rules(tmp_path):
    path = tmp_path / "only.toml"
    path.write_text('replace_defaults = true\n[[rule]]\ncategory = "warrant"\nregex = ["(?i)warrant"]\n', "utf-8")
    rules = load_reason_rules(path)
    assert rules.classify("ICE") == "other"
    assert rules.classify("Warrant service") == "warrant"
    assert rules.categories == ("warrant", "other")


@pytest.mark.parametrize("text, message", [
    ("[[rule]]\ncategory = \"x\"\n", "rule 1 (x) says nothing to match"),
    ("[[rule]]\ncategory = \"Bad Name\"\nwords = [\"a\"]\n", "category must be a name"),
    ("[[rule]]\ncategory = \"x\"\nwords = \"a\"\nfoo = 1\n", "rule 1: unknown key(s) foo"),
    ("[[rule]]\ncategory = \"x\"\nregex = [\"(\"]\n", "is not a regular expression"),
    ("[[rule]\n", "not valid TOML"),
    ("colour = 1\n", "unknown key(s) in reason rules: colour"),
])
def test_bad_rule_files_say_what_to_fix(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(UsageError, match="bad.toml") as error:
        load_reason_rules(path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(UsageError, match="there is no reason-rules file"):
        load_reason_rules(tmp_path / "nope.toml")
