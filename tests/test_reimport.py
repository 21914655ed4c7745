"""A re-import is recognised by each record's own reference (an AIID id, a ticket), not only by the file's hash."""

import copy
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe import interchange, services, store
from coe.cli import app
from coe.cli_import import _few
from coe.db import engine_for, reading

FIXTURES = Path(__file__).parent / "fixtures" / "import"
AIID = FIXTURES / "aiid" / "good"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def count(url) -> int:
    return len(json.loads(coe(url, "list", "--json").stdout))


def ticketed(example: dict, *tickets: str) -> dict:
    """The DOMAIN.md example once per ticket, without a key, each carrying its ticket as a reference."""
    records = []
    for ticket in tickets:
        doc = copy.deepcopy(example["incidents"][0])
        doc.pop("key", None)
        doc["external_refs"] = [{"system": "ticket", "id": ticket, "url": None}]
        records.append(doc)
    return example | {"incidents": records}


def test_an_aiid_snapshot_read_through_its_csv_after_its_folder_is_not_duplicated(database_url):
    first = coe(database_url, "import", "--format", "aiid", str(AIID))
    assert first.exit_code == 0, first.output
    stored = count(database_url)
    again = coe(database_url, "import", "--format", "aiid", str(AIID / "incidents.csv"))
    assert again.exit_code == 0, again.output
    assert count(database_url) == stored


def test_a_newer_aiid_snapshot_skips_the_incidents_it_shares(database_url, tmp_path):
    assert coe(database_url, "import", "--format", "aiid", str(AIID)).exit_code == 0
    stored = count(database_url)
    newer = tmp_path / "newer"
    shutil.copytree(AIID, newer)
    with (newer / "incidents.csv").open("ab") as csv:
        csv.write(b"\n")  # other bytes, so the file's hash no longer recognises it
    again = coe(database_url, "import", "--format", "aiid", str(newer))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("imported 0 incidents")
    assert f"skipped {stored} already imported (same aiid id)" in again.stdout
    assert count(database_url) == stored


def test_a_ticketed_record_imported_from_two_files_is_stored_once(database_url, tmp_path, domain_example):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps(ticketed(domain_example, "OPS-1")), encoding="utf-8")
    two.write_text(json.dumps(ticketed(domain_example, "OPS-1"), indent=2), encoding="utf-8")
    assert coe(database_url, "import", str(one)).exit_code == 0
    dry = coe(database_url, "import", "--dry-run", str(two))
    assert "would import 0 incidents" in dry.stdout and "skipped 1 already imported (same ticket id)" in dry.stdout
    again = coe(database_url, "import", str(two))
    assert again.exit_code == 0, again.output
    assert "skipped 1 already imported (same ticket id): COE-" in again.stdout
    assert count(database_url) == 1


def test_a_new_record_beside_known_ones_is_imported(database_url, tmp_path, domain_example):
    one, both = tmp_path / "one.json", tmp_path / "both.json"
    one.write_text(json.dumps(ticketed(domain_example, "OPS-1")), encoding="utf-8")
    both.write_text(json.dumps(ticketed(domain_example, "OPS-1", "OPS-2")), encoding="utf-8")
    assert coe(database_url, "import", str(one)).exit_code == 0
    again = coe(database_url, "import", str(both))
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("imported 1 incidents") and "skipped 1 already imported" in again.stdout
    assert count(database_url) == 2


def test_the_lookup_answers_many_references_in_chunks(database_url, tmp_path, domain_example):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ticketed(domain_example, "OPS-7")), encoding="utf-8")
    assert coe(database_url, "import", str(path)).exit_code == 0
    wanted = [("ticket", f"OPS-{n}") for n in range(1200)] + [("aiid", "OPS-7")]
    with reading(engine_for(database_url)) as session:
        found = store.keys_by_refs(session, wanted)
    assert list(found) == [("ticket", "OPS-7")]  # the same id in another system is another record


def test_shared_citations_and_file_hashes_do_not_identify_a_record():
    assert store.identifies("aiid", "9001") and store.identifies("other", "agent-postmortems:2025-x")
    assert not store.identifies("other", "CVE-2025-0001") and not store.identifies("other", "CWE-77")
    assert not store.identifies("other", "sha256:ab12") and not store.identifies("other", "https://example.com/a")
    assert not store.identifies("other", "Example Engineering Blog")


def test_a_long_list_of_keys_is_cut_short():
    assert _few(["COE-1", "COE-2"]) == "COE-1, COE-2"
    assert _few([f"COE-{n}" for n in range(1, 1366)]) == "COE-1, COE-2, COE-3 and 1,362 more"


def test_the_service_names_the_stored_key_and_the_shared_reference(sqlite_url, tmp_path, domain_example):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ticketed(domain_example, "OPS-9")), encoding="utf-8")
    assert coe(sqlite_url, "import", str(path)).exit_code == 0
    docs = interchange.read_json(path)
    with reading(engine_for(sqlite_url)) as session:
        [(position, (key, system, ref_id))] = services.already_imported(session, incidents=docs).items()
    assert (position, key.startswith("COE-"), system, ref_id) == (0, True, "ticket", "OPS-9")


@pytest.mark.parametrize(("name", "fmt", "extra"), [
    ("crlf_pricing.md", "markdown", []),
    ("statuspage_lines.jsonl", "statuspage", []),
    ("sheet_cloud.csv", "csv", ["--set", "severity=sev3", "--timezone", "UTC"]),
])
def test_a_source_silent_on_ai_is_imported_as_unknown_not_none(sqlite_url, name, fmt, extra):
    path = str(FIXTURES / name)
    dry = coe(sqlite_url, "import", "--dry-run", "--format", fmt, *extra, path)
    assert dry.exit_code == 0, dry.output
    assert "ai.involvement unknown" in dry.stdout
    assert coe(sqlite_url, "import", "--format", fmt, *extra, path).exit_code == 0
    listed = json.loads(coe(sqlite_url, "export", "--format", "json").stdout)["incidents"]
    assert listed and {doc["ai"]["involvement"] for doc in listed} == {"unknown"}


def test_a_copy_given_in_the_same_run_is_imported_once(sqlite_url, tmp_path):
    copy_of = tmp_path / "pricing (copy).md"
    shutil.copy(FIXTURES / "crlf_pricing.md", copy_of)
    result = coe(sqlite_url, "import", str(FIXTURES / "crlf_pricing.md"), str(copy_of))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 1 incidents")
    assert result.stderr.strip() == f"{copy_of}: the same bytes as {FIXTURES / 'crlf_pricing.md'}; skipped"
    assert count(sqlite_url) == 1
