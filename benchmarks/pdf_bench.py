"""PDF benchmark: our COE report against bare WeasyPrint on the same HTML, and --jobs 2 against --jobs 1."""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner
from weasyprint import HTML

from coe.cli import app
from coe.db import engine_for, reading
from coe.reports.coe_report import report_html, report_pdf
from tests.conftest import prepare


def timed(fn) -> float:  # noqa: ANN001
    """Seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    """Run both comparisons once and print the ratios as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=200, help="COEs rendered by --all")
    parser.add_argument("--samples", type=int, default=10, help="COEs timed one by one")
    args = parser.parse_args()
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        url = prepare(f"sqlite:///{Path(folder) / 'bench.db'}")
        runner.invoke(app, ["--database", url, "--as", "tester", "demo", "--incidents", str(args.reports), "--seed", "7"],
                      catch_exceptions=False)
        with reading(engine_for(url)) as session:
            from coe import services

            keys = services.incident_keys(session)
            ours, bare = [], []
            for key in keys[: args.samples]:
                ours.append(timed(lambda: report_pdf(session, key)))
                page = report_html(session, key)
                bare.append(timed(lambda: HTML(string=page).write_pdf()))
        walls = {}
        for jobs in (1, 2):
            out = Path(folder) / f"out{jobs}"
            walls[jobs] = timed(lambda: runner.invoke(
                app, ["--database", url, "report", "--all", "--output-dir", str(out), "--jobs", str(jobs)],
                catch_exceptions=False))
    print(json.dumps({
        "reports": len(keys), "samples": args.samples,
        "median_report_s": round(statistics.median(ours), 4),
        "median_bare_weasyprint_s": round(statistics.median(bare), 4),
        "overhead_ratio": round(statistics.median(ours) / statistics.median(bare), 3), "overhead_target": 1.3,
        "jobs1_s": round(walls[1], 2), "jobs2_s": round(walls[2], 2),
        "jobs_speedup": round(walls[1] / walls[2], 3), "speedup_target": 1.6,
    }, indent=2))


if __name__ == "__main__":
    main()
