"""Every package the code and the tests import is declared in pyproject.toml, so a fresh
install has it: deptry reads the imports and the declared dependencies and compares them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_imported_package_is_declared():
    run = subprocess.run(
        [sys.executable, "-m", "deptry", "--no-ansi", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
