"""`coe import FOLDER`: a folder gives its files of the format; the same record in two files of one run once."""

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from coe.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "import"
runner = CliRunner()


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def listed(url) -> list[dict]:
    return json.loads(coe(url, "list", "--json").stdout or "[]")


def post_mortem_folder(root: Path) -> Path:
    """Two post-mortems, one in a sub-folder, beside a read-me, a template, a hidden folder and a CSV."""
    folder = root / "postmortems"
    (folder / "2024" / ".drafts").mkdir(parents=True)
    shutil.copy(FIXTURES / "crlf_pricing.md", folder / "pricing.md")
    shutil.copy(FIXTURES / "2024-02-28-queue-stalled.md", folder / "2024" / "2024-02-28-queue-stalled.md")
    shutil.copy(FIXTURES / "empty_template.md", folder / "2024" / "PM-nnn - Postmortem template.md")
    shutil.copy(FIXTURES / "no_date.md", folder / "2024" / ".drafts" / "unfinished.md")
    (folder / "README.md").write_text("# Our post-mortems\n\nOne file per incident.\n", encoding="utf-8")
    shutil.copy(FIXTURES / "sheet_bad.csv", folder / "sheet.csv")
    return folder


def test_a_folder_imports_its_post_mortems_and_names_what_it_left_out(database_url, tmp_path):
    folder = post_mortem_folder(tmp_path)
    result = coe(database_url, "import", "--format", "markdown", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{folder}: left out 2024/PM-nnn - Postmortem template.md, README.md (read-mes, licences and templates)\n"
    assert result.stdout.startswith(f"imported 2 incidents from {folder / '2024' / '2024-02-28-queue-stalled.md'}, "
                                    f"{folder / 'pricing.md'}: ")
    assert sorted(i["status"] for i in listed(database_url)) == ["draft", "draft"]
    again = coe(database_url, "import", "--format", "markdown", str(folder))
    assert again.exit_code == 0 and "imported 0 incidents" in again.stdout and len(listed(database_url)) == 2


def test_auto_reads_every_known_format_in_a_folder_all_or_nothing(sqlite_url, tmp_path):
    folder = post_mortem_folder(tmp_path)
    result = coe(sqlite_url, "import", str(folder))
    assert result.exit_code == 1 and f"{folder / 'sheet.csv'}:" in result.stderr  # the sheet is read too, and is bad
    assert listed(sqlite_url) == []


def test_a_folder_without_files_of_the_format_is_one_sentence(sqlite_url, tmp_path):
    folder = post_mortem_folder(tmp_path)
    result = coe(sqlite_url, "import", "--format", "agent-postmortem", str(folder))
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (1, f"{folder}: no agent-postmortem files in this folder")
    assert listed(sqlite_url) == []


def test_a_record_in_a_file_and_in_an_export_beside_it_is_imported_once(database_url, tmp_path):
    folder = tmp_path / "agents"
    (folder / "records").mkdir(parents=True)
    shutil.copy(FIXTURES / "agent_minimal.yaml", folder / "records" / "refund-rule.yaml")
    shutil.copy(FIXTURES / "agent_full.yaml", folder / "records" / "bucket-wipe.yaml")
    record = yaml.safe_load((FIXTURES / "agent_minimal.yaml").read_text(encoding="utf-8"))
    export = {"export_schema_version": "1.0", "count": 1, "incidents": [record]}
    (folder / "export.json").write_text(json.dumps(export), encoding="utf-8")
    result = coe(database_url, "import", "--format", "agent-postmortem", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"skipped 1 records that {folder / 'export.json'} gave already (the same ids), "
                             f"in {folder / 'records' / 'refund-rule.yaml'}\n")
    assert sorted(i["title"] for i in listed(database_url)) == [
        "Ops agent emptied a storage bucket after reading a poisoned runbook",
        "Support bot quoted a refund rule that does not exist"]
