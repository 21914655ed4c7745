"""A deterministic, believable synthetic history of COEs for a mid-size engineering organisation."""

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from itertools import accumulate
from math import log

from coe import demo_text as vocab

DEFAULT_END = date(2026, 10, 31)
HISTORY_DAYS = 730
DAY, MINUTE = 86_400, 60
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
VERSIONS = tuple(f"v{major}.{minor}.{patch}" for major in range(1, 5) for minor in range(31) for patch in range(10))
CLOCK = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))


def _table(odds: dict) -> tuple[tuple, tuple]:
    """A {value: weight} dict as the (values, cumulative weights) table `_pick` draws from."""
    return tuple(odds), tuple(accumulate(odds.values()))


def _pick(rng: random.Random, table: tuple[tuple, tuple]):
    """One value of a `_table`, as often as its weight says."""
    values, cumulative = table
    return values[bisect(cumulative, rng.random() * cumulative[-1])]


def _choice(rng: random.Random, seq: tuple | list):
    """One element of a non-empty sequence (cheaper than Random.choice)."""
    return seq[int(rng.random() * len(seq))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high] (cheaper than Random.randint)."""
    return low + int(rng.random() * (high - low + 1))


def _distinct(rng: random.Random, seq: tuple | list, k: int) -> list:
    """k different elements of a sequence, in random order."""
    pool, chosen = list(seq), []
    for _ in range(k):
        chosen.append(pool.pop(int(rng.random() * len(pool))))
    return chosen


TOOLS = _table({tool[:4]: tool[4] for tool in vocab.AI_TOOLS})
ODDS = {name: _table(odds) for name, odds in vocab.ODDS.items()}
AUTONOMY = {mode: _table(odds) for mode, odds in vocab.AUTONOMY_ODDS.items()}
PRIORITY = {severity: _table(odds) for severity, odds in vocab.PRIORITY_ODDS.items()}
LOG_MEDIAN = {name: {key: log(value) for key, value in medians.items()} for name, medians in vocab.MEDIANS.items()}
LOG_PUBLISH_DAYS = log(8)  # median days from resolution to approval
AGENTIC = ("agent", "autonomous_ops")
PIPELINE = ("automation", "deploy pipeline")
AGENT_ACTOR = {"agent": "coding agent", "near_miss_ai": "coding agent", "ops": "ops agent"}
REVIEWERS = vocab.BAR_RAISERS + vocab.APPROVERS
CHECKLIST_KEYS = ("timeline_complete", "impact_quantified", "root_cause_deep_enough", "actions_owned_and_dated", "ai_fields_complete")


def generate(incidents: int = 500, seed: int = 7, *, end: date | None = None) -> Iterator[dict]:
    """Yield `incidents` coe/v1 incident dicts (JSON-ready: timestamps as ISO-8601 strings with +00:00, dates as YYYY-MM-DD), oldest first."""
    rng = random.Random(seed)
    until = ((end or DEFAULT_END).toordinal() - EPOCH_ORDINAL + 1) * DAY  # the end of the `end` day, in epoch seconds
    since = until - HISTORY_DAYS * DAY
    for number in range(incidents):
        progress = (number + rng.random()) / incidents
        started = (since + int(progress * (until - since))) // MINUTE * MINUTE
        yield _incident(rng, number, started, progress, until)


def _incident(rng: random.Random, number: int, started: int, progress: float, until: int) -> dict:
    """One incident, from its kind and scenario down to its review trail."""
    kind = _pick(rng, ODDS["kind"])
    team, services, tables, members = _choice(rng, vocab.TEAMS)
    ai = _ai_involvement(rng, kind, progress)
    flavour = _flavour(kind, ai)
    scenario = _choice(rng, vocab.SCENARIOS[flavour])
    _apply_scenario(rng, ai, scenario)
    environment = _choice(rng, ("production", "staging")) if kind == "drill" else _pick(rng, ODDS["environment"])
    severity = _pick(rng, ODDS["severity" if kind == "incident" and environment == "production" else "mild_severity"])
    detection = ("ai_agent" if rng.random() < 0.02 + 0.08 * progress else _pick(rng, ODDS["detection"])) if kind != "drill" else "alarm"
    times = _times(rng, severity, detection, started, progress, until)
    regions = _distinct(rng, vocab.REGIONS, _pick(rng, ODDS["region_count"]) + 1)
    ctx = _context(rng, team, services, tables, regions, ai, times, flavour)
    customers = _customers_affected(rng, kind, environment, severity, times[4] is not None)
    ctx["customers"] = "" if customers is None else f"{customers:,}"
    involved = ai["involvement"] in ("suspected", "confirmed")
    first_day, end_day = started // DAY + EPOCH_ORDINAL, until // DAY + EPOCH_ORDINAL - 1
    attribution = _attribution(rng, ai, scenario, ctx, kind, times[4] is not None, first_day, end_day)
    status, reviews, authors = _workflow(rng, members, times[4], until)
    narrative = _narrative(rng, kind, severity, scenario, ctx, times[4] is not None)
    started_at, detected_at, acknowledged_at, mitigated_at, resolved_at = map(_iso, times)
    fmt = str.format_map
    return {
        "title": fmt(_choice(rng, scenario["titles"]), ctx),
        "status": status,
        "kind": kind,
        "severity": severity,
        "services": [ctx["service"]] if rng.random() < 0.75 else [ctx["service"], ctx["service2"]],
        "team": team,
        "regions": regions[:-1],
        "environment": environment,
        "started_at": started_at,
        "detected_at": detected_at,
        "acknowledged_at": acknowledged_at,
        "mitigated_at": mitigated_at,
        "resolved_at": resolved_at,
        "customer_impact": _customer_impact(rng, kind, environment, customers, ctx),
        "customers_affected": customers,
        "detection_method": detection,
        **narrative,
        "root_cause_category": scenario["category"],
        "five_whys": [{"question": fmt(q, ctx), "answer": fmt(a, ctx)} for q, a in scenario["whys"][: _between(rng, 3, 5)]],
        "contributing_factors": _contributing_factors(rng, scenario, ctx, involved),
        "lessons": _lessons(rng, ctx, involved),
        "cut_in_half": {"detection": fmt(_choice(rng, vocab.CUT_DETECTION), ctx), "mitigation": fmt(_choice(rng, vocab.CUT_MITIGATION), ctx)},
        "timeline": _timeline(rng, scenario, narrative["trigger"], ctx, flavour, detection, times, severity),
        "changes": _changes(rng, scenario, ctx, flavour, ai, started),
        "action_items": _action_items(rng, ctx, severity, involved, first_day, end_day, times[4] is None),
        "ai": ai,
        "attribution": attribution,
        "reviews": reviews,
        "external_refs": _external_refs(rng, number, severity, attribution, ctx),
        "authors": authors,
    }


def _iso(seconds: int | None) -> str | None:
    """Epoch seconds as an ISO-8601 UTC timestamp, floored to the minute as people record them."""
    if seconds is None:
        return None
    day, rest = divmod(seconds, DAY)
    return f"{_day(day + EPOCH_ORDINAL)}T{CLOCK[rest // MINUTE]}:00+00:00"


@lru_cache(maxsize=4096)
def _day(ordinal: int) -> str:
    """A proleptic Gregorian ordinal as YYYY-MM-DD."""
    return date.fromordinal(ordinal).isoformat()


def _ai_involvement(rng: random.Random, kind: str, progress: float) -> dict:
    """The `ai` object: rising share over time; agents more common later."""
    share = 0.0 if kind == "drill" else 0.15 + 0.6 * progress if kind == "near_miss" else 0.05 + 0.40 * progress
    if rng.random() >= share:
        return {"involvement": "unknown" if rng.random() < 0.05 else "none", "tool": None, "vendor": None, "model": None,
                "mode": None, "autonomy": None, "approval_gate": "not_applicable", "gate_bypass": None, "permission_scope": "unknown",
                "permissions_inherited": None, "destructive_actions": [], "spec_reviewed": None}
    tool, vendor, models, modes = _pick(rng, TOOLS)
    if len(modes) == 1 or ("agent" in modes and (kind == "near_miss" or rng.random() < 0.25 + 0.45 * progress)):
        mode = modes[0] if len(modes) == 1 else "agent"
    else:
        mode = _choice(rng, [m for m in modes if m != "agent"])
    agentic = mode in AGENTIC
    gate = _pick(rng, ODDS["agent_gate" if agentic else "code_gate"])
    return {
        "involvement": "confirmed" if rng.random() < (0.9 if agentic else 0.5) else "suspected",
        "tool": tool, "vendor": vendor, "model": _choice(rng, models), "mode": mode,
        "autonomy": _pick(rng, AUTONOMY[mode]),
        "approval_gate": gate,
        "gate_bypass": _choice(rng, vocab.AGENT_BYPASSES if agentic else vocab.CODE_BYPASSES) if gate == "bypassed" else None,
        "permission_scope": _pick(rng, ODDS["agent_scope" if agentic else "code_scope"]),
        "permissions_inherited": _pick(rng, ODDS["agent_inherited" if agentic else "code_inherited"]),
        "destructive_actions": [],
        "spec_reviewed": _pick(rng, ODDS["spec_reviewed"]),
    }


def _flavour(kind: str, ai: dict) -> str:
    """Which family of scenarios fits the kind and the AI involvement."""
    if kind == "drill":
        return "drill"
    if ai["tool"] is None:
        return "near_miss" if kind == "near_miss" else "human"
    if kind == "near_miss":
        return "near_miss_ai"
    return {"agent": "agent", "autonomous_ops": "ops"}.get(ai["mode"], "codegen")


def _apply_scenario(rng: random.Random, ai: dict, scenario: dict) -> None:
    """Agentic scenarios name their destructive steps and restrict gate, scope or inheritance to what their story allows."""
    ai["destructive_actions"] = list(scenario.get("destructive", ()))
    for field, allowed in scenario.get("ai", {}).items():
        if ai[field] not in allowed:
            ai[field] = _choice(rng, allowed)
    if ai["approval_gate"] != "bypassed":
        ai["gate_bypass"] = None
    elif ai["gate_bypass"] is None:
        ai["gate_bypass"] = _choice(rng, vocab.AGENT_BYPASSES)


def _times(rng: random.Random, severity: str, detection: str, started: int, progress: float, until: int) -> list:
    """started, detected, acknowledged, mitigated, resolved as epoch seconds; a few recent ones still open."""
    lognormal = rng.lognormvariate
    detected = started + int(lognormal(LOG_MEDIAN["ttd"][detection], 0.9) * MINUTE)
    acknowledged = detected + int(lognormal(LOG_MEDIAN["ack"][severity], 0.7) * MINUTE)
    mitigated = acknowledged + int(lognormal(LOG_MEDIAN["fix"][severity], 0.8) * MINUTE)
    resolved = mitigated + int(lognormal(LOG_MEDIAN["cleanup"][severity], 0.8) * MINUTE)
    if progress > 0.965 and rng.random() < 0.8:
        resolved = None
        mitigated = None if rng.random() < 0.5 else mitigated
    return [t if t is not None and t <= until else None for t in (started, detected, acknowledged, mitigated, resolved)]


def _context(rng: random.Random, team: str, services: tuple, tables: tuple, regions: list, ai: dict, times: list, flavour: str) -> dict:
    """The names and numbers the templates substitute."""
    index = int(rng.random() * len(services))
    service, service2 = services[index], services[(index + _between(rng, 1, len(services) - 1)) % len(services)]
    started, detected, _, mitigated, resolved = times
    ended = resolved or mitigated
    if flavour in ("agent", "ops", "near_miss_ai"):
        ref = f"agent-session-{rng.getrandbits(24):06x}"
    elif rng.random() < 0.5:
        ref = f"{service}#{_between(rng, 1200, 9800)}"
    else:
        ref = f"deploy-{_day(started // DAY + EPOCH_ORDINAL).replace('-', '')}-{_between(rng, 1, 40)}"
    return {
        "service": service, "service2": service2, "team": team, "region": regions[0], "region2": regions[-1],
        "tool": ai["tool"] or "an AI tool", "vendor": ai["vendor"] or "", "dep": _choice(rng, vocab.DEPENDENCIES), "config": _choice(rng, vocab.CONFIG_KEYS),
        "table": _choice(rng, tables), "flag": _choice(rng, vocab.FLAGS), "ref": ref, "n": _between(rng, 2, 12), "pct": _between(rng, 15, 90),
        "version": _choice(rng, VERSIONS),
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
    return None if not resolved or rng.random() < 0.2 else max(1, int(rng.lognormvariate(LOG_MEDIAN["customers"][severity], 1.0)))


def _customer_impact(rng: random.Random, kind: str, environment: str, customers: int | None, ctx: dict) -> str:
    """One or two sentences on who was hurt and how."""
    if kind == "drill":
        return "None: planned exercise."
    if kind == "near_miss":
        return "None: stopped before it reached customers."
    if environment != "production":
        return f"No customer impact ({environment} only)."
    return (_choice(rng, vocab.IMPACT_UNCOUNTED) if customers is None else _choice(rng, vocab.IMPACT_COUNTED)).format_map(ctx)


def _narrative(rng: random.Random, kind: str, severity: str, scenario: dict, ctx: dict, resolved: bool) -> dict:
    """summary, trigger, root_cause and resolution."""
    trigger = _choice(rng, scenario["trigger"]).format_map(ctx)
    opener = {"near_miss": "Near miss, no impact.", "drill": "Planned game day."}.get(kind) or _choice(rng, vocab.SYMPTOMS[severity]).format_map(ctx)
    resolution = _choice(rng, scenario["resolution"]).format_map(ctx) if resolved else "Not resolved yet; work continues."
    return {"summary": f"{opener} {trigger}", "trigger": trigger,
            "root_cause": _choice(rng, scenario["root_cause"]).format_map(ctx), "resolution": resolution}


def _contributing_factors(rng: random.Random, scenario: dict, ctx: dict, involved: bool) -> list[dict]:
    """One to three factors: the scenario's own, sometimes a generic one."""
    factors = list(scenario["factors"][: 1 + (rng.random() < 0.6)])
    if rng.random() < 0.35:
        factors.append(_choice(rng, vocab.GENERIC_FACTORS["ai" if involved else "human"]))
    return [{"category": category, "description": description.format_map(ctx)} for category, description in factors]


