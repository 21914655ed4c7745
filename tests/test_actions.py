"""Action items across COEs: filters, days overdue, and audited status changes (also on a published COE)."""

import copy
from datetime import date

import pytest

from coe import actions, audit, services
from coe.db import reading, writing
from coe.errors import Conflict, PermissionDenied
from coe.validation import parse_incident

AS_OF = date(2026, 2, 1)


@pytest.fixture
def published(engine, domain_example: dict) -> str:
    """The DOMAIN.md example, published, imported by the admin."""
    doc = parse_incident(copy.deepcopy(domain_example["incidents"][0]))
    with writing(engine) as session:
        [key] = services.import_incidents(session, incidents=[doc], actor="tester")
    return key


def _items(engine, **filters):
    with reading(engine) as session:
        return actions.action_items(session, as_of=AS_OF, **filters)


def test_open_items_are_listed_with_their_coe_and_days_overdue(engine, published) -> None:
    rows = _items(engine)
    assert [(r["key"], r["team"], r["title"][:20], r["status"], r["overdue_days"]) for r in rows] == [
        (published, "billing-console", "Require human approv", "open", 1),
        (published, "billing-console", "Audit every service ", "in_progress", 0),
    ]


def test_filters_narrow_by_owner_team_control_and_status(engine, published) -> None:
    assert [r["owner"] for r in _items(engine, owners=["security-lead"])] == ["security-lead"]
    assert [r["control"] for r in _items(engine, controls=["approval_gate"])] == ["approval_gate"]
    assert _items(engine, teams=["nobody"]) == []
    assert len(_items(engine, teams=["billing-console"])) == 2
    assert [r["status"] for r in _items(engine, statuses=["done"])] == ["done"]
    assert len(_items(engine, statuses=[])) == 3


def test_done_on_a_published_coe_sets_completed_on_bumps_version_and_is_audited(engine, published) -> None:
    with writing(engine) as session:
        saved = actions.set_action_status(session, key=published, position=2, status="done", actor="bob", version=1)
    assert saved.version == 2 and saved.status == "published"
    assert (saved.action_items[2].status, saved.action_items[2].completed_on) == ("done", audit.now().date())
    with reading(engine) as session:
        events = [(e.actor, e.action, e.incident_key) for e in audit.events(session)]
    assert events[-1] == ("bob", "update_action_item", published)
    with writing(engine) as session:
        reopened = actions.set_action_status(session, key=published, position=2, status="open", actor="bob")
    assert (reopened.version, reopened.action_items[2].completed_on) == (3, None)


def test_stale_version_is_a_conflict(engine, published) -> None:
    with writing(engine) as session:
        actions.set_action_status(session, key=published, position=1, status="done", actor="bob", version=1)
    with pytest.raises(Conflict), writing(engine) as session:
        actions.set_action_status(session, key=published, position=2, status="done", actor="bob", version=1)


def test_viewer_may_not_change_a_status(engine, published) -> None:
    with pytest.raises(PermissionDenied), writing(engine) as session:
        actions.set_action_status(session, key=published, position=2, status="done", actor="vic")
