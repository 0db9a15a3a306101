#!/usr/bin/env bash
# make_kit.sh [--force] OUT — the student kit: the whole project (the library is the
# textbook and the exercises link it) WITHOUT exercises/solutions/, as
# OUT/aprender-exercises/ and OUT/aprender-exercises.tar.gz.
#
# In a git checkout the files are those of the last commit (`git archive HEAD`): a
# solution pasted into a skeleton, or an answer file not yet committed, never reaches
# the students — commit what the kit should hold. Without git (a kit made from a kit)
# every file is taken except build outputs, fetched data and tutorial output.
#
# An existing OUT/aprender-exercises/ may hold a student's work: it is replaced only
# with --force, and never when it is the folder you are working in.
set -euo pipefail
force=0
out=
for arg in "$@"; do
    case "$arg" in
        --help|-h) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --force) force=1 ;;
        -*) echo "make_kit: unknown option '$arg' (--force, --help)" >&2; exit 2 ;;
        *) [ -z "$out" ] || { echo "usage: make_kit.sh [--force] OUT   (one OUT)" >&2; exit 2; }; out=$arg ;;
    esac
done
if [ -z "$out" ]; then echo "usage: make_kit.sh [--force] OUT   (--help for details)" >&2; exit 2; fi
name=aprender-exercises
kit="$out/$name"
mkdir -p "$out"
if [ -e "$kit" ] || [ -e "$kit.tar.gz" ]; then
    here=$(pwd -P)
    target=$(cd "$out" && pwd -P)/$name
    case "$here/" in
        "$target"/*) echo "make_kit: $kit is the folder you are working in; choose another OUT" >&2; exit 2 ;;
    esac
    if [ "$force" != 1 ]; then
        echo "make_kit: $kit already exists (a student's work?); pass --force to replace it" >&2
        exit 2
    fi
    rm -rf "$kit" "$kit.tar.gz"
fi
mkdir -p "$kit"
# (a kit unpacked inside another checkout, e.g. under build/, is not that checkout)
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
    if ! git diff --quiet HEAD -- exercises/ || [ -n "$(git ls-files --others --exclude-standard exercises/)" ]; then
        echo "make_kit: note: exercises/ has uncommitted changes; the kit holds the last commit's files" >&2
    fi
    git archive --format=tar HEAD | tar -xf - -C "$kit"
    rm -rf "$kit/exercises/solutions"
else
    find . \( -path ./build -o -path './build-*' -o -path ./.git -o -path ./data/cache -o -path ./out \
              -o -path ./exercises/solutions \) -prune -o -type f -print0 |
        tar --null -T - -cf - | tar -xf - -C "$kit"
fi
if [ -e "$kit/exercises/solutions" ]; then echo "make_kit: solutions leaked into the kit" >&2; exit 1; fi
tar -czf "$kit.tar.gz" -C "$out" "$name"
n=$(ls -d "$kit"/exercises/[0-9][0-9]_*/ | wc -l)
echo "student kit: $kit/ and $kit.tar.gz ($n exercises, no solutions)"
