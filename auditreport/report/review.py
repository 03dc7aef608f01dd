"""The quarterly review: what a board reads about the period in focus, built once as content (content.py).

The parts are built in the order a board reads them, each by the module that knows its question:
focus.py (the period in focus and the answers every part reads), glance.py (at a glance), changes.py
(what changed), trends.py (the charts), measures.py (misuse investigations and other measures than
searches) and appendix.py (who searched, why, context, data quality, method).
Nothing here writes a file (build.py does); searches of different systems are never added.

>>> review = build_review(Analysis(store), ReviewOptions(period="2025-Q3"))   # doctest: +SKIP
"""
from __future__ import annotations

from ..aggregate import Analysis
from .appendix import (agencies_section, build_tables, context_section, method_section, quality_section,
                       reasons_section)
from .changes import changes_section
from .content import Paragraph, Review, Section
from .focus import DEFAULT_TITLE, Focus, ReviewOptions, grain_words, source_line
from .glance import glance_section
from .measures import other_measures_section
from .trends import chart_sections


def build_review(analysis: Analysis, options: ReviewOptions | None = None) -> Review:
    """The quarterly review of everything in the database, about the period in focus."""
    focus = Focus(analysis, options or ReviewOptions())
    if not focus.prepare():
        focus.review.sections.append(Section("at-a-glance", "At a glance", [Paragraph(
            "No numbers yet: ingest a count table or an audit log first (auditreport ingest FILE).")]))
        return focus.review
    build_tables(focus)
    focus.review.sections += [glance_section(focus), changes_section(focus), *chart_sections(focus),
                              agencies_section(focus), reasons_section(focus)]
    other = other_measures_section(focus)  # misuse investigations, violations, ...: never added to searches
    focus.review.sections += [other] if other else []
    focus.review.sections += [context_section(focus), quality_section(focus), method_section(focus)]
    return focus.review


__all__ = ["DEFAULT_TITLE", "ReviewOptions", "build_review", "grain_words", "source_line"]
