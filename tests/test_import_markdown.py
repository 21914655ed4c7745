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


def test_a_report_of_three_incidents_is_three_drafts_and_a_reimport_skips_them_all(database_url):
    path = str(Path(__file__).parent / "fixtures" / "markdown_blind" / "md_monthly_availability_report.md")
    dry = coe(database_url, "import", "--dry-run", path)
    assert dry.exit_code == 0 and "  the document tells 3 incidents: each is its own record" in dry.stdout
    assert dry.stdout.count("\n  incident: Quillhub availability report: March 2025 — March") == 3
    result = coe(database_url, "import", path)
    assert result.exit_code == 0 and "imported 3 incidents" in result.stdout, result.output
    listed = json.loads(coe(database_url, "list", "--json").stdout)
    assert sorted((r["key"], r["status"]) for r in listed) == [
        ("COE-2025-0001", "draft"), ("COE-2025-0002", "draft"), ("COE-2025-0003", "draft")]
    again = coe(database_url, "import", path)
    assert "already imported as COE-2025-0001, COE-2025-0002, COE-2025-0003; skipped" in again.stderr
    assert len(json.loads(coe(database_url, "list", "--json").stdout)) == 3


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


# Post-mortems written here in the shapes organisations publish (PagerDuty, Atlassian, a vendor's blog, a Google
# Docs export, YAML front matter, …), each checked against what a careful reader would enter by hand.
BLIND = Path(__file__).parent / "fixtures" / "markdown_blind"


def read_blind(name: str):
    """Import one blind fixture without a database: the record and the mapping summary."""
    from coe import importers

    found = importers.read(BLIND / name, "markdown")
    assert not found.problems, found.problems
    [doc] = found.incidents
    return json.loads(doc.model_dump_json()), found.summary


def headings(doc: dict) -> list[str]:
    return [x["heading"] for x in doc.get("extra_sections", [])]


def test_pagerduty_template_with_an_action_table_of_owner_ticket_and_priority():
    doc, _ = read_blind("md_pagerduty_checkout.md")
    assert (doc["title"], doc["severity"], doc["detection_method"]) == (
        "Checkout API latency spike — 2025-04-17", "sev2", "alarm")  # "**Severity:** SEV-2"
    assert times(doc) == ("2025-04-17T09:02:00+00:00", "2025-04-17T09:06:00+00:00", "2025-04-17T09:11:00+00:00",
                          "2025-04-17T09:41:00+00:00", "2025-04-17T09:49:00+00:00")
    assert len(doc["timeline"]) == 7 and doc["timeline"][5]["description"] == "Release 2025.04.17-1 rolled back"
    assert [(a["owner"], a["kind"], a["priority"]) for a in doc["action_items"]] == [
        ("platform-team", "prevent", "p1"), ("sre-oncall", "detect", "p1"), ("payments-team", "process", "p3")]
    assert doc["action_items"][0]["ticket_url"] == "https://jira.example.com/browse/PLAT-812"
    assert doc["root_cause"].startswith("The release lowered `max_pool_size`")
    assert {"Preamble", "Messaging"} <= set(headings(doc))  # the incident commander and the status-page note


def test_atlassian_template_with_leadup_fault_five_whys_lessons_and_follow_up_tasks():
    doc, summary = read_blind("md_atlassian_search.md")
    assert doc["title"] == "Search indexing stalled for Wiki Cloud customers"  # not "Postmortem: …"
    assert doc["severity"] == "sev2" and "severity sev2 from the text: 'major incident'" in summary
    assert times(doc) == ("2025-03-03T14:10:00+00:00", "2025-03-03T15:02:00+00:00", "2025-03-03T15:09:00+00:00",
                          "2025-03-03T16:20:00+00:00", "2025-03-03T17:25:00+00:00")
    assert doc["detection_method"] == "customer_report"  # "a customer support ticket … had no alarm"
    assert len(doc["timeline"]) == 7 and doc["timeline"][2]["phase"] == "detection"
    assert doc["trigger"].startswith("At 13:55 UTC the search team merged")  # Leadup
    assert doc["root_cause"].startswith("Indexing workers in the EU region")  # Fault, then Root cause
    assert len(doc["five_whys"]) == 5 and doc["five_whys"][1]["answer"].startswith("They were rejected because")
    assert doc["lessons"] == {  # a flat list, sorted by its words
        "went_well": ["Support escalation worked well and quickly."],
        "went_wrong": ["Schema changes need a compatibility check against every deployed consumer.",
                       "A dead-letter queue without an alarm hides failures."],
        "got_lucky": []}
    assert [(a["status"], a["due_on"], a["owner"]) for a in doc["action_items"]] == [
        ("done", "2025-03-14", "search-oncall"), ("in_progress", "2025-03-31", "search-team"),
        ("open", "2025-04-15", "queue-team")]
    assert doc["action_items"][0]["completed_on"] == "2025-03-03"  # no completion date given: the incident's day
    assert {"Detection", "Response", "Backlog check", "Recurrence"} <= set(headings(doc))


def test_vendor_blog_post_with_times_in_prose_and_the_zone_stated_once():
    doc, summary = read_blind("md_blog_edge_cache.md")
    assert (doc["title"], doc["severity"]) == ("Elevated 502 errors on the edge network in Frankfurt", "sev3")
    assert times(doc) == ("2025-07-02T13:18:00+00:00", "2025-07-02T13:24:00+00:00", "2025-07-02T13:31:00+00:00",
                          "2025-07-02T14:12:00+00:00", "2025-07-02T14:58:00+00:00")  # PDT is UTC-7
    assert "no timeline section: 7 events from the times the text states" in summary
    assert [e["at"][11:16] for e in doc["timeline"]] == ["13:18", "13:24", "13:31", "13:40", "14:05", "14:12", "14:58"]
    assert doc["timeline"][1] == dict(doc["timeline"][1], description="Our synthetic probes alerted the edge on-call "
                                      "engineer.", phase="detection", actor_kind="system")
    assert doc["timeline"][3]["phase"] == "other"  # draining one site "made no difference"
    assert doc["detection_method"] == "alarm"
    assert doc["root_cause"].startswith("The compaction path had been tested")  # "Why it happened"
    assert [a["status"] for a in doc["action_items"]] == ["done", "open", "open", "open"]
    assert [a["kind"] for a in doc["action_items"][1:]] == ["prevent", "detect", "process"]
    assert "Preamble" in headings(doc)  # the apology and the stated zone


