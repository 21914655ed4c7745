"""AI-incident records through `coe import`: agent post-mortems (YAML or their JSON export) and AIID snapshots."""

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe import importers
from coe.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "import"
AIID = FIXTURES / "aiid"
DATASETS = Path(os.environ["COE_DATASETS"]) if os.environ.get("COE_DATASETS") else None
needs_datasets = pytest.mark.skipif(DATASETS is None, reason="COE_DATASETS is not set")
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def listed(url) -> list[dict]:
    return json.loads(coe(url, "list", "--json").stdout)


def exported(url, tmp_path: Path) -> dict[str, dict]:
    """Every stored incident as coe/v1, by the id of its first external reference."""
    out = tmp_path / "all.json"
    assert coe(url, "export", "--format", "json", "--output", str(out)).exit_code == 0
    return {doc["external_refs"][0]["id"]: doc for doc in json.loads(out.read_text(encoding="utf-8"))["incidents"]}


def test_an_agent_postmortem_fills_the_ai_block_the_claim_and_the_references():
    found = importers.read(FIXTURES / "agent_full.yaml")
    assert found.problems == []
    [doc] = found.incidents
    assert (doc.title, doc.kind, doc.severity, doc.status) == (
        "Ops agent emptied a storage bucket after reading a poisoned runbook", "near_miss", "sev1", "draft")
    assert doc.started_at.isoformat() == "2025-03-02T00:00:00+00:00"  # an unquoted YAML date
    assert doc.services == ["object-storage", "wiki"]
    assert doc.ai.model_dump(mode="json") == {
        "involvement": "confirmed", "tool": "Synthetic OpsPilot", "vendor": "Example Vendor", "model": "model-a, model-b",
        "mode": "agent", "autonomy": "autonomous", "approval_gate": "absent", "gate_bypass": None,
        "permission_scope": "broad", "permissions_inherited": True, "destructive_actions": ["delete"],
        "spec_reviewed": None}
    assert (doc.attribution.ai_contribution, doc.attribution.primary_cause) == ("contributing", "third_party")
    [claim] = doc.attribution.claims
    assert (claim.source_kind, claim.attributes_to, claim.confidence, str(claim.stated_on)) == (
        "analyst", "third_party", "known", "2025-04-01")
    assert [(r.system, r.id) for r in doc.external_refs] == [
        ("other", "agent-postmortems:2025-synthetic-ops-agent-bucket-wipe"), ("aiid", "9001"),
        ("oecd_aim", "2025-03-02-abcd"), ("other", "aiaaic:AIAAIC0001"), ("other", "CVE-2025-0001"),
        ("other", "CWE-77"), ("other", "Example Engineering Blog"), ("other", f"sha256:{found.sha256}")]
    assert doc.external_refs[1].url == "https://incidentdatabase.ai/cite/9001"
    assert [a.title for a in doc.action_items] == [
        "Treat runbook text as data, not instructions", "Scope agent credentials to one bucket",
        "Require approval before any delete"]
    assert all(a.status == "open" for a in doc.action_items)
    assert [f.description for f in doc.contributing_factors] == [
        "Wiki edits were not reviewed.", "The agent ran with the operator's own credentials."]
    assert doc.customers_affected == 12 and "Cost: USD 1200–1500 (estimated)." in doc.customer_impact
    assert doc.detection_method == "internal_report" and doc.root_cause_category == "security"
    # A day-only event sorts at midnight and says so; an event with a zone is kept to the minute, in UTC.
    assert [(e.at.isoformat(), e.description) for e in doc.timeline] == [
        ("2025-03-02T00:00:00+00:00", "Agent reads the page during its morning run. (date only)"),
        ("2025-03-02T08:15:00+00:00", "Outsider edits the runbook page.")]
    extra = {s.heading: s.text for s in doc.extra_sections}
    assert extra["Timeline (undated)"] == "- Vendor notified (date not recorded)."
    assert "4. unsafe-action / cross-domain-action" in extra["Failure classes"]
    assert extra["Detection"] == "Found by the internal storage-usage alarm an hour later."
    assert "archive https://web.archive.org/example" in extra["Sources"]
    assert doc.authors == ["synthetic-tester"]


