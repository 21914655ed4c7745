"""`coe/v1` JSON in and out (lossless), and a flat CSV for spreadsheets."""

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from coe import schema
from coe.errors import Problem, ValidationFailed
from coe.validation import (
    load_json,
    parse_document,
    parse_document_object,
    parse_incident,
    parse_records,
)

MAX_FILE_BYTES = 512 * 1024 * 1024


def read_json(path: Path, *, assume_tz: str | None = None) -> list[schema.Incident]:
    """Read and validate a whole `coe/v1` file; every problem is raised at once."""
    return parse_document(_read_text(path), assume_tz=assume_tz)


def _read_text(path: Path) -> str:
    """A file's text, or one clear problem saying why it cannot be read."""
    if not path.exists():
        raise ValidationFailed([Problem("", "no such file")])
    if path.is_dir():
        raise ValidationFailed([Problem("", "is a folder, not a coe/v1 JSON file")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationFailed([Problem("", f"is larger than {MAX_FILE_BYTES // 2**20} MiB")])
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem("", f"is not UTF-8 text (byte {exc.start})")]) from None


def read_one(path: Path, *, assume_tz: str | None = None) -> schema.Incident:
    """One incident from a coe/v1 file holding exactly one, or from a bare incident (`coe show --json`)."""
    data = load_json(_read_text(path))
    if isinstance(data, dict) and "format" in data:
        incidents = parse_document_object(data, assume_tz=assume_tz)
    else:
        incidents = parse_records([data], assume_tz=assume_tz)
    if len(incidents) != 1:
        raise ValidationFailed([Problem("incidents", f"holds {len(incidents)} incidents; expected exactly one")])
    return incidents[0]


def write_json(incidents: Iterable[schema.Incident], out: TextIO) -> int:
    """Stream a `coe/v1` document, one incident at a time; return how many were written."""
    out.write(f'{{\n  "format": "{schema.FORMAT}",\n  "incidents": [')
    count = 0
    for count, doc in enumerate(incidents, start=1):
        body = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2)
        out.write(("," if count > 1 else "") + "\n    " + body.replace("\n", "\n    "))
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def incident_json(doc: schema.Incident) -> str:
    """One incident exactly as `coe/v1` exports it."""
    return json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=2)


CSV_COLUMNS = (
    "key", "title", "status", "kind", "severity", "team", "services", "regions", "environment",
    "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at",
    "ttr_minutes", "customers_affected", "detection_method", "root_cause_category",
    "ai_involvement", "ai_tool", "ai_vendor", "ai_model", "ai_mode", "ai_autonomy",
    "ai_approval_gate", "ai_permission_scope", "ai_permissions_inherited",
    "ai_destructive_actions", "ai_spec_reviewed", "ai_contribution", "primary_cause",
    "attribution_status", "attribution_claims", "changes_provenance",
    "action_items", "action_items_open", "authors", "reviewers", "summary",
    "created_at", "updated_at", "version",
)


def write_csv(incidents: Iterable[schema.Incident], out: TextIO) -> int:
    """One row per incident; lists joined with '; ', timestamps in UTC, formulas neutralised."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for count, doc in enumerate(incidents, start=1):
        row = csv_row(doc)
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
    return count


def csv_row(doc: schema.Incident) -> dict[str, Any]:
    """The flat spreadsheet view of one incident."""
    data = doc.model_dump(mode="python")
    row = {name: data.get(name) for name in CSV_COLUMNS if name in data}
    row |= {f"ai_{k}": v for k, v in data["ai"].items() if f"ai_{k}" in CSV_COLUMNS}
    row["ai_destructive_actions"] = [str(a) for a in doc.ai.destructive_actions]
    row["ttr_minutes"] = (
        round((doc.resolved_at - doc.started_at).total_seconds() / 60, 1) if doc.resolved_at else None
    )
    row["ai_contribution"] = doc.attribution.ai_contribution
    row["primary_cause"] = doc.attribution.primary_cause
    row["attribution_status"] = doc.attribution.status
    row["attribution_claims"] = [
        f"{c.source} ({c.source_kind}): {c.attributes_to}, {c.confidence}" for c in doc.attribution.claims
    ]
    row["changes_provenance"] = [f"{c.ref or '?'}: {c.provenance}" for c in doc.changes]
    row["action_items"] = len(doc.action_items)
    row["action_items_open"] = sum(a.status in ("open", "in_progress") for a in doc.action_items)
    row["reviewers"] = [f"{r.reviewer}: {r.decision}" for r in doc.reviews]
    return row


def _cell(value: Any) -> Any:
    """A spreadsheet-safe cell: no formula injection, lists joined, UTC times without offset."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A cell starting like a formula would run in Excel or Sheets (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


