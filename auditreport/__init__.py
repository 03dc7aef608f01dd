"""auditreport: who searches shared police databases, and how often.

Counts only, never personal records. Start with `open_db`:

>>> import auditreport
>>> db = auditreport.open_db("audit.duckdb")          # doctest: +SKIP
>>> db.ingest("counts.csv", system="Regional COPLINK")  # doctest: +SKIP
>>> db.counts(by="agency", grain="quarter").table       # doctest: +SKIP
"""
from . import charts
from .aggregate import CountQuery, Counts
from .api import AuditDB, demo, open_db, sample_logs_dir
from .errors import AuditReportError, DataQualityWarning, InputError, PrivacyWarning, UsageError
from .model import DIMENSIONS, MEASURES, STATUSES
from .periods import Period, parse_period

__all__ = ["AuditDB", "AuditReportError", "CountQuery", "Counts", "DIMENSIONS", "DataQualityWarning", "InputError",
           "MEASURES", "Period", "PrivacyWarning", "STATUSES", "UsageError", "charts", "demo", "open_db",
           "parse_period", "sample_logs_dir"]
