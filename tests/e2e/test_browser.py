"""One real-browser walk: `coe app` served on a free port, driven in Debian's Chromium with Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

from coe import services
from coe.db import engine_for, reading
from coe.enums import Status

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
BROWSER_ZONE = "Europe/Berlin"  # not UTC, so the test sees the form convert local time to UTC
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def _coe(url: str, user: str, *args: str) -> list[str]:
    """The argv of the `coe` command run by this interpreter, acting as `user`."""
    return [sys.executable, "-c", "from coe.cli import main; main()", "--database", url, "--as", user, *args]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _app(url: str, user: str, log: Path) -> Iterator[str]:
    """`coe app` on a free port acting as `user`; yields its base URL and stops it afterwards."""
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(_coe(url, user, "app", "--port", str(port)), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"coe app did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A fresh database (tester its admin, bob a reviewer) and `coe app` acting as tester."""
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'coe.db'}"
    subprocess.run(_coe(url, "tester", "init"), check=True, capture_output=True)
    subprocess.run(_coe(url, "tester", "user", "add", "bob", "--role", "reviewer"), check=True, capture_output=True)
    with _app(url, "tester", folder / "tester.log") as base:
        yield url, base


@pytest.fixture()
def page(served: tuple[str, str]) -> Iterator["sync_api.Page"]:
    """A Chromium page whose clock reads Berlin time."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id=BROWSER_ZONE)
        context.set_default_timeout(TIMEOUT_MS)
        yield context.new_page()
        browser.close()


def _shot(page: "sync_api.Page", name: str) -> None:
    """Keep a full-page screenshot as a test artefact."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let the last rerun paint
    # Streamlit scrolls inside its main block, so a tall window is what shows the whole page.
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, height)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


def _pick(page: "sync_api.Page", label: str, option: str) -> None:
    """Choose an option of a Streamlit selectbox."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def _type_into(page: "sync_api.Page", first_segment: str, digits: str) -> None:
    """Type into a segmented date or time field, starting at its first segment (year or hour)."""
    page.get_by_role("spinbutton", name=first_segment, exact=True).click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")


def test_write_submit_and_find_a_coe_in_the_list(served: tuple[str, str], page: "sync_api.Page") -> None:
    url, base = served
    page.goto(f"{base}/write")
    title = page.get_by_label("Title", exact=True)
    title.wait_for()
    _pick(page, "Severity", "sev2")
    page.get_by_label("Team", exact=True).fill("payments")
    page.get_by_label("Services (comma-separated)").fill("ledger, card-auth")
    _type_into(page, "year, Started", "20260310")
    _type_into(page, "hour, started time", "1405")
    page.get_by_role("textbox", name="Summary", exact=True).fill("Ledger writes failed after an agent applied a migration.")
    page.get_by_role("button", name="Save draft").click()

    # The title was left empty: refused in plain words, and what was typed is still there.
    page.get_by_text("Not saved: fix the problems shown in Basics").wait_for()
    _shot(page, "01-editor-refused")
    assert page.get_by_role("textbox", name="Summary", exact=True).input_value().startswith("Ledger writes failed")
    assert page.get_by_label("Team", exact=True).input_value() == "payments"

    title.fill("Ledger writes fail after an agent-run migration")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("heading", name="Edit COE-2026-0001").wait_for()
    _shot(page, "02-editor-saved")
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("in_review · version").wait_for()

    page.goto(base)
    table = page.locator("[data-testid=stDataFrame] table")
    # The grid paints on a canvas; its accessible table (attached, not visible) holds the cell text.
    table.get_by_text("Ledger writes fail after an agent-run migration").wait_for(state="attached")
    row = table.locator("tr", has_text="COE-2026-0001").locator("td").all_text_contents()
    assert "in_review" in row and "sev2" in row
    _shot(page, "03-incidents")

    page.goto(f"{base}/coe?key=COE-2026-0001")
    page.get_by_text("Ledger writes failed after an agent applied a migration.").wait_for()
    _shot(page, "04-coe-view")
    for path, heading, name in (("review", "Review queue", "05-review-queue"),
                                ("actions", "Action items", "06-action-items")):
        page.goto(f"{base}/{path}")
        page.get_by_role("heading", name=heading).wait_for()
        _shot(page, name)

    with reading(engine_for(url)) as session:
        doc = services.get_incident(session, key="COE-2026-0001")
    assert doc.status == Status.in_review
    assert doc.authors == ["tester"]
    assert doc.services == ["ledger", "card-auth"]
    # 14:05 on the Berlin clock in March (CET, UTC+1) is stored as 13:05 UTC.
    assert doc.started_at == datetime(2026, 3, 10, 13, 5, tzinfo=timezone.utc)


def test_a_second_user_approves_and_publishes(served: tuple[str, str], page: "sync_api.Page",
                                              tmp_path: Path) -> None:
    url, _ = served
    with reading(engine_for(url)) as session:
        if services.get_incident(session, key="COE-2026-0001").status != Status.in_review:
            pytest.skip("needs the COE submitted by the test before")
    with _app(url, "bob", tmp_path / "bob.log") as base:
        page.goto(f"{base}/review")
        page.get_by_text("COE-2026-0001 · Ledger writes fail").wait_for()
        for item in ("The timeline is complete", "The impact is quantified", "The root cause is deep enough",
                     "Every action item has an owner and a date", "The AI-involvement fields are complete"):
            page.get_by_text(item, exact=True).click()
        page.get_by_role("button", name="Approve").click()
        page.get_by_role("button", name="Publish").wait_for()
        _shot(page, "07-review-approved")
        page.get_by_role("button", name="Publish").click()
        page.get_by_text("No approved COE is waiting to be published.").wait_for()
    with reading(engine_for(url)) as session:
        doc = services.get_incident(session, key="COE-2026-0001")
    assert doc.status == Status.published
    assert [(r.reviewer, r.decision) for r in doc.reviews] == [("bob", "approve")]
    assert all(doc.reviews[0].checklist.model_dump().values())
