#!/usr/bin/env bash
# check.sh — what `make check` runs: build each exercise's program and run its checks.
#
#   EX=5          only exercise 5, every check shown (expected, got, hint)
#   (no EX)       every exercise, one line each, then "progress: N/10 exercises pass"
#   SOLUTIONS=1   use exercises/solutions/ instead of your code (instructors)
#   STRICT=1      exit 1 unless every exercise checked passes (for grading scripts)
set -u
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
variant=student
if [ -n "${SOLUTIONS:-}" ] && [ "${SOLUTIONS}" != 0 ]; then
    variant=solution
    if ! ls exercises/solutions/*.cpp >/dev/null 2>&1; then
        echo "check: this copy has no exercises/solutions/ (a student kit): SOLUTIONS=1 is for instructors" >&2
        exit 2
    fi
fi

numbers=()
for d in exercises/[0-9][0-9]_*/; do
    n=$(basename "$d"); numbers+=("${n%%_*}")
done
if [ -n "${EX:-}" ]; then
    want=""
    [[ "$EX" =~ ^[0-9]+$ ]] && want=$(printf '%02d' "$((10#${EX}))")
    found=""
    for n in "${numbers[@]}"; do [ "$n" = "$want" ] && found=$n; done
    if [ -z "$found" ]; then
        echo "check: there is no exercise '${EX}' — the exercises are: ${numbers[*]}" >&2
        exit 2
    fi
    numbers=("$found")
fi

pass=0; total=0; lines=()
for n in "${numbers[@]}"; do
    total=$((total + 1))
    dir=$(ls -d exercises/${n}_*/)
    bin="$BUILD/exercises/$variant/ex$n"
    if ! $MAKE --no-print-directory -s "$bin"; then
        echo "exercise $((10#$n)): does not compile — read the compiler's first error above (file and line)"
        lines+=("$(printf "  [ ] %-32s does not compile" "${dir%/}")")
        continue
    fi
    if [ -n "${EX:-}" ]; then out=$("$bin"); rc=$?; echo "$out"; else out=$("$bin" --brief); rc=$?; echo "$out"; fi
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); lines+=("$(printf "  [x] %-32s PASS" "${dir%/}")")
    else
        lines+=("$(printf "  [ ] %-32s %s" "${dir%/}" "$(echo "$out" | tail -n 1 | sed 's/^exercise [0-9]*: //')")")
    fi
done

echo
echo "Progress ($variant) / Progresso:"
printf '%s\n' "${lines[@]}"
echo "progress: $pass/$total exercises pass"
if [ -n "${STRICT:-}" ] && [ "$pass" -ne "$total" ]; then exit 1; fi
exit 0
