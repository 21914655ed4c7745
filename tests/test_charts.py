"""Chart functions hold the numbers they were given; checked on small hand-built inputs."""

import pandas as pd
import pytest

from coe import charts


def test_monthly_incidents_stacks_by_ai_contribution_and_bands_the_share():
    by_month = [
        {"month": "2025-01", "incidents": 10, "ai_lower": 2, "ai_upper": 5},
        {"month": "2025-02", "incidents": 0, "ai_lower": 0, "ai_upper": 0},
    ]
    figure = charts.monthly_incidents(by_month)
    bars = {trace.name: list(trace.y) for trace in figure.data if trace.type == "bar"}
    assert bars == {
        "AI-attributable (agreed)": [2, 0],
        "AI possibly (contested or suspected)": [3, 0],
        "not attributed to AI": [5, 0],
    }
    lines = {trace.name: list(trace.y) for trace in figure.data if trace.type == "scatter"}
    assert lines["share, upper bound"][0] == pytest.approx(0.5)
    assert lines["share, lower bound"][0] == pytest.approx(0.2)
    # A month without incidents has no share, not a division by zero.
    assert pd.isna(lines["share, lower bound"][1]) and pd.isna(lines["share, upper bound"][1])
    assert figure.layout.barmode == "stack"


def test_control_gaps_shows_each_share_with_its_count():
    gaps = {
        "ai_involved": 4,
        "gate_bypassed_or_absent": {"count": 3, "share": 0.75},
        "admin_permissions": {"count": 1, "share": 0.25},
        "inherited_permissions": {"count": 0, "share": 0.0},
        "dark_code": {"count": 2, "share": 0.5},
        "agent_executed": {"count": 4, "share": 1.0},
        "spec_not_reviewed": {"count": 0, "share": 0.0},
    }
    (bar,) = charts.control_gaps(gaps).data
    shares = dict(zip(bar.y, bar.x, strict=True))
    assert shares["approval gate bypassed or absent"] == 0.75
    assert shares["unreviewed AI-generated change (dark code)"] == 0.5
    assert dict(zip(bar.y, bar.text, strict=True))["change executed by an agent"] == 4


def test_control_gaps_on_an_empty_window_has_no_shares():
    (bar,) = charts.control_gaps({"ai_involved": 0}).data
    assert list(bar.text) == [0] * 6
    assert all(share is None for share in bar.x)


def test_counts_by_counts_missing_values_as_not_recorded():
    incidents = pd.DataFrame({"tool": ["copilot", "copilot", None, "cursor", "copilot"]})
    (bar,) = charts.counts_by(incidents, "tool", "Incidents by tool").data
    assert bar.x[0] == "copilot"
    assert dict(zip(bar.x, bar.y, strict=True)) == {"copilot": 3, "cursor": 1, "not recorded": 1}


INCIDENTS = pd.DataFrame({
    "key": ["A", "B", "C", "D", "E"],
    "severity": ["sev1", "sev1", "sev2", "sev2", "sev2"],
    "ttr": [30.0, 90.0, 10.0, None, 20.0],
})


def test_duration_box_has_one_box_per_group_without_missing_durations():
    figure = charts.duration_box(INCIDENTS, "ttr", "severity", "TTR by severity")
    boxes = {trace.name: list(trace.y) for trace in figure.data}
    assert boxes == {"sev1": [30.0, 90.0], "sev2": [10.0, 20.0]}
    assert list(figure.data[1].customdata) == ["C", "E"]


def test_duration_ecdf_climbs_to_one_per_group():
    figure = charts.duration_ecdf(INCIDENTS, "ttr", "severity", "TTR distribution")
    lines = {trace.name: (list(trace.x), list(trace.y)) for trace in figure.data}
    assert lines["sev1"] == ([30.0, 90.0], [0.5, 1.0])
    assert lines["sev2"] == ([10.0, 20.0], [0.5, 1.0])


def test_severity_mix_counts_each_month_and_severity():
    incidents = pd.DataFrame({
        "started_at": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-01", "2025-02-02"], utc=True),
        "severity": ["sev1", "sev2", "sev2", "sev2"],
    })
    figure = charts.severity_mix(incidents)
    bars = {trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in figure.data}
    assert bars == {"sev1": {"2025-01": 1, "2025-02": 0}, "sev2": {"2025-01": 1, "2025-02": 2}}
    colours = {trace.name: trace.marker.color for trace in figure.data}
    assert colours == {"sev1": charts.figures.SEVERITY_COLORS["sev1"], "sev2": charts.figures.SEVERITY_COLORS["sev2"]}


