"""Benchmark the quarterly report as users run it: `auditreport report` on 100 agencies x 40 quarters x 2 systems.

The target (from the issue): the report of 100 agencies x 40 quarters x 2 systems in under 3 s on this machine.

Builds two count tables deterministically (fixed seed) in a temporary folder, ingests each once with
`auditreport ingest FILE --db DB`, then times, in fresh processes and alternating run by run:

- `auditreport report --db DB --out OUT --period 2025-Q3` (every format, the default): the command users run;
- the same with `--format html`, `pdf`, `xlsx` and `csv` alone, to show where the time goes;
- the floor: a plain DuckDB query of searches by agency, system and quarter on the same database;
- the import cost alone: the report modules imported in a fresh interpreter, nothing run.

Results (min/median/max seconds, ratio to the floor, file sizes, PDF pages) are written into a delimited
section of benchmarks/RESULTS.md; other sections of that file are kept as they are.

    python benchmarks/bench_report.py            # 5 runs of each command
    python benchmarks/bench_report.py --runs 3
    python benchmarks/bench_report.py --profile  # also profile one full report in a fresh process (cProfile)

It also prints, without writing them into RESULTS.md, the seconds of each step of one report (imports, review
content, each format) measured inside a fresh process, and with --profile the top functions under cProfile.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = 20251001
PERIOD = "2025-Q3"
QUARTERS = [f"{year}-Q{quarter}" for year in range(2016, 2026) for quarter in range(1, 5)]  # 40, to 2025-Q4
SYSTEMS = ("Regional COPLINK", "Northwest LInX")
AGENCIES_PER_SYSTEM = 100
BEGIN = "<!-- bench_report: begin (written by benchmarks/bench_report.py; replaced on each run) -->"
END = "<!-- bench_report: end -->"

# Federal names the shipped crosswalk (auditreport/data/agencies.csv) knows, so the federal blocks have content.
FEDERAL = ["ICE ERO", "ICE HSI", "U.S. Border Patrol", "FBI", "CBP", "US Marshals", "DEA", "ATF"]
PLACES = {  # city police departments, by state
    "OR": ["Springfield", "Salem", "Eugene", "Medford", "Bend", "Corvallis", "Albany", "Gresham", "Hillsboro",
           "Beaverton", "Tigard", "Lake Oswego", "Roseburg", "Klamath Falls", "Grants Pass", "Pendleton", "Astoria",
           "Newport", "Coos Bay", "The Dalles", "Hood River", "Ontario", "Redmond", "Keizer", "Woodburn", "Tualatin",
           "McMinnville", "Ashland"],
    "WA": ["Vancouver", "Spokane", "Yakima", "Olympia", "Tacoma", "Kennewick", "Walla Walla", "Bellingham",
           "Everett", "Pullman"],
    "CA": ["Redding", "Eureka", "Chico", "Modesto", "Stockton", "Fresno", "Visalia", "Merced", "Bakersfield",
           "Lodi", "Turlock", "Davis", "Woodland", "Yuba City", "Oroville", "Ukiah", "Arcata", "Crescent City"],
    "ID": ["Boise", "Nampa", "Lewiston", "Twin Falls", "Pocatello", "Idaho Falls", "Coeur d'Alene", "Moscow"],
    "NV": ["Reno", "Sparks", "Carson City", "Elko"],
    "AZ": ["Yuma", "Flagstaff", "Prescott", "Kingman"],
}
COUNTIES = {  # sheriffs' offices, by state
    "OR": ["Lane", "Marion", "Jackson", "Deschutes", "Benton", "Linn", "Douglas", "Josephine", "Klamath",
           "Umatilla", "Clatsop", "Lincoln", "Coos", "Wasco", "Yamhill"],
    "WA": ["Clark", "Spokane", "Yakima", "Thurston", "Pierce"],
    "CA": ["Shasta", "Humboldt", "Butte"],
    "ID": ["Ada", "Canyon"],
    "NV": ["Washoe"],
    "AZ": ["Mohave", "Yavapai"],
}
# Every name here has a level the crosswalk can infer: a name whose level is not known (e.g. "Arizona Department of
# Public Safety") made `auditreport report` fail at the time of writing (review.py, federal chart: bool(pd.NA)).
OTHERS = ["Oregon State Police", "Washington State Patrol", "California Highway Patrol", "Idaho State Police",
          "Nevada Highway Patrol", "Arizona Highway Patrol", "Interagency Narcotics Task Force (OR)",
          "Regional Auto Theft Task Force (OR)", "Port of Portland Police (OR)",
          "University of Oregon Police Department"]


def agency_names() -> list[str]:
    """A pool of plausible local and state searching agencies (more than one system's share)."""
    pool = [f"{place} Police Department ({state})" for state, places in PLACES.items() for place in places]
    pool += [f"{county} County Sheriff's Office ({state})" for state, counties in COUNTIES.items()
             for county in counties]
    return pool + OTHERS


def generate(folder: Path) -> list[Path]:
    """Two long count tables (agency,system,period,searches), one per system, 100 agencies x 40 quarters each."""
    rng = random.Random(SEED)
    pool = agency_names()
    paths = []
    for number, system in enumerate(SYSTEMS):
        local = rng.sample(pool, AGENCIES_PER_SYSTEM - len(FEDERAL))
        agencies = sorted(local) + FEDERAL
        path = folder / f"counts-{number + 1}-{system.lower().replace(' ', '-')}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["agency", "system", "period", "searches"])
            for agency in agencies:
                federal = agency in FEDERAL
                base = rng.lognormvariate(3.0 if federal else 5.0, 1.0)   # searches a quarter, 2016
                growth = rng.uniform(-0.01, 0.05)                        # per quarter
                for index, quarter in enumerate(QUARTERS):
                    season = 1.0 + 0.1 * (index % 4 == 2)               # a busier third quarter
                    mean = base * (1 + growth) ** index * season
                    value = max(0, round(rng.gauss(mean, mean ** 0.5 + 1)))
                    writer.writerow([agency, system, quarter, value])
        paths.append(path)
    return paths


FLOOR = ("import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True).execute("
         "\"SELECT agency, system, date_trunc('quarter', period_start) q, sum(value) FROM observations "
         "WHERE measure = 'searches' GROUP BY ALL\").fetchall()")
IMPORTS = ("import auditreport.report.build, auditreport.report.pdf, auditreport.report.xlsx, "
           "auditreport.report.html, auditreport.report.review")
FULL = "auditreport report (all formats)"
FLOOR_NAME = "floor: plain DuckDB query (fresh python)"
IMPORTS_NAME = "imports only (report modules)"


def auditreport_command() -> list[str]:
    """The `auditreport` console script of this interpreter's environment, else `python -m auditreport`."""
    script = Path(sys.executable).with_name("auditreport")
    return [str(script)] if script.exists() else [sys.executable, "-m", "auditreport"]


def run(command: list[str], *, check: bool = True) -> dict:
    """Run `command` in a fresh process: wall and CPU seconds and peak resident memory, from os.wait4."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if check and process.returncode:
        raise SystemExit(f"benchmark step failed (exit {process.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "stdout": stdout}


def variants(db: Path, out: Path) -> dict[str, list[str]]:
    report = [*auditreport_command(), "report", "--db", str(db), "--out", str(out), "--period", PERIOD]
    programs = {FULL: report}
    programs |= {f"auditreport report --format {name}": [*report, "--format", name]
                 for name in ("html", "pdf", "xlsx", "csv")}
    programs[FLOOR_NAME] = [sys.executable, "-c", FLOOR, str(db)]
    programs[IMPORTS_NAME] = [sys.executable, "-c", IMPORTS]
    return programs


def pdf_pages(path: Path) -> str:
    if not shutil.which("pdfinfo"):
        return "? (pdfinfo not installed)"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Pages:")), "?")


def outputs(out: Path) -> dict[str, str]:
    """Sizes of the main files of a full report, the PDF's pages and the number of CSVs."""
    found = {name: f"{(out / name).stat().st_size / 1024:,.0f} KB" for name in ("report.html", "report.pdf",
                                                                                  "report.xlsx")}
    found["PDF pages"] = pdf_pages(out / "report.pdf")
    found["CSV files"] = str(len(list(out.glob("*.csv"))))
    return found


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import duckdb
    import fpdf
    import matplotlib
    import openpyxl
    import pandas
    return (f"{cpu}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__}, "
            f"matplotlib {matplotlib.__version__}, fpdf2 {fpdf.__version__}, openpyxl {openpyxl.__version__}")


class Stopwatch:
    """Exclusive seconds per label of wrapped functions: a wrapped call inside another counts for its own label."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.stack: list[list] = []  # [label, started, seconds of wrapped calls inside]

    def wrap(self, owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            self.stack.append([label, time.perf_counter(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                _, started, inner = self.stack.pop()
                spent = time.perf_counter() - started
                self.seconds[label] = self.seconds.get(label, 0.0) + spent - inner
                self.calls[label] = self.calls.get(label, 0) + 1
                if self.stack:
                    self.stack[-1][2] += spent

        setattr(owner, name, timed)

    def take(self) -> dict[str, list]:
        taken = {label: [seconds, self.calls[label]] for label, seconds in self.seconds.items()}
        self.seconds, self.calls = {}, {}
        return taken


def phases(db: Path, out: Path) -> None:
    """In this (fresh) process, without a profiler: seconds of each step of one full report, as one JSON line.

    Within a step, the time in a few entry points is measured by wrapping them in this process only: SQL
    (Analysis._run, Store.row, Store.query: DuckDB and its DataFrame), agency-name matching, chart drawing
    (auditreport.charts) and SVG writing (figure_svg, once per chart for HTML and PDF)."""
    started = time.perf_counter()
    steps: dict[str, dict] = {}
    watch = Stopwatch()

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        steps[name] = {"seconds": now - started, "inside": watch.take()}
        started = now

    import auditreport.api as api
    from auditreport import agencies, aggregate, charts, store
    from auditreport.report import build, content, html, pdf, review, xlsx
    lap("imports")
    for owner, name in ((aggregate.Analysis, "_run"), (store.Store, "row"), (store.Store, "query")):
        watch.wrap(owner, name, "SQL (DuckDB + .df())")
    watch.wrap(agencies.Crosswalk, "match_names", "agency-name matching")
    for name in ("searches_by_period", "small_multiples", "trend_lines", "share_by_agency"):
        watch.wrap(charts, name, "drawing charts (matplotlib)")
    watch.wrap(content, "figure_svg", "charts to SVG (matplotlib savefig)")
    database = api.open_db(str(db), read_only=True)
    content = review.build_review(database.analysis, review.ReviewOptions(period=PERIOD))
    lap("review content (build_review)")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.html").write_text(html.render_html(content), encoding="utf-8", newline="\n")
    lap("HTML (render_html)")
    (out / "report.pdf").write_bytes(pdf.render_pdf(content))
    lap("PDF (render_pdf)")
    (out / "report.xlsx").write_bytes(xlsx.render_xlsx(content))
    lap("XLSX (render_xlsx)")
    build.write_csvs(content, out)
    lap("CSV (write_csvs)")
    database.close()
    print(json.dumps(steps))


# Where a function's own time (tottime) belongs. DuckDB's methods do not show in cProfile: their time is the
# tottime of the auditreport functions that call them, listed first. Built-ins count for their caller's group.
GROUPS = [("aggregate.py _run", "SQL (DuckDB + .df())"), ("store.py row", "SQL (DuckDB + .df())"),
          ("store.py query", "SQL (DuckDB + .df())"), ("duckdb", "SQL (DuckDB + .df())"),
          ("/matplotlib/", "matplotlib"), ("/fpdf/", "fpdf2"), ("/fontTools/", "fpdf2"), ("/PIL/", "fpdf2"),
          ("/openpyxl/", "openpyxl"), ("/et_xmlfile/", "openpyxl"),
          ("/pandas/", "pandas"), ("/numpy/", "numpy"), ("/jinja2/", "jinja2"),
          ("/auditreport/", "auditreport (own Python)"), ("<frozen importlib", "imports"), ("importlib", "imports")]
OTHER = "other (stdlib, ...)"


def group_of(key: tuple) -> str:
    filename, _, function = key
    where = f"{filename} {function}"
    return next((name for pattern, name in GROUPS if pattern in where), OTHER)


def profile(db: Path, out: Path, top: int) -> None:
    """In this (fresh) process: one full report, imports included, under cProfile; the top functions by
    cumulative time, then the time spent inside each library's own functions (tottime, summed)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    import auditreport.api as api

    with api.open_db(str(db), read_only=True) as database:
        database.report(str(out), period=PERIOD)
    profiler.disable()
    print(f"one full report under cProfile, imports included: {time.perf_counter() - started:.2f} s "
          f"(the profiler slows it down); top {top} by cumulative time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    spent: dict[str, float] = {}
    for key, (_, _, tottime, _, callers) in stats.stats.items():
        if key[0] == "~" and callers:  # a built-in: its time counts for the groups of its callers
            for caller, edge in callers.items():
                group = group_of(caller) if caller[0] != "~" else OTHER
                spent[group] = spent.get(group, 0.0) + edge[2]
        else:
            spent[group_of(key)] = spent.get(group_of(key), 0.0) + tottime
    total = sum(spent.values())
    print("time inside each library's own functions (tottime, summed; built-ins counted for their callers):")
    for group, value in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {group:<40} {value:6.2f} s  {value / total:4.0%}")


def in_process(arguments) -> None:
    """The steps that run inside a fresh process started by main(): --in-process phases|profile."""
    sys.path.insert(0, str(REPO))
    if arguments.in_process == "phases":
        phases(arguments.db, arguments.out)
    else:
        profile(arguments.db, arguments.out, arguments.profile_top)


def breakdown(db: Path, out: Path, arguments) -> None:
    """Phase timings (median of --runs fresh processes, no profiler) and, with --profile, one cProfile run."""
    me = [sys.executable, str(Path(__file__).resolve())]
    laps: list[dict[str, dict]] = []
    for _ in range(arguments.runs):
        shutil.rmtree(out, ignore_errors=True)
        laps.append(json.loads(run([*me, "--in-process", "phases", "--db", str(db), "--out", str(out)])["stdout"]))
    print(f"\nwhere one full report's time goes, in process, without a profiler (median of {len(laps)} runs; "
          "interpreter start not included):")
    for step in laps[0]:
        print(f"  {step:<50} {statistics.median(lap[step]['seconds'] for lap in laps):6.2f} s")
        for part, (_, calls) in laps[0][step]["inside"].items():
            value = statistics.median(lap[step]["inside"].get(part, [0.0])[0] for lap in laps)
            print(f"    of which {part:<41} {value:6.2f} s  ({calls} calls)")
    print(f"  {'total':<50} {statistics.median(sum(s['seconds'] for s in lap.values()) for lap in laps):6.2f} s")
    if arguments.profile:
        shutil.rmtree(out, ignore_errors=True)
        print()
        print(run([*me, "--in-process", "profile", "--db", str(db), "--out", str(out),
                   "--profile-top", str(arguments.profile_top)])["stdout"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each command (default 5)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md",
                        help="Markdown file to write the report section into")
    parser.add_argument("--no-results", action="store_true", help="print the table only; write no file")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one full report in-process (cProfile) and print the top functions")
    parser.add_argument("--profile-top", type=int, default=25, help="functions to print with --profile")
    parser.add_argument("--in-process", choices=("phases", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.in_process:
        return in_process(arguments)
    if arguments.runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory(prefix="auditreport-bench-report-") as tmp:
        folder = Path(tmp)
        db, out = folder / "bench.duckdb", folder / "out"
        inputs = generate(folder)
        for path in inputs:
            run([*auditreport_command(), "ingest", str(path), "--db", str(db)])
        rows = sum(1 for path in inputs for _ in path.open()) - len(inputs)
        programs = variants(db, out)
        load = [os.getloadavg()[0]]
        shutil.rmtree(out, ignore_errors=True)
        run(programs[FULL])  # warm-up, unmeasured: page cache, matplotlib's font cache, .pyc files
        files = outputs(out)
        runs: dict[str, list[dict]] = {name: [] for name in programs}
        for number in range(arguments.runs):
            for name, command in programs.items():  # alternating: one run of each, in turn
                shutil.rmtree(out, ignore_errors=True)  # each report into a new folder, as a user's first run
                runs[name].append(run(command))
            print(f"run {number + 1}/{arguments.runs}: "
                  + json.dumps({name: round(results[-1]["seconds"], 2) for name, results in runs.items()}),
                  flush=True)
        load.append(os.getloadavg()[0])
        section = results_section(arguments, runs, files, rows, load)
        print("\n" + section)
        if not arguments.no_results:
            write_section(arguments.results, section)
            print(f"written into {arguments.results}")
        breakdown(db, out, arguments)


def results_section(arguments, runs: dict[str, list[dict]], files: dict[str, str], rows: int,
                    load: list[float]) -> str:
    def seconds(name: str) -> list[float]:
        return [result["seconds"] for result in runs[name]]

    floor = statistics.median(seconds(FLOOR_NAME))
    full = statistics.median(seconds(FULL))
    command = "python benchmarks/bench_report.py" + (f" --runs {arguments.runs}" if arguments.runs != 5 else "")
    lines = ["# Benchmark: the quarterly report", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC with:", "",
             "```", command, "```", "",
             f"- Machine: {machine()}; 1-minute load average {load[0]:.1f} before the runs, {load[1]:.1f} after "
             "(the benchmark itself adds about 1; more means other work shared the 2 cores, and wall time above CPU "
             "time is then time spent waiting for one).",
             f"- Data: two long count tables (`agency,system,period,searches`), {len(SYSTEMS)} systems x "
             f"{AGENCIES_PER_SYSTEM} agencies (8 of them federal: {', '.join(FEDERAL)}) x {len(QUARTERS)} quarters "
             f"({QUARTERS[0]} to {QUARTERS[-1]}), {rows:,} rows, generated with a fixed seed and each ingested "
             "once with `auditreport ingest FILE --db DB`.",
             f"- Each command runs in a fresh process, into a new output folder; wall time from start to exit "
             f"(interpreter start included), CPU time (user + system) and peak resident memory of that process "
             f"from the operating system (os.wait4). One unmeasured warm-up of the full report, then the commands "
             f"in turn, {arguments.runs} times.",
             f"- `auditreport report` = `auditreport report --db DB --out OUT --period {PERIOD}` (default "
             "`--format html,pdf,xlsx,csv`), the command users run; the `--format` rows write one format each.",
             "- Floor = `python -c \"import duckdb; duckdb.connect(DB, read_only=True).execute('SELECT agency, "
             "system, date_trunc(''quarter'', period_start) q, sum(value) FROM observations WHERE measure = "
             "''searches'' GROUP BY ALL').fetchall()\"`.",
             "- Imports only = `python -c \"" + IMPORTS + "\"`.",
             "- Target (the issue): the full report in under 3 s on this machine.", "",
             "| Command | Runs | Min (s) | Median (s) | Max (s) | Median / floor | CPU (s) | Peak RSS (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, results in runs.items():
        times = seconds(name)
        cpu = statistics.median(result["cpu_seconds"] for result in results)
        rss = max(result["rss_mb"] for result in results)
        lines.append(f"| {name} | {len(times)} | {min(times):.2f} | {statistics.median(times):.2f} | "
                     f"{max(times):.2f} | {statistics.median(times) / floor:.1f} x | {cpu:.2f} | {rss:.0f} |")
    verdict = "meets" if full < 3 else "misses"
    lines += ["", f"Full report: median {full:.2f} s, {full / floor:.1f} x the floor ({floor:.2f} s); "
              f"it {verdict} the 3 s target.", "",
              "Files of the full report: " + "; ".join(f"{name} {value}" for name, value in files.items()) + ".",
              ""]
    return "\n".join(lines)


def write_section(results: Path, section: str) -> None:
    """Replace the report section between the markers, or append it; the rest of the file stays as it was."""
    block = f"{BEGIN}\n{section.rstrip()}\n{END}\n"
    text = results.read_text("utf-8") if results.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + block + ("\n" + tail if tail else "")
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
    results.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
