#!/usr/bin/env bash
# Prepares the database (migrations, catalogue, demo data) and runs SkillPath
# on http://127.0.0.1:5000. SQLite in instance/ unless DATABASE_URL says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=skillpath:create_app
export SKILLPATH_ENV=${SKILLPATH_ENV:-development}
# QR codes, share links and credentials carry absolute addresses: make them match the port served.
export PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT:-5000}}
flask=.venv/bin/flask

echo "==> Bringing the database up to date"
$flask db upgrade
$flask keys generate
echo "==> Loading the skills catalogue"
$flask catalogue load
echo "==> Adding demo data"
$flask seed-demo
# A database upgraded to the dashboards' read models is filled from its logs once; afterwards every change keeps them.
$flask read-models rebuild-if-empty
echo "==> Starting SkillPath on http://127.0.0.1:${PORT:-5000} (Ctrl+C to stop)"
exec $flask run --host 127.0.0.1 --port "${PORT:-5000}"
