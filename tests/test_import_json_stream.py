"""Large coe/v1 files are streamed into one transaction: the same refusals, nothing written on any problem."""

import copy
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from coe import importers, interchange, models, store
from coe.cli import app
from coe.db import engine_for, writing

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


@pytest.mark.parametrize("read_chars", [None, 8, 11, 13])  # a few characters a read: the escape split between two
def test_a_nul_character_in_a_streamed_record_is_refused_by_name(sqlite_url, tmp_path, domain_example, monkeypatch,
                                                                 read_chars):
    if read_chars:
        monkeypatch.setattr(interchange, "READ_CHARS", read_chars)
    records = incidents(domain_example, 3)
    records[2]["title"] = "bad\u0000title"
    result = coe(sqlite_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records}))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'big.json'}:3: title: contains a NUL character, which cannot be stored"
    assert count(sqlite_url) == 0


def test_a_streamed_import_keeps_the_audit_chain_and_the_search_index_whole(database_url, tmp_path, domain_example):
    records = incidents(domain_example, 5)
    records[3]["title"] = "Quasar relay overheated"
    before = int(coe(database_url, "audit", "verify").stdout.split()[0])
    assert coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records})).exit_code == 0
    verified = coe(database_url, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith(f"{before + 5} events verified")  # one import event per incident
    hits = json.loads(coe(database_url, "search", "quasar", "--json").stdout)
    assert [hit["title"] for hit in hits] == ["Quasar relay overheated"]
    assert len(json.loads(coe(database_url, "search", "outage", "--json", "--limit", "50").stdout)) == 4


def test_bulk_rows_read_back_exactly_as_written(database_url, tmp_path, domain_example):
    """The driver-level inserts store what the document says: an export gives the same incidents back."""
    records = incidents(domain_example, 3)
    records[0]["timeline"][0]["at"] = "2025-12-09T02:55:00.123456+02:00"  # a fraction and an offset, stored in UTC
    records[0]["amendments"] = []
    records[1]["title"] = "Ünïcode — “quoted” 🚀"
    assert coe(database_url, "import", write(tmp_path, {"format": "coe/v1", "incidents": records})).exit_code == 0
    exported = json.loads(coe(database_url, "export", "--format", "json").stdout)["incidents"]
    assert exported[0]["timeline"][0]["at"] == "2025-12-09T00:55:00.123456+00:00"
    assert exported[1]["title"] == "Ünïcode — “quoted” 🚀"
    for record, stored in zip(records, exported, strict=True):
        for field in ("five_whys", "contributing_factors", "lessons", "regions", "authors", "changes", "reviews",
                      "action_items", "external_refs", "attribution", "ai"):
            assert stored[field] == record[field], field


@pytest.mark.parametrize("at", [datetime(2025, 12, 9, 1, 0, tzinfo=UTC), datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
                                datetime(2025, 12, 9, 2, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5))), None])
def test_bulk_timestamps_are_stored_as_sqlalchemy_stores_them(sqlite_url, at):
    """SQLite compares timestamps as text: the bulk path must write exactly what an ORM save writes."""
    dialect = engine_for(sqlite_url).dialect
    column = models.TimelineEvent.__table__.c.at.type
    assert store._processor(column, dialect)(at) == column.dialect_impl(dialect).bind_processor(dialect)(at)


def test_the_bulk_page_cache_is_given_back_even_after_a_failure(sqlite_url):
    with writing(engine_for(sqlite_url), commit=False) as session:
        size = lambda: session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        before = size()
        with pytest.raises(RuntimeError), store.bulk_cache(session):
            assert size() == -store.BULK_CACHE_KIB
            raise RuntimeError
        assert size() == before


DOCUMENTS = [
    '{"format": "coe/v1", "incidents": []}',
    '{"format":"coe/v1","incidents":[{"a":1},{"b":[1.5,-2e3,true,null,"x\\"y\\\\"]}],"later":{"k":[1,2]}}',
    '\ufeff{ "format" : "coe/v1" ,\n "incidents" : [\n\t{ "t" : "ünï \\u00e9 🚀" , "n" : 12345678901234567890 } ,\n 7 , "s" , [ ] ] }\n',
]


@pytest.mark.parametrize("read_chars", [1, 2, 3, 5, 4096])
@pytest.mark.parametrize("text", DOCUMENTS)
def test_the_streamed_decoder_gives_what_json_loads_gives_wherever_the_reads_fall(monkeypatch, text, read_chars):
    monkeypatch.setattr(interchange, "READ_CHARS", read_chars)
    expected = json.loads(text.lstrip("\ufeff"))["incidents"]
    assert list(interchange._JsonText(io.StringIO(text.lstrip("\ufeff"))).incidents()) == expected


@pytest.mark.parametrize("text", [
    '{"format": "coe/v1", "incidents": [{"a": 1} {"b": 2}]}',
    '{"format": "coe/v1", "incidents": [{"a": 1},]}',
    '{"format": "coe/v1", "incidents": [{"a": NaN}]}',
    '{"format": "coe/v1", "incidents": [{"a": "unterminated}]}',
    '{"format": "coe/v1", "incidents": [{"a": 1}]',
    '{"format": "coe/v1", "incidents": [{"a": 1}]} []',
    '{"format": "coe/v1", "incidents": [{"a": 1}], "b" 2}',
])
@pytest.mark.parametrize("read_chars", [1, 3, 4096])
def test_the_streamed_decoder_refuses_what_is_not_json(monkeypatch, text, read_chars):
    monkeypatch.setattr(interchange, "READ_CHARS", read_chars)
    with pytest.raises(ValueError):  # json.JSONDecodeError is a ValueError
        list(interchange._JsonText(io.StringIO(text)).incidents())


def test_a_syntax_error_deep_in_a_stream_is_one_line_naming_the_last_good_record(sqlite_url, tmp_path, domain_example):
    text = json.dumps({"format": "coe/v1", "incidents": incidents(domain_example, 3)})
    path = tmp_path / "big.json"
    path.write_text(text.replace('}, {"key"', '} {"key"', 2).replace('} {"key"', '}, {"key"', 1), encoding="utf-8")
    result = coe(sqlite_url, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"{path}: not valid JSON after record 2: expected ',' or ']', found '{{'\n"
    assert count(sqlite_url) == 0


def test_a_refused_bulk_copy_is_the_usual_database_error(postgres_url):
    """COPY goes through the driver directly; its errors must still reach the CLI as one line, not a traceback."""
    with pytest.raises(IntegrityError, match="foreign key"), writing(engine_for(postgres_url)) as session:
        store.insert_rows(session, models.IncidentService.__table__, ("incident_id", "position", "name"), [(999, 0, "x")])


def test_an_unending_string_stops_at_the_record_limit_instead_of_reading_the_whole_file(monkeypatch):
    monkeypatch.setattr(interchange, "READ_CHARS", 4)
    monkeypatch.setattr(interchange, "MAX_RECORD_CHARS", 64)
    text = '{"format": "coe/v1", "incidents": [{"title": "' + "x" * 1000
    with pytest.raises(ValueError, match="a value runs past 64 characters"):
        list(interchange._JsonText(io.StringIO(text)).incidents())
