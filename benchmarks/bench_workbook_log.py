"""Benchmark: `auditreport ingest` of a workbook audit log (12 monthly sheets) against the same rows as one CSV.

    python benchmarks/bench_workbook_log.py --rows 2000000     # writes its section of benchmarks/RESULTS.md

The rows are bench_audit_log.py's synthetic Flock network audit (14 columns, two-line Time Frame, "UTC"
suffixes, "***" redactions, invented names, plates and case numbers), written with openpyxl's write-only mode
into one sheet per month of their search time, with the layout drift of real releases: `Moderation` and
`Text Prompt` dropped from September on. Generating the workbook is slow (openpyxl writes about 12,000 rows a
second); both files are cached in `--data-dir` (default: the system's temporary folder) and reused.
Each ingest is a command in a fresh process; its wall time, CPU time and peak resident memory come from the
operating system (os.wait4), as in bench_audit_log.py.
"""
from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_audit_log import INGEST_OUTPUT, generate, machine, measure, python  # noqa: E402

BEGIN = "<!-- bench_workbook_log: begin (written by benchmarks/bench_workbook_log.py; replaced on each run) -->"
END = "<!-- bench_workbook_log: end -->"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DROPPED_FROM_SEPTEMBER = ("Text Prompt", "Moderation")


def write_workbook(log: Path, book: Path) -> float:
    """The CSV's rows into one sheet per month of their "Search Time" (written MM/DD/YYYY), in month order."""
    import openpyxl

    started = time.perf_counter()
    with open(log, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        time_column = header.index("Search Time")
        months = sorted({(int(row[time_column][6:10]), int(row[time_column][:2])) for row in reader})
    workbook = openpyxl.Workbook(write_only=True)
    sheets, kept = {}, {}
    for year, month in months:
        sheet = workbook.create_sheet(f"{MONTHS[month - 1]} {year}")
        columns = [i for i, name in enumerate(header) if not (month >= 9 and name in DROPPED_FROM_SEPTEMBER)]
        sheet.append([header[i] for i in columns])
        sheets[(year, month)], kept[(year, month)] = sheet, columns
    with open(log, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            key = (int(row[time_column][6:10]), int(row[time_column][:2]))
            sheets[key].append([row[i] for i in kept[key]])
    workbook.save(book)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each ingest (the median is kept)")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "auditreport-bench-data")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    arguments = parser.parse_args()
    arguments.data_dir.mkdir(parents=True, exist_ok=True)
    log = arguments.data_dir / f"synthetic-network-audit-{arguments.rows}.csv"
    book = arguments.data_dir / f"synthetic-network-audit-{arguments.rows}-monthly.xlsx"
    if not log.exists():
        print(f"generating {arguments.rows:,} rows ...", flush=True)
        generate(log, arguments.rows)
    if not book.exists():
        print("writing the workbook (slow) ...", flush=True)
        print(f"  {write_workbook(log, book):.0f} s", flush=True)
    db = arguments.data_dir / "bench-workbook.duckdb"
    ingest = [sys.executable, "-m", "auditreport", "ingest", "--profile", "flock-network-audit", "--db", str(db)]
    programs = {"auditreport ingest, one CSV": ingest + [str(log)],
                "auditreport ingest, workbook of 12 monthly sheets": ingest + [str(book)]}
    runs: dict[str, list[dict]] = {name: [] for name in programs}
    for _ in range(arguments.repeat):
        for name, command in programs.items():
            db.unlink(missing_ok=True)
            result = measure(command)
            stored = measure(python(INGEST_OUTPUT, str(db)))
            runs[name].append(result | {"output": stored["output"], "rows": stored["rows"]})
            print(f"{name}: {result['seconds']:.1f} s, {result['rss_mb']:.0f} MB", flush=True)
    db.unlink(missing_ok=True)
    section = [f"## Workbook audit log: {arguments.rows:,} rows in 12 monthly sheets, against the same rows as CSV", "",
               "```", f"python benchmarks/bench_workbook_log.py --rows {arguments.rows} --repeat {arguments.repeat}",
               "```", "", f"- Machine: {machine()}",
               f"- CSV: {log.stat().st_size / 1e9:.2f} GB; workbook: {book.stat().st_size / 1e9:.2f} GB (openpyxl "
               "write-only: inline strings), 14 columns, `Text Prompt` and `Moderation` dropped from September.",
               "- `python -m auditreport ingest FILE --profile flock-network-audit --db NEW.duckdb` in a fresh "
               "process; wall time, CPU time and peak RSS from os.wait4.", "",
               "| Ingest | Runs | Median time (s) | CPU (s) | Peak RSS (MB) | Rows counted | Output |",
               "|---|---:|---:|---:|---:|---:|---|"]
    for name, results in runs.items():
        section.append(f"| {name} | {len(results)} | {statistics.median(r['seconds'] for r in results):.1f} | "
                       f"{statistics.median(r['cpu_seconds'] for r in results):.1f} | "
                       f"{max(r['rss_mb'] for r in results):.0f} | {results[0]['rows']:,} | {results[0]['output']} |")
    section.append("")
    print("\n".join(section))
    text = arguments.results.read_text(encoding="utf-8") if arguments.results.exists() else ""
    block = f"{BEGIN}\n" + "\n".join(section).rstrip() + f"\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    arguments.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
