"""Write the made-up Flock network audit of the demo (harbor-city-flock-network-audit-2024-2025.csv).

MADE-UP DATA. Every agency count, reason and case number is invented, from a fixed random seed, so
that the demo's quarterly review has federal, immigration-related and access-pattern searches to show.
The layout is a real one: Flock's network-audit export as released since December 2025 (no Name and no
License Plate columns), times in UTC, the look-back window as two lines in one cell, `***` for
redacted cells. The export covers Pacific days 1 January 2024 to 31 December 2025, written in UTC, and
misses four days of May 2024 (an export fault, which the report must find). Run it again and it writes
the same bytes:

    python sample_logs/make_demo_network_audit.py
"""
from __future__ import annotations

import csv
import io
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

OUT = Path(__file__).resolve().parent / "harbor-city-flock-network-audit-2024-2025.csv"
FIRST, LAST = date(2024, 1, 1), date(2025, 12, 31)
GAP = (date(2024, 5, 12), date(2024, 5, 15))  # an export fault: these days are missing from the file
ZONE = ZoneInfo("America/Los_Angeles")      # the agency's days; the file writes UTC
HEADER = ["ID", "Org Name", "Total Networks Searched", "Total Devices Searched", "Time Frame", "Reason", "Case #",
          "Filters", "Search Time", "Search Type", "Text Prompt", "Moderation"]

LOCAL_REASONS = [("Stolen vehicle", 18), ("Robbery suspect", 8), ("Missing person", 5), ("Burglary", 7),
                 ("Hit and run", 6), ("Warrant service", 4), ("investigation", 18), ("inv", 4), ("Inv.", 2),
                 ("case", 2), ("Person crime", 8), ("Property crime", 9), ("***", 3), ("", 3),
                 ("Assist ICE", 1)]
ERO_REASONS = [("ICE+ERO", 45), ("immigration enforcement", 15), ("investigation", 25), ("fugitive", 8), ("***", 7)]
HSI_REASONS = [("HSI case", 30), ("human trafficking", 20), ("investigation", 35), ("narcotics", 15)]
USBP_REASONS = [("Assist CBP", 40), ("USBP", 30), ("investigation", 30)]
FEDERAL_REASONS = [("investigation", 45), ("federal warrant", 25), ("fugitive", 20), ("***", 10)]


def ramp(start: float, end: float):
    """A rate that moves linearly from `start` (1 Jan 2024) to `end` (31 Dec 2025) searches a day."""
    span = (LAST - FIRST).days
    return lambda day: start + (end - start) * (day - FIRST).days / span


def from_day(first: date, rate: float):
    return lambda day: rate if day >= first else 0.0


# searching agency as the export names it -> (searches a day, reasons, networks searched)
AGENCIES = {
    "Harbor City PD": (ramp(2.6, 2.4), LOCAL_REASONS, (1, 2)),
    "Eastport PD": (ramp(1.6, 1.9), LOCAL_REASONS, (1, 3)),
    "Harbor County Sheriff's Office": (ramp(1.8, 1.7), LOCAL_REASONS, (1, 3)),
    "Lakeview Police Department": (ramp(1.1, 1.0), LOCAL_REASONS, (1, 2)),
    "Bayside PD": (ramp(0.7, 0.8), LOCAL_REASONS, (1, 2)),
    "State Police": (ramp(0.9, 1.1), LOCAL_REASONS, (2, 40)),
    "Northgate PD": (from_day(date(2024, 3, 15), 0.4), LOCAL_REASONS, (1, 2)),
    "Maricopa County Sheriff's Office (AZ)": (ramp(0.08, 0.12), LOCAL_REASONS, (20, 400)),
    "DHS - ICE ERO": (ramp(0.15, 1.2), ERO_REASONS, (50, 900)),
    "ICE HSI San Diego": (ramp(0.25, 0.22), HSI_REASONS, (20, 600)),
    "U.S. Border Patrol": (from_day(date(2025, 4, 7), 0.18), USBP_REASONS, (100, 900)),
    "FBI": (ramp(0.16, 0.14), FEDERAL_REASONS, (5, 300)),
    "U.S. Marshals Service": (ramp(0.07, 0.08), FEDERAL_REASONS, (10, 500)),
    "CBP Office of Field Operations": (from_day(date(2025, 10, 20), 0.12), USBP_REASONS, (100, 900)),
}


def poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the few searches a day of one agency."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([text for text, _ in weighted], weights=[w for _, w in weighted])[0]


def flock_time(moment: datetime) -> str:
    """A local time as the export writes it: in UTC, with a 'UTC' suffix."""
    return moment.replace(tzinfo=ZONE).astimezone(ZoneInfo("UTC")).strftime("%m/%d/%Y, %I:%M:%S %p") + " UTC"


def rows(rng: random.Random):
    day = FIRST
    serial = 0
    while day <= LAST:
        season = 1.0 + 0.15 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365)
        searches = []
        for agency, (rate, reasons, networks) in AGENCIES.items():
            for _ in range(poisson(rng, rate(day) * season)):
                moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86400))
                searches.append((moment, agency, reasons, networks))
        for moment, agency, reasons, (low, high) in sorted(searches, key=lambda s: (s[0], s[1])):
            serial += 1
            if GAP[0] <= day <= GAP[1]:
                continue
            lookback = rng.choice((1, 3, 7, 7, 14, 30)) if rng.random() > 0.05 else rng.choice((45, 60, 90))
            end = moment - timedelta(minutes=rng.randrange(5, 120))
            start = end - timedelta(days=lookback)
            reason = pick(rng, reasons)
            case = f"{moment:%y}-{rng.randrange(1000, 99999):05d}" if rng.random() < 0.3 else ""
            yield [f"nw-{serial:06d}", agency, rng.randint(low, high), rng.randint(20, 40) * rng.randint(low, high),
                   f"{flock_time(start)}\n{flock_time(end)}", reason, case, "", flock_time(moment),
                   rng.choice(("lookup", "lookup", "lookup", "search", "convoy")), "", ""]
        day += timedelta(days=1)


def write() -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(random.Random(20251201)))
    OUT.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return OUT


if __name__ == "__main__":
    print(f"wrote {write()}")
