"""The quickstart notebook runs top to bottom on a real Jupyter kernel."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01-quickstart.ipynb"


def test_quickstart_notebook_executes(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "ingested as source 1" in text
    assert "FY2018" in text and "2017-Q1" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "the chart is drawn inline"


EUGENE_NOTEBOOK = NOTEBOOK.parent / "02-eugene-real-log.ipynb"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _run(path: Path, tmp_path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    return "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)


def test_the_real_log_notebook_goes_from_ingest_to_a_note_or_says_why_not(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITREPORT_SHARED", str(SHARED))
    text = _run(EUGENE_NOTEBOOK, tmp_path)
    if not (SHARED / "data" / "eugene-or-flock" / "EPDSearchAuditLogs.csv").is_file():
        assert "this notebook skips its steps" in text
        return
    assert "ingested as source 1" in text and "2025-Q3" in text
    assert "on the month before" in text or "not compared" in text


def test_the_real_log_notebook_says_so_when_the_log_is_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("AUDITREPORT_SHARED", str(tmp_path / "nowhere"))
    assert "this notebook skips its steps" in _run(EUGENE_NOTEBOOK, tmp_path)
