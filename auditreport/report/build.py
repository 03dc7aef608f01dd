"""Write the quarterly review: build its content once (review.py), then render each format into a folder.

No clock is read and nothing depends on the machine: two runs on the same database give byte-identical
HTML, PDF, XLSX and CSV files.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path


from ..aggregate import Analysis
from ..errors import UsageError
from ..periods import DEFAULT_FISCAL_YEAR_START
from ..screen import redact
from ..store import Store
from ..tabular import csv_text, write_file
from ..release import DISCLOSIVE_COLUMNS, ReleasedAnalysis, policy_named
from .content import Review
from .review import DEFAULT_TITLE, ReviewOptions, build_review

FORMATS = ("html", "pdf", "xlsx", "csv")
MAIN_FILES = {"html": "report.html", "pdf": "report.pdf", "xlsx": "report.xlsx"}


def parse_formats(formats: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """'html,pdf' -> ('html', 'pdf'); every format when None."""
    if formats is None:
        return FORMATS
    names = [part.strip().lower() for part in (formats.split(",") if isinstance(formats, str) else formats)]
    names = [name for name in names if name]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise UsageError(f"unknown report format(s): {', '.join(unknown) or '(none)'}",
                         hint=f"Use one or more of: {','.join(FORMATS)}.")
    return tuple(dict.fromkeys(names))


def _folder(out: str | Path) -> Path:
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"the report folder {out} cannot be created ({error.strerror})",
                         hint="Choose another folder with --out.") from None
    return out


def write_csvs(review: Review, out: Path) -> list[Path]:
    """One CSV per table, and one per chart with the numbers it draws (names fixed in code, never from data)."""
    written: list[Path] = []
    frames = [(table.key, review.published(table.data)) for table in review.tables.values()]
    frames += [(chart.key, review.published(chart.data)) for chart in review.charts.values()]
    for key, data in frames:
        if out / f"{key}.csv" in written:
            raise AssertionError(f"two tables of the review would write {key}.csv")  # a developer's slip
        written.append(write_file(out, f"{key}.csv", csv_text(data)))
    return written


def write_review(review: Review, out: str | Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """Render `review` in each format into folder `out`; return the main file of each format."""
    out = _folder(out)
    written: dict[str, Path] = {}
    try:
        if "html" in formats:
            from .html import render_html
            written["html"] = write_file(out, MAIN_FILES["html"], render_html(review))
        if "pdf" in formats:
            from .pdf import render_pdf
            written["pdf"] = write_file(out, MAIN_FILES["pdf"], render_pdf(review))
        if "xlsx" in formats:
            from .xlsx import render_xlsx
            written["xlsx"] = write_file(out, MAIN_FILES["xlsx"], render_xlsx(review))
        if "csv" in formats:
            csvs = write_csvs(review, out)
            if csvs:
                written["csv"] = csvs[0]
    except OSError as error:
        raise UsageError(f"the report could not be written into {out} ({error.strerror})",
                         hint="Check that the folder is writable and has space, or choose another with --out.") \
            from None
    return written


def build_report(analysis: Analysis | Store, out: str | Path, *, period: str | None = None,
                 grain: str | None = None, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START, title: str | None = None,
                 formats: str | tuple[str, ...] | None = None, disclosure: str = "standard",
                 confirm_unprotected: bool = False, threshold: int | None = None) -> dict[str, Path]:
    """The quarterly review of everything in the database, about `period`, written into folder `out`.

    Under a protecting `disclosure` policy the review is built twice: once to learn every number it publishes,
    then, after suppression over all of them together (release.py), from the released numbers. The audit of that
    suppression is written beside the folder (`<out>-disclosure-audit.csv`), never into it.
    """
    formats = parse_formats(formats)
    released = released_analysis(analysis, disclosure, confirm_unprotected, threshold)
    title = redact(title) if title else DEFAULT_TITLE  # a typed title passes the screen like every other text
    review = released_review(released, ReviewOptions(period, grain, fiscal_year_start, title))
    written = write_review(review, out, formats)
    if released.protected_systems():
        where = audit_path(out)
        written["audit"] = write_file(where.parent, where.name, csv_text(released.audit_frame()))
    return written


def released_review(released: ReleasedAnalysis, options: ReviewOptions) -> Review:
    """The review from released numbers: under a protecting policy, built once to learn every number it publishes,
    settled, then built from what may be published (its files leave out the private columns)."""
    if released.protected_systems():
        build_review(released, replace(options, draw=False))  # learns every number the review publishes
        released.settle()
    review = build_review(released, options)
    if released.protected_systems():
        review.private_columns = DISCLOSIVE_COLUMNS
    return review


def audit_path(out: str | Path) -> Path:
    """Where the disclosure audit of a report written into `out` goes: beside the folder, never in it."""
    out = Path(out).resolve()
    return out.parent / f"{out.name}-disclosure-audit.csv"


def released_analysis(analysis: Analysis | Store, disclosure: str, confirm_unprotected: bool,
                      threshold: int | None = None) -> ReleasedAnalysis:
    """The analysis a report reads under `disclosure`; `none` on audit-log data only when confirmed."""
    policy = policy_named(disclosure, threshold)
    store = analysis.store if isinstance(analysis, Analysis) else analysis
    released = ReleasedAnalysis(store, policy, analysis.crosswalk if isinstance(analysis, Analysis) else None)
    logged = store.row("SELECT count(*) FROM coverage")[0]
    if not policy.protects and logged and not confirm_unprotected:
        raise UsageError("--disclosure none would print small counts from row-level audit logs exactly, which can "
                         "point at a person", hint="Keep the default (--disclosure standard) for anything that may "
                         "be published; for an internal report add --confirm-unprotected.")
    return released


__all__ = ["FORMATS", "audit_path", "build_report", "parse_formats", "released_analysis", "released_review",
           "write_review"]
