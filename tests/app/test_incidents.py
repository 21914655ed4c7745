"""The Incidents and COE pages, run headless with AppTest against a seeded SQLite database."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coe import services
from coe.db import engine_for, writing
from coe.validation import parse_records
from tests.app.conftest import APP, TIMEOUT

COE_PAGE = "views/coe.py"


def synthetic(number: int, **fields) -> dict:
    """A small valid incident, started `number` days after 2026-01-01."""
    started = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=number)
    return {
        "title": f"Synthetic outage {number}",
        "severity": "sev3",
        "team": "payments",
        "services": ["checkout"],
        "started_at": started.isoformat(),
        "resolved_at": (started + timedelta(hours=2)).isoformat(),
        "status": "published",
    } | fields


SYNTHETIC = [
    synthetic(1),
    synthetic(2, severity="sev1", title="Database failover stalled", team="storage", services=["orders-db"]),
    synthetic(3, kind="near_miss", title="Agent proposed dropping a table",
              ai={"involvement": "suspected", "tool": "assistant", "mode": "agent"}),
    synthetic(4, severity="sev4", status="draft", title="Slow search page"),
]


def seed(url: str, records: list[dict]) -> list[str]:
    with writing(engine_for(url)) as session:
        return services.import_incidents(session, incidents=parse_records(records), actor="tester")


@pytest.fixture
def seeded(sqlite_url: str, domain_example: dict, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The DOMAIN.md example (COE-2025-0001, contested) and four synthetic incidents; the app points at them."""
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    return seed(sqlite_url, domain_example["incidents"] + SYNTHETIC)


