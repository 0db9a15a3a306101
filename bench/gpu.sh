#!/usr/bin/env bash
# gpu.sh — everything the CUDA backend owes on a real GPU, in one go:
#   1. the CUDA tests (CPU/GPU parity, allocations poisoned with NaN), 2. a compute-sanitizer
#   memcheck pass on a subset, 3. whole models against PyTorch and our LoRA adapter loaded by
#   Hugging Face PEFT, 4. tutorial 07 with --device cuda beside --device cpu, and 10 (LoRA)
#   with --device cuda, 5. the GPT step
#   against PyTorch's twin on the same GPU, TF32 off then on.
# Writes $OUT/gpu-results.md (the table for bench/RESULTS.md), $OUT/gpu-log.txt and
# $OUT/raw-logs.tgz (every program's output) — three files, since a device call returns
# at most eight.
#
# The lent GPU machine reaches no package registry, so the programs are built beforehand,
# on any machine, by scripts/gpu_bundle.sh into .gpu/bundle.tar.xz (with the PyTorch twin
# from ../shared/bench, never committed). Then one device call:
#     run(command="bench/gpu.sh", carry=[".gpu"], timeout_s=600)
# Without a bundle it builds with make, which needs the Debian packages (your own GPU machine).
# Environment: STEPS / WARMUP (timed and untimed steps, default 10 / 3), TORCH_GPT (the twin
# without a bundle; default bench-torch/, shared/bench/ or ../shared/bench/), JOBS (make -j,
# default 16), CUDA_ARCHS (default 90), FP32_PEAK_TFLOPS (the card's fp32 peak without tensor
# cores; guessed from its name when unset), OUT (default out/gpu).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
STEPS="${STEPS:-10}"
WARMUP="${WARMUP:-3}"
LOGS=/tmp/aprender-gpu-logs
rm -rf "$LOGS" && mkdir -p "$OUT" "$LOGS"
log="$OUT/gpu-log.txt"
: > "$log"
trap 'tar -C "$LOGS" -czf "$OUT/raw-logs.tgz" .' EXIT  # the raw logs come back even after a failure
say() { echo "== $* ($((SECONDS)) s)" | tee -a "$log"; }

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

