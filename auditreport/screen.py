"""The privacy screen, declared once: what a text must not hold to be stored, shown or printed.

Every text that leaves a reader (a label, a finding, a file or sheet name, a request id) and every line the
command line prints passes here. A label that fails is refused or held under a placeholder; a message that
fails has the failing part withheld. The screen recognises shapes, not people: it errs toward withholding,
and the README says what a person must still review by hand.

Every pattern is linear in its text, and no text longer than LONGEST_TEXT is searched at all (a label that
long is refused as it is), so no value can make the screen slow.

>>> personal_kind("ICE Homeland Security Investigations") is None
True
>>> personal_kind("Springfield PD - Ofc. Maria Testcase")
'a name beside an officer word'
>>> redact("Letter to J. Planted, 541-555-0187")
'Letter to J. Planted, [withheld: a phone number]'
"""
from __future__ import annotations

import re

from .tabular import clean, has_control

LONGEST_LABEL = 120   # an agency, system, type or category name is shorter; longer text is not a label
LONGEST_TEXT = 2_000  # a message or note longer than this is withheld whole, never searched
WITHHELD = "[withheld: {}]"

# an abbreviation may end in a full stop ("Det. Smith"); a whole word may not ("by officer. Use one ...")
_OFFICER_WORDS = (r"(?:det|ofc|offr?|sgt|lt|cpl|dep|tpr|inv|capt|mr|mrs|ms|dr|attn)\.?|(?:detective|officer|sergeant|"
                  r"lieutenant|corporal|deputy|agent|trooper|investigator|analyst|owner|captain|miss|user|contact|"
                  r"requested by|prepared by|signed by|entered by|run by|searched by)")
_NOT_A_NAME = (r"sheriff|sheriffs|counsel|medical|unit|units|office|offices|division|bureau|department|services?|"
               r"association|general|attorney|marshal|task|force|in|of|for|and|the|program|team|squad|center|"
               r"centre|county|city|state|police|patrol|section|support|operations|academy|training|group|"
               r"account|accounts|id|ids|name|names|records|list|details?|number|no|info|information|email|e-mail|"
               r"phone|type|role|badge|rank|title|agency|organi[sz]ation|code|status|count")
_GIVEN_NAMES = ("Aaron|Adam|Alan|Albert|Alex|Alexander|Alice|Amanda|Amy|Andrea|Andrew|Angela|Ann|Anna|Anne|Anthony|"
                "Ashley|Barbara|Benjamin|Betty|Beverly|Bob|Brandon|Brenda|Brian|Bruce|Carl|Carlos|Carol|Catherine|"
                "Charles|Cheryl|Chris|Christina|Christine|Christopher|Cynthia|Daniel|David|Deborah|Debra|Dennis|"
                "Diane|Donald|Donna|Dorothy|Douglas|Edward|Elizabeth|Emily|Emma|Eric|Frank|Gary|George|Gregory|"
                "Harold|Heather|Helen|Henry|Jack|Jacob|James|Jane|Janet|Jason|Jeffrey|Jennifer|Jeremy|Jerry|Jessica|"
                "Joan|John|Jonathan|Jose|Joseph|Joshua|Joyce|Juan|Judith|Julie|Justin|Karen|Katherine|Kathleen|"
                "Kelly|Kenneth|Kevin|Kimberly|Larry|Laura|Linda|Lisa|Luis|Margaret|Maria|Marie|Mark|Mary|Matthew|"
                "Megan|Melissa|Michael|Michelle|Nancy|Nicholas|Nicole|Pamela|Patricia|Patrick|Paul|Peter|Rachel|"
                "Raymond|Rebecca|Richard|Robert|Roger|Ronald|Ruth|Ryan|Samuel|Sandra|Sara|Sarah|Scott|Sharon|"
                "Shirley|Stephanie|Stephen|Steven|Susan|Teresa|Terry|Thomas|Timothy|Tyler|Victoria|Walter|William")
# "Anne Arundel County", "George Mason University": a given name and a word before a place word is a place
_PLACE_WORDS = (r"county|city|state|parish|university|college|school|hospital|township|borough|village|town|port|"
                r"memorial|park|high|middle|elementary|academy|center|centre|national|community|valley|river|lake|"
                r"beach|heights|springs|hills|island")
_DATE = r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2})"

