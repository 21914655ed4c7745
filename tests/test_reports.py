"""The COE report as a reader gets it: real PDFs read back as text, with hostile and Unicode content."""

import copy
import http.server
import io
import json
import os
import re
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from coe import services
from coe.cli import app
from coe.db import engine_for, reading, writing
from coe.reports import html, pdf
from coe.reports.coe_report import report_html
from coe.validation import parse_incident
from tests.conftest import prepare

runner = CliRunner()
TEXT_KEYS = {"summary", "customer_impact", "trigger", "root_cause", "resolution", "description", "statement",
             "question", "answer", "comment", "gate_bypass", "detection", "mitigation", "reason", "text"}
UNICODE = "障害対応 تعطل الخدمة שירות נפל 🔥🚀"


class Canary(http.server.BaseHTTPRequestHandler):
    """Counts every request; a report must never make one."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"canary")

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


def hostile(port: int, secret: Path) -> str:
    """Every way user text could try to fetch a resource, in one string."""
    web = f"http://127.0.0.1:{port}"
    return (f"<img src={web}/img> <img src=file://{secret}> <link rel=stylesheet href={web}/css> "
            f"<a rel=attachment href=file://{secret}>attach</a> <a rel=attachment href={web}/att>att</a> "
            f"<style>body {{ background: url({web}/bg) }}</style> ![x]({web}/md) <script>alert(1)</script> "
            f"<iframe src={web}/iframe></iframe> <object data={web}/object></object> <svg><image href={web}/svg/></svg> "
            f"<style>@import url({web}/import);</style> ![s](file://{secret}) [secret](file://{secret}) "
            f"<{web}/autolink> {UNICODE}")


def poison(value: object, text: str) -> object:
    """The document with `text` appended to every free-text field."""
    if isinstance(value, dict):
        return {k: (v + " " + text if k in TEXT_KEYS and isinstance(v, str) else poison(v, text)) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(item, text) for item in value]
    return value


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One hostile COE report rendered once, with the canary's record."""
    folder = tmp_path_factory.mktemp("reports")
    secret = folder / "secret.txt"
    secret.write_text("TOPSECRET-4711", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Canary.hits.clear()
    url = prepare(f"sqlite:///{folder / 'coe.db'}")
    example = json.loads((Path(__file__).parent / "fixtures" / "domain_example.json").read_text(encoding="utf-8"))
    doc = poison(copy.deepcopy(example["incidents"][0]), hostile(server.server_port, secret))
    doc["title"] = f"Outage {UNICODE}"
    doc["lessons"]["went_well"].append(hostile(server.server_port, secret))
    doc["extra_sections"] = [{"heading": f"Imported <b>notes</b> [x](file://{secret})",
                              "text": hostile(server.server_port, secret)}]
    source = folder / "hostile.json"
    source.write_text(json.dumps({"format": example["format"], "incidents": [doc]}), encoding="utf-8")
    assert runner.invoke(app, ["--database", url, "--as", "tester", "import", str(source)]).exit_code == 0
    output = folder / "COE.pdf"
    result = runner.invoke(app, ["--database", url, "--as", "tester", "report", doc["key"], "--output", str(output)])
    server.shutdown()
    reader = PdfReader(output)
    return {"result": result, "reader": reader, "pdf": output.read_bytes(), "doc": doc, "url": url,
            "text": "\n".join(page.extract_text() for page in reader.pages), "folder": folder}


def test_report_shows_every_section_and_the_incident_values(rendered: dict) -> None:
    assert rendered["result"].exit_code == 0, rendered["result"].output
    text, doc = " ".join(rendered["text"].split()), rendered["doc"]
    for heading in ("Summary", "Impact", "Timeline", "Five whys", "Contributing factors", "Changes",
                    "AI involvement and governance controls", "Attribution", "Action items", "Lessons",
                    "Cutting it in half", "Review sign-off", "Appendix: audit record", "coe audit verify"):
        assert heading in text, heading
    assert doc["key"] in text and "TTD" in text and "TTR" in text
    assert "CONTESTED" in text and "This COE" in text
    for claim in doc["attribution"]["claims"]:
        assert claim["source"] in text
    for item in doc["action_items"]:
        assert item["title"] in text
    assert "AI agent" in text  # the agent's timeline steps carry a badge
    assert "page 1 of" in text and len(rendered["reader"].pages) >= 3
    assert "DRAFT" not in text  # the example is published


def test_hostile_text_fetches_nothing_and_shows_as_text(rendered: dict) -> None:
    assert Canary.hits == []
    assert b"TOPSECRET-4711" not in rendered["pdf"]
    assert not rendered["reader"].attachments
    flat = " ".join(rendered["text"].split())
    assert "<script>alert(1)</script>" in flat
    assert "<img src=http://127.0.0.1:" in flat


def test_unicode_renders(rendered: dict) -> None:
    flat = rendered["text"]
    assert "障害対応" in flat
    assert "🔥" in flat or "\U0001f525" in flat


def test_unknown_key_and_unwritable_output_are_one_sentence(rendered: dict) -> None:
    base = ["--database", rendered["url"], "--as", "tester", "report"]
    missing = runner.invoke(app, [*base, "COE-1999-0001", "--output", str(rendered["folder"] / "x.pdf")])
    assert missing.exit_code == 1 and "COE-1999-0001" in missing.output
    nowhere = runner.invoke(app, [*base, rendered["doc"]["key"], "--output", "/nonexistent/dir/x.pdf"])
    assert nowhere.exit_code == 1 and "cannot write" in nowhere.output
    assert not (rendered["folder"] / "x.pdf").exists()


def test_templates_override_one_by_one(rendered: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "report.css").write_text("h2 { color: green; }", encoding="utf-8")
    (tmp_path / "coe_report.html.j2").write_text(
        "<html><head><style>{% include 'report.css' %}</style></head><body><h2>ACME house style {{ doc.key }}</h2>"
        "</body></html>", encoding="utf-8")
    monkeypatch.setenv("COE_TEMPLATES_DIR", str(tmp_path))
    output = tmp_path / "o.pdf"
    result = runner.invoke(app, ["--database", rendered["url"], "--as", "tester", "report", rendered["doc"]["key"],
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert f"ACME house style {rendered['doc']['key']}" in PdfReader(output).pages[0].extract_text()


def _render_demo(url: str, folder: Path, incidents: int, seed: int) -> dict[str, str]:
    """Fill `url` with a demo history, render every COE with --jobs 2, and map each key to its status."""
    assert runner.invoke(app, ["--database", url, "--as", "tester", "demo", "--incidents", str(incidents),
                               "--seed", str(seed)]).exit_code == 0
    result = runner.invoke(app, ["--database", url, "--as", "tester", "report", "--all", "--output-dir",
                                 str(folder), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert f"wrote {incidents} reports" in result.output
    with reading(engine_for(url)) as session:
        return {row["key"]: row["status"] for row in services.list_incidents(session)}


def test_every_demo_coe_renders_in_parallel(tmp_path: Path) -> None:
    statuses = _render_demo(prepare(f"sqlite:///{tmp_path / 'demo.db'}"), tmp_path / "out", 30, 7)
    # The history is big enough to hold every workflow state (and near misses and drills, checked below).
    assert set(statuses.values()) == {"draft", "in_review", "approved", "published"}
    pdfs = {path.stem: path for path in (tmp_path / "out").glob("*.pdf")}
    assert sorted(pdfs) == sorted(statuses) and not list((tmp_path / "out").glob(".*part"))
    kinds = set()
    for key, path in pdfs.items():
        first = " ".join(PdfReader(path).pages[0].extract_text().split())
        assert key in first and ("DRAFT" in first) == (statuses[key] != "published"), key
        kinds.update(kind for kind in ("incident", "near miss", "drill") if f"Kind {kind}" in first)
    assert kinds == {"incident", "near miss", "drill"}


def test_parallel_workers_do_not_share_the_parents_connections(postgres_url: str, tmp_path: Path) -> None:
    # The command reads the keys before it forks; a worker must not reuse that connection.
    statuses = _render_demo(postgres_url, tmp_path / "out", 8, 3)
    assert sorted(p.stem for p in (tmp_path / "out").glob("*.pdf")) == sorted(statuses)


# Every field that holds a name or a reference, given a string with no break opportunity at all.
LONG = "W" * 200
LONG_URL = "https://example.invalid/" + "segment-" * 240


def layout_problems(document: object, *, rows_may_split: bool = False) -> list[str]:
    """Boxes that reach beyond their page's right edge, and table rows laid out on more than one page."""
    problems, pages_of_row, header_rows = [], {}, set()
    for number, page in enumerate(document.pages, 1):  # type: ignore[attr-defined]
        for box in page._page_box.descendants():
            if box.position_x + box.margin_width() > page.width + 0.5:
                problems.append(f"page {number}: <{box.element_tag}> reaches x={box.position_x + box.margin_width():.0f}")
            if box.element_tag == "thead":  # header rows repeat on every page by design
                header_rows.update(id(row) for row in box.element)
            elif box.element_tag == "tr" and id(box.element) not in header_rows:
                pages_of_row.setdefault(id(box.element), (box.element, set()))[1].add(number)
    if not rows_may_split:
        problems += [f"row split over pages {sorted(pages)}: {' '.join(''.join(row.itertext()).split())[:60]}"
                     for row, pages in pages_of_row.values() if len(pages) > 1]
    return problems


def test_long_unbroken_strings_stay_inside_the_page(sqlite_url: str, domain_example: dict) -> None:
    data = copy.deepcopy(domain_example["incidents"][0])
    data["team"], data["services"] = LONG, [*data["services"], LONG]
    data["timeline"][0]["actor"] = data["action_items"][0]["owner"] = data["changes"][0]["ref"] = LONG
    data["attribution"]["claims"][0] |= {"source": LONG, "url": LONG_URL}
    data["timeline"][1]["description"] = "Z" * 3000  # taller than a page: the one row that may split
    data["summary"] = f"{'Ж' * 3000}\n\n| a | b |\n|---|---|\n| {'T' * 2000} | x |\n\n```\n{'C' * 2000}\n```"
    with writing(engine_for(sqlite_url)) as session:
        services.import_incidents(session, incidents=[parse_incident(data)], actor="tester")
    with reading(engine_for(sqlite_url)) as session:
        page = report_html(session, data["key"])
    document = pdf.render(page, allowed=html.template_dirs(None), stylesheet=html.stylesheet(None))
    assert layout_problems(document, rows_may_split=True) == []
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(document.write_pdf())).pages)
    assert text.count("Ж") == 3000 and text.count("segment-") == 240  # wrapped, not cut off


def test_empty_sections_say_so_and_one_line_markdown_renders(sqlite_url: str, domain_example: dict) -> None:
    data = {"title": "Bare draft", "severity": "sev3", "started_at": "2026-03-01T10:00:00+00:00",
            "timeline": [{"at": "2026-03-01T10:05:00+00:00", "description": "**OUTAGE BEGINS** see *https://monitor*",
                          "actor_kind": "human", "actor": "", "phase": "trigger"}],
            "lessons": {"went_well": ["**Rapid detection** – `pager` fired"],
                        "got_lucky": ["![pager screenshot](https://example.invalid/p.png) was kept"]},
            "extra_sections": [{"heading": "Supporting information: [[168]](https://example.invalid/x)", "text": ""}]}
    with writing(engine_for(sqlite_url)) as session:
        services.import_incidents(session, incidents=[parse_incident(data)], actor="tester")
        key = services.incident_keys(session)[0]
    with reading(engine_for(sqlite_url)) as session:
        page = report_html(session, key)
    document = pdf.render(page, allowed=html.template_dirs(None), stylesheet=html.stylesheet(None))
    assert layout_problems(document) == []
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(document.write_pdf())).pages).split())
    assert "DRAFT · NOT PUBLISHED" in text and "DRAFT · DRAFT" not in text
    assert "Started 2026-03-01 10:00 UTC" in text and "+00:00" not in text
    for heading in ("Summary", "Impact", "Trigger", "Resolution", "Detection", "Mitigation"):
        assert f"{heading} Not recorded." in text, heading
    for heading in ("Five whys", "Contributing factors", "Changes", "Action items", "What went wrong"):
        assert f"{heading} None recorded." in text, heading
    assert "OUTAGE BEGINS see https://monitor" in text and "Rapid detection – pager fired" in text
    assert "[image: pager screenshot] was kept" in text  # an image is named, never fetched
    assert "Supporting information: [168]" in text and "**" not in text and "](" not in text


