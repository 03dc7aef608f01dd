"""Reason rules: categories by word boundaries, redaction marks, blanks, and user overrides."""
from __future__ import annotations

import json

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
    assert rules.categories == ("blank", "redacted", "immigration", "vague", "other")


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


# -- one engine: the scan's RE2 in DuckDB classifies as Python's google-re2 does ------------------------------------
@pytest.mark.parametrize("expression, why", [(r"(?<=x)y", "invalid perl operator"), (r"(a)\1", "invalid escape"),
                                             (r"a*+", "bad repetition operator"), (r"(?P<n>x)(?P=n)", "")])
def test_a_rule_that_re2_cannot_read_is_refused_when_the_rules_load(tmp_path, capfd, expression, why):
    path = tmp_path / "rules.toml"
    path.write_text(f"[[rule]]\ncategory = \"x\"\nregex = ['{expression}']\n", "utf-8")  # TOML's literal string
    with pytest.raises(UsageError, match="rules.toml") as error:
        load_reason_rules(path)
    assert "RE2" in str(error.value) and why in str(error.value) and "\n" not in str(error.value)
    assert capfd.readouterr().err == ""  # RE2's own log line stays quiet


def _in_scan(texts: list[str], rules, crosswalk, connection) -> list[tuple[str, bool]]:
    """(category, may name an agency) of each text, in order, as the scan of a log computes them in DuckDB."""
    from auditreport.read.log_reasons import ReasonClasses
    classes = ReasonClasses(rules, crosswalk)
    rows = connection.execute(f"SELECT {rules.category_sql('reason')}, {classes.mention_sql('reason')} FROM "
                              "(SELECT unnest($1::VARCHAR[]) AS reason, generate_subscripts($1::VARCHAR[], 1) AS i) "
                              "ORDER BY i", [texts]).fetchall()
    return [(category, bool(named)) for category, named in rows]


WORDS = ["ICE", "ERO", "HSI", "CBP", "USBP", "Border Patrol", "deportation", "immigration", "***", "[REDACTED]",
         "(b)(7)(C)", "FBI", "Marshals", "Homeland Security Investigations", "U.S. Marshals", "assist", "Police",
         "Justice", "ab", "cd", "x 1", "Stolen vehicle", "", "é", "ß"]
SEPARATORS = [" ", "  ", "+", "\t", "\x0b", "\x1c", "\u00a0", "\n", "/", "(", ")", "-", ",", ""]
FOLDED = {"i": "ıİ", "s": "ſ", "k": "K"}  # letters that Python's re (IGNORECASE) reads as i, s and k


def _texts():
    """Reasons built of rule words and agency phrases in any case, some letters swapped for ones that
    Python's re folds into them, between odd separators; and any text at all."""
    from hypothesis import strategies as st

    @st.composite
    def word(draw):
        text = draw(st.sampled_from(WORDS))
        text = "".join(draw(st.sampled_from([ch, ch.lower(), ch.upper()])) for ch in text)
        spots = [i for i, ch in enumerate(text) if ch.lower() in FOLDED]
        if spots and draw(st.booleans()):
            i = draw(st.sampled_from(spots))
            text = text[:i] + draw(st.sampled_from(FOLDED[text[i].lower()])) + text[i + 1:]
        return text

    @st.composite
    def reason(draw):
        words = draw(st.lists(word(), max_size=4))
        return draw(st.sampled_from(SEPARATORS)).join(words) + draw(st.sampled_from(SEPARATORS))

    return st.lists(reason() | st.text(max_size=12), max_size=40)


def test_the_scan_classifies_every_text_as_python_does(tmp_path):
    """For random reasons and user rules, DuckDB's RE2 in the scan gives the category Python gives, and keeps the
    text wherever Python may find an agency in it."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from auditreport.agencies import load_crosswalk
    crosswalk = load_crosswalk()
    import duckdb

    rule = st.fixed_dictionaries({}, optional={
        "words": st.lists(st.sampled_from(["FBI", "Marshals", "ab", "x 1", "é", "ß", "Police assist"]), min_size=1,
                          max_size=3),
        "regex": st.lists(st.sampled_from([r"(?:ab|cd)\b", r"^x\s*1", r"(?i)^\[?redacted\]?$", r"\d{3}-\d{2}",
                                           r"(?i)caf\x{e9}", r"^.$", r"[^A-Za-z0-9]+x", "ß+", r"(?s)a.b"]),
                          min_size=1, max_size=2),
        "exact": st.lists(st.sampled_from(["Police assist", "  ICE  ", "Straße", "é"]), min_size=1, max_size=2),
        "blank": st.just(True)})

    @settings(max_examples=120, deadline=None)
    @given(_texts(), st.lists(rule, max_size=3), st.booleans())
    def check(texts, user_rules, replace):
        lines = [f"replace_defaults = {str(replace).lower()}"]
        for number, entry in enumerate(user_rules):  # JSON's lists, strings and true are TOML's too
            lines.append(f"[[rule]]\ncategory = \"user_{number}\"")
            lines += [f"{key} = {json.dumps(value)}" for key, value in (entry or {"words": ["ab"]}).items()]
        path = tmp_path / "rules.toml"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        for rules in (load_reason_rules(), load_reason_rules(path)):
            for text, (category, may_name) in zip(texts, _in_scan(texts, rules, crosswalk, connection)):
                assert category == rules.classify(text), text
                if not may_name:
                    assert crosswalk.mentioned(text) is None, text

    with duckdb.connect() as connection:
        check()


def test_the_scan_keeps_a_text_only_where_it_may_name_an_agency():
    from auditreport.agencies import load_crosswalk
    texts = ["Stolen Vehicle", "Police assist", "case 12-345 theft", "ICE+ERO", "  ***", "",
             "for homeland security investigations", "assist\u00a0ice", "ıCE", "HSİ"]
    import duckdb
    with duckdb.connect() as connection:
        found = _in_scan(texts, load_reason_rules(), load_crosswalk(), connection)
    assert [named for _, named in found] == [False, False, False, True, False, False, True, True, False, False]
    assert [category for category, _ in found] == ["other", "other", "other", "immigration", "redacted", "blank",
                                                   "other", "immigration", "other", "other"]
    # one engine: RE2 folds no dotless ı into i (Python's re did), so neither DuckDB nor Python reads ıCE as ICE
    assert load_reason_rules().classify("ıCE") == "other"
