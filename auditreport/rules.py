"""Reason rules: sort the free-text reason of a search into a category, so the text can be dropped.

Rules are data (TOML): the shipped ones live in `auditreport/rules/default_reason_rules.toml`, and a
user file adds or overrides them. Each rule becomes one RE2 expression, read alike by Python (google-re2)
and DuckDB: the reader of a log classifies every row in DuckDB's scan (`category_sql`), and the texts of
a sample in Python (`classify`), with the same result. Only the category is kept.

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
from typing import Mapping

import re2

from .errors import UsageError
from .sql import re2_literal, re2_options, sql_text

RULE_KEYS = ("category", "blank", "exact", "words", "regex")
MATCH_KEYS = ("blank", "exact", "words", "regex")
RULES_HINT = ("Each [[rule]] needs a category and one of: blank = true, exact = [...], words = [...], "
              "regex = [...]; see auditreport/rules/default_reason_rules.toml.")
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")


# What str.split() takes for white space, and "+": runs of them read as one space. Written for RE2, which reads
# rules in Python (google-re2) and in DuckDB alike, so that a reason normalizes the same in both.
SPACES_RE2 = (r"[+\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}"
              r"\x{3000}]+")


_SPACES = re2.compile(SPACES_RE2, re2_options())


def normalize_reason(text: str | None) -> str:
    """What rules see: '+' read as a space, runs of white space as one space, ends trimmed."""
    if text is None:
        return ""
    return _SPACES.sub(" ", str(text)).strip(" ")


def reason_sql(reason: str) -> str:
    """normalize_reason in SQL (RE2, as in Python)."""
    return f"trim(regexp_replace({reason}, {sql_text(SPACES_RE2)}, ' ', 'g'), ' ')"


@dataclass(frozen=True)
class ReasonRule:
    """One rule: a category and how a reason matches it, as one RE2 expression (`expression`) that Python
    (google-re2) and DuckDB read alike."""

    category: str
    blank: bool = False
    exact: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    origin: str = "shipped"
    expression: str | None = field(default=None, compare=False, repr=False)  # None: the rule matches blanks only
    _pattern: object = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        parts = []
        if self.exact:
            parts.append(f"(?i)^(?:{'|'.join(re2_literal(normalize_reason(text)) for text in self.exact)})$")
        if self.words:
            alternatives = "|".join(" ".join(re2_literal(part) for part in word.split()) for word in self.words)
            # Word boundaries that also hold next to digits and punctuation: "ICE/ERO", "(HSI)", "CBP-1".
            parts.append(f"(?i)(?:^|[^A-Za-z0-9])(?:{alternatives})(?:[^A-Za-z0-9]|$)")
        for expression in self.regex:
            try:
                re2.compile(expression, re2_options())
            except re2.error as error:
                reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
                raise UsageError(f"reason rule for {self.category!r}: {expression!r} is not a regular expression "
                                 f"that RE2 can read ({reason})", file=self.origin,
                                 hint="Rules are read with RE2, as DuckDB reads them: no look-arounds or "
                                      "back-references; use words = [...] for plain words.") from None
            parts.append(expression)
        if parts:
            expression = "|".join(f"(?:{part})" for part in parts)
            object.__setattr__(self, "expression", expression)
            object.__setattr__(self, "_pattern", re2.compile(expression, re2_options()))

    def matches(self, reason: str) -> bool:
        """`reason` is already normalized (see normalize_reason); an empty one matches only a blank rule."""
        if not reason:
            return self.blank
        return self._pattern is not None and self._pattern.search(reason) is not None


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

    @property
    def blank_category(self) -> str:
        """The category of an empty reason: the first blank rule's, or the fallback."""
        return next((rule.category for rule in self.rules if rule.blank), self.fallback)

    def classify(self, reason: str | None) -> str:
        text = normalize_reason(reason)
        if not text:
            return self.blank_category
        return next((rule.category for rule in self.rules if rule.matches(text)), self.fallback)

    def classify_many(self, reasons: list[str | None]) -> list[str]:
        """Categories of many distinct reasons (a log's vocabulary, not its rows)."""
        return [self.classify(reason) for reason in reasons]

    def category_sql(self, reason: str, labels: Mapping[str, int] | None = None) -> str:
        """`classify` in SQL, for DuckDB to classify every row of a log as it scans it: the same RE2 expressions
        on the same normalized text (a NULL reason is blank). With `labels`, each category reads as its number."""
        label = (lambda category: str(labels[category])) if labels is not None else sql_text
        normalized = reason_sql(f"coalesce({reason}, '')")
        branches = [f"WHEN {normalized} = '' THEN {label(self.blank_category)}"]
        branches += [f"WHEN regexp_matches({normalized}, {sql_text(rule.expression)}) THEN {label(rule.category)}"
                     for rule in self.rules if rule.expression is not None]
        return f"CASE {' '.join(branches)} ELSE {label(self.fallback)} END"

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
