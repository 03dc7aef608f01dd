"""Figures as deterministic bytes: the same chart gives the same SVG text and PNG bytes every run.

Example::

    svg = figure_svg(searches_by_period(counts, source_line="Source: ..."))  # ready to inline
"""
from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.style import context as style_context

__all__ = ["DPI", "figure_png", "figure_svg"]

DPI = 100

# Applied over matplotlib's defaults while saving, so a user's matplotlibrc cannot change the
# bytes (hinting, path simplification, ...). A fixed hash salt gives fixed SVG ids. SVG text
# stays text: smaller, searchable and selectable, and the page's readers can copy numbers.
_SAVE_STYLE = {
    "svg.hashsalt": "auditreport",
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "svg.id": None,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    "savefig.bbox": None,
    "savefig.pad_inches": 0.1,
    "hatch.linewidth": 0.8,
}
# Without these, matplotlib writes its version (SVG, PNG) and the time (SVG) into the file.
_SVG_METADATA = {"Date": None, "Creator": None}
_PNG_METADATA = {"Software": None}
# SVG text names its font in a style attribute, which page CSS cannot override. Viewers without
# DejaVu Sans get its metric-alike ancestors, or at least a sans-serif face, not the default serif.
_SVG_FONT = "font-family: 'DejaVu Sans'"
_SVG_FONT_WITH_FALLBACKS = "font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"


def figure_svg(fig: Figure, *, standalone: bool = False) -> str:
    """The figure as SVG text; without XML declaration and DOCTYPE unless `standalone`.

    Example::

        html = f"<figure>{figure_svg(fig)}</figure>"
    """
    buffer = io.BytesIO()
    with style_context(["default", _SAVE_STYLE]):
        fig.savefig(buffer, format="svg", dpi=DPI, metadata=_SVG_METADATA)
    svg = buffer.getvalue().decode("utf-8").replace(_SVG_FONT, _SVG_FONT_WITH_FALLBACKS)
    if standalone:
        return svg
    # Everything before the root element is the XML declaration, DOCTYPE and comments:
    # an HTML page must not carry them in the middle of its body.
    return svg[svg.index("<svg"):]


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at a fixed resolution (100 dpi).

    Example::

        Path("searches.png").write_bytes(figure_png(fig))
    """
    buffer = io.BytesIO()
    with style_context(["default", _SAVE_STYLE]):
        fig.savefig(buffer, format="png", dpi=DPI, metadata=_PNG_METADATA)
    return buffer.getvalue()
