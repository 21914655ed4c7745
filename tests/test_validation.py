"""Every malformed input gets its own plain message naming the record and the field."""

import copy
import json

import pytest

from coe.errors import ValidationFailed
from coe.schema import attribution_status
from coe.validation import parse_document, parse_incident


def _doc(incident: dict) -> str:
    return json.dumps({"format": "coe/v1", "incidents": [incident]})


def _problems(text: str) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        parse_document(text)
    return [p.line("f.json") for p in caught.value.problems]


@pytest.fixture
def incident(domain_example: dict) -> dict:
    return copy.deepcopy(domain_example["incidents"][0])


def test_the_domain_example_is_valid_and_contested(domain_example: dict) -> None:
    [doc] = parse_document(json.dumps(domain_example))
    assert doc.attribution.status == "contested"
    assert [e.at.isoformat() for e in doc.timeline][0] == "2025-12-09T00:55:00+00:00"


def test_the_example_copy_matches_the_contract(domain_example: dict) -> None:
    from tests.conftest import domain_md_example

    stated = domain_md_example()
    if stated is None:
        pytest.skip("the design folder is not beside this clone")
    assert stated == domain_example


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda i: i.update(severity="critical"),
         "f.json:1: severity: unknown value 'critical'; expected one of 'sev1', 'sev2', 'sev3', 'sev4' or 'sev5'"),
        (lambda i: i.pop("title"), "f.json:1: title: required"),
        (lambda i: i.update(title="   "), "f.json:1: title: must not be empty"),
        (lambda i: i.update(started_at="2025-12-09T01:00:00"),
         "f.json:1: started_at: '2025-12-09T01:00:00' has no UTC offset; write it like 2025-12-09T01:00:00+00:00"),
        (lambda i: i.update(resolved_at="2025-12-08T00:00:00+00:00"),
         "f.json:1: resolved_at: 2025-12-08T00:00:00+00:00 is before started_at 2025-12-09T01:00:00+00:00"),
        (lambda i: i.update(acknowledged_at="2025-12-09T01:10:00+00:00"),
         "f.json:1: acknowledged_at: 2025-12-09T01:10:00+00:00 is before detected_at 2025-12-09T01:20:00+00:00"),
        (lambda i: i["ai"].update(approval_gate="skipped"),
         "f.json:1: ai.approval_gate: unknown value 'skipped'; expected one of 'enforced', 'bypassed', "
         "'absent', 'not_applicable' or 'unknown'"),
        (lambda i: i["action_items"][1].update(status="done"),
         "f.json:1: action_items[1].completed_on: required when status is done"),
        (lambda i: i["timeline"][2].update(at="yesterday"),
         "f.json:1: timeline[2].at: 'yesterday' is not an ISO-8601 timestamp"),
        (lambda i: i.update(summary="x" * 12_000_000),
         "f.json:1: summary: is 12,000,000 characters long; the limit is 100,000"),
        (lambda i: i.update(key="INC-1"), "f.json:1: key: 'INC-1' is not a key like COE-2025-0001"),
        (lambda i: i.update(customers_affected=-3), "f.json:1: customers_affected: must be 0 or more"),
        (lambda i: i.update(colour="red"), "f.json:1: colour: unknown field"),
        (lambda i: i["action_items"][0].update(due_on="next week"),
         "f.json:1: action_items[0].due_on: 'next week' is not a date like 2026-01-31"),
    ],
)
def test_one_wrong_field_one_clear_line(incident: dict, mutate, expected: str) -> None:
    mutate(incident)
    assert _problems(_doc(incident)) == [expected]


def test_every_bad_record_is_reported_with_its_number(incident: dict) -> None:
    good, bad = copy.deepcopy(incident), copy.deepcopy(incident)
    good["key"], bad["key"] = "COE-2025-0002", "COE-2025-0003"
    bad["severity"] = "high"
    text = json.dumps({"format": "coe/v1", "incidents": [good, good | {"key": "COE-2025-0004"}, bad]})
    assert _problems(text) == [
        "f.json:3: severity: unknown value 'high'; expected one of 'sev1', 'sev2', 'sev3', 'sev4' or 'sev5'"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "f.json: the file is empty"),
        ("   \n", "f.json: the file is empty"),
        ('{"format": "coe/v1", "incidents": [', "f.json: not valid JSON: line 1 column 36: Expecting value"),
        ('{"format": "coe/v2", "incidents": []}', 'f.json: format: must be "coe/v1", found \'coe/v2\''),
        ('{"incidents": []}', 'f.json: format: must be "coe/v1", found missing'),
        ("[1, 2]", 'f.json: not a coe/v1 document: expected an object with "format": "coe/v1"'),
        ('{"format": "coe/v1", "incidents": {}}', "f.json: incidents: must be a list of incident objects"),
        ('{"format": "coe/v1", "incidents": [42]}', "f.json:1: an incident must be a JSON object"),
        ('{"format": "coe/v1", "format": "coe/v1", "incidents": []}', "f.json: format: appears twice in the same object"),
    ],
)
def test_malformed_files(text: str, expected: str) -> None:
    assert _problems(text) == [expected]


def test_duplicate_keys_inside_a_record_are_refused(incident: dict) -> None:
    text = _doc(incident).replace('"severity": "sev2"', '"severity": "sev2", "severity": "sev1"')
    assert _problems(text) == ["f.json: severity: appears twice in the same object"]


def test_the_same_key_twice_in_a_file(incident: dict) -> None:
    text = json.dumps({"format": "coe/v1", "incidents": [incident, incident]})
    assert _problems(text) == ["f.json:2: key: COE-2025-0001 is also record 1"]


def test_a_named_zone_is_assumed_for_naive_timestamps(incident: dict) -> None:
    for name in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"):
        incident[name] = incident[name].replace("+00:00", "")
    doc = parse_incident(incident, assume_tz="Asia/Shanghai")
    assert doc.started_at.isoformat() == "2025-12-08T17:00:00+00:00"


def test_script_in_a_summary_is_kept_as_text(incident: dict) -> None:
    incident["summary"] = "<script>alert(1)</script>"
    assert parse_incident(incident).summary == "<script>alert(1)</script>"


def test_read_only_fields_are_derived_not_trusted(incident: dict) -> None:
    incident["attribution"]["status"] = "agreed"
    assert parse_incident(incident).attribution.status == "contested"


@pytest.mark.parametrize(
    ("targets", "status"),
    [
        ([], "undetermined"),
        (["undetermined"], "undetermined"),
        (["ai_tool", "ai_tool", "undetermined"], "agreed"),
        (["ai_tool", "human_error"], "contested"),
        (["shared", "ai_tool"], "contested"),
    ],
)
def test_attribution_status_is_derived_from_the_claims(incident: dict, targets: list[str], status: str) -> None:
    incident["attribution"]["claims"] = [{"source": f"s{i}", "attributes_to": t} for i, t in enumerate(targets)]
    assert attribution_status(parse_incident(incident).attribution.claims) == status


def test_timeline_is_kept_sorted(incident: dict) -> None:
    incident["timeline"].reverse()
    times = [e.at for e in parse_incident(incident).timeline]
    assert times == sorted(times)
