#!/usr/bin/env bash
# Build the one-folder app with PyInstaller: dist/essay-marker/essay-marker (Linux).
# Run in CI after the tests (about a minute here); see packaging/README.md. Needs the dev set-up first:
#   bash packaging/dev.sh test    (or: python3 -m venv .venv && .venv/bin/pip install -e .)
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
if [[ ! -x $python ]]; then
  echo "no .venv: run 'bash packaging/dev.sh run' (or test) first" >&2
  exit 1
fi
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
  "$python" -m pip --disable-pip-version-check -q install -e ".[build]"
fi
# the installed metadata must match pyproject (the About box reads the licences from it)
"$python" -m pip --disable-pip-version-check -q install --no-deps -e .
start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/essay-marker.spec
echo "built dist/essay-marker/ in $(( $(date +%s) - start )) s"
