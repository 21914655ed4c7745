"""Spreadsheets through `coe import --format csv`: header mapping, --map, lists, dates, encodings, problems by line."""

import json
import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe import importers
from coe.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "import"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def test_utf8_bom_crlf_aliases_lists_and_date_formats():
    found = importers.read(FIXTURES / "sheet_bom.csv", "auto", "UTC")
    assert found.problems == []
    first, second = found.incidents
    assert (first.title, first.severity, first.services, first.team) == (
        "Search index lag", "sev2", ["search", "indexer"], "discovery")
    assert first.started_at.isoformat() == "2025-02-03T10:15:00+00:00"
    assert first.resolved_at.isoformat() == "2025-02-03T11:00:00+00:00"
    assert first.summary == "Indexing fell behind, results were stale."
    assert [(s.heading, s.text) for s in first.extra_sections] == [("Ticket", "OPS-12")]
    assert (second.severity, second.services) == ("sev3", ["auth", "gateway"])
    assert second.started_at.isoformat() == "2025-02-04T08:00:00+00:00"  # day-first dotted date
    assert first.status == "draft" and first.external_refs[0].id == f"sha256:{found.sha256}"


def test_windows_1252_and_map_with_a_zone():
    found = importers.read(FIXTURES / "sheet_cp1252.csv", "csv", "Europe/Berlin", {"Titel": "title"})
    [doc] = found.incidents
    assert doc.title == "Café menu outage"
    assert doc.summary == "Menü prices showed € 0."
    assert doc.started_at.isoformat() == "2025-02-05T08:30:00+00:00"  # US month/day, Berlin is UTC+1


