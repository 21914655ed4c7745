"""KPI tiles for the overview: a value and its change against the previous window, from two summaries."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    """One KPI: its label, the shown value, and the change against the previous window (None if unknown)."""

    label: str
    value: str
    delta: str | None


def _share(value: float | None) -> str:
    """A share as a whole percentage, or an em dash when it cannot be computed."""
    return "—" if value is None else f"{value:.0%}"


def _difference(current: float | None, previous: float | None, unit: str) -> str | None:
    """Signed difference with its unit, or None when either side is missing."""
    if current is None or previous is None:
        return None
    return f"{current - previous:+.0f}{unit}"


def overview_tiles(current: Mapping, previous: Mapping) -> list[Tile]:
    """Incidents, AI-attributable range, median TTR and overdue actions, each against the previous window."""
    lower, upper = current["ai_attributable"]["lower"]["share"], current["ai_attributable"]["upper"]["share"]
    previous_upper = previous["ai_attributable"]["upper"]["share"]
    ttr, previous_ttr = current["durations"]["ttr"].get("median"), previous["durations"]["ttr"].get("median")
    return [
        Tile("Incidents", str(current["incidents"]),
             _difference(current["incidents"], previous["incidents"], "")),
        Tile("AI-attributable", "—" if upper is None else f"{_share(lower)}–{_share(upper)}",
             None if upper is None or previous_upper is None
             else _difference(100 * upper, 100 * previous_upper, " pp (upper)")),
        Tile("Median TTR", "—" if ttr is None else f"{ttr:.0f} min", _difference(ttr, previous_ttr, " min")),
        Tile("Overdue actions", str(current["action_items"]["overdue"]),
             _difference(current["action_items"]["overdue"], previous["action_items"]["overdue"], "")),
    ]
