"""Full-text search: ranking, phrases, prefixes, filters, hostile input, sync on every write, rebuild."""

import pytest
from sqlalchemy import text

from coe import services
from coe.db import reading, writing
from coe.errors import ValidationFailed
from coe.migrate import upgrade
from coe.search.fulltext import search
from tests.search_corpus import CORPUS, corpus_doc, seed


@pytest.fixture
def corpus(engine, domain_example):
    seed(engine, domain_example)
    return engine


def _keys(engine, query: str) -> list[str]:
    with reading(engine) as session:
        return [h.key for h in search(session, query=query, limit=10)]


def test_the_obvious_incident_comes_first(corpus) -> None:
    assert _keys(corpus, "dns")[0] == "COE-2024-0001"
    assert _keys(corpus, "cascading failure")[0] == "COE-2024-0002"
    assert _keys(corpus, "permissions")[0] == "COE-2024-0003"
    assert _keys(corpus, "certificate renewal") == ["COE-2024-0004"]


def test_snippet_highlights_the_match(corpus) -> None:
    with reading(corpus) as session:
        [hit] = search(session, query="renewal", limit=5)
    assert "**renewal**" in hit.snippet.lower()


def test_phrases_and_prefixes(corpus) -> None:
    assert _keys(corpus, '"cascading failure"') == ["COE-2024-0002"]
    assert _keys(corpus, '"failure cascading"') == []
    assert _keys(corpus, "certif*") == ["COE-2024-0004"]


def test_filters_narrow_the_results(corpus) -> None:
    assert set(_keys(corpus, "require")) >= {"COE-2024-0001", "COE-2024-0004"}
    assert _keys(corpus, "require service:payments") == ["COE-2024-0004"]
    assert _keys(corpus, "require team:EDGE") == ["COE-2024-0001"]
    assert _keys(corpus, "deleted severity:sev1") == []
    assert _keys(corpus, "ai:confirmed") == ["COE-2024-0003"]
    assert _keys(corpus, "ai:kiro environment") == ["COE-2024-0003"]


@pytest.mark.parametrize("query", [
    '"unbalanced dns', "dns NEAR checkout", "dns AND NOT checkout OR", "title: dns", "dns*  *",
    "'; DROP TABLE incident; --", "NEAR(dns checkout, 2)", "dns^ {title cause}: -checkout", "dns:*",
])
def test_hostile_queries_are_literal_searches(corpus, query) -> None:
    _keys(corpus, query)  # no database error
    with reading(corpus) as session:
        assert session.execute(text("SELECT count(*) FROM incident")).scalar_one() == len(CORPUS)


@pytest.mark.parametrize("query", ["*", "   ", '""', "--", "service:"])
def test_a_query_with_nothing_to_look_for_is_one_sentence(corpus, query) -> None:
    with reading(corpus) as session, pytest.raises(ValidationFailed) as caught:
        search(session, query=query, limit=5)
    assert len(caught.value.problems) == 1 and caught.value.field == "query"


def test_index_follows_create_and_update(engine, domain_example) -> None:
    doc = corpus_doc(domain_example, CORPUS[0], key=None, status="draft", reviews=[])
    with writing(engine) as session:
        saved = services.create_incident(session, incident=doc, actor="alice")
    assert _keys(engine, "resolver") == [saved.key]
    changed = saved.model_copy(update={"root_cause": "A zebra crossed the datacenter.", "title": "Zebra outage",
                                       "summary": "Zebra."})
    with writing(engine) as session:
        services.update_incident(session, key=saved.key, incident=changed, version=saved.version, actor="alice")
    assert _keys(engine, "resolver") == []
    assert _keys(engine, "zebra") == [saved.key]


def test_init_rebuilds_an_emptied_index(corpus) -> None:
    table = "incident_fts" if corpus.dialect.name == "sqlite" else "incident_search"
    with corpus.begin() as connection:
        connection.execute(text(f"DELETE FROM {table}"))
    assert _keys(corpus, "dns") == []
    upgrade(corpus)
    assert _keys(corpus, "dns")[0] == "COE-2024-0001"
