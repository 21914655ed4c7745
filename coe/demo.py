"""A deterministic, believable synthetic history of COEs for a mid-size engineering organisation."""

import random
from collections.abc import Iterator
from datetime import date
from itertools import islice
from math import log

from sqlmodel import Session

from coe import demo_followup, services, volumes
from coe import demo_text as vocab
from coe.demo_draw import (
    DAY,
    EPOCH_ORDINAL,
    MINUTE,
    between,
    choice,
    day,
    distinct,
    iso,
    pick,
    table,
)
from coe.schema import Incident
from coe.validation import parse_records

DEFAULT_END = date(2026, 10, 31)
HISTORY_DAYS = 730
VERSIONS = tuple(f"v{major}.{minor}.{patch}" for major in range(1, 5) for minor in range(31) for patch in range(10))


ODDS = {name: table(odds) for name, odds in vocab.ODDS.items()}
AUTONOMY = {mode: table(odds) for mode, odds in vocab.AUTONOMY_ODDS.items()}
TOOLS = table({tool[:4]: tool[4] for tool in vocab.AI_TOOLS})
LOG_MEDIAN = {name: {key: log(value) for key, value in medians.items()} for name, medians in vocab.MEDIANS.items()}
LOG_DEPLOY_LEAD = log(25)  # median minutes from deploy to impact
AGENTIC = ("agent", "autonomous_ops")
AGENT_ACTOR = {"agent": "coding agent", "near_miss_ai": "coding agent", "ops": "ops agent"}
PIPELINE = ("automation", "deploy pipeline")


def generate(incidents: int = 500, seed: int = 7, *, end: date | None = None) -> Iterator[dict]:
    """Yield `incidents` coe/v1 incident dicts (JSON-ready: timestamps as ISO-8601 strings with +00:00,
    dates as YYYY-MM-DD), oldest first."""
    rng = random.Random(seed)
    until = ((end or DEFAULT_END).toordinal() - EPOCH_ORDINAL + 1) * DAY  # the end of the `end` day, in epoch seconds
    since = until - HISTORY_DAYS * DAY
    for number in range(incidents):
        progress = (number + rng.random()) / incidents
        started = (since + int(progress * (until - since))) // MINUTE * MINUTE
        yield _incident(rng, number, started, progress, until)


