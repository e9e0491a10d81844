"""The README stays true: CI runs its test command in a new virtual environment, the command
installs the pinned versions, and its Quick start has two commands."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / ".ci" / "run"


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def _ci_commands() -> list[str]:
    return [line.strip() for line in CI.read_text().splitlines()]


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    commands = _quick_start()
    assert len(commands) == 2, commands
    assert "ictool serve --demo" in commands[0]
    assert "pytest" in commands[1]
    assert any(line.startswith(commands[1]) for line in _ci_commands()), commands[1]


def test_the_test_command_installs_the_pinned_versions():
    command = _quick_start()[1]
    assert "-c constraints.txt" in command and "'.[test]'" in command
    pins = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[^\s=]+", pin) for pin in pins), pins
    pinned = {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    # what the suite stands on, the scale-out client and the fuzzer's pytest among them
    assert {"flask", "flask-socketio", "gevent", "redis", "pytest", "schemathesis"} <= pinned
    assert "ictool" not in pinned  # the project itself is installed from the work tree


def test_ci_runs_it_in_a_new_virtual_environment_and_fails_when_pytest_fails():
    lines = _ci_commands()
    test_line = next(i for i, line in enumerate(lines) if line.startswith(_quick_start()[1]))
    before = "\n".join(lines[:test_line])
    assert re.search(r'python3 -m venv "\$VENV"', before)  # a new venv, no system packages
    assert "--system-site-packages" not in CI.read_text()
    assert 'PATH="$VENV/bin:$PATH"' in before  # so the README's `python3` is the new venv's
    assert "mktemp -d" in before
    # the status of the install or of pytest is what .ci/run exits with
    assert lines[test_line].endswith("|| status=$?")
    assert lines[-1] == 'exit "$status"'
