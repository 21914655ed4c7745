"""Formats `coe import` reads, each turning a file into validated coe/v1 records and a mapping summary."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coe import interchange, schema
from coe.errors import Problem, ValidationFailed
from coe.validation import parse_records

FORMATS = ("auto", "json", "markdown", "statuspage", "csv", "agent-postmortem", "aiid")


@dataclass
class Imported:
    """What one file gives: valid records, one problem line per invalid one, and where sections went."""

    incidents: list[schema.Incident] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    sha256: str = ""


def _source(path: Path, digest: str) -> dict[str, str]:
    """Where a record came from: the file's SHA-256 (recognises a re-import) and its path, as a file: URL."""
    return {"system": "other", "id": f"sha256:{digest}", "url": path.resolve().as_uri()}


def detect(path: Path, raw: bytes) -> str:
    """The format by content where it is telling (AIID, agent post-mortems), else by extension, else JSON or Markdown."""
    from coe.importers import agent_postmortem, aiid

    suffix = path.suffix.lower()
    if path.is_dir() or (suffix == ".csv" and aiid.looks_like(raw)):
        return "aiid"
    # Agent post-mortems are the only YAML coe reads; their JSON export is told from coe/v1 by its fields.
    if suffix in (".yaml", ".yml") or (
            suffix == ".json" and b'"coe/v1"' not in raw[:4096] and agent_postmortem.looks_like(raw)):
        return "agent-postmortem"
    if suffix in (".jsonl", ".ndjson"):
        return "statuspage"
    if suffix == ".csv":
        return "csv"
    if suffix in (".md", ".markdown", ".txt"):
        return "markdown"
    if suffix == ".json":
        return "json"
    head = raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if head[:1] in (b"{", b"[") else "markdown"


SUFFIXES = {"json": (".json",), "markdown": (".md", ".markdown", ".txt"), "statuspage": (".json", ".jsonl", ".ndjson"),
            "csv": (".csv",), "agent-postmortem": (".yaml", ".yml", ".json")}
# Files a folder of records usually also holds, which are not records: by name, and templates by a word of it.
NOT_RECORDS = ("readme", "license", "licence", "license-data", "contributing", "changelog", "code_of_conduct")
TEMPLATE_RE = re.compile(r"(?<![a-z])template(?![a-z])", re.IGNORECASE)


def files_in(folder: Path, fmt: str) -> tuple[list[Path], list[Path]] | None:
    """A folder's files of the format, sub-folders included, and those left out as read-mes, licences or
    templates; None when the path is no folder, or is an AI Incident Database snapshot."""
    if not folder.is_dir() or fmt == "aiid" or (fmt == "auto" and (folder / "incidents.csv").is_file()):
        return None
    suffixes = {s for both in SUFFIXES.values() for s in both} if fmt == "auto" else set(SUFFIXES[fmt])
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    left_out = [p for p in found if p.stem.lower() in NOT_RECORDS or TEMPLATE_RE.search(p.stem)]
    return [p for p in found if p not in left_out], left_out


# Below this size a coe/v1 file is read whole (exact JSON error positions, duplicate fields refused);
# above it, it is streamed so that memory stays flat.
STREAM_BYTES = 32 * 2**20
UNSTATED_AI = "whether an AI tool was involved is not stated: ai.involvement unknown, for a reviewer to settle"


def streamed(path: Path, fmt: str, assume_tz: str | None = None) -> interchange.JsonStream | None:
    """A large coe/v1 file as a stream of validated batches, or None when the file is read whole."""
    if fmt not in ("auto", "json") or not path.is_file() or path.stat().st_size < STREAM_BYTES:
        return None
    if fmt == "auto":
        with path.open("rb") as raw:
            if detect(path, raw.read(64)) != "json":
                return None
    return interchange.JsonStream(path, assume_tz=assume_tz)


def read(path: Path, fmt: str = "auto", assume_tz: str | None = None, mapping: dict[str, str] | None = None,
         preset: dict[str, Any] | None = None) -> Imported:
    """Read one file in the given format; problems come back as `PATH:LINE: field: message` lines."""
    if fmt == "aiid" or (fmt == "auto" and path.is_dir()):
        return _aiid(path, assume_tz)
    if not path.is_file():
        return Imported(problems=[Problem("", "no such file" if not path.exists() else "is not a file").line(str(path))])
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    fmt = detect(path, raw) if fmt == "auto" else fmt
    if fmt == "aiid":
        return _aiid(path, assume_tz)
    if fmt == "agent-postmortem":
        return _agent_postmortem(path, raw, digest, assume_tz)
    if fmt == "json":
        try:
            return Imported(interchange.read_json(path, assume_tz=assume_tz), sha256=digest)
        except ValidationFailed as exc:
            return Imported(problems=[p.line(str(path)) for p in exc.problems], sha256=digest)
    if fmt == "statuspage":
        return _statuspage(path, raw, digest, assume_tz)
    if fmt == "csv":
        return _csv(path, raw, digest, assume_tz, mapping or {}, preset or {})
    return _markdown(path, raw, digest, assume_tz)


