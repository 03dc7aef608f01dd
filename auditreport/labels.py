"""Which labels of a read may be stored: the screen applied to every text a file brings, column by column.

A read brings labels (agency, system, search type, category, marks, citations, period and column names), findings
and its own names (file, sheet, request id). Each passes the privacy screen (screen.py) and, where the column has
one, a closed vocabulary:

- agency, on_behalf_of: kept when the crosswalk (with agencies.toml) knows the name, or when it passes the screen and
  reads like an agency; otherwise held as "unreviewed agency N", with a finding that locates it (never quotes it);
- system: from --system, the mapping, or a file's column; a value that fails the screen is refused;
- query_type: a value that passes the screen and uses the words of searches; else "unreviewed search type N";
- reason_category: a category of the reason rules (count tables classify their reason text by the same rules);
- cell_text, citation, period_label, column_name: kept when they pass the screen; else a placeholder;
- findings: the parts that look personal are withheld; file name, sheet and request id: refused when they fail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .errors import InputError, UsageError
from .model import Finding
from .screen import label_problem, looks_like_agency, personal_kind, redact

AGENCY_PLACEHOLDER = "unreviewed agency {}"
TYPE_PLACEHOLDER = "unreviewed search type {}"
PLACEHOLDER_PATTERN = r"^unreviewed (agency|search type) (\d+)$"
LONGEST_CITATION = 300

_TYPE_WORDS = re.compile(
    r"(search|convoy|multi|geo|vehicle|plate|lpr|lookup|look-up|image|visual|free ?form|free ?text|text|"
    r"person|people|name|address|phone|weapon|gun|article|property|boat|case|incident|warrant|driver|licen|"
    r"criminal|history|record|query|location|hot ?list|alert|map|other|unknown|standard|advanced|basic|"
    r"detail|summary|report|inquiry|check|hit|redacted)", re.IGNORECASE)
_CATEGORY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass
class ScreenedRead:
    """What the screen decided: stored values that replace those read (column -> read -> stored), and findings."""

    replacements: dict[str, dict[str, str | None]]
    findings: list[Finding]
    source: object  # the read's SourceInfo, its names screened


class _Placeholders:
    """Numbers placeholders on from those already in the database, so that two sources never share one."""

    def __init__(self, template: str, taken: int):
        self.template, self.next = template, taken + 1

    def take(self) -> str:
        self.next += 1
        return self.template.format(self.next - 1)


def screen_read(source, texts: dict[str, dict[str, int | None]], findings: list, *, known_agency,
                reason_categories, placeholders_taken: dict[str, int]) -> ScreenedRead:
    """Screen one read: `texts` holds each text column's distinct values (with the first row of each, if known).

    `known_agency(name)` says whether the crosswalk knows a name; `placeholders_taken` how many placeholders of
    each kind the database holds already.
    """
    file_name = source.file_name
    agencies = _Placeholders(AGENCY_PLACEHOLDER, placeholders_taken.get("agency", 0))
    types = _Placeholders(TYPE_PLACEHOLDER, placeholders_taken.get("search type", 0))
    replacements: dict[str, dict[str, str | None]] = {}
    held: dict[str, list[int | None]] = {}

    def hold(column: str, value: str, row: int | None, placeholder: str | None) -> None:
        replacements.setdefault(column, {})[value] = placeholder
        held.setdefault(column, []).append(row)

    for column, values in texts.items():
        for value, row in values.items():
            if value is None:
                continue
            if column in ("agency", "on_behalf_of"):
                if label_problem(value) is not None or not (known_agency(value) or looks_like_agency(value)):
                    hold(column, value, row, agencies.take())
            elif column == "system":
                if label_problem(value) is not None:
                    raise InputError(f"a system name looks like it holds personal data ({label_problem(value)}); "
                                     "it is never stored or shown", file=file_name, row=row,
                                     hint="Pass --system NAME for a file of one system, or correct the cell.")
            elif column == "query_type":
                if label_problem(value) is not None or not _TYPE_WORDS.search(value) or len(value) > 40:
                    hold(column, value, row, types.take())
            elif column == "reason_category":
                if not _CATEGORY.match(value) or value not in reason_categories:
                    raise InputError("a reason category that the reason rules do not declare", file=file_name,
                                     row=row, hint="Categories come from the reason rules (--reason-rules).")
            elif column == "citation":
                if len(value) > LONGEST_CITATION or personal_kind(value):
                    hold(column, value, row, "(citation withheld: it looked personal or was too long)")
            elif column == "column_name":
                if label_problem(value) is not None:
                    replacements.setdefault(column, {})[value] = value.split(" ", 1)[0]  # the letter only
            elif label_problem(value) is not None:  # cell_text, period_label
                hold(column, value, row, "(withheld)" if column == "cell_text" else None)
    held_texts = sorted(((value, stored or "(withheld)") for column in ("agency", "on_behalf_of", "query_type",
                                                                          "citation", "cell_text", "period_label")
                         for value, stored in replacements.get(column, {}).items() if len(value) >= 3),
                        key=lambda pair: -len(pair[0]))

    def unquoted(text: str) -> str:  # a held value a reader quoted in a finding ("'X' appears again") goes too
        for value, stored in held_texts:
            text = text.replace(value, stored)
        return redact(text)

    screened = [replace(f, location=unquoted(f.location), message=unquoted(f.message)) for f in findings]
    screened += [_held_finding(column, rows) for column, rows in sorted(held.items())]
    return ScreenedRead(replacements, screened, screen_source(source))


_HELD = {
    "agency": ("agency_unreviewed", "agency name(s) looked personal, or not like an agency, and were not stored; "
                                    "their searches are counted under 'unreviewed agency N'. Check those rows of "
                                    "the file; if a name is an agency, add it to agencies.toml and ingest the file "
                                    "into a new database."),
    "on_behalf_of": ("agency_unreviewed", "agency name(s) found in reasons looked personal and were not stored; "
                                          "they are counted under 'unreviewed agency N'."),
    "query_type": ("agency_unreviewed", "search type(s) looked personal, or not like a kind of search, and were "
                                        "not stored; their searches are counted under 'unreviewed search type N'."),
}


def _held_finding(column: str, rows: list[int | None]) -> Finding:
    where = sorted({row for row in rows if row is not None})
    location = (("row " if len(where) == 1 else "rows ") + ", ".join(map(str, where[:10]))
                + (" ..." if len(where) > 10 else "")) if where else f"column {column}"
    kind, words = _HELD.get(column, ("value_withheld", f"{column.replace('_', ' ')} value(s) looked personal and "
                                                       "were withheld (not stored)."))
    return Finding(location, kind, f"{len(rows)} {words}")


def screen_file_name(name: str) -> None:
    """A file's name is stored and shown with every number from it: one that looks personal is refused."""
    problem = personal_kind(name) or ("longer than 200 characters" if len(name) > 200 else None)
    if problem:
        raise InputError(f"the name of the file given looks like it holds personal data ({problem}); it is never "
                         "stored or shown", hint="Rename the file (for example after the records request) and "
                                                 "ingest it again.")


