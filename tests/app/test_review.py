"""The Review queue page, run headless with AppTest: who sees what, self-approval refused, approve, publish."""


import pytest
from streamlit.testing.v1 import AppTest

from coe import services, workflow
from coe.db import engine_for, reading, writing
from coe.enums import CHECKLIST, Decision, Status
from coe.errors import PermissionDenied
from coe.validation import parse_records
from tests.app.conftest import APP, TIMEOUT

REVIEW_PAGE = "views/review.py"


def record(title: str, status: str, authors: list[str], day: int) -> dict:
    return {"title": title, "severity": "sev3", "status": status, "authors": authors, "team": "payments",
            "started_at": f"2026-02-{day:02d}T09:00:00+00:00"}


@pytest.fixture
def keys(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """COEs in each status: two in review (one written by bob), a draft, an approved and a published one."""
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    records = {
        "bobs": record("Bob's COE in review", "in_review", ["bob"], 1),
        "alices": record("Alice's COE in review", "in_review", ["alice"], 2),
        "draft": record("A draft", "draft", ["alice"], 3),
        "approved": record("An approved COE", "approved", ["alice"], 4),
        "published": record("A published COE", "published", ["alice"], 5),
    }
    with writing(engine_for(sqlite_url)) as session:
        saved = services.import_incidents(session, incidents=parse_records(list(records.values())), actor="tester")
    return dict(zip(records, saved))


def stored(url: str, key: str):
    with reading(engine_for(url)) as session:
        return services.get_incident(session, key=key)


def open_queue(monkeypatch: pytest.MonkeyPatch, user: str) -> AppTest:
    monkeypatch.setenv("COE_USER", user)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # the router registers the pages' URL paths on its first run
    at.switch_page(REVIEW_PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def listed(at: AppTest) -> list[str]:
    """The keys of the COEs the page shows, in order."""
    return [m.value.split(" · ")[0].strip("*") for m in at.markdown if m.value.startswith("**COE-")]


def button(at: AppTest, key: str, action: str):
    """A COE's Publish button, or the button of a review decision."""
    return at.button(key=f"review.{key}.{action}" if action == "publish" else f"review.{key}.decide.{action}")


def test_the_queue_shows_only_coes_in_review_and_approved_ones_to_publish(
    keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_queue(monkeypatch, "rita")
    assert [s.value for s in at.subheader] == ["In review (2)", "Approved, ready to publish (1)"]
    assert listed(at) == [keys["bobs"], keys["alices"], keys["approved"]]
    assert not button(at, keys["bobs"], "approve").disabled
    assert len(at.checkbox) == 2 * len(CHECKLIST)


def test_an_author_cannot_approve_their_own_coe(
    keys: dict[str, str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_queue(monkeypatch, "bob")
    own, other = button(at, keys["bobs"], "approve"), button(at, keys["alices"], "approve")
    assert own.disabled and own.help == "You are an author of this COE; another reviewer must approve it"
    assert not other.disabled
    assert not button(at, keys["bobs"], "request_changes").disabled
    with pytest.raises(PermissionDenied, match="bob is an author of .* and cannot approve it"):
        with writing(engine_for(sqlite_url)) as session:
            workflow.review(session, key=keys["bobs"], actor="bob", decision=Decision.approve)
    assert stored(sqlite_url, keys["bobs"]).status == Status.in_review


def test_another_reviewer_approves_with_the_checklist(
    keys: dict[str, str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_queue(monkeypatch, "rita")
    key = keys["bobs"]
    for item in CHECKLIST[:3]:
        at.checkbox(key=f"review.{key}.{item}").check()
    at.text_area(key=f"review.{key}.comment").input("Clear timeline.")
    at.selectbox(key=f"review.{key}.role").set_value("bar_raiser")
    button(at, key, "approve").click().run()
    assert not at.exception, [e.message for e in at.exception]

    doc = stored(sqlite_url, keys["bobs"])
    assert doc.status == Status.approved
    [review] = doc.reviews
    assert (review.reviewer, review.role, review.decision, review.comment) == (
        "rita", "bar_raiser", "approve", "Clear timeline.")
    assert [name for name, ticked in review.checklist.model_dump().items() if ticked] == list(CHECKLIST[:3])
    assert [t.value for t in at.toast] == [f"{key} is now approved"]
    assert listed(at) == [keys["alices"], key, keys["approved"]]  # now waiting to be published


def test_requesting_changes_sends_it_back_to_draft(
    keys: dict[str, str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_queue(monkeypatch, "bob")
    button(at, keys["bobs"], "request_changes").click().run()
    assert not at.exception
    assert stored(sqlite_url, keys["bobs"]).status == Status.draft
    assert keys["bobs"] not in listed(at)


def test_an_approved_coe_is_published(
    keys: dict[str, str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_queue(monkeypatch, "rita")
    button(at, keys["approved"], "publish").click().run()
    assert not at.exception
    assert stored(sqlite_url, keys["approved"]).status == Status.published
    assert "Approved, ready to publish (0)" in [s.value for s in at.subheader]


@pytest.mark.parametrize("user, role", [("vic", "a viewer"), ("alice", "an author")])
def test_viewers_and_authors_are_told_reviewing_needs_the_reviewer_role(
    keys: dict[str, str], monkeypatch: pytest.MonkeyPatch, user: str, role: str
) -> None:
    at = open_queue(monkeypatch, user)
    note = at.info[0].value
    assert note.startswith("Reviewing a COE needs the reviewer role") and f"{user} is {role}" in note
    assert not at.button and not at.checkbox
