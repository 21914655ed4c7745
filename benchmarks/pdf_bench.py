"""PDF benchmark: our COE report against bare WeasyPrint on the same HTML, and --jobs 2 against --jobs 1.

Overhead: per COE, our whole path (load the record, similar incidents, Markdown, Jinja2, our URL fetcher,
the process's cached fonts and parsed stylesheet) against bare WeasyPrint rendering the same final HTML with
the same stylesheet, fonts and base URL — once as a first-time user would call it (a new stylesheet and font
configuration per document) and once warm (both reused), which leaves only our own work in the difference.
The calls alternate in order and are timed in CPU seconds, which other processes on the machine do not
inflate; wall seconds are printed too.

Jobs: `coe report --all` runs as a fresh command (nothing warmed by this process), in the order 1, 2, 2, 1 so
warm-up and drift fall on both sides; CPU seconds of each run show the work is the same.
Usage: python benchmarks/pdf_bench.py [--reports 200] [--samples 20] [--rounds 2]
"""

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from coe import services
from coe.cli import app
from coe.db import engine_for, reading
from coe.reports import html
from coe.reports.coe_report import report_html, report_pdf
from tests.conftest import prepare

COE = Path(sys.executable).with_name("coe")


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds one call takes, including collecting its own garbage."""
    gc.collect()  # the garbage of the call before is not this call's work
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    gc.collect()  # a font configuration torn down later would bill the next call
    return time.process_time() - cpu, time.perf_counter() - wall


def overhead(url: str, samples: int) -> dict[str, object]:
    """Median seconds per report: ours, bare WeasyPrint cold and warm, on the same final HTML."""
    base, sheet = html.TEMPLATES.as_uri() + "/", html.stylesheet(None)
    fonts = FontConfiguration()
    warm_css = CSS(filename=str(sheet), font_config=fonts)
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": [], "bare_warm": []}
    with reading(engine_for(url)) as session:
        keys = services.incident_keys(session)[: samples + 1]
        for i, key in enumerate(keys):
            page = report_html(session, key)
            runs = {
                "ours": lambda key=key: report_pdf(session, key),
                "bare": lambda page=page: HTML(string=page, base_url=base).write_pdf(
                    stylesheets=[CSS(filename=str(sheet))]),
                "bare_warm": lambda page=page: HTML(string=page, base_url=base).write_pdf(
                    stylesheets=[warm_css], font_config=fonts),
            }
            for name in list(runs)[:: 1 if i % 2 else -1]:
                took = timed(runs[name])
                if i:  # the first key only warms up (imports, first font load)
                    times[name].append(took)
    cpu = {name: statistics.median(t[0] for t in v) for name, v in times.items()}
    wall = {name: statistics.median(t[1] for t in v) for name, v in times.items()}
    return {
        "samples": len(times["ours"]),
        "median_cpu_s": {name: round(v, 4) for name, v in cpu.items()},
        "median_wall_s": {name: round(v, 4) for name, v in wall.items()},
        "overhead_ratio": round(cpu["ours"] / cpu["bare"], 3),
        "overhead_ratio_wall": round(wall["ours"] / wall["bare"], 3),
        "overhead_vs_warm_bare": round(cpu["ours"] / cpu["bare_warm"], 3),
        "overhead_target": 1.3,
    }


def render_all(url: str, folder: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds (all processes) of one `coe report --all --jobs N` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(COE), "--database", url, "report", "--all", "--output-dir", str(folder), "--jobs", str(jobs)],
                   check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    """Run both comparisons and print the ratios as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="COEs rendered by --all")
    parser.add_argument("--samples", type=int, default=20, help="COEs timed one by one")
    parser.add_argument("--rounds", type=int, default=2, help="pairs of --all runs (1 then 2, then 2 then 1, …)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(f"sqlite:///{Path(folder) / 'bench.db'}")
        CliRunner().invoke(app, ["--database", url, "--as", "tester", "demo", "--incidents", str(args.reports),
                                 "--seed", "7"], catch_exceptions=False)
        result = overhead(url, args.samples)
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        load = os.getloadavg()[0]
        for r in range(args.rounds):
            for jobs in (1, 2) if r % 2 == 0 else (2, 1):
                runs[jobs].append(render_all(url, Path(folder) / f"out-{r}-{jobs}", jobs))
    wall = {jobs: sum(w for w, _ in v) for jobs, v in runs.items()}
    print(json.dumps({
        "reports": args.reports, **result,
        # cores_used = CPU ÷ wall: below 1 for --jobs 1 (or below 2 for --jobs 2) means other processes took the rest.
        "jobs_runs": {f"jobs{jobs}": [{"wall_s": round(w, 2), "cpu_s": round(c, 2), "cores_used": round(c / w, 2)}
                                      for w, c in v] for jobs, v in runs.items()},
        "jobs_speedup_per_round": [round(one[0] / two[0], 3) for one, two in zip(runs[1], runs[2], strict=True)],
        "jobs_speedup": round(wall[1] / wall[2], 3), "speedup_target": 1.6,
        "cores": os.cpu_count(), "load_average_at_start": round(load, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
