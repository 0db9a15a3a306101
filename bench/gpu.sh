#!/usr/bin/env bash
# gpu.sh — everything the CUDA backend owes on a real GPU, in one go:
#   1. the CUDA tests (CPU/GPU parity, allocations poisoned with NaN), 2. the GPT step against
#   PyTorch's twin on the same GPU with TF32 off (the issue's targets), 3. whole models against
#   PyTorch and our LoRA adapter loaded by Hugging Face PEFT, 4. tutorial 07 with --device cuda
#   beside --device cpu, and 10 (LoRA) with --device cuda, then the CLI's train and sample on
#   both devices, 5. the GPT step with TF32 on,
#   6. a compute-sanitizer memcheck pass over the CUDA tests. Most important first: device minutes are
#   few, and the script keeps to a time budget (BUDGET seconds, default 540, under the call's
#   600) by shortening or skipping the last steps, so a slow step never loses the others.
# Writes $OUT/gpu-results.md (the table for bench/RESULTS.md), $OUT/gpu-log.txt and
# $OUT/raw-logs.tgz (every program's output) — three files, since a device call returns
# at most eight. All three are rewritten after every step, so they come back even if the
# call is cut off.
#
# The lent GPU machine reaches no package registry, so the programs are built beforehand,
# on any machine, by scripts/gpu_bundle.sh into .gpu/bundle.tar.xz (with the PyTorch twin
# from ../shared/bench, never committed). Then one device call:
#     run(command="bench/gpu.sh", carry=[".gpu"], timeout_s=600)
# Without a bundle it builds with make, which needs the Debian packages (your own GPU machine).
# Environment: STEPS / WARMUP (timed and untimed steps, default 10 / 3), TORCH_GPT (the twin
# without a bundle; default bench-torch/, shared/bench/ or ../shared/bench/), JOBS (make -j,
# default 16), CUDA_ARCHS (default 90), FP32_PEAK_TFLOPS (the card's fp32 peak without tensor
# cores; guessed from its name when unset), OUT (default out/gpu), BUDGET (seconds, default 540).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
STEPS="${STEPS:-10}"
WARMUP="${WARMUP:-3}"
BUDGET="${BUDGET:-540}"
LOGS=/tmp/aprender-gpu-logs
rm -rf "$LOGS" && mkdir -p "$OUT" "$LOGS"
log="$OUT/gpu-log.txt"
: > "$log"
save_logs() { tar -C "$LOGS" -czf "$OUT/raw-logs.tgz" .; }
trap save_logs EXIT  # the raw logs come back even after a failure
say() { echo "== $* ($((SECONDS)) s)" | tee -a "$log"; }
# cap N: a timeout of N seconds, cut to what is left of the budget (less a margin to write the
# table); 0 when too little is left, and the step is then skipped and says so.
cap() {
    local left=$((BUDGET - SECONDS - 10))
    if ((left < 5)); then echo 0; elif ((left < $1)); then echo "$left"; else echo "$1"; fi
}
tcap() { local c; c=$(cap "$1"); echo $((c > 0 ? c : 1)); }  # for timeout, where 0 means "none"
skipped() { echo "skipped: the time budget (BUDGET=$BUDGET s) is spent" | tee -a "$log"; }

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

# ---- the programs (from the bundle, or built here): sets BIN and TWIN ------------------------
source scripts/gpu_programs.sh

# ---- the table, rewritten after every step ----------------------------------------------------
tests_line="did not run"; memcheck="did not run"; reference_line="did not run"
peft_line="PEFT case did not run"; tutorial="did not run"; cli="did not run"
jsonl="$LOGS/gpt-step.jsonl"
: > "$jsonl"
write_table() {
    python3 - "$jsonl" "$card" "$FP32_PEAK_TFLOPS" "$tests_line" "$memcheck" "$reference_line" "$peft_line" \
        "$tutorial" "$cli" >"$OUT/gpu-results.md" <<'EOF'
import json, sys
path, card, peak, tests, memcheck, reference, peft, tutorial, cli = sys.argv[1:]
peak = float(peak)
print(f"# GPU results: {card}\n")
print(f"- CUDA tests (`run_tests -tc='cuda*'`, poisoned allocations; the 'cuda: ...' tests run on the GPU, "
      f"the 'cuda kernels on the host: ...' ones on the CPU): `{tests}`")
print(f"- compute-sanitizer memcheck: {memcheck}")
print(f"- whole models against PyTorch (`run_tests -tc='reference*'`): `{reference}`; {peft}")
print(f"- tutorials (07 --quick on cpu and cuda, 10 --quick on cuda): {tutorial}")
print(f"- the CLI (`aprender train` 60 steps on data/lecture/frases.txt, then `sample`): {cli}")
print(f"- fp32 peak used for the fraction: {peak} TFLOP/s (dense, no tensor cores; TF32 rows have none)\n")
print("| config | LoRA r | TF32 | aprender ms/step | PyTorch ms/step | aprender / PyTorch | aprender GFLOP/s | % of fp32 peak |")
print("|---|---|---|---|---|---|---|---|")
for line in open(path):
    r = json.loads(line)
    a, t = r["aprender"], r["torch"]
    am = a["ms_median"] if a else None
    tm = t["ms_median"] if t else None
    ratio = f"{am / tm:.2f}x" if am and tm else "-"
    gf = f"{a['gflops']:.0f}" if a else "-"
    # TF32 runs on the tensor cores, whose peak is another (much higher) number: no fraction
    frac = f"{a['gflops'] / (peak * 1e3) * 100:.1f}%" if a and peak > 0 and not r["tf32"] else "-"
    f = lambda v: f"{v:.2f}" if v is not None else "failed"
    print(f"| {r['config']} | {r['lora']} | {'on' if r['tf32'] else 'off'} | {f(am)} | {f(tm)} | {ratio} | {gf} | {frac} |")
print("\nTargets (issue 9): medium ≤ 1.0x PyTorch eager, small ≤ 0.8x, fp32 with TF32 off on both.")
EOF
    save_logs
}
write_table

