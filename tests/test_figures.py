"""Figures save to the same bytes every time, in this process and in another one."""
from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib

from auditreport.charts import searches_by_period, trend_lines
from auditreport.report.figures import figure_png, figure_svg
from tests.test_charts import SOURCE, quarterly_counts

REPO = Path(__file__).resolve().parents[1]


def chart():
    return searches_by_period(quarterly_counts(), source_line=SOURCE)


def test_svg_is_byte_identical_for_the_same_chart():
    assert figure_svg(chart()) == figure_svg(chart())
    assert figure_svg(chart(), standalone=True) == figure_svg(chart(), standalone=True)


def test_png_is_byte_identical_for_the_same_chart():
    assert figure_png(chart()) == figure_png(chart())


def test_saving_twice_gives_the_same_bytes():
    fig = trend_lines(quarterly_counts(), source_line=SOURCE)
    assert figure_svg(fig) == figure_svg(fig)
    assert figure_png(fig) == figure_png(fig)


def test_user_rc_settings_do_not_change_the_bytes():
    plain_svg, plain_png = figure_svg(chart()), figure_png(chart())
    hostile = {"font.family": "serif", "font.size": 22, "lines.linewidth": 6,
               "axes.linewidth": 4, "svg.fonttype": "path", "svg.hashsalt": "other",
               "savefig.dpi": 300, "savefig.facecolor": "black", "xtick.major.size": 12}
    with matplotlib.rc_context(hostile):
        assert figure_svg(chart()) == plain_svg
        assert figure_png(chart()) == plain_png


def test_svg_for_inlining_has_no_xml_declaration_or_doctype():
    svg = figure_svg(chart())
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    ET.fromstring(svg)  # well-formed on its own


def test_svg_keeps_text_as_text_with_gids():
    svg = figure_svg(chart())
    assert "Searches by agency and period" in svg
    assert SOURCE in svg
    assert 'id="bar|2017-Q1|ICE"' in svg
    assert 'id="mark|2017-Q2|HSI"' in svg
    assert "font-family: 'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif" in svg


def test_svg_carries_no_date_or_version():
    svg = figure_svg(chart(), standalone=True)
    assert svg.startswith("<?xml")
    assert matplotlib.__version__ not in svg
    assert "<dc:date>" not in svg


def test_png_has_fixed_size_and_no_software_stamp():
    png = figure_png(chart())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1000, 600)
    assert b"Software" not in png and matplotlib.__version__.encode() not in png


def test_bytes_are_the_same_in_another_process():
    script = textwrap.dedent("""
        import hashlib, sys
        sys.path.insert(0, sys.argv[1])
        from auditreport.report.figures import figure_png, figure_svg
        from tests.test_charts import SOURCE, quarterly_counts
        from auditreport.charts import searches_by_period
        fig = searches_by_period(quarterly_counts(), source_line=SOURCE)
        print(hashlib.sha256(figure_svg(fig).encode()).hexdigest())
        print(hashlib.sha256(figure_png(fig)).hexdigest())
    """)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", script, str(REPO)],
                         capture_output=True, text=True, env=env, check=True, timeout=60)
    svg_hash, png_hash = out.stdout.split()
    assert svg_hash == hashlib.sha256(figure_svg(chart()).encode()).hexdigest()
    assert png_hash == hashlib.sha256(figure_png(chart())).hexdigest()
