"""A real spreadsheet nobody here wrote, imported through `coe import --format csv` as a user would.

The ISSRE'22 study of public cloud incidents: 356 rows, no severity column, dates without a time, durations in
minutes. Every value asserted below was read off the file by hand. It is found through COE_DATASETS; without
it these tests are skipped.
"""

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe.cli import app

DATASETS = os.environ.get("COE_DATASETS")
pytestmark = pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set")
OPTIONS = ("--format", "csv", "--set", "severity=sev3", "--timezone", "UTC", "--map", "root_cause_l2=root_cause_category")
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def sheet() -> Path:
    return Path(DATASETS) / "issre22-cloud-incidents-csv" / "cloud_incidents.csv"


def by_id(url: str, tmp_path: Path) -> dict[str, dict]:
    """Every stored record by the sheet's own id."""
    exported = tmp_path / "all.json"
    assert coe(url, "export", "--output", str(exported)).exit_code == 0
    records = json.loads(exported.read_text(encoding="utf-8"))["incidents"]
    return {r["external_refs"][0]["id"].removeprefix("cloud-incidents:"): r for r in records}


def test_without_options_the_dry_run_says_what_is_missing_in_two_lines(sqlite_url):
    result = coe(sqlite_url, "import", "--dry-run", str(sheet()))
    assert result.exit_code == 1
    assert [line.split(": ", 2)[1] for line in result.stderr.splitlines()] == ["severity", "started_at"]
    assert "--set severity=sev3" in result.stderr and "(356 rows); add --timezone ZONE" in result.stderr


def test_the_dry_run_names_where_each_column_went(sqlite_url):
    result = coe(sqlite_url, "import", "--dry-run", *OPTIONS, str(sheet()))
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    for line in ("356 rows → incidents", "title → title", "date → started_at", "summary → summary",
                 "kept as extra sections: provider, impact_symptoms, root_cause_l1", "--set severity=sev3: 356 rows",
                 "356 dates without a time of day: 00:00 UTC",
                 "2 rows give no duration and no resolved_at: resolved_at left empty",
                 "id 'azure-20180904-1' on lines 159, 160: one reference for all of them"):
        assert line in lines
    assert json.loads(coe(sqlite_url, "list", "--json").stdout) == []


def test_the_cloud_incident_sheet(database_url, tmp_path):
    result = coe(database_url, "import", *OPTIONS, str(sheet()))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 356 incidents") and result.stderr == ""
    docs = by_id(database_url, tmp_path)
    assert len(docs) == 355  # "azure-20180904-1" is the id of two rows: a preliminary and a final RCA
    assert Counter(d["severity"] for d in docs.values()) == {"sev3": 355}

    ec2 = docs["aws-2"]
    assert ec2["title"] == "Summary of the Amazon EC2 and Amazon RDS Service Disruption in the US East Region"
    assert (ec2["started_at"], ec2["resolved_at"]) == ("2011-04-29T00:00:00+00:00", "2011-04-30T05:28:00+00:00")  # 1768 min
    assert ec2["services"] == ["EC2 instances", "EBS cluster", "EBS control plane", "Amazon RDS"]
    assert ec2["external_refs"][0] == {"system": "other", "id": "cloud-incidents:aws-2",
                                       "url": "https://aws.amazon.com/cn/message/65648/"}
    assert ec2["resolution"].startswith("disable all control APIs; rollback traffic shift")
    assert [f["category"] for f in ec2["contributing_factors"]] == ["code_defect", "capacity"]
    assert {s["heading"]: s["text"] for s in ec2["extra_sections"]}["provider"] == "AWS"

    gce = docs["google-GCE-#15064"]
    assert gce["title"] == "Google Compute Engine Incident #15064"
    assert (gce["started_at"], gce["resolved_at"]) == ("2015-11-23T00:00:00+00:00", "2015-11-23T01:10:00+00:00")
    assert gce["services"] == ["Google Compute Engine", "network link"]
    assert gce["external_refs"][0]["url"] == "https://status.cloud.google.com/incident/compute/15064.pdf"
    assert gce["root_cause_category"] == "capacity"  # "insufficient resource"
    assert [(c["attributes_to"], c["statement"]) for c in gce["attribution"]["claims"]] == [
        ("human_error", "human_error: True")]

    east = docs["azure-20180801-1"]
    assert (east["started_at"], east["resolved_at"]) == ("2018-08-01T00:00:00+00:00", "2018-08-01T09:22:00+00:00")
    assert (east["services"], east["root_cause_category"]) == (["Microsoft data centers"], "hardware")
    assert docs["azure-20170321-1"]["resolved_at"] is None  # its duration cell is empty
    assert sum(bool(d["attribution"]["claims"]) for d in docs.values()) == 27  # the rows whose human_error is True


def test_a_second_import_of_the_sheet_or_of_a_copy_imports_nothing(database_url, tmp_path):
    assert coe(database_url, "import", *OPTIONS, str(sheet())).exit_code == 0
    again = coe(database_url, "import", *OPTIONS, str(sheet()))
    assert again.exit_code == 0 and again.stdout.startswith("imported 0 incidents")
    assert "already imported as COE-2011-0001" in again.stderr
    copy = tmp_path / "cloud_incidents.csv"  # the same rows in other bytes: a newer snapshot is recognised by row
    copy.write_bytes(sheet().read_bytes().replace(b"\n", b"\r\n"))
    result = coe(database_url, "import", *OPTIONS, str(copy))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "imported 0 incidents"
    assert result.stdout.splitlines()[1].startswith("skipped 356 already imported (same other id): COE-2011-0001")
