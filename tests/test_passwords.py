"""Local passwords: set and check through coe.users, on SQLite and PostgreSQL."""

import json

import pytest
from sqlalchemy import select

from coe import models, users
from coe.db import engine_for, reading, writing
from coe.errors import Conflict, PermissionDenied

GOOD = "correct horse battery"


def set_password(url: str, name: str, password: str, actor: str) -> None:
    with writing(engine_for(url)) as session:
        users.set_password(session, name=name, password=password, actor=actor)


def check(url: str, name: str, password: str) -> bool:
    with writing(engine_for(url)) as session:
        return users.check_password(session, name=name, password=password)


def test_a_set_password_checks_and_a_wrong_one_does_not(database_url: str) -> None:
    set_password(database_url, "alice", GOOD, "tester")
    assert check(database_url, "alice", GOOD)
    assert not check(database_url, "alice", GOOD + "!")
    assert not check(database_url, "nobody", GOOD)


def test_a_user_without_a_password_cannot_sign_in(database_url: str) -> None:
    assert not check(database_url, "bob", "")
    assert not check(database_url, "bob", GOOD)


def test_a_disabled_user_fails_even_with_the_right_password(database_url: str) -> None:
    set_password(database_url, "alice", GOOD, "tester")
    with writing(engine_for(database_url)) as session:
        users.set_active(session, name="alice", active=False, actor="tester")
    assert not check(database_url, "alice", GOOD)


def test_a_short_password_is_refused(database_url: str) -> None:
    with pytest.raises(Conflict, match="at least 12 characters"):
        set_password(database_url, "alice", "short", "tester")


def test_only_an_admin_or_the_user_themself_may_set_it(database_url: str) -> None:
    set_password(database_url, "alice", GOOD, "alice")
    assert check(database_url, "alice", GOOD)
    with pytest.raises(PermissionDenied, match="manage users"):
        set_password(database_url, "carol", GOOD, "alice")
    with pytest.raises(PermissionDenied):
        set_password(database_url, "ghost", GOOD, "ghost")
    assert not check(database_url, "carol", GOOD)


def test_the_audit_event_names_the_user_but_holds_no_hash(database_url: str) -> None:
    set_password(database_url, "alice", GOOD, "tester")
    table = models.AuditEvent.__table__
    with reading(engine_for(database_url)) as session:
        stored = session.execute(select(models.User.__table__.c.password_hash)
                                 .where(models.User.__table__.c.name == "alice")).scalar_one()
        row = session.execute(select(table).where(table.c.action == "set_password")).mappings().one()
    assert row["actor"] == "tester"
    text = json.dumps(row["changes"], default=str)
    assert "alice" in text
    assert stored.startswith("$argon2") and stored not in text and "argon2" not in text and GOOD not in text


def test_an_unknown_name_is_checked_against_a_hash_as_costly_as_a_real_one():
    assert not users.HASHER.check_needs_rehash(users._DUMMY_HASH)  # the parameters new passwords get
