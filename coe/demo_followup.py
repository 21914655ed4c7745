"""What surrounds an incident in the demo history: action items, the review workflow, external references,
and the teams' monthly change volumes."""

import random
from datetime import date, timedelta
from math import log

from coe import demo_text as vocab
from coe.demo_draw import DAY, between, choice, day, distinct, iso, pick, table
from coe.enums import CHECKLIST

ODDS = {name: table(odds) for name, odds in vocab.ODDS.items()}
PRIORITY = {severity: table(odds) for severity, odds in vocab.PRIORITY_ODDS.items()}
LOG_PUBLISH_DAYS = log(8)  # median days from resolution to approval
REVIEWERS = vocab.BAR_RAISERS + vocab.APPROVERS


def action_items(rng: random.Random, ctx: dict, severity: str, involved: bool, first_day: int, end_day: int,
                  still_open: bool) -> list[dict]:
    """One to five items; AI incidents lead with governance controls; older ones mostly done."""
    count = pick(rng, ODDS["action_count"])
    governance = min(count, 1 + (rng.random() < 0.6) + (rng.random() < 0.3)) if involved else 0
    chosen = distinct(rng, vocab.AI_ACTIONS, governance) + distinct(rng, vocab.COMMON_ACTIONS, count - governance)
    items = []
    for kind, control, owner, title in chosen:
        due = first_day + between(rng, 7, 60)
        behind = end_day - due
        if behind < 0 or still_open:
            status = pick(rng, ODDS["status_not_due"])
        else:
            status = pick(rng, ODDS["status_recently_due" if behind <= 30 else "status_long_past"])
        done = status == "done"
        ticket = f"{ctx['team'].upper()}-{between(rng, 100, 9999)}" if rng.random() < 0.5 else None
        items.append({
            "title": title.format_map(ctx), "kind": kind, "control": control, "owner": owner.format_map(ctx),
            "priority": pick(rng, PRIORITY[severity]), "due_on": day(due), "status": status,
            "completed_on": day(min(max(due + int(rng.gauss(-2, 10)), first_day + 1), end_day)) if done else None,
            "ticket_url": f"https://tracker.example.com/browse/{ticket}" if ticket else None,
        })
    return items


def workflow(rng: random.Random, members: tuple, resolved: int | None, until: int) -> tuple[str, list, list]:
    """Status, reviews and authors: approved by a non-author 2–45 days (typically 3–20) after resolution."""
    authors = distinct(rng, members, 1 + (rng.random() < 0.3))
    if resolved is None:
        return "draft", [], authors
    delay = int(min(max(rng.lognormvariate(LOG_PUBLISH_DAYS, 0.55), 2.0), 45.0) * DAY)
    reviewers = [name for name in REVIEWERS if name not in authors]
    planned = []  # (at, reviewer, role, decision)
    if rng.random() < 0.3:
        peer = choice(rng, [name for name in vocab.PEERS if name not in authors])
        planned.append((resolved + int(delay * rng.uniform(0.15, 0.4)), peer, "peer", "comment"))
    if rng.random() < 0.25:
        reviewer = choice(rng, reviewers)
        planned.append((resolved + int(delay * rng.uniform(0.45, 0.8)), reviewer, None, "request_changes"))
    approved = resolved + delay <= until and rng.random() >= 0.03
    if approved:
        planned.append((resolved + delay, choice(rng, reviewers), None, "approve"))
    reviews = [review(rng, reviewer, role, decision, at) for at, reviewer, role, decision in planned if at <= until]
    if approved:
        return ("published" if rng.random() < 0.93 else "approved"), reviews, authors
    returned = bool(reviews) and reviews[-1]["decision"] == "request_changes" and rng.random() < 0.5
    return ("draft" if returned or (not reviews and rng.random() < 0.45) else "in_review"), reviews, authors


def review(rng: random.Random, reviewer: str, role: str | None, decision: str, at: int) -> dict:
    """One review; an approval ticks the whole checklist, a change request leaves two items open."""
    checklist = dict.fromkeys(CHECKLIST, decision != "comment")
    if decision == "request_changes":
        for key in distinct(rng, CHECKLIST, 2):
            checklist[key] = False
    role = role or ("bar_raiser" if reviewer in vocab.BAR_RAISERS else "approver")
    return {"reviewer": reviewer, "role": role, "decision": decision, "checklist": checklist,
            "comment": choice(rng, vocab.REVIEW_COMMENTS[decision]), "at": iso(at)}


def external_refs(rng: random.Random, number: int, severity: str, attribution: dict) -> list[dict]:
    """A ticket for most incidents, a status page for bad ones, an AIID entry for some press-covered ones."""
    refs = []
    if rng.random() < 0.6:
        ticket = f"INC-{1200 + 2 * number + between(rng, 0, 1)}"
        refs.append({"system": "ticket", "id": ticket, "url": f"https://tickets.example.com/browse/{ticket}"})
    if severity in ("sev1", "sev2") and rng.random() < 0.5:
        page = f"{rng.getrandbits(40):010x}"
        refs.append({"system": "status_page", "id": page, "url": f"https://status.example.com/incidents/{page}"})
    if any(claim["source_kind"] == "press" for claim in attribution["claims"]) and rng.random() < 0.4:
        entry = str(between(rng, 1_000, 1_400))
        refs.append({"system": "aiid", "id": entry, "url": f"https://incidentdatabase.example.org/cite/{entry}"})
    return refs


# Changes that fail, per change, by provenance: AI-generated changes fail more often than human ones.
DEMO_CFR = {"ai": 0.04, "human": 0.025}
# Share of incidents with a causal change of that provenance, at the start and the end of the history.
CAUSAL_SHARE = {"ai": (0.05, 0.32), "human": (0.87, 0.64)}


def change_volumes(incidents: int, seed: int, *, end: date, days: int) -> list[dict]:
    """Changes shipped per team and month over the history, sized so the demo's change failure rates are plausible.

    Deterministic for a seed; the AI-generated share rises as the incidents' AI share does.
    """
    rng = random.Random(f"volumes-{seed}")
    first = end - timedelta(days=days - 1)  # the history ends with the `end` day
    months = [f"{year:04d}-{month:02d}" for year in range(first.year, end.year + 1) for month in range(1, 13)
              if f"{first:%Y-%m}" <= f"{year:04d}-{month:02d}" <= f"{end:%Y-%m}"]
    odds = vocab.ODDS["kind"]
    per_team_month = incidents * odds["incident"] / sum(odds.values()) / len(months) / len(vocab.TEAMS)
    rows = []
    for number, month in enumerate(months):
        progress = (number + 0.5) / len(months)
        for team, *_ in vocab.TEAMS:
            counts = {side: round(per_team_month * (start + (stop - start) * progress) / DEMO_CFR[side]
                                  * rng.uniform(0.85, 1.15))
                      for side, (start, stop) in CAUSAL_SHARE.items()}
            rows.append({"month": month, "team": team, "changes_total": counts["ai"] + counts["human"],
                         "changes_ai_generated": counts["ai"]})
    return rows
