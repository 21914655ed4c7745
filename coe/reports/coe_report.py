"""The COE report: a stored incident as a PDF."""

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coe import services
from coe.audit import EVENT
from coe.reports import context, html, pdf
from coe.search.similar import similar


def audit_info(session: Session, key: str) -> context.AuditInfo | None:
    """The newest audit event of `key` and its place in the chain."""
    row = session.execute(
        select(EVENT.c.id, EVENT.c.hash, EVENT.c.state_hash, EVENT.c.at)
        .where(EVENT.c.incident_key == key).order_by(EVENT.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    position = session.execute(select(func.count()).select_from(EVENT).where(EVENT.c.id <= row.id)).scalar_one()
    length = session.execute(select(func.count()).select_from(EVENT)).scalar_one()
    return context.AuditInfo(position, row.hash, row.state_hash, row.at, length)


def report_html(session: Session, key: str, *, templates_dir: Path | None = None) -> str:
    """The final HTML of the COE report of `key`."""
    doc = services.get_incident(session, key=key)
    earlier = tuple(similar(session, key=key, limit=5))
    return html.render("coe_report.html.j2", context.build(doc, audit_info=audit_info(session, key), similar=earlier),
                       override=templates_dir)


def report_pdf(session: Session, key: str, *, templates_dir: Path | None = None) -> bytes:
    """The COE report of `key` as PDF bytes."""
    page = report_html(session, key, templates_dir=templates_dir)
    return pdf.write_pdf(page, allowed=html.template_dirs(templates_dir), stylesheet=html.stylesheet(templates_dir))
