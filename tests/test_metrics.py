"""Each metric on small hand-built frames whose answers were worked out by hand."""

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest

from coe import metrics
from coe.metrics import frames as frames_module
from coe.metrics.recurrence import recurring
from coe.metrics.summary import months_between


def t(text: str) -> datetime:
    """A UTC time from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


BASE: dict[str, Any] = {
    "title": "x", "kind": "incident", "severity": "sev2", "status": "draft", "team": "payments",
    "environment": "production", "services": ["ledger"], "detected_at": None, "acknowledged_at": None,
    "mitigated_at": None, "resolved_at": None, "root_cause_category": "deployment", "detection_method": "alarm",
    "ai_involvement": "none", "ai_tool": None, "ai_mode": None, "ai_autonomy": None,
    "ai_approval_gate": "not_applicable", "ai_permission_scope": "unknown", "ai_permissions_inherited": None,
    "ai_spec_reviewed": None, "ai_contribution": "none", "primary_cause": "software_defect",
    "attribution_status": "undetermined", "authors": ["alice"], "approver": None, "published_at": None,
}


def incidents(*rows: dict[str, Any]) -> pd.DataFrame:
    """An incidents frame: each row is BASE updated with its own fields (key and started_at required)."""
    frame = pd.DataFrame([BASE | row for row in rows], columns=list(frames_module.INCIDENT_COLUMNS))
    return frames_module._typed(frame, (*frames_module.TIMES, "published_at"))


def table(columns: tuple[str, ...], *rows: tuple) -> pd.DataFrame:
    """A child frame from tuples in the column order."""
    return pd.DataFrame(list(rows), columns=list(columns))


NO_CLAIMS = table(frames_module.CLAIM_COLUMNS)
NO_CHANGES = table(frames_module.CHANGE_COLUMNS)


def test_durations_skip_missing_timestamps_drills_and_near_misses() -> None:
    rows = incidents(
        {"key": "A", "started_at": t("2025-03-01 10:00"), "detected_at": t("2025-03-01 10:10"),
         "acknowledged_at": t("2025-03-01 10:20"), "mitigated_at": t("2025-03-01 11:00"),
         "resolved_at": t("2025-03-01 12:00")},
        {"key": "B", "started_at": t("2025-03-02 10:00"), "detected_at": t("2025-03-02 10:30"),
         "resolved_at": t("2025-03-02 14:00")},
        {"key": "D", "kind": "drill", "started_at": t("2025-03-03 10:00"), "detected_at": t("2025-03-03 18:00")},
        {"key": "N", "kind": "near_miss", "started_at": t("2025-03-04 10:00"), "resolved_at": t("2025-03-05 10:00")},
    )
    got = metrics.durations(rows)
    # TTD: A 10, B 30 → mean 20, median 20, p90 = 10 + 0.9 × 20 = 28 (linear); the drill's 480 is left out.
    assert got["ttd"] == {"count": 2, "mean": 20.0, "median": 20.0, "p90": 28.0}
    assert got["tta"] == {"count": 1, "mean": 20.0, "median": 20.0, "p90": 20.0}  # B has no acknowledged_at
    assert got["ttm"]["count"] == 1 and got["ttm"]["median"] == 60.0
    # TTR: A 120, B 240; the near miss's 1440 is not an incident's.
    assert got["ttr"] == {"count": 2, "mean": 180.0, "median": 180.0, "p90": 228.0}


def test_durations_by_ai_contribution_and_severity() -> None:
    rows = incidents(
        {"key": "A", "started_at": t("2025-03-01 10:00"), "resolved_at": t("2025-03-01 11:00"),
         "ai_contribution": "primary", "severity": "sev1"},
        {"key": "B", "started_at": t("2025-03-01 10:00"), "resolved_at": t("2025-03-01 10:30"),
         "ai_contribution": "undetermined", "severity": "sev1"},
    )
    by_ai = metrics.durations_by(rows, "ai")
    assert by_ai["ai"]["ttr"]["median"] == 60.0 and by_ai["not_ai"]["ttr"]["median"] == 30.0
    assert metrics.durations_by(rows, "severity")["sev1"]["ttr"]["count"] == 2


def test_ai_attributable_range_contested_agreed_and_suspected() -> None:
    rows = incidents(
        {"key": "agreed", "started_at": t("2025-03-01 10:00"), "ai_contribution": "primary",
         "attribution_status": "agreed"},
        {"key": "contested", "started_at": t("2025-03-02 10:00"), "ai_contribution": "contributing",
         "attribution_status": "contested"},
        {"key": "claimed", "started_at": t("2025-04-01 10:00"), "attribution_status": "contested"},
        {"key": "suspected", "started_at": t("2025-04-02 10:00"), "ai_involvement": "suspected",
         "ai_contribution": "undetermined"},
        {"key": "human", "started_at": t("2025-04-03 10:00"), "primary_cause": "human_error"},
        {"key": "drill", "kind": "drill", "started_at": t("2025-04-04 10:00"), "ai_contribution": "primary"},
        {"key": "near", "kind": "near_miss", "started_at": t("2025-04-05 10:00"), "ai_contribution": "primary"},
    )
    claims = table(frames_module.CLAIM_COLUMNS,
                   ("claimed", "Vendor", "vendor", "human_error", "known", None, "user error"),
                   ("claimed", "Press", "press", "ai_tool", "potential", None, "the agent did it"),
                   ("human", "Team", "internal", "human_error", "known", None, "a typo"))
    got = metrics.ai_attributable(rows, claims)
    # 5 incidents; lower = agreed only (1); upper adds contested, claimed and suspected (4).
    # Wilson 95% for 1/5: (0.2 + z²/10 ∓ z·√(0.16/5 + z²/100)) / (1 + z²/5) = 0.0362 … 0.6245.
    assert got == {"total": 5,
                   "lower": {"count": 1, "share": 0.2, "ci95": [0.0362, 0.6245]},
                   "upper": {"count": 4, "share": 0.8, "ci95": [0.3755, 0.9638]}}
    months = metrics.ai_attributable_by_month(rows, claims, ["2025-02", "2025-03", "2025-04"])
    assert [(m["month"], m["incidents"], m["ai_lower"], m["ai_upper"]) for m in months] == [
        ("2025-02", 0, 0, 0), ("2025-03", 2, 1, 2), ("2025-04", 3, 0, 2)]
    assert months[0]["lower_share"] is None and months[0]["lower_ci95"] == [None, None]


def test_control_gaps_among_ai_involved_incidents_only() -> None:
    rows = incidents(
        {"key": "a1", "started_at": t("2025-03-01 10:00"), "ai_involvement": "confirmed",
         "ai_approval_gate": "bypassed", "ai_permission_scope": "admin", "ai_permissions_inherited": True,
         "ai_spec_reviewed": False},
        {"key": "a2", "started_at": t("2025-03-02 10:00"), "ai_involvement": "suspected",
         "ai_approval_gate": "enforced", "ai_permission_scope": "broad", "ai_spec_reviewed": True},
        {"key": "h", "started_at": t("2025-03-03 10:00"), "ai_approval_gate": "absent"},
        {"key": "d", "kind": "drill", "started_at": t("2025-03-04 10:00"), "ai_involvement": "confirmed",
         "ai_permission_scope": "admin"},
    )
    changes = table(frames_module.CHANGE_COLUMNS, ("a1", "trigger", "ai_generated_unreviewed"),
                    ("a2", "trigger", "ai_executed"), ("a2", "suspect", "ai_executed"), ("d", "trigger", "ai_executed"))
    got = metrics.control_gaps(rows, changes)
    half = {"count": 1, "share": 0.5}
    assert got == {"ai_involved": 2, "gate_bypassed_or_absent": half, "admin_permissions": half,
                   "inherited_permissions": half, "dark_code": half, "agent_executed": half,
                   "spec_not_reviewed": half}


VOLUMES = table(frames_module.VOLUME_COLUMNS, ("2025-03", "payments", 100, 20), ("2025-04", "payments", 50, 10))


def test_change_failure_rate_with_and_without_volumes() -> None:
    rows = incidents(
        {"key": "x1", "started_at": t("2025-03-01 10:00")},
        {"key": "x2", "started_at": t("2025-03-02 10:00")},
        {"key": "x3", "started_at": t("2025-03-03 10:00")},
        {"key": "x4", "started_at": t("2025-03-04 10:00"), "team": "search"},  # no volume for its team
    )
    changes = table(frames_module.CHANGE_COLUMNS, ("x1", "trigger", "ai_generated_reviewed"),
                    ("x2", "contributing", "ai_assisted"), ("x3", "suspect", "ai_executed"),
                    ("x4", "trigger", "ai_executed"))
    # March: AI 1 (x1) ÷ 20 AI-generated; human 1 (x2, ai_assisted counts as human) ÷ (100 − 20); x3 is only a suspect.
    got = metrics.change_failure_rate(rows, changes, VOLUMES, ["2025-03"])
    assert (got["ai"], got["human"], got["ai_failures"], got["changes_human"]) == (0.05, 0.0125, 1, 80)
    # Both months: 1 ÷ 30 and 1 ÷ 120.
    both = metrics.change_failure_rate(rows, changes, VOLUMES)
    assert (both["ai"], both["human"]) == (0.0333, 0.0083)
    empty = metrics.change_failure_rate(rows, changes, VOLUMES.iloc[0:0])
    assert (empty["ai"], empty["human"]) == (None, None)


def test_action_items_overdue_relative_to_as_of_and_per_control() -> None:
    resolved = pd.Timestamp("2025-05-20 23:30", tz="UTC")
    items = table(frames_module.ACTION_COLUMNS,
                  ("K", "a", "prevent", "approval_gate", "o", "p1", "open", date(2025, 6, 1), None, "t", resolved),
                  ("K", "b", "prevent", "approval_gate", "o", "p1", "in_progress", date(2025, 6, 10), None, "t", resolved),
                  ("K", "c", "detect", "none", "o", "p2", "open", None, None, "t", resolved),
                  ("K", "d", "prevent", "none", "o", "p1", "done", date(2025, 6, 1), date(2025, 5, 30), "t", resolved),
                  ("K", "e", "prevent", "none", "o", "p1", "done", date(2025, 6, 1), date(2025, 6, 5), "t", resolved),
                  ("K", "f", "process", "none", "o", "p3", "wont_do", date(2025, 5, 1), None, "t", resolved))
    got = metrics.action_items(items, date(2025, 6, 10))
    # Overdue: only a (b is due on as_of itself, c has no date, f is closed). Done d on time, e late.
    # Days from the resolution day 2025-05-20 to completion: 10 and 16 → median 13.
    assert {k: got[k] for k in ("total", "open", "overdue", "done", "on_time_share", "median_days_to_complete")} == {
        "total": 6, "open": 3, "overdue": 1, "done": 2, "on_time_share": 0.5, "median_days_to_complete": 13.0}
    assert got["by_control"]["approval_gate"] == {"total": 2, "open": 2, "overdue": 1, "done": 0,
                                                  "on_time_share": None, "median_days_to_complete": None}
    assert metrics.action_items(items, date(2025, 6, 11))["overdue"] == 2


def test_process_days_to_publish_and_independent_approval() -> None:
    rows = incidents(
        {"key": "p1", "started_at": t("2024-12-31 22:00"), "resolved_at": t("2025-01-01 00:00"),
         "status": "published", "published_at": t("2025-01-08 12:00"), "approver": "bob", "authors": ["alice"]},
        {"key": "p2", "started_at": t("2024-12-31 22:00"), "resolved_at": t("2025-01-01 00:00"),
         "status": "published", "published_at": t("2025-01-21 00:00"), "approver": "alice", "authors": ["alice"]},
        {"key": "d", "started_at": t("2024-12-31 22:00"), "resolved_at": t("2025-01-01 00:00"), "status": "approved",
         "approver": "bob"},
    )
    # p1: 7.5 days, p2: 20 days → median 13.75, one of two within 14 days; p2's approver is its author.
    assert metrics.process(rows) == {"published": 2, "median_days_to_publish": 13.75,
                                     "published_within_14d_share": 0.5, "independent_approval_share": 0.5}


def test_recurrence_within_and_outside_90_days() -> None:
    history = incidents(
        {"key": "h0", "started_at": t("2025-01-01 10:00"), "services": ["ledger"]},
        {"key": "h1", "started_at": t("2025-01-02 10:00"), "services": ["search"], "kind": "drill"},
    )
    window = incidents(
        # 89 days after h0, shares ledger and the category → recurs.
        {"key": "w1", "started_at": t("2025-03-31 10:00"), "services": ["ledger", "cart"]},
        # shares cart with w1 but not the category → does not recur.
        {"key": "w2", "started_at": t("2025-04-02 10:00"), "services": ["cart"], "root_cause_category": "config"},
        # 91 days after w1 → does not recur.
        {"key": "w3", "started_at": t("2025-06-30 10:00"), "services": ["ledger"]},
        # a drill earlier in search does not count.
        {"key": "w4", "started_at": t("2025-01-20 10:00"), "services": ["search"]},
    )
    got = metrics.recurrence(window, pd.concat([history, window]))
    assert got == {"recurring": 1, "share": 0.25}


def test_recurrence_with_incidents_that_started_at_the_same_moment() -> None:
    window = incidents(
        # t1 and t2 start together: neither is earlier than the other, so neither recurs through the other.
        {"key": "t1", "started_at": t("2025-03-01 10:00")},
        {"key": "t2", "started_at": t("2025-03-01 10:00")},
        # Both twins are earlier than t3, ten days before.
        {"key": "t3", "started_at": t("2025-03-11 10:00")},
        # Another service with the same moment as t1 neither recurs nor makes t1 recur.
        {"key": "o1", "started_at": t("2025-03-01 10:00"), "services": ["search"]},
    )
    assert list(recurring(window, window)) == ["t3"]
    assert metrics.recurrence(window, window) == {"recurring": 1, "share": 0.25}


def test_an_empty_window_gives_zeros_and_nulls() -> None:
    got = metrics.summary(frames_module.empty(), since=date(2025, 1, 1), until=date(2025, 2, 28),
                          as_of=date(2025, 3, 1))
    assert got["incidents"] == 0 and got["near_misses"] == 0
    assert got["durations"]["ttr"] == {"count": 0, "mean": None, "median": None, "p90": None}
    assert got["ai_attributable"]["lower"] == {"count": 0, "share": None, "ci95": [None, None]}
    assert got["control_gaps"]["dark_code"] == {"count": 0, "share": None}
    assert got["action_items"]["on_time_share"] is None and got["process"]["median_days_to_publish"] is None
    assert got["recurrence"] == {"recurring": 0, "share": None}
    assert (got["change_failure_rate"]["ai"], got["change_failure_rate"]["human"]) == (None, None)
    assert [m["month"] for m in got["by_month"]] == ["2025-01", "2025-02"]


@pytest.mark.parametrize(("since", "until", "expected"), [
    (date(2025, 1, 1), date(2025, 3, 31), (date(2024, 10, 3), date(2024, 12, 31))),
    (date(2025, 3, 1), date(2025, 3, 1), (date(2025, 2, 28), date(2025, 2, 28))),
])
def test_previous_window_has_the_same_length(since: date, until: date, expected: tuple[date, date]) -> None:
    assert metrics.previous_window(since, until) == expected


def test_months_between() -> None:
    assert months_between(date(2024, 11, 15), date(2025, 2, 1)) == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert months_between(date(2025, 2, 1), date(2025, 1, 1)) == []
