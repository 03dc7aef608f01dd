"""report.html: one self-contained page (inline SVG charts, no script, no link), readable on screen and in print.

Every text is escaped; the only markup that is not escaped is the SVG that matplotlib wrote from our own
figures. The print stylesheet keeps each heading with what follows it, repeats table headers on every
page, wraps long values (hashes) and never cuts a table at the page edge.
"""
from __future__ import annotations

import re

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from ..tabular import clean
from .content import Bullets, Chart, ChartRef, Column, Facts, Paragraph, Review, Table, TableView, cell_text


def table_html(table: Table, rows: pd.DataFrame, columns: tuple[Column, ...] | None = None) -> Markup:
    """A table as a reader sees it: each column's words where it has them, numbers right-aligned."""
    columns = columns or table.columns
    total = sum(column.width for column in columns) or 1
    out = ['<table class="data">', "<colgroup>"]
    out += [f'<col style="width:{100 * column.width / total:.1f}%">' for column in columns]
    out.append("</colgroup><thead><tr>")
    out += [f'<th scope="col" class="{column.kind}">{escape(column.label)}</th>' for column in columns]
    out.append("</tr></thead><tbody>")
    for row in rows.to_dict("records"):
        cells = []
        for column in columns:
            value = row.get(column.words) if column.words else row.get(column.key)
            cells.append(f'<td class="{column.kind}">{escape(cell_text(value))}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))


def _numbered_ids(svg: str, prefix: str) -> str:
    """Every element id of a chart's SVG numbered under its chart's key: unique in the page, and never made of a
    data value (matplotlib's ids carry agency names and periods, "bar|2025-Q3|..."), references kept."""
    names: dict[str, str] = {}
    for found in re.finditer(r'\bid="([^"]*)"', svg):
        names.setdefault(found.group(1), f"{prefix}-{len(names) + 1}")

    def rename(match: re.Match) -> str:
        return f"{match.group(1)}{names.get(match.group(2), match.group(2))}"

    svg = re.sub(r'(\bid=")([^"]*)', rename, svg)
    return re.sub(r'((?:url\(#|href="#))([^)"]*)', rename, svg)


def _labelled_svg(chart: Chart) -> Markup:
    """The chart's SVG with a text alternative that screen readers and search find: role, aria-label, <title>."""
    svg = _numbered_ids(chart.svg, chart.key)
    label = str(escape(chart.alt))
    svg = re.sub(r"<svg\b", f'<svg role="img" aria-label="{label}"', svg, count=1)
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m.group(1)}<title>{label}</title>", svg, count=1)
    return Markup(svg)


def _block(review: Review, block, number: int) -> Markup:
    if isinstance(block, Paragraph):
        return Markup(f'<p class="{block.kind}">{escape(block.text)}</p>')
    if isinstance(block, Bullets):
        title = f"<h3>{escape(block.title)}</h3>" if block.title else ""
        items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
        return Markup(f'<div class="keep">{title}<ul class="notes">{items}</ul></div>')
    if isinstance(block, Facts):
        items = []
        for fact in block.facts:  # ids by position: never made from a data value
            query = f'<span class="query">{escape(fact.query)}</span>' if fact.query else ""
            items.append(f'<div class="fact" id="fact-{number}-{escape(fact.key)}"><dt>{escape(fact.label)}</dt>'
                         f'<dd><span class="number">{escape(fact.words)}</span>'
                         f'<span class="detail">{escape(fact.detail)}</span>{query}</dd></div>')
        return Markup(f'<div class="glance"><h3>{escape(block.system)}</h3><dl class="facts">{"".join(items)}</dl>'
                      "</div>")
    if isinstance(block, TableView):
        table = review.tables[block.table]
        rows = review.rows(block)
        title = f"<h3>{escape(block.title)}</h3>" if block.title else ""
        note_text = review.note_of(block)
        note = f'<p class="note">{escape(note_text)}</p>' if note_text else ""
        body = table_html(table, rows) if len(rows) else Markup(f'<p class="note">{escape(block.empty)}</p>')
        return Markup(f'<div class="table-block">{title}{note}{body}</div>')
    if isinstance(block, ChartRef):
        chart = review.charts[block.chart]
        numbers = Markup("")
        if chart.table is not None and len(chart.table.data):
            numbers = (Markup(f'<p class="numbers-title">The numbers behind this chart (also in {escape(chart.key)}'
                              '.csv)</p>') + table_html(chart.table, chart.table.data))
        note = f"<figcaption>{escape(chart.note)}</figcaption>" if chart.note else ""
        return Markup(f'<figure class="chart" id="{escape(chart.key)}"><h3>{escape(chart.title)}</h3>'
                      f'{_labelled_svg(chart)}{note}</figure>{numbers}')
    raise TypeError(f"no HTML for {type(block).__name__}")


def render_html(review: Review) -> str:
    environment = Environment(loader=PackageLoader("auditreport.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    blocks = [block for section in review.sections for block in section.blocks]
    rendered = {id(block): _block(review, block, number) for number, block in enumerate(blocks)}
    sections = [(section, [rendered[id(block)] for block in section.blocks]) for section in review.sections]
    # no control or bidirectional-override character reaches the page, whatever a value held
    return clean(environment.get_template("report.html.j2").render(review=review, sections=sections))