STREAM_BATCH = 2_000


class JsonStream:
    """A large `coe/v1` file read one incident at a time: valid batches out, every problem kept.

    Memory stays flat whatever the file's size. Once a problem is found, the rest is still
    validated (so that every problem is listed) but no further batch is yielded.
    """

    def __init__(self, path: Path, *, assume_tz: str | None = None, batch: int = STREAM_BATCH):
        self.path, self.assume_tz, self.batch = path, assume_tz, batch
        self.problems: list[Problem] = []
        self.offset = 0  # records before the batch last yielded, to number problems found when storing it
        # Told (bytes read, records read) after every batch's worth of records, valid or not: for a progress bar.
        self.progress: Callable[[int, int], None] | None = None

    def __iter__(self) -> Iterator[list[schema.Incident]]:
        import ijson  # only large files need the streaming parser

        self._check_top_level(ijson)
        if self.problems:
            return
        seen: dict[str, int] = {}
        pending: list[schema.Incident] = []
        number = 0
        with self.path.open(encoding="utf-8-sig") as text:
            reader = _JsonText(text)
            try:
                for number, data in enumerate(reader.incidents(), start=1):
                    incident = self._one(data, number, reader.nul_read, seen)
                    if self.progress is not None and number % self.batch == 0:
                        self.progress(text.buffer.tell(), number)
                    if incident is None or self.problems:
                        pending.clear()
                        continue
                    pending.append(incident)
                    if len(pending) == self.batch:
                        self.offset = number - len(pending)
                        yield pending
                        pending = []
            except json.JSONDecodeError as exc:
                self.problems.append(Problem("", f"not valid JSON after record {number}: {exc.msg}"))
            except (UnicodeDecodeError, ValueError) as exc:
                self.problems.append(Problem("", f"not valid JSON after record {number}: {exc}"))
        if pending and not self.problems:
            self.offset = number - len(pending)
            yield pending
        if self.progress is not None:
            self.progress(self.path.stat().st_size, number)

    def _one(self, data: Any, number: int, nul_check: bool, seen: dict[str, int]) -> schema.Incident | None:
        """One record validated, or None with its problems kept; keys must not repeat in the file."""
        try:
            incident = parse_incident(data, record=number, assume_tz=self.assume_tz, nul_check=nul_check)
        except ValidationFailed as exc:
            self.problems.extend(exc.problems)
            return None
        if incident.key and incident.key in seen:
            self.problems.append(Problem("key", f"{incident.key} is also record {seen[incident.key]}", number))
            return None
        if incident.key:
            seen[incident.key] = number
        return incident

    def _check_top_level(self, ijson: Any) -> None:
        """The format tag and nothing but `format` and `incidents` before the list (read up to its start only)."""
        names: list[str] = []
        formats: list[Any] = []
        kind, listed = "", True
        try:
            with self.path.open("rb") as raw:
                for prefix, event, value in ijson.parse(raw):
                    if prefix == "" and event == "map_key":
                        names.append(value)
                    elif prefix == "" and event in ("start_array", "start_map") and not kind:
                        kind = event
                    elif prefix == "format" and event in ("string", "number", "boolean", "null"):
                        formats.append(value)
                    elif prefix == "incidents" and event in ("start_map", "string", "number", "boolean", "null"):
                        listed = False
                    elif prefix == "incidents" and event == "start_array":
                        # Keys after a list of 100,000 incidents are not worth a second pass over the file.
                        break
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            self.problems.append(Problem("", f"not valid JSON: {exc}"))
            return
        if kind != "start_map":
            self.problems.append(Problem("", f'not a coe/v1 document: expected an object with "format": "{schema.FORMAT}"'))
        elif len(names) != len(set(names)):
            self.problems.append(Problem(next(n for n in names if names.count(n) > 1), "appears twice in the same object"))
        elif formats != [schema.FORMAT]:
            found = "missing" if not formats else repr(formats[0])
            self.problems.append(Problem("format", f'must be "{schema.FORMAT}", found {found}'))
        elif not listed or "incidents" not in names:
            self.problems.append(Problem("incidents", "must be a list of incident objects"))
        elif unknown := sorted(set(names) - {"format", "incidents"}):
            self.problems.append(Problem(unknown[0], "unknown field at the top of the document"))


