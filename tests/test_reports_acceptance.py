"""Acceptance: real post-mortems (found through COE_DATASETS) imported, rendered as COE reports and read back.

The expected values are read from the source files at test time; the few written here were checked by hand
against them. Every timeline event and action item must sit whole on one page.
"""

import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from coe.cli import app
from coe.db import engine_for, reading
from coe.reports import html, pdf
from coe.reports.coe_report import report_html
from tests.conftest import prepare
from tests.test_reports import layout_problems

DATASETS = os.environ.get("COE_DATASETS")
pytestmark = pytest.mark.skipif(not DATASETS, reason="COE_DATASETS is not set: the real post-mortems are not here")
runner = CliRunner()
SOURCES = {  # the key each file gets in an empty database
    "COE-2015-0001": "sre-book-example-postmortem/example-postmortem.md",
    "COE-2021-0001": "dfds-postmortems/PM2021-004 - ADFS outage.md",
}


def squeeze(text: str) -> str:
    """Text with all whitespace removed, so a wrapped cell reads as one string."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Both files imported into a fresh database; each report's page texts, whole text and source."""
    folder = tmp_path_factory.mktemp("acceptance")
    url = prepare(f"sqlite:///{folder / 'coe.db'}")
    sources = {key: Path(DATASETS or "") / name for key, name in SOURCES.items()}
    result = runner.invoke(app, ["--database", url, "--as", "tester", "import", "--format", "markdown",
                                 *map(str, sources.values())])
    assert result.exit_code == 0, result.output
    out = {}
    for key, source in sources.items():
        output = folder / f"{key}.pdf"
        result = runner.invoke(app, ["--database", url, "--as", "tester", "report", key, "--output", str(output)])
        assert result.exit_code == 0, result.output
        pages = [page.extract_text() for page in PdfReader(output).pages]
        with reading(engine_for(url)) as session:
            page = report_html(session, key)
        document = pdf.render(page, allowed=html.template_dirs(None), stylesheet=html.stylesheet(None))
        out[key] = {"pages": pages, "text": " ".join(" ".join(pages).split()), "document": document,
                    "source": source.read_text(encoding="utf-8")}
    return out


def on_one_page(pages: list[str], *parts: str) -> bool:
    """Whether some page holds every one of `parts` (whitespace ignored)."""
    return any(all(squeeze(part) in squeeze(page) for part in parts) for page in pages)


def test_sre_book_cover_durations_and_page_furniture(reports: dict) -> None:
    report = reports["COE-2015-0001"]
    text = report["text"]
    assert "COE-2015-0001 · Shakespeare Sonnet++ Postmortem (incident #465)" in text
    assert "DRAFT · NOT PUBLISHED" in text  # imported as a draft
    # OUTAGE BEGINS 14:54, pager storm 14:55, OUTAGE MITIGATED 15:36, OUTAGE ENDS 16:00 (all times UTC):
    assert "Started 2015-10-21 14:54 UTC Detected 2015-10-21 14:55 UTC" in text
    assert "Mitigated 2015-10-21 15:36 UTC Resolved 2015-10-21 16:00 UTC" in text
    assert "TTD time to detect 1 min" in text and "TTM time to mitigate 42 min" in text
    assert "TTR time to resolve 1 h 06 min" in text  # the summary's "down for 66 minutes"
    assert "Authors jennifer, martym, agoogler" in text
    count = len(report["pages"])
    assert count >= 3 and all(f"page {n} of {count}" in page for n, page in enumerate(report["pages"], 1))
    assert all("COE-2015-0001 · Shakespeare Sonnet++" in page for page in report["pages"][1:])  # running header


def test_sre_book_timeline_has_every_event_whole_on_one_page(reports: dict) -> None:
    report = reports["COE-2015-0001"]
    events = re.findall(r"^-\s+(\d\d:\d\d) (.+)$", report["source"], re.MULTILINE)
    assert len(events) == 34
    for time, description in events:
        words = re.sub(r"[*`]", "", description).split()
        assert on_one_page(report["pages"], f"2015-10-21 {time}", " ".join(words[:4]), " ".join(words[-3:])), time
    assert "*" not in report["text"]  # the source's emphasis is rendered, not printed


def test_sre_book_action_items_keep_their_owner_on_the_same_page(reports: dict) -> None:
    report = reports["COE-2015-0001"]
    rows = re.findall(r"^\|\s*([^|-][^|]*?)\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|\s*$", report["source"], re.MULTILINE)
    items = [(title, owner) for title, _kind, owner in rows if title != "Action Item"]
    assert len(items) == 9 and ("Schedule cascading failure test during next DiRT", "docbrown") in items
    for title, owner in items:
        assert on_one_page(report["pages"], title, owner), title
    lessons = re.search(r"\*\*What went well\*\*\n\n(.*?)\n\n\*\*", report["source"], re.DOTALL)
    assert lessons is not None
    for line in lessons.group(1).splitlines():
        assert squeeze(line.lstrip("- ")) in squeeze(report["text"])


def test_dfds_timeline_table_and_stated_detection_time(reports: dict) -> None:
    report = reports["COE-2021-0001"]
    rows = re.findall(r"^\| (2021-03-31 \d\d:\d\d) \| (.+?) \|\s*$", report["source"], re.MULTILINE)
    assert len(rows) == 8
    for when, event in rows:
        assert on_one_page(report["pages"], when, event), when
    assert "TTD time to detect 5 min" in report["text"]  # the source's "Time to detection: 5 minutes"
    for item in re.search(r"## Action Items\n\n(.*?)\n\n", report["source"], re.DOTALL).group(1).splitlines():
        assert squeeze(item.lstrip("- ")) in squeeze(report["text"])


def test_no_row_is_split_and_nothing_leaves_the_page(reports: dict) -> None:
    for key, report in reports.items():
        assert layout_problems(report["document"]) == [], key
