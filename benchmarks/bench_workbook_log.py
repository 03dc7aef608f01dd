"""Benchmark: `auditreport ingest` of a workbook audit log (12 monthly sheets) against the same rows as one CSV.

    python benchmarks/bench_workbook_log.py --rows 2000000     # writes its section of benchmarks/RESULTS.md

The rows are bench_audit_log.py's synthetic Flock network audit (14 columns, two-line Time Frame, "UTC"
suffixes, "***" redactions, invented names, plates and case numbers), written with openpyxl's write-only mode
into one sheet per month of their search time, with the layout drift of real releases: `Moderation` and
`Text Prompt` dropped from September on. Generating the workbook is slow (openpyxl writes about 12,000 rows a
second); both files are cached in `--data-dir` (default: the system's temporary folder) and reused.

openpyxl's write-only mode writes every text as an inline string, but Excel keeps every text of a workbook in one
shared-string table (xl/sharedStrings.xml) that a reader must look cells up in. So the same rows are also written
as Excel saves them (`write_shared_workbook`: the XML streamed into a zip file by hand, every text cell a shared
string, empty cells left out, each distinct text once), the case where a reader holding that table in memory
grows with the number of distinct texts (ids, times, time frames, names, plates).
Each ingest is a command in a fresh process; its wall time, CPU time and peak resident memory come from the
operating system (os.wait4), as in bench_audit_log.py.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

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


def _months(log: Path) -> tuple[list[str], int, list[tuple[int, int]]]:
    with open(log, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        time_column = header.index("Search Time")
        return header, time_column, sorted({(int(row[time_column][6:10]), int(row[time_column][:2]))
                                            for row in reader})


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHEET_REL = REL_NS + "/worksheet"


def _text(value: str) -> str:
    """A <t> element as Excel writes it: xml:space="preserve" where spaces or line breaks at its ends matter."""
    body = escape(value)
    if value != value.strip() or "\n" in value:
        return f'<t xml:space="preserve">{body}</t>'
    return f"<t>{body}</t>"


def write_shared_workbook(log: Path, book: Path) -> float:
    """The same sheets as `write_workbook`, as Excel saves them: every text cell an index into one shared-string
    table (each distinct text once, in order of first use), empty cells left out, a <dimension> per sheet.

    Written by hand (zipfile and streamed XML: about 10 x faster than openpyxl, which has no write-only mode with
    shared strings); each sheet's rows go to a temporary file first, as the rows come in search-time order."""
    started = time.perf_counter()
    header, time_column, months = _months(log)
    columns = {key: [i for i, name in enumerate(header) if not (key[1] >= 9 and name in DROPPED_FROM_SEPTEMBER)]
               for key in months}
    letters = [_letters(i) for i in range(len(header))]
    strings: dict[str, int] = {}
    with tempfile.TemporaryDirectory(dir=book.parent) as folder:
        parts = {key: open(Path(folder) / f"sheet{n}.xml", "w", encoding="utf-8")
                 for n, key in enumerate(months, start=1)}
        counts = dict.fromkeys(months, 0)
        references = [0]  # text cells, the table's count="..."

        def write_row(key, values) -> None:
            counts[key] += 1
            number = counts[key]
            cells = []
            for place, value in enumerate(values):
                if value == "":
                    continue  # Excel leaves empty cells out
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                cells.append(f'<c r="{letters[place]}{number}" t="s"><v>{index}</v></c>')
            references[0] += len(cells)
            parts[key].write(f'<row r="{number}">{"".join(cells)}</row>')

        for key in months:
            write_row(key, [header[i] for i in columns[key]])
        with open(log, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            for row in reader:
                key = (int(row[time_column][6:10]), int(row[time_column][:2]))
                write_row(key, [row[i] for i in columns[key]])
        for part in parts.values():
            part.close()
        partial = book.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            names = [f"{MONTHS[month - 1]} {year}" for year, month in months]
            overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
                                for n in range(1, len(months) + 1))
            archive.writestr("[Content_Types].xml", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CONTENT_NS}">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.sheet.main+xml"/>' + overrides +
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.sharedStrings+xml"/>'
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.styles+xml"/></Types>'))
            archive.writestr("_rels/.rels", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL_NS}">'
                f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                '</Relationships>'))
            sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                             for n, name in enumerate(names, start=1))
            archive.writestr("xl/workbook.xml", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'))
            count = len(months)
            relations = "".join(f'<Relationship Id="rId{n}" Type="{SHEET_REL}" Target="worksheets/sheet{n}.xml"/>'
                                for n in range(1, count + 1))
            archive.writestr("xl/_rels/workbook.xml.rels", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_REL_NS}">'
                f'{relations}<Relationship Id="rId{count + 1}" Type="{REL_NS}/sharedStrings" '
                f'Target="sharedStrings.xml"/><Relationship Id="rId{count + 2}" Type="{REL_NS}/styles" '
                'Target="styles.xml"/></Relationships>'))
            archive.writestr("xl/styles.xml", (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
                '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
                'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
                '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                'borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
                'builtinId="0"/></cellStyles></styleSheet>'))
            for n, key in enumerate(months, start=1):
                width = _letters(len(columns[key]) - 1)
                with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as target, \
                        open(Path(folder) / f"sheet{n}.xml", "rb") as source:
                    target.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                                  f'xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><dimension ref="A1:{width}{counts[key]}"/>'
                                  '<sheetData>').encode())
                    while chunk := source.read(1 << 20):
                        target.write(chunk)
                    target.write(b"</sheetData></worksheet>")
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as target:
                target.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" '
                              f'count="{references[0]}" uniqueCount="{len(strings)}">').encode())
                batch = []
                for value in strings:  # in order of first use, as the indices were given
                    batch.append(f"<si>{_text(value)}</si>")
                    if len(batch) == 10_000:
                        target.write("".join(batch).encode())
                        batch.clear()
                target.write(("".join(batch) + "</sst>").encode())
        os.replace(partial, book)
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
    shared = arguments.data_dir / f"synthetic-network-audit-{arguments.rows}-monthly-shared-strings.xlsx"
    if not log.exists():
        print(f"generating {arguments.rows:,} rows ...", flush=True)
        generate(log, arguments.rows)
    if not book.exists():
        print("writing the workbook (slow) ...", flush=True)
        print(f"  {write_workbook(log, book):.0f} s", flush=True)
    if not shared.exists():
        print("writing the workbook as Excel does (shared strings) ...", flush=True)
        print(f"  {write_shared_workbook(log, shared):.0f} s", flush=True)
    db = arguments.data_dir / "bench-workbook.duckdb"
    ingest = [sys.executable, "-m", "auditreport", "ingest", "--profile", "flock-network-audit", "--db", str(db)]
    programs = {"auditreport ingest, one CSV": ingest + [str(log)],
                "auditreport ingest, workbook of 12 monthly sheets (inline strings)": ingest + [str(book)],
                "auditreport ingest, the same workbook as Excel saves it (shared strings)": ingest + [str(shared)]}
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
               "write-only: inline strings), 14 columns, `Text Prompt` and `Moderation` dropped from September; "
               f"the same workbook as Excel saves it: {shared.stat().st_size / 1e9:.2f} GB (every text a shared "
               "string, each distinct text once, empty cells left out).",
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
