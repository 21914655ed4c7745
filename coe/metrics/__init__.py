"""Trend metrics: frames (database → pandas) and pure metric functions over them, as DOMAIN.md defines them."""

from coe.metrics.actions import action_items
from coe.metrics.attribution import ai_attributable, ai_attributable_by_month
from coe.metrics.cfr import change_failure_rate
from coe.metrics.controls import control_gaps
from coe.metrics.durations import durations, durations_by
from coe.metrics.frames import Frames, load, load_headline
from coe.metrics.process import process
from coe.metrics.recurrence import recurrence
from coe.metrics.summary import (
    default_window,
    headline,
    headlines,
    previous_window,
    summary,
    window,
)

__all__ = [
    "Frames", "action_items", "ai_attributable", "ai_attributable_by_month", "change_failure_rate",
    "control_gaps", "default_window", "durations", "durations_by", "headline", "headlines", "load",
    "load_headline", "previous_window", "process", "recurrence", "summary", "window",
]
