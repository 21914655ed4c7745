"""Full-text search: ranking, phrases, prefixes, filters, hostile input, sync on every write, rebuild."""

import pytest
from alembic import command
from sqlalchemy import text

from coe import services
from coe.db import reading, writing
from coe.errors import ValidationFailed
from coe.migrate import alembic_config, upgrade
from coe.search import fulltext
from coe.search.fulltext import search
from coe.search.rebuild import ensure_index
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


def test_an_incident_named_in_its_title_outranks_a_text_that_repeats_the_word(corpus, domain_example) -> None:
    # FTS5's bm25 saturates: without the title tier, this short text full of "cache" came first on SQLite.
    repeats = ("0005", "2024-10-01", "Slow checkout pages", "Cache misses: the cache was cold, cache warming off, cache evictions high.",
               ["checkout"], "edge", "sev3", "none")
    with writing(corpus) as session:
        services.import_incidents(session, incidents=[corpus_doc(domain_example, repeats)], actor="tester")
    assert _keys(corpus, "cache")[:2] == ["COE-2024-0002", "COE-2024-0005"]


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


@pytest.mark.parametrize("query", ["the", "and of", '"of the"', "the*", "THE AND"])
def test_a_query_of_stop_words_only_says_so_on_both_databases(corpus, query) -> None:
    with reading(corpus) as session, pytest.raises(ValidationFailed) as caught:
        search(session, query=query, limit=5)
    [problem] = caught.value.problems
    assert "has only common words" in problem.message and "add a word" in problem.message


def test_stop_words_are_skipped_alike_on_both_databases(corpus) -> None:
    assert _keys(corpus, "the dns") == _keys(corpus, "dns") == ["COE-2024-0001"]
    # Only filters left: every incident they allow, newest first (SQLite's FTS5 alone would match "the").
    assert _keys(corpus, "of the severity:sev2") == ["COE-2024-0003", "COE-2024-0002"]
    assert _keys(corpus, '"the certificate"') == ["COE-2024-0004"]


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


def test_init_rebuilds_an_incident_saved_behind_the_services(corpus) -> None:
    # What an older `coe` or a restored table does: the incident changes (and its version), the index does not.
    with corpus.begin() as connection:
        connection.execute(text("UPDATE incident SET title = 'Zebra stampede', version = version + 1 "
                                "WHERE key = 'COE-2024-0004'"))
    assert _keys(corpus, "zebra") == []
    upgrade(corpus)
    assert _keys(corpus, "zebra") == ["COE-2024-0004"]


def test_init_leaves_an_index_in_step_alone(corpus, domain_example) -> None:
    with writing(corpus) as session:
        saved = services.create_incident(session, actor="alice", incident=corpus_doc(
            domain_example, CORPUS[0], key=None, status="draft", reviews=[]))
        services.update_incident(session, key=saved.key, version=saved.version, actor="alice",
                                 incident=saved.model_copy(update={"title": "Zebra outage"}))
    with corpus.begin() as connection:
        assert ensure_index(connection) is False


def test_init_fills_the_index_of_a_database_from_before_it_was_versioned(corpus) -> None:
    config = alembic_config(corpus.url.render_as_string(hide_password=False))
    with corpus.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")  # SQLite: an empty index; PostgreSQL: entries with no version
    upgrade(corpus)
    assert _keys(corpus, "dns")[0] == "COE-2024-0001"
    with corpus.begin() as connection:
        assert ensure_index(connection) is False


def test_a_snippet_shows_its_text_as_written_and_only_the_matches_in_bold():
    snippet = "set `connect_**timeout**` to [2000](http://x) <b>ms</b>"
    shown = fulltext.snippet_markdown(snippet)
    assert shown == r"set \`connect\_**timeout**\` to \[2000\]\(http://x\) \<b\>ms\</b\>"
    assert fulltext.snippet_text(snippet) == "set `connect_timeout` to [2000](http://x) <b>ms</b>"
