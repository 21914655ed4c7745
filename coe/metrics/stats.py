"""Small statistics shared by the metrics: shares with Wilson intervals, duration summaries, JSON-safe numbers."""

import math
from typing import Any

import pandas as pd

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def number(value: Any) -> float | None:
    """A float rounded for display, or None for NaN / missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    return round(float(value), 4)


def share(count: int, total: int) -> float | None:
    """count ÷ total, or None when there is nothing to divide by."""
    return number(count / total) if total else None


def wilson(count: int, total: int, z: float = Z95) -> list[float | None]:
    """The Wilson score interval of a proportion, [low, high]; [None, None] when total is 0."""
    if not total:
        return [None, None]
    p = count / total
    centre = p + z * z / (2 * total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    denominator = 1 + z * z / total
    return [number(max(0.0, (centre - margin) / denominator)), number(min(1.0, (centre + margin) / denominator))]


def counted(count: int, total: int) -> dict[str, Any]:
    """{count, share} of a total."""
    return {"count": int(count), "share": share(int(count), int(total))}


def summarise(values: pd.Series) -> dict[str, Any]:
    """count, mean, median and p90 (linear interpolation) of the non-missing values."""
    values = values.dropna().astype(float)
    if values.empty:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    return {"count": int(values.size), "mean": number(values.mean()), "median": number(values.median()),
            "p90": number(values.quantile(0.9))}
