"""Malformed coe/v1 documents (mutations of the DOMAIN.md example): a named refusal, never a traceback or a partial write."""

import copy
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coe import enums, services
from coe.cli import app
from coe.db import engine_for, reading, writing
from coe.errors import ValidationFailed
from coe.validation import parse_document

FIXTURE = Path(__file__).parent / "fixtures" / "domain_example.json"
EXAMPLE = json.loads(FIXTURE.read_text(encoding="utf-8"))
runner = CliRunner()
FUZZ = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])


def base_document() -> dict:
    """Two incidents without keys, so that a valid mutation imports and an invalid second record tests atomicity."""
    first = copy.deepcopy(EXAMPLE["incidents"][0]) | {"key": None}
    second = copy.deepcopy(first) | {"title": "A second, smaller outage"}
    return {"format": "coe/v1", "incidents": [first, second]}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += paths(item, (*prefix, index))
    return out


BASE = base_document()
PATHS = paths(BASE)
TIMESTAMPS = [p for p in PATHS if p[-1] in (
    "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "at", "deployed_at")]
# Whole-number fields (version is read-only but accepted on import), and sizes no column can hold.
NUMBERS = [(*incident, name) for incident in (("incidents", 0), ("incidents", 1))
           for name in ("customers_affected", "version")]
EDGES = [-1, 0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20, -(2**63) - 1]
# Every word of every vocabulary: right for one field, wrong for most others.
VOCABULARY = sorted({str(v) for e in vars(enums).values()
                     if isinstance(e, type) and issubclass(e, StrEnum) and e is not StrEnum for v in e})
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | st.sampled_from(VOCABULARY) | st.sampled_from(["2025-12-09T01:00:00", "2025-12-09", "", " ", "\n"]))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=6)


def get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def mutation():
    """One change that may make the document invalid."""
    return st.one_of(
        st.tuples(st.just("replace"), st.sampled_from(PATHS), JSON_VALUES),
        st.tuples(st.just("delete"), st.sampled_from(PATHS), st.none()),
        st.tuples(st.just("word"), st.sampled_from(PATHS), st.sampled_from(VOCABULARY) | st.text(max_size=12)),
        st.tuples(st.just("naive"), st.sampled_from(TIMESTAMPS), st.none()),
        st.tuples(st.just("swap"), st.sampled_from(TIMESTAMPS), st.sampled_from(TIMESTAMPS)),
        st.tuples(st.just("extra"), st.sampled_from(PATHS), st.text(min_size=1, max_size=10)),
        st.tuples(st.just("number"), st.sampled_from(NUMBERS), st.integers() | st.sampled_from(EDGES)),
    )


def apply(doc: Any, change: tuple) -> None:
    """Apply a mutation in place; one whose path is gone (after a deletion) does nothing."""
    kind, path, arg = change
    try:
        parent, last = get(doc, path[:-1]), path[-1]
        current = parent.get(last) if kind == "number" and isinstance(parent, dict) else parent[last]
    except (KeyError, IndexError, TypeError):
        return
    if not isinstance(parent, (dict, list)):  # an earlier change put a string where the path went on
        return
    if kind in ("replace", "word", "number"):
        parent[last] = arg
    elif kind == "delete":
        del parent[last]
    elif kind == "naive" and isinstance(current, str):
        parent[last] = current.replace("+00:00", "")
    elif kind == "swap":
        try:
            other_parent, other_last = get(doc, arg[:-1]), arg[-1]
            other = other_parent[other_last]
        except (KeyError, IndexError, TypeError):
            return
        if not isinstance(other_parent, (dict, list)):
            return
        parent[last], other_parent[other_last] = other, current
    elif kind == "extra" and isinstance(current, dict):
        current[arg] = True


@st.composite
def malformed(draw) -> str:
    """The text of a mutated document, sometimes cut short."""
    doc = copy.deepcopy(BASE)
    for change in draw(st.lists(mutation(), min_size=1, max_size=3)):
        apply(doc, change)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


def check_problems(exc: ValidationFailed, path: str = "") -> None:
    """Each problem is one line: PATH:RECORD: field: message, or PATH: message."""
    assert exc.problems
    for problem in exc.problems:
        line = problem.line(path)
        assert "\n" not in line and "\r" not in line, f"a problem spans lines: {line!r}"
        assert problem.message.strip()


def count(engine) -> int:
    with reading(engine) as session:
        return services.count_incidents(session)


@settings(FUZZ, max_examples=2_000)
@given(text=malformed())
def test_parse_document_refuses_with_named_problems(text: str) -> None:
    try:
        parse_document(text)
    except ValidationFailed as exc:
        check_problems(exc)


@settings(FUZZ, max_examples=1_000)
@given(text=malformed())
def test_service_import_is_all_or_nothing(sqlite_url: str, text: str) -> None:
    engine = engine_for(sqlite_url)
    before = count(engine)
    try:
        docs = parse_document(text)
        with writing(engine) as session:
            keys = services.import_incidents(session, incidents=docs, actor="tester")
    except ValidationFailed as exc:
        check_problems(exc)
        assert count(engine) == before
    else:
        assert count(engine) == before + len(keys)


@settings(FUZZ, max_examples=250)
@given(text=malformed())
def test_cli_import_exits_1_with_one_line_per_problem(sqlite_url: str, tmp_path: Path, text: str) -> None:
    engine = engine_for(sqlite_url)
    before = count(engine)
    path = tmp_path / "fuzz.json"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["--database", sqlite_url, "--as", "tester", "import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:
        imported = int(re.match(r"imported (\d+) incidents", result.stdout).group(1))
        assert count(engine) == before + imported
        return
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines and all(re.fullmatch(rf"{re.escape(str(path))}(:\d+)?: \S.*", line) for line in lines), lines
    assert count(engine) == before


# What the fuzzing above found, as plain examples (on both databases where the database matters).


def test_a_control_character_in_a_name_or_a_value_stays_on_one_line() -> None:
    doc = copy.deepcopy(EXAMPLE)
    incident = doc["incidents"][0]
    incident["ai"]["mode\nx"] = True
    incident["started_at"] = "2025-12\n-09"
    incident["action_items"][0]["due_on"] = "soon\r"
    with pytest.raises(ValidationFailed) as caught:
        parse_document(json.dumps(doc))
    assert len(caught.value.problems) == 3
    check_problems(caught.value)


def import_one(url: str, tmp_path: Path, **fields: Any):
    doc = copy.deepcopy(EXAMPLE)
    doc["incidents"][0] |= fields
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(app, ["--database", url, "--as", "tester", "import", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return path, result


@pytest.mark.parametrize("value", [2**63, 10**20])
def test_a_number_no_column_can_hold_is_refused_by_name(database_url: str, tmp_path: Path, value: int) -> None:
    path, result = import_one(database_url, tmp_path, customers_affected=value)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:1: customers_affected: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("fields", [{"customers_affected": 3_000_000_000}, {"summary": "before\x00after"}])
def test_a_value_sqlite_stores_is_stored_or_refused_by_name_on_postgres(
    database_url: str, tmp_path: Path, fields: dict
) -> None:
    path, result = import_one(database_url, tmp_path, **fields)
    assert result.exit_code == 0 or re.fullmatch(rf"{re.escape(str(path))}:1: \w+: \S.*\n", result.stderr)
