#!/usr/bin/env bash
# check.sh — what `make check` runs: build each exercise's program and run its checks.
#
#   EX=5          only exercise 5, every check shown (expected, got, hint)
#   (no EX)       every exercise, one line each, then "progress: N/10 exercises pass"
#   SOLUTIONS=1   use exercises/solutions/ instead of your code (instructors)
#   STRICT=1      exit 1 unless every exercise checked passes (for grading scripts)
#   TIMEOUT=60    seconds an exercise's checks may take before they are stopped
#
# An exercise passes only when its program exits 0 AND its last line says so: code that
# calls exit(0) early, crashes or loops is reported as such, never as a pass.
set -u
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
TIMEOUT=${TIMEOUT:-60}
variant=student
case "${SOLUTIONS:-}" in
    ""|0) ;;
    1) ;;
    *) echo "check: SOLUTIONS must be 1 (or left out), got '${SOLUTIONS}'" >&2; exit 2 ;;
esac
if [ "${SOLUTIONS:-}" = 1 ]; then
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
# One folder per number: a copy (09_lora_forward_backup/) would be compiled in too and
# fail with "multiple definition" link errors far from the cause.
dups=$(printf '%s\n' "${numbers[@]}" | sort | uniq -d)
if [ -n "$dups" ]; then
    for n in $dups; do
        echo "check: exercise $((10#$n)) has more than one folder: $(ls -d exercises/${n}_*/ | tr '\n' ' ')" >&2
    done
    echo "check: keep only the original folder in exercises/ (move copies elsewhere)" >&2
    exit 2
fi
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
    flags=--brief; [ -n "${EX:-}" ] && flags=
    out=$(timeout -k 5 "$TIMEOUT" "$bin" $flags); rc=$?
    echo "$out"
    last=$(echo "$out" | tail -n 1)
    if [ $rc -eq 0 ] && [[ "$last" == "exercise $((10#$n)): PASS"* ]]; then
        pass=$((pass + 1)); lines+=("$(printf "  [x] %-32s PASS" "${dir%/}")")
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ] || [ $rc -eq 143 ]; then
        echo "exercise $((10#$n)): stopped after ${TIMEOUT} s — an endless loop? (TIMEOUT=N gives more time)"
        lines+=("$(printf "  [ ] %-32s stopped after %s s (an endless loop?)" "${dir%/}" "$TIMEOUT")")
    elif [ $rc -gt 128 ]; then
        sig=$(kill -l $((rc - 128)) 2>/dev/null || echo "?")
        echo "exercise $((10#$n)): crashed (signal SIG$sig) — the line above names the check"
        lines+=("$(printf "  [ ] %-32s crashed (SIG%s)" "${dir%/}" "$sig")")
    elif [ $rc -eq 0 ]; then  # exit 0 without the runner's verdict: the program ended early
        echo "exercise $((10#$n)): the program ended before its checks did (exit() in your code?)"
        lines+=("$(printf "  [ ] %-32s ended early (exit() in your code?)" "${dir%/}")")
    else
        lines+=("$(printf "  [ ] %-32s %s" "${dir%/}" "$(echo "$last" | sed 's/^exercise [0-9]*: //')")")
    fi
done

echo
echo "Progress ($variant) / Progresso:"
printf '%s\n' "${lines[@]}"
echo "progress: $pass/$total exercises pass"
if [ -n "${STRICT:-}" ] && [ "$pass" -ne "$total" ]; then exit 1; fi
exit 0
