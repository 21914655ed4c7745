"""Issue 8's check on real post-mortems: what a person searches for comes first, and a new COE finds its past."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coe import importers, services
from coe.db import engine_for, reading, writing
from coe.search.fulltext import search
from coe.search.similar import similar
from coe.validation import parse_incident
from tests.conftest import POSTGRES_URL, prepare

DATASETS = os.environ.get("COE_DATASETS")
pytestmark = pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set")
FOLDERS = ("dfds-postmortems", "posthog-post-mortems", "2i2c-incident-reports/reports", "sre-book-example-postmortem")
NOT_POSTMORTEMS = ("README.md", "LICENSE", "template.md", "PMyyyy-nnn - Postmortem template.md")

SRE_BOOK = "Shakespeare Sonnet++ Postmortem (incident #465)"
FLAGS_DOWN = "PostHog Feature Flags Service Outage - September 29, 2025"
FLAGS_AGAIN = "PostHog Feature Flags Service - Multiple Outages (October 2025)"
SHAI_HULUD = "Post-mortem of Shai-Hulud attack on November 24th, 2025"
KAFKA_ACLS = "Kafka metrics stopped being exported to Prometheus"
KIAM_CERTIFICATE = "KIAM Service disruption"


def postmortems() -> list:
    """Every post-mortem of the four collections, read by the Markdown importer; the ones it refuses are left out."""
    paths = sorted(p for folder in FOLDERS for p in Path(DATASETS, folder).rglob("*")
                   if p.is_file() and p.name not in NOT_POSTMORTEMS)
    return [doc for path in paths for doc in importers.read(path, "markdown").incidents]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def library(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A fresh database holding the imported post-mortems, on SQLite and on PostgreSQL."""
    admin, schema = None, f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('acceptance') / 'coe.db'}"
    elif not POSTGRES_URL:
        pytest.skip("COE_TEST_POSTGRES_URL is not set")
    else:
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    engine = engine_for(prepare(url))
    with writing(engine) as session:
        services.import_incidents(session, incidents=postmortems(), actor="tester")
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def titles(engine, query: str, limit: int = 10) -> list[str]:
    with reading(engine) as session:
        return [hit.title for hit in search(session, query=query, limit=limit)]


def test_the_collections_are_imported(library) -> None:
    found = titles(library, "kubernetes", limit=100)
    assert len(found) >= 20 and "CoreDNS upgrade issue" in found
    with reading(library) as session:
        assert services.count_incidents(session) >= 50


@pytest.mark.parametrize("query", ["cascading failure", '"cascading failure"'])
def test_cascading_failure_finds_the_sre_book_incident_first(library, query: str) -> None:
    # The SRE book's outage *is* a cascading failure (its root cause); the two PostHog flag outages name one.
    assert titles(library, query) == [SRE_BOOK, FLAGS_DOWN, FLAGS_AGAIN]


def test_dns_finds_the_coredns_upgrade(library) -> None:
    assert titles(library, "DNS")[0] == "CoreDNS upgrade issue"


def test_permissions_finds_the_incidents_about_permissions(library) -> None:
    # A bot with broad write permissions (Shai-Hulud), a rollback blocked by misconfigured permissions, and an
    # API key missing its ACL permissions: the only three post-mortems that speak of permissions.
    assert set(titles(library, "permissions")) == {SHAI_HULUD, FLAGS_DOWN, KAFKA_ACLS}


@pytest.mark.parametrize(("query", "first"), [
    ("memory", "2020-08-28 - Memory overload on WER cluster"),  # the one whose title names it, not a passing mention
    ("log4j", "Log4Shell investigations"),
])
def test_other_things_a_person_looks_for_come_first(library, query: str, first: str) -> None:
    assert titles(library, query)[0] == first


def test_more_searches_find_the_incidents_that_are_about_them(library) -> None:
    assert set(titles(library, "kafka")[:2]) == {KAFKA_ACLS, "Kafka metrics missing from Prometheus"}
    assert titles(library, "503")[:3] == ["All services returning 503 in Kubernetes"] * 3
    # Both are certificate-expiry outages; KIAM's lessons (now imported as lessons) speak of certificates too.
    assert set(titles(library, "certificate expired")[:2]) == {"ADFS Outage", KIAM_CERTIFICATE}
    # Protestware in a dependency says "supply chain attacks" in its lessons; Shai-Hulud (a worm in published
    # packages) only in a link's address, which SQLite splits into words and PostgreSQL keeps as one URL token.
    supply_chain = titles(library, "supply chain attack")
    assert "Node IPC Incident Response" in supply_chain[:2] and set(supply_chain) <= {SHAI_HULUD, "Node IPC Incident Response"}
    assert titles(library, "503 service:checkout") == []  # imported post-mortems name no service


def create(engine, **fields) -> str:
    """A new draft COE through the services, as an author would write it."""
    data = {"title": "", "severity": "sev2", "status": "draft", "summary": "", "trigger": "", "root_cause": "",
            "resolution": "", "ai": {"involvement": "none"}} | fields
    with writing(engine) as session:
        return services.create_incident(session, incident=parse_incident(data), actor="alice").key


def test_a_new_coe_like_the_sre_book_outage_finds_it_first(library) -> None:
    key = create(
        library,
        title="Literary search went dark when a newly found poem went viral",
        started_at="2026-03-02T09:00:00+00:00", root_cause_category="code_defect",
        summary="For about an hour nobody could search the works of Shakespeare: a freshly discovered sonnet "
                "made traffic jump far above anything we had seen.",
        trigger="A surge of queries hit a bug that had been sitting unnoticed.",
        root_cause="Lookups for a word absent from the corpus leaked file handles in the ranking backends; under "
                   "the surge each backend ran out of descriptors and crashed, pushing its load onto the next.",
        resolution="Moved users to a spare cluster, multiplied capacity, and shipped an index with the new word.",
    )
    with reading(library) as session:
        first, second, *_ = similar(session, key=key, limit=5)
    assert first.title == SRE_BOOK
    assert first.score > second.score + 0.05
    shared = next(r for r in first.reasons if r.startswith("words in common: "))
    assert {"shakespeare", "surge"} <= set(shared.removeprefix("words in common: ").split(", "))
    assert first.unfinished_fix  # its action items were imported as open: a repeat with an unfinished fix


def test_a_new_coe_like_the_kiam_certificate_expiry_finds_it_first(library) -> None:
    key = create(
        library,
        title="Pods lost their AWS access after the KIAM certificate lapsed",
        started_at="2021-09-14T13:00:00+00:00", root_cause_category="config_change",
        summary="Workloads in the cluster could not reach AWS for about two hours: the TLS certificate of the "
                "KIAM server, which hands IAM roles to pods, ran out and the server kept crashing.",
        root_cause="No one tracked when the KIAM server certificate would expire, nothing alerted on it, and the "
                   "first warnings drowned in a noisy alert channel.",
        resolution="Generated fresh certificates and restarted KIAM.",
    )
    with reading(library) as session:
        first, second, *_ = similar(session, key=key, limit=5)
    assert first.title == KIAM_CERTIFICATE and first.score > second.score + 0.05
    assert "words in common: kiam, certificate" in "; ".join(first.reasons)
