"""Real post-mortems nobody here wrote, imported through `coe import` and checked against a careful reading.

Every value asserted below was read off the source file by hand. The data sets are found through
COE_DATASETS; without it these tests are skipped.
"""

import json
import os
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from coe import importers
from coe.cli import app

DATASETS = os.environ.get("COE_DATASETS")
pytestmark = pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set")
TEMPLATE = "looks like an empty template; fill it in before importing"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def post_mortems(folder: str) -> list[Path]:
    """Every file of a data set folder (and its sub-folders) but its README and licence."""
    root = Path(DATASETS) / folder
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(("README", "LICENSE")))


def import_set(url: str, tmp_path: Path, folder: str) -> tuple[list[Path], str, dict[str, dict]]:
    """Import a whole folder with --skip-invalid; the refusals, and each imported record by its file name."""
    files = post_mortems(folder)
    result = coe(url, "import", "--format", "markdown", "--skip-invalid", *map(str, files))
    assert result.exit_code == 0, result.output
    exported = tmp_path / "all.json"
    assert coe(url, "export", "--output", str(exported)).exit_code == 0
    records = json.loads(exported.read_text(encoding="utf-8"))["incidents"]
    by_name = {unquote(r["external_refs"][0]["url"]).rsplit("/", 1)[-1]: r for r in records}
    return files, result.stderr, by_name