def test_google_docs_export_with_crlf_bold_labels_bold_table_headers_nbsp_and_br():
    doc, _ = read_blind("md_gdocs_billing_export.md")
    assert (doc["title"], doc["severity"]) == ("Nightly billing export failed", "sev1")  # "**Severity:** P1"
    assert doc["authors"] == ["Priya Raman", "Tomás Ortega"]
    assert doc["services"] == ["billing-export", "invoice-mailer"]
    assert times(doc) == ("2025-09-08T00:00:00+00:00", "2025-09-08T07:40:00+00:00", "2025-09-08T07:52:00+00:00",
                          "2025-09-08T08:30:00+00:00", "2025-09-08T09:20:00+00:00")  # CEST is UTC+2
    assert len(doc["timeline"]) == 7
    assert doc["timeline"][3] == dict(doc["timeline"][3], actor="billing on-call", description=(
        "Billing on-call acknowledges and starts investigating; Secret cache found stale"))
    assert doc["timeline"][0]["actor_kind"] == "automation"  # the scheduler
    assert doc["root_cause"].count("&nbsp;") == 0 and "refreshed. The job" in doc["root_cause"]
    assert [(a["kind"], a["owner"], a["due_on"]) for a in doc["action_items"]] == [
        ("prevent", "platform-security", "2025-09-30"), ("detect", "billing-team", "2025-09-15"),
        ("mitigate", "billing-team", "2025-10-15")]
    assert {"heading": "Action items", "text": "**Notes:**\nFinance confirmed that no customer was charged twice.\n"
            "The 64 incorrect invoices were voided."} in doc["extra_sections"]  # a <br> is a new line


def test_yaml_front_matter_with_lists_and_a_severity_word():
    doc, summary = read_blind("md_frontmatter_dns.md")
    assert (doc["title"], doc["severity"]) == ("Internal DNS resolution failures in us-east", "sev1")  # Critical
    assert doc["authors"] == ["mkowalski", "a.nguyen"] and doc["services"] == ["internal-dns", "service-mesh"]
    assert times(doc) == ("2025-11-19T21:03:00+00:00", "2025-11-19T21:05:00+00:00", "2025-11-19T21:07:00+00:00",
                          "2025-11-19T21:26:00+00:00", "2025-11-19T21:41:00+00:00")
    assert len(doc["timeline"]) == 6 and doc["timeline"][0]["actor_kind"] == "automation"
    assert len(doc["contributing_factors"]) == 2
    assert [(a["owner"], a["status"]) for a in doc["action_items"]] == [
        ("network-team", "open"), ("network-team", "open"), ("sre-team", "done"), ("platform-team", "open")]
    assert doc["action_items"][2]["completed_on"] == "2025-11-19"
    assert "1 action items marked done; completed_on = the incident's last day (not stated)" in summary
    assert headings(doc) == ["Glossary"]


def test_a_flat_lessons_learned_list_and_plain_labels_stating_the_times():
    doc, summary = read_blind("md_lessons_flat_vpn.md")
    assert (doc["title"], doc["severity"]) == ("Office VPN outage after certificate expiry", "sev3")  # Minor
    assert times(doc) == ("2025-06-10T08:15:00+00:00", "2025-06-10T08:40:00+00:00", None,
                          "2025-06-10T09:30:00+00:00", "2025-06-10T10:05:00+00:00")
    assert "mitigated_at as stated: 2025-06-10T09:30:00+00:00" in summary
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 1, "went_wrong": 2, "got_lucky": 1}
    assert doc["lessons"]["got_lucky"][0].startswith("We were lucky the expiry happened on a Tuesday")
    assert [(a["title"], a["owner"]) for a in doc["action_items"]] == [
        ("Add expiry monitoring for all VPN and load-balancer certificates", "network-team"),
        ("Move certificate reminders to the infra-alerts mailbox", "it-ops")]
    assert {"heading": "Preamble", "text": "Incident ID: INC-2025-0614"} in doc["extra_sections"]


def test_five_whys_as_question_and_answer_paragraphs_and_a_key_value_table():
    doc, _ = read_blind("md_five_whys_uploads.md")
    assert (doc["title"], doc["severity"], doc["authors"]) == (
        "Photo uploads failing for mobile users", "sev2", ["media-platform on-call"])  # "| **Severity** | Sev 2 |"
    assert times(doc) == ("2025-05-12T22:40:00+00:00", "2025-05-12T22:58:00+00:00", "2025-05-12T23:18:00+00:00",
                          "2025-05-13T00:20:00+00:00", "2025-05-13T00:50:00+00:00")  # "acknowledged at 23:18"
    assert len(doc["timeline"]) == 6 and doc["detection_method"] == "customer_report"
    assert len(doc["five_whys"]) == 5
    assert doc["five_whys"][0] == {"question": "Why did photo uploads fail?",
                                   "answer": "Because the upload service returned 507 errors."}
    assert [(a["status"], a.get("completed_on")) for a in doc["action_items"]] == [
        ("open", None), ("done", "2025-05-14"), ("open", None)]  # "— done 2025-05-14"
    assert doc["action_items"][1]["title"] == "Run the cleanup job under the thumbnailer's account"
    assert "| **Incident date** | 12 May 2025 |" in doc["extra_sections"][0]["text"]


def test_action_items_ticked_struck_through_done_wont_do_and_in_progress():
    doc, summary = read_blind("md_actions_status_queue.md")
    assert (doc["title"], doc["severity"]) == ("Order queue backlog (Tuesday, October 14, 2025)", "sev2")  # P2
    assert times(doc) == ("2025-10-14T19:42:00+00:00", "2025-10-14T19:50:00+00:00", "2025-10-14T19:58:00+00:00",
                          "2025-10-14T20:25:00+00:00", "2025-10-14T21:10:00+00:00")  # "Eastern Time": EDT, UTC-4
    assert len(doc["timeline"]) == 5
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 2, "went_wrong": 2, "got_lucky": 1}
    assert [(a["title"], a["status"], a["owner"], a.get("completed_on")) for a in doc["action_items"]] == [
        ("Cap client retries with exponential backoff and jitter", "done", "fulfilment-eng", "2025-10-14"),
        ("Ask the warehouse vendor for a higher rate limit", "done", "", "2025-10-14"),  # struck through
        ("Add the warehouse rate limit to the integration runbook", "done", "", "2025-10-16"),
        ("Build a second warehouse integration as a fallback", "wont_do", "", None),
        ("Alert on outbound 429 rate per integration", "open", "sre-team", None),
        ("Load-test the integration against the vendor's sandbox limits", "in_progress", "fulfilment-eng", None)]
    assert "2 action items marked done; completed_on = the incident's last day (not stated)" in summary


