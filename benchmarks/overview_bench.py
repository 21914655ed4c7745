"""The Overview dashboard on a demo history: first render (cold caches) and a cached re-render, with AppTest.

Baseline: the bare metric computation the page needs (coe.metrics.headlines: the window and the window
before, each loaded with only its columns). Targets: first render < 2 s, cached re-render < 0.3 s. Prints JSON
with wall and CPU seconds (the app's one-off module imports are timed apart, before the renders).
The demo database is cached in /tmp. Usage: python benchmarks/overview_bench.py [--incidents 100000]
"""

import argparse
import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

import demo_db
from coe import audit, metrics
from coe.db import engine_for, reading

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
WINDOW_DAYS = 365  # the dashboards' default window


def ensure(path: Path, incidents: int) -> float | None:
    """Build the demo database unless it is there; the seconds the load took (None when cached)."""
    return None if path.exists() else demo_db.build(path, incidents)


def bare(url: str) -> float:
    """Seconds to compute the Overview's numbers without Streamlit: headlines of two windows."""
    today = audit.now().date()
    since = today - timedelta(days=WINDOW_DAYS - 1)
    engine = engine_for(url)
    started = time.perf_counter()
    with reading(engine) as session:
        metrics.headlines(session, since=since, until=today, as_of=today)
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def warm_up() -> float:
    """Seconds to import the app's modules (once per server, not per render): one run of a page with no data."""
    started = time.perf_counter()
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/reports.py")
    at.run()
    return time.perf_counter() - started


def render() -> tuple[float, float, float, float]:
    """Wall and CPU seconds of the Overview's first render with empty caches, then of a re-render with warm caches.

    CPU time (this process; AppTest runs the script in a thread of it) is what to compare on a shared machine.
    """
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/overview.py")
    started, used = time.perf_counter(), time.process_time()
    at.run()
    first, first_cpu = time.perf_counter() - started, time.process_time() - used
    assert not at.exception, [e.message for e in at.exception]
    assert at.metric and at.get("plotly_chart")
    started, used = time.perf_counter(), time.process_time()
    at.run()
    again, again_cpu = time.perf_counter() - started, time.process_time() - used
    assert not at.exception
    return first, again, first_cpu, again_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = Path(f"/tmp/coe_overview_bench_{args.incidents}.db")
    load_s = ensure(path, args.incidents)
    url = f"sqlite:///{path}"
    os.environ["COE_DATABASE_URL"] = url
    os.environ["COE_AUTH"] = "single"
    baseline = [bare(url) for _ in range(args.repeat)]
    imports = warm_up()
    renders = [render() for _ in range(args.repeat)]
    first, again, first_cpu, again_cpu = (statistics.median(r[i] for r in renders) for i in range(4))
    print(json.dumps({
        "incidents": args.incidents, "demo_load_s": None if load_s is None else round(load_s, 1),
        "baseline_metrics_s": round(statistics.median(baseline), 3), "app_imports_s": round(imports, 3),
        "first_render_s": round(first, 3), "cached_rerender_s": round(again, 3),
        "first_render_cpu_s": round(first_cpu, 3), "cached_rerender_cpu_s": round(again_cpu, 3),
        "targets": {"first_render_s": 2.0, "cached_rerender_s": 0.3},
        "met": {"first_render": first < 2.0, "cached_rerender": again < 0.3,
                "first_render_cpu": first_cpu < 2.0, "cached_rerender_cpu": again_cpu < 0.3},
    }, indent=2))


if __name__ == "__main__":
    main()
