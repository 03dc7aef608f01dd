"""Writing values into DuckDB SQL: a quoted text, and a literal inside an RE2 pattern (DuckDB's regexes)."""
from __future__ import annotations

import re


def sql_text(value: str) -> str:
    """A SQL string literal: 'O''Brien'."""
    return "'" + value.replace("'", "''") + "'"


def re2_literal(text: str) -> str:
    """`text` matched literally by an RE2 pattern: every character but letters, digits and spaces escaped."""
    return re.sub(r"([^0-9A-Za-z ])", r"\\\1", text)
