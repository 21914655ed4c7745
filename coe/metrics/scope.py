"""Which rows a metric counts: drills never, near misses only on their own."""

import pandas as pd


def incidents_only(incidents: pd.DataFrame) -> pd.DataFrame:
    """The rows of kind `incident` (no drills, no near misses); the frame itself when it holds nothing else."""
    counted = incidents["kind"] == "incident"
    return incidents if counted.all() else incidents[counted]


def of(frame: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """The rows of a child frame that belong to the given incidents."""
    return frame[frame["key"].isin(incidents["key"])]