# Written after the importer was fixed for the eight above, to check it on shapes it had not been tuned on.
def test_status_style_write_up_with_twelve_hour_times_in_an_incident_section():
    doc, _ = read_blind("md_status_writeup_git.md")
    assert (doc["title"], doc["severity"], doc["detection_method"]) == (
        "March 5 Git operations degradation", "sev3", "alarm")
    assert times(doc) == ("2025-03-05T14:03:00+00:00", "2025-03-05T14:11:00+00:00", None,
                          "2025-03-05T15:05:00+00:00", "2025-03-05T15:12:00+00:00")
    assert [(e["at"][11:16], e["phase"]) for e in doc["timeline"]] == [
        ("14:03", "trigger"), ("14:11", "detection"), ("14:19", "escalation"), ("14:47", "diagnosis"),
        ("15:05", "mitigation"), ("15:12", "resolution")]  # "… restored at 3:05 PM UTC, and … normal … at 3:12 PM"
    assert doc["summary"].startswith("On March 5, 2025 at 2:03 PM UTC")  # "### Incident"
    assert doc["root_cause"].startswith("The routing table generator read")
    assert headings(doc) == ["Background"]


def test_confluence_page_with_a_field_value_table_and_emoji_statuses():
    doc, _ = read_blind("md_confluence_table_meta.md")
    assert (doc["title"], doc["severity"]) == ("Card authorisations declined in APAC", "sev1")  # Critical
    assert doc["services"] == ["card-auth", "fraud-scoring"]
    assert times(doc) == ("2025-08-01T14:02:00+00:00", "2025-08-01T14:04:00+00:00", "2025-08-01T14:09:00+00:00",
                          "2025-08-01T15:21:00+00:00", "2025-08-01T15:37:00+00:00")  # "Incident start", "Incident end"
    assert len(doc["timeline"]) == 6 and len(doc["contributing_factors"]) == 2
    assert [(a["owner"], a["priority"], a["status"]) for a in doc["action_items"]] == [
        ("security-eng", "p1", "done"), ("payments-risk", "p2", "in_progress"), ("sre-apac", "p1", "open")]
    assert headings(doc) == ["Preamble", "Status", "Customer communication"]  # the incident lead stays in the table


def test_iso_timestamps_labels_on_one_line_and_whys_under_a_root_cause_heading():
    doc, summary = read_blind("md_iso_timeline_scheduler.md")
    assert (doc["title"], doc["severity"], doc["authors"]) == (
        "Batch scheduler skipped the nightly runs", "sev3", ["data-platform"])  # "Status: Final | Severity: SEV3 | …"
    assert times(doc) == ("2025-02-11T00:58:00+00:00", "2025-02-11T06:40:00+00:00", None,
                          "2025-02-11T07:20:00+00:00", "2025-02-11T09:45:00+00:00")  # "2025-02-11T00:58Z"
    assert len(doc["timeline"]) == 6 and doc["detection_method"] == "customer_report"
    assert "## Why did it happen? → five_whys (written as whys)" in summary
    assert doc["five_whys"][3] == {"question": "Why did nobody know?", "answer": "Because the store's maintenance was "
                                   "announced on a channel the team does not follow."}
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 1, "went_wrong": 1, "got_lucky": 0}
    assert [(a["owner"], a["priority"], a["status"]) for a in doc["action_items"]] == [
        ("data-platform", "p1", "open"), ("data-platform", "p2", "done"), ("data-platform", "p2", "open")]
    assert doc["action_items"][0]["title"] == "Alert when no job has been dispatched for 15 minutes"
    assert headings(doc) == ["Status"]


# Second blind round: shapes the importer had not been tuned on, with the values a careful reader would enter.
def test_engineering_blog_post_with_a_future_tense_remediation_list():
    doc, summary = read_blind("md_eng_blog_ledger_replication.md")
    assert (doc["title"], doc["severity"]) == ("Ledger replication lag delayed balance updates", "sev2")  # "a Sev 2"
    # The incident day is April 15 ("On April 15, 2025 …"), not the byline's "Posted … April 17, 2025";
    # "engaged" acknowledges; "fully mitigated by 12:50 UTC" in the summary beats the timeline's first fix.
    assert times(doc) == ("2025-04-15T10:54:00+00:00", "2025-04-15T11:07:00+00:00", "2025-04-15T11:15:00+00:00",
                          "2025-04-15T12:50:00+00:00", "2025-04-15T13:05:00+00:00")
    assert len(doc["timeline"]) == 9 and doc["detection_method"] == "alarm"
    assert doc["timeline"][5] == dict(doc["timeline"][5], description="We pause the migration; lag stops growing.",
                                      phase="mitigation")
    assert doc["resolution"] == "- We paused the migration and routed reads for the worst region to the primary."
    assert [(a["title"], a["kind"], a["status"]) for a in doc["action_items"]] == [
        ("Build large indexes concurrently and in batches, so replicas keep applying changes.", "prevent", "open"),
        ("Add replica lag to the migration runner, which will pause itself above 30 seconds.", "prevent", "open"),
        ("Alert on replica lag at 15 seconds instead of 60 seconds.", "detect", "open")]
    assert "## Remediation → resolution (3 planned items → action_items)" in summary
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 1, "went_wrong": 1, "got_lucky": 1}
    assert doc["root_cause"].startswith("The migration built the new index in a single transaction.")
    assert headings(doc) == ["Preamble", "Closing"]  # the byline and apology, the closing words