def test_change_failure_rate_leaves_out_a_side_without_volumes():
    (bar,) = charts.change_failure_rate({"ai": 0.04, "human": 0.01}).data
    assert dict(zip(bar.x, bar.y, strict=True)) == {"AI-generated changes": 0.04, "human changes": 0.01}
    (bar,) = charts.change_failure_rate({"ai": None, "human": 0.02}).data
    assert list(bar.x) == ["human changes"]


def _summary(incidents, lower, upper, ttr, overdue):
    return {"incidents": incidents,
            "ai_attributable": {"lower": {"share": lower}, "upper": {"share": upper}},
            "durations": {"ttr": {"median": ttr}}, "action_items": {"overdue": overdue}}


def test_overview_tiles_show_values_and_changes_against_the_previous_window():
    tiles = charts.overview_tiles(_summary(40, 0.1, 0.25, 95.0, 3), _summary(30, 0.05, 0.2, 120.0, 5))
    assert [(t.label, t.value, t.delta) for t in tiles] == [
        ("Incidents", "40", "+10"),
        ("AI-attributable", "10%–25%", "+5 pp (upper)"),
        ("Median TTR", "95 min", "-25 min"),
        ("Overdue actions", "3", "-2"),
    ]


def test_overview_tiles_on_empty_windows_show_dashes_and_no_change():
    tiles = charts.overview_tiles(_summary(0, None, None, None, 0), _summary(0, None, None, None, 0))
    assert [(t.value, t.delta) for t in tiles] == [("0", "+0"), ("—", None), ("—", None), ("0", "+0")]


def test_picked_reads_the_customdata_of_clicked_points():
    assert charts.picked(None) == [] and charts.picked({"selection": {"points": []}}) == []
    event = {"selection": {"points": [{"customdata": "b"}, {"x": 3}, {"customdata": "a"}, {"customdata": "b"},
                                      {"customdata": ["2025-03", "sev2"]}]}}
    assert charts.picked(event) == ["b", "a", ("2025-03", "sev2")]


def test_every_clickable_figure_carries_what_its_points_stand_for():
    per = pd.DataFrame({"key": ["A", "B", "C"], "severity": ["sev1", "sev2", "sev2"], "ttr": [30.0, 10.0, 20.0]})
    ecdf = charts.duration_ecdf(per, "ttr", "severity", "t")
    assert [list(trace.customdata) for trace in ecdf.data] == [["A"], ["B", "C"]]  # in the line's order
    gaps = charts.control_gaps({"ai_involved": 1, "dark_code": {"count": 1, "share": 1.0}})
    assert "dark_code" in list(gaps.data[0].customdata)
    rates = charts.change_failure_rate({"ai": 0.02, "human": None})
    assert list(rates.data[0].customdata) == ["ai"]


def test_the_rows_behind_a_selection():
    incidents = pd.DataFrame({
        "key": ["A", "B", "C", "D"], "kind": ["incident", "incident", "incident", "near_miss"],
        "severity": ["sev1", "sev2", "sev2", "sev2"], "ai_tool": ["Kiro", None, "Kiro", None], "team": "t",
        "started_at": pd.to_datetime(["2025-03-01", "2025-03-05", "2025-04-01", "2025-03-02"], utc=True),
        "ai_involvement": ["confirmed", "none", "suspected", "confirmed"], "ai_approval_gate": "enforced",
        "ai_permission_scope": "broad", "ai_permissions_inherited": None, "ai_spec_reviewed": None})
    changes = pd.DataFrame({"key": ["A", "C", "B"], "role": ["trigger", "contributing", "trigger"],
                            "provenance": ["ai_generated_unreviewed", "ai_executed", "human"]})
    assert list(charts.with_values(incidents, "ai_tool", ["not recorded"])["key"]) == ["B", "D"]
    assert list(charts.with_gaps(incidents, changes, ["dark_code"])["key"]) == ["A"]
    assert list(charts.with_gaps(incidents, changes, ["dark_code", "agent_executed"])["key"]) == ["A", "C"]
    # The near miss D is no incident of March's sev2.
    assert list(charts.in_month_and_severity(incidents, [("2025-03", "sev2")])["key"]) == ["B"]
    volumes = pd.DataFrame({"month": ["2025-03"], "team": ["t"], "changes_total": [10], "changes_ai_generated": [5]})
    # C's AI change is in April, a month without a volume: the rate does not count it.
    assert list(charts.failed_by_provenance(incidents, changes, volumes, ["2025-03", "2025-04"], ["ai"])["key"]) == ["A"]
    assert list(charts.failed_by_provenance(incidents, changes, volumes, ["2025-03"], ["human"])["key"]) == ["B"]
    items = pd.DataFrame({"key": ["A", "B", "C"], "overdue": [True, True, False], "days_overdue": [7, 8, None]})
    assert list(charts.overdue_for(items, ["8–30 days"], (0, 7, 30), ("1–7 days", "8–30 days"))["key"]) == ["B"]
