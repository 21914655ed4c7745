"""Four processes edit one COE at once: every edit is applied or refused as a Conflict, and the chain stays linear."""

import copy
import json
import subprocess
import sys
import time

from sqlalchemy import func, select

from coe import audit, services, verify
from coe.db import engine_for, reading, writing
from coe.validation import parse_incident

PROCESSES, EDITS = 4, 100

# One editor: read the COE, change its summary, save it with the version read; say how each attempt ended.
EDITOR = """
import json, os, sys
from coe import services
from coe.db import engine_for, reading, writing
from coe.errors import Conflict

url, key, edits = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = engine_for(url)
with reading(engine) as session:
    services.get_incident(session, key=key)  # connected and warm before the start
print("ready", flush=True)
sys.stdin.readline()
applied = conflicts = 0
errors = []
for n in range(edits):
    try:
        with reading(engine) as session:
            current = services.get_incident(session, key=key)
        edited = current.model_copy(update={"summary": f"Edit {n} by process {os.getpid()}."})
        with writing(engine) as session:
            services.update_incident(session, key=key, incident=edited, version=current.version, actor="alice")
        applied += 1
    except Conflict:
        conflicts += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
print(json.dumps({"applied": applied, "conflicts": conflicts, "errors": errors}), flush=True)
"""


def test_concurrent_edits_are_applied_or_refused_and_the_chain_verifies(database_url: str, domain_example) -> None:
    engine = engine_for(database_url)
    data = copy.deepcopy(domain_example["incidents"][0]) | {"key": None, "status": "draft", "reviews": []}
    with writing(engine) as session:
        key = services.create_incident(session, incident=parse_incident(data), actor="alice").key
    editors = [subprocess.Popen([sys.executable, "-c", EDITOR, database_url, key, str(EDITS)], text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(PROCESSES)]
    for editor in editors:
        assert editor.stdout.readline() == "ready\n", editor.communicate()
    began = time.perf_counter()
    for editor in editors:  # all start editing at once
        editor.stdin.write("go\n")
        editor.stdin.flush()
    outcomes = []
    for editor in editors:
        out, err = editor.communicate(timeout=120)
        assert editor.returncode == 0, err
        outcomes.append(json.loads(out))
    elapsed = time.perf_counter() - began
    applied = sum(o["applied"] for o in outcomes)
    conflicts = sum(o["conflicts"] for o in outcomes)
    print(f"\n{engine.dialect.name}: {applied} applied, {conflicts} conflicts in {elapsed:.1f} s")
    assert [e for o in outcomes for e in o["errors"]] == []  # never "database is locked", nor anything else
    assert applied + conflicts == PROCESSES * EDITS and applied >= 1
    with reading(engine) as session:
        assert services.get_incident(session, key=key).version == 1 + applied
        updates = session.execute(
            select(func.count()).select_from(audit.EVENT).where(audit.EVENT.c.action == "update")
        ).scalar_one()
    assert updates == applied
    with reading(engine) as session:
        report = verify.verify(session)
    assert report.events == 6 + 1 + applied  # the users, the create, the updates: one chain, nothing lost
