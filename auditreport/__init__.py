"""auditreport: who searches shared police databases, and how often.

Counts only, never personal records. Start with `open_db`:

>>> import auditreport
>>> db = auditreport.open_db("audit.duckdb")          # doctest: +SKIP
>>> db.ingest("counts.csv", system="Regional COPLINK")  # doctest: +SKIP
>>> db.counts(by="agency", grain="quarter").table       # doctest: +SKIP

The names below load on first use (PEP 562), so that the command line does not pay for pandas and
matplotlib when it only ingests.
"""
from importlib import import_module

_HOMES = {"AuditDB": "api", "demo": "api", "open_db": "api", "sample_logs_dir": "api",
          "CountQuery": "aggregate", "Counts": "aggregate",
          "AuditReportError": "errors", "DataQualityWarning": "errors", "InputError": "errors",
          "PrivacyWarning": "errors", "UsageError": "errors",
          "DIMENSIONS": "model", "MEASURES": "model", "STATUSES": "model",
          "Period": "periods", "parse_period": "periods"}

__all__ = sorted([*_HOMES, "charts"])


def __getattr__(name: str):
    if name == "charts":
        return import_module(".charts", __name__)
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module 'auditreport' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
