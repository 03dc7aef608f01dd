"""Which days an audit log records in full: its coverage, with gaps and partial days left out by one rule.

A log records every search in its window, so a day without a row is normally a day without searches.
A small agency's quiet Sunday is no evidence of missing data; eight empty days in a row at forty
searches a day are. The rule, applied to each system's searches per day:

- the rate of a stretch is the mean searches per day of the 28 days around it (14 before and 14 after,
  as far as the log reaches; the stretch itself left out);
- a run of k days without searches is a **coverage gap** when a Poisson count at that rate would be
  0 on all k days with probability below 0.1 % (exp(-rate * k) < 0.001);
- the first and last day are **partial** when their count is that unlikely low for the rate of the 28
  days after (before) them (Poisson P(X <= count) < 0.1 %): a log that starts at 14:00 shows it.

Covered days are the log's days minus gaps and partial days; a period is complete only where a log
covers every day of it. A user who knows the log is complete (`--complete`) covers every day from the
first to the last, and the report says it relies on that statement.

>>> days = [(date(2025, 7, d), 40) for d in range(1, 15)] + [(date(2025, 7, 20), 40)]
>>> [(start.day, end.day) for start, end in covered_days(days).intervals]  # 15-19 July empty: a gap
[(1, 15), (20, 21)]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..model import Finding

THRESHOLD = 0.001   # a stretch this unlikely at the log's own rate is taken as missing data
AROUND_DAYS = 14    # days on each side whose mean rate judges a stretch

RULE = ("a run of days without searches is a coverage gap, and a log's first or last day is partial, when a "
        f"Poisson count at the rate of the {2 * AROUND_DAYS} days around it would be that low with probability "
        f"below {THRESHOLD:.1%}")


@dataclass
class Coverage:
    """The days a log records in full, as [start, end) intervals, and the findings that explain the rest."""

    intervals: list[tuple[date, date]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def poisson_cdf(count: int, rate: float) -> float:
    """P(X <= count) for X ~ Poisson(rate), in log space so large rates do not underflow to nonsense."""
    if rate <= 0:
        return 1.0
    terms = [-rate + i * math.log(rate) - math.lgamma(i + 1) for i in range(count + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _rate(series: list[int], start: int, stop: int) -> float:
    """Mean searches per day of up to AROUND_DAYS days before `start` and after `stop` (exclusive)."""
    around = series[max(0, start - AROUND_DAYS):start] + series[stop:stop + AROUND_DAYS]
    return sum(around) / len(around) if around else 0.0


def _days(number: int) -> str:
    return f"{number} day" if number == 1 else f"{number} days"


def _searches(number: int) -> str:
    return f"{number} search" if number == 1 else f"{number} searches"


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def covered_days(day_counts: list[tuple[date, int]], *, complete: bool = False, system: str = "") -> Coverage:
    """The coverage of one system's searches per day (days without searches may be left out of the list)."""
    if not day_counts:
        return Coverage()
    counts = dict(day_counts)
    first, last = min(counts), max(counts)
    if complete:
        return Coverage([(first, last + timedelta(days=1))], [Finding(
            _span(first, last), "stated_complete",
            f"The log{' of ' + system if system else ''} was stated complete (--complete): every day from "
            f"{first.isoformat()} to {last.isoformat()} is taken as recorded in full, without checking for gaps.")])
    length = (last - first).days + 1
    series = [counts.get(first + timedelta(days=i), 0) for i in range(length)]
    whole = [True] * length
    findings: list[Finding] = []
    of = f" of {system}" if system else ""
    for index, where in ((0, "starts"), (length - 1, "ends")):
        if where == "ends" and length == 1:
            break
        rate = _rate(series, index, index + 1)
        chance = poisson_cdf(series[index], rate)
        day = first + timedelta(days=index)
        if chance < THRESHOLD:
            whole[index] = False
            findings.append(Finding(day.isoformat(), "partial_day",
                                    f"The log{of} {where} on {day.isoformat()} with {_searches(series[index])}, "
                                    f"against {rate:.1f} a day around it (chance {chance:.2g}): that day is "
                                    "probably not recorded in full, so periods that include it are incomplete."))
    quiet = 0
    index = 0
    while index < length:
        if series[index]:
            index += 1
            continue
        stop = index
        while stop < length and not series[stop]:
            stop += 1
        rate = _rate(series, index, stop)
        chance = math.exp(-rate * (stop - index))
        start_day, end_day = first + timedelta(days=index), first + timedelta(days=stop - 1)
        if chance < THRESHOLD:
            whole[index:stop] = [False] * (stop - index)
            span = _span(start_day, end_day)
            findings.append(Finding(span, "coverage_gap",
                                    f"No searches logged{of} on {span} ({_days(stop - index)}), against {rate:.1f} "
                                    f"a day around it (chance {chance:.2g}): the log is probably missing these days, "
                                    "so periods that include them are incomplete."))
        else:
            quiet += stop - index
        index = stop
    if quiet:
        findings.append(Finding(_span(first, last), "quiet_days",
                                f"{_days(quiet)}{of} without searches are taken as days without searches: at the "
                                "log's rate around them, that many empty days is not unusual."))
    intervals: list[tuple[date, date]] = []
    for index, full in enumerate(whole):
        day = first + timedelta(days=index)
        if not full:
            continue
        if intervals and intervals[-1][1] == day:
            intervals[-1] = (intervals[-1][0], day + timedelta(days=1))
        else:
            intervals.append((day, day + timedelta(days=1)))
    return Coverage(intervals, findings)  # never empty: a day is only left out against the days around it


def coverage_of(day_counts: list[tuple], complete: bool = False) -> tuple[tuple, list[Finding]]:
    """Per system, the days a log records in full and the findings that say why: from (system, day, searches)."""
    by_system: dict[str, list[tuple[date, int]]] = {}
    for system, day, searches in day_counts:
        by_system.setdefault(system, []).append((day, int(searches)))
    coverage, findings = [], []
    for system, days in sorted(by_system.items()):
        covered = covered_days(days, complete=complete, system=system if len(by_system) > 1 else "")
        coverage += [(system, start, end) for start, end in covered.intervals]
        findings += covered.findings
    return tuple(coverage), findings
