"""The Reports page: window inputs and the trend report download; a backwards window is one clear error."""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT


def open_reports(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("COE_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("views/reports.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_reports_page_offers_the_trend_report(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_reports(sqlite_url, monkeypatch)
    assert at.title[0].value == "Reports"
    assert [b.proto.label for b in at.get("download_button")] == ["Download trend report (PDF)"]
    at.date_input(key="reports.since").set_value(date(2026, 1, 1))
    at.date_input(key="reports.until").set_value(date(2026, 6, 30)).run()
    assert not at.exception and not at.error
    assert at.get("download_button")[0].proto.deferred_file_id  # rendered only when clicked


def test_a_window_ending_before_it_starts_is_refused(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_reports(sqlite_url, monkeypatch)
    at.date_input(key="reports.since").set_value(date(2026, 6, 1))
    at.date_input(key="reports.until").set_value(date(2026, 1, 1)).run()
    assert "before it starts" in at.error[0].value
    assert not at.get("download_button")
