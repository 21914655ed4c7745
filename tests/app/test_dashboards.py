"""The dashboard pages, run headless with AppTest against ~300 demo incidents (seeded once for the module)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from coe import audit, charts, demo, metrics
from coe.db import engine_for, reading, writing
from tests.app.conftest import APP, TIMEOUT
from tests.conftest import prepare

PAGES = ["views/overview.py", "views/governance.py", "views/reliability.py", "views/attribution.py",
         "views/followthrough.py"]
WINDOW_DAYS = 365  # the dashboards' default window: the last year, ending today (UTC)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = prepare(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'coe.db'}")
    with writing(engine_for(url)) as session:
        demo.fill(session, incidents=300, seed=7, actor="tester")
    return url


@pytest.fixture
def on_demo(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("COE_DATABASE_URL", demo_url)
    yield demo_url


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()  # the default page first, as a user arrives (switch_page before a run misses a custom url_path)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def expected_tiles(url: str, **filters: tuple[str, ...]) -> tuple[list[tuple[str, str, str | None]], dict]:
    """What the Overview tiles must show, from coe.metrics directly (the same numbers as `coe metrics`)."""
    today = audit.now().date()
    since = today.fromordinal(today.toordinal() - WINDOW_DAYS + 1)
    before = metrics.previous_window(since, today)
    with reading(engine_for(url)) as session:
        current = metrics.window(session, since=since, until=today, as_of=today, **filters)
        previous = metrics.window(session, since=before[0], until=before[1], as_of=today, **filters)
    return [(t.label, t.value, t.delta) for t in charts.overview_tiles(current, previous)], current


def tiles(at: AppTest) -> list[tuple[str, str, str | None]]:
    return [(m.label, m.value, m.delta or None) for m in at.metric]


def test_the_overview_tiles_show_the_metrics_numbers(on_demo: str) -> None:
    at = open_page("views/overview.py")
    assert at.title[0].value == "Overview"
    expected, current = expected_tiles(on_demo)
    assert tiles(at) == expected
    assert current["incidents"] > 50  # the demo's last year is not empty, so the check means something
    assert at.get("plotly_chart")
    assert any(b.proto.label.startswith("Download monthly data") for b in at.get("download_button"))


def test_a_sidebar_filter_changes_the_numbers(on_demo: str) -> None:
    at = open_page("views/overview.py")
    before = tiles(at)
    at.sidebar.multiselect(key="dash.severity").set_value(["sev1", "sev2"]).run()
    assert not at.exception, [e.message for e in at.exception]
    expected, _ = expected_tiles(on_demo, severities=("sev1", "sev2"))
    assert tiles(at) == expected
    assert tiles(at)[0] != before[0]


def test_a_filter_holds_on_the_next_dashboard(on_demo: str) -> None:
    at = open_page("views/overview.py")
    at.sidebar.multiselect(key="dash.severity").set_value(["sev1"]).run()
    at.switch_page("views/followthrough.py")
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="dash.severity").value == ["sev1"]


@pytest.mark.parametrize("page", PAGES[1:])
def test_every_dashboard_draws_its_charts(on_demo: str, page: str) -> None:
    at = open_page(page)
    assert at.get("plotly_chart"), page
    assert at.get("download_button"), page
    assert at.caption, page  # every chart says what it counts


def test_the_attribution_page_links_contested_incidents_to_their_coe(on_demo: str) -> None:
    at = open_page("views/attribution.py")
    links = at.dataframe[0].value["key"].tolist()
    assert links and all(link.startswith("coe?key=COE-") for link in links)


def test_an_empty_database_says_how_to_start(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COE_DATABASE_URL", sqlite_url)
    for page in PAGES:
        at = open_page(page)
        assert "coe demo" in at.info[0].value, page
        assert not at.get("plotly_chart") and not at.metric


def clicked(page: str, chart: str, *customdata: object) -> AppTest:
    """A dashboard page as it shows after its chart's points with this customdata were clicked."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.session_state[chart] = {"selection": {"points": [{"customdata": c} for c in customdata]}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_clicking_a_control_gap_lists_the_incidents_behind_it(on_demo: str) -> None:
    at = clicked("views/governance.py", "governance.gaps", "dark_code")
    _, current = expected_tiles(on_demo)
    count = current["control_gaps"]["dark_code"]["count"]
    assert count and any(m.value.endswith(f"with unreviewed AI-generated change (dark code)** — {count}")
                         for m in at.markdown)
    assert len(at.dataframe[0].value) == count


def test_clicking_a_severity_in_a_month_lists_those_incidents(on_demo: str) -> None:
    month = (audit.now() - timedelta(days=60)).strftime("%Y-%m")  # inside the default window and the demo
    at = clicked("views/reliability.py", "reliability.severity", [month, "sev3"], [month, "sev4"])
    listed = at.dataframe[0].value
    assert len(listed) and set(listed["severity"]) <= {"sev3", "sev4"}
    assert any(m.value.startswith(f"**Incidents of sev3 in {month}, sev4 in {month}") for m in at.markdown)
