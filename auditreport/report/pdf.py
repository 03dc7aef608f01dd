"""report.pdf: the review as a board's agenda packet holds it, written by fpdf2 (pip only: no browser).

Text is real text (pdftotext reads every number, in the charts too: they are matplotlib's SVG, drawn as
vector graphics with the same DejaVu font), tables repeat their header row on every page, headings never
stand alone at the foot of a page, every page is numbered, and the file is the same bytes for the same content (a fixed
creation date; the DejaVu fonts that ship with matplotlib).
"""
from __future__ import annotations

import io
import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .content import Bullets, ChartRef, Column, Facts, Paragraph, Review, Table, TableView, cell_text

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu Sans"   # the family the charts' SVG names, so chart text is real text in the PDF too
CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)   # for a database without sources: never the clock
INK, GREY, RULE = (31, 31, 31), (85, 85, 85), (200, 200, 200)
KEEP_WITH_NEXT_MM = 45     # a heading needs this much room below it, or it starts the next page
TABLE_FONT, TABLE_LINE, CELL_PAD_X, CELL_PAD_Y = 7, 3.2, 1.0, 0.7   # points; millimetres
FACT_COLUMNS = 3

logging.getLogger("fpdf.svg").setLevel(logging.ERROR)  # matplotlib's <metadata> is not drawn: nothing is lost


