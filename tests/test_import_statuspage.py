"""Status-page incidents (Atlassian Statuspage API shape and JSONL) through `coe import --format statuspage`."""

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe import importers
from coe.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "import"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def count(url) -> int:
    return len(json.loads(coe(url, "list", "--json").stdout))


def test_the_api_shape_maps_updates_impact_components_and_times():
    found = importers.read(FIXTURES / "statuspage_api.json", "statuspage")
    assert found.problems == []
    first, second = found.incidents
    assert first.title == "Elevated checkout errors"
    assert first.severity == "sev2" and first.status == "draft"
    assert first.services == ["Checkout", "Payments API"]
    assert first.started_at.isoformat() == "2025-03-04T14:00:00+00:00"
    assert first.detected_at.isoformat() == "2025-03-04T14:12:00+00:00"
    assert first.mitigated_at.isoformat() == "2025-03-04T15:05:00+00:00"
    assert first.resolved_at.isoformat() == "2025-03-04T15:40:00+00:00"
    # Updates out of order in the source come back in time order, each with its phase.
    assert [(e.at.strftime("%H:%M"), e.phase, e.description) for e in first.timeline] == [
        ("14:12", "detection", "Investigating: We are looking into failed card payments."),
        ("15:05", "mitigation", "Monitoring: A fix is deployed; we are watching error rates."),
        ("15:40", "resolution", "Resolved: Checkout is working normally again."),
    ]
    assert first.external_refs[0].model_dump(mode="json") == {
        "system": "status_page", "id": "syn001abc", "url": "https://stspg.io/syn001"}
    assert first.external_refs[1].id == f"sha256:{found.sha256}"
    assert second.severity == "sev4" and second.services == []
    assert second.started_at.isoformat() == "2025-03-06T14:00:00+00:00"


def test_jsonl_with_bom_crlf_and_blank_lines():
    first, second = importers.read(FIXTURES / "statuspage_lines.jsonl", "statuspage").incidents
    assert (first.title, first.severity, first.services) == ("Incident with Actions", "sev1", ["Actions"])
    assert len(first.timeline) == 2 and first.timeline[-1].phase == "resolution"
    assert str(first.external_refs[0].url) == "https://status.example.com/incidents/g1"
    assert (second.severity, second.services, second.timeline[0].description) == (
        "sev5", [], "Scheduled: Maintenance window.")


def test_auto_picks_statuspage_for_jsonl_and_a_reimport_is_skipped(sqlite_url):
    path = str(FIXTURES / "statuspage_lines.jsonl")
    result = coe(sqlite_url, "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 2 incidents")
    again = coe(sqlite_url, "import", path)
    assert "already imported" in again.stderr and count(sqlite_url) == 2


def test_bad_records_are_named_by_line_and_nothing_is_written(sqlite_url):
    path = FIXTURES / "statuspage_bad.jsonl"
    result = coe(sqlite_url, "import", "--format", "statuspage", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:4: not valid JSON: column 1: Expecting value",
        f"{path}:2: impact: unknown value 'catastrophic'; expected one of critical, major, minor, none, maintenance",
        f"{path}:3: resolved_at: 2024-02-03T09:00:00+00:00 is before started_at 2024-02-03T10:00:00+00:00",
    ]
    assert count(sqlite_url) == 0
    skipped = coe(sqlite_url, "import", "--format", "statuspage", "--skip-invalid", str(path))
    assert skipped.exit_code == 0 and count(sqlite_url) == 1


DATASETS = os.environ.get("COE_DATASETS")


@pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set")
def test_github_status_incidents(sqlite_url):
    path = Path(DATASETS) / "github-status-incidents" / "parsed" / "incidents.jsonl"
    found = importers.read(path, "statuspage")
    assert found.problems == [] and len(found.incidents) == 819
    # Line 1: "Incident with Codespaces", minor, four updates, 01:43 → 03:35 UTC on 2022-03-26.
    first = found.incidents[0]
    assert (first.title, first.severity, first.services) == ("Incident with Codespaces", "sev3", ["Codespaces"])
    assert first.started_at.isoformat() == "2022-03-26T01:43:00+00:00"
    assert first.resolved_at.isoformat() == "2022-03-26T03:35:00+00:00"
    assert [e.at.strftime("%H:%M") for e in first.timeline] == ["01:43", "01:44", "02:20", "03:35"]
    assert first.external_refs[0].id == "9632825"
    # Line 2: a scheduled maintenance with three updates, no components.
    second = found.incidents[1]
    assert (second.title, second.severity, second.services) == ("Team Synchronization for GitHub is Paused", "sev5", [])
    assert len(second.timeline) == 3 and second.resolved_at.isoformat() == "2022-03-28T15:02:00+00:00"
    # Line 201: the first critical one, ten components, eight updates, 17:52 → 18:36 UTC.
    critical = found.incidents[200]
    assert (critical.title, critical.severity, len(critical.timeline)) == ("Incident On 2023-06-29", "sev1", 8)
    assert critical.services[0] == "Git Operations" and len(critical.services) == 10
    assert (critical.started_at.isoformat(), critical.resolved_at.isoformat()) == (
        "2023-06-29T17:52:00+00:00", "2023-06-29T18:36:00+00:00")
    severities = [d.severity for d in found.incidents]
    assert (severities.count("sev1"), severities.count("sev2"), severities.count("sev5")) == (28, 138, 18)


def test_the_readme_statuspage_examples_run(sqlite_url, tmp_path, monkeypatch):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    lines = [line.split("#")[0].split() for line in readme.splitlines() if "--format statuspage" in line
             and line.startswith("coe import")]
    assert len(lines) == 2
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents.json").write_bytes((FIXTURES / "statuspage_api.json").read_bytes())
    (tmp_path / "status.jsonl").write_bytes((FIXTURES / "statuspage_lines.jsonl").read_bytes())
    outputs = [coe(sqlite_url, *line[1:]) for line in lines]
    assert [r.exit_code for r in outputs] == [0, 0]
    assert outputs[0].stdout.splitlines()[-1].startswith("would import 2 incidents from incidents.json")
    assert count(sqlite_url) == 2
