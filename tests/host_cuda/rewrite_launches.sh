#!/bin/sh
# rewrite_launches.sh LAUNCH in.cu out.cpp — the one thing g++ cannot read in a .cu file,
# the launch syntax, spelled as a call of tests/host_cuda/cuda_runtime.h:
#     name<T><<<grid, block>>>(args...)  →  host_cuda::LAUNCH(host_cuda::LaunchConfig(grid, block), name<T>, args...)
# LAUNCH is launch_alone or launch_cooperative. Every other line is left as it is, and
# #line keeps the original's file name and line numbers. A launch the pattern misses
# (split over lines, no arguments) stops the build rather than slip through.
set -eu
launch=$1 in=$2 out=$3
{
    printf '#line 1 "%s"\n' "$in"
    sed -E "s/([A-Za-z_][A-Za-z0-9_]*(<[^<>;]*>)?)<<<(.*)>>>\\(/host_cuda::$launch(host_cuda::LaunchConfig(\\3), \\1, /" "$in"
} > "$out.tmp"
if grep -n '<<<\|>>>' "$out.tmp" >&2; then
    echo "rewrite_launches.sh: $in: a kernel launch the rewrite does not understand (above)" >&2
    rm -f "$out.tmp"
    exit 1
fi
mv "$out.tmp" "$out"
