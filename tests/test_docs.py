"""The README and --help stay true: every command is documented, and the README's commands run."""

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from coe.cli import app
from coe.validation import parse_document

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _leaves(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every runnable command by its full name, e.g. 'audit verify' (Typer carries its own Click)."""
    out: dict[str, Any] = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        out |= _leaves(command, f"{full} ") if hasattr(command, "commands") else {full: command}
    return out


COMMANDS = _leaves(typer.main.get_command(app))  # type: ignore[arg-type]
runner = CliRunner()


def _readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("coe ")]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = COMMANDS[name]
    assert command.help and "Example: coe " + name in command.help
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts[0]} has no help"
    assert runner.invoke(app, [*name.split(), "--help"]).exit_code == 0


def _command_path(args: list[str]) -> list[str]:
    """The command's words, without the global options (`--as USER`, `--database URL`) before them."""
    while args and args[0] in ("--as", "--database"):
        args = args[2:]
    return args


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    documented = {" ".join(_command_path(shlex.split(line)[1:])[: len(name.split())]) for line in _readme_commands()}
    assert name in documented


def test_the_readme_example_document_is_valid_and_contested() -> None:
    block = next(b for b in re.findall(r"```json\n(.*?)```", README, re.S) if '"coe/v1"' in b)
    [incident] = parse_document(block)
    assert incident.attribution.status == "contested"


def test_the_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("COE_DATABASE_URL", "COE_USER"):
        monkeypatch.delenv(name, raising=False)
    example = next(b for b in re.findall(r"```json\n(.*?)```", README, re.S) if '"coe/v1"' in b)
    Path("incidents.json").write_text(example, encoding="utf-8")
    naive = json.loads(example)
    naive["incidents"][0] |= {"started_at": "2026-03-03T09:00:00", "resolved_at": "2026-03-03T09:30:00"}
    Path("old.json").write_text(json.dumps(naive), encoding="utf-8")
    draft = json.loads(example)
    draft["incidents"][0] |= {"title": "Draft written in the README", "started_at": "2026-05-01T10:00:00+00:00",
                              "resolved_at": "2026-05-01T11:00:00+00:00"}
    Path("draft.json").write_text(json.dumps(draft), encoding="utf-8")
    Path("volumes.csv").write_text(re.findall(r"```csv\n(.*?)```", README, re.S)[0], encoding="utf-8")
    key, ran = "COE-2026-0001", []
    for line in _readme_commands():
        # The README's example key stands for the key the import of draft.json printed.
        args = [key if a == "COE-2026-0001" else a for a in shlex.split(line)[1:]]
        name = _command_path(args)[0]
        if name == "app":
            continue
        target = None
        if ">" in args:
            args, target = args[: args.index(">")], args[args.index(">") + 1]
        if "fixed.json" in args:
            shown = json.loads(runner.invoke(app, ["show", key, "--json"]).stdout)
            Path("fixed.json").write_text(json.dumps(shown | {"summary": "Corrected summary."}), encoding="utf-8")
        answers = "a long enough password\n" * 2 if "passwd" in args else None
        result = runner.invoke(app, args, input=answers)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        if target:
            Path(target).write_text(result.stdout, encoding="utf-8")
        if "draft.json" in args:
            key = result.stdout.split(": ")[-1].strip()
        ran.append(name)
    assert {"init", "demo", "import", "export", "list", "show", "submit", "review", "publish", "update",
            "amend", "user", "audit"} <= set(ran)
    assert Path("coe.db").exists() and Path("all.csv").exists() and Path("audit.json").exists()
    shown = json.loads(runner.invoke(app, ["show", key, "--json"]).stdout)
    assert (shown["status"], shown["summary"], shown["amendments"][0]["status"]) == (
        "published", "Corrected summary.", "published")
