"""The audit trail: a clean history verifies; every kind of tampering in the database is found and named."""

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from typer.testing import CliRunner

from coe import audit, models, services, verify, workflow
from coe.cli import app
from coe.db import reading, writing
from coe.enums import Decision
from coe.errors import CoeError, TamperDetected
from coe.validation import parse_incident, parse_records

runner = CliRunner()
EVENT = audit.EVENT
INCIDENT = services.INCIDENT
TIMELINE = models.TimelineEvent.__table__
# The fixture's users are events 1-6; then the history below, one event per action.
IMPORTED, CREATED, UPDATED, SUBMITTED, REVIEWED, PUBLISHED = range(7, 13)


def make_history(engine, domain_example: dict) -> None:
    """Import the DOMAIN.md example (COE-2025-0001), then take a new COE (COE-2025-0002) through the workflow."""
    with writing(engine) as session:
        services.import_incidents(session, incidents=parse_records(domain_example["incidents"]), actor="tester")
    data = copy.deepcopy(domain_example["incidents"][0]) | {"key": None, "status": "draft", "reviews": []}
    with writing(engine) as session:
        saved = services.create_incident(session, incident=parse_incident(data), actor="alice")
    with writing(engine) as session:
        edited = saved.model_copy(update={"title": "Cost Explorer down after an agent recreated its environment"})
        services.update_incident(session, key=saved.key, incident=edited, version=saved.version, actor="alice")
    with writing(engine) as session:
        workflow.submit(session, key=saved.key, actor="alice")
    with writing(engine) as session:
        workflow.review(session, key=saved.key, actor="bob", decision=Decision.approve)
    with writing(engine) as session:
        workflow.publish(session, key=saved.key, actor="bob")


@pytest.fixture
def history(engine, domain_example: dict):
    make_history(engine, domain_example)
    return engine


def check(engine, **options) -> verify.VerifyReport:
    with reading(engine) as session:
        return verify.verify(session, **options)


def tamper(engine, statement) -> None:
    """Change the database directly, as someone with the file or a SQL prompt could."""
    with engine.begin() as connection:
        connection.execute(statement)


def refused(engine, **options) -> str:
    with pytest.raises(TamperDetected) as caught:
        check(engine, **options)
    return str(caught.value)


def incident_id(engine, key: str) -> int:
    with reading(engine) as session:
        return session.execute(select(INCIDENT.c.id).where(INCIDENT.c.key == key)).scalar_one()


def test_a_clean_history_verifies(history) -> None:
    report = check(history)
    assert (report.sentence(), report.incidents) == ("12 events verified", 2)
    with reading(history) as session:
        actions = session.execute(select(EVENT.c.id, EVENT.c.action, EVENT.c.actor).where(EVENT.c.id >= IMPORTED)
                                  .order_by(EVENT.c.id)).all()
        last = session.execute(select(EVENT.c.hash).order_by(EVENT.c.id.desc()).limit(1)).scalar_one()
    assert actions == [(IMPORTED, "import", "tester"), (CREATED, "create", "alice"), (UPDATED, "update", "alice"),
                       (SUBMITTED, "submit", "alice"), (REVIEWED, "review", "bob"), (PUBLISHED, "publish", "bob")]
    assert report.head == last


def test_an_empty_database_verifies(engine) -> None:
    assert check(engine).sentence() == "6 events verified"


def test_a_title_changed_in_the_database_is_named(history) -> None:
    tamper(history, update(INCIDENT).where(INCIDENT.c.key == "COE-2025-0001").values(title="Nothing happened"))
    assert refused(history) == (
        f"COE-2025-0001 does not match its last audited state (event {IMPORTED}): it was changed outside coe"
    )


def test_a_timeline_row_changed_in_the_database_is_named(history) -> None:
    owner = incident_id(history, "COE-2025-0002")
    tamper(history, update(TIMELINE).where(TIMELINE.c.incident_id == owner, TIMELINE.c.position == 0)
           .values(description="A human operator deleted the environment."))
    assert refused(history) == (
        f"COE-2025-0002 does not match its last audited state (event {PUBLISHED}): it was changed outside coe"
    )


def test_a_child_row_deleted_in_the_database_is_named(history) -> None:
    tamper(history, delete(TIMELINE).where(TIMELINE.c.incident_id == incident_id(history, "COE-2025-0001"),
                                           TIMELINE.c.position == 3))
    assert refused(history).startswith("COE-2025-0001 does not match its last audited state")


