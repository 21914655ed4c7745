"""Change volumes: the CSV import is all or nothing with one line per problem; the app's editor replaces the table."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coe import volumes
from coe.cli import app
from coe.db import engine_for, reading, writing
from coe.errors import PermissionDenied, ValidationFailed

runner = CliRunner()
HEADER = "month,team,changes_total,changes_ai_generated\n"


def coe(url: str, *args: str, user: str = "tester"):
    return runner.invoke(app, ["--database", url, "--as", user, *args])


def rows(url: str) -> list[tuple]:
    with reading(engine_for(url)) as session:
        return [tuple(r) for r in volumes.list_volumes(session).itertuples(index=False)]


def test_import_then_replace_a_month_and_team(database_url: str, tmp_path: Path) -> None:
    first = tmp_path / "v.csv"
    first.write_text(HEADER + "2025-03,payments,100,20\n2025-03,search,50,5\n", encoding="utf-8")
    result = coe(database_url, "volume", "import", str(first))
    assert result.exit_code == 0 and "imported 2 change-volume rows" in result.stdout
    first.write_text(HEADER + "2025-03,payments,120,60\n", encoding="utf-8")
    assert coe(database_url, "volume", "import", str(first)).exit_code == 0
    assert rows(database_url) == [("2025-03", "payments", 120, 60), ("2025-03", "search", 50, 5)]
    listed = coe(database_url, "volume", "list")
    assert "payments" in listed.stdout and "120" in listed.stdout
    assert coe(database_url, "audit", "verify").exit_code == 0


def test_a_bad_file_writes_nothing_and_names_every_line(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2025-03,payments,100,20\n2025-3,payments,10,1\n2025-04,,x,1\n2025-05,ops,5,9\n"
                   "2025-03,payments,1,1\n", encoding="utf-8")
    result = coe(sqlite_url, "volume", "import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:3: month: '2025-3' is not a month like 2025-03",
        f"{bad}:4: team: must be 1–200 characters",
        f"{bad}:4: changes_total: 'x' is not a whole number ≥ 0",
        f"{bad}:5: changes_ai_generated: 9 is more than changes_total (5)",
        f"{bad}:6: team: payments already has a row for 2025-03 (line 2)",
    ]
    assert rows(sqlite_url) == []


def test_a_missing_column_or_file_is_one_line(sqlite_url: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("month,team,total\n2025-03,payments,1\n", encoding="utf-8")
    result = coe(sqlite_url, "volume", "import", str(wrong))
    assert result.exit_code == 1 and "missing column" in result.stderr and len(result.stderr.splitlines()) == 1
    missing = coe(sqlite_url, "volume", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_set_volumes_replaces_the_table_and_needs_an_author(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    edited = [{"month": "2025-01", "team": "payments", "changes_total": 10, "changes_ai_generated": 3}]
    with writing(engine) as session:
        volumes.set_volumes(session, rows=edited, actor="alice")
    assert rows(sqlite_url) == [("2025-01", "payments", 10, 3)]
    with pytest.raises(ValidationFailed) as failed, writing(engine) as session:
        volumes.set_volumes(session, rows=[*edited, {**edited[0], "changes_ai_generated": 11}], actor="alice")
    assert [p.line() for p in failed.value.problems] == [
        "2: changes_ai_generated: 11 is more than changes_total (10)"]
    with pytest.raises(PermissionDenied), writing(engine) as session:
        volumes.set_volumes(session, rows=[], actor="vic")
    assert rows(sqlite_url) == [("2025-01", "payments", 10, 3)]