def test_similar_earlier_incident_with_an_unfinished_fix_is_marked(tmp_path: Path, domain_example: dict) -> None:
    from coe import services
    from coe.db import engine_for, writing
    from tests.search_corpus import CORPUS, corpus_doc

    url = prepare(f"sqlite:///{tmp_path / 'coe.db'}")
    again = ("0009", "2025-02-01", "Agent deleted the staging environment",
             "The agentic tool again held broad permissions and deleted an environment.", ["billing"], "platform",
             "sev2", "confirmed")
    with writing(engine_for(url)) as session:
        services.import_incidents(session, incidents=[corpus_doc(domain_example, CORPUS[2]),
                                                      corpus_doc(domain_example, again)], actor="tester")
    output = tmp_path / "again.pdf"
    base = ["--database", url, "--as", "tester", "report"]
    result = runner.invoke(app, [*base, "COE-2025-0009", "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(output).pages).split())
    assert "Similar earlier incidents" in text and "COE-2024-0003" in text
    assert "Repeat with an unfinished fix" in text and "shared services: billing" in text
    earlier = tmp_path / "earlier.pdf"  # the earlier incident has nothing before it: no block at all
    runner.invoke(app, [*base, "COE-2024-0003", "--output", str(earlier)])
    assert "Similar earlier incidents" not in " ".join(p.extract_text() for p in PdfReader(earlier).pages)


def test_an_organisations_stylesheet_alone_applies_and_an_edit_is_picked_up(tmp_path: Path) -> None:
    def footer() -> str:
        data = pdf.write_pdf("<p>body</p>", allowed=html.template_dirs(tmp_path), stylesheet=html.stylesheet(tmp_path))
        return PdfReader(io.BytesIO(data)).pages[0].extract_text()

    assert html.stylesheet(tmp_path) == html.TEMPLATES / "report.css"  # nothing overridden yet
    sheet = tmp_path / "report.css"
    sheet.write_text('@page { @bottom-right { content: "ACME " counter(page) } }', encoding="utf-8")
    assert html.stylesheet(tmp_path) == sheet and "ACME 1" in footer()
    sheet.write_text('@page { @bottom-right { content: "Globex " counter(page) } }', encoding="utf-8")
    os.utime(sheet, ns=(sheet.stat().st_mtime_ns + 10**9,) * 2)  # the parsed sheet is kept per file version
    assert "Globex 1" in footer()


def test_a_report_that_fails_is_named_and_the_others_are_written(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    url = prepare(f"sqlite:///{tmp_path / 'demo.db'}")
    assert runner.invoke(app, ["--database", url, "--as", "tester", "demo", "--incidents", "3", "--seed", "3"]).exit_code == 0
    with reading(engine_for(url)) as session:
        broken, *fine = services.incident_keys(session)
    # An organisation's template with a mistake that only one incident reaches.
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "coe_report.html.j2").write_text(
        f'<p>{{{{ doc.key }}}}</p>{{% if doc.key == "{broken}" %}}{{{{ no_such_value }}}}{{% endif %}}', encoding="utf-8")
    monkeypatch.setenv("COE_TEMPLATES_DIR", str(tmp_path / "tpl"))
    result = runner.invoke(app, ["--database", url, "--as", "tester", "report", "--all", "--output-dir",
                                 str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 1
    assert "wrote 2 reports" in result.output and f"error: {broken}: " in result.output
    assert "no_such_value" in result.output and "1 of 3 reports failed" in result.output
    assert sorted(p.stem for p in (tmp_path / "out").glob("*.pdf")) == sorted(fine)


def test_a_numbered_list_broken_by_a_code_block_keeps_counting() -> None:
    page = str(html.markdown("1. Look\n\n```\nfind .\n```\n\n2. Check\n\n```\ngrep\n```\n\n3. Delete\n"))
    data = pdf.write_pdf(page, allowed=html.template_dirs(None), stylesheet=html.stylesheet(None))
    markers = re.findall(r"\b(\d)\.", PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert sorted(markers) == ["1", "2", "3"]
