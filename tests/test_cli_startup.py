"""Every `coe` command starts fast: the heavy libraries load only in the commands that use them."""

import json
import subprocess
import sys

HEAVY = ("pandas", "plotly", "weasyprint", "streamlit")


def loaded_after(code: str) -> tuple[list[str], str]:
    """Which heavy libraries a fresh interpreter holds after running `code`, and what it printed."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    *printed, loaded = done.stdout.splitlines()
    return json.loads(loaded), "\n".join(printed)


def test_importing_the_command_line_loads_no_heavy_library():
    assert loaded_after("import coe.cli")[0] == []


def test_help_list_show_and_a_small_import_load_no_heavy_library(sqlite_url, example_file):
    runs = [["--help"], ["list"], ["import", str(example_file)], ["show", "COE-2025-0001"]]
    calls = "\n".join(
        f"try:\n    app({['--database', sqlite_url, '--as', 'tester', *args]!r})\nexcept SystemExit:\n    pass" for args in runs)
    loaded, printed = loaded_after(f"from coe.cli import app\n{calls}")
    assert "imported 1 incidents" in printed and "COE-2025-0001" in printed.split("imported 1 incidents")[1]
    assert loaded == []
