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


# -- the DuckDB prefilter: texts it leaves out must be texts no rule matches ------------------------------------
PORTABLE = [r"^\*+$", r"(?i)^\[?redacted\]?$", r"^\(b\)\s*\(\d\)", r"a{2,3}?", r"[^A-Za-z0-9]+x", r"(?:ab|cd)\b",
            r"\d{3}-\d{2}", r"\$5", r"x\.y"]
NOT_PORTABLE = [r"a*+", r"(?<=x)y", r"(?=x)", r"a{,3}", r"[[:alpha:]]", r"\1", r"x\Z", r"\Ax", r"(?P<n>x)", r"(?s).",
                r"[]a]", r"\x41", r"\n", r"caf\u00e9", "café", r"a{", r"[a&&b]", r"(?x) a", r"[\b]"]


@pytest.mark.parametrize("expression", PORTABLE)
def test_portable_regexes(expression):
    from auditreport.rules import portable_regex
    assert portable_regex(expression)


@pytest.mark.parametrize("expression", NOT_PORTABLE)
def test_regexes_that_re2_may_read_otherwise_are_not_portable(expression):
    from auditreport.rules import portable_regex
    assert not portable_regex(expression)


def _candidates(texts: list[str], rules, crosswalk, connection=None) -> list[bool]:
    """Which texts DuckDB picks out as candidates for classifying, in order."""
    import duckdb

    from auditreport.read.log_reasons import ReasonClasses
    sql = ReasonClasses(rules, crosswalk).candidate_sql("reason")
    with duckdb.connect() if connection is None else connection.cursor() as cursor:
        rows = cursor.execute(f"SELECT {sql} FROM (SELECT unnest($1::VARCHAR[]) AS reason, "
                              "generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i", [texts]).fetchall()
    return [row[0] for row in rows]


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


def test_the_prefilter_keeps_every_text_a_rule_or_an_agency_pattern_matches(tmp_path):
    from hypothesis import given, settings

    from auditreport.agencies import load_crosswalk
    user_rules = tmp_path / "rules.toml"
    user_rules.write_text('[[rule]]\ncategory = "federal"\nwords = ["FBI", "Marshals"]\n'
                          '[[rule]]\ncategory = "pairs"\nregex = ["(?:ab|cd)\\\\b", "^x\\\\s*1"]\n'
                          '[[rule]]\ncategory = "assist"\nexact = ["Police assist"]\n', "utf-8")
    import duckdb
    crosswalk = load_crosswalk()
    rule_sets = (load_reason_rules(), load_reason_rules(user_rules))

    @settings(max_examples=150, deadline=None)
    @given(_texts())
    def check(texts):
        for rules in rule_sets:
            for text, candidate in zip(texts, _candidates(texts, rules, crosswalk, connection)):
                if not candidate:
                    assert rules.classify(text) == rules.fallback, text
                    assert crosswalk.mentioned(text) is None, text

    with duckdb.connect() as connection:
        check()


def test_the_prefilter_leaves_out_plain_reasons_and_keeps_the_rest():
    from auditreport.agencies import load_crosswalk
    texts = ["Stolen Vehicle", "Police assist", "case 12-345 theft", "ICE+ERO", "  ***", "",
             "for homeland security investigations", "assist\u00a0ice", "ıCE", "HSİ"]
    assert _candidates(texts, load_reason_rules(), load_crosswalk()) == [False, False, False, True, True, True,
                                                                           True, True, True, True]
    assert load_reason_rules().classify("ıCE") == "immigration"  # Python's re folds ı into i; RE2 does not


def test_a_rule_that_re2_may_read_otherwise_makes_every_text_a_candidate(tmp_path):
    from auditreport.agencies import load_crosswalk
    user_rules = tmp_path / "rules.toml"
    user_rules.write_text('[[rule]]\ncategory = "theft"\nregex = ["(?<!no )theft"]\n', "utf-8")
    rules = load_reason_rules(user_rules)
    assert _candidates(["Stolen Vehicle", "car theft"], rules, load_crosswalk()) == [True, True]
    assert [rules.classify(text) for text in ("car theft", "no theft")] == ["theft", "other"]
