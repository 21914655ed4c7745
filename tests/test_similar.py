"""Similar earlier incidents: the right one first, its reasons, unfinished fixes, never a later incident."""

import json

from typer.testing import CliRunner

from coe import services
from coe.cli import app
from coe.db import reading, writing
from coe.search.similar import similar, similar_to_draft, within_budget
from tests.search_corpus import corpus_doc, seed

AGAIN = ("0009", "2025-02-01", "Agent deleted the staging environment",
         "The agentic tool again held broad permissions and deleted an environment.", ["billing"], "platform",
         "sev2", "confirmed")


def _seed_with_repeat(engine, domain_example) -> None:
    seed(engine, domain_example)
    with writing(engine) as session:
        services.import_incidents(session, incidents=[corpus_doc(domain_example, AGAIN)], actor="tester")


def test_a_draft_like_a_past_incident_finds_it_first(engine, domain_example) -> None:
    seed(engine, domain_example)
    draft = {"title": "Cascading failure when the cache restarted", "started_at": "2025-06-01T00:00:00+00:00",
             "summary": "Client retries amplified load on the database.", "services": ["orders"],
             "root_cause_category": "access_control"}
    with reading(engine) as session:
        [first, *_] = similar_to_draft(session, draft=draft, limit=3)
    assert first.key == "COE-2024-0002"
    assert "shared services: orders" in first.reasons
    assert first.text_similarity > 0.5
    shared = next(r for r in first.reasons if r.startswith("words in common: "))
    assert {"cascading", "failure", "amplified"} <= set(shared.removeprefix("words in common: ").split(", "))


def test_unfinished_fixes_are_flagged_and_only_earlier_incidents_count(engine, domain_example) -> None:
    _seed_with_repeat(engine, domain_example)
    with reading(engine) as session:
        matches = similar(session, key="COE-2025-0009", limit=5)
        assert similar(session, key="COE-2024-0001", limit=5) == []  # nothing happened before it
    assert matches[0].key == "COE-2024-0003"
    assert all(m.started_at.year == 2024 for m in matches)
    agent = matches[0]
    assert agent.unfinished_fix and "same AI tool: Kiro" in agent.reasons
    assert {a["status"] for a in agent.open_actions} == {"open", "in_progress"}


def test_cli_similar_and_search(database_url, domain_example) -> None:
    from coe.db import engine_for

    _seed_with_repeat(engine_for(database_url), domain_example)
    env = {"COE_DATABASE_URL": database_url, "COE_USER": "tester"}
    runner = CliRunner()
    result = runner.invoke(app, ["similar", "COE-2025-0009", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert any(m["unfinished_fix"] for m in json.loads(result.output))
    result = runner.invoke(app, ["search", "dns", "--limit", "1"], env=env)
    assert result.exit_code == 0 and result.output.startswith("COE-2024-0001")
    result = runner.invoke(app, ["search", "*"], env=env)
    assert result.exit_code == 1 and "no words to look for" in result.output
    result = runner.invoke(app, ["similar", "COE-2031-0001"], env=env)
    assert result.exit_code == 1 and "no incident with key COE-2031-0001" in result.output


def test_only_the_rarer_words_pick_the_candidates_on_a_large_history() -> None:
    # Sampled counts from the 100,000-incident demo: ranking every incident with "data" took 300 ms.
    sampled = {"backfill": 64, "orders": 68, "data": 149, "mapping": 64, "users": 118}
    assert within_budget(list(sampled), list(sampled.values())) == ["backfill", "mapping", "orders"]
    assert within_budget(["data", "users"], [900, 800]) == ["users"]  # the rarest is kept, however common
    assert within_budget(["cache", "restart"], [0, 0]) == ["cache", "restart"]  # a small history: every word
