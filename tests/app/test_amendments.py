"""Amendments in the app: a published COE is corrected from the editor, reviewed and published from the queue."""

import pytest
from streamlit.testing.v1 import AppTest

from coe import services
from coe.db import engine_for, reading, writing
from coe.validation import parse_records
from tests.app.conftest import APP, TIMEOUT

SUMMARY = "Checkout failed for 20 minutes."


@pytest.fixture
def key(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A COE written by alice and published."""
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    record = {"title": "Checkout errors after a config push", "severity": "sev2", "status": "published",
              "authors": ["alice"], "summary": SUMMARY, "started_at": "2026-03-01T09:00:00+00:00"}
    with writing(engine_for(sqlite_url)) as session:
        return services.import_incidents(session, incidents=parse_records([record]), actor="tester")[0]


def stored(url: str, key: str):
    with reading(engine_for(url)) as session:
        return services.get_incident(session, key=key)


def open_page(monkeypatch: pytest.MonkeyPatch, user: str, page: str, key: str | None = None) -> AppTest:
    monkeypatch.setenv("COE_USER", user)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # the router registers the pages' URL paths on its first run
    if key:
        at.query_params["key"] = key
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_published_coe_is_corrected_by_an_amendment_that_another_reviewer_approves(
        key: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(monkeypatch, "bob", "views/editor.py", key)
    assert "Save draft" not in [b.label for b in at.button]
    at.text_area(key="editor.summary").input("Checkout failed for 35 minutes.")
    button(at, "Propose amendment").click().run()
    assert "say why the published COE needs correcting" in "\n".join(e.value for e in at.error)
    assert at.text_area(key="editor.summary").value == "Checkout failed for 35 minutes."  # kept

    at.text_input(key="editor.amend_reason").input("The outage lasted 35 minutes, not 20.")
    button(at, "Propose amendment").click().run()
    assert not at.exception and not at.error
    doc = stored(sqlite_url, key)
    assert doc.summary == SUMMARY  # unchanged until reviewed and published
    assert (doc.amendments[0].status, doc.amendments[0].author) == ("in_review", "bob")

    queue = open_page(monkeypatch, "bob", "views/review.py")
    assert button(queue, "Approve").disabled  # bob wrote the amendment
    assert "You wrote this amendment or the COE" in "\n".join(c.value for c in queue.caption)

    queue = open_page(monkeypatch, "rita", "views/review.py")
    assert queue.markdown[0].value == f"**{key} · Checkout errors after a config push** · amendment 1"
    changes = queue.dataframe[0].value
    assert changes.to_dict("records") == [
        {"field": "summary", "before": f'"{SUMMARY}"', "after": '"Checkout failed for 35 minutes."'}]
    for box in queue.checkbox:
        box.check()
    button(queue, "Approve").click().run()
    assert stored(sqlite_url, key).amendments[0].status == "approved"
    button(queue, "Publish").click().run()
    assert not queue.exception
    doc = stored(sqlite_url, key)
    assert doc.summary == "Checkout failed for 35 minutes."
    assert (doc.status, doc.amendments[0].status) == ("published", "published")

    view = open_page(monkeypatch, "vic", "views/coe.py", key)
    [amendments] = [d.value for d in view.dataframe if "reason" in d.value.columns]
    assert amendments[["number", "status", "author", "fields"]].to_dict("records") == [
        {"number": 1, "status": "published", "author": "bob", "fields": "summary"}]
    [history] = [d.value for d in view.dataframe if "action" in d.value.columns]
    assert history[["actor", "action"]].values.tolist() == [
        ["tester", "import"], ["bob", "amend"], ["rita", "review_amendment"], ["rita", "publish_amendment"]]
    assert history["fields"].iloc[-1] == "amendments, summary"
