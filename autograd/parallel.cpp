// parallel.cpp — the pool behind parallel_for (see parallel.h).
//
// Workers wait for a new "generation" of work: they spin for a few microseconds (the
// next loop usually follows at once) and then sleep on a condition variable, so an idle
// program does not burn a core.
#include "autograd/parallel.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

extern "C" void openblas_set_num_threads(int);

namespace aprender {

namespace {

class Pool {
public:
    explicit Pool(int threads) { resize(threads); }
    ~Pool() { stop(); }

    int size() const { return (int)workers_.size() + 1; }

    void resize(int threads) {
        stop();
        stopping_ = false;
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
    }

    void run(int chunks, const std::function<void(int)>& job) {
        std::unique_lock<std::mutex> serial(run_mutex_);  // one parallel_for at a time
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            chunks_ = chunks;
            remaining_.store(chunks - 1, std::memory_order_relaxed);
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        job(0);  // the caller takes chunk 0
        while (remaining_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
    }

private:
    void work(int id) {
        uint64_t seen = 0;
        while (true) {
            // spin briefly: the next parallel loop is usually microseconds away
            auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
            while (generation_.load(std::memory_order_acquire) == seen && !stopping_ &&
                   std::chrono::steady_clock::now() < spin_until) {
            }
            if (generation_.load(std::memory_order_acquire) == seen && !stopping_) {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_.load() != seen || stopping_; });
            }
            const std::function<void(int)>* job;
            int chunks;
            {
                // generation, job and chunk count are published together under the lock
                std::lock_guard<std::mutex> lock(mutex_);
                if (stopping_) return;
                seen = generation_.load();
                job = job_;
                chunks = chunks_;
            }
            if (id < chunks) {
                (*job)(id);
                remaining_.fetch_sub(1, std::memory_order_acq_rel);
            }
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
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> remaining_{0};
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
    int64_t chunks = std::min<int64_t>(threads, (n + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1));
    if (chunks <= 1) {
        fn(0, n);
        return;
    }
    std::function<void(int)> job = [&](int c) {
        bool was = in_parallel_region;
        in_parallel_region = true;  // nested parallel_for runs inline
        fn(n * c / chunks, n * (c + 1) / chunks);
        in_parallel_region = was;
    };
    pool().run((int)chunks, job);
}

}  // namespace aprender
