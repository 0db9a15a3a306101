# gpu_programs.sh — sourced by bench/gpu.sh and bench/gpu_profile.sh on a GPU machine: makes
# the programs ready and sets BIN (the folder holding run_tests, gpt_step, aprender, 07_gpt and
# 10_lora) and TWIN (PyTorch's torch_gpt.py). From .gpu/bundle.tar.xz (scripts/gpu_bundle.sh)
# when there is one, else built with make. Expects say, $log and $LOGS from the caller.
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
