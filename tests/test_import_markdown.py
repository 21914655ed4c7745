"""Markdown post-mortems through `coe import`: mapping, quirks, all-or-nothing, re-import."""

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe.cli import app
from tests.conftest import prepare

FIXTURES = Path(__file__).parent / "fixtures" / "import"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def shown(url, key):
    return json.loads(coe(url, "show", key, "--json").stdout)


def test_crlf_misspelt_headings_and_out_of_order_table(database_url):
    result = coe(database_url, "import", str(FIXTURES / "crlf_pricing.md"))
    assert result.exit_code == 0, result.output
    doc = shown(database_url, "COE-2024-0001")
    assert doc["title"] == "Cache stampede on the pricing service"
    assert doc["severity"] == "sev2" and doc["status"] == "draft"
    assert doc["summary"].startswith("The pricing cache expired")
    assert doc["root_cause"] == "every key shared one expiry time."
    # PDT is UTC-7; the 09:14 row was written after 09:25 and is sorted into place.
    assert [e["at"] for e in doc["timeline"]] == [
        "2024-03-05T16:10:00+00:00", "2024-03-05T16:14:00+00:00",
        "2024-03-05T16:25:00+00:00", "2024-03-05T16:50:00+00:00"]
    assert doc["detected_at"] == "2024-03-05T16:14:00+00:00"
    assert doc["mitigated_at"] == "2024-03-05T16:25:00+00:00"
    assert doc["resolved_at"] == "2024-03-05T16:50:00+00:00"
    assert [(a["title"], a["kind"], a["owner"]) for a in doc["action_items"]] == [
        ("Add jitter to cache expiry", "prevent", "dana"), ("Alert on pool saturation", "detect", "raj")]
    assert doc["lessons"]["got_lucky"] == ["It happened outside the sale window."]
    assert doc["extra_sections"] == [{"heading": "Customer Comms", "text": "We emailed the top accounts."}]
    assert doc["external_refs"][0]["id"].startswith("sha256:")
    assert doc["external_refs"][0]["url"] == (FIXTURES / "crlf_pricing.md").resolve().as_uri()


def test_windows_1252_file_without_extension_and_stated_duration(database_url):
    result = coe(database_url, "import", str(FIXTURES / "cp1252_queue"))
    assert result.exit_code == 0, result.output
    doc = shown(database_url, "COE-2023-0001")
    assert doc["title"] == "Löschung der Warteschlange"
    assert doc["severity"] == "sev1"
    assert "gelöscht – ein Fehler" in doc["summary"]
    assert doc["started_at"] == "2023-06-12T04:30:00+00:00"  # 10:00 IST
    assert doc["resolved_at"] == "2023-06-12T05:35:00+00:00"  # + the stated 65 minutes
    assert [a["title"] for a in doc["action_items"]] == [
        "Guard the purge command behind a confirmation", "Restore the backup job"]


def test_bom_and_dates_from_sub_headings(database_url):
    assert coe(database_url, "import", str(FIXTURES / "bom_login.md")).exit_code == 0
    doc = shown(database_url, "COE-2022-0001")
    assert doc["title"] == "Login failures 2022-11-30"
    assert [e["at"] for e in doc["timeline"]] == ["2022-11-30T23:50:00+00:00", "2022-12-01T00:20:00+00:00"]


def test_dry_run_prints_the_mapping_and_writes_nothing(database_url):
    result = coe(database_url, "import", "--dry-run", str(FIXTURES / "crlf_pricing.md"))
    assert result.exit_code == 0, result.output
    assert "## Sumary → summary" in result.stdout
    assert "## Customer Comms → extra_sections" in result.stdout
    assert "would import 1 incidents" in result.stdout
    assert coe(database_url, "list", "--json").stdout.strip() in ("[]", "")


def test_one_bad_file_and_nothing_is_written_unless_skip_invalid(database_url):
    files = [str(FIXTURES / "crlf_pricing.md"), str(FIXTURES / "no_date.md")]
    result = coe(database_url, "import", *files)
    assert result.exit_code == 1
    assert f"{files[1]}:1: started_at: no date found" in result.stderr
    assert json.loads(coe(database_url, "list", "--json").stdout or "[]") == []
    result = coe(database_url, "import", "--skip-invalid", *files)
    assert result.exit_code == 0, result.output
    assert "imported 1 incidents" in result.stdout and "no_date.md:1: started_at" in result.stderr
    assert [r["key"] for r in json.loads(coe(database_url, "list", "--json").stdout)] == ["COE-2024-0001"]


def test_reimport_of_the_same_file_is_skipped(database_url):
    path = str(FIXTURES / "bom_login.md")
    assert coe(database_url, "import", path).exit_code == 0
    again = coe(database_url, "import", path)
    assert again.exit_code == 0
    assert "already imported as COE-2022-0001" in again.stderr
    assert len(json.loads(coe(database_url, "list", "--json").stdout)) == 1


DATASETS = os.environ.get("COE_DATASETS")


@pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set")
def test_sre_book_example_postmortem(tmp_path):
    url = f"sqlite:///{tmp_path / 'coe.db'}"
    prepare(url)
    source = Path(DATASETS) / "sre-book-example-postmortem" / "example-postmortem.md"
    result = coe(url, "import", str(source))
    assert result.exit_code == 0, result.output
    doc = shown(url, "COE-2015-0001")
    assert len(doc["timeline"]) == 34
    assert doc["timeline"][0]["at"] == "2015-10-21T14:51:00+00:00"
    assert doc["started_at"] == "2015-10-21T14:54:00+00:00"  # OUTAGE BEGINS
    assert doc["mitigated_at"] == "2015-10-21T15:36:00+00:00"  # OUTAGE MITIGATED
    assert doc["resolved_at"] == "2015-10-21T16:00:00+00:00"  # INCIDENT ENDS
    assert len(doc["action_items"]) == 9
    assert doc["authors"] == ["jennifer", "martym", "agoogler"]
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 2, "went_wrong": 2, "got_lucky": 3}


def test_extra_sections_show_and_round_trip_through_export(database_url, tmp_path):
    assert coe(database_url, "import", str(FIXTURES / "crlf_pricing.md")).exit_code == 0
    assert "## Customer Comms\nWe emailed the top accounts." in coe(database_url, "show", "COE-2024-0001").stdout
    exported = tmp_path / "all.json"
    assert coe(database_url, "export", "--output", str(exported)).exit_code == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    prepare(other)
    assert coe(other, "import", str(exported)).exit_code == 0
    assert shown(other, "COE-2024-0001")["extra_sections"] == [
        {"heading": "Customer Comms", "text": "We emailed the top accounts."}]


def test_a_wrapper_h1_gives_way_to_the_h2_that_names_the_incident():
    from coe import importers

    [doc] = importers.read(FIXTURES / "wrapper_h1.md", "markdown", "UTC").incidents
    assert doc.title == "Queue Flood Postmortem (incident #12)"
    assert doc.summary == "The queue filled up."
