"""The governance trend report: the metrics of one window, against the window before it, as a PDF."""

from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from coe.errors import CoeError
from coe.metrics import frames, previous_window, summary
from coe.reports import html, pdf, trend


def trend_html(session: Session, *, since: date, until: date, as_of: date, templates_dir: Path | None = None,
               generated_at: datetime | None = None) -> str:
    """The final HTML of the trend report of `[since, until]`."""
    if until < since:
        raise CoeError(f"the window ends ({until}) before it starts ({since})")
    loaded = frames.load(session, since=since, until=until)
    current = summary(loaded, since=since, until=until, as_of=as_of)
    before_since, before_until = previous_window(since, until)
    before = summary(frames.load(session, since=before_since, until=before_until),
                     since=before_since, until=before_until, as_of=as_of)
    context = trend.build(loaded, current, before, generated_at=generated_at or datetime.now(UTC))
    return html.render("trend_report.html.j2", context, override=templates_dir)


def trend_pdf(session: Session, *, since: date, until: date, as_of: date, templates_dir: Path | None = None) -> bytes:
    """The trend report of `[since, until]` as PDF bytes."""
    page = trend_html(session, since=since, until=until, as_of=as_of, templates_dir=templates_dir)
    return pdf.write_pdf(page, allowed=html.template_dirs(templates_dir), stylesheet=html.stylesheet(templates_dir))