# ---- 1. CUDA tests --------------------------------------------------------------------------
say "CUDA tests (allocations poisoned with NaN)"
APRENDER_CUDA_POISON=1 timeout "$(tcap 150)" "$BIN/run_tests" -tc='cuda*' >"$LOGS/cuda-tests.txt" 2>&1
rc=$?
grep -E 'ERROR|FAILED|CHECK|passed,' "$LOGS/cuda-tests.txt" | head -40 | tee -a "$log"
tests_line="$(tail -1 "$LOGS/cuda-tests.txt")"
((rc == 124)) && tests_line="timed out: $tests_line"
write_table

# ---- 2 and 5. the GPT step, aprender and PyTorch ----------------------------------------------
py=""
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then py="$cand"; break; fi
done
[[ -f "$TWIN" ]] || { echo "gpu.sh: $TWIN missing: PyTorch columns will be empty" | tee -a "$log"; py=""; }
[[ -n "$py" ]] || echo "gpu.sh: no python3 with CUDA-enabled torch found: PyTorch columns will be empty" | tee -a "$log"

source scripts/twin_configs.sh  # torch_args NAME: the twin's flags for gpt_step's config

gpt_steps() {  # gpt_steps TF32(0|1): every config, aprender then PyTorch, one table row each
    local tf32=$1 run cfg lora flag f a t
    for run in "tiny 0" "small 0" "medium 0" "small 8" "medium 8"; do
        set -- $run
        cfg=$1 lora=$2
        flag=$([[ $tf32 == 1 ]] && echo --tf32 || true)
        say "gpt_step $cfg lora=$lora tf32=$tf32"
        [[ $(cap 60) == 0 ]] && { skipped; continue; }
        f="$LOGS/aprender-$cfg-$lora-$tf32.txt"
        timeout "$(tcap 60)" "$BIN/gpt_step" --device cuda --config "$cfg" --lora "$lora" --steps "$STEPS" \
            --warmup "$WARMUP" $flag --json >"$f" 2>&1
        grep -E 'step ms|rror' "$f" | tee -a "$log" || true
        a=$(grep '^JSON' "$f" | sed 's/^JSON //')
        t=""
        if [[ -n "$py" && $(cap 60) != 0 ]]; then
            f="$LOGS/torch-$cfg-$lora-$tf32.txt"
            timeout "$(tcap 60)" "$py" "$TWIN" --device cuda $(torch_args "$cfg") --lora "$lora" \
                --steps "$STEPS" --warmup "$WARMUP" $flag --json >"$f" 2>&1
            grep -E 'step ms|Error' "$f" | tee -a "$log" || true
            t=$(grep '^JSON' "$f" | sed 's/^JSON //')
        fi
        echo "{\"config\": \"$cfg\", \"lora\": $lora, \"tf32\": $tf32, \"aprender\": ${a:-null}, \"torch\": ${t:-null}}" >>"$jsonl"
        write_table
    done
}
gpt_steps 0

# ---- 3. whole models against PyTorch; our adapter in Hugging Face PEFT -----------------------
say "reference: GPT, Encoder, LoRA against PyTorch; PEFT loads our adapter"
if [[ $(cap 90) == 0 ]]; then skipped; else
    timeout "$(tcap 90)" "$BIN/run_tests" -tc='reference*' -s >"$LOGS/reference.txt" 2>&1
    grep -E 'agree|DISAGREE|PEFT|over tolerance|Error|passed,' "$LOGS/reference.txt" | sort -u | tee -a "$log"
    reference_line="$(tail -1 "$LOGS/reference.txt")"
    peft_line="$(grep -m1 'adapter loaded by Hugging Face PEFT' "$LOGS/reference.txt" || echo 'PEFT case did not run')"
