"""Fixtures: a fresh SQLite file per test, and a fresh PostgreSQL schema per test when configured."""

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coe import users
from coe.db import engine_for, writing
from coe.enums import Role
from coe.migrate import upgrade

POSTGRES_URL = os.environ.get("COE_TEST_POSTGRES_URL")
DOMAIN_MD = Path(__file__).resolve().parents[2] / "shared" / "design" / "DOMAIN.md"
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_sessionstart(session: pytest.Session) -> None:
    """With COE_TEST_POSTGRES_URL set, an unreachable PostgreSQL fails the run instead of skipping."""
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 — any failure to connect is fatal here
            pytest.exit(f"COE_TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}", returncode=1)
        finally:
            engine.dispose()


# The people of the test databases: one of each role that matters.
USERS = {"tester": Role.admin, "alice": Role.author, "carol": Role.author, "bob": Role.reviewer,
         "rita": Role.reviewer, "vic": Role.viewer}


def prepare(url: str) -> str:
    """Migrate a database and add the test users."""
    engine = engine_for(url)
    upgrade(engine)
    with writing(engine) as session:
        users.ensure_first_admin(session, name="tester")
        for name, role in USERS.items():
            if name != "tester":
                users.add_user(session, name=name, role=role, actor="tester")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """An empty, migrated SQLite database file."""
    url = prepare(f"sqlite:///{tmp_path / 'coe.db'}")
    yield url
    engine_for(url).dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty, migrated PostgreSQL schema of its own, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("COE_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = prepare(f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}")
    yield url
    engine_for(url).dispose()
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on SQLite, and on PostgreSQL when COE_TEST_POSTGRES_URL is set."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(database_url: str):
    """The engine of the test's database."""
    return engine_for(database_url)


def domain_md_example() -> dict | None:
    """The full coe/v1 example as DOMAIN.md states it, when the design folder is beside the clone."""
    if not DOMAIN_MD.exists():
        return None
    blocks = re.findall(r"```json\n(.*?)```", DOMAIN_MD.read_text(encoding="utf-8"), re.S)
    return json.loads(next(b for b in blocks if '"COE-2025-0001"' in b))


@pytest.fixture(scope="session")
def domain_example() -> dict:
    """The full coe/v1 example of DOMAIN.md (a copy kept in tests/fixtures)."""
    return json.loads((FIXTURES / "domain_example.json").read_text(encoding="utf-8"))


@pytest.fixture
def example_file(tmp_path: Path, domain_example: dict) -> Path:
    """The DOMAIN.md example written to a file."""
    path = tmp_path / "example.json"
    path.write_text(json.dumps(domain_example, indent=2), encoding="utf-8")
    return path
