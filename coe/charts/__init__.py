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

__all__ = [
    "Tile", "change_failure_rate", "control_gaps", "counts_by", "duration_box", "duration_ecdf",
    "monthly_incidents", "ordered_bars", "overview_tiles", "severity_mix",
]
