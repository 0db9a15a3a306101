#!/usr/bin/env bash
# gpu_profile.sh — where one GPT training step's time goes on the GPU, kernel by kernel, for
# aprender and for PyTorch's twin, side by side; run on a GPU machine like bench/gpu.sh:
#     run(command="bench/gpu_profile.sh", carry=[".gpu"], timeout_s=300)
#
# Nsight Compute (ncu) times every kernel a program launches. A program's setup and warm-up
# launch kernels too, so each program is profiled twice, with one timed step and with two,
# and the difference per kernel name is what one step costs (ncu runs kernels one at a time,
# with caches as they are and the clocks not locked, so the sums are near a plain run's).
# Then it times the step without ncu with cuBLAS's workspace at its default and at 32 MiB
# (APRENDER_CUBLAS_WORKSPACE_MB), the one knob of cuda/cuda_backend.cpp that changes which
# matrix-product algorithms cuBLAS may pick.
# Writes $OUT/gpu-profile.md (the tables) and $OUT/gpu-profile-logs.tgz.
# Environment: CONFIG (default medium), LORA (rank, default 0), OUT (default out/gpu).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
CONFIG="${CONFIG:-medium}"
LORA="${LORA:-0}"
LOGS=/tmp/aprender-gpu-profile
rm -rf "$LOGS" && mkdir -p "$OUT" "$LOGS"
log="$LOGS/log.txt"
trap 'tar -C "$LOGS" -czf "$OUT/gpu-profile-logs.tgz" .' EXIT
say() { echo "== $* ($((SECONDS)) s)" | tee -a "$log"; }

say "card: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"
source scripts/gpu_programs.sh
source scripts/twin_configs.sh
ncu="$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || true)"
[[ -n "$ncu" ]] || { echo "gpu_profile.sh: ncu (Nsight Compute) not found" | tee -a "$log"; exit 1; }

# profile NAME STEPS COMMAND...: every kernel's duration (ns) as CSV in $LOGS/NAME-STEPS.csv
profile() {
    local name=$1 steps=$2
    shift 2
    timeout 60 "$ncu" --metrics gpu__time_duration.sum --csv --page raw --print-units base \
        --print-kernel-base function --clock-control none --cache-control none --target-processes all \
        "$@" --steps "$steps" --warmup 1 >"$LOGS/$name-$steps.csv" 2>"$LOGS/$name-$steps.err"
    echo "ncu $name, $steps step(s): exit $?, $(grep -c '^"[0-9]' "$LOGS/$name-$steps.csv") kernels" | tee -a "$log"
}
for steps in 1 2; do
    say "ncu: aprender, $steps step(s)"
    profile aprender "$steps" "$BIN/gpt_step" --device cuda --config "$CONFIG" --lora "$LORA"
    say "ncu: PyTorch, $steps step(s)"
    profile torch "$steps" python3 "$TWIN" --device cuda $(torch_args "$CONFIG") --lora "$LORA"
done

say "cuBLAS workspace: default vs 32 MiB (no ncu)"
for mb in 0 32; do
    APRENDER_CUBLAS_WORKSPACE_MB=$mb timeout 60 "$BIN/gpt_step" --device cuda --config "$CONFIG" --lora "$LORA" \
        --steps 20 --warmup 3 --json >"$LOGS/workspace-$mb.txt" 2>&1
    echo "APRENDER_CUBLAS_WORKSPACE_MB=$mb: $(grep 'step ms' "$LOGS/workspace-$mb.txt")" | tee -a "$log"
done

python3 - "$LOGS" "$CONFIG" "$LORA" >"$OUT/gpu-profile.md" <<'EOF'
import csv, collections, sys
logs, config, lora = sys.argv[1:]

def per_kernel(path):
    """Total ns and launches per kernel name over a run (rows whose first field is a launch ID)."""
    total, count = collections.Counter(), collections.Counter()
    # ncu's CSV lines start with a quote; the program's own output, mixed in, is left out
    rows = list(csv.reader(l for l in open(path, errors="replace") if l.startswith('"')))
    header = next((r for r in rows if "Kernel Name" in r and "gpu__time_duration.sum" in r), None)
    if header is None:
        return None, None
    name, dur = header.index("Kernel Name"), header.index("gpu__time_duration.sum")
    for r in rows:
        if len(r) == len(header) and r[0].isdigit():
            try:
                total[r[name][:60]] += float(r[dur].replace(",", ""))
                count[r[name][:60]] += 1
            except ValueError:
                pass
    return total, count

print(f"# One training step on the GPU, kernel by kernel: {config}, LoRA r={lora}\n")
print("ncu kernel durations (ncu runs kernels one at a time), one step = the run with two timed")
print("steps minus the run with one; µs per step.\n")
steps = {}
for who in ("aprender", "torch"):
    (one, n1), (two, n2) = per_kernel(f"{logs}/{who}-1.csv"), per_kernel(f"{logs}/{who}-2.csv")
    if one is None or two is None:
        print(f"- {who}: no ncu table (see the logs)\n")
        continue
    step = {k: (two[k] - one.get(k, 0)) / 1e3 for k in two}
    steps[who] = step
    total = sum(v for v in step.values() if v > 0)
    launches = sum(n2.values()) - sum(n1.values())
    print(f"## {who}: {total / 1e3:.2f} ms of kernels per step, {launches} launches\n")
    print("| kernel | µs per step | share | launches |")
    print("|---|---|---|---|")
    for k, v in sorted(step.items(), key=lambda kv: -kv[1])[:25]:
        if v > 0:
            print(f"| `{k}` | {v:.0f} | {100 * v / total:.1f}% | {n2[k] - n1.get(k, 0)} |")
    print()
print("## Step time without ncu, cuBLAS workspace\n")
for mb in (0, 32):
    line = next((l for l in open(f"{logs}/workspace-{mb}.txt") if "step ms" in l), "failed")
    print(f"- APRENDER_CUBLAS_WORKSPACE_MB={mb} ({'cuBLAS default' if mb == 0 else f'{mb} MiB'}): {line.strip()}")
EOF
cat "$OUT/gpu-profile.md"
say "done"
