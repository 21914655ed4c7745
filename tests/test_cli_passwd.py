"""`coe user passwd`: asks twice, hidden, and stores a password that then checks."""

from typer.testing import CliRunner

from coe import users
from coe.cli import app
from coe.db import engine_for, writing

runner = CliRunner()
GOOD = "correct horse battery"


def test_passwd_prompts_twice_and_sets_the_password(sqlite_url: str) -> None:
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "user", "passwd", "alice"],
                           input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "password set for alice" in result.stdout and GOOD not in result.output
    with writing(engine_for(sqlite_url)) as session:
        assert users.check_password(session, name="alice", password=GOOD)


def test_passwd_refuses_a_short_password_in_one_line(sqlite_url: str) -> None:
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "user", "passwd", "alice"],
                           input="short\nshort\n")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.stderr and "Traceback" not in result.output


def test_passwd_by_another_author_is_refused(sqlite_url: str) -> None:
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "carol", "user", "passwd", "alice"],
                           input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 1 and "manage users" in result.stderr
