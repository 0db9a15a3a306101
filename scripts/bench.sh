#!/usr/bin/env bash
# bench.sh — `make bench` (APRENDER_BUILD = the build directory):
#   1. kernel micro-benchmarks (matmul GFLOP/s against raw cblas_sgemm, elementwise GB/s)
#   2. tokenizer throughput on the real corpus (when `make data` has fetched it)
#   3. a GPT training step, aprender beside PyTorch's twin (../shared/bench/torch_gpt.py),
#      same model, same threads, run alternately, with the ratio per config.
# Environment: BENCH_CONFIGS="tiny small medium" (default), BENCH_STEPS (timed steps),
# BENCH_THREADS (default 2), TORCH_GPT (path of the twin).
set -uo pipefail
build="${APRENDER_BUILD:-build}"
threads="${BENCH_THREADS:-2}"
configs="${BENCH_CONFIGS:-tiny small medium}"
here="$(cd "$(dirname "$0")/.." && pwd)"
twin="${TORCH_GPT:-$here/../shared/bench/torch_gpt.py}"

echo "== micro"
"$build/bench/micro" || exit 1

echo
echo "== tokenizer"
corpus="$here/data/cache/corpora/general.train.txt"
if [[ -f "$corpus" ]]; then "$build/bench/tokenizer_bench" "$corpus"; else "$build/bench/tokenizer_bench"; fi

echo
echo "== GPT step: aprender vs PyTorch ($threads threads)"
have_torch=0
if [[ -f "$twin" ]] && /usr/bin/python3 -c "import torch" 2>/dev/null; then have_torch=1; else
    echo "(PyTorch's twin not available: install python3-torch and keep ../shared/bench/torch_gpt.py; showing aprender only)"
fi
source "$here/scripts/twin_configs.sh"  # torch_args NAME: the twin's flags for gpt_step's config
steps_for() { case "$1" in tiny) echo 30 ;; small) echo 10 ;; medium) echo 3 ;; esac; }
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" | head -1; }  # first number after a label

printf '\n| config | mode | aprender ms/step | PyTorch ms/step | ratio | aprender GFLOP/s | aprender RSS MiB | PyTorch RSS MiB |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for cfg in $configs; do
    steps="${BENCH_STEPS:-$(steps_for "$cfg")}"
    modes="train forward"
    [[ "$cfg" != medium ]] && modes="$modes lora"
    for mode in $modes; do
        ours_flags="" torch_flags=""
        case "$mode" in
            forward) ours_flags="--forward-only" torch_flags="--forward-only" ;;
            lora) ours_flags="--lora 8" torch_flags="--lora 8" ;;
        esac
        ours=$("$build/bench/gpt_step" --config "$cfg" --steps "$steps" --warmup 2 --threads "$threads" $ours_flags 2>&1)
        ms=$(echo "$ours" | field "median")
        gf=$(echo "$ours" | field "achieved:")
        rss=$(echo "$ours" | field "peak RSS:")
        tms="-" trss="-" ratio="-"
        if [[ $have_torch == 1 ]]; then
            theirs=$(/usr/bin/python3 "$twin" $(torch_args "$cfg") --steps "$steps" --warmup 2 --threads "$threads" $torch_flags 2>&1)
            tms=$(echo "$theirs" | field "median")
            trss=$(echo "$theirs" | field "peak RSS:")
            [[ -n "$ms" && -n "$tms" ]] && ratio=$(awk -v a="$ms" -v b="$tms" 'BEGIN { printf "%.2f", a / b }')
        fi
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$cfg" "$mode" "${ms:-error}" "$tms" "$ratio" "${gf:--}" "${rss:--}" "$trss"
    done
done
