#!/usr/bin/env bash
# Set up Essay Marker on Debian/Ubuntu and run it or its tests.
#   bash packaging/dev.sh run     install, then open the app with the bundled demo set
#   bash packaging/dev.sh test    install with test tools, then run the test suite
#   bash packaging/dev.sh bench   install, then run the benchmarks (tests/benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-run}; shift || true

# Qt's runtime libraries, fonts and venv support, installed only when missing.
packages=(python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 fonts-dejavu-core fonts-liberation)
# the PDF benchmark measures import beside pdftotext (poppler-utils) on the same files
if [[ $what == bench ]]; then packages+=(poppler-utils); fi
if command -v dpkg >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "Installing system packages: ${missing[*]}"
    sudo=""; [[ $(id -u) != 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
# An editable install leaves the app's own modules uncompiled, and a machine that sets
# PYTHONDONTWRITEBYTECODE would compile them again at every start: compile them once here
# (Python still checks each against its source, so an edited file is never run stale).
compile() { .venv/bin/python -m compileall -q -j 0 rubric gui >/dev/null || true; }

case "$what" in
  run)
    pip install -e .
    compile
    exec .venv/bin/essay-marker --demo "$@"
    ;;
  test)
    pip install -e ".[test]"
    compile
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/ruff check rubric gui tests
    .venv/bin/lint-imports
    exec .venv/bin/python -m pytest "$@"
    ;;
  bench)
    pip install -e ".[test]"
    compile
    export QT_QPA_PLATFORM=offscreen
    exec .venv/bin/python -m pytest -o addopts="" -o python_files="bench_*.py" tests/benchmarks -q -s "$@"
    ;;
  *)
    echo "usage: bash packaging/dev.sh run|test|bench" >&2
    exit 2
    ;;
esac