# ---- the programs ---------------------------------------------------------------------------
if [[ -f .gpu/bundle.tar.xz ]]; then
    say "programs from .gpu/bundle.tar.xz (scripts/gpu_bundle.sh)"
    G=/tmp/aprender-gpu
    rm -rf "$G" && mkdir -p "$G" && tar -C "$G" -xJf .gpu/bundle.tar.xz
    BIN="$G/bin"
    TWIN="$G/torch_gpt.py"
    # cuBLAS and the CUDA runtime: the toolkit's, else the ones inside PyTorch's wheels
    cudalib=""
    for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
             $(python3 -c 'import nvidia, os; print(" ".join(os.path.join(p, "cu13", "lib") for p in nvidia.__path__))' 2>/dev/null); do
        [[ -e "$d/libcublas.so.13" ]] && { cudalib="$d"; break; }
    done
    [[ -n "$cudalib" ]] || cudalib="$(dirname "$(find /usr /opt -name 'libcublas.so.13' 2>/dev/null | head -1)" 2>/dev/null)"
    [[ "$cudalib" == "." ]] && cudalib=""
    export LD_LIBRARY_PATH="$G/lib${cudalib:+:$cudalib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export APRENDER_CUDA_LIB="$G/lib/libaprender_cuda.so"
    echo "cuBLAS from: ${cudalib:-(not found: the default search path)}" | tee -a "$log"
    missing() { ldd "$BIN"/* "$APRENDER_CUDA_LIB" 2>&1 | grep 'not found' | sort -u; }
    if [[ -n "$(missing)" ]]; then  # an older C++ runtime than g++ 12's: use the bundle's
        missing | tee -a "$log"
        echo "adding the bundle's libstdc++ (lib/fallback)" | tee -a "$log"
        export LD_LIBRARY_PATH="$G/lib/fallback:$LD_LIBRARY_PATH"
    fi
    if [[ -n "$(missing)" ]]; then
        missing | tee -a "$log"
        echo "gpu.sh: shared libraries missing (above)" | tee -a "$log" >&2
        exit 1
    fi
else
    say "build (CUDA_ARCHS=${CUDA_ARCHS:-90})"
    if ! make -j"${JOBS:-16}" BUILD=build-gpu CUDA=1 CUDA_ARCHS="${CUDA_ARCHS:-90}" all >"$LOGS/build.txt" 2>&1; then
        tail -40 "$LOGS/build.txt" | tee -a "$log"
        echo "gpu.sh: the build failed" | tee -a "$log" >&2
        exit 1
    fi
    BIN=build-gpu/bundle-bin
    mkdir -p "$BIN"
    for p in tests/run_tests bench/gpt_step aprender tutorials/07_gpt tutorials/10_lora; do ln -sf "$PWD/build-gpu/$p" "$BIN/"; done
    # the twin: a git-ignored copy beside the tree, else the shared folder where there is one
    TWIN="${TORCH_GPT:-}"
    for t in bench-torch/torch_gpt.py shared/bench/torch_gpt.py ../shared/bench/torch_gpt.py; do
        [[ -z "$TWIN" && -f "$t" ]] && TWIN="$t"
    done
    TWIN="${TWIN:-../shared/bench/torch_gpt.py}"
fi

# ---- 1. CUDA tests --------------------------------------------------------------------------
say "CUDA tests (allocations poisoned with NaN)"
APRENDER_CUDA_POISON=1 timeout 300 "$BIN/run_tests" -tc='cuda*' >"$LOGS/cuda-tests.txt" 2>&1
grep -E 'ERROR|FAILED|CHECK|passed,' "$LOGS/cuda-tests.txt" | head -40 | tee -a "$log"
tests_line="$(tail -1 "$LOGS/cuda-tests.txt")"

# ---- 2. memcheck ----------------------------------------------------------------------------
say "compute-sanitizer memcheck on a subset"
sanitizer="$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)"
if [[ -n "$sanitizer" ]]; then
    timeout 150 "$sanitizer" --tool memcheck --leak-check no --error-exitcode 9 \
        "$BIN/run_tests" -tc='cuda: binary*,cuda: reductions*,cuda: softmax*,cuda: out-of-range*,cuda: a GPT training step*' \
        >"$LOGS/memcheck.txt" 2>&1
    memcheck="exit $? ($(grep -c 'Invalid' "$LOGS/memcheck.txt") invalid accesses reported; $(tail -1 "$LOGS/memcheck.txt"))"
else
    memcheck="compute-sanitizer not found"
fi
echo "memcheck: $memcheck" | tee -a "$log"

# ---- 3. whole models against PyTorch; our adapter in Hugging Face PEFT -----------------------
say "reference: GPT, Encoder, LoRA against PyTorch; PEFT loads our adapter"
timeout 120 "$BIN/run_tests" -tc='reference*' -s >"$LOGS/reference.txt" 2>&1
grep -E 'agree|DISAGREE|PEFT|over tolerance|Error|passed,' "$LOGS/reference.txt" | sort -u | tee -a "$log"
reference_line="$(tail -1 "$LOGS/reference.txt")"
peft_line="$(grep -m1 'adapter loaded by Hugging Face PEFT' "$LOGS/reference.txt" || echo 'PEFT case did not run')"

# ---- 4. a tutorial on the GPU ---------------------------------------------------------------
say "tutorial 07 --quick on cuda and on cpu (same seed)"
tutorial=""
for dev in cuda cpu; do
    timeout 150 "$BIN/07_gpt" --quick --no-pause --no-color --lang en --device "$dev" --out "$LOGS/07-$dev" \
        >"$LOGS/07_gpt-$dev.txt" 2>&1
    rc=$?
    echo "07_gpt --device $dev: exit $rc" | tee -a "$log"
    gpt_row="$(grep -E '^ *GPT +[0-9]+ parameters' "$LOGS/07_gpt-$dev.txt" | tail -1 | tr -s ' ')"
    grep -E '100% loss|error' "$LOGS/07_gpt-$dev.txt" | tail -2 | tee -a "$log"
    echo "$gpt_row" | tee -a "$log"
    tutorial+="--device $dev: exit $rc, bits/char row:${gpt_row:-(none)}; "
done
timeout 150 "$BIN/10_lora" --quick --no-pause --no-color --lang en --device cuda --out "$LOGS/10-cuda" \
    >"$LOGS/10_lora-cuda.txt" 2>&1
rc=$?
echo "10_lora --quick --device cuda: exit $rc" | tee -a "$log"
grep -E 'test accuracy|error' "$LOGS/10_lora-cuda.txt" | tail -8 | tee -a "$log"
tutorial+="10_lora --quick --device cuda: exit $rc"

# ---- 5. the GPT step, aprender and PyTorch, TF32 off then on ---------------------------------
py=""
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then py="$cand"; break; fi
done
[[ -f "$TWIN" ]] || { echo "gpu.sh: $TWIN missing: PyTorch columns will be empty" | tee -a "$log"; py=""; }
[[ -n "$py" ]] || echo "gpu.sh: no python3 with CUDA-enabled torch found: PyTorch columns will be empty" | tee -a "$log"

source scripts/twin_configs.sh  # torch_args NAME: the twin's flags for gpt_step's config

jsonl="$LOGS/gpt-step.jsonl"
: > "$jsonl"
for tf32 in 0 1; do
    for run in "tiny 0" "small 0" "medium 0" "small 8" "medium 8"; do
        set -- $run
        cfg=$1 lora=$2
        flag=$([[ $tf32 == 1 ]] && echo --tf32 || true)
        say "gpt_step $cfg lora=$lora tf32=$tf32"
        f="$LOGS/aprender-$cfg-$lora-$tf32.txt"
        timeout 240 "$BIN/gpt_step" --device cuda --config "$cfg" --lora "$lora" --steps "$STEPS" --warmup "$WARMUP" \
            $flag --json >"$f" 2>&1
        grep -E 'step ms|rror' "$f" | tee -a "$log" || true
        a=$(grep '^JSON' "$f" | sed 's/^JSON //')
        t=""
        if [[ -n "$py" ]]; then
            f="$LOGS/torch-$cfg-$lora-$tf32.txt"
            timeout 240 "$py" "$TWIN" --device cuda $(torch_args "$cfg") --lora "$lora" \
                --steps "$STEPS" --warmup "$WARMUP" $flag --json >"$f" 2>&1
            grep -E 'step ms|Error' "$f" | tee -a "$log" || true
            t=$(grep '^JSON' "$f" | sed 's/^JSON //')
        fi
        echo "{\"config\": \"$cfg\", \"lora\": $lora, \"tf32\": $tf32, \"aprender\": ${a:-null}, \"torch\": ${t:-null}}" >>"$jsonl"
    done
done

# ---- one table --------------------------------------------------------------------------------
python3 - "$jsonl" "$card" "$FP32_PEAK_TFLOPS" "$tests_line" "$memcheck" "$reference_line" "$peft_line" "$tutorial" \
    >"$OUT/gpu-results.md" <<'EOF'
import json, sys
path, card, peak, tests, memcheck, reference, peft, tutorial = sys.argv[1:]
peak = float(peak)
print(f"# GPU results: {card}\n")
print(f"- CUDA tests (`run_tests -tc='cuda*'`, poisoned allocations): `{tests}`")
print(f"- compute-sanitizer memcheck (subset): {memcheck}")
print(f"- whole models against PyTorch (`run_tests -tc='reference*'`): `{reference}`; {peft}")
print(f"- tutorials (07 --quick on cpu and cuda, 10 --quick on cuda): {tutorial}")
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
    print(f"| {r['config']} | {r['lora']} | {'on' if r['tf32'] else 'off'} | {f(am)} | {f(tm)} | {ratio} | {gf} | {frac} |")
print("\nTargets (issue 9): medium ≤ 1.0x PyTorch eager, small ≤ 0.8x, fp32 with TF32 off on both.")
EOF
cat "$OUT/gpu-results.md"
say "done"
