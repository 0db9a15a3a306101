#!/usr/bin/env bash
# gpu_bundle.sh — prepare here, on a machine without a GPU, everything bench/gpu.sh needs on
# a lent GPU machine. That machine has nvcc, the CUDA libraries and PyTorch, but no Debian
# -dev packages and no way to fetch them; and its minutes are few. So we build here, for
# the card (sm_90, Hopper) and for any x86-64 CPU with AVX2 (not -march=native: the GPU
# machine's processor is not this one), and pack the programs with the shared libraries
# they need that a CUDA image lacks (OpenBLAS, fmt, PCRE2, utf8proc, gfortran):
#
#   .gpu/bundle.tar.xz     bin/run_tests bin/gpt_step bin/aprender bin/07_gpt bin/10_lora  (stripped)
#                          lib/libaprender_cuda.so lib/libopenblas.so.0 ... lib/fallback/libstdc++.so.6
#                          torch_gpt.py  (the PyTorch twin, from ../shared/bench; never committed)
#
# .gpu/ is git-ignored; the device run carries it:  run(command="bench/gpu.sh", carry=[".gpu"])
# Options (environment): BUILD (default build-gpu), CUDA_ARCHS (default 90), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${BUILD:-build-gpu}"
ARCHS="${CUDA_ARCHS:-90}"
STAGE=.gpu/stage
PROGRAMS=(tests/run_tests bench/gpt_step aprender tutorials/07_gpt tutorials/10_lora)

make -j"${JOBS:-2}" BUILD="$BUILD" CUDA=1 CUDA_ARCHS="$ARCHS" ARCHFLAGS=-march=x86-64-v3 \
    "${PROGRAMS[@]/#/$BUILD/}" "$BUILD/libaprender_cuda.so"

rm -rf .gpu && mkdir -p "$STAGE/bin" "$STAGE/lib/fallback"
for p in "${PROGRAMS[@]}"; do strip -o "$STAGE/bin/$(basename "$p")" "$BUILD/$p"; done
strip --strip-debug -o "$STAGE/lib/libaprender_cuda.so" "$BUILD/libaprender_cuda.so"

# Every shared library the programs load, except the C library's own (the GPU machine's
# glibc is used; ours asks for GLIBC_2.34 at most — checked below) and CUDA's (the GPU
# machine's driver and toolkit must match each other, not us).
ldd "$STAGE"/bin/* "$STAGE/lib/libaprender_cuda.so" | awk '/=> \//{print $3}' | sort -u |
    grep -Ev '/(libc|libm|libdl|librt|libpthread|ld-linux[^/]*)\.so|/libcu|/libnv|/libaprender' |
    while read -r lib; do cp -L "$lib" "$STAGE/lib/"; done
# The C++ runtime is the GPU machine's when it is recent enough (g++ 12's, GLIBCXX_3.4.30);
# ours, which needs glibc 2.36, waits in lib/fallback/ for gpu.sh to add when it is not.
mv "$STAGE"/lib/libstdc++.so.6 "$STAGE"/lib/libgcc_s.so.1 "$STAGE/lib/fallback/"
newest_glibc=$(objdump -T "$STAGE"/bin/* "$STAGE"/lib/*.so* 2>/dev/null | grep -o 'GLIBC_2\.[0-9]*' | sort -t. -k2 -n -u | tail -1)

if [[ -f ../shared/bench/torch_gpt.py ]]; then cp ../shared/bench/torch_gpt.py "$STAGE/"
else echo "gpu_bundle: ../shared/bench/torch_gpt.py not found: the PyTorch columns will be empty" >&2; fi

tar -C "$STAGE" -cJf .gpu/bundle.tar.xz .
rm -rf "$STAGE"
size=$(du -m .gpu/bundle.tar.xz | cut -f1)
echo "gpu_bundle: .gpu/bundle.tar.xz, ${size} MiB (the device run carries at most 64 MiB with the tree);"
echo "            libraries: $(tar -tJf .gpu/bundle.tar.xz ./lib | sed 's|./lib/||' | grep '\.so' | tr '\n' ' ')"
echo "            newest glibc symbol needed: $newest_glibc"
echo "next: device run  command='bench/gpu.sh'  carry=['.gpu']  timeout_s=600"
