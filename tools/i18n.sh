#!/bin/sh
# Re-extract every translatable string, update the catalogues, compile them.
#
#   tools/i18n.sh            extract -> update fr de es sv -> compile (run after changing words)
#   tools/i18n.sh compile    compile only (the .mo files are committed, so installs need nothing)
#   tools/i18n.sh init xx    start a new language xx (then add it to LANGUAGES in ictool/i18n.py)
#
# Needs Babel (a dependency of Flask-Babel). Translate the new or "fuzzy" entries in
# ictool/translations/<lang>/LC_MESSAGES/messages.po, then run `tools/i18n.sh compile`;
# tests/test_i18n.py fails while any string a screen shows is left untranslated.
set -eu
cd "$(dirname "$0")/.."
DIR=ictool/translations
POT="$DIR/messages.pot"
LANGS="fr de es sv"

extract() {
    mkdir -p "$DIR"
    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
        --no-location --sort-output --no-wrap --project ictool -o "$POT" .
}

case "${1:-all}" in
compile)
    pybabel compile -d "$DIR" --statistics
    ;;
init)
    extract
    pybabel init -i "$POT" -d "$DIR" -l "$2" --no-wrap
    ;;
all)
    extract
    for lang in $LANGS; do
        if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
            pybabel update -i "$POT" -d "$DIR" -l "$lang" --no-wrap --ignore-obsolete
        else
            pybabel init -i "$POT" -d "$DIR" -l "$lang" --no-wrap
        fi
    done
    pybabel compile -d "$DIR" --statistics
    ;;
*)
    echo "usage: tools/i18n.sh [all|compile|init LANG]" >&2
    exit 2
    ;;
esac
