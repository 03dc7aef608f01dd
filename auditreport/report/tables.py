"""Tables as text: the CSV, JSON and terminal renderings of query results (the CLI only prints them)."""
from __future__ import annotations

import io
import json
import math

import pandas as pd

from ..aggregate import Counts
from ..model import MEASURES
from ..tabular import clean, csv_text


def _number(value: object, share: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if share:
        return f"{value:.4f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _csv(table: pd.DataFrame) -> str:
    return csv_text(table)


def counts_csv(counts: Counts) -> str:
    """Whole numbers without '.0', shares to four places, unknown values empty (never 0)."""
    table = counts.table.copy()
    share = MEASURES[counts.query.measure].kind == "share"
    for column in ("value", "value_low", "value_high"):
        table[column] = [_number(v, share) for v in table[column]]
    return _csv(table)


def counts_json(counts: Counts) -> str:
    return frame_json(counts.table)


def frame_json(table: pd.DataFrame) -> str:
    """Records, dates as YYYY-MM-DD, unknown as null (never 0), text cleaned of control characters."""
    records = json.loads(table.to_json(orient="records", date_format="iso"))
    for record in records:
        for key in ("period_start", "period_end", "first_day", "last_day", "ingested_at"):
            if isinstance(record.get(key), str) and key != "ingested_at":
                record[key] = record[key][:10]
        for key, value in record.items():
            if isinstance(value, str):
                record[key] = clean(value)
    return json.dumps(records, indent=2)


def shares_csv(counts: Counts) -> str:
    table = counts.table.copy()
    table["value"] = [_number(v, True) for v in table["value"]]
    return _csv(table[[c for c in table.columns if c not in ("value_low", "value_high", "estimated")]])


def changes_csv(table: pd.DataFrame) -> str:
    table = table.copy()
    for column in ("value", "previous_value", "change", "year_ago_value", "change_from_year_ago"):
        table[column] = [_number(v, False) for v in table[column]]
    for column in ("change_ratio", "change_from_year_ago_ratio"):
        table[column] = [_number(v, True) for v in table[column]]
    return _csv(table)


def frame_csv(table: pd.DataFrame, columns: list[str] | None = None) -> str:
    return _csv(table if columns is None else table[columns])


def left_out_note(counts: Counts) -> str | None:
    """One line for stderr naming the numbers that did not fit the grain, or None."""
    left_out = counts.left_out
    if not len(left_out):
        return None
    grain = counts.query.grain
    shown = "; ".join(f"{row.source} row {row.row_number} ({row.period_label})"
                      for row in left_out.head(3).itertuples())
    more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
    return (f"note: {len(left_out)} number(s) cover a period longer than one {grain} and were left out: "
            f"{shown}{more}. Use --grain reported to see them, or --apportion to split them by days (estimated).")


def terminal_table(table: pd.DataFrame, columns: list[str], *, rename: dict[str, str] | None = None) -> str:
    """A readable table for a terminal (rich), as text."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    rename = rename or {}
    view = Table()
    for column in columns:
        justify = "right" if column in ("display", "value") else "left"
        view.add_column(escape(clean(rename.get(column, column))), justify=justify)
    for row in table[columns].itertuples(index=False):
        view.add_row(*["" if value is None or value is pd.NA else escape(clean(str(value))) for value in row])
    console = Console(width=160, file=io.StringIO(), force_terminal=False, color_system=None)
    console.print(view)
    return console.file.getvalue()
