"""The COE report as a reader gets it: real PDFs read back as text, with hostile and Unicode content."""

import copy
import http.server
import json
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from coe.cli import app
from tests.conftest import prepare

runner = CliRunner()
TEXT_KEYS = {"summary", "customer_impact", "trigger", "root_cause", "resolution", "description", "statement",
             "question", "answer", "comment", "gate_bypass", "detection", "mitigation", "reason", "text"}
UNICODE = "障害対応 تعطل الخدمة שירות נפל 🔥🚀"


class Canary(http.server.BaseHTTPRequestHandler):
    """Counts every request; a report must never make one."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
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
            f"{UNICODE}")


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


def test_every_demo_coe_renders_in_parallel(tmp_path: Path) -> None:
    url = prepare(f"sqlite:///{tmp_path / 'demo.db'}")
    assert runner.invoke(app, ["--database", url, "--as", "tester", "demo", "--incidents", "6", "--seed", "3"]).exit_code == 0
    result = runner.invoke(app, ["--database", url, "--as", "tester", "report", "--all", "--output-dir",
                                 str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 6 and not list((tmp_path / "out").glob(".*part"))
    for path in pdfs:
        assert path.stem in PdfReader(path).pages[0].extract_text()


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
