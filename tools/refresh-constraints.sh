#!/bin/sh
# Rewrite constraints.txt: the exact versions of everything `pip install -e '.[test]'`
# resolves today, within pyproject.toml's ranges, in a brand-new virtual environment.
#
#   tools/refresh-constraints.sh          then run the tests (README's Quick start) and
#                                         commit constraints.txt on its own, so its CI run
#                                         proves the new set
#
# Nothing already installed on this machine leaks in: the venv is made in a temporary folder
# and removed afterwards. Needs python3 with venv and pip, and the package index.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="$(mktemp -d)"
trap 'rm -rf "$VENV"' EXIT

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet -e '.[test]'
{
    echo "# The exact versions the test suite last passed with: README's test command installs"
    echo "# with 'pip install -c constraints.txt'. Made by tools/refresh-constraints.sh on"
    echo "# $("$VENV/bin/python" -c 'import platform, sys; print(f"Python {platform.python_version()}, {sys.platform} {platform.machine()}")')."
    echo "# Refresh on purpose, in a commit of its own whose CI run proves the new set."
    "$VENV/bin/python" -m pip freeze --exclude-editable
} >constraints.txt.new
mv constraints.txt.new constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) pinned packages" >&2
git --no-pager diff --stat -- constraints.txt >&2 || true
