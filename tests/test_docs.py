"""The README and --help stay true: every command is documented, and the README's commands run."""

import json
import re
import shlex
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from coe.cli import app
from coe.validation import parse_document

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
runner = CliRunner()


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("coe ")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command: click.Command = COMMANDS[name]
    assert command.help and "Example: coe " + name in command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts[0]} has no help"
    assert runner.invoke(app, [name, "--help"]).exit_code == 0


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"coe {name}" in README


def test_the_readme_example_document_is_valid_and_contested() -> None:
    block = next(b for b in re.findall(r"```json\n(.*?)```", README, re.S) if '"coe/v1"' in b)
    [incident] = parse_document(block)
    assert incident.attribution.status == "contested"


def test_the_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COE_DATABASE_URL", raising=False)
    example = next(b for b in re.findall(r"```json\n(.*?)```", README, re.S) if '"coe/v1"' in b)
    Path("incidents.json").write_text(example, encoding="utf-8")
    naive = json.loads(example)
    naive["incidents"][0] |= {"started_at": "2026-03-03T09:00:00", "resolved_at": "2026-03-03T09:30:00"}
    Path("old.json").write_text(json.dumps(naive), encoding="utf-8")
    ran = []
    for line in _readme_commands():
        args = shlex.split(line)[1:]
        if args[0] == "app":
            continue
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        ran.append(args[0])
    assert {"init", "demo", "import", "export", "list", "show"} <= set(ran)
    assert Path("coe.db").exists() and Path("all.csv").exists()