def _incident(rng: random.Random, number: int, started: int, progress: float, until: int) -> dict:
    """One incident, from its kind and scenario down to its review trail."""
    kind = pick(rng, ODDS["kind"])
    team, services, tables, members = choice(rng, vocab.TEAMS)
    ai = _ai_involvement(rng, kind, progress)
    flavour = _flavour(kind, ai)
    scenario = choice(rng, vocab.SCENARIOS[flavour])
    _apply_scenario(rng, ai, scenario)
    environment = choice(rng, ("production", "staging")) if kind == "drill" else pick(rng, ODDS["environment"])
    severity = pick(rng, ODDS["severity" if kind == "incident" and environment == "production" else "mild_severity"])
    detection = _detection_method(rng, kind, scenario, progress)
    times = _times(rng, severity, detection, started, progress, until)
    resolved = times[4] is not None
    regions = distinct(rng, vocab.REGIONS, pick(rng, ODDS["region_count"]) + 1)  # the last one is the failover region
    ctx = _context(rng, team, services, tables, regions, ai, times, flavour)
    customers = _customers_affected(rng, kind, environment, severity, resolved)
    ctx["customers"] = "" if customers is None else f"{customers:,}"
    involved = ai["involvement"] in ("suspected", "confirmed")
    first_day, end_day = started // DAY + EPOCH_ORDINAL, until // DAY + EPOCH_ORDINAL - 1
    attribution = _attribution(rng, ai, scenario, ctx, kind, resolved, first_day, end_day)
    status, reviews, authors = demo_followup.workflow(rng, members, times[4], until)
    narrative = _narrative(rng, kind, severity, scenario, ctx, resolved)
    started_at, detected_at, acknowledged_at, mitigated_at, resolved_at = map(iso, times)
    whys, fmt = scenario["whys"][: between(rng, 3, 5)], str.format_map
    return {
        "title": fmt(choice(rng, scenario["titles"]), ctx), "status": status, "kind": kind, "severity": severity,
        "services": [ctx["service"]] if rng.random() < 0.75 else [ctx["service"], ctx["service2"]],
        "team": team, "regions": regions[:-1], "environment": environment,
        "started_at": started_at, "detected_at": detected_at, "acknowledged_at": acknowledged_at,
        "mitigated_at": mitigated_at, "resolved_at": resolved_at,
        "customer_impact": _customer_impact(rng, kind, environment, customers, ctx), "customers_affected": customers,
        "detection_method": detection, **narrative, "root_cause_category": scenario["category"],
        "five_whys": [{"question": fmt(q, ctx), "answer": fmt(a, ctx)} for q, a in whys],
        "contributing_factors": _contributing_factors(rng, scenario, ctx, involved),
        "lessons": _lessons(rng, ctx, kind, involved),
        "cut_in_half": {"detection": fmt(choice(rng, vocab.CUT_DETECTION), ctx),
                        "mitigation": fmt(choice(rng, vocab.CUT_MITIGATION), ctx)},
        "timeline": _timeline(rng, scenario, narrative["trigger"], ctx, kind, flavour, detection, times, severity),
        "changes": _changes(rng, scenario, ctx, flavour, ai, started),
        "action_items": demo_followup.action_items(rng, ctx, severity, involved, first_day, end_day, not resolved),
        "ai": ai, "attribution": attribution, "reviews": reviews,
        "external_refs": demo_followup.external_refs(rng, number, severity, attribution), "authors": authors,
    }


def _ai_involvement(rng: random.Random, kind: str, progress: float) -> dict:
    """The `ai` object: its share rises over the two years, and agents take over from suggestions."""
    share = 0.0 if kind == "drill" else 0.15 + 0.6 * progress if kind == "near_miss" else 0.05 + 0.40 * progress
    if rng.random() >= share:
        return {"involvement": "unknown" if rng.random() < 0.05 else "none", "tool": None, "vendor": None,
                "model": None, "mode": None, "autonomy": None, "approval_gate": "not_applicable", "gate_bypass": None,
                "permission_scope": "unknown", "permissions_inherited": None, "destructive_actions": [],
                "spec_reviewed": None}
    tool, vendor, models, modes = pick(rng, TOOLS)
    as_agent = kind == "near_miss" or rng.random() < 0.25 + 0.45 * progress
    mode = "agent" if as_agent and "agent" in modes else choice(rng, [m for m in modes if m != "agent"])
    agentic = mode in AGENTIC
    gate = pick(rng, ODDS["agent_gate" if agentic else "code_gate"])
    bypasses = vocab.AGENT_BYPASSES if agentic else vocab.CODE_BYPASSES
    return {
        "involvement": "confirmed" if rng.random() < (0.9 if agentic else 0.5) else "suspected",
        "tool": tool, "vendor": vendor, "model": choice(rng, models), "mode": mode,
        "autonomy": pick(rng, AUTONOMY[mode]), "approval_gate": gate,
        "gate_bypass": choice(rng, bypasses) if gate == "bypassed" else None,
        "permission_scope": pick(rng, ODDS["agent_scope" if agentic else "code_scope"]),
        "permissions_inherited": pick(rng, ODDS["agent_inherited" if agentic else "code_inherited"]),
        "destructive_actions": [], "spec_reviewed": pick(rng, ODDS["spec_reviewed"]),
    }


def _flavour(kind: str, ai: dict) -> str:
    """Which family of scenarios fits the kind and the AI involvement."""
    if kind != "incident":
        return "drill" if kind == "drill" else "near_miss_ai" if ai["tool"] else "near_miss"
    return {None: "human", "agent": "agent", "autonomous_ops": "ops"}.get(ai["mode"], "codegen")


