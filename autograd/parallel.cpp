// parallel.cpp — the pool behind parallel_for (see parallel.h).
//
// The work of one parallel_for is cut into more chunks than there are threads, and every
// thread — the caller included — keeps claiming the next unclaimed chunk until none are
// left. If the system takes a core away from one of our threads for a while (another
// program, the OS), the others simply take over its share instead of waiting for it.
// Which thread runs a chunk never changes what the chunk computes, so results stay
// bit-identical run after run.
//
// Idle workers spin for a few microseconds (the next loop usually follows at once) and
// then sleep on a condition variable, so an idle program does not burn a core.
#include "autograd/parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace aprender {

namespace {

class Pool {
public:
    explicit Pool(int threads) { resize(threads); }

    int size() const { return (int)workers_.size() + 1; }

    void resize(int threads) {
        stop();
        stopping_ = false;
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
    }

    void run(int chunks, const std::function<void(int)>& job) {
        std::unique_lock<std::mutex> serial(run_mutex_);  // one parallel_for at a time
        uint32_t gen;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            gen = ++generation_;
            job_ = &job;
            chunks_ = chunks;
            done_.store(0, std::memory_order_relaxed);
            next_.store((uint64_t)gen << 32, std::memory_order_release);
        }
        wake_.notify_all();
        run_chunks(gen, job, chunks);
        while (done_.load(std::memory_order_acquire) < chunks) std::this_thread::yield();
    }

private:
    // Claim chunks of generation `gen` until there are none left. The counter holds the
    // generation in its high half, so a late thread can never claim a newer loop's chunk
    // with an older loop's job.
    void run_chunks(uint32_t gen, const std::function<void(int)>& job, int chunks) {
        while (true) {
            uint64_t v = next_.load(std::memory_order_acquire);
            if ((uint32_t)(v >> 32) != gen || (int)(uint32_t)v >= chunks) return;
            if (!next_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
            job((int)(uint32_t)v);
            done_.fetch_add(1, std::memory_order_acq_rel);
        }
    }

    void work() {
        uint32_t seen = 0;
        while (true) {
            auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
            while (generation_.load(std::memory_order_acquire) == seen && !stopping_ &&
                   std::chrono::steady_clock::now() < spin_until) {
            }
            const std::function<void(int)>* job;
            int chunks;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_.load() != seen || stopping_; });
                if (stopping_) return;
                seen = generation_.load();  // generation, job and chunk count are published together
                job = job_;
                chunks = chunks_;
            }
            run_chunks(seen, *job, chunks);
        }
    }

    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& t : workers_) t.join();
        workers_.clear();
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_, run_mutex_;
    std::condition_variable wake_;
    std::atomic<uint32_t> generation_{0};
    std::atomic<uint64_t> next_{0};  // (generation << 32) | next chunk to claim
    std::atomic<int> done_{0};
    std::atomic<bool> stopping_{false};
    const std::function<void(int)>* job_ = nullptr;
    int chunks_ = 0;
};

int default_threads() {
    if (const char* env = std::getenv("APRENDER_THREADS")) {
        int n = std::atoi(env);
        if (n >= 1) return n;
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

Pool& pool() {
    // Never destroyed: workers may still be waiting when the program exits.
    static Pool* p = [] {
        openblas_set_num_threads(1);  // we split the products ourselves
        return new Pool(default_threads());
    }();
    return *p;
}

thread_local bool in_parallel_region = false;

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) {
    if (n < 1) n = 1;
    if (n != pool().size()) pool().resize(n);
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    int64_t threads = in_parallel_region ? 1 : num_threads();
    grain = std::max<int64_t>(grain, 1);
    // Up to 4 chunks per thread: enough for the others to absorb a stalled thread's share.
    int64_t chunks = threads <= 1 ? 1 : std::min<int64_t>(4 * threads, (n + grain - 1) / grain);
    if (chunks <= 1) {
        fn(0, n);
        return;
    }
    // An exception must not escape a worker (that ends the program), so each chunk catches
    // its own. The caller rethrows the one from the *earliest* failing chunk once every
    // chunk is over: a loop over rows then reports the first bad row, as a plain loop
    // would, however the threads happened to run. Chunks after a failed one are skipped.
    std::mutex error_mutex;
    std::exception_ptr error;
    std::atomic<int64_t> first_failed{chunks};
    std::function<void(int)> job = [&](int c) {
        if (c > first_failed.load(std::memory_order_relaxed)) return;
        bool was = in_parallel_region;
        in_parallel_region = true;  // a parallel_for inside a chunk runs inline
        try {
            fn(n * c / chunks, n * (c + 1) / chunks);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (c < first_failed.load(std::memory_order_relaxed)) {
                error = std::current_exception();
                first_failed.store(c, std::memory_order_relaxed);
            }
        }
        in_parallel_region = was;
    };
    pool().run((int)chunks, job);
    if (error) std::rethrow_exception(error);
}

}  // namespace aprender