def _lessons(rng: random.Random, ctx: dict, involved: bool) -> dict:
    """What went well, what went wrong, where we got lucky."""
    wrong = vocab.LESSONS["went_wrong_ai" if involved else "went_wrong"]
    return {
        "went_well": [s.format_map(ctx) for s in _distinct(rng, vocab.LESSONS["went_well"], 1 + (rng.random() < 0.4))],
        "went_wrong": [s.format_map(ctx) for s in _distinct(rng, wrong, 1 + (rng.random() < 0.5))],
        "got_lucky": [_choice(rng, vocab.LESSONS["got_lucky"]).format_map(ctx)] if rng.random() < 0.5 else [],
    }


def _timeline(rng: random.Random, scenario: dict, trigger: str, ctx: dict, flavour: str, detection: str, times: list, severity: str) -> list[dict]:
    """Three to eight events in time order, from the trigger to the resolution."""
    started, detected, acknowledged, mitigated, resolved = times
    agent = AGENT_ACTOR.get(flavour)
    events = [(started, trigger, "ai_agent", agent, "trigger") if agent else (started, trigger, *scenario.get("by", PIPELINE), "trigger")]
    if agent:
        description, kind = _choice(rng, vocab.AGENT_START)
        events.append((started - _between(rng, 2, 30) * MINUTE, description.format_map(ctx), kind, agent, "trigger"))
    if detected is not None:
        description, kind, actor = _choice(rng, vocab.DETECTION_EVENTS[detection])
        events.append((detected, description.format_map(ctx), kind, actor, "detection"))
    if acknowledged is not None:
        description, kind, actor = _choice(rng, vocab.ESCALATION_EVENTS)
        events.append((acknowledged, description.format_map(ctx), kind, actor, "escalation"))
        later = mitigated or resolved or acknowledged + 3600
        if severity in ("sev1", "sev2", "sev3") and flavour not in ("drill", "near_miss", "near_miss_ai"):
            events.append((acknowledged + (later - acknowledged) // 4, *vocab.COMMS_EVENT, "other"))
        for description, kind, actor in _distinct(rng, vocab.DIAGNOSIS_EVENTS, min(_between(rng, 0, 2), 8 - len(events) - 2)):
            events.append((acknowledged + int((later - acknowledged) * rng.uniform(0.3, 0.9)), description.format_map(ctx), kind, actor, "diagnosis"))
    if mitigated is not None:
        events.append((mitigated, _choice(rng, scenario["resolution"]).format_map(ctx), "human", "on-call engineer", "mitigation"))
    if resolved is not None:
        description, kind, actor = _choice(rng, vocab.RESOLUTION_EVENTS)
        events.append((resolved, description, kind, actor, "resolution"))
    events.sort()
    return [{"at": _iso(at), "description": d, "actor_kind": k, "actor": a, "phase": p} for at, d, k, a, p in events]


def _changes(rng: random.Random, scenario: dict, ctx: dict, flavour: str, ai: dict, started: int) -> list[dict]:
    """The trigger change with its provenance, plus up to two older contributing or suspect changes."""
    agentic = flavour in ("agent", "ops", "near_miss_ai")
    if agentic:
        provenance, deployed = "ai_executed", started
    else:
        provenance, deployed = _code_provenance(rng, flavour, ai), started - int(rng.lognormvariate(log(25), 0.8) * MINUTE)
    role = "suspect" if ai["involvement"] == "suspected" else scenario.get("change_role", "trigger")
    changes = [_change(rng, ctx["ref"], scenario["change"].format_map(ctx), role, provenance, deployed, ai)]
    extra = _pick(rng, ODDS["extra_ai_code"] if ai["tool"] else ODDS["human_code"])
    for _ in range((rng.random() < 0.45) + (rng.random() < 0.15)):
        changes.append(_change(rng, f"{rng.getrandbits(28):07x}", _choice(rng, vocab.EXTRA_CHANGES).format_map(ctx),
                               "contributing" if rng.random() < 0.6 else "suspect", extra, started - _between(rng, 1, 30) * DAY, ai))
    return changes


def _code_provenance(rng: random.Random, flavour: str, ai: dict) -> str:
    """Dark code when a confirmed AI change met no working review gate."""
    if flavour != "codegen":
        return _pick(rng, ODDS["human_code"])
    if ai["involvement"] == "suspected":
        return _pick(rng, ODDS["maybe_ai_code"])
    return "ai_generated_unreviewed" if ai["approval_gate"] in ("bypassed", "absent") else _pick(rng, ODDS["dark_code"])


def _change(rng: random.Random, ref: str, description: str, role: str, provenance: str, deployed: int, ai: dict) -> dict:
    """One change; reviewed_by stays empty when nobody reviewed it."""
    unreviewed = provenance in ("ai_generated_unreviewed", "unknown") or (
        provenance == "ai_executed" and ai["approval_gate"] != "enforced") or rng.random() < 0.08
    return {"ref": ref, "description": description, "role": role, "provenance": provenance,
            "reviewed_by": None if unreviewed else _choice(rng, vocab.PEERS), "deployed_at": _iso(deployed)}


def _attribution(rng: random.Random, ai: dict, scenario: dict, ctx: dict, kind: str, resolved: bool, first_day: int, end_day: int) -> dict:
    """The COE's own finding, and the claims others made about the cause."""
    involvement, cause = ai["involvement"], scenario["cause"]
    if kind == "drill":
        contribution = "none"
    elif involvement in ("confirmed", "suspected"):
        contribution = _pick(rng, ODDS["confirmed_contribution" if involvement == "confirmed" else "suspected_contribution"])
    else:
        contribution = "undetermined" if involvement == "unknown" else "none"
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
    if involved and rng.random() < 0.11:
        claims = [_claim(rng, "press", "ai_tool", ctx, first_day, end_day), _claim(rng, "vendor", "human_error", ctx, first_day, end_day)]
        if rng.random() < 0.5:
            claims.append(_claim(rng, "analyst", _choice(rng, ("process_gap", "shared")), ctx, first_day, end_day))
        return claims
    if rng.random() >= (0.45 if involved else 0.2):
        return []
    claims = [_claim(rng, "internal", primary, ctx, first_day, end_day)]
    if primary == "ai_tool" and ai["vendor"] != "in-house" and rng.random() < 0.3:
        claims.append(_claim(rng, "vendor", "ai_tool", ctx, first_day, end_day))
    return claims


def _claim(rng: random.Random, source_kind: str, attributes_to: str, ctx: dict, first_day: int, end_day: int) -> dict:
    """One attribution claim, stated a few days to two months after the incident."""
    if source_kind == "internal":
        statement = vocab.INTERNAL_STATEMENTS[attributes_to]
    else:
        statement = _choice(rng, vocab.CLAIM_STATEMENTS[source_kind, attributes_to])
    if source_kind != "vendor":
        source = _choice(rng, vocab.CLAIM_SOURCES[source_kind])
    elif ctx["vendor"] == "in-house":  # an in-house tool's maker speaks from inside the company
        source, source_kind = "Ops automation team", "internal"
    else:
        source = ctx["vendor"]
    return {
        "source": source.format_map(ctx), "source_kind": source_kind, "attributes_to": attributes_to,
        "confidence": "potential" if source_kind in ("press", "analyst") and rng.random() < 0.8 else "known",
        "statement": statement.format_map(ctx),
        "url": f"https://news.example.com/articles/{_between(rng, 10_000, 99_999)}" if source_kind == "press" else None,
        "stated_on": _day(min(first_day + _between(rng, 2, 60), end_day)),
    }


def _action_items(rng: random.Random, ctx: dict, severity: str, involved: bool, first_day: int, end_day: int, still_open: bool) -> list[dict]:
    """One to five items; AI incidents lead with governance controls; older ones mostly done."""
    count = _pick(rng, ODDS["action_count"])
    governance = min(count, 1 + (rng.random() < 0.6) + (rng.random() < 0.3)) if involved else 0
    chosen = _distinct(rng, vocab.AI_ACTIONS, governance) + _distinct(rng, vocab.COMMON_ACTIONS, count - governance)
    items = []
    for kind, control, owner, title in chosen:
        due = first_day + _between(rng, 7, 60)
        behind = end_day - due
        table = ODDS["status_not_due"] if behind < 0 or still_open else ODDS["status_recently_due"] if behind <= 30 else ODDS["status_long_past"]
        status = _pick(rng, table)
        completed = _day(min(max(due + int(rng.gauss(-2, 10)), first_day + 1), end_day)) if status == "done" else None
        items.append({
            "title": title.format_map(ctx), "kind": kind, "control": control, "owner": owner.format_map(ctx),
            "priority": _pick(rng, PRIORITY[severity]), "due_on": _day(due), "status": status, "completed_on": completed,
            "ticket_url": f"https://tracker.example.com/browse/{ctx['team'].upper()}-{_between(rng, 100, 9999)}" if rng.random() < 0.5 else None,
        })
    return items


def _workflow(rng: random.Random, members: tuple, resolved: int | None, until: int) -> tuple[str, list[dict], list[str]]:
    """Status, reviews and authors: approved by a non-author 2–45 days (typically 3–20) after resolution."""
    authors = _distinct(rng, members, 1 + (rng.random() < 0.3))
    if resolved is None:
        return "draft", [], authors
    delay = int(min(max(rng.lognormvariate(LOG_PUBLISH_DAYS, 0.55), 2.0), 45.0) * DAY)
    reviewers = [name for name in REVIEWERS if name not in authors]
    reviews = []
    if rng.random() < 0.3:
        peer = _choice(rng, [name for name in vocab.PEERS if name not in authors])
        reviews.append(_review(rng, peer, "peer", "comment", resolved + int(delay * rng.uniform(0.15, 0.4))))
    if rng.random() < 0.25:
        reviews.append(_review(rng, _choice(rng, reviewers), None, "request_changes", resolved + int(delay * rng.uniform(0.45, 0.8))))
    if resolved + delay <= until and rng.random() >= 0.03:
        reviews.append(_review(rng, _choice(rng, reviewers), None, "approve", resolved + delay))
        return ("published" if rng.random() < 0.88 else "approved"), _dated(reviews), authors
    reviews = [review for review in reviews if review["at"] <= until]
    last = reviews[-1]["decision"] if reviews else None
    returned = last == "request_changes" and rng.random() < 0.5
    return ("draft" if returned or (not reviews and rng.random() < 0.45) else "in_review"), _dated(reviews), authors


def _review(rng: random.Random, reviewer: str, role: str | None, decision: str, at: int) -> dict:
    """One review; an approval ticks the whole checklist, a change request leaves two items open."""
    checklist = dict.fromkeys(CHECKLIST_KEYS, decision != "comment")
    if decision == "request_changes":
        for key in _distinct(rng, CHECKLIST_KEYS, 2):
            checklist[key] = False
    role = role or ("bar_raiser" if reviewer in vocab.BAR_RAISERS else "approver")
    return {"reviewer": reviewer, "role": role, "decision": decision, "checklist": checklist,
            "comment": _choice(rng, vocab.REVIEW_COMMENTS[decision]), "at": at}


def _dated(reviews: list[dict]) -> list[dict]:
    """Reviews with their times written as timestamps."""
    for review in reviews:
        review["at"] = _iso(review["at"])
    return reviews


def _external_refs(rng: random.Random, number: int, severity: str, attribution: dict, ctx: dict) -> list[dict]:
    """A ticket for most incidents, a status page for bad ones, an AIID entry for some press-covered ones."""
    refs = []
    if rng.random() < 0.6:
        ticket = f"INC-{1200 + 2 * number + _between(rng, 0, 1)}"
        refs.append({"system": "ticket", "id": ticket, "url": f"https://tickets.example.com/browse/{ticket}"})
    if severity in ("sev1", "sev2") and rng.random() < 0.5:
        page = f"{rng.getrandbits(40):010x}"
        refs.append({"system": "status_page", "id": page, "url": f"https://status.example.com/incidents/{page}"})
    if any(c["source_kind"] == "press" for c in attribution["claims"]) and rng.random() < 0.4:
        entry = str(_between(rng, 1_000, 1_400))
        refs.append({"system": "aiid", "id": entry, "url": f"https://incidentdatabase.example.org/cite/{entry}"})
    return refs
