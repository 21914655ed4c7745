"""The Action items page, run headless with AppTest against a seeded SQLite database."""

import pytest
from streamlit.testing.v1 import AppTest

from coe import services
from coe.db import engine_for, reading
from tests.app.conftest import APP, TIMEOUT
from tests.app.test_incidents import seed, texts


@pytest.fixture
def seeded(sqlite_url: str, domain_example: dict, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The DOMAIN.md example: one published COE with two open action items and one done."""
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COE_USER", "bob")
    return seed(sqlite_url, domain_example["incidents"])


def run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("views/actions.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_list_shows_open_items_with_their_coe(seeded: list[str]) -> None:
    at = run()
    assert at.title[0].value == "Action items"
    assert "2 action items" in texts(at)
    table = at.dataframe[0].value
    assert set(table["status"]) == {"open", "in_progress"}
    assert all(k.endswith("key=COE-2025-0001") for k in table["key"])


def test_a_filter_narrows_the_list(seeded: list[str]) -> None:
    at = run()
    at.sidebar.multiselect(key="owner").set_value(["security-lead"]).run()
    assert not at.exception
    assert at.dataframe[0].value["owner"].tolist() == ["security-lead"]


def test_an_inline_status_change_is_saved(seeded: list[str], sqlite_url: str) -> None:
    at = run()
    row = at.dataframe[0].value["owner"].tolist().index("dev-tools-lead")
    at.session_state["actions.table"] = {"edited_rows": {row: {"status": "done"}}, "added_rows": [],
                                         "deleted_rows": []}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    with reading(engine_for(sqlite_url)) as session:
        doc = services.get_incident(session, key="COE-2025-0001")
    assert doc.action_items[2].status == "done" and doc.action_items[2].completed_on is not None
    assert doc.version == 2
