"""A small hand-made corpus for search and similarity tests, built from the DOMAIN.md example."""

import copy
from typing import Any

from coe import services
from coe.db import writing
from coe.validation import parse_incident

CORPUS = [
    # key suffix, started, title, root cause, services, team, severity, ai involvement
    ("0001", "2024-03-01", "DNS resolver outage takes down checkout",
     "A bad DNS zone push removed the records of the resolver fleet.", ["checkout", "dns"], "edge", "sev1", "none"),
    ("0002", "2024-05-10", "Cascading failure after cache cluster restart",
     "Retries from every client amplified load until the database fell over in a cascading failure.",
     ["cache", "orders"], "storage", "sev2", "none"),
    ("0003", "2024-07-20", "Agent deleted the billing environment",
     "The agentic tool held broad permissions and deleted the environment.", ["billing"], "billing-console",
     "sev2", "confirmed"),
    ("0004", "2024-09-02", "Certificate expired on the payments gateway",
     "Nobody renewed the certificate because the renewal alarm was muted.", ["payments"], "payments", "sev3", "none"),
]


def corpus_doc(domain_example: dict, row: tuple, **extra: Any):
    """One incident of the corpus as a validated document."""
    suffix, day, title, cause, svc, team, severity, ai = row
    data = copy.deepcopy(domain_example["incidents"][0])
    data |= {"key": f"COE-{day[:4]}-{suffix}", "title": title, "summary": title + ".", "root_cause": cause,
             "trigger": "", "resolution": "", "services": svc, "team": team, "severity": severity,
             "started_at": f"{day}T01:00:00+00:00", "detected_at": None, "acknowledged_at": None,
             "mitigated_at": None, "resolved_at": None, "timeline": [], "five_whys": [], "contributing_factors": [],
             "lessons": {}}
    if ai == "none":
        data["ai"] = {"involvement": "none"}
        data["attribution"] = {"ai_contribution": "none", "primary_cause": "process_gap", "claims": []}
        data["changes"] = []
    return parse_incident(data | extra)


def seed(engine, domain_example: dict) -> None:
    """Import the corpus."""
    with writing(engine) as session:
        services.import_incidents(session, incidents=[corpus_doc(domain_example, r) for r in CORPUS], actor="tester")
