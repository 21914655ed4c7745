"""A large import draws a progress bar on stderr for a person at a terminal, and never into piped output."""

import copy
import io
import json
import re

import pytest
from typer.testing import CliRunner

from coe import cli_import, importers
from coe.cli import app

runner = CliRunner()
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(autouse=True)
def stream_everything(monkeypatch):
    """Every coe/v1 file counts as large and batches are small, so the bar has something to follow."""
    monkeypatch.setattr(importers, "STREAM_BYTES", 0)
    monkeypatch.setattr("coe.interchange.STREAM_BATCH", 2)
    monkeypatch.delenv("COE_PROGRESS", raising=False)


def big_file(tmp_path, example: dict, changed: dict[int, dict] | None = None) -> str:
    """Five copies of the DOMAIN.md incident, record number → fields changed."""
    records = [copy.deepcopy(example["incidents"][0]) | {"key": None, "title": f"Outage {n}"} for n in range(5)]
    for number, fields in (changed or {}).items():
        records[number - 1] |= fields
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "coe/v1", "incidents": records}), encoding="utf-8")
    return str(path)


def after_the_bar(stderr: str) -> str:
    """What a terminal still shows once the bar has erased itself (its last erase-line code), without control codes."""
    return CONTROL.sub("", stderr.rsplit("\x1b[2K", 1)[-1])


def test_piped_output_has_no_progress_noise(sqlite_url, tmp_path, domain_example, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # set by many CI systems: it must not draw a bar into a log
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "import", big_file(tmp_path, domain_example)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("imported 5 incidents") and len(result.stdout.splitlines()) == 1
    assert "\x1b" not in result.stdout


def test_an_interactive_import_shows_a_bar_on_stderr_only(sqlite_url, tmp_path, domain_example, monkeypatch):
    monkeypatch.setenv("COE_PROGRESS", "1")  # stands for a terminal: CliRunner's stderr is not one
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "import", big_file(tmp_path, domain_example)])
    assert result.exit_code == 0, result.output
    assert "importing big.json" in result.stderr
    assert "5 incidents" in CONTROL.sub("", result.stderr)
    assert after_the_bar(result.stderr).strip() == ""  # erased when done
    assert result.stdout.startswith("imported 5 incidents") and "\x1b" not in result.stdout


def test_the_bar_is_gone_before_the_one_line_errors(sqlite_url, tmp_path, domain_example, monkeypatch):
    monkeypatch.setenv("COE_PROGRESS", "1")
    path = big_file(tmp_path, domain_example, {4: {"severity": "high"}})
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "import", path])
    assert result.exit_code == 1
    assert "importing big.json" in result.stderr
    [line] = after_the_bar(result.stderr).splitlines()
    assert line.startswith(f"{path}:4: severity: unknown value 'high'")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("setting", "drawn"), [(None, True), ("0", False), ("1", True)])
def test_a_terminal_gets_the_bar_unless_switched_off(tmp_path, monkeypatch, setting, drawn):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    if setting is not None:
        monkeypatch.setenv("COE_PROGRESS", setting)
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 1000)
    with cli_import._progress(path) as report:
        if report is not None:
            report(500, 7)
    assert (report is not None) == drawn
    assert ("importing big.json" in terminal.getvalue()) == drawn
