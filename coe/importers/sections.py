"""Heading and `**Label**:` names of the common post-mortem templates, mapped onto coe/v1 fields."""

import difflib
import re

# Normalised heading -> field; the Google SRE book, PagerDuty, Atlassian and common variants.
ALIASES = {
    "summary": "summary", "executive summary": "summary", "overview": "summary", "description": "summary",
    "incident summary": "summary", "what happened": "summary", "tldr": "summary", "issue summary": "summary",
    "outage description": "summary", "incident": "summary", "the incident": "summary",
    "incident description": "summary",
    "impact": "customer_impact", "customer impact": "customer_impact", "user impact": "customer_impact",
    "business impact": "customer_impact", "impact assessment": "customer_impact", "impact on users": "customer_impact",
    "incident impact": "customer_impact", "summary of impact": "customer_impact", "affected users": "customer_impact",
    "end user impact": "customer_impact",
    "root cause": "root_cause", "root causes": "root_cause", "root cause analysis": "root_cause",
    "cause": "root_cause", "causes": "root_cause", "rca": "root_cause", "why did it happen": "root_cause",
    "identified cause": "root_cause", "root cause and mitigation": "root_cause", "what caused the incident": "root_cause",
    "why it happened": "root_cause", "why this happened": "root_cause", "why did this happen": "root_cause",
    "fault": "root_cause", "leadup": "trigger", "lead up": "trigger",
    "contributing factors": "contributing_factors", "contributing conditions analysis": "contributing_factors",
    "process breakdown": "contributing_factors", "process breakdowns": "contributing_factors",
    "trigger": "trigger", "triggers": "trigger", "how did it happen": "trigger",
    "resolution": "resolution", "fix": "resolution", "remediation": "resolution",
    "mitigation": "resolution", "recovery": "resolution", "resolution and recovery": "resolution",
    "how was it fixed": "resolution", "mitigation resolution": "resolution", "remediation and prevention": "resolution",
    "timeline": "timeline", "incident timeline": "timeline", "timeline of events": "timeline",
    "detailed timeline": "timeline", "chronology": "timeline", "sequence of events": "timeline",
    "chain of events": "timeline", "timeline summary": "timeline",
    "action items": "action_items", "actions": "action_items", "follow up": "action_items",
    "follow ups": "action_items", "followup actions": "action_items", "follow up actions": "action_items",
    "corrective actions": "action_items", "next steps": "action_items", "todo": "action_items",
    "remediations": "action_items", "preventative actions": "action_items", "action item": "action_items",
    "immediate actions": "action_items", "planned actions": "action_items", "recommendations": "action_items",
    "corrective and preventative measures": "action_items", "action items followups": "action_items",
    "how are we preventing it from happening again": "action_items", "follow up improvements": "action_items",
    "what we are doing about it": "action_items", "what were doing about it": "action_items",
    "what we are changing": "action_items", "what were changing": "action_items", "follow up tasks": "action_items",
    "lessons learned": "lessons", "lessons": "lessons", "learnings": "lessons", "retrospective": "lessons",
    "lessons learnt": "lessons",
    "what went well": "went_well", "things that went well": "went_well",
    "what went wrong": "went_wrong", "what didnt go so well": "went_wrong", "what could be improved": "went_wrong",
    "things that went wrong": "went_wrong", "what didnt go well": "went_wrong", "what went poorly": "went_wrong",
    "what could have gone better": "went_wrong", "what went badly": "went_wrong",
    "where we got lucky": "got_lucky", "what we got lucky with": "got_lucky", "lucky": "got_lucky",
    "where did we get lucky": "got_lucky", "went well": "went_well", "went wrong": "went_wrong",
    "went badly": "went_wrong", "went poorly": "went_wrong", "got lucky": "got_lucky", "we got lucky": "got_lucky",
    "what broke": "root_cause", "team": "team", "owning team": "team",
    "five whys": "five_whys", "whys": "five_whys",
    "severity": "severity", "sev": "severity", "priority": "severity", "incident severity": "severity",
    "date": "date", "incident date": "date", "date of incident": "date",
    "authors": "authors", "author": "authors", "owner": "authors", "owners": "authors", "by": "authors",
    "status": "doc_status", "report status": "doc_status",
    "services": "services", "affected services": "services", "components": "services",
    "affected components": "services", "services affected": "services", "affected service": "services",
    "service": "services",
    # A labelled moment ("Start time: 2025-06-10 08:15 UTC") states the time outright.
    "start time": "started_at", "started": "started_at", "impact start": "started_at", "incident start": "started_at",
    "start": "started_at", "detected": "detected_at", "detection time": "detected_at", "time detected": "detected_at",
    "acknowledged": "acknowledged_at", "mitigated": "mitigated_at", "mitigation time": "mitigated_at",
    "resolved": "resolved_at", "resolution time": "resolved_at", "end time": "resolved_at", "ended": "resolved_at",
    "impact end": "resolved_at", "incident end": "resolved_at", "start time utc": "started_at", "end time utc": "resolved_at",
    "started at": "started_at", "detected at": "detected_at", "acknowledged at": "acknowledged_at",
    "mitigated at": "mitigated_at", "resolved at": "resolved_at", "reported at": "detected_at",
    "detection": "detection", "how was it detected": "detection",
    "duration": "duration", "time to recovery": "duration", "time to resolve": "duration",
    "time to resolution": "duration", "time to restore": "duration", "downtime": "duration",
    "total duration": "duration", "outage duration": "duration", "total impact duration": "duration",
    "time to detection": "time_to_detect", "time to detect": "time_to_detect", "detection delay": "time_to_detect",
    "stats": "stats", "statistics": "stats",
}
# A heading no alias names, by the words in it ("Short-term Improvements", "Follow-up timeline").
KEYWORDS = (("timeline", "timeline"), ("action item", "action_items"), ("improvement", "action_items"),
            ("follow up", "action_items"), ("lessons", "lessons"), ("root cause", "root_cause"),
            ("impact", "customer_impact"), ("remediation", "resolution"))


def normalise(heading: str) -> str:
    """Lower case, no markup, punctuation or numbering: '2. **Root-Causes:**' -> 'root causes'."""
    text = re.sub(r"\[\[?([^\]]*)\]?\]\([^)]*\)", "", heading)  # footnote links such as [[166]](url)
    text = re.sub(r"[*_`#]", "", text).lower()
    text = re.sub(r"^\s*[\divx]+[.)]\s+", "", text)
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"[^a-z ]+", " ", text.replace("'", ""))
    return " ".join(text.split())


def field_for(heading: str, keywords: bool = True) -> str | None:
    """The field a heading names, forgiving case and common misspellings ('Root Casues', 'Timline');
    with keywords, also by a word in it ('Short-term Improvements')."""
    name = normalise(heading)
    if name in ALIASES:
        return ALIASES[name]
    # A label that states a time must be written as such: 'Incident ID' is not 'Incident end'.
    # Nor is a label with a word more a misspelling ('Incident ID' is not 'Incident'), unless only a space differs.
    known = [a for a, f in ALIASES.items() if not f.endswith("_at") and a.count(" ") == name.count(" ")]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.84)
    if close:
        return ALIASES[close[0]]
    joined = {a.replace(" ", ""): f for a, f in ALIASES.items()}
    close = difflib.get_close_matches(name.replace(" ", ""), joined, n=1, cutoff=0.9)
    if close:
        return joined[close[0]]
    return next((target for word, target in KEYWORDS if word in name), None) if keywords else None
