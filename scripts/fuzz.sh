#!/usr/bin/env bash
# fuzz.sh — `make fuzz`: build the fuzz targets in tests/fuzz/ with clang (libFuzzer, ASan,
# UBSan) in build-fuzz/ and run each for a while; README "Fuzzing".
#
#   make fuzz                          every target, 60 s each
#   make fuzz FUZZ=safetensors FUZZ_SECONDS=600
#
# Each target keeps its corpus (the inputs that reached new code) in build-fuzz/corpus/<name>/,
# so a second run starts where the first stopped; a new corpus starts from seeds the target
# writes with the library's own writers. An input that crashes, hangs (over 10 s), runs out
# of memory (over 2 GiB) or breaks one of the target's checks is saved as
# build-fuzz/crashes/<name>-<kind>-<hash>, and the command that replays it is printed.
set -u
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
ONLY=${FUZZ:-}
B=build-fuzz

# clang with libFuzzer's runtime: GCC has no coverage-guided fuzzer.
find_clang() {
  for c in ${FUZZ_CXX:-} clang++ clang++-19 clang++-18 clang++-17 clang++-16 clang++-15 clang++-14; do
    command -v "$c" >/dev/null || continue
    echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
      "$c" -x c++ -fsanitize=fuzzer,address - -o /tmp/aprender-fuzz-probe.$$ 2>/dev/null && { rm -f /tmp/aprender-fuzz-probe.$$; echo "$c"; return 0; }
  done
  return 1
}
CXX_FUZZ=$(find_clang) || {
  echo "fuzz: no clang with libFuzzer found; installing Debian's clang and libclang-rt-dev"
  scripts/deps.sh install clang libclang-rt-dev || exit 2
  CXX_FUZZ=$(find_clang) || { echo "fuzz: clang still cannot link -fsanitize=fuzzer (is libclang-rt-dev installed?)" >&2; exit 2; }
}

echo "fuzz: building the targets with $CXX_FUZZ in $B/ (the first build takes a few minutes)"
make --no-print-directory -j"${JOBS:-2}" BUILD=$B CXX="$CXX_FUZZ" OPT=-O1 NATIVE=0 CUDA=0 \
  SANITIZE="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  fuzzers || { echo "fuzz: build failed" >&2; exit 2; }

targets=()
for src in tests/fuzz/*.cpp; do
  name=$(basename "$src" .cpp)
  if [ -z "$ONLY" ] || [ "$ONLY" = "$name" ]; then targets+=("$name"); fi
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no target named '$ONLY' (tests/fuzz/*.cpp: $(ls tests/fuzz/*.cpp | xargs -n1 basename | sed 's/\.cpp$//' | tr '\n' ' '))" >&2; exit 2; }

mkdir -p $B/corpus $B/crashes $B/logs
# One thread per target (the pool would only add noise), leaks checked, UBSan fatal.
export APRENDER_THREADS=1
# A request the allocator cannot meet returns null (the library must turn that into its own
# "out of memory" error); libFuzzer's single-malloc limit is raised to match, while its
# RSS limit still stops an input that really uses more than 2 GiB.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
printf '\n%-18s %10s %8s %7s  %s\n' target runs exec/s corpus result
for name in "${targets[@]}"; do
  bin=$B/fuzz/$name corpus=$B/corpus/$name log=$B/logs/$name.log
  mkdir -p "$corpus"
  if [ -z "$(ls -A "$corpus")" ]; then
    APRENDER_FUZZ_WRITE_SEEDS="$corpus" "$bin" >/dev/null 2>&1 ||
      { echo "fuzz: $name could not write its seeds" >&2; failed=1; continue; }
  fi
  dict=()
  [ -f tests/fuzz/$name.dict ] && dict=(-dict=tests/fuzz/$name.dict)
  "$bin" "$corpus" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1048576 \
    -artifact_prefix="$B/crashes/$name-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  size=$(ls "$corpus" | wc -l)
  if [ $rc -eq 0 ]; then result=ok
  else
    failed=1
    artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
    result="FAILED (exit $rc): ${artifact:-see $log}"
  fi
  printf '%-18s %10s %8s %7s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "$size" "$result"
  if [ $rc -ne 0 ]; then
    grep -m1 -E '^fuzz: |ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:' "$log" | sed 's/^/    /'
    echo "    replay: $bin ${artifact:-<input>}   (whole log: $log)"
  fi
done
# A target that crashed ran no destructors, so its scratch folder is still there.
for d in /dev/shm/aprender-fuzz-* "${TMPDIR:-/tmp}"/aprender-fuzz-*; do
  [ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null && rm -rf "$d"
done
exit $failed
