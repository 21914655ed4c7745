"""The COE editor's fields: widget keys, the widgets themselves, and the coe/v1 data built from what was typed."""

import copy
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from coe import enums, schema
from coe.errors import Problem

# Widgets holding one field each, by dotted coe/v1 path; their keys are "editor." + path.
TEXT = ("title", "team", "ai.tool", "ai.vendor", "ai.model")
LONG_TEXT = ("customer_impact", "summary", "trigger", "root_cause", "resolution",
             "cut_in_half.detection", "cut_in_half.mitigation", "ai.gate_bypass")
AI_TEXT = ("ai.tool", "ai.vendor", "ai.model", "ai.gate_bypass")  # empty means unknown: null, not ""
COMMA_LISTS = ("services", "regions")  # typed as "a, b"
LINE_LISTS = tuple(f"lessons.{kind}" for kind in enums.LESSON_KINDS)  # one entry per line
SELECTS: dict[str, type[enums.StrEnum]] = {
    "kind": enums.Kind, "severity": enums.Severity, "environment": enums.Environment,
    "detection_method": enums.DetectionMethod, "root_cause_category": enums.RootCauseCategory,
    "ai.involvement": enums.Involvement, "ai.mode": enums.AIMode, "ai.autonomy": enums.Autonomy,
    "ai.approval_gate": enums.ApprovalGate, "ai.permission_scope": enums.PermissionScope,
    "attribution.ai_contribution": enums.AIContribution, "attribution.primary_cause": enums.PrimaryCause,
}
OPTIONAL_SELECTS = ("ai.mode", "ai.autonomy")  # may be left empty (null)
CHOSEN_SELECTS = ("severity",)  # required, with no default: the author must choose
YES_NO = ("ai.permissions_inherited", "ai.spec_reviewed")  # true / false / null
MOMENTS = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
DESTRUCTIVE = "ai.destructive_actions"
CUSTOMERS = "customers_affected"

# Editable tables: column → vocabulary (a StrEnum), "datetime", "date" or "text".
TABLES: dict[str, dict[str, Any]] = {
    "five_whys": {"question": "text", "answer": "text"},
    "contributing_factors": {"category": enums.RootCauseCategory, "description": "text"},
    "timeline": {"at": "datetime", "phase": enums.Phase, "actor_kind": enums.ActorKind, "actor": "text",
                 "description": "text"},
    "changes": {"ref": "text", "role": enums.ChangeRole, "provenance": enums.Provenance, "reviewed_by": "text",
                "deployed_at": "datetime", "description": "text"},
    "action_items": {"title": "text", "kind": enums.ActionKind, "control": enums.Control, "owner": "text",
                     "priority": enums.Priority, "due_on": "date", "status": enums.ActionStatus,
                     "completed_on": "date", "ticket_url": "text"},
    "attribution.claims": {"source": "text", "source_kind": enums.SourceKind, "attributes_to": enums.AttributesTo,
                           "confidence": enums.Confidence, "stated_on": "date", "statement": "text",
                           "url": "text"},
}

# Editor sections, each with the top-level coe/v1 fields whose problems are shown in it.
SECTIONS = {
    "basics": ("Basics", ("title", "kind", "severity", "team", "services", "regions", "environment", "key")),
    "impact": ("Impact and timestamps", (*MOMENTS, "customer_impact", CUSTOMERS, "detection_method")),
    "narrative": ("Narrative", ("summary", "trigger", "root_cause", "root_cause_category", "resolution")),
    "analysis": ("Five whys, factors and lessons", ("five_whys", "contributing_factors", "lessons", "cut_in_half")),
    "timeline": ("Timeline", ("timeline",)),
    "changes": ("Changes", ("changes",)),
    "action_items": ("Action items", ("action_items",)),
    "ai": ("AI involvement", ("ai",)),
    "attribution": ("Attribution", ("attribution",)),
}


def key(field: str) -> str:
    """The widget key of a field, e.g. key("ai.tool") == "editor.ai.tool"."""
    return f"editor.{field}"


def moment_keys(field: str) -> tuple[str, str]:
    """The date and time widget keys of a timestamp field."""
    return key(f"{field}.date"), key(f"{field}.time")


