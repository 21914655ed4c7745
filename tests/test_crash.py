"""An import killed with SIGKILL half-way leaves all of its incidents or none, and the chain still verifies."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coe import demo, services, verify
from coe.db import engine_for, reading

INCIDENTS = 20_000
COE = [sys.executable, "-c", "from coe.cli import main; main()"]


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coe/v1 file of 20,000 generated incidents (about 100 MB), written once for the module."""
    path = tmp_path_factory.mktemp("crash") / "large.json"
    with path.open("w", encoding="utf-8") as out:
        json.dump({"format": "coe/v1", "incidents": list(demo.generate(INCIDENTS, seed=11))}, out)
    return path


def kill_once_writing(process: subprocess.Popen, writing_started) -> None:
    """SIGKILL the importer shortly after it starts writing rows (not while it is still reading the file)."""
    deadline = time.monotonic() + 120
    while not writing_started():
        assert process.poll() is None, f"the import ended before it was killed: {process.communicate()}"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the import finished before it could be killed"


def write_lock_held(path: Path) -> bool:
    """Whether another connection holds the database's write lock (the import's one transaction has begun)."""
    probe = sqlite3.connect(path, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def after_restart(url: str) -> tuple[int, verify.VerifyReport]:
    engine_for(url).dispose()  # new connections, as a restarted program would open
    with reading(engine_for(url)) as session:
        count = services.count_incidents(session)
    with reading(engine_for(url)) as session:
        return count, verify.verify(session)


@pytest.mark.slow
def test_sqlite_import_killed_half_way(sqlite_url: str, large_file: Path) -> None:
    importer = subprocess.Popen([*COE, "--database", sqlite_url, "--as", "tester", "import", str(large_file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    kill_once_writing(importer, lambda: write_lock_held(Path(sqlite_url.removeprefix("sqlite:///"))))
    count, report = after_restart(sqlite_url)
    assert count in (0, INCIDENTS)
    assert report.incidents == count and report.events == 6 + count


@pytest.mark.slow
def test_postgres_import_killed_half_way(postgres_url: str, large_file: Path) -> None:
    name = f"coe-crash-{uuid.uuid4().hex[:8]}"
    url = f"{postgres_url}&application_name={name}"
    importer = subprocess.Popen([*COE, "--database", url, "--as", "tester", "import", str(large_file)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watcher = create_engine(postgres_url)

    def inserting() -> bool:
        with watcher.connect() as connection:
            return bool(connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND query ILIKE 'INSERT%'"),
                {"name": name},
            ).scalar())

    try:
        kill_once_writing(importer, inserting)
    finally:
        watcher.dispose()
    count, report = after_restart(postgres_url)
    assert count in (0, INCIDENTS)
    assert report.incidents == count and report.events == 6 + count
