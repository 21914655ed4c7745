"""Heading and `**Label**:` names of the common post-mortem templates, mapped onto coe/v1 fields."""

import difflib
import re

# Normalised heading -> field; the Google SRE book, PagerDuty, Atlassian and common variants.
ALIASES = {
    "summary": "summary", "executive summary": "summary", "overview": "summary", "description": "summary",
    "incident summary": "summary", "what happened": "summary", "tldr": "summary",
    "impact": "customer_impact", "customer impact": "customer_impact", "user impact": "customer_impact",
    "business impact": "customer_impact", "impact assessment": "customer_impact",
    "root cause": "root_cause", "root causes": "root_cause", "root cause analysis": "root_cause",
    "cause": "root_cause", "causes": "root_cause", "rca": "root_cause", "why did it happen": "root_cause",
    "contributing factors": "root_cause",
    "trigger": "trigger", "triggers": "trigger",
    "resolution": "resolution", "fix": "resolution", "remediation": "resolution",
    "mitigation": "resolution", "recovery": "resolution", "resolution and recovery": "resolution",
    "how was it fixed": "resolution",
    "timeline": "timeline", "incident timeline": "timeline", "timeline of events": "timeline",
    "detailed timeline": "timeline", "chronology": "timeline", "sequence of events": "timeline",
    "action items": "action_items", "actions": "action_items", "follow up": "action_items",
    "follow ups": "action_items", "followup actions": "action_items", "follow up actions": "action_items",
    "corrective actions": "action_items", "next steps": "action_items", "todo": "action_items",
    "remediations": "action_items", "preventative actions": "action_items",
    "lessons learned": "lessons", "lessons": "lessons", "learnings": "lessons", "retrospective": "lessons",
    "what went well": "went_well", "things that went well": "went_well",
    "what went wrong": "went_wrong", "what didnt go so well": "went_wrong", "what could be improved": "went_wrong",
    "things that went wrong": "went_wrong", "what didnt go well": "went_wrong",
    "where we got lucky": "got_lucky", "what we got lucky with": "got_lucky", "lucky": "got_lucky",
    "where did we get lucky": "got_lucky",
    "severity": "severity", "sev": "severity", "priority": "severity",
    "date": "date", "incident date": "date", "date of incident": "date",
    "authors": "authors", "author": "authors", "owner": "authors", "owners": "authors",
    "status": "doc_status", "services": "services", "affected services": "services",
    "components": "services", "affected components": "services",
    "detection": "detection", "how was it detected": "detection",
    "duration": "duration", "time to recovery": "duration", "time to resolve": "duration",
    "time to resolution": "duration", "time to restore": "duration", "downtime": "duration",
    "total duration": "duration", "outage duration": "duration",
}


def normalise(heading: str) -> str:
    """Lower case, no markup, punctuation or numbering: '2. **Root-Causes:**' -> 'root causes'."""
    text = re.sub(r"\[\[?([^\]]*)\]?\]\([^)]*\)", "", heading)  # footnote links such as [[166]](url)
    text = re.sub(r"[*_`#]", "", text).lower()
    text = re.sub(r"^\s*[\divx]+[.)]\s+", "", text)
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"[^a-z ]+", " ", text.replace("'", ""))
    return " ".join(text.split())


def field_for(heading: str) -> str | None:
    """The field a heading names, forgiving case and common misspellings ('Root Casues', 'Timline')."""
    name = normalise(heading)
    if name in ALIASES:
        return ALIASES[name]
    close = difflib.get_close_matches(name, ALIASES, n=1, cutoff=0.84)
    return ALIASES[close[0]] if close else None
