"""Writing values into DuckDB SQL: a quoted text, and a literal inside an RE2 pattern (DuckDB's regexes)."""
from __future__ import annotations

import re


def sql_text(value: str) -> str:
    """A SQL string literal: 'O''Brien'."""
    return "'" + value.replace("'", "''") + "'"


def re2_options():
    """google-re2's options for patterns that DuckDB also reads: quiet (a pattern RE2 cannot read is the user's
    error message, not a log line on standard error)."""
    import re2  # only where patterns are compiled: `auditreport --help` stays quick

    options = re2.Options()
    options.log_errors = False
    return options


def re2_literal(text: str) -> str:
    """`text` matched literally by an RE2 pattern: ASCII punctuation escaped (RE2 refuses an escaped letter)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)
