"""The board report in a real browser (headless Chromium): it renders cleanly, offline, and prints on A4 whole."""
from __future__ import annotations

import base64
import csv
import io
import os
import re
import shutil
import subprocess

import pytest
from PIL import Image

from .browser import Chromium, Page

INSTALL = "apt-get install chromium poppler-utils"

# The page box the report's @page rule leaves for content (A4 less its margins), in CSS pixels. Without a margin
# in the rule, Chromium's print uses 0.4 in.
PRINTABLE_AREA = """(() => {
  const rules = sheet => { try { return [...sheet.cssRules]; } catch (unreadable) { return []; } };
  const page = [...document.styleSheets].flatMap(rules).find(rule => rule instanceof CSSPageRule);
  const margin = side => (page && page.style.getPropertyValue('margin-' + side)) || '0.4in';
  const probe = document.createElement('div');
  probe.style.cssText = `position: absolute; width: calc(210mm - ${margin('left')} - ${margin('right')});
                         height: calc(297mm - ${margin('top')} - ${margin('bottom')});`;
  document.documentElement.append(probe);
  const box = probe.getBoundingClientRect();
  probe.remove();
  return [Math.floor(box.width), Math.floor(box.height)];
})()"""

# Each table's right edge against the page, and every cell whose content is wider than the cell (it would spill
# over the neighbouring cell, or past the page from the last column), each named by the heading above it.
TABLE_EDGES = """(() => {
  const heading = table => {
    for (let node = table; node; node = node.previousElementSibling || node.parentElement) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent.trim();
    }
    return '(no heading)';
  };
  return {
    pageWidth: document.documentElement.clientWidth,
    tables: [...document.querySelectorAll('table')].map((table, index) => ({
      index, heading: heading(table), right: table.getBoundingClientRect().right,
      spilling: [...table.querySelectorAll('th, td')].filter(cell => cell.scrollWidth > cell.clientWidth + 1)
        .map(cell => `${cell.textContent.trim().slice(0, 60)} (needs ${cell.scrollWidth} px, has ${cell.clientWidth})`),
    })),
  };
})()"""

# The text of every cell in each table's "SHA-256" column.
SHA256_CELLS = """[...document.querySelectorAll('table')].flatMap(table => {
  const column = [...table.querySelectorAll('thead th')].findIndex(th => th.textContent.trim() === 'SHA-256');
  return column < 0 ? [] : [...table.querySelectorAll('tbody tr')].map(row => row.cells[column].textContent.trim());
})"""


def required_tool(name: str) -> str:
    """The path of a system tool these tests need: skip without it, except in CI, which must run them."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not on PATH; install it with: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the browser tests must run, not skip)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Page:
    with Chromium(required_tool("chromium"), tmp_path_factory.mktemp("chromium") / "profile") as page:
        yield page


@pytest.fixture
def report(browser: Page, demo_report) -> Page:
    """The demo's report.html freshly opened as a screen shows it, with the events of its loading."""
    browser.send("Emulation.clearDeviceMetricsOverride")
    browser.send("Emulation.setEmulatedMedia", media="")
    browser.open((demo_report / "report.html").as_uri())
    return browser


def print_layout(page: Page) -> tuple[int, int]:
    """Lay the page out as Chromium prints it on A4: print media, a viewport the size of the printable area."""
    width, height = page.evaluate(PRINTABLE_AREA)
    page.send("Emulation.setEmulatedMedia", media="print")
    page.send("Emulation.setScrollbarsHidden", hidden=True)
    page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
    return width, height


def test_report_renders_without_errors_and_loads_nothing(report: Page, demo_report):
    own_url = (demo_report / "report.html").as_uri()
    problems = []
    for event in report.events:
        method, params = event["method"], event["params"]
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            problems.append(f"console {params['type']}: {[arg.get('value') for arg in params['args']]}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            entry = params["entry"]
            problems.append(f"{entry['level']} ({entry['source']}): {entry['text']} {entry.get('url', '')}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            problems.append(f"JavaScript exception: {details.get('exception', {}).get('description', details)}")
        elif method == "Network.loadingFailed":
            problems.append(f"failed to load ({params['type']}): {params['errorText']}")
        elif method == "Network.requestWillBeSent" and params["request"]["url"] not in (own_url, "about:blank"):
            if not params["request"]["url"].startswith("data:"):
                problems.append(f"loads {params['request']['url']} (the report must be self-contained)")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"HTTP {params['response']['status']} for {params['response']['url']}")
    assert not problems, "\n".join(problems)
    assert report.evaluate("document.scripts.length") == 0
    assert report.evaluate("document.title"), "the page has a title"


def test_no_table_is_cut_at_the_right_edge_of_an_a4_page(report: Page):
    width, _ = print_layout(report)
    layout = report.evaluate(TABLE_EDGES)
    assert layout["pageWidth"] == width
    assert layout["tables"], "the report has tables"
    cut = [f"table {table['index']} under {table['heading']!r} ends at {table['right']:.0f} px"
           for table in layout["tables"] if table["right"] > width + 0.5]
    cut += [f"table {table['index']} under {table['heading']!r}: a cell's text spills out: {cell}"
            for table in layout["tables"] for cell in table["spilling"]]
    assert not cut, f"the A4 page has {width} px for content:\n" + "\n".join(cut)


def test_printed_pdf_is_a4_and_shows_every_source_sha256_whole(report: Page, demo_report, tmp_path):
    pdftotext, pdfinfo = required_tool("pdftotext"), required_tool("pdfinfo")
    shown = report.evaluate(SHA256_CELLS)
    with open(demo_report / "sources.csv", encoding="utf-8") as sources:
        assert shown == [row["sha256"] for row in csv.DictReader(sources)], "the Sources table lists every source"
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha256) for sha256 in shown), shown

    printed = report.send("Page.printToPDF", timeout=60, preferCSSPageSize=True, printBackground=True,
                          paperWidth=210 / 25.4, paperHeight=297 / 25.4)  # A4 unless the report's @page names a size
    pdf = tmp_path / "report-chromium.pdf"
    pdf.write_bytes(base64.b64decode(printed["data"]))
    info = subprocess.run([pdfinfo, pdf], check=True, capture_output=True, text=True, timeout=60).stdout
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE), info
    # -raw keeps the content stream's order, cell by cell; the default reading order puts a neighbouring
    # cell's words between the two lines of a wrapped hash.
    text = subprocess.run([pdftotext, "-raw", pdf, "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    unwrapped = re.sub(r"[\n\f]", "", text)
    cut = [sha256 for sha256 in shown if sha256 not in unwrapped]
    assert not cut, "SHA-256s cut or missing in the text of the printed PDF:\n" + "\n".join(cut)


def test_first_page_screenshot_is_not_blank(report: Page):
    width, height = print_layout(report)
    shot = report.send("Page.captureScreenshot", format="png")
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("L")
    assert image.size == (width, height)
    pixels_by_shade = image.histogram()
    inked = sum(pixels_by_shade[:200])
    assert inked > 0.02 * width * height, f"only {inked} of {width * height} pixels are darker than light grey"
    assert sum(1 for pixels in pixels_by_shade if pixels) > 16, "text and rules show in many shades of grey"