def test_a_record_without_its_optional_fields_gets_defaults_the_dry_run_names(sqlite_url):
    path = FIXTURES / "agent_minimal.yaml"
    [doc] = importers.read(path).incidents
    assert (doc.severity, doc.kind, doc.summary, doc.customer_impact) == ("sev3", "incident", "", "")
    assert (doc.ai.involvement, doc.ai.autonomy, doc.ai.mode) == ("suspected", None, None)
    # No causation stated: no claim, so the attribution stays undetermined rather than agreed on nothing.
    assert doc.attribution.claims == [] and doc.attribution.status == "undetermined"
    result = coe(sqlite_url, "import", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    assert "record 1: no severity stated → sev3" in result.stdout
    assert "would import 1 incidents" in result.stdout and listed(sqlite_url) == []


def test_unknown_values_are_named_by_file_record_and_field_and_nothing_is_written(sqlite_url):
    path = FIXTURES / "agent_bad.yaml"
    result = coe(sqlite_url, "import", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{path}:1: severity: unknown value 'severe'; "
                        "expected one of critical, high, moderate, low, informational")
    assert [line.split("; expected")[0] for line in lines] == [
        f"{path}:1: severity: unknown value 'severe'",
        f"{path}:1: system.autonomy_level: unknown value 'semi-autonomous'",
        f"{path}:1: failure_classes[1].class: unknown value 'mind-control'",
        f"{path}:1: sources[0].type: unknown value 'blog'",
        f"{path}:1: date: '2024-02-30' is not a date like 2026-01-31",
    ]
    assert lines[3].endswith("expected one of primary-research, vendor-disclosure, vendor-response, "
                             "regulatory-court, news, academic, social-primary, other")
    assert listed(sqlite_url) == []


def test_the_json_export_is_recognised_and_its_records_numbered(sqlite_url):
    path = FIXTURES / "agent_export.json"
    result = coe(sqlite_url, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:2: colour: unknown field; the agent post-mortem standard v1.0 has no such field"]
    assert listed(sqlite_url) == []
    skipped = coe(sqlite_url, "import", "--skip-invalid", str(path))
    assert skipped.exit_code == 0, skipped.output
    [row] = listed(sqlite_url)
    assert (row["title"], row["severity"], row["attribution_status"]) == ("Exported record number one", "sev4", "agreed")


def test_auto_picks_yaml_and_a_reimport_does_not_duplicate(sqlite_url, tmp_path):
    path = tmp_path / "record.yml"
    shutil.copy(FIXTURES / "agent_full.yaml", path)
    assert importers.detect(path, path.read_bytes()) == "agent-postmortem"
    assert coe(sqlite_url, "import", str(path)).stdout.startswith("imported 1 incidents")
    again = coe(sqlite_url, "import", str(path))
    assert again.exit_code == 0 and "already imported as COE-2025-0001" in again.stderr
    assert len(listed(sqlite_url)) == 1


def test_several_yaml_documents_are_several_records_and_broken_yaml_is_one_line(tmp_path):
    both = tmp_path / "two.yaml"
    both.write_text((FIXTURES / "agent_full.yaml").read_text(encoding="utf-8") + "\n---\n"
                    + (FIXTURES / "agent_minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    found = importers.read(both)
    assert [d.external_refs[0].id for d in found.incidents] == [
        "agent-postmortems:2025-synthetic-ops-agent-bucket-wipe", "agent-postmortems:2024-synthetic-minimal-record"]
    assert found.summary[1] == "record 2: no severity stated → sev3"
    broken = tmp_path / "broken.yml"
    broken.write_text('title: "unclosed\nseverity: [high\n', encoding="utf-8")
    assert importers.read(broken).problems == [
        f"{broken}: not valid YAML at line 3 column 1: found unexpected end of stream"]
    twice = tmp_path / "twice.yaml"  # PyYAML alone would keep the second title and drop the first
    twice.write_text("title: First title\nseverity: low\ntitle: Second title\n", encoding="utf-8")
    assert importers.read(twice, "agent-postmortem").problems == [
        f"{twice}: not valid YAML at line 3 column 1: 'title' appears twice"]


def test_an_aiid_snapshot_gives_two_claims_of_different_standing():
    found = importers.read(AIID / "good", "aiid")
    assert found.problems == []
    by_id = {d.external_refs[0].id: d for d in found.incidents}
    assert sorted(by_id, key=int) == ["10", "11", "12", "13", "14", "16"]  # 15 is a duplicate of 10
    chatbot = by_id["10"]
    assert [(r.system, r.id, r.url) for r in chatbot.external_refs[:2]] == [
        ("aiid", "10", "https://incidentdatabase.ai/cite/10"), ("aiid", "15", "https://incidentdatabase.ai/cite/15")]
    assert (chatbot.title, str(chatbot.started_at.date()), chatbot.team, chatbot.ai.vendor) == (
        "Synthetic Shop Chatbot Invented a Refund Rule", "2024-03-01", "shopco", "botmaker")
    assert chatbot.summary == "A shop's chatbot told customers about a refund rule that does not exist."
    assert chatbot.customer_impact == "Alleged harmed or nearly harmed parties: shopco-customers."
    assert (chatbot.ai.involvement, chatbot.ai.autonomy, chatbot.regions) == ("confirmed", "suggest_only", ["Europe", "DE"])
    assert [(c.source_kind, c.attributes_to, c.confidence) for c in chatbot.attribution.claims] == [
        ("analyst", "ai_tool", "known"), ("other", "ai_tool", "potential")]
    assert chatbot.attribution.status == "agreed"
    # CSET's annotators blame the tool; the model-made MIT label blames the fraudsters: contested.
    fraud = by_id["11"]
    assert [c.attributes_to for c in fraud.attribution.claims] == ["ai_tool", "third_party"]
    assert fraud.attribution.status == "contested"
    assert fraud.summary == "Fraudsters used a cloned voice\nto ask a family for money."
    # Not an AI system by CSET's definition, an AI failure to the model; one death makes it sev1.
    machine = by_id["12"]
    assert [c.attributes_to for c in machine.attribution.claims] == ["software_defect", "ai_tool"]
    assert (machine.attribution.status, machine.severity) == ("contested", "sev1")
    assert "1 lives lost" in machine.customer_impact.lower()
    unclassified = by_id["13"]
    assert (unclassified.attribution.claims, unclassified.severity, unclassified.ai.involvement) == (
        [], "sev3", "suspected")
    assert len(unclassified.team) <= 200 and unclassified.team.endswith("synthetic-deployer-07 and 22 more")
    assert "synthetic-deployer-29" in next(s.text for s in unclassified.extra_sections if s.heading == "AIID record")
    assert [c.attributes_to for c in by_id["14"].attribution.claims] == ["human_error"]
    near = by_id["16"]
    assert (near.kind, near.severity, near.attribution.claims[0].confidence) == ("near_miss", "sev4", "potential")
    assert [s.heading for s in chatbot.extra_sections] == [
        "AIID record", "Classification CSETv1", "Classification MIT"]
    assert found.summary[3:] == [
        "attribution: 2 contested, 3 agreed, 1 undetermined",
        "severity: 3 from CSETv1 harm level, 1 sev1 (CSETv1 lives lost), 2 sev3 by default (no harm classification)",
        "AIID 15 is a duplicate of 10: folded into it"]


def test_aiid_dry_run_writes_nothing_and_a_reimport_of_the_same_snapshot_is_skipped(database_url):
    folder = str(AIID / "good")
    dry = coe(database_url, "import", "--format", "aiid", "--dry-run", folder)
    assert dry.exit_code == 0, dry.output
    assert "  attribution: 2 contested, 3 agreed, 1 undetermined" in dry.stdout.splitlines()
    assert "would import 6 incidents" in dry.stdout and listed(database_url) == []
    result = coe(database_url, "import", folder)  # auto: a folder is an AIID snapshot
    assert result.exit_code == 0, result.output
    rows = listed(database_url)
    assert len(rows) == 6 and sum(r["attribution_status"] == "contested" for r in rows) == 2
    again = coe(database_url, "import", "--format", "aiid", str(AIID / "good" / "incidents.csv"))
    assert again.exit_code == 0 and "already imported as" in again.stderr
    assert len(listed(database_url)) == 6
    key = next(r["key"] for r in rows if r["title"] == "Synthetic Voice Clone Used in a Fraud Call")
    shown = coe(database_url, "show", key).stdout
    assert "## Attribution (contested)" in shown
    assert "MIT AI Risk Repository classification (model-produced) (other, potential): third_party" in shown


def test_aiid_problems_are_named_by_table_and_line(sqlite_url, tmp_path):
    folder = AIID / "bad"
    result = coe(sqlite_url, "import", "--format", "aiid", str(folder))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{folder}/classifications_MIT.csv:2: Entity: unknown value 'Robot'; expected one of 'AI', 'Human', 'Other'",
        f"{folder}/incidents.csv:3: date: '2024-13-01' is not a date like 2026-01-31",
        f"{folder}/incidents.csv:4: Alleged deployer of AI system: not a JSON list like [\"name\"]",
    ]
    assert listed(sqlite_url) == []
    skipped = coe(sqlite_url, "import", "--format", "aiid", "--skip-invalid", str(folder))
    assert skipped.exit_code == 0
    assert [r["title"] for r in listed(sqlite_url)] == ["Synthetic Record That Is Fine"]
    empty = coe(sqlite_url, "import", "--format", "aiid", str(tmp_path))
    assert empty.exit_code == 1 and empty.stderr.strip() == f"{tmp_path}: no incidents.csv in this folder"


@needs_datasets
def test_every_agent_postmortem_of_the_dataset(database_url, tmp_path):
    files = sorted(str(p) for p in (DATASETS / "swarmproof-agent-postmortems" / "incidents").glob("*.yaml"))
    assert len(files) == 19
    refused = coe(database_url, "import", *files)
    template = next(f for f in files if f.endswith("_TEMPLATE.yaml"))
    assert refused.exit_code == 1 and refused.stderr.splitlines() == [
        f"{template}:1: title: required",
        f"{template}:1: incident_id: 'YYYY-short-kebab-slug' is not a slug like 2025-short-name",
        f"{template}:1: date: 'YYYY-MM-DD' is not a date like 2026-01-31"]
    assert listed(database_url) == []
    result = coe(database_url, "import", "--skip-invalid", *files)
    assert result.exit_code == 0, result.output
    rows = listed(database_url)
    assert len(rows) == 18 and sum(r["kind"] == "near_miss" for r in rows) == 5  # the five hazards
    docs = exported(database_url, tmp_path)
    replit = docs["agent-postmortems:2025-replit-prod-db-deletion"]
    assert replit["title"] == "Replit AI agent deleted a production database during a declared code freeze"
    assert (replit["started_at"], replit["severity"], replit["customers_affected"], replit["services"]) == (
        "2025-07-18T00:00:00+00:00", "sev2", 1, ["database", "code-execution"])
    assert {k: replit["ai"][k] for k in ("tool", "vendor", "mode", "autonomy", "approval_gate", "destructive_actions")} == {
        "tool": "Replit AI agent (vibe-coding platform)", "vendor": "Replit", "mode": "agent",
        "autonomy": "autonomous", "approval_gate": "absent", "destructive_actions": ["delete"]}
    assert [(c["attributes_to"], c["confidence"]) for c in replit["attribution"]["claims"]] == [("ai_tool", "known")]
    assert (replit["attribution"]["ai_contribution"], replit["root_cause_category"]) == ("primary", "access_control")
    assert {"system": "aiid", "id": "1152", "url": "https://incidentdatabase.ai/cite/1152"} in replit["external_refs"]
    assert len(replit["action_items"]) == 4
    espionage = docs["agent-postmortems:2025-gtg1002-ai-orchestrated-espionage"]
    assert (espionage["severity"], espionage["attribution"]["claims"][0]["attributes_to"]) == ("sev1", "third_party")
    klarna = docs["agent-postmortems:2025-klarna-ai-cs-reversal"]
    assert (klarna["attribution"]["claims"][0]["attributes_to"], klarna["detection_method"]) == (
        "shared", "internal_report")
    air_canada = docs["agent-postmortems:2024-air-canada-chatbot-liability"]
    assert (air_canada["ai"]["autonomy"], air_canada["ai"]["mode"]) == ("approve_each_step", "chat")
    assert "Cost: USD 812." in air_canada["customer_impact"]
    again = coe(database_url, "import", "--skip-invalid", *files)
    assert again.stderr.count("already imported as") == 18 and len(listed(database_url)) == 18


@needs_datasets
def test_the_whole_aiid_snapshot(database_url, tmp_path):
    folder = DATASETS / "aiid-snapshot-2026-02"
    result = coe(database_url, "import", "--format", "aiid", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 1365 incidents")  # 1367 rows; duplicates 637 and 88 folded
    rows = listed(database_url)
    statuses = [r["attribution_status"] for r in rows]
    assert (len(rows), statuses.count("contested"), statuses.count("agreed"), statuses.count("undetermined")) == (
        1365, 46, 1185, 134)
    docs = exported(database_url, tmp_path)
    contested = sorted(int(i) for i, d in docs.items() if d["attribution"]["status"] == "contested")
    assert contested[:8] == [2, 5, 6, 9, 23, 24, 27, 28] and contested[-3:] == [509, 547, 576]
    youtube = docs["1"]
    assert (youtube["title"], youtube["started_at"], youtube["severity"]) == (
        "Google’s YouTube Kids App Presents Inappropriate Content", "2015-05-19T00:00:00+00:00", "sev4")
    assert (youtube["team"], youtube["ai"]["vendor"], youtube["ai"]["autonomy"]) == ("youtube", "youtube", "autonomous")
    assert [c["attributes_to"] for c in youtube["attribution"]["claims"]] == ["ai_tool", "ai_tool"]
    # Not an AI system to CSET's annotators, an AI failure to the MIT model; 54 injuries make it sev2.
    assert [c["attributes_to"] for c in docs["2"]["attribution"]["claims"]] == ["software_defect", "ai_tool"]
    assert docs["2"]["severity"] == "sev2"
    deepfake = docs["509"]
    assert deepfake["title"] == "Scammers Deepfaked Videos of Victims' Loved Ones Asking for Funds over Facebook in Vietnam"
    assert [(c["source_kind"], c["attributes_to"], c["confidence"]) for c in deepfake["attribution"]["claims"]] == [
        ("analyst", "ai_tool", "known"), ("other", "third_party", "potential")]
    assert [r["id"] for r in docs["112"]["external_refs"][:2]] == ["112", "637"]
    assert sum(len(d["attribution"]["claims"]) for d in docs.values()) == 200 + 1240
    again = coe(database_url, "import", str(folder / "incidents.csv"))
    assert again.exit_code == 0 and "already imported as" in again.stderr and len(listed(database_url)) == 1365