def test_incident_tool_export_with_a_metadata_table_and_a_follow_up_checklist():
    doc, summary = read_blind("md_incidentio_export_webhooks.md")
    assert (doc["title"], doc["severity"]) == ("INC-482: Outbound webhooks delayed for EU workspaces", "sev2")
    assert doc["services"] == ["webhook-dispatcher", "event-bus"]
    # "Duration | 1h 25m" from 15:52 agrees with the timeline's 17:17; "Reported at" states the detection.
    assert times(doc) == ("2025-01-22T15:52:00+00:00", "2025-01-22T16:05:00+00:00", "2025-01-22T16:11:00+00:00",
                          "2025-01-22T16:41:00+00:00", "2025-01-22T17:17:00+00:00")
    assert len(doc["timeline"]) == 6 and doc["detection_method"] == "customer_report"  # "Support reports …"
    assert doc["timeline"][4] == dict(doc["timeline"][4], description="Rolled back dispatcher to v3.17.2",
                                      phase="mitigation")
    assert doc["customer_impact"].startswith("Integrations that depend on webhooks")
    assert doc.get("customers_affected") is None  # 37 customers opened tickets: not the count affected
    assert [(a["owner"], a["kind"], a["status"], a["completed_on"]) for a in doc["action_items"]] == [
        ("ines.duarte", "mitigate", "done", "2025-01-22"),  # "completed January 22": the incident's year
        ("sre-oncall", "detect", "open", None), ("platform-eng", "prevent", "open", None),
        ("ines.duarte", "prevent", "open", None)]
    assert len(doc["contributing_factors"]) == 2
    assert {k: len(v) for k, v in doc["lessons"].items()} == {"went_well": 1, "went_wrong": 1, "got_lucky": 0}
    assert "| SEV2 | Closed | 1h 25m | Ines Duarte |" in doc["extra_sections"][0]["text"]  # the lead stays
    assert "resolved_at = started_at + stated 1:25:00" in summary


def test_terse_team_note_with_times_in_cet_and_impact_numbers():
    doc, summary = read_blind("md_sre_note_cet_sessions.md")
    assert (doc["title"], doc["severity"], doc["team"]) == (
        "Session store failover — 2025-02-04", "sev1", "SRE Berlin")  # "**Team:** … · **Severity:** P1 · …"
    # CET is UTC+1 in February. Mitigation is 09:50 CET, where "could not sign in … for 38 minutes" ends on
    # "failover … done", not 09:33, when a setting was "restored" on the replica before the failover.
    assert times(doc) == ("2025-02-04T08:12:00+00:00", "2025-02-04T08:15:00+00:00", "2025-02-04T08:21:00+00:00",
                          "2025-02-04T08:50:00+00:00", "2025-02-04T09:05:00+00:00")
    assert "mitigated_at = started_at + the impact's stated 0:38:00: 2025-02-04T09:50:00+01:00" in summary
    assert "times in CET (stated)" in summary
    assert len(doc["timeline"]) == 6 and doc["detection_method"] == "alarm"
    assert doc["timeline"][2] == dict(doc["timeline"][2], description="on-call engaged, opened the incident channel",
                                      phase="escalation")
    assert doc["customers_affected"] == 1200  # "~1,200 customers"
    assert "3.5% of requests to the web app returned 503." in doc["customer_impact"]
    assert doc["root_cause"].startswith("the primary Redis node of the session store ran out of memory")
    assert [(a["owner"], a["kind"], a["status"], a["completed_on"]) for a in doc["action_items"]] == [
        ("sre-berlin", "detect", "open", None), ("sre-berlin", "process", "done", "2025-02-06"),
        ("platform-config", "investigate", "open", None)]
    assert doc["lessons"] == {"went_well": ["the replica was healthy and in sync."],
                              "went_wrong": ["the runbook was out of date."], "got_lucky": []}
    assert doc.get("summary", "") == ""  # "(times in CET)" is the zone, not a summary
    assert doc["extra_sections"] == [{"heading": "Timeline", "text": "Why it took so long: the runbook described "
                                      "failover for the old cluster layout."}]


# Third blind round: the shapes most often published (cloud provider reports, RCAs, prose event summaries,
# blog timelines, monthly availability reports), with the values a careful reader would enter.
def test_cloud_provider_report_with_caps_headings_and_no_timeline():
    doc, summary = read_blind("md_cloud_provider_caps_report.md")
    assert (doc["title"], doc["severity"]) == ("Halcyon Cloud Queue Incident #25004", "sev3")  # not stated
    # "from 09:12 to 11:25 US/Pacific" in March is PDT, UTC-7; the other times are told in the remediation.
    assert times(doc) == ("2025-03-11T16:12:00+00:00", "2025-03-11T16:19:00+00:00", "2025-03-11T16:24:00+00:00",
                          "2025-03-11T17:48:00+00:00", "2025-03-11T18:25:00+00:00")
    assert [e["at"][11:16] for e in doc["timeline"]] == ["16:05", "16:19", "16:24", "17:02", "17:48", "18:25"]
    assert doc["timeline"][0]["phase"] == "trigger" and doc["detection_method"] == "alarm"
    assert doc["customer_impact"].startswith("On Tuesday, 11 March 2025 from 09:12 to 11:25 PDT, approximately 38%")
    assert doc["resolution"].startswith("Halcyon engineers were automatically alerted")
    assert "We will" not in doc["resolution"] and "Sincerely" not in doc["resolution"]
    assert [(a["title"][:40], a["kind"], a["status"]) for a in doc["action_items"]] == [
        ("Adding a check to the configuration pipe", "prevent", "open"),
        ("Roll out configuration changes to one zo", "mitigate", "open"),  # "with an automatic rollback"
        ("Improving our monitoring so that exhaust", "detect", "open")]
    assert headings(doc) == ["Preamble", "Closing"]
    assert doc["extra_sections"][1]["text"].endswith("Sincerely,\n\nThe Halcyon Cloud Queue Team")
    assert "## DETAILED DESCRIPTION OF IMPACT → customer_impact" in summary


def test_rca_with_bold_paragraph_labels_and_marked_next_steps():
    doc, _ = read_blind("md_rca_summary_of_impact.md")
    assert doc["title"] == "Sign-in failures for Nimbus Identity in West Europe (Tracking ID: 7Q2K-LM9)"
    assert doc["severity"] == "sev3"
    assert times(doc) == ("2025-02-04T14:05:00+00:00", "2025-02-04T14:11:00+00:00", "2025-02-04T14:19:00+00:00",
                          "2025-02-04T15:32:00+00:00", "2025-02-04T16:40:00+00:00")
    assert [e["at"][11:16] for e in doc["timeline"]] == ["13:58", "14:11", "14:19", "15:32", "16:40"]
    assert doc["detection_method"] == "alarm"
    assert doc["customer_impact"].startswith("Between 14:05 and 16:40 UTC on 04 Feb 2025, customers")
    assert doc.get("summary", "") == ""  # "*Last updated 11 Feb 2025*" is a byline, not a summary
    assert [(a["kind"], a["status"], a.get("completed_on")) for a in doc["action_items"]] == [
        ("prevent", "done", "2025-02-04"), ("prevent", "in_progress", None), ("detect", "open", None),
        ("process", "done", "2025-02-04"), ("process", "open", None)]
    assert doc["action_items"][0]["title"] == "Adding a pre-rotation check that verifies every scale unit can read the new key."
    assert headings(doc) == ["Preamble", "Next Steps", "Provide feedback"]
    assert doc["extra_sections"][2]["text"].endswith("https://feedback.nimbus.example/rca/7Q2K-LM9")