def screen_source(source):
    """The names a source is known by: the file, the sheet, the request id and the options a person typed.

    Paths among the options (a mapping or rules file) are kept by their file name only, screened."""
    screen_file_name(source.file_name)
    for what, value in (("--request", source.request_id), ("--system", (source.options or {}).get("system")),
                        ("--agency", (source.options or {}).get("agency"))):
        if value is not None and (label_problem(value) if what != "--request" else personal_kind(value)):
            raise UsageError(f"the value of {what} looks like it holds personal data "
                             f"({label_problem(value) or personal_kind(value)}); it is never stored or shown",
                             file=source.file_name, hint=f"Give {what} without names, plates or case numbers.")
    options = {key: option_text(key, value) for key, value in (source.options or {}).items()}
    source = replace(source, options=options)
    if source.sheet and label_problem(source.sheet):
        return replace(source, sheet="(sheet name withheld)")
    return source


_PATH_OPTIONS = ("mapping", "reason_rules")


def option_text(key: str, value):
    """An ingest option as stored: paths by their file name, and nothing that looks personal."""
    if not isinstance(value, str):
        return value
    if key in _PATH_OPTIONS:  # "shipped rules, /home/x/rules.toml" -> "shipped rules, rules.toml"
        value = ", ".join(part.strip().replace("\\", "/").rsplit("/", 1)[-1] for part in value.split(","))
    return redact(value)