def _markdown(path: Path, raw: bytes, digest: str, assume_tz: str | None) -> Imported:
    """A Markdown post-mortem: one record, or one per incident of a report that tells several."""
    from coe.importers.markdown_record import records

    found = records(path.name, raw, assume_tz)
    summary = [] if len(found) == 1 else [f"the document tells {len(found)} incidents: each is its own record"]
    docs, problems = [], []
    for doc, said, wrong in found:
        # The file's hash is the source reference: a re-import of the same bytes is recognised by it.
        doc["external_refs"] = [_source(path, digest)]
        said = [*said, UNSTATED_AI] if not wrong and _ai_unstated(doc) else said
        summary += said if len(found) == 1 else [f"incident: {doc['title']}", *(f"  {line}" for line in said)]
        problems += [f"{path}:{line}: {name}: {message}" for line, name, message in wrong]
        docs.append(doc)
    if problems:
        return Imported(problems=problems, summary=summary, sha256=digest)
    try:
        incidents = parse_records(docs, assume_tz=assume_tz)
    except ValidationFailed as exc:
        return Imported(problems=[Problem(p.field, p.message).line(f"{path}:1") for p in exc.problems],
                        summary=summary, sha256=digest)
    return Imported(incidents, summary=summary, sha256=digest)


def _statuspage(path: Path, raw: bytes, digest: str, assume_tz: str | None) -> Imported:
    """Status-page incidents (API shape or JSONL); problems numbered by record, or by line for JSONL."""
    from coe.importers import statuspage

    mapped, problems = _mapped(path, raw, statuspage)
    incidents, invalid = _validated([(where, doc) for where, doc, _ in mapped], _source(path, digest), assume_tz)
    summary = "name → title, impact → severity, components → services, updates → timeline"
    told = [f"{len(incidents)} status-page incidents ({summary})", UNSTATED_AI] if incidents else []
    return Imported(incidents, problems + invalid, told, digest)


def _mapped(path: Path, raw: bytes, reader: Any) -> tuple[list[tuple[str, dict, Any]], list[str]]:
    """Each record of a record format made a coe/v1 dict by `reader.incident`, with its place and source data."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path}: is not UTF-8 text (byte {exc.start})"]
    found, bad = reader.records(text)
    problems = [f"{path}:{n}: {f}: {m}" if f else (f"{path}:{n}: {m}" if n else f"{path}: {m}") for n, f, m in bad]
    mapped = []
    for number, data in found:
        doc, wrong = reader.incident(data)
        problems += [f"{path}:{number}: {f}: {m}" if f else f"{path}:{number}: {m}" for f, m in wrong]
        if not wrong:
            mapped.append((f"{path}:{number}", doc, data))
    return mapped, problems


def _csv(path: Path, raw: bytes, digest: str, assume_tz: str | None, mapping: dict[str, str],
         preset: dict[str, Any]) -> Imported:
    """One incident per row; problems numbered by the row's line in the file."""
    from coe.importers import spreadsheet

    sheet = spreadsheet.read(path.name, spreadsheet.decode(raw), mapping, preset, assume_tz)
    problems = [f"{path}:{n}: {f}: {m}" if f else (f"{path}:{n}: {m}" if n else f"{path}: {m}") for n, f, m in sheet.problems]
    unstated = sum(_ai_unstated(doc) for _, doc in sheet.found)
    incidents, invalid = _validated([(f"{path}:{line}", doc) for line, doc in sheet.found], _source(path, digest), assume_tz)
    summary = sheet.summary(len(incidents)) + ([f"{unstated} rows: {UNSTATED_AI}"] if unstated else [])
    return Imported(incidents, problems + invalid, summary, digest)


def _validated(found: list[tuple[str, dict]], ref: dict[str, str], assume_tz: str | None) -> tuple[list, list[str]]:
    """Records checked against coe/v1, each carrying the source's SHA-256; problems as `WHERE: field: message`."""
    incidents, problems = [], []
    for where, doc in found:
        doc["external_refs"].append(ref)
        _ai_unstated(doc)
        try:
            [parsed] = parse_records([doc], assume_tz=assume_tz)
        except ValidationFailed as exc:
            problems += [Problem(p.field, p.message).line(where) for p in exc.problems]
            continue
        incidents.append(parsed)
    return incidents, problems


def _ai_unstated(doc: dict) -> bool:
    """Record a document that does not say whether an AI tool was involved as `unknown`, not as `none`."""
    ai = doc.setdefault("ai", {})
    if not isinstance(ai, dict) or ai.get("involvement"):
        return False
    ai["involvement"] = "unknown"
    return True


def _agent_postmortem(path: Path, raw: bytes, digest: str, assume_tz: str | None) -> Imported:
    """Agent post-mortem records: one YAML file, or the standard's JSON export; problems numbered by record."""
    from coe.importers import agent_postmortem

    mapped, problems = _mapped(path, raw, agent_postmortem)
    incidents, invalid = _validated([(where, doc) for where, doc, _ in mapped], _source(path, digest), assume_tz)
    defaults = [f"record {where.rsplit(':', 1)[1]}: no severity stated → sev3"
                for where, _, data in mapped if not data.get("severity")]
    summary = [f"{len(incidents)} agent post-mortems ({agent_postmortem.MAPPED})", *defaults] if incidents else []
    return Imported(incidents, problems + invalid, summary, digest)


def _aiid(path: Path, assume_tz: str | None) -> Imported:
    """An AI Incident Database snapshot: incidents.csv and the classification tables beside it."""
    from coe.importers import aiid

    snapshot = aiid.read(path)
    incidents, invalid = _validated(snapshot.found, _source(snapshot.path, snapshot.sha256), assume_tz)
    return Imported(incidents, snapshot.problems + invalid, snapshot.summary(incidents), snapshot.sha256)
