"""A streamed import is read and made into rows by a second process: the same keys, refusals and nothing left running."""

import copy
import json
import multiprocessing
from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql
from typer.testing import CliRunner

from coe import audit, import_pipeline, importers, interchange, schema, store, validation
from coe.cli import app
from coe.db import engine_for
from coe.import_pipeline import Prepared
from coe.schema import READ_ONLY

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


def varied_records(example: dict) -> list[schema.Incident]:
    """The DOMAIN.md incident three times: as written, with non-ASCII text and microseconds, and with extra sections."""
    first = copy.deepcopy(example["incidents"][0]) | {"key": None}
    second = copy.deepcopy(first) | {"title": "Ausfall – Größe 🚨 \"quoted\"", "started_at": "2025-12-09T01:00:00.123456+02:00"}
    third = copy.deepcopy(first) | {"extra_sections": [{"heading": "Notes", "text": "Kept as written."}]}
    return [validation.parse_incident(record) for record in (first, second, third)]


def test_the_hashed_data_is_the_documents_own_json(domain_example):
    for doc in varied_records(domain_example):
        state, data = audit.hashed(doc)
        assert state == audit.state_hash(doc) == audit.serialised(doc)[0]
        assert data == doc.model_dump(mode="json") == json.loads(audit.serialised(doc)[1])


@pytest.mark.parametrize("dialect", [engine_for("sqlite://").dialect, postgresql.psycopg.dialect()], ids=["sqlite", "pg"])
def test_a_batch_left_to_the_writer_gives_the_rows_the_producer_would_have_made(domain_example, dialect):
    records, at = varied_records(domain_example), audit.now()
    made, left = Prepared(0, at, store.Rows()), Prepared(0, at, None)
    made.add(records, {2025: 6}, dialect)
    left.add(records, {2025: 6}, dialect)
    assert left.keys == made.keys == ["COE-2025-0007", "COE-2025-0008", "COE-2025-0009"]
    assert left.hashes == made.hashes
    assert left.stored_rows(dialect) == made.stored_rows(dialect)


@pytest.mark.parametrize("way", ["left-to-the-writer", "made-by-the-producer", "without-fork"])
def test_either_way_the_stored_incidents_read_back_as_imported(database_url, tmp_path, domain_example, monkeypatch, way):
    monkeypatch.setattr(import_pipeline, "_writer_waits", lambda waiting: way == "left-to-the-writer")
    if way == "without-fork":  # as on Windows
        monkeypatch.setattr(import_pipeline.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    result = import_file(database_url, tmp_path, domain_example, [None, "COE-2025-0003", None])
    assert result.exit_code == 0, result.output
    shown = json.loads(coe(database_url, "show", "COE-2025-0003", "--json").stdout)
    expected = domain_example["incidents"][0] | {"title": "Outage 1", "key": "COE-2025-0003"}
    assert {name: shown[name] for name in expected if name not in READ_ONLY} == {
        name: value for name, value in validation.parse_incident(expected).model_dump(mode="json").items()
        if name in expected and name not in READ_ONLY}
    assert coe(database_url, "audit", "verify").exit_code == 0


@pytest.mark.parametrize("at", [datetime(2025, 12, 9, 1, 0, tzinfo=UTC), datetime(1999, 1, 2, 3, 4, 5, 600, tzinfo=UTC)])
def test_a_time_from_decoded_json_is_stored_as_sqlalchemy_stores_it_on_sqlite(at):
    """SQLite compares times as text: bulk imports and edits through SQLAlchemy must write the same text."""
    dialect = engine_for("sqlite://").dialect
    bind = store.INCIDENT.c.started_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert store._sqlite_time(at.isoformat()) == bind(at)  # isoformat: how coe/v1 writes a time
