"""Benchmark small-cell suppression and its audit on a report-sized set of linked tables.

The target (issue 11): suppression plus audit of a report of 300 agencies x 8 quarters x 4 reason categories in
under 10 s on this machine.

Builds the base cells (agency x quarter x reason) deterministically (fixed seed): most agencies search tens to
hundreds of times a quarter, one in five only now and then (0 to 12 searches: the small cells a policy
protects). Published sums, as the report publishes them: every base cell, agency x quarter, reason x quarter and
the quarter's total. Times `suppress` (primary + complementary, audited by linear programs) in this process,
`--runs` times, against the floor of one plain LP over the whole table, and writes a delimited section of
benchmarks/RESULTS.md.

    python benchmarks/bench_disclose.py              # 3 runs
    python benchmarks/bench_disclose.py --agencies 100 --runs 1
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from auditreport.disclose import POLICIES, suppress  # noqa: E402

BEGIN = "<!-- bench_disclose: begin (written by benchmarks/bench_disclose.py; replaced on each run) -->"
END = "<!-- bench_disclose: end -->"


def tables(agencies: int, quarters: int, reasons: int, seed: int = 7) -> tuple[np.ndarray, dict]:
    generator = np.random.default_rng(seed)
    busy = generator.integers(20, 400, size=(agencies, quarters, reasons))
    rare = generator.integers(0, 13, size=(agencies, quarters, reasons))
    values = np.where(generator.random((agencies, 1, 1)) < 0.2, rare, busy)
    index = np.arange(values.size).reshape(values.shape)
    sums = {("cell", a, q, r): [int(index[a, q, r])]
            for a, q, r in itertools.product(range(agencies), range(quarters), range(reasons))}
    sums |= {("agency", a, q): index[a, q].tolist() for a, q in itertools.product(range(agencies), range(quarters))}
    sums |= {("reason", q, r): index[:, q, r].tolist() for q, r in itertools.product(range(quarters), range(reasons))}
    sums |= {("quarter", q): index[:, q].ravel().tolist() for q in range(quarters)}
    return values.ravel(), sums


def floor(values: np.ndarray, sums: dict) -> float:
    """One LP over every cell and every published sum: what a single solve of this size costs."""
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    rows = lil_matrix((len(sums), len(values)))
    for row, cells in enumerate(sums.values()):
        rows[row, cells] = 1.0
    started = time.perf_counter()
    linprog(np.ones(len(values)), A_ub=-rows.tocsr(), b_ub=-np.ones(len(sums)), bounds=(0, None), method="highs")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--reasons", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    values, sums = tables(args.agencies, args.quarters, args.reasons)
    times, result = [], None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = suppress(values, sums, POLICIES["standard"])
        times.append(time.perf_counter() - started)
    lp = floor(values, sums)
    small = sum(1 for cells in sums.values() if 1 <= values[cells].sum() <= 10)
    section = "\n".join([
        f"## Small-cell suppression and its audit ({args.agencies} agencies x {args.quarters} quarters x "
        f"{args.reasons} reasons)", "",
        f"{len(values):,} base cells, {len(sums):,} published sums, {small:,} of them 1-10 (protected).", "",
        "| what | seconds (min / median / max) |", "|---|---|",
        f"| suppress + audit (standard: 1-10, width 5) | {min(times):.2f} / {statistics.median(times):.2f} / "
        f"{max(times):.2f} |",
        f"| floor: one LP over the whole table | {lp:.2f} |", "",
        f"Suppressed: {len(result.primary):,} primary, {len(result.suppressed) - len(result.primary):,} "
        f"complementary; audit passed: {result.passed}; target: under 10 s.", ""])
    print(section)
    text = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    block = f"{BEGIN}\n{section.rstrip()}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
