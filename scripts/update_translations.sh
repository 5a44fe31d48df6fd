#!/usr/bin/env bash
# Gathers every marked text into skillpath/translations/messages.pot and brings each language's
# catalogue (messages.po) up to date with it, keeping the translations already there.
# Run it after marking new text; translators then fill in the msgstr lines of the .po files, and
# scripts/setup.sh (or `.venv/bin/pybabel compile -d skillpath/translations`) compiles them.
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL=.venv/bin/pybabel
FOLDER=skillpath/translations
# Only skillpath/ and templates/ hold text (babel.cfg); the other folders are not even walked.
"$PYBABEL" -q extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file --no-wrap --add-comments=Translators: \
  --ignore-dirs=".* _* node_modules static instance tests migrations scripts docs build" \
  --project=SkillPath --copyright-holder="SkillPath" \
  -o "$FOLDER/messages.pot" .
for language in cy; do
  if [[ -f $FOLDER/$language/LC_MESSAGES/messages.po ]]; then
    "$PYBABEL" -q update --no-wrap --no-fuzzy-matching -i "$FOLDER/messages.pot" -d "$FOLDER" -l "$language"
  else
    "$PYBABEL" -q init --no-wrap -i "$FOLDER/messages.pot" -d "$FOLDER" -l "$language"
  fi
done