def run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def run_coe(key: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if key is not None:
        at.query_params["key"] = key
    at.switch_page(COE_PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, joined."""
    parts = [e.value for kind in ("title", "markdown", "caption", "info", "warning") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def table_keys(at: AppTest) -> list[str]:
    return [url.split("key=", 1)[1] for url in at.dataframe[0].value["key"]]


def test_the_list_shows_every_incident_newest_first(seeded: list[str]) -> None:
    at = run()
    assert at.title[0].value == "Incidents"
    assert "5 incidents" in texts(at)
    keys = table_keys(at)
    assert sorted(keys) == sorted(seeded)
    assert keys[-1] == "COE-2025-0001"  # started in 2025, before every synthetic one
    table = at.dataframe[0].value
    assert table.loc[keys.index("COE-2025-0001"), "attribution"] == "⚠ contested"
    assert {"started", "severity", "kind", "status", "ai_involvement", "team", "services", "title"} <= set(table)


def test_a_filter_narrows_the_list(seeded: list[str]) -> None:
    at = run()
    at.sidebar.multiselect(key="severity").set_value(["sev1"]).run()
    assert not at.exception
    assert "1 of 5 incidents" in texts(at)
    assert at.dataframe[0].value["title"].tolist() == ["Database failover stalled"]


def test_a_filter_in_the_url_narrows_the_list(seeded: list[str]) -> None:
    at = run(team="storage")
    assert at.dataframe[0].value["title"].tolist() == ["Database failover stalled"]


def test_search_ranks_full_text_matches_and_highlights_them(seeded: list[str]) -> None:
    at = run()
    at.text_input(key="q").input("AUTHORISATION").run()  # only in the root cause of COE-2025-0001, not a title
    assert not at.exception, [e.message for e in at.exception]
    assert "1 match** of 5 incidents" in texts(at)
    assert table_keys(at) == ["COE-2025-0001"]
    [shown] = [m.value for m in at.markdown if "COE-2025-0001" in m.value]
    assert "**authorisation**" in shown.lower()
    cell = at.dataframe[0].value["match"][0].lower()
    assert "authorisation" in cell and "**" not in cell  # a table cell shows plain text, not Markdown marks


def test_search_orders_by_relevance_not_date(seeded: list[str]) -> None:
    at = run()
    at.text_input(key="q").input("agent").run()
    keys = table_keys(at)
    titles = at.dataframe[0].value["title"].tolist()
    assert set(keys) >= {"COE-2025-0001"} and "Agent proposed dropping a table" in titles
    assert titles[0] == "Agent proposed dropping a table"  # the word in its title outweighs older body text


def test_search_still_applies_the_filters(seeded: list[str]) -> None:
    at = run(kind="near_miss")
    at.text_input(key="q").input("agent").run()
    assert at.dataframe[0].value["title"].tolist() == ["Agent proposed dropping a table"]
    at = run()
    at.text_input(key="q").input("agent severity:sev2").run()
    assert table_keys(at) == ["COE-2025-0001"]


@pytest.mark.parametrize(("query", "sentence"), [
    ("and of", "The search 'and of' has only common words (and, of), which are not searched"),
    ('"*', """The search '"*' has no words to look for."""),
    ("severity:", "The filter severity: needs a value, e.g. severity:sev1."),
])
def test_a_query_with_nothing_to_look_for_is_one_sentence(seeded: list[str], query: str, sentence: str) -> None:
    at = run()
    at.text_input(key="q").input(query).run()
    assert not at.exception, [e.message for e in at.exception]
    [warning] = at.warning
    assert warning.value.startswith(sentence)
    assert not at.dataframe


def test_a_search_matching_nothing_says_so(seeded: list[str]) -> None:
    at = run()
    at.text_input(key="q").input("zebra").run()
    assert not at.exception
    assert "0 matches** of 5 incidents" in texts(at)
    assert not at.dataframe


def test_an_empty_database_tells_a_new_user_what_to_do(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    at = run()
    assert "No incidents yet — run `coe demo` to load a demo history, or `coe import FILE.json`" in texts(at)
    assert not at.dataframe


def test_a_new_incident_shows_without_waiting_for_the_cache(seeded: list[str], sqlite_url: str) -> None:
    at = run()
    assert "5 incidents" in texts(at)
    [key] = seed(sqlite_url, [synthetic(9, title="Fresh one")])
    at.run()
    assert "6 incidents" in texts(at)
    assert key in table_keys(at)


def test_the_coe_page_shows_one_incident(seeded: list[str]) -> None:
    at = run_coe("COE-2025-0001")
    assert at.title[0].value == "COE-2025-0001 · Cost Explorer unavailable in one mainland China region"
    page = texts(at)
    assert "contested" in page
    assert "Four sources said" not in page  # claims are in a table, not prose
    claims = next(d.value for d in at.dataframe if "attributes_to" in d.value)
    assert claims["source"].tolist() == ["Financial Times", "Amazon", "Aragon Research"]
    assert [b.label for b in at.get("download_button")] == ["Download coe/v1 JSON", "Download PDF report"]


def test_selecting_a_row_opens_its_coe(seeded: list[str]) -> None:
    at = run()
    second = table_keys(at)[1]
    at.session_state["incidents.table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.query_params["key"] == second
    assert at.title[0].value.startswith(f"{second} · ")


def test_the_download_is_a_coe_v1_file_of_that_incident(
    seeded: list[str], domain_example: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(APP).parent))
    import data

    run_coe("COE-2025-0001")
    doc = data.incident("COE-2025-0001")
    exported = json.loads(data.coe_v1_json(doc))
    assert exported["format"] == "coe/v1"
    [incident] = exported["incidents"]
    assert {k: v for k, v in incident.items() if k not in ("created_at", "updated_at", "version")} == (
        domain_example["incidents"][0]
    )


@pytest.mark.parametrize("key", ["COE-2099-9999", None])
def test_the_coe_page_without_a_known_key_points_back(seeded: list[str], key: str | None) -> None:
    at = run_coe(key)
    message = at.warning[0].value
    assert ("COE-2099-9999" in message) if key else ("Incidents" in message)
    assert len(at.get("page_link")) == 1
    assert not at.dataframe
