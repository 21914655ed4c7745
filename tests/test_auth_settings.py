"""COE_AUTH in the command line: an unknown mode and header mode on a public address are clear errors."""

import pytest
from typer.testing import CliRunner

from coe.cli import app

runner = CliRunner()


def test_an_unknown_auth_mode_is_one_line(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_AUTH", "ldap")
    result = runner.invoke(app, ["--database", sqlite_url, "list"])
    assert result.exit_code == 1 and "not a sign-in mode" in result.stderr and "Traceback" not in result.output


def test_header_mode_refuses_a_non_loopback_address(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_AUTH", "header")
    result = runner.invoke(app, ["--database", sqlite_url, "app", "--address", "0.0.0.0"])
    assert result.exit_code == 1
    assert "must be reachable only through the proxy: bind to 127.0.0.1, not 0.0.0.0" in result.stderr
