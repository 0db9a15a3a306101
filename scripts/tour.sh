#!/usr/bin/env bash
# tour.sh — run every tutorial in order, non-interactively (make tour).
set -u
BUILD="${APRENDER_BUILD:-build}"
status=0
for t in "$BUILD"/tutorials/[0-9][0-9]_*; do
  [ -x "$t" ] || continue
  echo; echo "════════ $(basename "$t") ════════"
  "$t" --no-pause "$@" || { echo "tour: $(basename "$t") failed (exit $?)" >&2; status=1; }
done
exit $status
