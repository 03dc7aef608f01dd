"""Who searched: the agency crosswalk, its hierarchy, and deterministic offline name matching.

The same agency arrives under many names ("Gwinnett County GA SO", "Gwinnett County Sheriff's Office
(GA)"); federal components arrive as "ICE HSI Boston" or "DHS - Immigration & Customs Enforcement
(ERO)". A reviewed crosswalk ships with the package (data/agencies.csv); a project adds its local
agencies in agencies.toml. Matching never merges same-named agencies of different states, and every
name records how it was matched: by `alias`, by `rule` (a known agency named inside a longer name),
or `unmatched` (kept, normalised, and listed for review).

>>> crosswalk = load_crosswalk()
>>> crosswalk.match("ICE HSI Boston").agency
'ICE Homeland Security Investigations'
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
import re2

from .sql import re2_literal, re2_options, sql_text

if TYPE_CHECKING:
    import pandas as pd

LEVELS = ("federal", "state", "county", "municipal", "tribal", "regional", "other")
PROJECT_FILE = "agencies.toml"

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands",
}
_STATE_BY_NAME = {name.lower(): code for code, name in STATES.items()}
# Two capital letters inside a name are a state only when they cannot be read otherwise:
# "Sumter CO Sheriff" is a county, "LA County" is Los Angeles, "IN" and "OR" are words.
_NOT_A_STATE_INSIDE = {"CO", "LA", "IN", "OR", "ME", "OK", "HI", "AS", "DE", "ID", "MD", "PA", "MA", "OH", "GU"}

_ABBREVIATIONS = {
    "so": ("sheriff", "office"), "sheriffs": ("sheriff",), "pd": ("police", "department"),
    "co": ("county",), "cnty": ("county",), "cty": ("county",), "dept": ("department",), "ofc": ("office",),
    "twp": ("township",), "univ": ("university",), "hwy": ("highway",), "div": ("division",),
    "&": ("and",), "sp": ("state", "police"), "chp": ("california", "highway", "patrol"),
}
_STOP_WORDS = {"the", "of", "and"}
_LEVEL_RULES = (  # level of an agency the crosswalk does not know, read from its name
    ("tribal", r"\b(tribal|tribe|nation|pueblo|reservation|rancheria)\b"),
    ("state", r"\b(state police|highway patrol|state patrol|department public safety|state"
              r" bureau investigation|attorney general)\b"),
    ("regional", r"\b(task force|regional|fusion center|hidta|metro narcotics)\b"),
    ("county", r"\b(sheriff|county|parish|district attorney)\b"),
    ("municipal", r"\b(police department|police|city|town|village|township|borough|marshal)\b"),
)
# A name with these words is a local agency, even when it names a federal one ("Tucson PD - ICE Task
# Force", "Fresno Police (assisting HSI)"): a federal pattern inside it is never its identity.
_LOCAL_WORDS = re.compile(r"\b(county|city|town|village|sheriff|police|parish|township|borough|municipal)\b")
_ACRONYM_LENGTH = 4  # patterns this short ("ICE", "ERO", "DEA") count only in capitals: not "Ice Arena"


@dataclass(frozen=True)
class Agency:
    """One entry of the crosswalk."""

    id: str
    name: str
    level: str
    state: str = ""
    parent: str = ""
    ori: str = ""
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # phrases that name it inside longer names and reason text


@dataclass(frozen=True)
class ParsedName:
    """A name taken apart: its words, the state it names, and bracketed facts such as [Inactive]."""

    as_given: str
    words: tuple[str, ...]  # normalised, in order
    state: str = ""
    qualifiers: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        """Order-free: 'Sheriff's Office of Gwinnett County' and 'Gwinnett County Sheriff's Office' meet."""
        return tuple(sorted(word for word in self.words if word not in _STOP_WORDS))

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def display(self) -> str:
        """The name as given, tidied: bracketed facts and state markers out, the state added once."""
        return f"{self.cleaned} ({self.state})" if self.state else self.cleaned

    cleaned: str = ""


@dataclass(frozen=True)
class Match:
    """How one name was matched, and the dimensions it gives."""

    as_given: str
    agency: str  # canonical name, or the normalised name when unmatched
    agency_id: str | None
    method: str  # alias, rule or unmatched
    level: str | None
    state: str | None
    parent: str | None
    department: str
    federal: bool | None
    qualifiers: tuple[str, ...] = ()
    note: str = ""


def _words(text: str) -> tuple[str, ...]:
    text = re.sub(r"\bu\.\s?s\.?(?=\s|$)", "us ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bunited states\b", "us", text, flags=re.IGNORECASE)
    text = text.replace("&", " and ").replace("+", " ").replace("'", "").replace("\u2019", "")
    words: list[str] = []
    for word in re.split(r"[^0-9a-z]+", text.lower()):
        if word:
            words.extend(_ABBREVIATIONS.get(word, (word,)))
    return tuple(words)


def parse_name(name: str) -> ParsedName:
    """Take a name apart: 'SC - Sumter Co Sheriff's Office [Inactive]' -> words, state SC, [Inactive]."""
    text = str(name).strip()
    qualifiers = tuple(q.strip() for q in re.findall(r"\[([^\]]+)\]", text))
    text = re.sub(r"\[[^\]]*\]", " ", text)
    state = ""
    prefix = re.match(r"^\s*([A-Z]{2})\s*[-:\u2013]\s+(.+)$", text)
    if prefix and prefix.group(1) in STATES:
        state, text = prefix.group(1), prefix.group(2)
    for pattern in (r"\(\s*([A-Za-z .]+?)\s*\)", r",\s*([A-Za-z .]+?)\s*$"):
        for found in re.finditer(pattern, text):
            candidate = found.group(1).strip()
            code = candidate if candidate in STATES else _STATE_BY_NAME.get(candidate.lower().rstrip("."))
            if code and not state:
                state = code
                text = text[:found.start()] + " " + text[found.end():]
                break
    if not state:
        tokens = re.findall(r"[A-Za-z]+", text)
        for position, token in enumerate(tokens):
            last = position == len(tokens) - 1
            if token in STATES and token.isupper() and (token not in _NOT_A_STATE_INSIDE or (last and token != "CO")):
                state = token
                text = re.sub(rf"\b{token}\b", " ", text, count=1)
                break
    cleaned = re.sub(r"\s+", " ", re.sub(r"\(\s*\)", "", text)).strip(" ,-:\u2013")
    return ParsedName(str(name), _words(text), state, qualifiers, cleaned)


