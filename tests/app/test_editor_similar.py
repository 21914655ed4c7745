"""The editor shows similar earlier incidents while the author writes, before anything is saved."""

import pytest

from coe.db import engine_for
from tests.app.test_editor import open_editor
from tests.search_corpus import seed


@pytest.fixture
def db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, domain_example: dict) -> str:
    """The hand-made search corpus, with alice (an author) acting."""
    seed(engine_for(sqlite_url), domain_example)
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COE_USER", "alice")
    return sqlite_url


def _shown(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [w.value for w in at.warning] + [c.value for c in at.caption])


def test_writing_a_known_incident_shows_it_with_its_unfinished_fix(db: str) -> None:
    at = open_editor()
    assert "COE-2024-0003" not in _shown(at)
    at.text_input(key="editor.title").input("Agent deleted the staging environment")
    at.text_area(key="editor.root_cause").input("The agentic tool held broad permissions.")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    warning = next(w.value for w in at.warning if "COE-2024-0003" in w.value)
    assert "Repeat with an unfinished fix" in warning
    assert "Require human approval for every mutating agent step (open" in warning


def test_the_coe_page_lists_earlier_similar_incidents_only(db: str, domain_example: dict) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP, TIMEOUT

    def coe_page(key: str) -> str:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        at.query_params["key"] = key
        at.switch_page("views/coe.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return _shown(at)

    assert "No earlier incident is like this one." in coe_page("COE-2024-0001")
    from coe import services
    from coe.db import writing
    from tests.search_corpus import corpus_doc
    from tests.test_similar import AGAIN

    with writing(engine_for(db)) as session:
        services.import_incidents(session, incidents=[corpus_doc(domain_example, AGAIN)], actor="tester")
    shown = coe_page("COE-2025-0009")
    assert "Repeat with an unfinished fix: **COE-2024-0003**" in shown
    assert "COE-2025-0009 ·" not in shown  # never itself
