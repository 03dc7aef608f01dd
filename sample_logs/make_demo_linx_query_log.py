"""Write the made-up LInX-style query log of the demo (linx-query-log-2025-made-up.csv).

MADE-UP DATA. Every row is invented, from a fixed random seed: the agencies are the demo's fictional local
agencies and federal components with invented numbers; the user ids ("lx-user-NNN"), user names ("Testuser
NNN, Demo"), case numbers ("LX-25-NNNNNN") and search criteria ("TESTPLATE", "Doe, Test") are obviously
invented, so that the demo shows that none of them reaches the database. The layout imitates a regional
LInX audit export: one row per query, with a purpose code and a free-text justification, which auditreport
sorts into a reason category and drops. The log covers Pacific days 1 January to 31 December 2025, every day
of it (no gap). Run it again and it writes the same bytes:

    python sample_logs/make_demo_linx_query_log.py
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "linx-query-log-2025-made-up.csv"
FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)
HEADER = ["Query ID", "Query Date/Time", "User ID", "User Name", "Agency", "Search Type", "Purpose Code",
          "Justification", "Case Number", "Search Criteria"]

LOCAL = [("burglary follow-up", 20), ("stolen vehicle", 18), ("investigation", 22), ("robbery suspect", 10),
         ("warrant service", 8), ("case", 4), ("background for hire", 3), ("", 3), ("***", 2), ("assist ICE", 1)]
ICE = [("ICE ERO fugitive operations", 40), ("immigration enforcement", 20), ("investigation", 30), ("", 10)]
HSI = [("HSI case", 40), ("human trafficking", 25), ("investigation", 35)]
FEDERAL = [("federal warrant", 40), ("investigation", 45), ("fugitive", 15)]

# searching agency as the export names it -> (queries a day in January, in December, justifications)
AGENCIES = {
    "Harbor City PD": (3.0, 3.2, LOCAL),
    "Eastport PD": (2.0, 1.8, LOCAL),
    "Harbor County Sheriff's Office": (1.6, 1.7, LOCAL),
    "State Police": (1.0, 1.1, LOCAL),
    "DHS - ICE ERO": (0.3, 0.9, ICE),
    "ICE HSI San Diego": (0.25, 0.25, HSI),
    "FBI": (0.2, 0.2, FEDERAL),
}
SEARCH_TYPES = [("Person", 5), ("Vehicle", 3), ("Address", 1), ("Case", 1)]


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([text for text, _ in weighted], weights=[w for _, w in weighted])[0]


def rows(rng: random.Random):
    span = (LAST - FIRST).days
    day, serial = FIRST, 0
    while day <= LAST:
        searches = []
        for agency, (start, end, reasons) in AGENCIES.items():
            rate = start + (end - start) * (day - FIRST).days / span
            # the whole rate's integer part every day, the rest by chance: every day holds searches (no gap)
            count = int(rate) + (rng.random() < rate - int(rate))
            for _ in range(count + rng.choice((0, 0, 1)) if agency.endswith("PD") else count):
                moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(6 * 3600, 23 * 3600))
                searches.append((moment, agency, reasons))
        for moment, agency, reasons in sorted(searches, key=lambda s: (s[0], s[1])):
            serial += 1
            user = rng.randrange(1, 60)
            justification = pick(rng, reasons)
            code = "J" if justification == "background for hire" else "C"
            case = f"LX-25-{rng.randrange(100000, 999999)}" if rng.random() < 0.4 else ""
            if justification == "burglary follow-up" and case:  # a case number typed into the text: dropped with it
                justification = f"burglary follow-up {case}"
            kind = pick(rng, SEARCH_TYPES)
            criteria = {"Person": "Doe, Test", "Vehicle": "TESTPLATE", "Address": "100 Example St",
                        "Case": case or "LX-25-000000"}[kind]
            yield [f"LQ{serial:06d}", f"{moment:%Y-%m-%d %H:%M:%S}", f"lx-user-{user:03d}",
                   f"Testuser {user:03d}, Demo", agency, kind, code, justification, case, criteria]
        day += timedelta(days=1)


def write() -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(random.Random(20260105)))
    OUT.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return OUT


if __name__ == "__main__":
    print(f"wrote {write()}")
