#!/usr/bin/env bash
# gpu.sh — everything the CUDA backend owes on a real GPU, in one go: build for the card,
# the CUDA tests (poisoned allocations), a memcheck pass, then the GPT step against
# PyTorch on the same GPU, TF32 off and on. Writes $OUT/gpu-results.md (and raw logs).
#
# Before the run, from the repository root (the twin is never committed; bench-torch/
# is git-ignored and must travel with the run):
#     mkdir -p bench-torch && cp ../shared/bench/torch_gpt.py bench-torch/
# Then, on the GPU machine:
#     OUT=/some/dir bench/gpu.sh            (default OUT=out/gpu)
# Environment: JOBS (make -j, default 16), CUDA_ARCHS (default 90: Hopper, i.e. -arch=sm_90),
# STEPS / WARMUP (timed and untimed steps, default 20 / 5), FP32_PEAK_TFLOPS (the card's
# fp32 peak without tensor cores; guessed from its name when unset).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
mkdir -p "$OUT"
BUILD=build-gpu
JOBS="${JOBS:-16}"
STEPS="${STEPS:-20}"
WARMUP="${WARMUP:-5}"
log="$OUT/gpu-log.txt"
: > "$log"
say() { echo "== $*" | tee -a "$log"; }

say "card"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | tee -a "$log"
card="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
if [[ -z "${FP32_PEAK_TFLOPS:-}" ]]; then
    case "$card" in  # dense fp32 (CUDA cores), from NVIDIA's datasheets
        *H100*PCIe*) FP32_PEAK_TFLOPS=51.2 ;;
        *H100*|*H200*) FP32_PEAK_TFLOPS=66.9 ;;
        *A100*) FP32_PEAK_TFLOPS=19.5 ;;
        *) FP32_PEAK_TFLOPS=0 ;;
    esac
fi

say "build (CUDA_ARCHS=${CUDA_ARCHS:-90})"
t0=$SECONDS
if ! make -j"$JOBS" BUILD=$BUILD CUDA=1 CUDA_ARCHS="${CUDA_ARCHS:-90}" all >>"$log" 2>&1; then
    tail -40 "$log"
    echo "gpu.sh: the build failed (see $log)" >&2
    exit 1
fi
echo "built in $((SECONDS - t0)) s" | tee -a "$log"

say "CUDA tests (allocations poisoned with NaN)"
APRENDER_CUDA_POISON=1 APRENDER_BUILD=$BUILD timeout 300 $BUILD/tests/run_tests -tc='cuda*' 2>&1 | tee "$OUT/cuda-tests.txt" | tail -30
tests_line="$(tail -1 "$OUT/cuda-tests.txt")"

say "compute-sanitizer memcheck on a subset"
sanitizer="$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)"
if [[ -n "$sanitizer" ]]; then
    timeout 300 "$sanitizer" --tool memcheck --leak-check no --error-exitcode 9 \
        $BUILD/tests/run_tests -tc='cuda: binary*,cuda: reductions*,cuda: softmax*,cuda: out-of-range*' \
        >"$OUT/memcheck.txt" 2>&1
    memcheck_rc=$?
    tail -5 "$OUT/memcheck.txt"
    memcheck="exit $memcheck_rc ($(grep -c '^=========.*Invalid' "$OUT/memcheck.txt") invalid accesses reported)"
else
    memcheck="compute-sanitizer not found"
fi
echo "memcheck: $memcheck" | tee -a "$log"

# ---- the GPT step, aprender and PyTorch, TF32 off then on ---------------------------------
py=""
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then py="$cand"; break; fi
done
[[ -f bench-torch/torch_gpt.py ]] || { echo "gpu.sh: bench-torch/torch_gpt.py missing: PyTorch columns will be empty" | tee -a "$log"; py=""; }
[[ -n "$py" ]] || echo "gpu.sh: no python3 with CUDA-enabled torch found: PyTorch columns will be empty" | tee -a "$log"

