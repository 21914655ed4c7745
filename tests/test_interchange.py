"""coe/v1 JSON is lossless; CSV opens cleanly in a spreadsheet; imports are all-or-nothing."""

import copy
import csv
import io
import json

import pytest

from coe import interchange, services
from coe.db import reading, writing
from coe.errors import ValidationFailed
from coe.validation import parse_document, parse_records


def _export(engine) -> str:
    out = io.StringIO()
    with reading(engine) as session:
        interchange.write_json(services.iter_incidents(session), out)
    return out.getvalue()


def _import(engine, text: str) -> list[str]:
    with writing(engine) as session:
        return services.import_incidents(session, incidents=parse_document(text), actor="tester")


def test_the_domain_example_comes_back_the_same(engine, domain_example: dict) -> None:
    _import(engine, json.dumps(domain_example))
    exported = json.loads(_export(engine))
    [incident] = exported["incidents"]
    for read_only in ("created_at", "updated_at", "version"):
        assert incident.pop(read_only)
    assert exported["format"] == "coe/v1"
    assert incident == domain_example["incidents"][0]
    assert incident["attribution"]["status"] == "contested"


def test_export_import_export_is_identical(engine, database_url: str, tmp_path, domain_example: dict) -> None:
    from coe import demo
    from coe.db import engine_for
    from tests.conftest import prepare

    records = list(demo.generate(60, seed=3)) + domain_example["incidents"]
    with writing(engine) as session:
        services.import_incidents(session, incidents=parse_records(records), actor="tester")
    first = _export(engine)
    fresh = engine_for(prepare(f"sqlite:///{tmp_path / 'second.db'}"))
    _import(fresh, first)
    assert _export(fresh) == first
    assert len(json.loads(first)["incidents"]) == 61


def test_an_invalid_record_writes_nothing(engine, domain_example: dict) -> None:
    good = copy.deepcopy(domain_example["incidents"][0])
    bad = copy.deepcopy(good) | {"key": "COE-2025-0002", "severity": "sev9"}
    with pytest.raises(ValidationFailed):
        _import(engine, json.dumps({"format": "coe/v1", "incidents": [good, bad]}))
    with reading(engine) as session:
        assert services.count_incidents(session) == 0


def test_importing_an_existing_key_is_refused_and_writes_nothing(engine, domain_example: dict) -> None:
    _import(engine, json.dumps(domain_example))
    other = copy.deepcopy(domain_example["incidents"][0]) | {"key": None, "title": "New one"}
    again = {"format": "coe/v1", "incidents": [other, domain_example["incidents"][0]]}
    with pytest.raises(ValidationFailed) as caught:
        _import(engine, json.dumps(again))
    assert [p.line("a.json") for p in caught.value.problems] == [
        "a.json:2: key: COE-2025-0001 already exists in the database"
    ]
    with reading(engine) as session:
        assert services.count_incidents(session) == 1


def test_keys_are_assigned_by_year_of_start(engine, domain_example: dict) -> None:
    base = copy.deepcopy(domain_example["incidents"][0]) | {"key": None}
    late = base | {"started_at": "2026-01-02T00:00:00+00:00", "detected_at": None, "acknowledged_at": None,
                   "mitigated_at": None, "resolved_at": None}
    _import(engine, json.dumps(domain_example))
    keys = _import(engine, json.dumps({"format": "coe/v1", "incidents": [base, late, base]}))
    assert keys == ["COE-2025-0002", "COE-2026-0001", "COE-2025-0003"]


def test_csv_has_one_row_per_incident_and_neutralises_formulas(engine, domain_example: dict) -> None:
    incident = copy.deepcopy(domain_example["incidents"][0]) | {"title": "=HYPERLINK(\"http://x\")"}
    _import(engine, json.dumps({"format": "coe/v1", "incidents": [incident]}))
    out = io.StringIO()
    with reading(engine) as session:
        assert interchange.write_csv(services.iter_incidents(session), out) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["title"].startswith("'=")
    assert row["attribution_status"] == "contested"
    assert row["ai_tool"] == "Kiro"
    assert row["ai_destructive_actions"] == "delete; recreate"
    assert row["services"] == "cost-explorer"
    assert row["ttr_minutes"] == "780.0"
    assert row["started_at"] == "2025-12-09 01:00:00"
    assert "Financial Times (press): ai_tool, potential" in row["attribution_claims"]