class _Document(FPDF):
    def __init__(self, review: Review):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.review = review
        # the database's date (its newest source), so that the same database gives the same bytes
        self.set_creation_date(review.as_of.replace(tzinfo=timezone.utc) if review.as_of else CREATED)
        self.set_title(f"{review.title}: {review.period_label}" if review.period_label else review.title)
        self.set_creator("auditreport")
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(True, margin=16)
        for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
            self.add_font(FONT, style, str(FONT_DIR / file))
        self.alias_nb_pages()
        self._char_widths: dict[tuple, dict[str, float]] = {}

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        label = f"{self.review.title}: {self.review.period_label}" if self.review.period_label else self.review.title
        self.cell(0, 5, f"{label}  ·  page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(*INK)

    # -- pieces ---------------------------------------------------------------------------------------------------
    def room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def keep(self, needed_mm: float) -> None:
        if self.room() < needed_mm:
            self.add_page()

    def say(self, text: str, size: float = 9.5, style: str = "", colour=INK, height: float | None = None) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, height or size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)

    def heading(self, text: str, level: int, next_mm: float = 0.0) -> None:
        """A heading that never stands alone: it starts a page unless the room below holds what follows it."""
        self.keep(max(next_mm + 12, KEEP_WITH_NEXT_MM if level == 2 else KEEP_WITH_NEXT_MM * 0.7))
        self.ln(3 if level == 2 else 1.5)
        if level == 2:
            self.start_section(text, level=0)
        self.say(text, 13 if level == 2 else 10.5, "B", height=6.5 if level == 2 else 5.5)
        if level == 2:
            self.set_draw_color(*INK)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(2)

    def table_of(self, table: Table, rows: pd.DataFrame, columns: tuple[Column, ...] | None = None) -> None:
        """A table that repeats its header row on every page it runs onto; cells wrap at spaces (long values such
        as hashes anywhere), numbers stand right. Drawn line by line: fpdf2's own table() takes seconds for the
        few thousand cells of a large review."""
        columns = columns or table.columns
        total = sum(column.width for column in columns) or 1
        widths = [self.epw * column.width / total for column in columns]
        right = [column.kind in ("count", "share") for column in columns]
        header = [column.label for column in columns]
        body = [[cell_text(row.get(column.words) if column.words else row.get(column.key)) for column in columns]
                for row in rows.to_dict("records")]
        self.set_draw_color(*RULE)
        self._table_row(header, widths, right, header=True)
        for cells in body:
            if not self._table_row(cells, widths, right, header=False, fits_only=True):
                self.add_page()
                self._table_row(header, widths, right, header=True)
                self._table_row(cells, widths, right, header=False)
        self.set_draw_color(*INK)
        self.ln(2)

    def _table_row(self, cells: list[str], widths: list[float], right: list[bool], *, header: bool,
                   fits_only: bool = False) -> bool:
        """Draw one row (False, drawing nothing, when `fits_only` and it does not fit on this page)."""
        self.set_font(FONT, "B" if header else "", TABLE_FONT)
        lines = [self._wrap(text, width - 2 * CELL_PAD_X) for text, width in zip(cells, widths)]
        height = max(len(cell) for cell in lines) * TABLE_LINE + 2 * CELL_PAD_Y
        if fits_only and self.get_y() + height > self.page_break_trigger:
            return False
        x, y = self.l_margin, self.get_y()
        if header:
            self.set_fill_color(242, 242, 242)
            self.rect(x, y, sum(widths), height, style="F")
        baseline = y + CELL_PAD_Y + TABLE_LINE * 0.75
        for cell, width, to_right in zip(lines, widths, right):
            for number, line in enumerate(cell):
                if line:
                    left = x + width - CELL_PAD_X - self._width(line) if to_right else x + CELL_PAD_X
                    FPDF.text(self, left, baseline + number * TABLE_LINE, line)
            x += width
        self.set_draw_color(*(GREY if header else RULE))
        self.line(self.l_margin, y + height, self.l_margin + sum(widths), y + height)
        self.set_xy(self.l_margin, y + height)
        return True

    def _width(self, text: str) -> float:
        """The width of `text` in the current font, from a cache of character widths (fpdf2 measures a whole
        string through its line breaker, a hundred times slower; it applies no kerning, so the sum is exact)."""
        key = (self.font_style, self.font_size_pt)
        widths = self._char_widths.setdefault(key, {})
        total = 0.0
        for char in text:
            width = widths.get(char)
            if width is None:
                width = widths[char] = self.get_string_width(char)
            total += width
        return total

    def _wrap(self, text: str, width: float) -> list[str]:
        """Lines of `text` no wider than `width` in the current font: at spaces, and inside words too long for
        a line (hashes, long names)."""
        if not text:
            return [""]
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self._width(candidate) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                while self._width(word) > width:  # a word longer than the line: cut it where it must
                    cut = max(1, next((i for i in range(len(word), 0, -1) if self._width(word[:i]) <= width), 1))
                    lines.append(word[:cut])
                    word = word[cut:]
                line = word
            lines.append(line)
        return lines

    def facts(self, block: Facts) -> None:
        self.heading(block.system, 3)
        width = (self.epw - (FACT_COLUMNS - 1) * 4) / FACT_COLUMNS
        facts = list(block.facts)
        for start in range(0, len(facts), FACT_COLUMNS):
            line = facts[start:start + FACT_COLUMNS]
            heights = [self._fact(fact, self.l_margin, self.get_y(), width, measure=True) for fact in line]
            self.keep(max(heights) + 2)
            top = self.get_y()
            for index, fact in enumerate(line):
                self._fact(fact, self.l_margin + index * (width + 4), top, width)
            self.set_xy(self.l_margin, top + max(heights) + 2)

    def _fact(self, fact, x: float, y: float, width: float, measure: bool = False) -> float:
        parts = ((fact.label, 7.5, "", GREY, 3.6), (fact.words, 12, "B", INK, 5.4), (fact.detail, 7, "", GREY, 3.3))
        height = 0.0
        for text, size, style, colour, line in parts:
            if not text:
                continue
            self.set_font(FONT, style, size)
            if measure:
                height += len(self.multi_cell(width, line, text, dry_run=True, output="LINES", align="L")) * line
                continue
            self.set_text_color(*colour)
            self.set_xy(x, y + height)
            lines = self.multi_cell(width, line, text, new_x=XPos.LEFT, new_y=YPos.NEXT, output="LINES", align="L")
            height += len(lines) * line
        self.set_text_color(*INK)
        return height

    def height_of(self, review: Review, block) -> float:
        """About how much room the start of a block needs: a chart whole, else its first lines."""
        if isinstance(block, ChartRef):
            width_in, height_in = review.charts[block.chart].figure.get_size_inches()
            return self.epw * height_in / width_in + 12
        return 30.0 if block is not None else 0.0

    def chart(self, review: Review, key: str) -> None:
        chart = review.charts[key]
        width_in, height_in = chart.figure.get_size_inches()
        height = self.epw * height_in / width_in
        self.keep(height + 12)
        self.heading(chart.title, 3)
        svg = _without_patterns(chart.svg)
        self.image(io.BytesIO(svg.encode("utf-8")), x=self.l_margin, w=self.epw, h=height, alt_text=chart.alt)
        self.set_xy(self.l_margin, self.get_y())
        if chart.note:
            self.say(chart.note, 7.5, "I", GREY)
        if chart.table is not None and len(chart.table.data):
            self.keep(20)
            self.say(f"The numbers behind this chart (also in {chart.key}.csv)", 7.5, "", GREY)
            self.table_of(chart.table, chart.table.data)

    def block(self, review: Review, block) -> None:
        if isinstance(block, Paragraph):
            size = {"lede": 10.5, "note": 8}.get(block.kind, 9.5)
            self.say(block.text, size, "", GREY if block.kind == "note" else INK)
            self.ln(1.5)
        elif isinstance(block, Bullets):
            if block.title:
                self.heading(block.title, 3)
            for item in block.items:
                self.set_font(FONT, "", 8.5)
                self.set_x(self.l_margin + 2)
                self.multi_cell(self.epw - 2, 4.2, f"•  {item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            self.ln(1.5)
        elif isinstance(block, Facts):
            self.facts(block)
        elif isinstance(block, TableView):
            table = review.tables[block.table]
            rows = review.rows(block)
            if block.title:
                self.heading(block.title, 3)
            if review.note_of(block):
                self.say(review.note_of(block), 7.5, "", GREY)
            if len(rows):
                self.table_of(table, rows)
            else:
                self.say(block.empty, 8, "", GREY)
        elif isinstance(block, ChartRef):
            self.chart(review, block.chart)
        else:
            raise TypeError(f"no PDF for {type(block).__name__}")


def _without_patterns(svg: str) -> str:
    """Hatched areas filled with their pattern's background colour: fpdf2 draws no SVG patterns, and a partial
    period's lighter bar must not turn into an empty outline."""
    backgrounds = {}
    for match in re.finditer(r'<pattern id="([^"]+)".*?</pattern>', svg, flags=re.S):
        colour = re.search(r'fill(?::\s*|=")(#[0-9a-fA-F]{6})', match.group(0))
        backgrounds[match.group(1)] = colour.group(1) if colour else "#dddddd"
    return re.sub(r"url\(#([^)]+)\)", lambda m: backgrounds.get(m.group(1), m.group(0)), svg)


def render_pdf(review: Review) -> bytes:
    pdf = _Document(review)
    pdf.add_page()
    pdf.say(review.title, 17, "B", height=8)
    if review.period_label:
        pdf.say(f"Review of {review.period_label} ({review.period_words}). Counts of searches from records-request "
                 "material; names, plates, case numbers, user ids and reason texts are never kept.", 10, "", GREY)
    pdf.ln(2)
    for section in review.sections:
        first = next((block for block in section.blocks if not isinstance(block, Paragraph)), None)
        pdf.heading(section.title, 2, pdf.height_of(review, first))
        for block in section.blocks:
            pdf.block(review, block)
    return bytes(pdf.output())