def test_naive_times_without_a_zone_and_bad_cells_are_named_by_line(sqlite_url):
    path = FIXTURES / "sheet_bad.csv"
    result = coe(sqlite_url, "import", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:3: severity: unknown value 'high'")
    assert lines[1].startswith(f"{path}:4: started_at: ")
    assert len(lines) == 2
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []
    result = coe(sqlite_url, "import", "--skip-invalid", str(path))
    assert result.exit_code == 0 and result.stdout.startswith("imported 1 incidents")


def test_map_must_name_a_field(sqlite_url):
    result = coe(sqlite_url, "import", "--map", "Titel=headline", str(FIXTURES / "sheet_cp1252.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{FIXTURES / 'sheet_cp1252.csv'}:1: headline: --map names no field")
    assert coe(sqlite_url, "import", "--map", "nonsense", str(FIXTURES / "sheet_cp1252.csv")).exit_code == 2


def test_the_cli_imports_a_sheet_with_map_and_timezone(sqlite_url):
    result = coe(sqlite_url, "import", "--map", "Titel=title", "--timezone", "UTC", str(FIXTURES / "sheet_cp1252.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 1 incidents")


def test_the_readme_csv_example_runs(sqlite_url, tmp_path, monkeypatch):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    [line] = [line for line in readme.splitlines() if line.startswith("coe import --format csv")]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheet.csv").write_bytes((FIXTURES / "sheet_cp1252.csv").read_bytes())
    result = coe(sqlite_url, *shlex.split(line)[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 1 incidents from sheet.csv")
    [dry_run] = [line for line in readme.splitlines() if line.startswith("coe import --dry-run --format csv")]
    (tmp_path / "cloud.csv").write_bytes(CLOUD.read_bytes())
    result = coe(sqlite_url, *shlex.split(dry_run)[1:])
    assert result.exit_code == 0, result.output
    assert "  root_cause_l2 → root_cause_category where it names one category clearly, text kept" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("would import 4 incidents from cloud.csv")


CLOUD = FIXTURES / "sheet_cloud.csv"
CLOUD_OPTIONS = ("--format", "csv", "--set", "severity=sev3", "--timezone", "UTC")


def test_a_sheet_without_severity_is_refused_in_one_line_naming_set(sqlite_url):
    result = coe(sqlite_url, "import", "--timezone", "UTC", str(CLOUD))
    assert result.exit_code == 1
    assert result.stderr == (f"{CLOUD}:1: severity: no column gives the severity; name one with --map COLUMN=severity, "
                             "or give every row one with --set severity=sev3\n")
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []


def test_date_only_cells_without_a_zone_are_one_line_for_the_column(sqlite_url):
    result = coe(sqlite_url, "import", "--format", "csv", "--set", "severity=sev3", str(CLOUD))
    assert result.exit_code == 1
    assert result.stderr == (f"{CLOUD}:2: started_at: column 'date' gives dates without a time or zone (4 rows); "
                             "add --timezone ZONE to read them in that zone (dates as 00:00), e.g. --timezone UTC\n")


def test_set_fills_every_row_and_the_dry_run_says_what_went_where(sqlite_url):
    result = coe(sqlite_url, "import", "--dry-run", *CLOUD_OPTIONS, str(CLOUD))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for line in ("4 rows → incidents", "date → started_at", "services_affected → services",
                 "duration_minutes → resolved_at (started_at + duration, where no resolved_at is given)",
                 "id → external_refs ('sheet-cloud:<id>': a re-import recognises the row)",
                 "kept as extra sections: provider, impact_symptoms, root_cause_l1, root_cause_l2",
                 "--set severity=sev3: 4 rows", "4 dates without a time of day: 00:00 UTC",
                 "1 rows give no duration and no resolved_at: resolved_at left empty"):
        assert f"  {line}" in lines
    assert lines[-1].startswith("would import 4 incidents")
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []


def test_a_cloud_sheet_maps_by_name_and_keeps_the_rest(sqlite_url):
    found = importers.read(CLOUD, "csv", "Europe/Berlin", {"root_cause_l2": "root_cause_category"}, {"severity": "sev3"})
    assert found.problems == []
    one, two, three, four = found.incidents
    assert (one.title, one.severity, one.services) == ("Object store errors in one zone", "sev3",
                                                       ["object store", "metadata service"])
    assert one.started_at.isoformat() == "2024-03-09T23:00:00+00:00"  # midnight in Berlin, UTC+1
    assert one.resolved_at.isoformat() == "2024-03-10T00:35:00+00:00"  # 95 minutes later
    assert (one.summary, one.resolution, one.root_cause_category) == (
        "A faulty index build made metadata lookups fail.", "roll back the release", "code_defect")
    assert [(r.system, r.id, r.url) for r in one.external_refs][0] == (
        "other", "sheet-cloud:acme-1", "https://status.example.com/incidents/acme-1")
    assert [s.heading for s in one.extra_sections] == [
        "provider", "impact_symptoms", "root_cause_l1", "root_cause_l2", "human_error"]
    assert one.attribution.claims == []
    # 3h 30m after midnight on the night clocks went forward: counted in real time, not on the wall clock.
    assert (two.started_at.isoformat(), two.resolved_at.isoformat()) == (
        "2024-03-30T23:00:00+00:00", "2024-03-31T02:30:00+00:00")
    assert [(c.category, c.description) for c in two.contributing_factors] == [
        ("hardware", "hardware failures"), ("code_defect", "software bugs")]
    assert two.root_cause_category == "unknown"
    [claim] = two.attribution.claims
    assert (claim.source, claim.source_kind, claim.attributes_to, claim.confidence, claim.statement) == (
        "sheet_cloud.csv", "other", "human_error", "known", "human_error: True")
    assert two.attribution.primary_cause == "undetermined"  # a flag says human error played a part, not that it was primary
    assert three.resolved_at is None and three.root_cause_category == "unknown"
    assert (four.root_cause_category, four.contributing_factors) == ("unknown", [])  # "component removal": no clear category
    assert four.resolved_at - four.started_at == timedelta(minutes=90)


def test_set_keeps_a_value_the_row_gives(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("title,sev,started_at\nA,sev1,2025-01-01T10:00:00+00:00\nB,,2025-01-02T10:00:00+00:00\n")
    found = importers.read(sheet, "csv", None, {}, {"severity": "sev4"})
    assert [i.severity for i in found.incidents] == ["sev1", "sev4"]
    assert "--set severity=sev4: 1 rows" in found.summary


def test_the_dry_run_names_a_map_that_matched_no_column(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("title,severity,started_at\nA,sev1,2025-01-01T10:00:00+00:00\n")
    found = importers.read(sheet, "csv", None, {"Sevrity": "severity"})
    assert "--map Sevrity=severity: no column is named 'Sevrity'" in found.summary


@pytest.mark.parametrize(("setting", "message"), [
    ("headline=x", "--set headline=x: 'headline' is no field a sheet fills; one of title, kind, severity"),
    ("severity=high", "--set severity=high: unknown value 'high'; expected one of 'sev1', 'sev2'"),
    ("started_at=yesterday", "--set started_at=yesterday: 'yesterday' is not an ISO-8601 timestamp"),
])
def test_a_wrong_set_is_one_sentence_and_exit_1(sqlite_url, setting, message):
    result = coe(sqlite_url, "import", "--set", setting, "--timezone", "UTC", str(CLOUD))
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []


def test_a_malformed_set_or_set_for_another_format_is_a_command_line_error(sqlite_url):
    assert coe(sqlite_url, "import", "--set", "severity", str(CLOUD)).exit_code == 2
    assert coe(sqlite_url, "import", "--format", "markdown", "--set", "severity=sev3", str(CLOUD)).exit_code == 2
    markdown = FIXTURES / "crlf_pricing.md"
    assert coe(sqlite_url, "import", "--set", "severity=sev3", str(markdown)).exit_code == 2  # auto, and not a sheet


@pytest.mark.parametrize(("column", "cell", "minutes"), [
    ("duration_minutes", "1768", 1768), ("Duration (min)", "90 min", 90), ("duration", "1h 30m", 90),
    ("TTR", "1:30", 90), ("time to resolve", "2 days", 2880), ("Duration (h)", "1.5", 90),
    ("Downtime", "45m", 45), ("time_to_recovery_hours", "2", 120),
])
def test_a_duration_column_sets_resolved_at(tmp_path, column, cell, minutes):
    sheet = tmp_path / "d.csv"
    sheet.write_text(f'title,severity,started_at,"{column}"\nA,sev2,2025-01-01T10:00:00+00:00,{cell}\n')
    [doc] = importers.read(sheet, "csv").incidents
    assert doc.resolved_at - doc.started_at == timedelta(minutes=minutes)


def test_a_resolved_cell_wins_over_the_duration_which_is_kept(tmp_path):
    sheet = tmp_path / "d.csv"
    sheet.write_text("title,severity,started_at,resolved_at,duration\n"
                     "A,sev2,2025-01-01T10:00:00+00:00,2025-01-01T11:00:00+00:00,90\n")
    [doc] = importers.read(sheet, "csv").incidents
    assert doc.resolved_at.isoformat() == "2025-01-01T11:00:00+00:00"
    assert [(s.heading, s.text) for s in doc.extra_sections] == [("duration", "90")]


def test_a_bad_duration_cell_is_named_by_line_and_column_and_nothing_is_written(sqlite_url):
    path = FIXTURES / "sheet_bad_duration.csv"
    result = coe(sqlite_url, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"{path}:3: duration: column 'Duration (min)': 'a while' is not a duration; "
                             "write minutes (90), '90 min', '1h 30m' or '1:30'\n")
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []


def test_a_human_error_cell_that_is_not_true_or_false_is_refused(tmp_path):
    sheet = tmp_path / "h.csv"
    sheet.write_text("title,severity,started_at,Human Error\nA,sev2,2025-01-01T10:00:00+00:00,maybe\n")
    found = importers.read(sheet, "csv")
    assert found.incidents == []
    assert found.problems == [f"{sheet}:2: human_error: column 'Human Error': 'maybe' is not true or false"]


def test_a_newer_copy_of_the_sheet_imports_only_its_new_rows(sqlite_url, tmp_path):
    assert coe(sqlite_url, "import", *CLOUD_OPTIONS, str(CLOUD)).stdout.startswith("imported 4 incidents")
    again = coe(sqlite_url, "import", *CLOUD_OPTIONS, str(CLOUD))
    assert again.stdout.startswith("imported 0 incidents") and "already imported as" in again.stderr
    newer = tmp_path / "sheet_cloud.csv"
    extra = "acme-5,Acme Cloud,2024-11-02,DNS errors,20,dns,availability,internal causes,configuration,False,,,Bad zone file."
    newer.write_text(CLOUD.read_text(encoding="utf-8").replace("acme-1,Acme Cloud", "acme-1,ACME") + extra + "\n",
                     encoding="utf-8")
    result = coe(sqlite_url, "import", *CLOUD_OPTIONS, str(newer))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"imported 1 incidents from {newer}: COE-2024-0005",
                                          "skipped 4 already imported (same other id): COE-2024-0001, COE-2024-0002, "
                                          "COE-2024-0003 and 1 more"]