def test_prose_service_event_summary_whose_times_cross_midnight():
    doc, _ = read_blind("md_prose_service_event_summary.md")
    assert doc["title"] == "Summary of the Arcadia Block Storage Service Event in the Northern Plains (np-north-2) Region"
    # 9:44 PM PST on February 28th is 05:44 UTC on March 1st; "12:25 AM" after "11:40 PM" is the next day.
    assert times(doc) == ("2025-03-01T05:44:00+00:00", "2025-03-01T05:52:00+00:00", "2025-03-01T06:06:00+00:00",
                          "2025-03-01T08:25:00+00:00", "2025-03-01T10:10:00+00:00")
    assert [e["at"][8:16] for e in doc["timeline"]] == [
        "01T05:37", "01T05:44", "01T05:52", "01T06:06", "01T07:40", "01T08:25", "01T10:10"]
    assert [e["phase"] for e in doc["timeline"]][2:] == ["detection", "escalation", "diagnosis", "mitigation",
                                                         "resolution"]
    assert doc["detection_method"] == "alarm"
    assert doc["summary"].startswith("We want to provide you with some additional information")
    assert [(a["title"][:40], a["kind"], a["status"]) for a in doc["action_items"]] == [
        ("Disabled the new batch size for the plac", "prevent", "done"),
        ("Change the balancer's capacity check to ", "prevent", "open"),
        ("Adding a limit on the number of replica ", "prevent", "open"),
        ("Add an alarm on the rate of replica move", "detect", "open")]
    assert doc["action_items"][0]["completed_on"] == "2025-03-01"


def test_blog_post_with_an_out_of_order_table_and_bold_times():
    doc, summary = read_blind("md_blog_timeline_table_bold_times.md")
    assert (doc["title"], doc["severity"]) == ("How a DNS TTL change broke checkout at Larkspur for 47 minutes", "sev3")
    # "impact ends" at 15:08 mitigates (the window 14:21-15:08 says so too); "close the incident" resolves.
    assert times(doc) == ("2025-03-27T14:21:00+00:00", "2025-03-27T14:28:00+00:00", "2025-03-27T14:33:00+00:00",
                          "2025-03-27T15:08:00+00:00", "2025-03-27T15:30:00+00:00")
    assert len(doc["timeline"]) == 9 and doc["detection_method"] == "alarm"
    assert [e["at"][11:16] for e in doc["timeline"]][4:6] == ["14:38", "14:42"]  # sorted into place
    assert "timeline line 26: 2025-03-27 14:38 is written after 2025-03-27 14:42; sorted by time" in summary
    assert doc["timeline"][6]["description"] == "We revert the DNS change in the pipeline."
    assert [(a["title"], a["kind"], a["status"], a.get("completed_on")) for a in doc["action_items"]] == [
        ("Reverted the DNS change", "repair", "done", "2025-03-27"),
        ("Added an alert on the resolver error rate for payment hostnames", "detect", "done", "2025-03-28"),
        ("Add a pipeline check that rejects DNS records pointing at a drained pool", "prevent", "in_progress", None),
        ("Generate DNS records from the load balancer inventory instead of writing them by hand", "prevent", "open",
         None)]
    assert doc["lessons"] == {
        "went_well": ["The error-rate alert fired within seven minutes of the first failures."],
        "went_wrong": ["Support did not know where to send the first customer reports, so they reached us late."],
        "got_lucky": []}
    assert headings(doc) == ["Preamble", "What went wrong"]  # the byline and intro; the closing words
    assert doc["extra_sections"][1]["text"].startswith("Thank you for bearing with us.")


def test_monthly_availability_report_gives_one_record_per_incident():
    from coe import importers

    found = importers.read(BLIND / "md_monthly_availability_report.md", "markdown")
    assert not found.problems, found.problems
    docs = [json.loads(d.model_dump_json()) for d in found.incidents]
    report = "Quillhub availability report: March 2025 — "
    assert [d["title"] for d in docs] == [report + "March 5 15:11 UTC (lasting 1 hour 12 minutes)",
                                         report + "March 14 08:40 UTC (lasting 26 minutes)",
                                         report + "March 27 22:50 UTC (lasting 2 hours 5 minutes)"]
    # Each incident's own times, none of the others': the third ends after midnight.
    assert [times(d) for d in docs] == [
        ("2025-03-05T15:11:00+00:00", "2025-03-05T15:19:00+00:00", None, "2025-03-05T15:47:00+00:00",
         "2025-03-05T16:23:00+00:00"),
        ("2025-03-14T08:40:00+00:00", "2025-03-14T08:49:00+00:00", None, "2025-03-14T09:01:00+00:00",
         "2025-03-14T09:06:00+00:00"),
        ("2025-03-27T22:50:00+00:00", "2025-03-27T23:02:00+00:00", None, "2025-03-28T00:31:00+00:00",
         "2025-03-28T00:55:00+00:00")]
    assert [d["detection_method"] for d in docs] == ["alarm", "customer_report", "alarm"]
    assert docs[0]["summary"].startswith("On March 5, 2025, between 15:11 UTC and 16:23 UTC, Quillhub Pipelines")
    assert headings(docs[0]) == ["Preamble"] and [headings(d) for d in docs[1:]] == [[], []]
    assert docs[2]["summary"].endswith("check out the Quillhub engineering blog.")  # nothing lost
    assert [[(a["title"][:40], a["kind"], a["status"]) for a in d["action_items"]] for d in docs] == [
        [("Adding a check to our schema tooling tha", "prevent", "open")],
        [("Added monitoring of certificate expiry f", "detect", "done")],
        [("Improving our health checks so that they", "prevent", "open")]]
    assert found.summary[0] == "the document tells 3 incidents: each is its own record"
    assert {ref["id"] for d in docs for ref in d["external_refs"]} == {f"sha256:{found.sha256}"}


