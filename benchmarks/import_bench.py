"""Importing coe/v1 incidents with `coe import` against one-at-a-time ORM inserts with a commit each.

Prints JSON: the import's wall and CPU seconds and peak memory (a child process running the real command on a
fresh SQLite database, search index and audit trail included), and two baselines with their ratios:
- orm: the file's validated documents stored as SQLModel objects, one incident and its children at a time,
  a commit each (the issue's baseline), into a database that grows as coe's does;
- naive import: the same plus reading and validating the file (the standard json module, pydantic), so that
  both sides do the work an import must do. Neither baseline writes audit events or the search index,
  so both ratios understate the gain.
The baselines go through the whole file unless --sample N limits them to its first N incidents, for a quick
run; they are then extrapolated linearly, which understates them (an ORM insert slows as the database grows:
about a fifth by 30,000 incidents), and the JSON says so. The load average is printed too: on a shared machine
it explains slow runs.
Usage: python benchmarks/import_bench.py [--incidents 100000] [--sample N]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coe import demo, interchange, services, users
from coe.db import engine_for, reading, writing
from coe.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from demo_bench import fresh, naive  # the same ORM baseline as the demo benchmark

COE = str(Path(sys.executable).with_name("coe"))


def source_file(incidents: int) -> Path:
    """The coe/v1 file to import, generated once and cached in /tmp."""
    path = Path(tempfile.gettempdir()) / f"coe-import-bench-{incidents}.json"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            interchange.write_json((doc for batch in demo.batches(incidents, 7) for doc in batch), out)
        partial.rename(path)
    return path


def coe_import(folder: Path, path: Path) -> dict[str, float]:
    """`coe import PATH` in a child process on a fresh database: wall and CPU seconds, peak memory, rows stored."""
    url = f"sqlite:///{folder / 'import.db'}"
    engine = engine_for(url)
    upgrade(engine)
    with writing(engine) as session:
        users.ensure_first_admin(session, name="bench")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([COE, "--database", url, "--as", "bench", "import", str(path)], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with reading(engine) as session:
        stored = services.count_incidents(session)
    engine.dispose()
    return {"seconds": seconds, "cpu_seconds": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak_mb": round(after.ru_maxrss / 1024), "stored": stored}


def orm_baseline(engine, path: Path, incidents: int) -> tuple[float, float]:
    """Seconds to read and validate the file's first `incidents`, and seconds to store them one by one with the ORM."""
    reading_seconds = storing_seconds = 0.0
    stored = 0
    started = time.perf_counter()
    for batch in interchange.JsonStream(path):  # a batch at a time, or 100,000 documents would not fit in memory
        batch = batch[: incidents - stored]
        reading_seconds += time.perf_counter() - started
        storing_seconds += naive(engine, batch, first=stored + 1)
        stored += len(batch)
        if stored == incidents:
            break
        started = time.perf_counter()
    return reading_seconds, storing_seconds


def startup_seconds() -> float:
    """Wall seconds of `coe --help`: what every command pays before it starts its work."""
    started = time.perf_counter()
    subprocess.run([COE, "--help"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Run both in the same process and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--sample", type=int, help="incidents the baselines store (default: all; fewer are extrapolated)")
    args = parser.parse_args()
    sample = min(args.sample or args.incidents, args.incidents)
    path = source_file(args.incidents)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        ours = coe_import(Path(folder), path)
        startup = startup_seconds()
        validate_seconds, orm_seconds = orm_baseline(fresh(Path(folder), "naive.db"), path, sample)
    scale = args.incidents / sample
    orm, naive_import, seconds = orm_seconds * scale, (validate_seconds + orm_seconds) * scale, ours["seconds"]
    json.dump({
        "incidents": args.incidents, "file_mb": round(path.stat().st_size / 2**20), "stored": ours["stored"],
        "coe_import_seconds": round(seconds, 2), "coe_import_cpu_seconds": round(ours["cpu_seconds"], 2),
        "cli_startup_seconds": round(startup, 2), "under_30_s": seconds < 30,
        "import_peak_memory_mb": ours["peak_mb"], "under_1_gb": ours["peak_mb"] < 1024,
        "baseline_sample_incidents": sample, "baseline_extrapolated": sample < args.incidents,
        "orm_seconds": round(orm, 1), "speedup_vs_orm": round(orm / seconds, 1), "at_least_10x_vs_orm": orm / seconds >= 10,
        "naive_import_seconds": round(naive_import, 1), "speedup_vs_naive_import": round(naive_import / seconds, 1),
        "at_least_10x_vs_naive_import": naive_import / seconds >= 10,
        "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
