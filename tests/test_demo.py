"""The synthetic history: valid, deterministic, and shaped like a real organisation's."""

import json
from collections import Counter
from datetime import date, timedelta

import pytest

from coe import demo, metrics, volumes
from coe.db import engine_for, reading, writing
from coe.demo import DEFAULT_END, generate
from coe.metrics.summary import months_between
from coe.schema import Incident, attribution_status
from coe.validation import parse_incident

SEED, COUNT = 1, 2000


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """The raw dicts, as `coe demo` would hand them to the importer."""
    return list(generate(COUNT, seed=SEED))


@pytest.fixture(scope="module")
def incidents(records: list[dict]) -> list[Incident]:
    """Every record, validated."""
    return [parse_incident(record, record=number) for number, record in enumerate(records, start=1)]


def test_every_record_is_a_valid_coe_v1_incident(records, incidents):
    assert len(incidents) == COUNT
    assert all("key" not in record and "version" not in record for record in records)


def test_records_are_json_ready_and_oldest_first(records, incidents):
    assert json.loads(json.dumps(records)) == records
    assert all(record["started_at"].endswith("+00:00") for record in records)
    starts = [incident.started_at for incident in incidents]
    assert starts == sorted(starts)


def test_history_spans_the_two_years_before_end(incidents):
    first, last = incidents[0].started_at.date(), incidents[-1].started_at.date()
    assert DEFAULT_END - timedelta(days=731) <= first < DEFAULT_END - timedelta(days=700)
    assert DEFAULT_END - timedelta(days=30) < last <= DEFAULT_END


def test_same_seed_gives_identical_output_and_another_seed_does_not():
    assert json.dumps(list(generate(300, seed=5))) == json.dumps(list(generate(300, seed=5)))
    assert json.dumps(list(generate(300, seed=5))) != json.dumps(list(generate(300, seed=6)))


def test_end_moves_the_history_and_nothing_happens_after_it():
    end = date(2025, 6, 30)
    for incident in map(parse_incident, generate(200, seed=3, end=end)):
        moments = [incident.started_at, incident.resolved_at, *(e.at for e in incident.timeline),
                   *(r.at for r in incident.reviews)]
        assert all(moment.date() <= end for moment in moments if moment is not None)
        assert all(item.completed_on is None or item.completed_on <= end for item in incident.action_items)


def test_ai_involvement_rises_over_the_two_years(incidents):
    def share(batch: list[Incident]) -> float:
        return sum(i.ai.involvement in ("suspected", "confirmed") for i in batch) / len(batch)

    first = [i for i in incidents if i.started_at.date() < DEFAULT_END - timedelta(days=730 - 182)]
    last = [i for i in incidents if i.started_at.date() > DEFAULT_END - timedelta(days=182)]
    assert share(first) < 0.2
    assert share(last) > 0.3
    assert share(last) > 2 * share(first)


def test_severities_lean_to_the_mild_end(incidents):
    counts = Counter(incident.severity for incident in incidents)
    assert counts["sev1"] > 0
    assert counts["sev4"] + counts["sev5"] > 2 * (counts["sev1"] + counts["sev2"])


def test_worse_severities_take_longer_to_resolve(incidents):
    def median_minutes(severities: tuple[str, ...]) -> float:
        durations = sorted((i.resolved_at - i.started_at).total_seconds() / 60
                           for i in incidents if i.resolved_at and i.severity in severities)
        return durations[len(durations) // 2]

    assert median_minutes(("sev1", "sev2")) > median_minutes(("sev4", "sev5"))


def test_the_history_holds_every_case_the_dashboards_need(incidents):
    kinds = Counter(incident.kind for incident in incidents)
    assert kinds["near_miss"] > 0 and kinds["drill"] > 0
    statuses = Counter(attribution_status(incident.attribution.claims) for incident in incidents)
    assert statuses["contested"] > 0 and statuses["agreed"] > 0
    assert any(i.ai.approval_gate == "bypassed" and i.ai.gate_bypass for i in incidents)
    assert any(i.ai.permission_scope == "admin" for i in incidents)
    assert any(c.provenance == "ai_generated_unreviewed" and c.reviewed_by is None
               for i in incidents for c in i.changes)
    assert any(c.provenance == "ai_executed" for i in incidents for c in i.changes)
    assert any(i.ai.involvement == "suspected" and i.attribution.ai_contribution == "undetermined" for i in incidents)


def test_some_action_items_are_overdue_and_some_were_completed(incidents):
    items = [item for incident in incidents for item in incident.action_items]
    assert any(item.status in ("open", "in_progress") and item.due_on < DEFAULT_END for item in items)
    assert any(item.status == "done" and item.completed_on > item.due_on for item in items)
    assert any(item.status == "wont_do" for item in items)


def test_only_the_most_recent_incidents_are_still_open(incidents):
    open_ones = [i for i in incidents if i.resolved_at is None]
    assert 0 < len(open_ones) < 0.06 * len(incidents)
    assert all(i.started_at.date() > DEFAULT_END - timedelta(days=45) for i in open_ones)


def test_approved_and_published_coes_were_approved_by_someone_who_is_not_an_author(incidents):
    finished = [i for i in incidents if i.status in ("approved", "published")]
    assert finished
    for incident in finished:
        approvals = [r for r in incident.reviews if r.decision == "approve"]
        assert approvals and all(r.reviewer not in incident.authors for r in approvals)
        assert all(all(r.checklist.model_dump().values()) for r in approvals)
        assert all(r.at > incident.resolved_at for r in incident.reviews)


def test_recent_coes_are_still_in_the_workflow(incidents):
    recent = Counter(i.status for i in incidents if i.started_at.date() > DEFAULT_END - timedelta(days=30))
    assert recent["draft"] + recent["in_review"] > 0


def test_change_volumes_cover_every_team_and_month_and_are_deterministic():
    rows = demo.change_volumes(COUNT, seed=SEED)
    assert volumes.validate(enumerate(rows, start=1)) == rows  # valid for the volume service
    months = months_between(DEFAULT_END - timedelta(days=729), DEFAULT_END)
    teams = {team for team, *_ in demo.vocab.TEAMS}
    assert {(r["month"], r["team"]) for r in rows} == {(m, t) for m in months for t in teams}
    assert rows == demo.change_volumes(COUNT, seed=SEED) != demo.change_volumes(COUNT, seed=SEED + 1)

    def ai_share(month: str) -> float:
        chosen = [r for r in rows if r["month"] == month]
        return sum(r["changes_ai_generated"] for r in chosen) / sum(r["changes_total"] for r in chosen)

    assert ai_share(months[0]) < 0.1 and ai_share(months[-1]) > 0.15  # AI-generated changes rise with the history


def test_coe_demo_writes_volumes_so_the_change_failure_rate_shows(sqlite_url: str):
    with writing(engine_for(sqlite_url)) as session:
        demo.fill(session, incidents=COUNT, seed=SEED, actor="alice")
    with reading(engine_for(sqlite_url)) as session:
        assert len(volumes.list_volumes(session)) == 24 * len(demo.vocab.TEAMS)
        rates = metrics.window(session, since=DEFAULT_END - timedelta(days=729), until=DEFAULT_END,
                               as_of=DEFAULT_END)["change_failure_rate"]
    # Plausible: a few failures per hundred changes, AI-generated changes failing more often than human ones.
    assert 0.01 < rates["human"] < rates["ai"] < 0.1
