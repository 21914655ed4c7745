"""The demo database the benchmarks share: migrated, with a first admin, filled by `coe demo`'s library call."""

import time
from pathlib import Path

from coe import demo, users
from coe.db import engine_for, writing
from coe.migrate import upgrade


def build(path: Path, incidents: int) -> float:
    """Build a migrated demo SQLite database at `path`; the seconds filling it took."""
    engine = engine_for(f"sqlite:///{path}")
    upgrade(engine)
    with writing(engine) as session:
        users.ensure_first_admin(session, name="bench")
    started = time.perf_counter()
    with writing(engine) as session:
        demo.fill(session, incidents=incidents, seed=7, actor="bench")
    engine.dispose()
    return time.perf_counter() - started
