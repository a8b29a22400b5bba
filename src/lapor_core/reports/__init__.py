"""
Reports: the ministry's indicators per agency and period, and the *Musrenbang* export.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.reports.indicators import (
    INDICATOR_LEGEND,
    AgencyIndicators,
    MusrenbangRow,
    ReportingStore,
    agencies_without_decree,
    compute_indicators,
    compute_musrenbang,
    indicators,
    indicators_cells,
    indicators_csv,
    indicators_json,
    indicators_legend,
    indicators_table,
    musrenbang,
    musrenbang_csv,
    musrenbang_json,
)

__all__ = [
    "INDICATOR_LEGEND",
    "AgencyIndicators",
    "MusrenbangRow",
    "ReportingStore",
    "agencies_without_decree",
    "compute_indicators",
    "compute_musrenbang",
    "indicators",
    "indicators_cells",
    "indicators_csv",
    "indicators_json",
    "indicators_legend",
    "indicators_table",
    "musrenbang",
    "musrenbang_csv",
    "musrenbang_json",
]