def _get(doc: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        doc = (doc or {}).get(part)  # type: ignore[assignment]
    return doc


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[name] = value


def _schema_default(path: str) -> Any:
    """The coe/v1 default of a field, as JSON data."""
    model: Any = schema.Incident
    *parents, name = path.split(".")
    for part in parents:
        model = model.model_fields[part].annotation
    value = model.model_fields[name].get_default(call_default_factory=True)
    return str(value) if isinstance(value, enums.StrEnum) else value


def zone_of(name: str | None) -> ZoneInfo:
    """The viewer's time zone (the browser's, when Streamlit knows it), else UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def widget_values(doc: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """Session-state values for every single-field widget, from a COE as coe/v1 data ({} for a new one)."""
    out: dict[str, Any] = {}
    for field in (*TEXT, *LONG_TEXT):
        out[key(field)] = _get(doc, field) or ""
    for field in SELECTS:
        value = _get(doc, field)
        empty = field in OPTIONAL_SELECTS or field in CHOSEN_SELECTS
        out[key(field)] = value if value is not None or empty else _schema_default(field)
    for field in COMMA_LISTS:
        out[key(field)] = ", ".join(_get(doc, field) or [])
    for field in LINE_LISTS:
        out[key(field)] = "\n".join(_get(doc, field) or [])
    for field in (*YES_NO, CUSTOMERS):
        out[key(field)] = _get(doc, field)
    out[key(DESTRUCTIVE)] = _get(doc, DESTRUCTIVE) or []
    for field in MOMENTS:
        at = _get(doc, field)
        local = datetime.fromisoformat(at).astimezone(zone) if at else None
        out.update(zip(moment_keys(field), (local.date(), local.time()) if local else (None, None)))
    return out


def table_frame(name: str, doc: dict[str, Any], zone: ZoneInfo) -> pd.DataFrame:
    """The rows an editor table starts from, typed so every column is editable; times in the viewer's zone."""
    columns = TABLES[name]
    frame = pd.DataFrame(_get(doc, name) or [], columns=list(columns), dtype=object)
    for column, kind in columns.items():
        if kind == "datetime":
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(zone).dt.tz_localize(None)
        elif kind == "date":
            frame[column] = pd.to_datetime(frame[column])
    return frame


def column_config(name: str) -> dict[str, Any]:
    """st.data_editor column settings: the coe/v1 vocabularies as select boxes, dates and times as pickers."""
    config: dict[str, Any] = {}
    for column, kind in TABLES[name].items():
        label = column.replace("_", " ")
        if kind == "datetime":
            config[column] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", step=60)
        elif kind == "date":
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif kind == "text":
            config[column] = st.column_config.TextColumn(label)
        else:
            config[column] = st.column_config.SelectboxColumn(label, options=[m.value for m in kind])
    return config


def _cell(value: Any, kind: Any, zone: ZoneInfo) -> Any:
    """One table cell as coe/v1 data; None for an empty cell."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if kind == "datetime":
        return _utc(pd.Timestamp(value).to_pydatetime(), zone)
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def table_rows(name: str, frame: pd.DataFrame, zone: ZoneInfo) -> list[dict[str, Any]]:
    """An edited table as coe/v1 rows; empty cells are left out (the schema's defaults apply), empty rows dropped."""
    rows = []
    for record in frame.to_dict("records"):
        row = {column: _cell(record.get(column), kind, zone) for column, kind in TABLES[name].items()}
        row = {column: value for column, value in row.items() if value is not None}
        if row:
            rows.append(row)
    return rows


def _utc(local: datetime, zone: ZoneInfo) -> str:
    """A wall-clock time in the viewer's zone as a UTC timestamp with an explicit +00:00."""
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).isoformat()


def _moment(day: date | None, at: time | None, zone: ZoneInfo) -> str | None:
    """A date and time typed in the viewer's zone as ISO-8601 UTC; a date alone means midnight."""
    return _utc(datetime.combine(day, at or time()), zone) if day else None


def incident_data(values: dict[str, Any], tables: dict[str, pd.DataFrame], base: dict[str, Any],
                  zone: ZoneInfo) -> dict[str, Any]:
    """The coe/v1 data of what was typed, laid over the loaded COE (which keeps the fields with no widget)."""
    doc = copy.deepcopy({k: v for k, v in base.items() if k not in schema.READ_ONLY})
    for field in (*TEXT, *LONG_TEXT, *SELECTS, *YES_NO, CUSTOMERS, DESTRUCTIVE):
        _set(doc, field, values.get(key(field)))
    for field in AI_TEXT:
        _set(doc, field, values.get(key(field)) or None)
    for field in COMMA_LISTS:
        _set(doc, field, [p.strip() for p in (values.get(key(field)) or "").split(",") if p.strip()])
    for field in LINE_LISTS:
        _set(doc, field, [line.strip() for line in (values.get(key(field)) or "").splitlines() if line.strip()])
    for field in MOMENTS:
        day, at = (values.get(k) for k in moment_keys(field))
        _set(doc, field, _moment(day, at, zone))
    for field in ("started_at", *CHOSEN_SELECTS):
        if doc[field] is None:
            del doc[field]  # reported as "required"
    for name, frame in tables.items():
        _set(doc, name, table_rows(name, frame, zone))
    return doc


def section_of(problem: Problem) -> str:
    """The editor section a problem belongs to, by the first part of its field path."""
    top = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
    return next((name for name, (_, fields) in SECTIONS.items() if top in fields), "basics")


UTC_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\+00:00")


def plain(problem: Problem, zone: ZoneInfo) -> str:
    """A problem in words, with times as the viewer typed them: 'Resolved at: 08:50 … is before started at …'."""
    where = re.sub(r"\[(\d+)\]", lambda m: f", row {int(m.group(1)) + 1}", problem.field)
    where = where.replace(".", ", ").replace("_", " ")
    where = where[:1].upper() + where[1:]
    message = UTC_MOMENT.sub(lambda m: _local(m.group(0), zone), problem.message).replace("_at ", " at ")
    return f"{where}: {message}" if where else message


def _local(moment: str, zone: ZoneInfo) -> str:
    """A UTC ISO timestamp as '2026-11-02 08:50' in the viewer's zone."""
    return datetime.fromisoformat(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def by_section(problems: list[Problem], zone: ZoneInfo) -> dict[str, list[str]]:
    """Problems in words, grouped by the editor section that shows them."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        out.setdefault(section_of(problem), []).append(plain(problem, zone))
    return out


def choice(container: Any, label: str, field: str) -> None:
    """A select box over a field's coe/v1 vocabulary; optional fields can be left empty."""
    options = [m.value for m in SELECTS[field]]
    if field in OPTIONAL_SELECTS:
        options = [None, *options]
    placeholder = "choose one" if field in CHOSEN_SELECTS else "—"
    container.selectbox(label, options, key=key(field), format_func=lambda v: "—" if v is None else v,
                        placeholder=placeholder)


def yes_no(container: Any, label: str, field: str) -> None:
    """A select box for a true / false / unknown field."""
    shown = {None: "unknown", True: "yes", False: "no"}
    container.selectbox(label, list(shown), format_func=shown.get, key=key(field), placeholder="unknown")


def markdown_area(label: str, field: str) -> None:
    """A Markdown text area with a tab that previews it."""
    write, preview = st.tabs([label, "Preview"])
    text = write.text_area(label, key=key(field), label_visibility="collapsed", height=120)
    preview.markdown(text or "_Nothing written yet._")


def table(name: str, rows: pd.DataFrame, hint: str) -> pd.DataFrame:
    """An editable table whose select columns offer the coe/v1 vocabulary; returns the rows as edited."""
    st.caption(hint)
    return st.data_editor(rows, key=key(name), column_config=column_config(name), num_rows="dynamic",
                          hide_index=True, width="stretch")


def moment_inputs() -> None:
    """A date and a time input for each of the incident's timestamps, side by side."""
    for column, field in zip(st.columns(len(MOMENTS)), MOMENTS):
        day, at = moment_keys(field)
        column.date_input(field.removesuffix("_at").capitalize(), key=day)
        column.time_input(f"{field.removesuffix('_at')} time", key=at, step=60, label_visibility="collapsed")


def ai_inputs() -> None:
    """The AI-involvement block: tool, mode, autonomy, gate, permissions, destructive actions, spec."""
    left, middle, right = st.columns(3)
    choice(left, "Involvement", "ai.involvement")
    middle.text_input("Tool", key=key("ai.tool"))
    right.text_input("Vendor", key=key("ai.vendor"))
    left.text_input("Model", key=key("ai.model"))
    choice(middle, "Mode", "ai.mode")
    choice(right, "Autonomy", "ai.autonomy")
    choice(left, "Approval gate", "ai.approval_gate")
    choice(middle, "Permission scope", "ai.permission_scope")
    yes_no(right, "Permissions inherited from the operator", "ai.permissions_inherited")
    st.text_input("How the gate was bypassed", key=key("ai.gate_bypass"))
    left, right = st.columns([2, 1])
    left.multiselect("Destructive actions", [a.value for a in enums.DestructiveAction],
                     key=key(DESTRUCTIVE))
    yes_no(right, "Reviewed spec in place", "ai.spec_reviewed")
