"""Action items across COEs: the follow-through list, and the one status change it allows."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from coe import audit, models, schema, services, users
from coe.enums import ActionStatus
from coe.errors import NotFound

ACTION_ITEM: Table = models.ActionItem.__table__  # type: ignore[assignment]
INCIDENT = services.INCIDENT
OPEN_STATUSES = (ActionStatus.open, ActionStatus.in_progress)


def action_items(
    session: Session,
    *,
    as_of: date,
    statuses: Iterable[str] = OPEN_STATUSES,
    owners: Iterable[str] = (),
    teams: Iterable[str] = (),
    controls: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Action items with their COE's key, title and team, and days overdue as of a day; empty filters match all."""
    a, i = ACTION_ITEM.c, INCIDENT.c
    query = (
        select(i.key, i.title.label("coe_title"), i.team, i.version, a.position, a.title, a.owner, a.control,
               a.priority, a.due_on, a.status, a.completed_on, a.ticket_url)
        .join(INCIDENT, a.incident_id == i.id)
        .order_by(a.due_on.is_(None), a.due_on, i.key, a.position)
    )
    for column, wanted in ((a.status, statuses), (a.owner, owners), (i.team, teams), (a.control, controls)):
        if values := [str(v) for v in wanted]:
            query = query.where(column.in_(values))
    rows = [dict(row._mapping) for row in session.execute(query)]
    for row in rows:
        late = row["status"] in OPEN_STATUSES and row["due_on"] is not None and row["due_on"] < as_of
        row["overdue_days"] = (as_of - row["due_on"]).days if late else 0
    return rows


def set_action_status(
    session: Session, *, key: str, position: int, status: str, actor: str, version: int | None = None
) -> schema.Incident:
    """Move one action item to a status (done sets completed_on to today, reopening clears it), audited."""
    users.require(session, actor, "update")
    current = services.get_incident(session, key=key)
    items = list(current.action_items)
    if not 0 <= position < len(items):
        raise NotFound(f"{key} has no action item {position + 1}")
    new_status = ActionStatus(status)
    if new_status == ActionStatus.done:
        completed = items[position].completed_on or audit.now().date()
    elif new_status == ActionStatus.wont_do:
        completed = items[position].completed_on
    else:
        completed = None
    items[position] = items[position].model_copy(update={"status": new_status, "completed_on": completed})
    changed = current.model_copy(update={"action_items": items})
    # A published COE's follow-through stays trackable: save_state directly, since update_incident refuses it.
    return services.save_state(
        session, current, changed, current.version if version is None else version, actor, "update_action_item"
    )
