#!/usr/bin/env bash
# make_kit.sh OUT — the student kit: the whole project (the library is the textbook and
# the exercises link it) WITHOUT exercises/solutions/, as OUT/aprender-exercises/ and
# OUT/aprender-exercises.tar.gz. Files come from git (tracked and untracked-but-not-
# ignored), so build outputs and fetched corpora stay out.
set -euo pipefail
out=${1:?usage: make_kit.sh OUT}
name=aprender-exercises
rm -rf "$out/$name" "$out/$name.tar.gz"
mkdir -p "$out/$name"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard
else  # a kit made from a kit (no .git): everything but build folders
    find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o -type f -print0 | sed -z 's|^\./||'
fi | grep -zv '^exercises/solutions/' | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$out/$name"
if [ -e "$out/$name/exercises/solutions" ]; then echo "make_kit: solutions leaked into the kit" >&2; exit 1; fi
tar -czf "$out/$name.tar.gz" -C "$out" "$name"
n=$(ls -d "$out/$name"/exercises/[0-9][0-9]_*/ | wc -l)
echo "student kit: $out/$name/ and $out/$name.tar.gz ($n exercises, no solutions)"