def test_a_deleted_event_is_named(history) -> None:
    tamper(history, delete(EVENT).where(EVENT.c.id == UPDATED))
    assert refused(history) == (
        f"audit event {SUBMITTED} does not follow event {CREATED}: "
        "an event was deleted or the events were reordered"
    )


def test_a_deleted_first_event_is_named(history) -> None:
    tamper(history, delete(EVENT).where(EVENT.c.id == 1))
    assert refused(history) == (
        "audit event 2 does not follow the start of the chain: an event was deleted or the events were reordered"
    )


def test_two_swapped_events_are_found(history) -> None:
    with history.begin() as connection:
        first, second = (connection.execute(select(EVENT).where(EVENT.c.id == i)).mappings().one()
                         for i in (UPDATED, SUBMITTED))
        columns = [c.name for c in EVENT.c if c.name != "id"]
        connection.execute(update(EVENT).where(EVENT.c.id == UPDATED).values(hash="swapping"))
        connection.execute(update(EVENT).where(EVENT.c.id == SUBMITTED).values({c: first[c] for c in columns}))
        connection.execute(update(EVENT).where(EVENT.c.id == UPDATED).values({c: second[c] for c in columns}))
    assert refused(history) == (
        f"audit event {UPDATED} does not follow event {CREATED}: "
        "an event was deleted or the events were reordered"
    )


def test_altered_changes_of_an_event_are_named(history) -> None:
    tamper(history, update(EVENT).where(EVENT.c.id == UPDATED).values(changes={"title": ["a", "b"]}))
    message = refused(history)
    assert message.startswith(f"audit event {UPDATED} (update of COE-2025-0002 by alice at 20")
    assert message.endswith(" UTC) does not match its hash: it was altered after it was written")


def test_an_altered_actor_is_named(history) -> None:
    tamper(history, update(EVENT).where(EVENT.c.id == REVIEWED).values(actor="rita"))
    assert refused(history).startswith(f"audit event {REVIEWED} (review of COE-2025-0002 by rita at ")


def test_a_rewritten_state_hash_is_found(history) -> None:
    # Changing a title and pinning the new state in its event breaks that event's own hash.
    tamper(history, update(INCIDENT).where(INCIDENT.c.key == "COE-2025-0001").values(title="Nothing happened"))
    with reading(history) as session:
        forged = audit.state_hash(services.get_incident(session, key="COE-2025-0001"))
    tamper(history, update(EVENT).where(EVENT.c.id == IMPORTED).values(state_hash=forged))
    assert refused(history).startswith(f"audit event {IMPORTED} (import of COE-2025-0001 by tester at ")


def test_an_incident_added_in_the_database_is_named(history) -> None:
    with history.begin() as connection:
        row = dict(connection.execute(select(INCIDENT).where(INCIDENT.c.key == "COE-2025-0001")).mappings().one())
        row.pop("id")
        connection.execute(insert(INCIDENT).values(row | {"key": "COE-2025-0099"}))
    assert refused(history) == "COE-2025-0099 has no audit event: it was added outside coe"


def test_an_incident_deleted_in_the_database_is_named(history) -> None:
    tamper(history, delete(INCIDENT).where(INCIDENT.c.key == "COE-2025-0001"))
    assert refused(history) == (
        f"COE-2025-0001 was audited (event {IMPORTED}) but is missing: it was deleted outside coe"
    )


def test_a_renamed_key_is_found(history) -> None:
    tamper(history, update(INCIDENT).where(INCIDENT.c.key == "COE-2025-0002").values(key="COE-2025-0007"))
    assert refused(history) == "COE-2025-0007 has no audit event: it was added outside coe"


def test_worker_processes_give_the_same_verdicts(history) -> None:
    assert check(history, workers=2).sentence() == "12 events verified"
    tamper(history, update(INCIDENT).where(INCIDENT.c.key == "COE-2025-0002").values(summary="Nothing to see."))
    assert refused(history, workers=2) == (
        f"COE-2025-0002 does not match its last audited state (event {PUBLISHED}): it was changed outside coe"
    )


def test_a_change_made_after_a_worker_flagged_it_is_judged_in_the_snapshot(history) -> None:
    # A worker reads later than the verifying session; what it flags is judged again in that session's snapshot.
    with reading(history) as session:
        expected = [(incident_id(history, "COE-2025-0001"), "COE-2025-0001", "not the hash of anything")]
        assert verify.changed_states(session, expected) == expected
        honest = audit.state_hash(services.get_incident(session, key="COE-2025-0001"))
        assert verify.changed_states(session, [(expected[0][0], "COE-2025-0001", honest)]) == []


