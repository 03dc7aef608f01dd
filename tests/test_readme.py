"""The README is the user's manual: it must stay true to the code and to CI."""
from __future__ import annotations

import re
from pathlib import Path

from auditreport.aggregate import ALL_GRAINS
from auditreport.cli import main
from auditreport.model import DIMENSIONS, MEASURES, OBSERVATION_COLUMNS, QUALIFIERS, SOURCE_COLUMNS, STATUSES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_command():
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    assert len(commands) == 2
    demo, tests = commands
    assert demo.endswith("auditreport demo")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == tests


def test_readme_documents_the_count_model():
    for name in [*MEASURES, *DIMENSIONS, *STATUSES, *QUALIFIERS, *ALL_GRAINS]:
        assert f"`{name}`" in README, name
    for column in (*OBSERVATION_COLUMNS, *SOURCE_COLUMNS):
        assert f"`{column.name}`" in README, column.name


def test_readme_lists_every_command():
    for command in main.commands:
        assert f"auditreport {command}" in README, command