torch_args() {  # the twin's flags for each named config (bench/gpt_step.cpp named_config)
    case "$1" in
        tiny) echo "--vocab 65 --block_size 64 --batch 12 --n_layer 4 --n_head 4 --n_embd 128" ;;
        small) echo "--vocab 512 --block_size 128 --batch 16 --n_layer 4 --n_head 4 --n_embd 256" ;;
        medium) echo "--vocab 65 --block_size 256 --batch 64 --n_layer 6 --n_head 6 --n_embd 384" ;;
    esac
}

jsonl="$OUT/gpt-step.jsonl"
: > "$jsonl"
for tf32 in 0 1; do
    for run in "tiny 0" "small 0" "medium 0" "small 8" "medium 8"; do
        set -- $run
        cfg=$1 lora=$2
        flag=$([[ $tf32 == 1 ]] && echo --tf32 || true)
        say "gpt_step $cfg lora=$lora tf32=$tf32"
        timeout 240 $BUILD/bench/gpt_step --device cuda --config "$cfg" --lora "$lora" --steps "$STEPS" --warmup "$WARMUP" \
            $flag --json >"$OUT/aprender-$cfg-$lora-$tf32.txt" 2>&1
        grep -v '^JSON' "$OUT/aprender-$cfg-$lora-$tf32.txt" | tee -a "$log" | grep -E 'step ms|error' || true
        a=$(grep '^JSON' "$OUT/aprender-$cfg-$lora-$tf32.txt" | sed 's/^JSON //')
        t=""
        if [[ -n "$py" ]]; then
            timeout 240 "$py" bench-torch/torch_gpt.py --device cuda $(torch_args "$cfg") --lora "$lora" \
                --steps "$STEPS" --warmup "$WARMUP" $flag --json >"$OUT/torch-$cfg-$lora-$tf32.txt" 2>&1
            grep -E 'step ms|Error' "$OUT/torch-$cfg-$lora-$tf32.txt" | tee -a "$log" || true
            t=$(grep '^JSON' "$OUT/torch-$cfg-$lora-$tf32.txt" | sed 's/^JSON //')
        fi
        echo "{\"config\": \"$cfg\", \"lora\": $lora, \"tf32\": $tf32, \"aprender\": ${a:-null}, \"torch\": ${t:-null}}" >>"$jsonl"
    done
done

# ---- one table ---------------------------------------------------------------------------------
python3 - "$jsonl" "$card" "$FP32_PEAK_TFLOPS" "$tests_line" "$memcheck" >"$OUT/gpu-results.md" <<'EOF'
import json, sys
path, card, peak, tests, memcheck = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"# GPU results: {card}\n")
print(f"- CUDA tests (`run_tests -tc='cuda*'`, poisoned allocations): `{tests}`")
print(f"- compute-sanitizer memcheck (subset): {memcheck}")
print(f"- fp32 peak used for the fraction: {peak} TFLOP/s (dense, no tensor cores)\n")
print("| config | LoRA r | TF32 | aprender ms/step | PyTorch ms/step | aprender / PyTorch | aprender GFLOP/s | % of fp32 peak |")
print("|---|---|---|---|---|---|---|---|")
for line in open(path):
    r = json.loads(line)
    a, t = r["aprender"], r["torch"]
    am = a["ms_median"] if a else None
    tm = t["ms_median"] if t else None
    ratio = f"{am / tm:.2f}x" if am and tm else "-"
    gf = f"{a['gflops']:.0f}" if a else "-"
    frac = f"{a['gflops'] / (peak * 1e3) * 100:.1f}%" if a and peak > 0 else "-"
    f = lambda v: f"{v:.2f}" if v is not None else "failed"
    print(f"| {r['config']} | {r['lora']} | {'on' if r['tf32'] else 'off'} | {f(am)} | {f(tm) if t or tm else '-'} | {ratio} | {gf} | {frac} |")
print("\nTargets (issue 9): medium ≤ 1.0x PyTorch eager, small ≤ 0.8x, fp32 with TF32 off on both.")
EOF
cat "$OUT/gpu-results.md"
