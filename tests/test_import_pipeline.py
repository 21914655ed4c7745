"""A streamed import is read and made into rows by a second process: the same keys, refusals and nothing left running."""

import copy
import json
import multiprocessing

import pytest
from typer.testing import CliRunner

from coe import importers, interchange
from coe.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def stream_in_pairs(monkeypatch):
    """Every coe/v1 file is streamed, two records a batch, so that keys cross batches."""
    monkeypatch.setattr(importers, "STREAM_BYTES", 0)
    monkeypatch.setattr(interchange.JsonStream.__init__, "__kwdefaults__", {"assume_tz": None, "batch": 2})


def coe(url, *args):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def import_file(url, tmp_path, example: dict, keys: list[str | None]):
    """Import copies of the DOMAIN.md incident (started in 2025) carrying these keys."""
    records = [copy.deepcopy(example["incidents"][0]) | {"key": key, "title": f"Outage {n}"} for n, key in enumerate(keys)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": "coe/v1", "incidents": records}), encoding="utf-8")
    return coe(url, "import", str(path))


def stored_keys(url) -> list[str]:
    return sorted(row["key"] for row in json.loads(coe(url, "list", "--json").stdout))


def test_new_keys_follow_those_stored_and_those_earlier_in_the_file(database_url, tmp_path, domain_example):
    assert import_file(database_url, tmp_path, domain_example, ["COE-2025-0007"]).exit_code == 0
    # Numbered batch by batch, as one process importing batch after batch numbers them.
    result = import_file(database_url, tmp_path, domain_example, [None, None, "COE-2025-0020", None, None])
    assert result.exit_code == 0, result.output
    keys = ["COE-2025-0007", "COE-2025-0008", "COE-2025-0009", "COE-2025-0020", "COE-2025-0021", "COE-2025-0022"]
    assert stored_keys(database_url) == keys


def test_a_stored_key_in_a_later_batch_is_numbered_in_the_file_and_stops_the_reader(database_url, tmp_path, domain_example):
    assert import_file(database_url, tmp_path, domain_example, ["COE-2025-0007"]).exit_code == 0
    result = import_file(database_url, tmp_path, domain_example, [None, None, None, "COE-2025-0007", None])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'big.json'}:4: key: COE-2025-0007 already exists in the database"
    assert stored_keys(database_url) == ["COE-2025-0007"]
    assert multiprocessing.active_children() == []
