#!/usr/bin/env bash
# bench.sh — run by `make bench` (APRENDER_BUILD = the build directory): the kernel
# micro-benchmarks first, then every other program in $APRENDER_BUILD/bench/.
# Arguments (make bench BENCH_ARGS=...) are passed to each program.
set -euo pipefail
build="${APRENDER_BUILD:-build}"

if [[ ! -x "$build/bench/micro" ]]; then
    echo "bench.sh: $build/bench/micro not found; run make first" >&2
    exit 1
fi
echo "== micro"
"$build/bench/micro" "$@"

for prog in "$build"/bench/*; do
    [[ -x "$prog" && -f "$prog" && "$(basename "$prog")" != micro ]] || continue
    echo
    echo "== $(basename "$prog")"
    "$prog" "$@"
done
