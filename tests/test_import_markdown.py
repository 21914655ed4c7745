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


def read_one(name: str, assume_tz: str | None = None):
    """Import one fixture without a database: the record and the mapping summary."""
    from coe import importers

    found = importers.read(FIXTURES / name, "markdown", assume_tz)
    assert not found.problems, found.problems
    [doc] = found.incidents
    return json.loads(doc.model_dump_json()), found.summary


def test_a_row_out_of_time_order_is_sorted_and_the_summary_names_its_line():
    doc, summary = read_one("crlf_pricing.md")
    assert [e["at"][11:16] for e in doc["timeline"]] == ["16:10", "16:14", "16:25", "16:50"]
    assert "timeline line 27: 2024-03-05 09:14 is written after 2024-03-05 09:25; sorted by time" in summary


def test_h3_action_items_with_status_owner_and_ticket():
    doc, _ = read_one("h3_actions.md")
    assert [(a["status"], a["owner"], a["kind"]) for a in doc["action_items"]] == [
        ("done", "", "mitigate"), ("done", "", "prevent"), ("open", "dana", "detect"),
        ("in_progress", "raj", "prevent"), ("open", "", "detect")]
    assert doc["action_items"][0]["completed_on"] == "2025-03-03"  # the incident's day: the text gives none
    assert doc["action_items"][2]["title"] == "Page the search on-call for cache alarms."
    assert doc["action_items"][4] == dict(doc["action_items"][4], title="Add a dashboard for cache hit rate",
                                          ticket_url="https://tracker.example.com/issues/12")


def test_a_list_timeline_keeps_code_out_of_events_and_states_severity_in_words():
    doc, _ = read_one("h3_actions.md")
    # The log line in the code block carries 13:58 but is no event; it and the image are kept beside the timeline.
    assert [e["at"][11:16] for e in doc["timeline"]] == ["14:05", "14:12", "14:20", "14:31", "14:50", "15:15"]
    assert doc["severity"] == "sev2"  # "**Severity:** Major"
    assert doc["customer_impact"].startswith("**Severity:** Major")
    assert (doc["started_at"], doc["detected_at"], doc["acknowledged_at"], doc["mitigated_at"], doc["resolved_at"]) == (
        "2025-03-03T14:05:00+00:00", "2025-03-03T14:12:00+00:00", "2025-03-03T14:20:00+00:00",
        "2025-03-03T14:50:00+00:00", "2025-03-03T15:15:00+00:00")  # a failed rollback is no mitigation
    assert doc["timeline"][1]["description"] == "Error-rate alert fires for the search API"
    assert {"heading": "Timeline", "text": '14:12 UTC - Error-rate alert fires for the search API:\n\n```\n'
            '{"timestamp":"2025-03-03T13:58:01Z","level":"ERROR"}\n```\n\n'
            "![error rate graph](https://example.com/graph.png)"} in doc["extra_sections"]
    # A bold label inside a list is an item of the list, not a section of its own.
    assert doc["lessons"]["went_wrong"] == ["Detection delay: the alert lacked a runbook link",
                                             "The rollback path was untested"]


def test_times_in_sub_headings_roll_over_midnight_and_dates_without_a_year():
    doc, summary = read_one("subheading_times.md")
    assert [e["at"] for e in doc["timeline"]] == [  # EEST is UTC+3
        "2025-05-12T19:40:00+00:00", "2025-05-12T20:50:00+00:00", "2025-05-12T21:40:00+00:00",
        "2025-05-13T08:39:00+00:00"]
    assert "timeline line 20: 00:40 follows 23:50, taken as the next day" in summary
    assert doc["acknowledged_at"] == "2025-05-12T20:50:00+00:00"
    assert doc["resolved_at"] == "2025-05-13T08:39:00+00:00"
    assert doc["five_whys"] == [
        {"question": "Why did the disk fill?", "answer": "Stale files were never removed."},
        {"question": "Why were they never removed?", "answer": "No job cleans them."}]
    assert [(a["title"], a["status"], a.get("ticket_url")) for a in doc["action_items"]] == [
        ("Add a quota to the scratch disk", "open", "https://tracker.example.com/issues/7"),
        ("Tell the workshop hosts", "done", None)]


def test_a_stats_footer_gives_detection_and_recovery_and_is_not_a_status():
    doc, _ = read_one("stats_footer.md")
    assert doc["started_at"] == "2021-03-31T11:06:00+00:00"  # 12:06 CET; the HH:mm row has no time of day
    assert doc["detected_at"] == "2021-03-31T11:26:00+00:00"  # + 20 minutes
    assert doc["resolved_at"] == "2021-03-31T11:51:00+00:00"  # + 45 minutes
    assert [f["description"] for f in doc["contributing_factors"]] == [  # a nested bullet explains its factor
        "No alert on certificate expiry", "Renewal job config was changed by hand: nobody reviewed the change"]
    actions = next(x["text"] for x in doc["extra_sections"] if x["heading"] == "Action Items")
    assert actions.endswith("[runbook]: https://wiki.example.com/certificates")  # a link definition is kept
    assert {"heading": "Stats", "text": "- Category: Kubernetes\n- Time to detection: 20 minutes\n"
            "- Time to recovery: 45 minutes"} in doc["extra_sections"]
    assert [a["kind"] for a in doc["action_items"]] == ["detect", "investigate"]


def test_a_file_without_headings_takes_its_window_from_the_text_and_its_title_from_the_name():
    doc, _ = read_one("2024-02-28-queue-stalled.md")
    assert doc["title"] == "queue stalled"
    assert doc["summary"].startswith("On 28th February, the job queue stalled")
    assert (doc["started_at"], doc["resolved_at"]) == ("2024-02-28T09:30:00+00:00", "2024-02-28T11:40:00+00:00")


def test_dates_without_a_year_and_an_offset_zone():
    doc, _ = read_one("yearless_dates.md")
    assert doc["severity"] == "sev2"
    assert [e["at"] for e in doc["timeline"]] == [  # UTC+1; "(Jan 15)" dates its line, 01:10 is the day after
        "2026-01-14T21:18:00+00:00", "2026-01-15T08:05:00+00:00", "2026-01-15T21:30:00+00:00",
        "2026-01-16T00:10:00+00:00"]
    assert doc["resolved_at"] == "2026-01-16T00:10:00+00:00"


def test_an_empty_template_is_refused_with_one_line_and_nothing_written(database_url):
    path = FIXTURES / "empty_template.md"
    result = coe(database_url, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{path}:1: started_at: no date found: 'Incident title - DD/MM/YYYY' looks like"
                                     " an empty template; fill it in before importing")
    assert json.loads(coe(database_url, "list", "--json").stdout or "[]") == []


def test_without_an_incident_date_the_publication_date_is_used_and_said():
    doc, summary = read_one("published_only.md")
    assert doc["started_at"] == "2020-10-01T00:00:00+00:00"
    assert ("no incident date in the text; the publication date: the incident's day taken as 2020-10-01"
            " (edit before submitting)") in summary
    doc, _ = read_one("two_day_outage.md")  # "February 3rd and 4th, 2018"
    assert doc["started_at"] == "2018-02-03T00:00:00+00:00"
