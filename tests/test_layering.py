"""coe/ is a library: importing all of it pulls in no Streamlit and no WeasyPrint."""

import pkgutil
import subprocess
import sys

import coe


def test_importing_every_coe_module_imports_no_ui() -> None:
    names = [m.name for m in pkgutil.walk_packages(coe.__path__, "coe.") if ".migrations" not in m.name]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({n!r})\n" for n in names)
    code += "print(sorted(m for m in ('streamlit', 'weasyprint') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert "coe.cli" in names and "coe.services" in names