# (what it is, pattern): ordered from the most to the least certain
PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((what, re.compile(pattern, flags)) for what, pattern, flags in (
    ("a social security number", r"(?<![\w-])\d{3}[- ]?\d{2}[- ]?\d{4}(?![\w-])", 0),
    ("an e-mail address", r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", 0),
    ("a phone number", r"(?<![\w-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])", 0),
    ("a long id", r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
                  r"|\b(?=[0-9a-f]{0,40}[a-f])(?=[0-9a-f]{0,40}\d)[0-9a-f]{16,40}\b", re.I),
    ("a date of birth", rf"\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born)\b\W{{0,3}}{_DATE}", re.I),
    ("a case or report number", r"\b(?:case|report|incident|citation|docket|cad|rms|file|warrant)\s{0,3}"
                                r"[-\s]{0,3}(?:no\.?|num(?:ber)?\.?|#)?[-\s:#]{0,3}(?:[a-z]{1,4}[-\s]?)?"
                                r"(?!(?:19|20)\d\d(?:-q\d|-\d\d)?(?![\w-]))\d[\w-]{2,}"
                                r"|(?<![\w-])\d{2,4}-\d{5,}(?![\w-])", re.I),
    ("a licence plate", r"\b(?:plate|tag|lic(?:ense|ence)?|lpn|vin)\b\W{0,4}(?:no\.?|number|#)?\W{0,3}"
                        r"(?=[a-z-]{0,8}\d)[a-z0-9-]{2,9}\b"
                        r"|(?<![\w-])(?!\d+(?:st|nd|rd|th)\b)(?!fy\d{2,4}\b)(?!covid)"
                        r"(?=[a-z0-9-]{0,8}\d[a-z0-9-]{0,8}\d)(?=[a-z0-9-]{0,8}[a-z])"
                        r"(?:[a-z0-9]{5,8}|[a-z0-9]{3,4}-[a-z0-9]{3,5})(?![\w-])", re.I),
    ("a name beside an officer word", rf"\b(?:{_OFFICER_WORDS})(?<=[\w.]):?\s{{1,3}}(?!(?:{_NOT_A_NAME})\b)"
                                      r"[A-Z][\w'\u2019]*\.?(?:\s{1,3}[A-Z][\w'\u2019-]*\.?)?", re.I),
    ("a person's name", rf"\b(?i:{_GIVEN_NAMES})\s{{1,3}}(?:[A-Z]\.?\s{{1,3}})?(?!(?i:{_PLACE_WORDS})\b)"
                        rf"[A-Z][A-Za-z'\u2019-]+\b(?!\s{{1,3}}(?i:{_PLACE_WORDS})\b)", 0),
))


def _name_match(match: re.Match) -> bool:
    """An officer word must be followed by a capitalised word: 'Ofc. Smith', not 'officer assist'."""
    tail = match.group(0)[len(re.match(rf"(?i)(?:{_OFFICER_WORDS}):?\s*", match.group(0)).group(0)):]
    return tail[:1].isupper()


def _matches(text: str):
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if what == "a name beside an officer word" and not _name_match(match):
                continue
            yield what, match


def personal_kind(text: object) -> str | None:
    """What personal data the text looks like it holds (or None). Text too long to search counts as personal."""
    if text is None:
        return None
    text = str(text)
    if len(text) > LONGEST_TEXT:
        return "text too long to check"
    return next((what for what, _ in _matches(text)), None)


def redact(text: object) -> str:
    """The text with every part that looks personal withheld, and control characters removed."""
    text = clean(str(text))
    if len(text) > LONGEST_TEXT:
        return WITHHELD.format("text too long to check")
    spans = sorted(((m.start(), m.end(), what) for what, m in _matches(text)), key=lambda span: span[0])
    pieces, at = [], 0
    for start, end, what in spans:
        if start < at:
            continue
        pieces += [text[at:start], WITHHELD.format(what)]
        at = end
    return "".join(pieces) + text[at:]


def label_problem(text: object) -> str | None:
    """Why a value may not be stored as a label (an agency, system, type or category name), or None."""
    text = str(text)
    if len(text) > LONGEST_LABEL:
        return f"longer than {LONGEST_LABEL} characters"
    if has_control(text):
        return "it holds control characters"
    return personal_kind(text)


# -- what reads like an agency --------------------------------------------------------------------------------
_AGENCY_WORDS = re.compile(
    r"\b(polic\w*|pd|sheriffs?|so|sos|dept|departments?|county|city|town|township|village|borough|parish|state|"
    r"states|patrol|marshals?|bureau|office|agency|agencies|task force|division|unit|district|attorneys?|da|"
    r"university|college|school|campus|port|authority|transit|airport|tribal|tribe|nation|constables?|federal|"
    r"national|homeland|security|customs|border|immigration|enforcement|investigations?|secret service|postal|"
    r"inspectors?|fire|corrections?|probation|parole|courts?|prosecutors?|public safety|dps|highway|fusion|"
    r"center|centre|hidta|service|services|administration|command|guard|navy|army|air force|military|"
    r"government|commission|ministry|regional|metro|narcotics|gang|drug|components?|organi[sz]ations?|"
    r"all|other|unknown|redacted|not stated)\b", re.IGNORECASE)
_AGENCY_ACRONYMS = re.compile(r"\b(?:PD|SO|DA|ICE|HSI|FBI|DEA|ATF|CBP|DHS|DPS|DOJ|USMS|ERO|CHP|HP|SP|USBP|USCIS|"
                              r"IRS|TSA|NCIS|OIG|HIDTA|RTCC|OSP|CSP|NYPD|LAPD|LASD)\b")
_ACRONYM_OR_ORI = re.compile(r"[A-Z]{2,6}|[A-Z]{2}\d{5}[0-9A-Z]{2}")  # a whole value: "NYPD", or an ORI code


def looks_like_agency(name: str) -> bool:
    """A name that reads like an agency: agency words ("County Sheriff", "Task Force"), a known acronym, or a
    whole value that is an acronym or an ORI code. "Maria Testcase" and "DOE, JANE" do not.

    >>> looks_like_agency("Harbor County Sheriff's Office"), looks_like_agency("Maria Testcase")
    (True, False)
    """
    name = name.strip()
    return bool(_AGENCY_WORDS.search(name) or _AGENCY_ACRONYMS.search(name) or _ACRONYM_OR_ORI.fullmatch(name))
