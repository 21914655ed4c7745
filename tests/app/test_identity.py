"""Who the app acts as, per COE_AUTH mode: header (a proxy signs in), local (login form), single."""

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coe import users
from coe.config import Settings
from coe.db import engine_for, writing
from coe.errors import CoeError
from tests.app.conftest import APP, TIMEOUT

sys.path.insert(0, str(Path(APP).parent))
import auth  # noqa: E402  (dashboards/auth.py, imported as the app imports it)

GOOD = "correct horse battery"


@pytest.fixture
def header_mode(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COE_AUTH", "header")
    monkeypatch.setenv("COE_AUTH_HEADER", "X-Forwarded-User")
    return sqlite_url


@pytest.fixture
def local_mode(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COE_AUTH", "local")
    with writing(engine_for(sqlite_url)) as session:
        users.set_password(session, name="alice", password=GOOD, actor="tester")
    return sqlite_url


# AppTest sends no request headers, so the header's resolution is tested on auth.user_from_headers directly.
def test_the_header_names_the_user_in_any_case(header_mode: str) -> None:
    settings = Settings.from_env()
    assert auth.user_from_headers(settings, {"x-forwarded-user": "alice"}) == "alice"
    assert auth.user_from_headers(settings, {"X-Forwarded-User": " bob "}) == "bob"
    assert auth.user_from_headers(settings, {"X-Forwarded-User": "  "}) is None
    assert auth.user_from_headers(settings, {"Remote-User": "alice"}) is None


def test_header_mode_without_the_header_refuses_and_never_uses_the_os_user(header_mode: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_USER", "tester")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("No X-Forwarded-User header" in e.value for e in at.error)
    assert not at.dataframe and not at.text_input


def test_an_unknown_mode_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_AUTH", "ldap")
    with pytest.raises(CoeError, match="not a sign-in mode; use one of single, header, local"):
        Settings.from_env()


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth.login.name").input(name)
    at.text_input(key="auth.login.password").input(password)
    return at.button[0].click().run()


def test_local_mode_shows_the_login_form(local_mode: str) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.text_input(key="auth.login.name") and at.text_input(key="auth.login.password")
    assert not at.dataframe


def test_a_wrong_password_or_name_says_so_without_saying_which(local_mode: str) -> None:
    at = login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "alice", "not her password")
    assert [e.value for e in at.error] == [auth.WRONG]
    at = login(at, "nobody", GOOD)
    assert [e.value for e in at.error] == [auth.WRONG]
    assert "auth.user" not in at.session_state


def test_a_good_password_signs_in_and_logout_returns_to_the_form(local_mode: str) -> None:
    at = login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), "alice", GOOD)
    assert not at.exception and not at.error
    assert at.session_state["auth.user"] == "alice"
    assert any("alice" in c.value for c in at.sidebar.caption)
    at.button(key="auth.logout").click().run()
    assert "auth.user" not in at.session_state
    assert at.text_input(key="auth.login.name")
