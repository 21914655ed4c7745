"""`coe metrics`: the JSON contract, hand-worked numbers on a small imported history, empty windows, bad options."""

import json
from pathlib import Path

from typer.testing import CliRunner

from coe.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "metrics"
WINDOW = ("--since", "2025-01-01", "--until", "2025-06-30", "--as-of", "2025-07-15")


def coe(url: str, *args: str):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def test_metrics_of_a_small_history_equal_the_hand_worked_numbers(sqlite_url: str) -> None:
    assert coe(sqlite_url, "import", str(FIXTURES / "incidents.json")).exit_code == 0
    assert coe(sqlite_url, "volume", "import", str(FIXTURES / "volumes.csv")).exit_code == 0
    result = coe(sqlite_url, "metrics", *WINDOW, "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    # In the window: 2025-0001…0006 are incidents; 0007 is a near miss; 0008 a drill; the 2024 ones are history.
    assert (got["since"], got["until"], got["as_of"], got["incidents"], got["near_misses"]) == (
        "2025-01-01", "2025-06-30", "2025-07-15", 6, 1)
    # TTD 5,10,20,30,45,60 → mean 170/6, median (20+30)/2, p90 at rank 4.5 = 45 + 0.5·15.
    assert got["durations"]["ttd"] == {"count": 6, "mean": 28.3333, "median": 25.0, "p90": 52.5}
    # TTA 15,30,40,60,70 (0004 was never acknowledged) → p90 at rank 3.6 = 60 + 0.6·10.
    assert got["durations"]["tta"] == {"count": 5, "mean": 43.0, "median": 40.0, "p90": 66.0}
    assert got["durations"]["ttm"] == {"count": 5, "mean": 102.0, "median": 120.0, "p90": 120.0}
    # TTR 60,120,120,180,240,240.
    assert got["durations"]["ttr"] == {"count": 6, "mean": 160.0, "median": 150.0, "p90": 240.0}
    # Lower: 0002 (primary, agreed). Upper adds 0003 (contributing, contested), 0005 (suspected, undetermined)
    # and 0006 (a press claim names the tool). Wilson 1/6 and 4/6 by the formula with z = 1.96.
    assert got["ai_attributable"] == {"total": 6,
                                      "lower": {"count": 1, "share": 0.1667, "ci95": [0.0301, 0.5635]},
                                      "upper": {"count": 4, "share": 0.6667, "ci95": [0.3, 0.9032]}}
    # AI-involved: 0002 (bypassed, admin, inherited, ai_executed, no spec), 0003 (absent, dark code), 0005.
    third = {"count": 1, "share": 0.3333}
    assert got["control_gaps"] == {"ai_involved": 3, "gate_bypassed_or_absent": {"count": 2, "share": 0.6667},
                                   "admin_permissions": third, "inherited_permissions": third, "dark_code": third,
                                   "agent_executed": third, "spec_not_reviewed": third}
    # Items of 0001…0006: open 2 + in progress 1; overdue only 0002's gate (due 2025-03-01);
    # done: 0001 on time (10 days after resolution), 0002 late (45 days), 0006 on time (10 days).
    items = got["action_items"]
    assert {k: v for k, v in items.items() if k != "by_control"} == {
        "total": 6, "open": 3, "overdue": 1, "done": 3, "on_time_share": 0.6667, "median_days_to_complete": 10.0}
    assert items["by_control"]["approval_gate"]["overdue"] == 1
    # Published 0001 (5 days), 0002 (21), 0005 (8), 0006 (5); 0005 was approved by its own author.
    assert got["process"] == {"published": 4, "median_days_to_publish": 6.5, "published_within_14d_share": 0.75,
                              "independent_approval_share": 0.75}
    # 0004 follows 0001 on checkout-api/deployment after 69 days; 0002 follows 2024-0002 after 50 days;
    # 0006 follows 2024-0001 only after 181 days.
    assert got["recurrence"] == {"recurring": 2, "share": 0.3333}
    # AI failures 0002, 0003 ÷ (50+40+60); human 0001, 0004 ÷ (150+60+90); 0005's change is only a suspect.
    cfr = got["change_failure_rate"]
    assert (cfr["ai"], cfr["human"]) == (0.0133, 0.0067)
    # Regression: a team filter narrows the denominator to the team's own changes, not every team's.
    payments = json.loads(coe(sqlite_url, "metrics", *WINDOW, "--team", "payments", "--json").stdout)
    assert (payments["change_failure_rate"]["changes_ai_generated"], payments["change_failure_rate"]["changes_human"]) \
        == (50 + 60, 150 + 90)
    assert [(m["month"], m["incidents"], m["ai_lower"], m["ai_upper"]) for m in got["by_month"]] == [
        ("2025-01", 1, 0, 0), ("2025-02", 1, 1, 1), ("2025-03", 2, 0, 1), ("2025-04", 1, 0, 1),
        ("2025-05", 1, 0, 1), ("2025-06", 0, 0, 0)]


def test_the_json_keys_are_those_of_the_contract(sqlite_url: str) -> None:
    got = json.loads(coe(sqlite_url, "metrics", "--json").stdout)
    assert {"since", "until", "as_of", "incidents", "near_misses", "durations", "ai_attributable", "control_gaps",
            "action_items", "process", "recurrence", "change_failure_rate", "by_month"} <= set(got)
    assert set(got["durations"]) == {"ttd", "tta", "ttm", "ttr"}
    assert {"total", "lower", "upper"} <= set(got["ai_attributable"])
    assert set(got["ai_attributable"]["lower"]) == {"count", "share", "ci95"}
    assert {"ai_involved", "gate_bypassed_or_absent", "admin_permissions", "inherited_permissions", "dark_code",
            "agent_executed", "spec_not_reviewed"} <= set(got["control_gaps"])
    assert {"total", "open", "overdue", "done", "on_time_share", "median_days_to_complete"} <= set(got["action_items"])
    assert {"published", "median_days_to_publish", "published_within_14d_share",
            "independent_approval_share"} <= set(got["process"])
    assert {"recurring", "share"} <= set(got["recurrence"]) and {"ai", "human"} <= set(got["change_failure_rate"])


def test_an_empty_window_gives_zeros_and_nulls_and_filters_narrow(sqlite_url: str) -> None:
    coe(sqlite_url, "import", str(FIXTURES / "incidents.json"))
    empty = coe(sqlite_url, "metrics", "--since", "2030-01-01", "--until", "2030-01-31", "--json")
    assert empty.exit_code == 0
    got = json.loads(empty.stdout)
    assert got["incidents"] == 0 and got["ai_attributable"]["upper"]["share"] is None
    assert got["by_month"] == [{"month": "2030-01", "incidents": 0, "ai_lower": 0, "ai_upper": 0, "lower_share": None,
                                "upper_share": None, "lower_ci95": [None, None], "upper_ci95": [None, None]}]
    search = json.loads(coe(sqlite_url, "metrics", *WINDOW, "--team", "search", "--json").stdout)
    assert search["incidents"] == 1 and search["ai_attributable"]["upper"]["count"] == 1
    table = coe(sqlite_url, "metrics", *WINDOW)
    assert table.exit_code == 0
    assert "incidents 6   near misses 1" in table.stdout and "16.7% – 66.7%" in table.stdout


def test_a_wrong_date_is_a_usage_error(sqlite_url: str) -> None:
    result = coe(sqlite_url, "metrics", "--since", "2025-13-01")
    assert result.exit_code == 2 and "2025-13-01" in result.output
    backwards = coe(sqlite_url, "metrics", "--since", "2025-02-01", "--until", "2025-01-01")
    assert backwards.exit_code == 2
