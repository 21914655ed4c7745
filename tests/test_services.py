"""Services: atomic saves, reads, filters, optimistic locking, workflow moves, audit events."""

import copy
from datetime import date

import pytest
from sqlalchemy import select

from coe import models, services, workflow
from coe.db import reading, writing
from coe.enums import Decision
from coe.errors import Conflict, NotFound, PermissionDenied, WorkflowError
from coe.validation import parse_incident, parse_records


@pytest.fixture
def draft(domain_example: dict):
    data = copy.deepcopy(domain_example["incidents"][0]) | {"key": None, "status": "draft", "reviews": []}
    return parse_incident(data)


def _create(engine, doc, actor="alice"):
    with writing(engine) as session:
        return services.create_incident(session, incident=doc, actor=actor)


def test_create_assigns_key_version_and_author(engine, draft) -> None:
    saved = _create(engine, draft.model_copy(update={"authors": []}))
    assert (saved.key, saved.version, saved.status, saved.authors) == ("COE-2025-0001", 1, "draft", ["alice"])
    with reading(engine) as session:
        loaded = services.get_incident(session, key=saved.key)
    assert loaded == saved
    assert [a.title for a in loaded.action_items] == [a.title for a in draft.action_items]


def test_unknown_key_is_not_found(engine) -> None:
    with reading(engine) as session, pytest.raises(NotFound, match="no incident with key COE-2024-0009"):
        services.get_incident(session, key="COE-2024-0009")


def test_update_bumps_version_and_stale_update_is_a_conflict(engine, draft) -> None:
    saved = _create(engine, draft)
    with writing(engine) as session:
        first = services.update_incident(
            session, key=saved.key, incident=saved.model_copy(update={"title": "Renamed"}), version=1, actor="bob"
        )
    assert (first.version, first.title) == (2, "Renamed")
    with pytest.raises(Conflict, match=r"COE-2025-0001 was changed by bob at .* since you opened it"):
        with writing(engine) as session:
            services.update_incident(
                session, key=saved.key, incident=saved.model_copy(update={"title": "Lost?"}), version=1, actor="carol"
            )
    with reading(engine) as session:
        assert services.get_incident(session, key=saved.key).title == "Renamed"


def test_update_replaces_children_atomically(engine, draft) -> None:
    saved = _create(engine, draft)
    fewer = saved.model_copy(update={"action_items": saved.action_items[:1], "timeline": []})
    with writing(engine) as session:
        services.update_incident(session, key=saved.key, incident=fewer, version=1, actor="alice")
    with reading(engine) as session:
        loaded = services.get_incident(session, key=saved.key)
        assert len(session.execute(select(models.ActionItem)).all()) == 1
    assert (len(loaded.action_items), loaded.timeline) == (1, [])


def test_a_failed_action_leaves_no_trace(engine, draft) -> None:
    with pytest.raises(RuntimeError), writing(engine) as session:
        services.create_incident(session, incident=draft, actor="alice")
        raise RuntimeError("crash after the insert")
    with reading(engine) as session:
        assert services.count_incidents(session) == 0
        assert session.execute(select(models.AuditEvent).where(models.AuditEvent.incident_key.is_not(None))).all() == []


def test_workflow_submit_review_publish(engine, draft) -> None:
    saved = _create(engine, draft.model_copy(update={"authors": []}), actor="rita")
    with writing(engine) as session:
        workflow.submit(session, key=saved.key, actor="rita")
    with pytest.raises(PermissionDenied, match="rita is an author of COE-2025-0001 and cannot approve it"):
        with writing(engine) as session:
            workflow.review(session, key=saved.key, actor="rita", decision=Decision.approve)
    with pytest.raises(WorkflowError, match="must be approved before it is published"):
        with writing(engine) as session:
            workflow.publish(session, key=saved.key, actor="bob")
    with writing(engine) as session:
        workflow.review(session, key=saved.key, actor="bob", decision=Decision.approve, role="bar_raiser",
                        checklist={"timeline_complete": True})
        done = workflow.publish(session, key=saved.key, actor="bob")
    assert (done.status, done.version, done.reviews[0].reviewer) == ("published", 4, "bob")
    with pytest.raises(WorkflowError, match="is published"), writing(engine) as session:
        services.update_incident(session, key=saved.key, incident=done, version=4, actor="alice")


def test_every_change_is_an_audit_event_chained_to_the_last(engine, draft) -> None:
    saved = _create(engine, draft)
    with writing(engine) as session:
        workflow.submit(session, key=saved.key, actor="alice")
    with reading(engine) as session:
        events = session.execute(select(models.AuditEvent).order_by(models.AuditEvent.id)).scalars().all()
    events = [e for e in events if e.incident_key]
    assert [(e.action, e.actor) for e in events] == [("create", "alice"), ("submit", "alice")]
    assert events[1].prev_hash == events[0].hash
    assert events[1].changes["status"] == ["draft", "in_review"]


def test_list_filters(engine, domain_example: dict) -> None:
    base = domain_example["incidents"][0]
    other = copy.deepcopy(base) | {
        "key": "COE-2024-0001", "started_at": "2024-03-01T00:00:00+00:00", "detected_at": None,
        "acknowledged_at": None, "mitigated_at": None, "resolved_at": None, "severity": "sev4",
        "team": "search", "services": ["search-api"], "kind": "near_miss", "status": "draft",
        "ai": {"involvement": "none"},
    }
    with writing(engine) as session:
        services.import_incidents(session, incidents=parse_records([base, other]), actor="tester")

    def keys(**kw):
        with reading(engine) as session:
            return [r["key"] for r in services.list_incidents(session, filters=services.IncidentFilter(**kw))]

    assert keys() == ["COE-2025-0001", "COE-2024-0001"]
    assert keys(since=date(2025, 12, 9), until=date(2025, 12, 9)) == ["COE-2025-0001"]
    assert keys(until=date(2025, 12, 8)) == ["COE-2024-0001"]
    assert keys(teams=["search"], services=["search-api"]) == ["COE-2024-0001"]
    assert keys(services=["cost-explorer"], severities=["sev2"]) == ["COE-2025-0001"]
    assert keys(kinds=["near_miss"], statuses=["draft"]) == ["COE-2024-0001"]
    assert keys(ai_involvement=["confirmed", "suspected"]) == ["COE-2025-0001"]
    assert keys(limit=1) == ["COE-2025-0001"]
    with reading(engine) as session:
        [row] = services.list_incidents(session, filters=services.IncidentFilter(teams=["billing-console"]))
    assert (row["services"], row["attribution_status"]) == (["cost-explorer"], "contested")
