// parallel.h — one small thread pool that owns the CPU cores.
//
// Two thread pools on one machine fight: OpenBLAS's threads spin waiting for the next
// matrix product while ours spin waiting for the next loop, and on 2 cores each side
// steals the other's time (PyTorch as shipped runs 2–3× slower with 2 threads than
// with 1 for exactly this reason). So aprender keeps OpenBLAS single-threaded and
// splits *everything* itself — the matrix products (by rows or by batch) and the
// elementwise loops (by rows) — over this one pool.
//
//     parallel_for(rows, 64, [&](int64_t begin, int64_t end) {
//         for (int64_t r = begin; r < end; ++r) ...   // rows [begin, end) of the work
//     });
//
// The split is static: with the same number of threads, every element is computed by
// the same code in the same order, so results are bit-identical run after run. Kernels
// whose pieces meet in one result (a sum, a product cut into blocks) go further and cut
// by the shape alone (a fixed block size), so that any thread count gives the same bits.
#pragma once

#include <cstdint>
#include <functional>

namespace aprender {

// Threads used by parallel_for (default: APRENDER_THREADS, else the number of cores).
int num_threads();
void set_num_threads(int n);  // n < 1 counts as 1; the pool grows or shrinks to n

// Run fn(begin, end) over [0, n) cut into up to 4·num_threads() contiguous chunks of about
// `grain` items or more; every thread, the caller included, claims chunks until none are
// left. The cuts depend only on n, grain and the thread count. Small n runs inline.
// If fn throws, parallel_for waits for the chunks already running, skips the later ones
// and rethrows in the caller the exception of the earliest chunk that threw — the same
// one a plain loop from 0 to n would have met first. Part of the output may have been
// written by then, so a kernel that works in place (an optimizer step, a += of gradients)
// still checks its inputs before the loop, as embedding.cpp and cross_entropy.cpp do.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace aprender