def times(doc: dict) -> tuple:
    return tuple(doc.get(k) for k in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"))


def test_dfds_postmortems(database_url, tmp_path):
    files, refused, docs = import_set(database_url, tmp_path, "dfds-postmortems")
    assert len(files) == 40 and len(docs) == 39  # all but the blank "PMyyyy-nnn - Postmortem template.md"
    assert refused.count("\n") == 1 and f"Incident Title' {TEMPLATE}" in refused
    assert "PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues" in docs  # a file with no extension

    traefik = docs["PM2021-008 - Kubernetes ingress controller Traefik v2 configuration caused outage.md"]
    assert [e["at"] for e in traefik["timeline"][::7]] == ["2021-08-26T08:22:00+00:00", "2021-08-26T10:00:00+00:00"]
    assert len(traefik["timeline"]) == 8 and len(traefik["action_items"]) == 2
    assert len(traefik["contributing_factors"]) == 5
    # Stats: "Time to detection: 64 minutes", "Time to recovery: 87 minutes" after 08:22.
    assert (traefik["detected_at"], traefik["resolved_at"]) == ("2021-08-26T09:26:00+00:00", "2021-08-26T09:49:00+00:00")

    kiam = docs["PM2020-002 - KIAM service disruption on Hellman.md"]  # all times in CET
    assert (kiam["started_at"], kiam["detected_at"], kiam["resolved_at"]) == (
        "2020-01-21T14:36:00+00:00", "2020-01-21T15:30:00+00:00", "2020-01-21T17:04:00+00:00")
    assert (len(kiam["timeline"]), len(kiam["action_items"]), len(kiam["contributing_factors"])) == (4, 3, 3)

    nodes = docs["PM2023-001 - Total node failure.md"]
    assert nodes["severity"] == "sev1"  # "Sev 1 ticket raised"
    assert len(nodes["timeline"]) == 16 and nodes["timeline"][-1]["at"] == "2023-02-14T11:59:00+00:00"
    assert nodes["resolved_at"] == "2023-02-14T11:59:00+00:00"  # "Sev 1 ticket marked as resolved"
    assert [a["status"] for a in nodes["action_items"]] == ["open"] * 5 + ["done"]  # "... selection (done)"

    ip = docs["PM2019-009 - Kubernetes network infrastructure IP starvation.md"]  # "Date and Time in CET"
    assert (ip["started_at"], ip["resolved_at"]) == ("2019-11-29T11:00:00+00:00", "2019-12-05T06:00:00+00:00")
    assert (len(ip["timeline"]), len(ip["action_items"])) == (14, 4)


def test_dfds_dry_run_names_the_row_out_of_time_order(sqlite_url):
    result = coe(sqlite_url, "import", "--dry-run", "--format", "markdown",
                 str(Path(DATASETS) / "dfds-postmortems" / "PM2023-001 - Total node failure.md"))
    assert "timeline line 27: 2023-02-14 11:07 is written after 2023-02-14 11:08; sorted by time" in result.stdout


def test_posthog_post_mortems(database_url, tmp_path):
    files, refused, docs = import_set(database_url, tmp_path, "posthog-post-mortems")
    assert len(files) == 8 and len(docs) == 7  # all but investigations/template.md
    assert refused.count("\n") == 1 and f"'Incident title - DD/MM/YYYY' {TEMPLATE}" in refused

    flags = docs["2025-09-29-flags-is-down.md"]
    assert [e["at"][11:16] for e in flags["timeline"]] == [
        "16:58", "17:02", "17:05", "17:12", "17:25", "17:40", "18:15", "18:46"]  # the log line's 16:54 is no event
    assert times(flags) == ("2025-09-29T16:58:00+00:00", "2025-09-29T17:25:00+00:00", "2025-09-29T17:25:00+00:00",
                            "2025-09-29T18:15:00+00:00", "2025-09-29T18:46:00+00:00")
    assert Counter(a["status"] for a in flags["action_items"]) == {"done": 2, "open": 7}  # three H3 groups

    surveys = docs["2025-10-03-surveys-sdk-bug.md"]
    assert surveys["severity"] == "sev2"  # "**Severity:** Major"
    # "Detection delay: 4 hours 14 minutes", "Total impact duration: 5 hours 26 minutes (10:45 - 16:11 UTC)".
    assert (surveys["started_at"], surveys["detected_at"], surveys["resolved_at"]) == (
        "2025-10-03T10:45:00+00:00", "2025-10-03T14:59:00+00:00", "2025-10-03T16:11:00+00:00")
    assert len(surveys["timeline"]) == 8 and len(surveys["action_items"]) == 10
    assert [a["owner"] for a in surveys["action_items"]].count("lucasheriques") == 4
    assert {k: len(v) for k, v in surveys["lessons"].items()} == {"went_well": 3, "went_wrong": 4, "got_lucky": 0}

    outages = docs["2025-10-21-feature-flags-recurring-outages.md"]  # four incidents under dated H3s
    assert len(outages["timeline"]) == 41
    assert (outages["timeline"][0]["at"], outages["timeline"][-1]["at"]) == (
        "2025-10-21T21:45:00+00:00", "2025-10-30T05:39:00+00:00")  # "05:39 UTC" follows "(Oct 30)"
    assert Counter(a["status"] for a in outages["action_items"]) == {"done": 7, "in_progress": 2, "open": 17}

    persons = docs["2025-11-15-persons-db-migration.md"]  # no timeline section: the times its summary states
    # "By November 14, 2025, 15:02 UTC, ingestion was healthy again …", "By November 15, 6:20 AM UTC … fully recovered."
    assert [e["at"] for e in persons["timeline"]] == ["2025-11-14T15:02:00+00:00", "2025-11-15T06:20:00+00:00"]
    assert (persons["started_at"], persons["mitigated_at"], persons["resolved_at"]) == (
        "2025-11-11T16:02:00+00:00", "2025-11-14T15:02:00+00:00", "2025-11-15T06:20:00+00:00")
    assert Counter(a["status"] for a in persons["action_items"]) == {"done": 7, "open": 4}

    worm = docs["2025-11-26-shai-hulud-attack.md"]
    assert (worm["started_at"], worm["mitigated_at"]) == ("2025-11-24T04:11:00+00:00", "2025-11-24T09:30:00+00:00")
    assert len(worm["action_items"]) == 4

    replay = docs["2026-01-17-replay-sdk-fetch-wrapper-incident.md"]
    assert replay["severity"] == "sev1"  # "**Severity:** Critical"
    assert (len(replay["timeline"]), replay["timeline"][0]["at"], replay["timeline"][-1]["at"]) == (
        10, "2026-01-14T10:18:00+00:00", "2026-01-19T16:04:00+00:00")
    first = replay["action_items"][0]
    assert (len(replay["action_items"]), first["status"], first["ticket_url"]) == (
        7, "done", "https://github.com/PostHog/posthog-js/pull/2935")

    decide = docs["2024-02-28-decide is down.md"]  # no heading at all
    assert decide["title"] == "decide is down"
    assert (decide["started_at"], decide["resolved_at"]) == ("2024-02-28T15:30:00+00:00", "2024-02-28T18:10:00+00:00")


def test_2i2c_incident_reports(database_url, tmp_path):
    files, refused, docs = import_set(database_url, tmp_path, "2i2c-incident-reports/reports")
    assert len(files) == len(docs) == 7 and refused == ""

    cloudbank = docs["2025-07-11-cloudbank-healthcheck.md"]  # times in BST, one sub-heading per event
    assert (len(cloudbank["timeline"]), cloudbank["timeline"][0]["at"]) == (15, "2025-07-11T11:42:00+00:00")
    assert cloudbank["resolved_at"] == "2025-07-11T15:22:00+00:00"  # 4:22 PM "Incident resolved"
    assert {k: len(v) for k, v in cloudbank["lessons"].items()} == {"went_well": 2, "went_wrong": 1, "got_lucky": 0}

    memory = docs["2020-10-28-memory-overload.md"]  # All times in IST; the title's date
    assert [e["at"] for e in memory["timeline"][::5]] == ["2020-08-28T15:22:00+00:00", "2020-08-28T16:16:00+00:00"]
    assert len(memory["timeline"]) == 6
    assert [a["ticket_url"].rsplit("/", 1)[-1] for a in memory["action_items"]] == ["89", "90", "91", "92", "87"]

    earthscope = docs["2025-05-12-earthscope-resource-provisioning-issue.md"]  # EEST, "## May 12", "## 15 May"
    assert (len(earthscope["timeline"]), earthscope["timeline"][0]["at"], earthscope["timeline"][-1]["at"]) == (
        25, "2025-05-12T17:15:00+00:00", "2025-05-16T08:00:00+00:00")
    assert earthscope["timeline"][9]["at"] == "2025-05-12T21:40:00+00:00"  # "### 00:40" after 23:00: next day
    assert len(earthscope["action_items"]) == 2  # the links under the second are its own

    openscapes = docs["2025-07-21-openscapes-hub-pods-dying.md"]  # EDT; a time line, then its text
    assert (len(openscapes["timeline"]), openscapes["started_at"], openscapes["acknowledged_at"]) == (
        13, "2025-07-22T05:03:00+00:00", "2025-07-22T09:00:00+00:00")
    assert openscapes["resolved_at"] == "2025-07-23T08:10:00+00:00"  # "July 23 4:10 AM ... officially resolved"

    leap = docs["2025-08-12-leap-outage.md"]  # a timeline and a follow-up timeline
    assert len(leap["timeline"]) == 17
    assert (leap["mitigated_at"], leap["resolved_at"]) == ("2025-08-12T16:51:00+00:00", "2025-08-12T17:11:00+00:00")
    assert [a["status"] for a in leap["action_items"]] == ["open", "open", "open", "done", "done"]

    dask = docs["2023-02-01-daskhub-induced-evictions.md"]  # "All times in UTC+1"
    assert (dask["started_at"], len(dask["action_items"]), len(dask["lessons"]["went_wrong"])) == (
        "2023-01-31T23:00:00+00:00", 5, 2)
    assert docs["2023-01-23-Upgrading-ingress-nginx-caused-brief-outage-in-carbonplan.md"]["customer_impact"].startswith(
        "I think only users of carbonplan")


def test_postmortem_templates_are_refused_one_line_each(database_url):
    files = post_mortems("postmortem-templates/templates")
    result = coe(database_url, "import", "--format", "markdown", *map(str, files))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(files) == len(lines) == 7 and all(line.endswith(TEMPLATE) for line in lines)
    assert json.loads(coe(database_url, "list", "--json").stdout or "[]") == []


def test_sre_book_example(database_url, tmp_path):
    _, _, docs = import_set(database_url, tmp_path, "sre-book-example-postmortem")
    [doc] = docs.values()
    assert doc["title"] == "Shakespeare Sonnet++ Postmortem (incident #465)"
    assert times(doc) == ("2015-10-21T14:54:00+00:00", "2015-10-21T14:55:00+00:00", "2015-10-21T15:01:00+00:00",
                          "2015-10-21T15:36:00+00:00", "2015-10-21T16:00:00+00:00")
    assert doc["customer_impact"] == "Estimated 1.21B queries lost, no revenue impact."  # no footnote mark
    assert [(a["kind"], a["owner"]) for a in doc["action_items"][:3]] == [
        ("mitigate", "jennifer"), ("prevent", "martym"), ("process", "docbrown")]
    assert doc["lessons"]["got_lucky"][0] == "Mailing list of Shakespeare aficionados had a copy of new sonnet available"


def test_icco_postmortems_import_or_say_why_in_one_line():
    files = post_mortems("icco-postmortems/data")
    results = [importers.read(path, "markdown") for path in files]
    imported = [r for r in results if r.incidents]
    refused = [r.problems for r in results if not r.incidents]
    assert len(files) == 242 and len(imported) >= 200  # front matter start_time dates five more
    assert all(len(p) == 1 and ": started_at: no date found" in p[0] for p in refused)
