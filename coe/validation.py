"""Turn raw data into a valid `coe/v1` document, or into plain-worded problems."""

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from coe.errors import Problem, ValidationFailed
from coe.schema import FORMAT, Incident

_PLAIN = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "string_too_short": "must not be empty",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true, false or null",
    "bool_parsing": "must be true, false or null",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "datetime_type": "must be an ISO-8601 timestamp string",
    "date_type": "must be a date string like 2026-01-31",
}


def _path(loc: Iterable[Any]) -> str:
    """('timeline', 2, 'at') → 'timeline[2].at'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(error: dict[str, Any], record: int | None) -> Problem:
    """One pydantic error in the words a person filling in a COE uses."""
    kind, ctx, field = error["type"], error.get("ctx") or {}, _path(error["loc"])
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        head, sep, rest = message.partition(": ")
        if sep and head.isidentifier():
            # Cross-field rules name their own field: "completed_on: required when …".
            field, message = f"{field}.{head}" if field else head, rest
    elif kind == "enum":
        message = f"unknown value {error['input']!r}; expected one of {ctx.get('expected')}"
    elif kind == "string_too_long":
        message = f"is {len(error['input']):,} characters long; the limit is {ctx['max_length']:,}"
    elif kind == "string_pattern_mismatch":
        message = f"{error['input']!r} is not a key like COE-2025-0001"
    elif kind == "greater_than_equal":
        message = f"must be {ctx['ge']} or more"
    else:
        message = _PLAIN.get(kind, error["msg"])
    return Problem(field=field, message=message, record=record)


def parse_incident(
    data: Any, *, record: int | None = None, assume_tz: str | None = None, nul_check: bool = True
) -> Incident:
    """Validate one incident object; raise ValidationFailed listing every problem."""
    if not isinstance(data, dict):
        raise ValidationFailed([Problem("", "an incident must be a JSON object", record)])
    nul = _nul_path(data) if nul_check else None
    if nul is not None:
        raise ValidationFailed([Problem(nul, "contains a NUL character, which cannot be stored", record)])
    try:
        return Incident.model_validate(data, context={"assume_tz": assume_tz})
    except ValidationError as exc:
        problems = [_problem(e, record) for e in exc.errors(include_url=False)]
        raise ValidationFailed(problems) from None


def parse_document(text: str | bytes, *, assume_tz: str | None = None) -> list[Incident]:
    """Validate a whole `coe/v1` file; raise ValidationFailed with every problem found."""
    # Walking every string for NUL costs time; a file can only hold one as the escape \u0000.
    nul_check = (b"\\u0000" if isinstance(text, bytes) else "\\u0000") in text
    return parse_document_object(load_json(text), assume_tz=assume_tz, nul_check=nul_check)


def load_json(text: str | bytes) -> Any:
    """Decode JSON, refusing empty files and objects that name a field twice."""
    if not text or not text.strip():
        raise ValidationFailed([Problem("", "the file is empty")])
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as exc:
        raise ValidationFailed([Problem(exc.args[0], "appears twice in the same object")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"line {exc.lineno} column {exc.colno}: " if hasattr(exc, "lineno") else ""
        raise ValidationFailed([Problem("", f"not valid JSON: {where}{_json_reason(exc)}")]) from None


def parse_document_object(doc: Any, *, assume_tz: str | None = None, nul_check: bool = True) -> list[Incident]:
    """Validate decoded `coe/v1` JSON: the format tag, then every incident."""
    if not isinstance(doc, dict):
        raise ValidationFailed([Problem("", f'not a coe/v1 document: expected an object with "format": "{FORMAT}"')])
    if doc.get("format") != FORMAT:
        found = "missing" if "format" not in doc else repr(doc["format"])
        raise ValidationFailed([Problem("format", f'must be "{FORMAT}", found {found}')])
    unknown = sorted(set(doc) - {"format", "incidents"})
    if unknown:
        raise ValidationFailed([Problem(unknown[0], "unknown field at the top of the document")])
    records = doc.get("incidents")
    if not isinstance(records, list):
        raise ValidationFailed([Problem("incidents", "must be a list of incident objects")])
    return parse_records(records, assume_tz=assume_tz, nul_check=nul_check)


def parse_records(records: list[Any], *, assume_tz: str | None = None, nul_check: bool = True) -> list[Incident]:
    """Validate many incidents (record numbers are 1-based); keys must not repeat."""
    incidents, problems, seen = [], [], {}
    for number, data in enumerate(records, start=1):
        try:
            incident = parse_incident(data, record=number, assume_tz=assume_tz, nul_check=nul_check)
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if incident.key and incident.key in seen:
            problems.append(Problem("key", f"{incident.key} is also record {seen[incident.key]}", number))
        elif incident.key:
            seen[incident.key] = number
        incidents.append(incident)
    if problems:
        raise ValidationFailed(problems)
    return incidents


class _DuplicateKey(ValueError):
    """A JSON object names the same field twice."""


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: a repeated field would silently lose one of its values."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_reason(exc: Exception) -> str:
    """The reason part of a JSON decoding error."""
    return exc.msg if isinstance(exc, json.JSONDecodeError) else "the file is not UTF-8 text"


def _nul_path(value: Any, loc: tuple = ()) -> str | None:
    """Where a NUL character hides in decoded JSON (PostgreSQL text cannot hold one), or None."""
    if isinstance(value, str):
        return _path(loc) if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, item in items:
        found = _path((*loc, name)) if "\x00" in str(name) else _nul_path(item, (*loc, name))
        if found is not None:
            return found
    return None
