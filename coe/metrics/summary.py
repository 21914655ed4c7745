"""Every metric of one window as the `coe metrics --json` object; the window itself and the one before it."""

from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from coe.metrics import frames as frames_module
from coe.metrics.actions import action_items, overdue
from coe.metrics.attribution import ai_attributable, ai_attributable_by_month
from coe.metrics.cfr import change_failure_rate
from coe.metrics.controls import control_gaps
from coe.metrics.durations import duration, durations
from coe.metrics.frames import Frames
from coe.metrics.process import process
from coe.metrics.recurrence import recurrence
from coe.metrics.scope import incidents_only, of


def months_between(since: date, until: date) -> list[str]:
    """Every month "YYYY-MM" from since's to until's, both included."""
    if until < since:
        return []
    return [p.strftime("%Y-%m") for p in pd.period_range(since, until, freq="M")]


def summary(frames: Frames, *, since: date, until: date, as_of: date) -> dict[str, Any]:
    """The `coe metrics --json` object of DOMAIN.md (plus by_control and the CFR counts) for loaded frames."""
    counted = incidents_only(frames.incidents)
    months = months_between(since, until)
    return {
        "since": since.isoformat(), "until": until.isoformat(), "as_of": as_of.isoformat(),
        "incidents": len(counted),
        "near_misses": int((frames.incidents["kind"] == "near_miss").sum()),
        # Each metric leaves out what is not an incident itself; handing it `counted` spares a copy per metric.
        "durations": durations(counted),
        "ai_attributable": ai_attributable(counted, frames.claims),
        "control_gaps": control_gaps(counted, frames.changes),
        "action_items": action_items(of(frames.action_items, counted), as_of),
        "process": process(counted),
        "recurrence": recurrence(counted, frames.history),
        "change_failure_rate": change_failure_rate(counted, frames.changes, frames.volumes, months),
        "by_month": ai_attributable_by_month(counted, frames.claims, months),
    }


def headline(frames: Frames, *, since: date, until: date, as_of: date) -> dict[str, Any]:
    """The Overview's part of summary() with the same values, from frames.load_headline()'s narrow frames."""
    counted = incidents_only(frames.incidents)
    items = of(frames.action_items, counted)
    return {
        "since": since.isoformat(), "until": until.isoformat(), "as_of": as_of.isoformat(),
        "incidents": len(counted),
        "near_misses": int((frames.incidents["kind"] == "near_miss").sum()),
        "durations": {"ttr": duration(counted, "ttr")},
        "ai_attributable": ai_attributable(counted, frames.claims),
        "action_items": {"overdue": int(overdue(items, as_of).sum())},
        "by_month": ai_attributable_by_month(counted, frames.claims, months_between(since, until)),
    }


def headlines(session: Session, *, since: date, until: date, as_of: date, **filters: Any
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """headline() of a window and of the same-length window before it, each loaded with only its columns."""
    before = previous_window(since, until)
    return tuple(  # type: ignore[return-value]
        headline(frames_module.load_headline(session, since=start, until=end, **filters),
                 since=start, until=end, as_of=as_of)
        for start, end in ((since, until), before))


def default_window(session: Session, *, as_of: date, since: date | None = None, until: date | None = None
                   ) -> tuple[date, date]:
    """Fill an open window: `until` defaults to as_of, `since` to the first incident's day (all history)."""
    until = until or as_of
    if since is None:
        first = session.execute(select(func.min(frames_module.INCIDENT.c.started_at))).scalar()
        since = min(first.date(), until) if first is not None else until
    return since, until


def previous_window(since: date, until: date) -> tuple[date, date]:
    """The window of the same length that ends the day before `since`."""
    length = (until - since).days + 1
    return since - timedelta(days=length), since - timedelta(days=1)


def window(session: Session, *, since: date | None = None, until: date | None = None, as_of: date | None = None,
           **filters: Any) -> dict[str, Any]:
    """Load one window (filters as in frames.load) and return its summary(); open ends as in default_window()."""
    as_of = as_of or frames_module.utc_day(None)
    since, until = default_window(session, as_of=as_of, since=since, until=until)
    loaded = frames_module.load(session, since=since, until=until, **filters)
    return summary(loaded, since=since, until=until, as_of=as_of)
