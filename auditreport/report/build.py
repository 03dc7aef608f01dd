"""Write the quarterly review: build its content once (review.py), then render each format into a folder.

No clock is read and nothing depends on the machine: two runs on the same database give byte-identical
HTML, PDF, XLSX and CSV files.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..aggregate import Analysis
from ..errors import UsageError
from ..periods import DEFAULT_FISCAL_YEAR_START
from ..screen import redact
from ..store import Store
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


def csv_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Integers as integers (2099, not 2099.0); text that a spreadsheet would run as a formula, as text."""
    from .xlsx import safe_text

    def cell(value):
        if isinstance(value, str):
            return safe_text(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            return int(value)
        return value

    frame = data.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_float_dtype(series) or series.dtype == object or pd.api.types.is_string_dtype(series):
            frame[column] = pd.Series([cell(value) for value in series], index=series.index, dtype=object)
    return frame


def write_csvs(review: Review, out: Path) -> list[Path]:
    """One CSV per table, and one per chart with the numbers it draws."""
    written = []
    frames = [(table.key, table.data) for table in review.tables.values()]
    frames += [(chart.key, chart.data) for chart in review.charts.values()]
    for key, data in frames:
        path = out / f"{key}.csv"
        path.write_text(csv_frame(data).to_csv(index=False, lineterminator="\n"), encoding="utf-8", newline="")
        written.append(path)
    return written


def write_review(review: Review, out: str | Path, formats: tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """Render `review` in each format into folder `out`; return the main file of each format."""
    out = _folder(out)
    written: dict[str, Path] = {}
    try:
        if "html" in formats:
            from .html import render_html
            path = out / MAIN_FILES["html"]
            path.write_text(render_html(review), encoding="utf-8", newline="\n")
            written["html"] = path
        if "pdf" in formats:
            from .pdf import render_pdf
            path = out / MAIN_FILES["pdf"]
            path.write_bytes(render_pdf(review))
            written["pdf"] = path
        if "xlsx" in formats:
            from .xlsx import render_xlsx
            path = out / MAIN_FILES["xlsx"]
            path.write_bytes(render_xlsx(review))
            written["xlsx"] = path
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
                 formats: str | tuple[str, ...] | None = None) -> dict[str, Path]:
    """The quarterly review of everything in the database, about `period`, written into folder `out`."""
    formats = parse_formats(formats)
    analysis = analysis if isinstance(analysis, Analysis) else Analysis(analysis)
    title = redact(title) if title else DEFAULT_TITLE  # a typed title passes the screen like every other text
    review = build_review(analysis, ReviewOptions(period, grain, fiscal_year_start, title))
    return write_review(review, out, formats)


__all__ = ["FORMATS", "build_report", "parse_formats", "write_review"]
