"""Importing 100,000 coe/v1 incidents with `coe import` against one-at-a-time ORM inserts with a commit each.

Prints JSON with the times, the speed-up ratio and the import's peak memory (max RSS of the child process).
The ORM baseline runs on a sample (default 2,000) and is extrapolated linearly to the full count.
Usage: python benchmarks/import_bench.py [--incidents 100000] [--sample 2000]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coe import demo, interchange, users
from coe.db import engine_for, writing
from coe.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from demo_bench import fresh, naive  # noqa: E402 - the same ORM baseline as the demo benchmark


def source_file(incidents: int) -> Path:
    """The coe/v1 file to import, generated once and cached in /tmp."""
    path = Path(tempfile.gettempdir()) / f"coe-import-bench-{incidents}.json"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            interchange.write_json((doc for batch in demo.batches(incidents, 7) for doc in batch), out)
        partial.rename(path)
    return path


def coe_import(folder: Path, path: Path) -> tuple[float, int]:
    """`coe import PATH` in a child process on a fresh database: seconds and the child's peak memory in MB."""
    url = f"sqlite:///{folder / 'import.db'}"
    engine = engine_for(url)
    upgrade(engine)
    with writing(engine) as session:
        users.ensure_first_admin(session, name="bench")
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("coe")), "--database", url, "--as", "bench", "import", str(path)],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return seconds, round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> None:
    """Run both in the same process and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="incidents inserted one at a time (extrapolated)")
    args = parser.parse_args()
    path = source_file(args.incidents)
    with tempfile.TemporaryDirectory() as folder:
        seconds, peak_mb = coe_import(Path(folder), path)
        docs = [doc for batch in demo.batches(args.sample, 11) for doc in batch]
        sample_seconds = naive(fresh(Path(folder), "naive.db"), docs)
    naive_seconds = sample_seconds * args.incidents / args.sample
    json.dump({
        "incidents": args.incidents, "file_mb": round(path.stat().st_size / 2**20),
        "coe_import_seconds": round(seconds, 2), "under_30_s": seconds < 30,
        "import_peak_memory_mb": peak_mb, "under_1_gb": peak_mb < 1024,
        "naive_sample_incidents": args.sample, "naive_sample_seconds": round(sample_seconds, 2),
        "naive_extrapolated_seconds": round(naive_seconds, 1),
        "speedup": round(naive_seconds / seconds, 1), "at_least_10x": naive_seconds / seconds >= 10,
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
