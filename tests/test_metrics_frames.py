"""Frames load the same columns and values on SQLite and PostgreSQL, with the window and filters applied."""

import json
from datetime import date
from pathlib import Path

import pandas as pd

from coe import metrics, services, workflow
from coe.db import engine_for, reading, writing
from coe.metrics import frames as frames_module
from coe.validation import parse_document

FIXTURE = Path(__file__).parent / "fixtures" / "metrics" / "incidents.json"


def _load(url: str) -> None:
    docs = parse_document(FIXTURE.read_text(encoding="utf-8"))
    with writing(engine_for(url)) as session:
        services.import_incidents(session, incidents=docs, actor="tester")


def test_frames_on_the_database(database_url: str) -> None:
    _load(database_url)
    with reading(engine_for(database_url)) as session:
        got = metrics.load(session, since=date(2025, 1, 1), until=date(2025, 6, 30))
    assert tuple(got.incidents.columns) == frames_module.INCIDENT_COLUMNS
    assert len(got.incidents) == 8 and len(got.history) == 9  # the drill is no history; 2024's two are
    row = got.incidents.set_index("key").loc["COE-2025-0002"]
    assert row["services"] == ["order-queue"] and row["authors"] == ["carol"] and row["approver"] == "rita"
    assert row["started_at"] == pd.Timestamp("2025-02-03 14:00", tz="UTC")
    assert row["published_at"] == pd.Timestamp("2025-02-24 18:00", tz="UTC")  # imported: its approval
    assert row["ai_permissions_inherited"] is True and row["ai_spec_reviewed"] is False
    assert pd.isna(got.incidents.set_index("key").loc["COE-2025-0003", "published_at"])  # approved, not published
    assert set(got.changes.columns) == {"key", "role", "provenance"} and len(got.changes) == 6
    assert len(got.claims) == 4 and got.claims["stated_on"].iloc[0] == date(2025, 2, 10)
    items = got.action_items.set_index("title")
    assert items.loc["Pin SDK defaults in config", "completed_on"] == date(2025, 1, 20)
    assert items.loc["Pin SDK defaults in config", "resolved_at"] == pd.Timestamp("2025-01-10 11:00", tz="UTC")


def test_filters_and_a_workflow_publication(database_url: str) -> None:
    _load(database_url)
    engine = engine_for(database_url)
    with writing(engine) as session:
        workflow.publish(session, key="COE-2025-0003", actor="bob")
    with reading(engine) as session:
        payments = metrics.load(session, teams=["payments"], severities=["sev2"])
        ledger = metrics.load(session, services=["checkout-api"], since=date(2025, 3, 20), until=date(2025, 3, 20))
        published = metrics.load(session, since=date(2025, 3, 5), until=date(2025, 3, 5))
    assert sorted(payments.incidents["key"]) == ["COE-2024-0001", "COE-2025-0001", "COE-2025-0003", "COE-2025-0006"]
    assert list(ledger.incidents["key"]) == ["COE-2025-0004"]
    # Published through the workflow: the time of the publish event (today), not the approval's.
    at = published.incidents.loc[0, "published_at"]
    assert at.date() == frames_module.utc_day(None) and str(at.tz) == "UTC"
    assert json.dumps(metrics.summary(published, since=date(2025, 3, 5), until=date(2025, 3, 5),
                                      as_of=date(2025, 7, 15)))


def test_an_empty_database_loads_empty_frames(database_url: str) -> None:
    # Regression: slicing the services of no incidents at all raised instead of giving no rows.
    with reading(engine_for(database_url)) as session:
        got = metrics.load(session, since=date(2025, 1, 1), until=date(2025, 6, 30))
        assert metrics.window(session, as_of=date(2025, 7, 1))["incidents"] == 0
    assert got.incidents.empty and tuple(got.incidents.columns) == frames_module.INCIDENT_COLUMNS
    assert got.history.empty and got.action_items.empty


def test_the_headline_reads_less_and_gives_the_summarys_numbers(database_url: str) -> None:
    _load(database_url)
    window = {"since": date(2025, 1, 1), "until": date(2025, 6, 30), "as_of": date(2025, 7, 15)}
    with reading(engine_for(database_url)) as session:
        for filters in ({}, {"teams": ["payments"]}, {"services": ["checkout-api"], "kinds": ["incident"]}):
            current, previous = metrics.headlines(session, **window, **filters)
            full = metrics.window(session, **window, **filters)
            before = metrics.previous_window(window["since"], window["until"])
            full_before = metrics.window(session, since=before[0], until=before[1], as_of=window["as_of"], **filters)
            for got, expected in ((current, full), (previous, full_before)):
                assert got["durations"]["ttr"] == expected["durations"]["ttr"]
                assert got["action_items"]["overdue"] == expected["action_items"]["overdue"]
                for key in ("since", "until", "incidents", "near_misses", "ai_attributable", "by_month"):
                    assert got[key] == expected[key], (filters, key)
        narrow = metrics.load_headline(session, since=window["since"], until=window["until"])
    assert tuple(narrow.incidents.columns) == frames_module.HEADLINE_COLUMNS
    assert set(narrow.claims["attributes_to"]) <= {"ai_tool"}
    assert set(narrow.action_items["status"]) <= {"open", "in_progress"}


def test_filter_values_and_chosen_columns(database_url: str) -> None:
    _load(database_url)
    with reading(engine_for(database_url)) as session:
        values = frames_module.filter_values(session)
        rows = frames_module.incident_columns(session, ("key", "started_at", "authors"), teams=["payments"],
                                              since=date(2025, 1, 1))
    assert "payments" in values["teams"] and "checkout-api" in values["services"]
    assert values["teams"] == sorted(values["teams"]) and "" not in values["teams"]
    assert sorted(rows["key"]) == ["COE-2025-0001", "COE-2025-0003", "COE-2025-0004", "COE-2025-0006"]
    assert str(rows["started_at"].dt.tz) == "UTC" and all(isinstance(a, list) for a in rows["authors"])
