"""Spreadsheets through `coe import --format csv`: header mapping, --map, lists, dates, encodings, problems by line."""

import json
import shlex
from pathlib import Path

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
