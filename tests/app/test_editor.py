"""The Write COE page, run headless with AppTest: save, validation next to its section, conflicts, submit."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coe import services
from coe.db import engine_for, reading, writing
from coe.enums import Status
from coe.validation import parse_incident
from tests.app.conftest import APP, TIMEOUT

EDITOR_PAGE = "views/editor.py"


@pytest.fixture
def db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database the app points at, with alice (an author) acting."""
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COE_USER", "alice")
    return sqlite_url


def draft(url: str, actor: str = "alice", **fields) -> str:
    """A saved draft COE, as its author would create it."""
    data = {"title": "Checkout errors after a config push", "severity": "sev2",
            "started_at": "2026-03-01T09:00:00+00:00"} | fields
    with writing(engine_for(url)) as session:
        return services.create_incident(session, incident=parse_incident(data), actor=actor).key


def stored(url: str, key: str):
    with reading(engine_for(url)) as session:
        return services.get_incident(session, key=key)


def count(url: str) -> int:
    with reading(engine_for(url)) as session:
        return services.count_incidents(session)


def open_editor(key: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # the router registers the pages' URL paths on its first run
    if key:
        at.query_params["key"] = key
    at.switch_page(EDITOR_PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save draft").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def type_moment(at: AppTest, field: str, day: date, at_time: time) -> None:
    at.date_input(key=f"editor.{field}.date").set_value(day)
    at.time_input(key=f"editor.{field}.time").set_value(at_time)


def section_errors(at: AppTest, label: str) -> str:
    """The error text shown inside one section of the editor."""
    section = next(e for e in at.expander if e.label == label)
    return "\n".join(e.value for e in section.error)


def test_a_new_coe_is_saved_as_a_draft_in_utc(db: str) -> None:
    at = open_editor()
    assert at.title[0].value == "New COE"
    at.text_input(key="editor.title").input("Agent deleted the staging environment")
    at.selectbox(key="editor.severity").set_value("sev2")
    at.text_input(key="editor.services").input("checkout, api")
    type_moment(at, "started_at", date(2026, 3, 1), time(9, 30))
    type_moment(at, "resolved_at", date(2026, 3, 1), time(11, 0))
    at.selectbox(key="editor.ai.involvement").set_value("confirmed")
    at.multiselect(key="editor.ai.destructive_actions").set_value(["delete", "recreate"])
    at.session_state["editor.timeline"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"at": "2026-03-01T09:30:00", "description": "Agent deletes the environment", "actor_kind": "ai_agent"}]}
    save(at)

    key = at.query_params["key"]
    assert key == "COE-2026-0001"
    assert [t.value for t in at.toast] == [f"Saved {key} (version 1)"]
    assert at.title[0].value == f"Edit {key} · Agent deleted the staging environment"
    doc = stored(db, key)
    assert (doc.status, doc.severity, doc.authors) == (Status.draft, "sev2", ["alice"])
    assert doc.services == ["checkout", "api"]
    assert doc.started_at == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert services.dump(doc)["resolved_at"] == "2026-03-01T11:00:00+00:00"
    assert (doc.ai.involvement, doc.ai.destructive_actions, doc.ai.tool) == ("confirmed", ["delete", "recreate"], None)
    assert [(e.description, e.actor_kind) for e in doc.timeline] == [("Agent deletes the environment", "ai_agent")]


def test_an_empty_title_is_shown_in_basics_and_the_input_stays(db: str) -> None:
    at = open_editor()
    at.text_input(key="editor.team").input("payments")
    at.selectbox(key="editor.severity").set_value("sev3")
    type_moment(at, "started_at", date(2026, 3, 1), time(9, 0))
    save(at)
    assert section_errors(at, "Basics") == "- Title: must not be empty"
    assert at.error[-1].value == "Not saved: fix the problems shown in Basics."  # beside the Save button
    assert at.text_input(key="editor.team").value == "payments"
    assert at.date_input(key="editor.started_at.date").value == date(2026, 3, 1)
    assert count(db) == 0


def test_resolved_before_started_is_shown_with_the_timestamps_and_the_input_stays(db: str) -> None:
    at = open_editor()
    at.text_input(key="editor.title").input("Queue backlog")
    at.selectbox(key="editor.severity").set_value("sev3")
    type_moment(at, "started_at", date(2026, 3, 1), time(10, 0))
    type_moment(at, "resolved_at", date(2026, 3, 1), time(9, 0))
    save(at)
    errors = section_errors(at, "Impact and timestamps")
    assert "Resolved at: 2026-03-01 09:00 is before started at 2026-03-01 10:00" in errors  # as typed
    assert section_errors(at, "Basics") == ""
    assert at.text_input(key="editor.title").value == "Queue backlog"
    assert at.time_input(key="editor.resolved_at.time").value == time(9, 0)
    assert count(db) == 0


