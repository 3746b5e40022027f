#!/usr/bin/env bash
# exports.sh LIBTEMPITCH_SO HEADER... -- the shared library exports the
# functions the public headers declare, and nothing else (the engine's
# stages have no stable contract; src/tempitch.map).  Exit 0 pass, 1 fail,
# 77 skip.
set -euo pipefail
command -v nm >/dev/null || { echo "SKIP: no nm"; exit 77; }
lib=$1
shift
# Declared: every "tp_name(" that starts a declaration line in the headers.
declared=$(sed -n 's/^[a-z][a-z_ *]*[ *]\(tp_[a-z0-9_]*\)(.*/\1/p' "$@" | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
[[ -n $declared ]] || { echo "FAIL: no declarations found in $*"; exit 1; }
if [[ $declared != "$exported" ]]; then
    echo "FAIL: exports differ from the public headers (< declared, > exported):"
    diff <(echo "$declared") <(echo "$exported") || true
    exit 1
fi
echo "ok: $(wc -l <<<"$exported") functions exported, all declared in the headers"
