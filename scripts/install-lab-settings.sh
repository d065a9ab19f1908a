#!/usr/bin/env bash
# Install the course's JupyterLab settings into a Python environment:
#   install-lab-settings.sh [python]     (default: the python on PATH)
# lab/overrides.json (widget state saved with the notebook, no news) and
# lab/jupyter_server_config.py (a chapter saved after Run All is signed and reopens trusted).
# `make env` runs it with the project's environment; Binder runs it from postBuild.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$("${1:-python}" -c 'import sys; print(sys.prefix)')"
mkdir -p "$prefix/share/jupyter/lab/settings" "$prefix/etc/jupyter"
cp "$here/lab/overrides.json" "$prefix/share/jupyter/lab/settings/overrides.json"
cp "$here/lab/jupyter_server_config.py" "$prefix/etc/jupyter/jupyter_server_config.py"
