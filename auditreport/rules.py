"""Reason rules: sort the free-text reason of a search into a category, so the text can be dropped.

Rules are data (TOML): the shipped ones live in `auditreport/rules/default_reason_rules.toml`, and a
user file adds or overrides them. Readers classify the *distinct* reason values of a log, never
row by row, and keep only the category.

>>> rules = load_reason_rules()
>>> rules.classify("ICE+ERO"), rules.classify("Police assist"), rules.classify("***"), rules.classify("")
('immigration', 'other', 'redacted', 'blank')
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import UsageError
from .sql import re2_literal, sql_text

RULE_KEYS = ("category", "blank", "exact", "words", "regex")
MATCH_KEYS = ("blank", "exact", "words", "regex")
RULES_HINT = ("Each [[rule]] needs a category and one of: blank = true, exact = [...], words = [...], "
              "regex = [...]; see auditreport/rules/default_reason_rules.toml.")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")


def normalize_reason(text: str | None) -> str:
    """What rules see: '+' read as a space, runs of white space as one space, ends trimmed."""
    if text is None:
        return ""
    return " ".join(str(text).replace("+", " ").split())


# -- the same rules in DuckDB's RE2, to pick out candidates (see ReasonRules.candidate_sql) ------------------------
# What str.split() takes for white space among ASCII characters, and "+": normalize_reason in SQL, for ASCII text.
_ASCII_SPACE_SQL = r"[+\t\n\x0b\x0c\r \x1c-\x1f]+"


def reason_sql(reason: str) -> str:
    """normalize_reason in SQL, for ASCII text."""
    return f"trim(regexp_replace({reason}, '{_ASCII_SPACE_SQL}', ' ', 'g'))"


_QUANTIFIER = re.compile(r"[*+?]|\{\d+(?:,\d*)?\}")


def portable_regex(expression: str) -> bool:
    """True when `expression` keeps to syntax that Python's re and RE2 read alike on ASCII text.

    Literals and escaped punctuation, . ^ $ |, groups and (?:...), classes without [: or set operations,
    \\d \\w \\s \\b and their negations, greedy and lazy quantifiers, and a leading (?i). Anything else
    (lookarounds, back-references, \\A \\Z, possessive quantifiers, other flags) is not portable.
    """
    if not expression.isascii():
        return False
    text, i = expression, 4 if expression.startswith("(?i)") else 0
    while i < len(text):
        char = text[i]
        quantifier = _QUANTIFIER.match(text, i)
        if quantifier:
            i = quantifier.end() + (1 if text.startswith("?", quantifier.end()) else 0)  # greedy or lazy
            if _QUANTIFIER.match(text, i):  # a*+ is possessive in Python 3.11, an error in RE2
                return False
            continue
        if char == "\\":
            if i + 1 == len(text) or (text[i + 1].isalnum() and text[i + 1] not in "dDwWsSbB"):
                return False
            i += 2
        elif char == "[":
            end = _class_end(text, i)
            if end is None:
                return False
            i = end
        elif char == "(":
            if text.startswith("(?", i) and not text.startswith("(?:", i):
                return False
            i += 3 if text.startswith("(?:", i) else 1
        elif char in "{}":
            return False  # a brace that is not a quantifier: a literal in re, not always in RE2
        else:
            i += 1
    return True


def _class_end(text: str, start: int) -> int | None:
    """The index after the character class that opens at `start`, or None if it is not portable."""
    i = start + 1
    if text.startswith("^", i):
        i += 1
    if text.startswith("]", i):
        return None
    while i < len(text) and text[i] != "]":
        if text[i] == "[" or text.startswith(("&&", "--", "~~", "||"), i):
            return None
        if text[i] == "\\":
            if i + 1 == len(text) or (text[i + 1].isalnum() and text[i + 1] not in "dDwWsS"):
                return None
            i += 2
        else:
            i += 1
    return i + 1 if i < len(text) else None


@dataclass(frozen=True)
class ReasonRule:
    """One rule: a category and how a reason matches it."""

    category: str
    blank: bool = False
    exact: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    origin: str = "shipped"
    _patterns: tuple[re.Pattern, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        patterns = []
        if self.words:
            alternatives = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in self.words)
            # Word boundaries that also hold next to digits and punctuation: "ICE/ERO", "(HSI)", "CBP-1".
            patterns.append(re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE))
        for expression in self.regex:
            try:
                patterns.append(re.compile(expression))
            except re.error as error:
                raise UsageError(f"reason rule for {self.category!r}: {expression!r} is not a regular expression "
                                 f"({error})", file=self.origin,
                                 hint="Fix the expression, or use words = [...] for plain words.") from None
        object.__setattr__(self, "_patterns", tuple(patterns))
        object.__setattr__(self, "exact", tuple(normalize_reason(text).casefold() for text in self.exact))

    def candidate_sql(self, normalized: str) -> str | None:
        """SQL true for every ASCII reason this rule may match (`normalized`: its reason_sql), or None."""
        tests = []
        if self.blank:
            tests.append(f"{normalized} = ''")
        if self.exact:  # already normalized and casefolded; the casefold of ASCII text is its lower case
            tests.append(f"lower({normalized}) IN ({', '.join(sql_text(text) for text in self.exact)})")
        if self.words:
            if not all(word.isascii() for word in self.words):  # re's IGNORECASE folds some letters into ASCII
                return None
            alternatives = "|".join(r"\s+".join(re2_literal(part) for part in word.split()) for word in self.words)
            # the lookarounds of the Python pattern, as RE2 has none: for "is there a match" they are the same
            tests.append(f"regexp_matches({normalized}, "
                         f"{sql_text(f'(?i)(^|[^A-Za-z0-9])(?:{alternatives})([^A-Za-z0-9]|$)')})")
        for expression in self.regex:
            if not portable_regex(expression):
                return None
            tests.append(f"regexp_matches({normalized}, {sql_text(expression)})")
        return " OR ".join(f"({test})" for test in tests) if tests else "false"

    def matches(self, reason: str) -> bool:
        """`reason` is already normalized (see normalize_reason)."""
        if self.blank and not reason:
            return True
        if not reason:
            return False
        if self.exact and reason.casefold() in self.exact:
            return True
        return any(pattern.search(reason) for pattern in self._patterns)


@dataclass(frozen=True)
class ReasonRules:
    """An ordered list of rules and the fallback category; `classify` names the category of one reason."""

    rules: tuple[ReasonRule, ...]
    fallback: str = "other"
    sources: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for rule in self.rules:
            seen.setdefault(rule.category, None)
        seen.setdefault(self.fallback, None)
        return tuple(seen)

    def classify(self, reason: str | None) -> str:
        text = normalize_reason(reason)
        for rule in self.rules:
            if rule.matches(text):
                return rule.category
        return self.fallback

    def classify_many(self, reasons: list[str | None]) -> list[str]:
        """Categories of many distinct reasons (a log's vocabulary, not its rows)."""
        return [self.classify(reason) for reason in reasons]

    def candidate_sql(self, normalized: str) -> str:
        """SQL true for every ASCII reason text that some rule may match; the others get the fallback category.

        A log can hold hundreds of thousands of distinct reasons, nearly all matched by no rule: DuckDB picks
        out the few that need `classify` (see read/log_reasons.py, which also takes every text that is not
        ASCII). `normalized` is reason_sql of the text. The SQL errs only towards a candidate: every text is
        one when a rule uses syntax that RE2 might read differently from Python.
        """
        tests = [rule.candidate_sql(normalized) for rule in self.rules]
        if any(test is None for test in tests):
            return "true"
        return f"({' OR '.join(f'({test})' for test in tests) or 'false'})"

    def describe(self) -> str:
        """One line for provenance: which rule files were used."""
        return ", ".join(self.sources) or "shipped rules"

    def fingerprint(self) -> str:
        """SHA-256 of the rules as applied (order, categories, patterns, fallback): which rules counted a log."""
        rules = [[rule.category, rule.blank, list(rule.exact), list(rule.words), list(rule.regex)]
                 for rule in self.rules]
        text = json.dumps({"fallback": self.fallback, "rules": rules}, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_toml(text: str, origin: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"the reason rules are not valid TOML ({error})", file=origin, hint=RULES_HINT) from None


def _as_strings(value: object, key: str, category: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f"reason rule for {category!r}: {key} must be a list of strings", file=origin,
                         hint=RULES_HINT)
    return tuple(value)


def _parse_rules(data: dict, origin: str) -> tuple[list[ReasonRule], str | None, bool]:
    unknown = sorted(set(data) - {"fallback", "rule", "replace_defaults"})
    if unknown:
        raise UsageError(f"unknown key(s) in reason rules: {', '.join(unknown)}", file=origin,
                         hint="Use fallback = \"...\", replace_defaults = true|false and [[rule]] tables.")
    fallback = data.get("fallback")
    if fallback is not None and (not isinstance(fallback, str) or not _CATEGORY.match(fallback)):
        raise UsageError(f"fallback must be a category name like \"other\", not {fallback!r}", file=origin,
                         hint="Categories are lower-case words joined by _.")
    replace = data.get("replace_defaults", False)
    if not isinstance(replace, bool):
        raise UsageError("replace_defaults must be true or false", file=origin, hint=RULES_HINT)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise UsageError("rules must be written as [[rule]] tables", file=origin, hint=RULES_HINT)
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"rule {number}"
        if not isinstance(entry, dict):
            raise UsageError(f"{where} is not a table", file=origin, hint=RULES_HINT)
        unknown = sorted(set(entry) - set(RULE_KEYS))
        if unknown:
            raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}", file=origin, hint=RULES_HINT)
        category = entry.get("category")
        if not isinstance(category, str) or not _CATEGORY.match(category):
            raise UsageError(f"{where}: category must be a name like \"immigration\", not {category!r}",
                             file=origin, hint="Categories are lower-case words joined by _.")
        if not any(key in entry for key in MATCH_KEYS):
            raise UsageError(f"{where} ({category}) says nothing to match", file=origin, hint=RULES_HINT)
        blank = entry.get("blank", False)
        if not isinstance(blank, bool):
            raise UsageError(f"{where} ({category}): blank must be true or false", file=origin, hint=RULES_HINT)
        rules.append(ReasonRule(
            category=category, blank=blank,
            exact=_as_strings(entry.get("exact", []), "exact", category, origin),
            words=_as_strings(entry.get("words", []), "words", category, origin),
            regex=_as_strings(entry.get("regex", []), "regex", category, origin),
            origin=origin))
    return rules, fallback, replace


def load_reason_rules(path: str | Path | None = None) -> ReasonRules:
    """The shipped rules, with the rules of a user TOML file (if given) added or overriding by category.

    >>> load_reason_rules().categories
    ('blank', 'redacted', 'immigration', 'vague', 'other')
    """
    shipped_text = resources.files("auditreport").joinpath("rules", "default_reason_rules.toml").read_text("utf-8")
    shipped, fallback, _ = _parse_rules(_read_toml(shipped_text, "default_reason_rules.toml"),
                                        "default_reason_rules.toml")
    sources = ["shipped rules"]
    if path is None:
        return ReasonRules(tuple(shipped), fallback or "other", tuple(sources))
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"there is no reason-rules file at {path}", hint="Pass --reason-rules with a TOML file.")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"the reason-rules file could not be read ({error})", file=path.name,
                         hint="Save it as UTF-8 text.") from None
    user, user_fallback, replace = _parse_rules(_read_toml(text, path.name), path.name)
    overridden = {rule.category for rule in user}
    kept = [] if replace else [rule for rule in shipped if rule.category not in overridden]
    sources = ([] if replace else sources) + [path.name]
    return ReasonRules(tuple(user + kept), user_fallback or fallback or "other", tuple(sources))