# The command line


def coe(url: str, *args: str):
    return runner.invoke(app, ["--database", url, "--as", "tester", *args])


def test_cli_verify_passes_then_names_the_tampered_incident(database_url: str, history) -> None:
    result = coe(database_url, "audit", "verify")
    assert (result.exit_code, result.stdout) == (0, "12 events verified\n")
    tamper(history, update(INCIDENT).where(INCIDENT.c.key == "COE-2025-0002").values(title="Nothing happened"))
    result = coe(database_url, "audit", "verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: COE-2025-0002 does not match its last audited state (event {PUBLISHED}): it was changed outside coe\n"
    )
    assert "Traceback" not in result.output


@pytest.fixture
def dated_history(engine, domain_example: dict, monkeypatch: pytest.MonkeyPatch):
    """The history above, its actions on 2025-03-01, -02, -03, -03, -04 and -05 at noon UTC (the users: today)."""
    days = iter([1, 2, 3, 3, 4, 5])
    clock: list[datetime] = []
    real_writing = writing

    def dated_writing(db, **kwargs):
        clock.append(datetime(2025, 3, next(days), 12, tzinfo=UTC))
        return real_writing(db, **kwargs)

    monkeypatch.setattr(audit, "now", lambda: clock[-1])
    monkeypatch.setitem(make_history.__globals__, "writing", dated_writing)
    make_history(engine, domain_example)
    return engine


def test_cli_export_selects_the_window_and_chains(database_url: str, dated_history, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = coe(database_url, "audit", "export", "--since", "2025-03-02", "--until", "2025-03-03",
                 "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"exported 3 audit events to {out}\n"
    assert not list(tmp_path.glob(".*.partial"))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert (exported["format"], exported["since"], exported["until"]) == ("coe-audit/v1", "2025-03-02", "2025-03-03")
    events = exported["events"]
    assert [(e["id"], e["action"], e["actor"], e["at"]) for e in events] == [
        (CREATED, "create", "alice", "2025-03-02T12:00:00+00:00"),
        (UPDATED, "update", "alice", "2025-03-03T12:00:00+00:00"),
        (SUBMITTED, "submit", "alice", "2025-03-03T12:00:00+00:00"),
    ]
    assert all(set(e) == set(verify.EXPORTED) for e in events)
    assert events[1]["changes"]["title"][1] == "Cost Explorer down after an agent recreated its environment"
    # An auditor can recompute every hash, and the first event's prev_hash ties the window to what came before.
    with reading(dated_history) as session:
        before = session.execute(select(EVENT.c.hash).where(EVENT.c.id == IMPORTED)).scalar_one()
    assert events[0]["prev_hash"] == before
    for previous, event in zip(events, events[1:]):
        assert event["prev_hash"] == previous["hash"]
    assert all(audit.event_hash(e) == e["hash"] for e in events)


def test_cli_export_to_standard_output_and_an_empty_window(database_url: str, dated_history) -> None:
    whole = coe(database_url, "audit", "export", "--since", "2025-03-01", "--until", "2025-03-05")
    assert [e["action"] for e in json.loads(whole.stdout)["events"]] == [
        "import", "create", "update", "submit", "review", "publish"]
    empty = coe(database_url, "audit", "export", "--since", "2024-01-01", "--until", "2024-12-31")
    assert json.loads(empty.stdout) == {"format": "coe-audit/v1", "since": "2024-01-01", "until": "2024-12-31",
                                        "events": []}


def test_library_export_counts_both_ends_of_the_window(dated_history) -> None:
    with reading(dated_history) as session:
        days = [e["at"][:10] for e in verify.export_events(session, since=date(2025, 3, 3), until=date(2025, 3, 4))]
    assert days == ["2025-03-03", "2025-03-03", "2025-03-04"]


@pytest.mark.parametrize("args", [
    ["--since", "2025-13-01", "--until", "2025-12-31"],
    ["--since", "yesterday", "--until", "2025-12-31"],
    ["--since", "2025-02-01", "--until", "2025-01-01"],
    ["--until", "2025-01-01"],
])
def test_cli_export_with_a_bad_window_is_exit_2(sqlite_url: str, args: list[str]) -> None:
    assert coe(sqlite_url, "audit", "export", *args).exit_code == 2


def test_a_failing_worker_process_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoeError, match="^a verification worker process failed: .*unable to open database file"):
        verify._in_worker_process(f"sqlite:///{tmp_path / 'no' / 'such.db'}", [(1, "COE-2025-0001", "0" * 64)])