def _contains(words: str, phrase: str, original: str) -> bool:
    """`phrase` stands as whole words in the normalised `words`; a short acronym also in capitals in `original`."""
    if re.search(rf"(?<![0-9a-z]){re.escape(phrase)}(?![0-9a-z])", words) is None:
        return False
    if " " in phrase or len(phrase) > _ACRONYM_LENGTH:
        return True
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(phrase.upper())}(?![0-9A-Za-z])", original) is not None


@dataclass
class Crosswalk:
    """The agencies known to this project, with their hierarchy; `match` names a searching agency."""

    agencies: dict[str, Agency]
    origin: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for agency in self.agencies.values():
            if agency.parent and agency.parent not in self.agencies:
                raise UsageError(f"agency {agency.id!r} names parent {agency.parent!r}, which is not in the crosswalk",
                                 hint="Add the parent agency, or correct the parent id.")
            seen = {agency.id}
            parent = agency.parent
            while parent:
                if parent in seen:
                    raise UsageError(f"agency {agency.id!r} is its own ancestor", hint="Correct the parent ids.")
                seen.add(parent)
                parent = self.agencies[parent].parent

    @cached_property
    def _alias_index(self) -> dict[tuple[str, ...], list[Agency]]:
        index: dict[tuple[str, ...], list[Agency]] = {}
        for agency in self.agencies.values():
            for name in {agency.name, agency.id, *agency.aliases}:
                key = parse_name(name).key
                if agency not in index.setdefault(key, []):
                    index[key].append(agency)
            if agency.ori:
                index.setdefault((agency.ori.lower(),), []).append(agency)
        return index

    @cached_property
    def _patterns(self) -> list[tuple[str, Agency]]:
        return sorted(((" ".join(_words(p)), a) for a in self.agencies.values() for p in a.patterns),
                      key=lambda pair: (-len(pair[0]), pair[1].id))

    @cached_property
    def _pattern_regex(self) -> re.Pattern:
        """Every pattern in one regular expression, longest first: one pass over a text finds them all."""
        phrases = sorted({phrase for phrase, _ in self._patterns}, key=lambda p: (-len(p), p))
        return re.compile(r"(?<![0-9a-z])(" + "|".join(map(re.escape, phrases)) + r")(?![0-9a-z])")

    @cached_property
    def _agencies_by_phrase(self) -> dict[str, list[Agency]]:
        named: dict[str, list[Agency]] = {}
        for phrase, agency in self._patterns:
            named.setdefault(phrase, []).append(agency)
        return named

    def _named_in(self, words: str, original: str) -> list[Agency]:
        """The crosswalk agencies whose patterns stand in `words` (short acronyms only in capitals)."""
        found: list[Agency] = []
        for phrase in self._pattern_regex.findall(words):
            if _contains(phrase, phrase, original):
                found.extend(self._agencies_by_phrase[phrase])
        return found

    def fingerprint(self) -> str:
        """SHA-256 of every entry as used: which crosswalk named the agencies of a report."""
        entries = [[a.id, a.name, a.level, a.state, a.parent, a.ori, list(a.aliases), list(a.patterns)]
                   for _, a in sorted(self.agencies.items())]
        return hashlib.sha256(json.dumps(entries).encode("utf-8")).hexdigest()

    def ancestors(self, agency_id: str) -> list[str]:
        chain = []
        parent = self.agencies[agency_id].parent
        while parent:
            chain.append(parent)
            parent = self.agencies[parent].parent
        return chain

    def _deepest(self, candidates: list[Agency]) -> Agency | None:
        """The most specific of agencies on one line of the hierarchy (ERO over ICE); None if they branch."""
        unique = {a.id: a for a in candidates}
        deepest = max(unique.values(), key=lambda a: (len(self.ancestors(a.id)), a.id))
        line = {deepest.id, *self.ancestors(deepest.id)}
        return deepest if set(unique) <= line else None

    @cached_property
    def mention_expression(self) -> str:
        """One RE2 expression true for every text in which `mentioned` may find an agency: some pattern's words as
        whole words, in any case, between any other characters. Python (google-re2) and DuckDB read it alike,
        so the scan of a log keeps a reason's text only where this holds, and `mentioned` asks it first."""
        phrases = sorted({phrase for phrase, _ in self._patterns}, key=lambda p: (-len(p), p))
        if not phrases:
            return r"[^\x00-\x{10FFFF}]"  # matches nothing, not even an empty text
        spelled = "|".join("[^0-9a-z]+".join(re2_literal(word) for word in phrase.split()) for phrase in phrases)
        return f"(?i)(?:^|[^0-9a-z])(?:{spelled})(?:[^0-9a-z]|$)"

    @cached_property
    def _mention_pattern(self):
        return re2.compile(self.mention_expression, re2_options())

    def mention_sql(self, text: str) -> str:
        """`mention_expression` in SQL: true where `mentioned` may find an agency in `text`."""
        return f"regexp_matches({text}, {sql_text(self.mention_expression)})"

    def mentioned(self, text: str) -> str | None:
        """The id of the agency a free text names ('on behalf of ICE+ERO' -> ICE-ERO), or None."""
        text = str(text)
        if self._mention_pattern.search(text) is None:  # most reasons name none
            return None
        found = self._named_in(" ".join(_words(text)), text)
        deepest = self._deepest(found) if found else None
        return deepest.id if deepest else None

    def _result(self, parsed: ParsedName, agency: Agency, method: str, note: str = "") -> Match:
        chain = self.ancestors(agency.id)
        top = self.agencies[chain[-1]] if chain else agency
        return Match(parsed.as_given, agency.name, agency.id, method, agency.level,
                     agency.state or parsed.state or None,
                     self.agencies[agency.parent].name if agency.parent else None, top.name,
                     agency.level == "federal", parsed.qualifiers, note)

    def match(self, name: str) -> Match:
        parsed = parse_name(name)
        candidates = [a for a in self._alias_index.get(parsed.key, []) if not a.state or not parsed.state
                      or a.state == parsed.state]
        states = {a.state for a in candidates}
        if len(candidates) == 1 or (candidates and len(states) == 1 and len({a.id for a in candidates}) == 1):
            return self._result(parsed, candidates[0], "alias")
        note = ""
        if len(states) > 1:
            note = ("could be " + " or ".join(sorted(f"{a.name} ({a.state})" for a in candidates))
                    + "; the name gives no state")
        elif not _LOCAL_WORDS.search(parsed.text):
            found = self._named_in(parsed.text, parsed.as_given)
            if found:
                deepest = self._deepest(found)
                if deepest:
                    return self._result(parsed, deepest, "rule")
                note = "names more than one agency: " + ", ".join(sorted({a.name for a in found}))
        return self._unmatched(parsed, note)

    def _unmatched(self, parsed: ParsedName, note: str) -> Match:
        level = "federal" if any(q.lower() == "federal" for q in parsed.qualifiers) else None
        if level is None:
            level = next((lvl for lvl, rule in _LEVEL_RULES if re.search(rule, parsed.text)), None)
        display = parsed.display() or parsed.as_given.strip()
        return Match(parsed.as_given, display, None, "unmatched", level, parsed.state or None, None, display,
                     None if level is None else level == "federal", parsed.qualifiers, note)

    def match_names(self, names) -> pd.DataFrame:
        """One row per distinct name: the name as given, its dimensions and how it was matched.

        Unmatched variants of one name (same words and state) share one display name, so they land in
        one row of counts.
        """
        import pandas as pd

        matches = [self.match(name) for name in sorted({n for n in names if isinstance(n, str) and n.strip()})]
        frame = pd.DataFrame([{
            "agency_as_given": m.as_given, "agency": m.agency, "agency_id": m.agency_id, "match_method": m.method,
            "level": m.level, "state": m.state, "parent": m.parent, "department": m.department,
            "federal": m.federal, "qualifiers": "; ".join(m.qualifiers) or None, "note": m.note or None,
            "match_key": " ".join(parse_name(m.as_given).key) + f"|{m.state or ''}",
        } for m in matches], columns=["agency_as_given", "agency", "agency_id", "match_method", "level", "state",
                                      "parent", "department", "federal", "qualifiers", "note", "match_key"])
        unmatched = frame["match_method"] == "unmatched"
        if unmatched.any():
            # the most readable variant names the group: fewest capitals for its length, then the longest
            least_capitals = frame["agency"].map(
                lambda name: (sum(ch.isupper() for ch in name) / max(len(name), 1), -len(name), name))
            shared = (frame[unmatched].assign(order=least_capitals).sort_values("order")
                      .groupby("match_key")["agency"].transform("first"))
            frame.loc[unmatched, "agency"] = shared
            frame.loc[unmatched, "department"] = shared
        return frame.drop(columns=["match_key"])