READ_CHARS = 4 * 2**20  # characters decoded per read of a streamed file
MAX_RECORD_CHARS = 64 * 2**20  # a record still unfinished after this much text is broken, not long
_BLANK = re.compile(r"[ \t\n\r]*")


def _no_constants(name: str) -> Any:
    """NaN and Infinity are not JSON, whatever Python's decoder accepts by default."""
    raise ValueError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)
NUL_ESCAPE = "\\u0000"


class _JsonText:
    """The elements of a coe/v1 file's `incidents` list, decoded one at a time by the json module's C decoder.

    Twice as fast as an event parser: each record is one `raw_decode` call on a buffer refilled as it drains.
    The caller has checked everything before the list; what follows it is checked for syntax only.
    """

    def __init__(self, text: TextIO):
        self.text, self.buffer, self.at, self.ended = text, "", 0, False
        # A file can only hold a NUL as the escape \u0000: records need the (slow) search for one only once it is read.
        self.nul_read = False

    def incidents(self) -> Iterator[Any]:
        """Walk to the `incidents` list, yield its elements, then check the rest of the document."""
        self._expect("{")
        while self._value() != "incidents":
            self._expect(":")
            self._value()
            self._expect(",")
        self._expect(":")
        self._expect("[")
        if self._next() == "]":
            self.at += 1
        else:
            while True:
                yield self._value()
                if self._expect(",", "]") == "]":
                    break
        while self._expect(",", "}") == ",":
            self._value()
            self._expect(":")
            self._value()
        if self._next():
            raise ValueError("more data after the end of the document")

    def _next(self) -> str:
        """The next character that is not white space ('' at the end of the file), with plenty of text after it."""
        while True:
            self.at = _BLANK.match(self.buffer, self.at).end()  # type: ignore[union-attr]
            # Reading ahead keeps records from running past the buffer: a failed decode counts its lines, slowly.
            if len(self.buffer) - self.at > READ_CHARS // 4 or not self._read(READ_CHARS):
                return self.buffer[self.at : self.at + 1]

    def _expect(self, *allowed: str) -> str:
        """Consume one of these structural characters and return it."""
        found = self._next()
        if not found or found not in allowed:
            raise ValueError(f"expected {' or '.join(map(repr, allowed))}, found {repr(found) if found else 'the end'}")
        self.at += 1
        return found

    def _value(self) -> Any:
        """Decode the next value, reading more of the file while it runs past the buffer."""
        self._next()
        size = READ_CHARS
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buffer) - 6
                if cut and len(self.buffer) - self.at > MAX_RECORD_CHARS:
                    raise ValueError(f"a value runs past {MAX_RECORD_CHARS:,} characters ({exc.msg})") from None
                if not cut or not self._read(size):
                    raise
            else:
                # A number that ends the buffer may go on in the next read.
                if end < len(self.buffer) or not self._read(size):
                    self.at = end
                    return value
            size *= 2

    def _read(self, size: int) -> bool:
        """Append the next `size` characters, dropping what is consumed; False (and no change) at the end of the file."""
        chunk = "" if self.ended else self.text.read(size)
        if not chunk:
            self.ended = True
            return False
        self.buffer, self.at = self.buffer[self.at :] + chunk, 0
        self.nul_read = self.nul_read or NUL_ESCAPE in self.buffer[-len(chunk) - len(NUL_ESCAPE) :]
        return True