fi
write_table

# ---- 4. a tutorial on the GPU ---------------------------------------------------------------
say "tutorial 07 --quick on cuda and on cpu (same seed)"
tutorial=""
for dev in cuda cpu; do
    [[ $(cap 60) == 0 ]] && { skipped; tutorial+="07 --device $dev: skipped (time); "; continue; }
    timeout "$(tcap 60)" "$BIN/07_gpt" --quick --no-pause --no-color --lang en --device "$dev" --out "$LOGS/07-$dev" \
        >"$LOGS/07_gpt-$dev.txt" 2>&1
    rc=$?
    echo "07_gpt --device $dev: exit $rc" | tee -a "$log"
    gpt_row="$(grep -E '^ *GPT +[0-9,]+ parameters' "$LOGS/07_gpt-$dev.txt" | tail -1 | tr -s ' ')"
    grep -E '100% loss|error' "$LOGS/07_gpt-$dev.txt" | tail -2 | tee -a "$log"
    echo "$gpt_row" | tee -a "$log"
    tutorial+="--device $dev: exit $rc, bits/char row:${gpt_row:-(none)}; "
done
if [[ $(cap 60) == 0 ]]; then skipped; tutorial+="10_lora: skipped (time)"; else
    timeout "$(tcap 60)" "$BIN/10_lora" --quick --no-pause --no-color --lang en --device cuda --out "$LOGS/10-cuda" \
        >"$LOGS/10_lora-cuda.txt" 2>&1
    rc=$?
    echo "10_lora --quick --device cuda: exit $rc" | tee -a "$log"
    grep -E 'test accuracy|error' "$LOGS/10_lora-cuda.txt" | tail -8 | tee -a "$log"
    tutorial+="10_lora --quick --device cuda: exit $rc"
fi
write_table

# ---- 4b. the command line on the GPU --------------------------------------------------------------
say "aprender train and sample with --device cuda and cpu (same seed)"
cli=""
for dev in cuda cpu; do
    [[ $(cap 30) == 0 ]] && { skipped; cli+="$dev: skipped (time); "; continue; }
    timeout "$(tcap 30)" "$BIN/aprender" train --data data/lecture/frases.txt --out "$LOGS/cli-$dev.safetensors" \
        --block-size 32 --n-layer 2 --n-head 2 --n-embd 64 --batch 8 --steps 60 --warmup 5 --eval-interval 30 \
        --eval-batches 2 --lr 3e-3 --seed 1 --device "$dev" >"$LOGS/cli-$dev.txt" 2>&1 &&
        timeout "$(tcap 30)" "$BIN/aprender" sample --checkpoint "$LOGS/cli-$dev.safetensors" --prompt 'O ' --seed 1 \
            --max-new-tokens 40 --device "$dev" >>"$LOGS/cli-$dev.txt" 2>&1
    rc=$?
    loss="$(grep -m1 '^loss ' "$LOGS/cli-$dev.txt" | sed 's/ in .*//')"
    echo "aprender --device $dev: exit $rc, $loss" | tee -a "$log"
    grep -i 'error' "$LOGS/cli-$dev.txt" | head -2 | tee -a "$log"
    cli+="--device $dev: exit $rc, ${loss:-(no loss line)}; "
done
write_table

# ---- 5. TF32 on --------------------------------------------------------------------------------
gpt_steps 1

# ---- 6. memcheck ----------------------------------------------------------------------------
say "compute-sanitizer memcheck on the CUDA tests"
sanitizer="$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)"
if [[ -z "$sanitizer" ]]; then
    memcheck="compute-sanitizer not found"
elif [[ $(cap 240) == 0 ]]; then
    skipped; memcheck="skipped: the time budget was spent"
else
    limit=$(tcap 240)
    # The whole CUDA suite when a minute is left (without the tool it takes ~6 s on an H200),
    # else five cases that cover every kernel family of a training step (2 s under it there).
    tests='cuda: *' what="every 'cuda: ...' test"
    ((limit < 60)) && tests='cuda: binary*,cuda: reductions*,cuda: softmax*,cuda: out-of-range*,cuda: a GPT training step*' \
        what="a subset (binary, reductions, softmax, out-of-range, a GPT step)"
    timeout "$limit" "$sanitizer" --tool memcheck --leak-check no --error-exitcode 9 \
        "$BIN/run_tests" -tc="$tests" >"$LOGS/memcheck.txt" 2>&1
    rc=$?
    memcheck="$what: exit $rc$( ((rc == 124)) && echo " (timed out after $limit s)") ($(grep -c 'Invalid' "$LOGS/memcheck.txt") invalid accesses reported; $(tail -1 "$LOGS/memcheck.txt"))"
fi
echo "memcheck: $memcheck" | tee -a "$log"
write_table

cat "$OUT/gpu-results.md"
say "done"