def read_text(tmp_path: Path, text: str):
    """Import one Markdown text without a database: the record and the mapping summary."""
    from coe import importers

    path = tmp_path / "note.md"
    path.write_text(text, encoding="utf-8")
    found = importers.read(path, "markdown")
    assert not found.problems, found.problems
    return json.loads(found.incidents[0].model_dump_json()), found.summary


def test_a_sentence_with_two_times_gives_each_its_own_words(tmp_path):
    doc, _ = read_text(tmp_path, "# API errors\n\n## Summary\n\nOn 2025-03-04 errors began at 10:54 UTC and were "
                                 "fully mitigated by 12:50 UTC. The incident was resolved at 13:30 UTC.\n")
    assert times(doc) == ("2025-03-04T10:54:00+00:00", None, None, "2025-03-04T12:50:00+00:00",
                          "2025-03-04T13:30:00+00:00")


def test_paging_alone_does_not_acknowledge_but_an_engaged_responder_does(tmp_path):
    timeline = "# Queue stall\n\nDate: 2025-03-04\n\n## Timeline\n\n- 10:00 queue stalls\n- 10:05 alert fires, " \
               "paged the on-call\n- 10:09 page escalated to the secondary (no ack)\n{}- 10:40 queue drained, resolved\n"
    doc, _ = read_text(tmp_path, timeline.format(""))
    assert times(doc)[1:3] == ("2025-03-04T10:05:00+00:00", None)
    doc, _ = read_text(tmp_path, timeline.format("- 10:12 secondary on-call engaged\n"))
    assert times(doc)[1:3] == ("2025-03-04T10:05:00+00:00", "2025-03-04T10:12:00+00:00")


def test_future_work_in_a_remediation_section_becomes_open_action_items(tmp_path):
    doc, _ = read_text(tmp_path, "# Disk full\n\nDate: 2025-12-30 10:00 UTC\n\n## Remediation\n\n"
                                       "We deleted old snapshots to free space.\n\n- Rotated the logs on every node\n"
                                       "- We'll add disk-usage alerting at 80%\n"
                                       "- Investigate why log rotation stopped\n\n## Action items\n\n"
                                       "- [x] Re-enable log rotation (completed Jan 3)\n")
    assert doc["resolution"] == "We deleted old snapshots to free space.\n\n- Rotated the logs on every node"
    assert [(a["title"], a["kind"], a["status"], a["completed_on"]) for a in doc["action_items"]] == [
        ("Add disk-usage alerting at 80%", "detect", "open", None),
        ("Investigate why log rotation stopped", "investigate", "open", None),
        ("Re-enable log rotation", "prevent", "done", "2026-01-03")]  # Jan 3 after a Dec 30 incident: next year


def test_without_a_timeline_the_times_told_in_any_narrative_section_are_events(tmp_path):
    doc, _ = read_text(tmp_path, "# Queue errors\n\n## Summary\n\nOn 2025-03-11 from 09:12 to 11:25 UTC publishes "
                                 "failed.\n\n## Resolution\n\nThe on-call engineer was paged at 09:19 UTC. At 10:48 UTC "
                                 "we rolled back the change.\n")
    assert [e["at"][11:16] for e in doc["timeline"]] == ["09:19", "10:48"]
    assert times(doc) == ("2025-03-11T09:12:00+00:00", "2025-03-11T09:19:00+00:00", None,
                          "2025-03-11T10:48:00+00:00", "2025-03-11T11:25:00+00:00")


def test_prose_times_that_go_back_past_midnight_are_the_next_day(tmp_path):
    doc, _ = read_text(tmp_path, "# Disk latency\n\nOn 2025-02-28 at 11:40 PM UTC latency rose. At 12:25 AM UTC we "
                                 "stopped the job. By 2:10 AM UTC all volumes had recovered.\n")
    assert [e["at"] for e in doc["timeline"]] == [
        "2025-02-28T23:40:00+00:00", "2025-03-01T00:25:00+00:00", "2025-03-01T02:10:00+00:00"]
    assert (doc["started_at"], doc["resolved_at"]) == ("2025-02-28T23:40:00+00:00", "2025-03-01T02:10:00+00:00")


def test_the_change_that_set_it_off_is_not_the_start_of_the_impact(tmp_path):
    doc, _ = read_text(tmp_path, "# Disk latency\n\nOn 2025-02-28 at 21:37 UTC an operator started a balancer run. "
                                 "At 21:44 UTC volumes began to see high latency. At 23:10 UTC all volumes recovered.\n")
    assert doc["started_at"] == "2025-02-28T21:44:00+00:00"
    assert doc["timeline"][0]["phase"] == "trigger"


def test_headings_that_name_the_impact_or_the_remediation_by_a_word_in_them(tmp_path):
    doc, summary = read_text(tmp_path, "# Outage\n\nDate: 2025-03-11\n\n## DETAILED DESCRIPTION OF IMPACT\n\n"
                                       "Publishes failed.\n\n## REMEDIATION AND PREVENTION\n\nWe rolled back.\n")
    assert (doc["customer_impact"], doc["resolution"]) == ("Publishes failed.", "We rolled back.")
    assert "## DETAILED DESCRIPTION OF IMPACT → customer_impact" in summary


def test_work_under_way_in_a_remediation_is_planned_and_promises_become_tasks(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\nDate: 2025-03-11\n\n## Remediation\n\nWe rolled back the change.\n\n"
                                 "We are taking the following steps:\n\nWe are also adding a check to the config\n"
                                 "pipeline.\n\n## Action items\n\n- We will add an alert on pool exhaustion\n")
    assert doc["resolution"] == "We rolled back the change.\n\nWe are taking the following steps:"
    assert [(a["title"], a["kind"]) for a in doc["action_items"]] == [
        ("Adding a check to the config pipeline.", "prevent"), ("Add an alert on pool exhaustion", "detect")]


def test_a_letter_s_apology_and_sign_off_are_kept_as_its_closing(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\nDate: 2025-03-11\n\n## Root cause\n\nA bad config.\n\n"
                                 "We apologize for the impact.\n\nSincerely,\n\nThe Cloud Team\n")
    assert doc["root_cause"] == "A bad config."
    assert doc["extra_sections"] == [{"heading": "Closing", "text": "We apologize for the impact.\n\nSincerely,\n\n"
                                      "The Cloud Team"}]