def _apply_scenario(rng: random.Random, ai: dict, scenario: dict) -> None:
    """Agentic scenarios name their destructive steps and restrict `ai` fields to what their story allows."""
    ai["destructive_actions"] = list(scenario.get("destructive", ()))
    for field, allowed in scenario.get("ai", {}).items():
        if ai[field] not in allowed:
            ai[field] = choice(rng, allowed)
    if ai["approval_gate"] != "bypassed":
        ai["gate_bypass"] = None
    elif ai["gate_bypass"] is None:
        ai["gate_bypass"] = choice(rng, vocab.AGENT_BYPASSES)


def _detection_method(rng: random.Random, kind: str, scenario: dict, progress: float) -> str:
    """Mostly alarms; AI agents spot a growing share; a drill trips its alarm; a near miss is caught its own way."""
    if kind != "incident":
        return scenario.get("detection", "alarm")
    return "ai_agent" if rng.random() < 0.02 + 0.08 * progress else pick(rng, ODDS["detection"])


def _times(rng: random.Random, severity: str, detection: str, started: int, progress: float, until: int) -> list:
    """started, detected, acknowledged, mitigated, resolved in epoch seconds; a few recent ones still open."""
    lognormal, medians = rng.lognormvariate, LOG_MEDIAN
    detected = started + int(lognormal(medians["ttd"][detection], 0.9) * MINUTE)
    acknowledged = detected + int(lognormal(medians["ack"][severity], 0.7) * MINUTE)
    mitigated = acknowledged + int(lognormal(medians["fix"][severity], 0.8) * MINUTE)
    resolved = mitigated + int(lognormal(medians["cleanup"][severity], 0.8) * MINUTE)
    if progress > 0.965 and rng.random() < 0.8:
        resolved = None
        mitigated = None if rng.random() < 0.5 else mitigated
    return [t if t is not None and t <= until else None for t in (started, detected, acknowledged, mitigated, resolved)]


