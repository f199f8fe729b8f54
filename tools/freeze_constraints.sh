#!/usr/bin/env bash
# Write the exact versions installed in the course environment to constraints.txt.
# Usage: tools/freeze_constraints.sh PYTHON OUTPUT
set -euo pipefail
python=$1
out=$2

frozen=$("$python" -m pip freeze --exclude-editable)
if ! grep -qi '^keras==' <<<"$frozen"; then
    echo "error: keras is not installed; run 'make frameworks' first" >&2
    exit 1
fi

{
    echo "# Exact versions the course is tested with (Python 3.11)."
    echo "# Install with: pip install -c constraints.txt -e \".[test]\""
    echo "# Regenerate from a working environment with: make constraints"
    echo "# (it freezes .venv after 'make frameworks'; torch is pinned in"
    echo "# pyproject.toml's frameworks extra, as its local version has a +cpu tag)."
    grep -v -i -E '^(torch|lrcourse)([=@ ]|$)' <<<"$frozen"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '==' "$out") pins)"
