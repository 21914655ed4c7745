"""The command line, through Typer's runner: exit statuses, one-line errors, nothing half-written."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe.cli import app

runner = CliRunner()


def coe(url: str, *args: str):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def test_init_on_a_new_file_then_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert coe(url, "init").exit_code == 0
    again = coe(url, "init")
    assert again.exit_code == 0 and "database ready" in again.stdout


def test_commands_on_an_uninitialised_database_say_run_init(tmp_path: Path) -> None:
    result = coe(f"sqlite:///{tmp_path / 'none.db'}", "list")
    assert result.exit_code == 1
    assert "is not initialised or is out of date; run `coe init`" in result.stderr
    assert "Traceback" not in result.output


def test_import_show_export_round_trip(database_url: str, example_file: Path, tmp_path: Path) -> None:
    imported = coe(database_url, "import", str(example_file))
    assert imported.exit_code == 0, imported.output
    assert "imported 1 incidents" in imported.stdout and "COE-2025-0001" in imported.stdout
    shown = coe(database_url, "show", "COE-2025-0001", "--json")
    incident = json.loads(shown.stdout)
    assert incident["attribution"]["status"] == "contested"
    out = tmp_path / "all.json"
    assert coe(database_url, "export", "--output", str(out)).exit_code == 0
    assert json.loads(out.read_text())["incidents"] == [incident]


def test_show_as_text(sqlite_url: str, example_file: Path) -> None:
    coe(sqlite_url, "import", str(example_file))
    text = coe(sqlite_url, "show", "COE-2025-0001").stdout
    assert "## Attribution (contested)" in text
    assert "Financial Times (press, potential): ai_tool." in text
    assert "2025-12-09 01:00  [ai_agent] agentic coding tool: Agent deletes the environment" in text


def test_a_bad_file_is_refused_with_one_line_per_problem(database_url: str, tmp_path: Path, domain_example) -> None:
    bad = json.loads(json.dumps(domain_example))
    bad["incidents"][0]["severity"] = "sev0"
    bad["incidents"][0]["ai"]["mode"] = "yolo"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = coe(database_url, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:1: severity: unknown value 'sev0'; expected one of 'sev1', 'sev2', 'sev3', 'sev4' or 'sev5'",
        f"{path}:1: ai.mode: unknown value 'yolo'; expected one of 'completion', 'chat', 'agent' or 'autonomous_ops'",
    ]
    assert "no incidents match" in coe(database_url, "list").stdout


def test_one_bad_file_among_several_writes_nothing(sqlite_url: str, example_file: Path, tmp_path: Path) -> None:
    result = coe(sqlite_url, "import", str(example_file), str(tmp_path / "missing.json"))
    assert (result.exit_code, result.stderr.strip()) == (1, f"{tmp_path / 'missing.json'}: no such file")
    assert "no incidents match" in coe(sqlite_url, "list").stdout


def test_importing_twice_names_the_existing_key(sqlite_url: str, example_file: Path) -> None:
    coe(sqlite_url, "import", str(example_file))
    result = coe(sqlite_url, "import", str(example_file))
    assert (result.exit_code, result.stderr.strip()) == (
        1, f"{example_file}:1: key: COE-2025-0001 already exists in the database"
    )


def test_dry_run_writes_nothing(sqlite_url: str, example_file: Path) -> None:
    result = coe(sqlite_url, "import", str(example_file), "--dry-run")
    assert (result.exit_code, result.stdout.strip()) == (0, f"would import 1 incidents from {example_file}: COE-2025-0001")
    assert "no incidents match" in coe(sqlite_url, "list").stdout


def test_unknown_key_is_exit_1(sqlite_url: str) -> None:
    result = coe(sqlite_url, "show", "COE-1999-0001")
    assert (result.exit_code, result.stderr.strip()) == (1, "error: no incident with key COE-1999-0001")


@pytest.mark.parametrize(
    "args",
    [["list", "--severity", "sev9"], ["list", "--since", "last-week"], ["nope"], ["export", "--format", "xml"],
     ["import", "x.json", "--timezone", "Mars/Olympus"]],
)
def test_a_wrong_command_line_is_exit_2(sqlite_url: str, args: list[str]) -> None:
    assert coe(sqlite_url, *args).exit_code == 2


def test_list_filters_and_json(database_url: str, example_file: Path) -> None:
    coe(database_url, "import", str(example_file))
    coe(database_url, "demo", "--incidents", "40", "--seed", "2")
    table = coe(database_url, "list", "--ai", "confirmed", "--team", "billing-console").stdout
    assert "COE-2025-0001" in table and table.strip().endswith("1 incident")
    rows = json.loads(coe(database_url, "list", "--json", "--limit", "5").stdout)
    assert len(rows) == 5
    assert [r["started_at"] for r in rows] == sorted((r["started_at"] for r in rows), reverse=True)


def test_demo_if_empty_adds_nothing_the_second_time(sqlite_url: str) -> None:
    assert "added 30 demo incidents" in coe(sqlite_url, "demo", "--incidents", "30").stdout
    assert "no demo data added" in coe(sqlite_url, "demo", "--if-empty").stdout
    assert len(json.loads(coe(sqlite_url, "list", "--json").stdout)) == 30


def test_csv_export_opens_as_utf8_with_bom(sqlite_url: str, example_file: Path, tmp_path: Path) -> None:
    coe(sqlite_url, "import", str(example_file))
    out = tmp_path / "all.csv"
    assert coe(sqlite_url, "export", "--format", "csv", "--output", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfkey,title,")
    assert raw.count(b"\r\n") == 2
    assert not list(tmp_path.glob(".*.partial"))
