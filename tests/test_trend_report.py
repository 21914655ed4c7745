"""`coe trend-report`: the governance trend report read back as text, its numbers those of metrics.summary()."""

from datetime import date
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from coe import services
from coe.cli import app
from coe.db import engine_for, reading, writing
from coe.metrics import frames, previous_window, summary
from coe.reports.trend import kpis
from coe.validation import parse_incident
from tests.search_corpus import corpus_doc

runner = CliRunner()
SINCE, UNTIL, AS_OF = date(2025, 7, 1), date(2025, 12, 31), date(2026, 1, 15)
ROWS = [  # key suffix, started, title, root cause, services, team, severity, ai involvement
    ("0002", "2025-08-10", "Cascading failure after cache cluster restart", "Retries amplified load.",
     ["cache", "orders"], "storage", "sev2", "none"),
    ("0003", "2025-11-20", "Agent deleted the billing environment", "The agent held broad permissions.",
     ["billing"], "billing-console", "sev2", "confirmed"),
    ("0004", "2025-03-02", "Certificate expired on the payments gateway", "The renewal alarm was muted.",
     ["payments"], "payments", "sev3", "none"),
]


def _seed(url: str, domain_example: dict) -> None:
    """The DOMAIN.md example (contested, with durations and action items), three corpus incidents, a near miss."""
    near_miss = corpus_doc(domain_example, ("0005", "2025-09-05", "Near miss: agent almost dropped a table",
                                            "Caught by review.", ["orders"], "storage", "sev4", "none"),
                           kind="near_miss")
    docs = [parse_incident(domain_example["incidents"][0]), *(corpus_doc(domain_example, r) for r in ROWS), near_miss]
    with writing(engine_for(url)) as session:
        services.import_incidents(session, incidents=docs, actor="tester")


def _render(url: str, folder: Path, since: str, until: str) -> tuple[object, str]:
    output = folder / f"trend-{since}.pdf"
    result = runner.invoke(app, ["--database", url, "--as", "tester", "trend-report", "--since", since,
                                 "--until", until, "--as-of", AS_OF.isoformat(), "--output", str(output)])
    assert result.exit_code == 0, result.output
    return result, " ".join(" ".join(page.extract_text() for page in PdfReader(output).pages).split())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def test_trend_report_shows_every_section_with_the_numbers_of_summary(database_url, domain_example, tmp_path) -> None:
    _seed(database_url, domain_example)
    _, text = _render(database_url, tmp_path, SINCE.isoformat(), UNTIL.isoformat())
    with reading(engine_for(database_url)) as session:
        m = summary(frames.load(session, since=SINCE, until=UNTIL), since=SINCE, until=UNTIL, as_of=AS_OF)
        first, last = previous_window(SINCE, UNTIL)
        before = summary(frames.load(session, since=first, until=last), since=first, until=last, as_of=AS_OF)
    assert (m["incidents"], m["near_misses"], before["incidents"]) == (3, 1, 1)  # the seed is what we think
    for heading in ("Governance trend report", "2025-07-01 – 2025-12-31", "Generated", "KPI summary",
                    "AI-attributable failures by month", "Durations", "Control gaps", "Action-item follow-through",
                    "Contested incidents", "COEs of the window"):
        assert heading in text, heading
    assert f"Compared with {first} to {last}" in text
    for k in kpis(m, before):
        assert f"{k['label']} {k['current']} {k['previous']} {k['change']}" in text, k
    assert "Incidents 3 1 +2" in text
    ai = m["ai_attributable"]
    assert f"{_pct(ai['lower']['share'])} – {_pct(ai['upper']['share'])} of {ai['total']} incidents" in text
    for name, d in m["durations"].items():
        median = "—" if d["median"] is None else f"{d['median']:.1f} min"
        p90 = "—" if d["p90"] is None else f"{d['p90']:.1f} min"
        assert f"{name.upper()} " in text and f"{d['count']} {median} {p90}" in text, name
    assert m["durations"]["ttr"]["count"] == 1 and f"{m['durations']['ttr']['median']:.1f} min" in text
    assert f"Among {m['control_gaps']['ai_involved']} incidents" in text
    gap = m["control_gaps"]["gate_bypassed_or_absent"]
    assert f"approval gate bypassed or absent {gap['count']} {_pct(gap['share'])}" in text
    a = m["action_items"]
    assert f"{a['total']} in all, {a['open']} open, {a['overdue']} overdue on {AS_OF}, {a['done']} done" in text
    for row in m["by_month"]:
        assert f"{row['month']} {row['incidents']} {row['ai_lower']} {row['ai_upper']}" in text
    for key in ("COE-2025-0001", "COE-2025-0002", "COE-2025-0003", "COE-2025-0005"):
        assert key in text
    assert "COE-2025-0004" not in text  # the previous window's incident is only counted, not listed
    assert "CONTESTED" in text
    for claim in domain_example["incidents"][0]["attribution"]["claims"]:
        assert claim["source"] in text


def test_an_empty_window_renders_with_zeros(sqlite_url, tmp_path) -> None:
    _, text = _render(sqlite_url, tmp_path, "2030-01-01", "2030-03-31")
    assert "Incidents 0 0 +0" in text and "No contested incidents in this window." in text
    assert "No COEs in this window." in text and "0 in all, 0 open, 0 overdue" in text
    assert "2030-03 0 0 0" in text


def test_bad_windows_and_outputs_are_one_sentence(sqlite_url, tmp_path) -> None:
    base = ["--database", sqlite_url, "--as", "tester", "trend-report"]
    backwards = runner.invoke(app, [*base, "--since", "2026-02-01", "--until", "2026-01-01",
                                    "--output", str(tmp_path / "x.pdf")])
    assert backwards.exit_code == 1 and "before --since" in backwards.output
    nowhere = runner.invoke(app, [*base, "--since", "2026-01-01", "--until", "2026-01-31",
                                  "--output", "/nonexistent/dir/x.pdf"])
    assert nowhere.exit_code == 1 and "cannot write" in nowhere.output
    bad = runner.invoke(app, [*base, "--since", "2026-13-01", "--until", "2026-01-31", "--output", "x.pdf"])
    assert bad.exit_code == 1 and "not a date" in bad.output
    assert not (tmp_path / "x.pdf").exists()