def test_a_done_action_item_without_a_date_is_shown_with_the_action_items_and_stays(db: str) -> None:
    at = open_editor()
    at.text_input(key="editor.title").input("Queue backlog")
    type_moment(at, "started_at", date(2026, 3, 1), time(10, 0))
    typed = {"edited_rows": {}, "deleted_rows": [], "added_rows": [{"title": "Add an alarm", "status": "done"}]}
    at.session_state["editor.action_items"] = typed
    save(at)
    assert "Action items, row 1, completed on: required when status is done" in section_errors(at, "Action items")
    assert at.session_state["editor.action_items"] == typed  # the row is still in the table
    assert at.data_editor(key="editor.action_items").editing_mode == "dynamic"
    assert count(db) == 0


def test_a_stale_save_shows_the_conflict_and_keeps_the_input(db: str) -> None:
    key = draft(db)
    at = open_editor(key)
    assert at.text_input(key="editor.title").value == "Checkout errors after a config push"
    changed = stored(db, key).model_copy(update={"title": "Carol's title"})
    with writing(engine_for(db)) as session:
        services.update_incident(session, key=key, incident=changed, version=1, actor="carol")

    at.text_input(key="editor.title").input("Alice's title")
    save(at)
    message = at.error[0].value
    assert f"{key} was changed by carol at" in message and "since you opened it" in message
    assert at.text_input(key="editor.title").value == "Alice's title"
    assert stored(db, key).title == "Carol's title"

    at.text_input(key="editor.team").input("payments").run()  # the conflict stays until reloaded
    assert "was changed by carol" in at.error[0].value
    assert at.text_input(key="editor.title").value == "Alice's title"
    next(b for b in at.button if b.label == "Reload the latest version").click().run()
    assert not at.exception
    assert at.text_input(key="editor.title").value == "Carol's title"
    assert not at.error


def test_an_edit_keeps_what_the_form_does_not_show_and_bumps_the_version(db: str) -> None:
    key = draft(db, external_refs=[{"system": "ticket", "id": "OPS-1"}],
                action_items=[{"title": "Add an alarm", "due_on": "2026-04-01"}])
    at = open_editor(key)
    at.text_input(key="editor.title").input("Checkout errors after a bad config push")
    save(at)
    doc = stored(db, key)
    assert (doc.title, doc.version) == ("Checkout errors after a bad config push", 2)
    assert [r.id for r in doc.external_refs] == ["OPS-1"]
    assert [(a.title, a.due_on) for a in doc.action_items] == [("Add an alarm", date(2026, 4, 1))]


def test_a_draft_is_submitted_for_review_from_the_editor(db: str) -> None:
    key = draft(db)
    at = open_editor(key)
    next(b for b in at.button if b.label == "Submit for review").click().run()
    assert not at.exception
    assert stored(db, key).status == Status.in_review
    assert [t.value for t in at.toast] == [f"{key} is in review"]
    assert not [b for b in at.button if b.label == "Submit for review"]


def test_severity_must_be_chosen(db: str) -> None:
    at = open_editor()
    assert at.selectbox(key="editor.severity").value is None  # no default: sev1 would overstate, sev5 understate
    at.text_input(key="editor.title").input("Queue backlog")
    type_moment(at, "started_at", date(2026, 3, 1), time(10, 0))
    save(at)
    assert section_errors(at, "Basics") == "- Severity: required"


def test_a_viewer_reads_the_form_but_cannot_save(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_USER", "vic")
    at = open_editor()
    assert "vic is a viewer and may not create" in at.info[0].value
    assert next(b for b in at.button if b.label == "Save draft").disabled


def test_the_coe_page_of_a_draft_links_to_the_editor(db: str) -> None:
    key = draft(db)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.query_params["key"] = key
    at.switch_page("views/coe.py")
    at.run()
    assert not at.exception
    assert [link.proto.label for link in at.get("page_link")] == ["Edit", "Back to Incidents"]


def test_times_typed_in_the_viewers_zone_are_stored_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(APP).parent))
    import forms

    paris = forms.zone_of("Europe/Paris")
    values = forms.widget_values({}, paris) | {
        "editor.title": "Summer outage", "editor.severity": "sev3",
        "editor.started_at.date": date(2026, 7, 1), "editor.started_at.time": time(10, 0),
        "editor.resolved_at.date": date(2026, 7, 1),  # a date with no time is midnight
    }
    typed = forms.incident_data(values, {}, {}, paris)
    assert typed["started_at"] == "2026-07-01T08:00:00+00:00"  # CEST is UTC+2
    assert typed["resolved_at"] == "2026-06-30T22:00:00+00:00"
    assert forms.zone_of("Not/AZone").key == "UTC"
    assert forms.widget_values({"started_at": "2026-01-15T23:30:00+00:00"}, paris)["editor.started_at.date"] == (
        date(2026, 1, 16))
