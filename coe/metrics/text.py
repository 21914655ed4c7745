"""The `coe metrics` object as a readable plain-text table."""

from typing import Any

_GAPS = {"gate_bypassed_or_absent": "approval gate bypassed or absent", "admin_permissions": "admin permissions",
         "inherited_permissions": "operator's permissions inherited", "dark_code": "unreviewed AI code (dark code)",
         "agent_executed": "AI-executed change", "spec_not_reviewed": "no reviewed spec"}


def _pct(value: float | None) -> str:
    """A share as a percentage, or an em dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, unit: str = "") -> str:
    """A number with one decimal, or an em dash."""
    return "—" if value is None else f"{value:.1f}{unit}"


def _ci(pair: list[float | None]) -> str:
    """A 95% interval as percentages."""
    return "—" if pair[0] is None else f"{_pct(pair[0])}–{_pct(pair[1])}"


def metrics_text(m: dict[str, Any]) -> str:
    """Sections of aligned lines: the window, durations, AI share, controls, actions, process, recurrence, CFR."""
    ai = m["ai_attributable"]
    lines = [f"window {m['since']} … {m['until']} (overdue as of {m['as_of']})",
             f"incidents {m['incidents']}   near misses {m['near_misses']}", "",
             f"{'duration (min)':<16}{'count':>7}{'median':>10}{'mean':>10}{'p90':>10}"]
    for name, d in m["durations"].items():
        lines.append(f"{name.upper():<16}{d['count']:>7}{_num(d['median']):>10}{_num(d['mean']):>10}{_num(d['p90']):>10}")
    lines += ["", (f"AI-attributable share of {ai['total']} incidents: "
              f"{_pct(ai['lower']['share'])} – {_pct(ai['upper']['share'])}"),
              f"  lower {ai['lower']['count']:>5}  {_pct(ai['lower']['share']):>7}  95% CI {_ci(ai['lower']['ci95'])}",
              f"  upper {ai['upper']['count']:>5}  {_pct(ai['upper']['share']):>7}  95% CI {_ci(ai['upper']['ci95'])}",
              "", f"control gaps among {m['control_gaps']['ai_involved']} AI-involved incidents"]
    for key, label in _GAPS.items():
        gap = m["control_gaps"][key]
        lines.append(f"  {label:<34}{gap['count']:>6}  {_pct(gap['share']):>7}")
    a, p, r, cfr = m["action_items"], m["process"], m["recurrence"], m["change_failure_rate"]
    lines += ["", (f"action items {a['total']}: open {a['open']}, overdue {a['overdue']}, done {a['done']}, "
              f"on time {_pct(a['on_time_share'])}, median {_num(a['median_days_to_complete'], ' days')} to complete"),
              (f"published COEs {p['published']}: median {_num(p['median_days_to_publish'], ' days')} to publish, "
              f"{_pct(p['published_within_14d_share'])} within 14 days, "
              f"independent approval {_pct(p['independent_approval_share'])}"),
              f"recurring incidents {r['recurring']} ({_pct(r['share'])})",
              f"change failure rate: AI {_pct(cfr['ai'])}, human {_pct(cfr['human'])}"
              + ("" if cfr["ai"] is not None or cfr["human"] is not None else " (no change volumes for the window)")]
    return "\n".join(lines)