def _context(rng: random.Random, team: str, services: tuple, tables: tuple, regions: list, ai: dict,
             times: list, flavour: str) -> dict:
    """The names and numbers the templates substitute."""
    index = int(rng.random() * len(services))
    service, service2 = services[index], services[(index + between(rng, 1, len(services) - 1)) % len(services)]
    started, detected, _, mitigated, resolved = times
    stamp = day(started // DAY + EPOCH_ORDINAL).replace("-", "")
    if flavour in AGENT_ACTOR:
        ref = f"agent-session-{rng.getrandbits(24):06x}"
    elif flavour == "drill":
        ref = f"game-day-{stamp}"
    elif rng.random() < 0.5:
        ref = f"{service}#{between(rng, 1200, 9800)}"
    else:
        ref = f"deploy-{stamp}-{between(rng, 1, 40)}"
    ended = resolved or mitigated
    return {
        "service": service, "service2": service2, "team": team, "region": regions[0], "region2": regions[-1],
        "tool": ai["tool"] or "an AI tool", "vendor": ai["vendor"] or "", "ref": ref,
        "dep": choice(rng, vocab.DEPENDENCIES), "config": choice(rng, vocab.CONFIG_KEYS),
        "timeout": choice(rng, vocab.TIMEOUT_KEYS),
        "table": choice(rng, tables), "flag": choice(rng, vocab.FLAGS), "version": choice(rng, VERSIONS),
        "n": between(rng, 2, 12), "pct": between(rng, 15, 90),
        "ttd": (detected - started) // MINUTE if detected else "?",
        "duration": _duration_text(ended - started) if ended else "an extended period (still open)",
    }


def _duration_text(seconds: int) -> str:
    """'47 minutes', 'about 3 hours', 'about 2 days'."""
    minutes = max(1, seconds // MINUTE)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"about {round(minutes / 60)} hours" if minutes < 48 * 60 else f"about {round(minutes / 1440)} days"


def _customers_affected(rng: random.Random, kind: str, environment: str, severity: str, resolved: bool) -> int | None:
    """Zero when nothing reached customers; unknown while open and for about one incident in five."""
    if kind != "incident" or environment != "production":
        return 0
    if not resolved or rng.random() < 0.2:
        return None
    return max(1, int(rng.lognormvariate(LOG_MEDIAN["customers"][severity], 1.0)))


def _customer_impact(rng: random.Random, kind: str, environment: str, customers: int | None, ctx: dict) -> str:
    """One sentence on who was hurt and how."""
    if kind != "incident":
        return "None: planned exercise." if kind == "drill" else "None: stopped before it reached customers."
    if environment != "production":
        return f"No customer impact ({environment} only)."
    return choice(rng, vocab.IMPACT_UNCOUNTED if customers is None else vocab.IMPACT_COUNTED).format_map(ctx)


def _narrative(rng: random.Random, kind: str, severity: str, scenario: dict, ctx: dict, resolved: bool) -> dict:
    """summary, trigger, root_cause and resolution."""
    trigger = choice(rng, scenario["trigger"]).format_map(ctx)
    opener = {"near_miss": "Near miss, no impact.", "drill": "Planned game day."}.get(kind)
    opener = opener or choice(rng, vocab.SYMPTOMS[severity]).format_map(ctx)
    resolution = choice(rng, scenario["resolution"]) if resolved else "Not resolved yet; work continues."
    root_cause = choice(rng, scenario["root_cause"])
    return {"summary": f"{opener} {trigger}", "trigger": trigger,
            "root_cause": root_cause.format_map(ctx), "resolution": resolution.format_map(ctx)}


def _contributing_factors(rng: random.Random, scenario: dict, ctx: dict, involved: bool) -> list[dict]:
    """One to three factors: the scenario's own, sometimes a generic one."""
    factors = list(scenario["factors"][: 1 + (rng.random() < 0.6)])
    if rng.random() < 0.35:
        factors.append(choice(rng, vocab.GENERIC_FACTORS["ai" if involved else "human"]))
    return [{"category": category, "description": description.format_map(ctx)} for category, description in factors]


def _lessons(rng: random.Random, ctx: dict, kind: str, involved: bool) -> dict:
    """What went well, what went wrong, where we got lucky."""
    wrong = f"went_wrong_{kind}" if kind != "incident" else "went_wrong_ai" if involved else "went_wrong"
    well, wrong = vocab.LESSONS["went_well"], vocab.LESSONS[wrong]
    return {
        "went_well": [s.format_map(ctx) for s in distinct(rng, well, 1 + (rng.random() < 0.4))],
        "went_wrong": [s.format_map(ctx) for s in distinct(rng, wrong, 1 + (rng.random() < 0.5))],
        "got_lucky": [choice(rng, vocab.LESSONS["got_lucky"]).format_map(ctx)] if rng.random() < 0.5 else [],
    }


def _timeline(rng: random.Random, scenario: dict, trigger: str, ctx: dict, kind: str, flavour: str, detection: str,
              times: list, severity: str) -> list[dict]:
    """Three to eight events in time order, from the trigger to the resolution."""
    started, detected, acknowledged, mitigated, resolved = times
    agent = AGENT_ACTOR.get(flavour)
    if agent:
        description, actor_kind = choice(rng, vocab.AGENT_START)
        events = [(started - between(rng, 2, 30) * MINUTE, description.format_map(ctx), actor_kind, agent, "trigger"),
                  (started, trigger, "ai_agent", agent, "trigger")]
    else:
        events = [(started, trigger, *scenario.get("by", PIPELINE), "trigger")]
    if detected is not None:
        description, actor_kind, actor = scenario.get("caught") or choice(rng, vocab.DETECTION_EVENTS[detection])
        events.append((detected, description.format_map(ctx), actor_kind, actor, "detection"))
    if acknowledged is not None:
        description, actor_kind, actor = choice(rng, vocab.ESCALATION_EVENTS)
        events.append((acknowledged, description.format_map(ctx), actor_kind, actor, "escalation"))
    if acknowledged is not None and kind == "incident":
        span = (mitigated or resolved or acknowledged + 3600) - acknowledged
        if severity in ("sev1", "sev2", "sev3"):
            events.append((acknowledged + span // 4, *vocab.COMMS_EVENT, "other"))
        room = 8 - len(events) - 2  # keep two places for mitigation and resolution
        for description, actor_kind, actor in distinct(rng, vocab.DIAGNOSIS_EVENTS, min(between(rng, 0, 2), room)):
            at = acknowledged + int(span * rng.uniform(0.3, 0.9))
            events.append((at, description.format_map(ctx), actor_kind, actor, "diagnosis"))
    if mitigated is not None:
        mitigation = choice(rng, scenario["resolution"]).format_map(ctx)
        events.append((mitigated, mitigation, "human", "on-call engineer", "mitigation"))
    if resolved is not None:
        events.append((resolved, *choice(rng, vocab.CLOSING_EVENTS[kind]), "resolution"))
    events.sort()
    return [{"at": iso(at), "description": d, "actor_kind": k, "actor": a, "phase": p} for at, d, k, a, p in events]


def _changes(rng: random.Random, scenario: dict, ctx: dict, flavour: str, ai: dict, started: int) -> list[dict]:
    """The trigger change with its provenance, plus up to two older contributing or suspect changes."""
    if flavour in AGENT_ACTOR:
        provenance, deployed = "ai_executed", started
    else:
        provenance = _code_provenance(rng, flavour, ai)
        deployed = started - int(rng.lognormvariate(LOG_DEPLOY_LEAD, 0.8) * MINUTE)
    role = "suspect" if ai["involvement"] == "suspected" else scenario.get("change_role", "trigger")
    changes = [_change(rng, ctx["ref"], scenario["change"].format_map(ctx), role, provenance, deployed, ai)]
    older = pick(rng, ODDS["extra_ai_code" if ai["tool"] else "human_code"])
    for _ in range(0 if flavour == "drill" else (rng.random() < 0.45) + (rng.random() < 0.15)):
        description = choice(rng, vocab.EXTRA_CHANGES).format_map(ctx)
        role = "contributing" if rng.random() < 0.6 else "suspect"
        deployed = started - between(rng, 1, 30) * DAY
        changes.append(_change(rng, f"{rng.getrandbits(28):07x}", description, role, older, deployed, ai))
    return changes


def _code_provenance(rng: random.Random, flavour: str, ai: dict) -> str:
    """Dark code when a confirmed AI change met no working review gate."""
    if flavour != "codegen":
        return pick(rng, ODDS["human_code"])
    if ai["involvement"] == "suspected":
        return pick(rng, ODDS["maybe_ai_code"])
    return "ai_generated_unreviewed" if ai["approval_gate"] in ("bypassed", "absent") else pick(rng, ODDS["dark_code"])


def _change(rng: random.Random, ref: str, description: str, role: str, provenance: str, deployed: int,
            ai: dict) -> dict:
    """One change; reviewed_by stays empty when nobody reviewed it."""
    unreviewed = (provenance in ("ai_generated_unreviewed", "unknown") or rng.random() < 0.08
                  or (provenance == "ai_executed" and ai["approval_gate"] != "enforced"))
    return {"ref": ref, "description": description, "role": role, "provenance": provenance,
            "reviewed_by": None if unreviewed else choice(rng, vocab.PEERS), "deployed_at": iso(deployed)}


def _attribution(rng: random.Random, ai: dict, scenario: dict, ctx: dict, kind: str, resolved: bool,
                 first_day: int, end_day: int) -> dict:
    """The COE's own finding, and the claims others made about the cause."""
    involvement, cause = ai["involvement"], scenario["cause"]
    if kind == "drill" or involvement == "none":
        contribution = "none"
    elif involvement == "unknown":
        contribution = "undetermined"
    else:
        contribution = pick(rng, ODDS[f"{involvement}_contribution"])
    if contribution == "primary":
        primary = "ai_tool"
    elif contribution == "undetermined" and involvement == "suspected":
        primary = "undetermined"
    else:
        primary = "process_gap" if cause == "ai_tool" else cause
    claims = _claims(rng, ai, primary, ctx, first_day, end_day) if kind != "drill" and resolved else []
    return {"ai_contribution": contribution, "primary_cause": primary, "claims": claims}


def _claims(rng: random.Random, ai: dict, primary: str, ctx: dict, first_day: int, end_day: int) -> list[dict]:
    """Contested for about one AI incident in nine; otherwise an internal claim, sometimes echoed by the vendor."""
    involved = ai["involvement"] in ("suspected", "confirmed")
    days = (first_day, end_day)
    if involved and rng.random() < 0.11:
        claims = [_claim(rng, "press", "ai_tool", ctx, *days), _claim(rng, "vendor", "human_error", ctx, *days)]
        if rng.random() < 0.5:
            claims.append(_claim(rng, "analyst", choice(rng, ("process_gap", "shared")), ctx, *days))
        return claims
    if rng.random() >= (0.45 if involved else 0.2):
        return []
    claims = [_claim(rng, "internal", primary, ctx, *days)]
    if primary == "ai_tool" and ai["vendor"] != "in-house" and rng.random() < 0.3:
        claims.append(_claim(rng, "vendor", "ai_tool", ctx, *days))
    return claims


def _claim(rng: random.Random, source_kind: str, attributes_to: str, ctx: dict, first_day: int, end_day: int) -> dict:
    """One attribution claim, stated a few days to two months after the incident."""
    if source_kind == "internal":
        statement = vocab.INTERNAL_STATEMENTS[attributes_to]
    else:
        statement = choice(rng, vocab.CLAIM_STATEMENTS[source_kind, attributes_to])
    if source_kind != "vendor":
        source = choice(rng, vocab.CLAIM_SOURCES[source_kind])
    elif ctx["vendor"] == "in-house":  # the maker of an in-house tool speaks from inside the company
        source, source_kind = "Ops automation team", "internal"
    else:
        source = ctx["vendor"]
    press = source_kind == "press"
    return {
        "source": source.format_map(ctx), "source_kind": source_kind, "attributes_to": attributes_to,
        "confidence": "potential" if source_kind in ("press", "analyst") and rng.random() < 0.8 else "known",
        "statement": statement.format_map(ctx),
        "url": f"https://news.example.com/articles/{between(rng, 10_000, 99_999)}" if press else None,
        "stated_on": day(min(first_day + between(rng, 2, 60), end_day)),
    }


def fill(session: Session, *, incidents: int = 500, seed: int = 7, actor: str) -> list[str]:
    """Import the history and its teams' change volumes in the caller's transaction; the new incidents' keys."""
    source = f"coe demo --seed {seed}"
    keys = services.import_batches(session, batches=batches(incidents, seed), actor=actor, source=source)
    volumes.import_volumes(session, rows=change_volumes(incidents, seed), actor=actor, source=source)
    return keys


def change_volumes(incidents: int = 500, seed: int = 7, *, end: date | None = None) -> list[dict]:
    """Monthly change volumes per team for the same history (coe.volumes rows), deterministic for a seed."""
    return demo_followup.change_volumes(incidents, seed, end=end or DEFAULT_END, days=HISTORY_DAYS)


def batches(incidents: int = 500, seed: int = 7, *, size: int = 2_000) -> Iterator[list[Incident]]:
    """The same history as validated documents, `size` at a time, so memory stays flat."""
    records = generate(incidents, seed)
    while chunk := list(islice(records, size)):
        yield parse_records(chunk, nul_check=False)  # the generator writes no NUL characters
