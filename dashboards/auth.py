"""Who is acting in the app, by COE_AUTH mode (single, header, local); pages learn it only through here."""

from collections.abc import Callable, Mapping

import streamlit as st

import state
from coe.config import Settings

WRONG = "Wrong name or password."


def user_from_headers(settings: Settings, headers: Mapping[str, str]) -> str | None:
    """The user named by the proxy's header (any case), or None when it is missing or blank."""
    wanted = settings.auth_header.lower()
    value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value.strip() or None if value else None


def current_user() -> str | None:
    """The acting user in this mode, or None when nobody is signed in (header or local mode)."""
    settings = Settings.from_env()
    if settings.auth == "header":
        return user_from_headers(settings, st.context.headers)
    if settings.auth == "local":
        return st.session_state.get(state.AUTH_USER)
    return settings.user


def gate(password_matches: Callable[[str, str], bool]) -> str:
    """The acting user; otherwise the page says why (or shows the login form) and stops."""
    settings = Settings.from_env()
    user = current_user()
    if settings.auth == "header" and user is None:
        st.error(f"No {settings.auth_header} header came with this request: open the app through the "
                 "signing-in proxy.")
        st.stop()
    if settings.auth == "local" and user is None:
        _login(password_matches)
        st.stop()
    if settings.auth == "local":
        st.sidebar.caption(f"Signed in as **{user}**")
        st.sidebar.button("Log out", key=state.LOGOUT, on_click=_logout)
    return user  # type: ignore[return-value]


def _login(password_matches: Callable[[str, str], bool]) -> None:
    """The login form; a good name and password sign the session in."""
    with st.form("login"):
        st.subheader("Sign in")
        name = st.text_input("Name", key=state.LOGIN_NAME)
        password = st.text_input("Password", type="password", key=state.LOGIN_PASSWORD)
        submitted = st.form_submit_button("Sign in")
    if submitted:
        if name.strip() and password_matches(name.strip(), password):
            st.session_state[state.AUTH_USER] = name.strip()
            st.rerun()
        st.error(WRONG)


def _logout() -> None:
    st.session_state.pop(state.AUTH_USER, None)
