"""Every mutating service × every role: allowed, or refused with PermissionDenied in a sentence."""

import copy
from collections.abc import Callable

import pytest

from coe import services, users, workflow
from coe.db import reading, writing
from coe.enums import AmendmentStatus, Decision, Role, Status
from coe.errors import PermissionDenied
from coe.validation import parse_incident, parse_records

ACTORS = {Role.viewer: "vic", Role.author: "alice", Role.reviewer: "bob", Role.admin: "tester"}


@pytest.fixture
def doc(domain_example: dict):
    data = copy.deepcopy(domain_example["incidents"][0]) | {"status": "draft", "reviews": [], "authors": ["carol"]}
    return parse_incident(data)


def _at(engine, doc, status: Status) -> str:
    """An incident written by carol, moved to `status` by people allowed to."""
    with writing(engine) as session:
        key = services.import_incidents(session, incidents=[doc.model_copy(update={"key": None})], actor="tester")[0]
        if status != Status.draft:
            workflow.submit(session, key=key, actor="carol")
        if status in (Status.approved, Status.published):
            workflow.review(session, key=key, actor="rita", decision=Decision.approve)
        if status == Status.published:
            workflow.publish(session, key=key, actor="rita")
    return key


def _version(engine, key: str) -> int:
    with reading(engine) as session:
        return services.get_incident(session, key=key).version


ACTIONS: dict[str, tuple[Role, Status | None, Callable]] = {
    "import": (Role.author, None, lambda s, key, doc, who, v: services.import_incidents(
        s, incidents=parse_records([doc.model_dump(mode="json") | {"key": None}]), actor=who)),
    "create": (Role.author, None, lambda s, key, doc, who, v: services.create_incident(s, incident=doc, actor=who)),
    "update": (Role.author, Status.draft, lambda s, key, doc, who, v: services.update_incident(
        s, key=key, incident=doc.model_copy(update={"title": "Edited"}), version=v, actor=who)),
    "submit": (Role.author, Status.draft, lambda s, key, doc, who, v: workflow.submit(s, key=key, actor=who)),
    "review": (Role.reviewer, Status.in_review, lambda s, key, doc, who, v: workflow.review(
        s, key=key, actor=who, decision=Decision.comment, comment="Looks thorough.")),
    "publish": (Role.reviewer, Status.approved, lambda s, key, doc, who, v: workflow.publish(s, key=key, actor=who)),
    "amend": (Role.author, Status.published, lambda s, key, doc, who, v: workflow.amend(
        s, key=key, incident=doc.model_copy(update={"title": "Corrected"}), reason="Typo", actor=who, version=v)),
    "add user": (Role.admin, None, lambda s, key, doc, who, v: users.add_user(
        s, name="newcomer", role=Role.viewer, actor=who)),
    "disable user": (Role.admin, None, lambda s, key, doc, who, v: users.set_active(
        s, name="carol", active=False, actor=who)),
}
RANKS = list(ACTORS)


@pytest.mark.parametrize("role", RANKS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix(engine, doc, action: str, role: Role) -> None:
    needed, status, call = ACTIONS[action]
    key = _at(engine, doc, status) if status else None
    version = _version(engine, key) if key else 0
    allowed = RANKS.index(role) >= RANKS.index(needed)
    with writing(engine) as session:
        if allowed:
            call(session, key, doc, ACTORS[role], version)
        else:
            with pytest.raises(PermissionDenied, match=f"{ACTORS[role]} is an? {role} and may not"):
                call(session, key, doc, ACTORS[role], version)


def test_a_disabled_user_may_do_nothing(engine, doc) -> None:
    with writing(engine) as session:
        users.set_active(session, name="alice", active=False, actor="tester")
    with pytest.raises(PermissionDenied, match="alice is disabled and may not create"), writing(engine) as session:
        services.create_incident(session, incident=doc, actor="alice")


def test_an_unknown_user_is_told_how_to_get_access(engine, doc) -> None:
    with pytest.raises(PermissionDenied, match=r"mallory is not a user here; an admin can add them with "
                                               r"`coe user add mallory --role author`"):
        with writing(engine) as session:
            services.create_incident(session, incident=doc, actor="mallory")


def test_a_published_coe_is_refused_an_edit_and_an_amendment_goes_through_review(engine, doc) -> None:
    key = _at(engine, doc, Status.published)
    version = _version(engine, key)
    with writing(engine) as session, pytest.raises(Exception, match="is published; correct it with an amendment"):
        services.update_incident(session, key=key, incident=doc, version=version, actor="carol")
    corrected = doc.model_copy(update={"summary": "Corrected summary."})
    with writing(engine) as session:
        workflow.amend(session, key=key, incident=corrected, reason="Summary was wrong", actor="bob",
                       version=version)
    with writing(engine) as session, pytest.raises(Exception, match="must be approved before it is published"):
        workflow.publish(session, key=key, actor="rita")
    with writing(engine) as session, pytest.raises(PermissionDenied, match="bob wrote amendment 1"):
        workflow.review(session, key=key, actor="bob", decision=Decision.approve)
    with reading(engine) as session:
        pending = services.get_incident(session, key=key)
    assert pending.summary == doc.summary and pending.amendments[0].status == "in_review"
    with writing(engine) as session:
        assert [d.key for d in workflow.amended(session, status=AmendmentStatus.in_review)] == [key]
        workflow.review(session, key=key, actor="rita", decision=Decision.approve)
        assert [d.key for d in workflow.amended(session, status=AmendmentStatus.approved)] == [key]
        done = workflow.publish(session, key=key, actor="rita")
        assert not workflow.amended(session, status=AmendmentStatus.approved)
    assert done.summary == "Corrected summary."
    assert done.status == "published"
    [amendment] = done.amendments
    assert (amendment.status, amendment.author, amendment.reviews[0].reviewer) == ("published", "bob", "rita")
    assert amendment.changes == {"summary": [doc.summary, "Corrected summary."]}


def test_an_edit_after_approval_sends_the_coe_back_to_draft(engine, doc) -> None:
    key = _at(engine, doc, Status.approved)
    with writing(engine) as session:
        edited = services.update_incident(session, key=key, incident=doc.model_copy(update={"title": "Changed"}),
                                          version=_version(engine, key), actor="carol")
    assert (edited.status, edited.title, edited.reviews[-1].decision) == ("draft", "Changed", "approve")
    with writing(engine) as session, pytest.raises(Exception, match="it must be approved before it is published"):
        workflow.publish(session, key=key, actor="rita")
