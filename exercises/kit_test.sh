#!/usr/bin/env bash
# kit_test.sh KIT.tar.gz — does the student kit build on its own? Unpack it in a fresh
# temporary folder, run `make check` there (library and every exercise built from
# scratch) and expect every untouched exercise to fail with "not implemented yet".
set -euo pipefail
kit=$(realpath "${1:?usage: kit_test.sh KIT.tar.gz}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$kit" -C "$tmp"
cd "$tmp"/aprender-exercises
[ ! -e exercises/solutions ] || { echo "kit-test: the kit contains solutions" >&2; exit 1; }
log=$tmp/check.log
make -j2 check CUDA=0 2>&1 | tee "$log" | grep -E '^(exercise|progress)' || true
total=$(ls -d exercises/[0-9][0-9]_*/ | wc -l)
grep -q "^progress: 0/$total exercises pass" "$log" || { echo "kit-test: expected 0/$total on the untouched kit" >&2; exit 1; }
nf=$(grep -c 'not implemented yet' "$log" || true)
[ "$nf" -ge "$total" ] || { echo "kit-test: expected 'not implemented yet' for every exercise" >&2; exit 1; }
if grep -q 'does not compile' "$log"; then echo "kit-test: an exercise does not compile in the kit" >&2; exit 1; fi
echo "kit-test: the kit builds from a fresh copy and reports 0/$total (not implemented yet)"
