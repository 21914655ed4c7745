"""Large coe/v1 files are streamed (ijson) into one transaction: the same refusals, nothing written on any problem."""

import copy
import json

import pytest
from typer.testing import CliRunner

from coe import importers
from coe.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def stream_everything(monkeypatch):
    """Every coe/v1 file counts as large, and batches are small, so the streaming path is the one tested."""
    monkeypatch.setattr(importers, "STREAM_BYTES", 0)
    monkeypatch.setattr("coe.interchange.STREAM_BATCH", 2)


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def incidents(example: dict, count: int) -> list[dict]:
    """`count` copies of the DOMAIN.md incident without keys, so that each gets its own."""
    return [copy.deepcopy(example["incidents"][0]) | {"key": None, "title": f"Outage {n}"} for n in range(count)]


def write(tmp_path, body) -> str:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def count(url) -> int:
    return len(json.loads(coe(url, "list", "--json").stdout))


def test_a_streamed_file_imports_every_record_in_batches(database_url, tmp_path, domain_example):
    path = write(tmp_path, {"format": "coe/v1", "incidents": incidents(domain_example, 5)})
    result = coe(database_url, "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 5 incidents")
    assert count(database_url) == 5


def test_one_bad_record_late_in_the_stream_writes_nothing(database_url, tmp_path, domain_example):
    records = incidents(domain_example, 5)
    records[4]["severity"] = "high"
    records[1]["started_at"] = "2025-12-09T01:00:00"
    result = coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records}))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{tmp_path / 'big.json'}:2: started_at: " + lines[0].split("started_at: ", 1)[1]
    assert lines[-1].startswith(f"{tmp_path / 'big.json'}:5: severity: unknown value 'high'")
    assert count(database_url) == 0


def test_a_key_twice_and_a_key_already_stored_are_refused_by_record(database_url, tmp_path, domain_example):
    records = incidents(domain_example, 3)
    records[0]["key"] = records[2]["key"] = "COE-2025-0100"
    result = coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records}))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'big.json'}:3: key: COE-2025-0100 is also record 1"
    records[2]["key"] = None
    assert coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records[:1]})).exit_code == 0
    result = coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records[1:] + records[:1]}))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'big.json'}:3: key: COE-2025-0100 already exists in the database"
    assert count(database_url) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "coe/v2", "incidents": []}', 'format: must be "coe/v1", found \'coe/v2\''),
        ('{"incidents": []}', 'format: must be "coe/v1", found missing'),
        ("[1, 2]", 'not a coe/v1 document: expected an object with "format": "coe/v1"'),
        ('{"format": "coe/v1", "incidents": {}}', "incidents: must be a list of incident objects"),
        ('{"format": "coe/v1", "incidents": []}', None),
        ('{"extra": 1, "format": "coe/v1", "incidents": []}', "extra: unknown field at the top of the document"),
        ('{"format": "coe/v1", "format": "coe/v1", "incidents": []}', "format: appears twice in the same object"),
        ('{"format": "coe/v1", "incidents": [42]}', "1: an incident must be a JSON object"),
        ('{"format": "coe/v1", "incidents": [', "not valid JSON"),
    ],
)
def test_malformed_streams_are_refused_in_one_line(sqlite_url, tmp_path, text, expected):
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    result = coe(sqlite_url, "import", str(path))
    if expected is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{path}:" if expected[0].isdigit() else f"{path}: {expected}"), line
    assert expected in line


def test_a_dry_run_of_a_stream_writes_nothing(sqlite_url, tmp_path, domain_example):
    path = write(tmp_path, {"format": "coe/v1", "incidents": incidents(domain_example, 3)})
    result = coe(sqlite_url, "import", "--dry-run", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("would import 3 incidents")
    assert count(sqlite_url) == 0


def test_a_nul_character_in_a_streamed_record_is_refused_by_name(sqlite_url, tmp_path, domain_example):
    records = incidents(domain_example, 2)
    records[1]["title"] = "bad\u0000title"
    result = coe(sqlite_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records}))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'big.json'}:2: title: contains a NUL character, which cannot be stored"
    assert count(sqlite_url) == 0
