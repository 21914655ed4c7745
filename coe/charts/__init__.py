"""Plotly figures from metric outputs and incident frames; pure, no Streamlit."""

from coe.charts.figures import (
    change_failure_rate,
    control_gaps,
    counts_by,
    duration_box,
    duration_ecdf,
    monthly_incidents,
    ordered_bars,
    severity_mix,
)
from coe.charts.kpis import Tile, overview_tiles
from coe.charts.selection import (
    failed_by_provenance,
    in_month_and_severity,
    overdue_for,
    picked,
    with_gaps,
    with_values,
)

__all__ = [
    "Tile",
    "change_failure_rate",
    "control_gaps",
    "counts_by",
    "duration_box",
    "duration_ecdf",
    "failed_by_provenance",
    "in_month_and_severity",
    "monthly_incidents",
    "ordered_bars",
    "overdue_for",
    "overview_tiles",
    "picked",
    "severity_mix",
    "with_gaps",
    "with_values",
]