def _read_package_csv() -> dict[str, Agency]:
    text = resources.files("auditreport").joinpath("data", "agencies.csv").read_text(encoding="utf-8")
    agencies = {}
    for row in csv.DictReader(text.splitlines()):
        agencies[row["id"]] = Agency(row["id"], row["name"], row["level"], row["state"], row["parent"], row["ori"],
                                     tuple(a for a in row["aliases"].split("|") if a),
                                     tuple(p for p in row["patterns"].split("|") if p))
    return agencies


def _read_project_file(path: Path, agencies: dict[str, Agency]) -> None:
    hint = "Check it against the README section on agencies.toml."
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"the agency file could not be read ({error})", file=str(path),
                         hint="Save it as UTF-8 text in TOML syntax. " + hint) from None
    entries = data.get("agency", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise UsageError("agencies must be listed as [[agency]] tables", file=str(path), hint=hint)
    for number, entry in enumerate(entries, start=1):
        where = f"[[agency]] number {number}"
        for key in ("id", "name", "level", "state", "parent", "ori"):
            if key in entry and not isinstance(entry[key], str):
                raise UsageError(f"{where} has a {key} that is not text", file=str(path),
                                 hint=f'Write it in quotes, e.g. {key} = "..."')
        for key in ("aliases", "patterns"):
            if key in entry and not (isinstance(entry[key], list) and all(isinstance(a, str) for a in entry[key])):
                raise UsageError(f"{where} has {key} that are not a list of text", file=str(path),
                                 hint=f'Write them as a list, e.g. {key} = ["Gwinnett Co SO"]')
        missing = [key for key in ("id", "name", "level") if not entry.get(key)]
        if missing:
            raise UsageError(f"{where} has no {', '.join(missing)}", file=str(path),
                             hint="Every agency needs an id, a name and a level.")
        if entry["level"] not in LEVELS:
            raise UsageError(f"{where} ({entry['id']}) has level {entry['level']!r}", file=str(path),
                             hint=f"Use one of: {', '.join(LEVELS)}.")
        state = str(entry.get("state", "")).upper()
        if state and state not in STATES:
            raise UsageError(f"{where} ({entry['id']}) has state {state!r}", file=str(path),
                             hint="Use the two-letter postal code, e.g. GA.")
        base = agencies.get(entry["id"])
        agency = Agency(entry["id"], entry["name"], entry["level"], state, entry.get("parent", ""),
                        entry.get("ori", ""), tuple(entry.get("aliases", ())), tuple(entry.get("patterns", ())))
        if base and entry.get("extend_aliases", False):
            agency = replace(agency, aliases=base.aliases + agency.aliases, patterns=base.patterns + agency.patterns)
        agencies[entry["id"]] = agency


def load_crosswalk(project_file: str | Path | None = None) -> Crosswalk:
    """The shipped crosswalk, with a project's agencies.toml laid over it (same id replaces an entry)."""
    agencies = _read_package_csv()
    origin = ["auditreport/data/agencies.csv"]
    if project_file is not None:
        path = Path(project_file)
        if not path.is_file():
            raise UsageError("no such agency file", file=str(path), hint="Check the path given to --agencies.")
        _read_project_file(path, agencies)
        origin.append(str(path))
    return Crosswalk(agencies, origin)


def project_crosswalk(db_path: str | Path, agencies_file: str | Path | None = None) -> Crosswalk:
    """The crosswalk for a database: --agencies FILE, or agencies.toml beside the database if present."""
    if agencies_file is not None:
        return load_crosswalk(agencies_file)
    beside = Path(db_path).resolve().parent / PROJECT_FILE
    return load_crosswalk(beside if beside.is_file() else None)
