"""Control gaps among the incidents where AI was involved (suspected or confirmed)."""

from typing import Any

import pandas as pd

from coe.metrics.attribution import AI_INVOLVED
from coe.metrics.scope import incidents_only
from coe.metrics.stats import counted

GAPS = ("gate_bypassed_or_absent", "admin_permissions", "inherited_permissions", "dark_code", "agent_executed",
        "spec_not_reviewed")


def gap_flags(incidents: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per AI-involved incident of kind `incident`: key and one boolean column per gap in GAPS."""
    rows = incidents_only(incidents)
    rows = rows[rows["ai_involvement"].isin(AI_INVOLVED)]

    def has_change(provenance: str) -> pd.Series:
        return rows["key"].isin(changes.loc[changes["provenance"] == provenance, "key"])

    return pd.DataFrame({
        "key": rows["key"],
        "gate_bypassed_or_absent": rows["ai_approval_gate"].isin(["bypassed", "absent"]),
        "admin_permissions": rows["ai_permission_scope"] == "admin",
        "inherited_permissions": rows["ai_permissions_inherited"].map(lambda v: v is True),
        "dark_code": has_change("ai_generated_unreviewed"),
        "agent_executed": has_change("ai_executed"),
        "spec_not_reviewed": rows["ai_spec_reviewed"].map(lambda v: v is False),
    })


def control_gaps(incidents: pd.DataFrame, changes: pd.DataFrame) -> dict[str, Any]:
    """{ai_involved, <gap>: {count, share}} for every gap in GAPS."""
    flags = gap_flags(incidents, changes)
    total = len(flags)
    return {"ai_involved": total, **{gap: counted(int(flags[gap].astype(bool).sum()), total) for gap in GAPS}}
