#!/usr/bin/env bash
# Installs what SkillPath needs, quickly when it is already there:
# a Python virtual environment with the project and its test tools, the npm
# packages, and the front-end build in static/dist. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "SkillPath needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "SkillPath needs Node.js and npm to build its pages' styles (apt-get install nodejs npm)." >&2
  exit 1
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> Creating the Python virtual environment"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.skillpath-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "==> Installing Python packages"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  touch "$stamp"
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ ! -f static/dist/app.css || -n $(find static/css static/js scripts/build-assets.mjs package-lock.json -newer static/dist/app.css 2>/dev/null | head -1) ]]; then
  echo "==> Building front-end assets"
  npm run --silent build
fi
# Translations: each language's catalogue (.po) compiled for the app (.mo), when it changed since.
for po in skillpath/translations/*/LC_MESSAGES/messages.po; do
  [[ -f $po ]] || continue
  if [[ ! -f ${po%.po}.mo || $po -nt ${po%.po}.mo ]]; then
    echo "==> Compiling translations"
    .venv/bin/pybabel -q compile -d skillpath/translations
    break
  fi
done