def test_an_rca_prefix_is_no_part_of_the_title(tmp_path):
    doc, _ = read_text(tmp_path, "# RCA - Sign-in failures in West Europe\n\nDate: 2025-02-04\n")
    assert doc["title"] == "Sign-in failures in West Europe"


def test_a_byline_before_the_first_heading_is_no_summary(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\n*Last updated 11 Feb 2025*\n\nSign-ins failed on 4 Feb 2025.\n\n"
                                 "## Root cause\n\nA key rotation.\n")
    assert doc["summary"] == "Sign-ins failed on 4 Feb 2025."
    assert doc["extra_sections"] == [{"heading": "Preamble", "text": "*Last updated 11 Feb 2025*"}]


def test_a_run_in_label_after_labelled_paragraphs_is_a_paragraph_of_its_own(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\n**Root Cause:** A key rotation on 2025-02-04.\n\n"
                                 "**Provide feedback:** Take our survey.\n")
    assert doc["root_cause"] == "A key rotation on 2025-02-04."
    assert doc["extra_sections"] == [{"heading": "Provide feedback", "text": "Take our survey."}]


def test_a_paragraph_after_a_list_of_lessons_is_no_lesson(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\nDate: 2025-03-27\n\n## What went wrong\n\n- Reports reached us late."
                                 "\n\nThank you for bearing with us. If you were charged,\nplease contact support.\n")
    assert doc["lessons"]["went_wrong"] == ["Reports reached us late."]
    assert doc["extra_sections"] == [{"heading": "What went wrong", "text": "Thank you for bearing with us. "
                                      "If you were charged,\nplease contact support."}]


@pytest.mark.parametrize(("said", "phase"), [
    ("Error rate returns to baseline; impact ends", "mitigation"), ("We close the incident", "resolution"),
    ("The service was operating normally", "resolution"), ("The storage team was engaged", "escalation"),
    ("We restored the index and failed over to it", "mitigation")])
def test_the_words_of_an_event_name_its_phase(said, phase):
    from coe.importers import timeline as tl

    assert tl.phase_of(said) == phase


def test_engineers_who_were_alerted_were_told_by_an_alarm(tmp_path):
    doc, _ = read_text(tmp_path, "# Outage\n\nDate: 2025-03-11\n\n## Timeline\n\n- 09:10 errors begin\n"
                                 "- 09:19 Our engineers were automatically alerted to the error rate\n- 10:00 resolved\n")
    assert doc["detection_method"] == "alarm"


def test_a_report_of_several_incidents_gives_a_record_for_each_with_its_sub_sections(tmp_path):
    from coe import importers

    path = tmp_path / "may.md"
    path.write_text("# May report\n\n### May 5 10:00 UTC\n\nOn May 5, 2025, between 10:00 UTC and 10:30 UTC, builds "
                    "failed.\n\n#### Root cause\n\nA bad image.\n\n### May 9 08:00 UTC\n\nOn May 9, 2025, between "
                    "08:00 UTC and 09:00 UTC, sign-ins failed.\n\n#### Root cause\n\nAn expired certificate.\n",
                    encoding="utf-8")
    found = importers.read(path, "markdown")
    docs = [json.loads(d.model_dump_json()) for d in found.incidents]
    assert [(d["title"], d["root_cause"], d["started_at"], d["resolved_at"]) for d in docs] == [
        ("May report — May 5 10:00 UTC", "A bad image.", "2025-05-05T10:00:00+00:00", "2025-05-05T10:30:00+00:00"),
        ("May report — May 9 08:00 UTC", "An expired certificate.", "2025-05-09T08:00:00+00:00",
         "2025-05-09T09:00:00+00:00")]
    assert found.summary[0] == "the document tells 2 incidents: each is its own record"


def test_prose_that_says_what_is_done_so_it_does_not_happen_again_gives_action_items(tmp_path):
    doc, _ = read_text(tmp_path, "# Disk latency\n\nOn 2025-02-28 at 21:44 UTC volumes slowed; by 23:10 UTC they "
                                 "recovered.\n\nWe have taken several actions to prevent this from happening again. "
                                 "We have disabled the new batch size. Finally, we will add an alarm on replica moves.\n")
    assert [(a["title"], a["kind"], a["status"], a.get("completed_on")) for a in doc["action_items"]] == [
        ("Disabled the new batch size.", "prevent", "done", "2025-02-28"),
        ("Add an alarm on replica moves.", "detect", "open", None)]


# Prose-only summaries, the shape of most public cloud post-mortems: each stated time is an event with its own words.
def test_each_time_of_a_prose_sentence_is_an_event_with_its_own_phase(tmp_path):
    doc, _ = read_text(tmp_path, "# Edge errors\n\nOn March 3, 2025, our edge network began failing at 11:20 UTC. "
                                 "Traffic was moved away from the failing region, which helped some customers by 12:05 "
                                 "UTC. The main impact was resolved by 14:30 UTC, with all services fully restored by "
                                 "17:06 UTC.\n")
    assert [(e["at"][11:16], e["phase"]) for e in doc["timeline"]] == [
        ("11:20", "other"), ("12:05", "other"), ("14:30", "mitigation"), ("17:06", "resolution")]
    assert doc["timeline"][3]["description"] == "With all services fully restored by 17:06 UTC."
    assert times(doc) == ("2025-03-03T11:20:00+00:00", None, None, "2025-03-03T14:30:00+00:00",
                          "2025-03-03T17:06:00+00:00")


def test_in_prose_a_change_after_the_impact_began_is_a_fix(tmp_path):
    doc, _ = read_text(tmp_path, "# Load balancer outage\n\nOn August 25, 2024, a change was pushed to Git at 19:01 "
                                 "UTC, and the outage commenced at 19:26 UTC when it reached the load balancer. A "
                                 "revert was pushed at 19:27 UTC. The status post was published at 19:29 UTC. The "
                                 "outage was resolved at 19:32 UTC.\n")
    assert [(e["at"][11:16], e["phase"]) for e in doc["timeline"]] == [
        ("19:01", "trigger"), ("19:26", "other"), ("19:27", "mitigation"), ("19:29", "escalation"),
        ("19:32", "resolution")]
    assert times(doc)[2:] == (None, "2024-08-25T19:27:00+00:00", "2024-08-25T19:32:00+00:00")  # a status post acks nothing


def test_a_stated_end_keeps_the_mitigation_the_text_tells(tmp_path):
    # The window "between 10:36 and 12:42" is not the incident's; the front matter's times are, and the
    # "fully mitigated by 12:50" the text tells is kept once they replace the window's.
    doc, summary = read_text(tmp_path, "---\nstart_time: 2017-01-30T18:54:00Z\nend_time: 2017-01-30T20:50:00Z\n---\n"
                                       "On January 30, 2017, an incident began at 10:54 US/Pacific and was fully "
                                       "mitigated by 12:50 US/Pacific. Instances created between 10:36 and 12:42 "
                                       "US/Pacific were unreachable.\n")
    assert times(doc) == ("2017-01-30T18:54:00+00:00", None, None, "2017-01-30T20:50:00+00:00",
                          "2017-01-30T20:50:00+00:00")


def test_a_from_earlier_in_the_sentence_does_not_make_a_time_a_window(tmp_path):
    doc, _ = read_text(tmp_path, "# Congestion\n\nOn December 7, 2021, congestion began at 7:30 AM PST. Operators "
                                 "moved traffic away from congested paths, which restored most services by 9:28 AM "
                                 "PST. Everything was fully recovered by 2:22 PM PST.\n")
    assert [(e["at"][11:16], e["phase"]) for e in doc["timeline"]] == [
        ("15:30", "other"), ("17:28", "mitigation"), ("22:22", "resolution")]


def test_prose_dates_after_times_and_a_step_back_before_midnight(tmp_path):
    # "by 00:30 UTC on February 3" dates that time; "commenced at 22:15" told after it is the evening before,
    # not the next evening; a time that opens its clause keeps the words after it.
    doc, _ = read_text(tmp_path, "# Runner outage\n\nOn February 2, 2026, the incident began at 18:35 UTC, and full "
                                 "recovery was achieved by 00:30 UTC on February 3. Mitigation involved rolling back "
                                 "the policy change, which commenced at 22:15 UTC. At 19:10 UTC, the on-call engineer "
                                 "successfully restored the old policy on one region, followed by a check that "
                                 "completed by 19:40 UTC.\n")
    assert [(e["at"][5:16], e["phase"], e["description"][:40]) for e in doc["timeline"]] == [
        ("02-02T18:35", "other", "On February 2, 2026, the incident began "),
        ("02-02T19:10", "mitigation", "The on-call engineer successfully restor"),  # not "fully restored"
        ("02-02T19:40", "other", "Followed by a check that completed by 19"),
        ("02-02T22:15", "mitigation", "Mitigation involved rolling back the pol"),
        ("02-03T00:30", "resolution", "Full recovery was achieved by 00:30 UTC ")]
    assert times(doc)[3:] == ("2026-02-02T19:10:00+00:00", "2026-02-03T00:30:00+00:00")


def test_the_impact_beginning_is_no_recovery_whatever_words_follow(tmp_path):
    doc, _ = read_text(tmp_path, "# Region errors\n\nOn June 12, 2025, the issue began around 10:49 PDT and hit "
                                 "several regions, with varying recovery times. Most services recovered by 13:45 PDT, "
                                 "and all were fully restored by 18:18 PDT.\n")
    assert [(e["at"][11:16], e["phase"]) for e in doc["timeline"]] == [
        ("17:49", "other"), ("20:45", "mitigation"), ("01:18", "resolution")]
    assert times(doc)[3:] == ("2025-06-12T20:45:00+00:00", "2025-06-13T01:18:00+00:00")


def test_a_duration_and_a_full_mitigation_stated_in_prose_give_the_start(tmp_path):
    # The update posted at 04:40 is when "a mitigation has been applied"; the report says when it was fully
    # mitigated, and for how long, which dates the start the text never writes.
    doc, summary = read_text(tmp_path, "# Load balancer config\n\n## Summary\n\nCustomers could not change load "
                                       "balancers for a duration of 2 hours and 58 minutes.\n\n## Mitigation\n\nThe "
                                       "issue was fully mitigated on Wednesday, 26 April 2023 04:56 US/Pacific.\n\n"
                                       "## Updates\n\n**Summary:** At 04:40 US/Pacific on 26 April 2023 a mitigation "
                                       "has been applied.\n")
    assert (doc["started_at"], doc["mitigated_at"]) == ("2023-04-26T08:58:00+00:00", "2023-04-26T11:56:00+00:00")
    assert any("less the stated 'for a duration of 2 hours and 58 minutes'" in line for line in summary)


def test_labels_of_status_updates_stay_with_the_updates(tmp_path):
    # "Summary:" inside an Updates section labels one status update, not the report, whose Summary has a heading.
    doc, summary = read_text(tmp_path, "# Queue errors\n\n## Summary\n\nOn 2025-05-02 queue publishes failed from "
                                       "09:00 to 09:40 UTC.\n\n## Updates\n\n09:10 UTC on 2 May 2025:\nSummary: We are "
                                       "investigating.\n\n09:45 UTC on 2 May 2025:\nSummary: The issue is resolved.\n")
    assert doc["summary"] == "On 2025-05-02 queue publishes failed from 09:00 to 09:40 UTC."
    assert headings(doc) == ["Updates"] and doc["extra_sections"][0]["text"].count("Summary: ") == 2
    assert (doc["started_at"], doc["resolved_at"]) == ("2025-05-02T09:00:00+00:00", "2025-05-02T09:40:00+00:00")


def test_status_updates_are_the_timeline_when_nothing_else_states_a_time(tmp_path):
    doc, summary = read_text(tmp_path, "# Pipelines throttled\n\n## Summary\n\nCustomers could not start pipelines."
                                       "\n\n## Updates\n\n18:51 UTC on 24 Feb 2018: We have identified an issue - "
                                       "currently investigating.\n\n20:05 UTC on 24 Feb 2018: Pipelines are created "
                                       "normally again; monitoring.\n\n20:17 UTC on 24 Feb 2018: This incident has been "
                                       "resolved.\n")
    assert (doc["started_at"], doc["resolved_at"]) == ("2018-02-24T18:51:00+00:00", "2018-02-24T20:17:00+00:00")
    assert [e["description"][:22] for e in doc["timeline"]] == [
        "We have identified an ", "Pipelines are created ", "This incident has been"]
    assert "no time stated but in the status updates: 3 updates read as the timeline" in summary


def times(doc: dict) -> tuple:
    return tuple(doc.get(k) for k in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"))
