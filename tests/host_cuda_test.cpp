// The CUDA backend on the host (APRENDER_EMULATE_GPU=kernels): cuda/cuda_backend.cpp and the
// launchers and kernels of cuda/*.cu compiled by g++, with tests/host_cuda/ standing in for
// the CUDA runtime and cuBLAS (libaprender_cuda_host.so). The CUDA parity tests run on it,
// and the stand-in refuses what the real runtime and cuBLAS would. These need no GPU.
#include "autograd/backend.h"
#include "process.h"

#include <doctest/doctest.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace aprender;

namespace {

// A real GPU is here (the suite runs the parity tests on it directly).
bool real_gpu() { return std::getenv("APRENDER_EMULATE_GPU") == nullptr && cuda_available(); }

// What the code inside writes to stderr (the stand-in explains each refusal there).
class CaptureStderr {
public:
    CaptureStderr() {
        std::fflush(stderr);
        saved_ = dup(2);
        file_ = std::tmpfile();
        dup2(fileno(file_), 2);
    }
    std::string text() {
        std::fflush(stderr);
        dup2(saved_, 2);
        close(saved_);
        saved_ = -1;
        std::rewind(file_);
        std::string s;
        for (int c; (c = std::fgetc(file_)) != EOF;) s += (char)c;
        std::fclose(file_);
        return s;
    }
    ~CaptureStderr() {
        if (saved_ >= 0) text();
    }

private:
    int saved_ = -1;
    std::FILE* file_ = nullptr;
};

}  // namespace

TEST_CASE("host cuda: the CUDA parity tests pass on our CUDA backend compiled for the CPU" *
          doctest::skip(real_gpu())) {
    // Poisoned allocations (NaN): an element a kernel forgets to write fails a comparison.
    auto r = testing::run_process("APRENDER_EMULATE_GPU=kernels APRENDER_CUDA_POISON=1 " + testing::build_dir() +
                                  "/tests/run_tests -tc='cuda:*'");
    CHECK_MESSAGE(r.status == 0, r.output);
    CHECK(r.has("device cuda is aprender's CUDA backend compiled for the CPU"));
    auto counts = testing::suite_counts(r.output);
    REQUIRE(counts.passed >= 0);
    // every parity test but the two that need the real library (allocator, TF32): 21
    CHECK(counts.passed >= 20);
    CHECK(counts.failed == 0);
}

TEST_CASE("host cuda: an unknown APRENDER_EMULATE_GPU value is an error that lists the valid ones" *
          doctest::skip(real_gpu())) {
    auto r = testing::run_process("APRENDER_EMULATE_GPU=yes " + testing::build_dir() +
                                  "/tutorials/07_gpt --quick --no-pause --device cuda");
    CHECK(r.status != 0);
    CHECK_MESSAGE(r.has("APRENDER_EMULATE_GPU=yes: expected 1"), r.output);
}

TEST_CASE("host cuda: a CUDA knob of the environment that is not a number is an error naming it" *
          doctest::skip(real_gpu())) {
    for (const char* knob : {"APRENDER_CUBLAS_WORKSPACE_MB=lots", "APRENDER_ALLOW_TF32=yes", "APRENDER_CUDA_POISON=2"}) {
        auto r = testing::run_process(std::string("APRENDER_EMULATE_GPU=kernels ") + knob + " " + testing::build_dir() +
                                      "/tutorials/07_gpt --quick --no-pause --device cuda");
        CHECK(r.status != 0);
        CHECK_MESSAGE(r.has(std::string("cuda: ") + knob + ": expected a whole number from 0 to "), r.output);
    }
}

TEST_CASE("host cuda: its runtime, cuBLAS and cuBLASLt refuse what the real ones would, and say why") {
    void* lib = dlopen(APRENDER_CUDA_HOST_LIB, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(lib, "libaprender_cuda_host.so: " << dlerror());
    auto sym = [&](const char* name) {
        void* p = dlsym(lib, name);
        REQUIRE_MESSAGE(p, name);
        return p;
    };
    // CUDA's own signatures, with its enums as ints (1 cudaErrorInvalidValue, 17
    // cudaErrorInvalidDevicePointer; memcpy kinds 1 host to device, 2 device to host).
    auto cuda_malloc = reinterpret_cast<int (*)(void**, size_t)>(sym("cudaMalloc"));
    auto cuda_free = reinterpret_cast<int (*)(void*)>(sym("cudaFree"));
    auto cuda_memcpy = reinterpret_cast<int (*)(void*, const void*, size_t, int)>(sym("cudaMemcpy"));
    auto cublas_create = reinterpret_cast<int (*)(void**)>(sym("cublasCreate"));
    auto cublas_destroy = reinterpret_cast<int (*)(void*)>(sym("cublasDestroy"));
    auto sgemm = reinterpret_cast<int (*)(void*, int, int, int, int, int, const float*, const float*, int, long long,
                                          const float*, int, long long, const float*, float*, int, long long, int)>(
        sym("cublasSgemmStridedBatched"));

    float* d = nullptr;
    REQUIRE(cuda_malloc(reinterpret_cast<void**>(&d), 64 * sizeof(float)) == 0);
    std::vector<float> h(128, 1.0f);
    CHECK(cuda_memcpy(d, h.data(), 64 * sizeof(float), 1) == 0);
    {
        CaptureStderr err;
        CHECK(cuda_memcpy(d + 8, h.data(), 64 * sizeof(float), 1) == 1);  // 8 floats too many
        CHECK(cuda_memcpy(h.data(), h.data() + 64, 16, 2) == 1);         // a host pointer as the source
        CHECK(cuda_memcpy(d, d, 16, 1) == 1);                            // a device pointer as the source
        CHECK(cuda_free(d + 1) == 17);                                   // not the start of a block
        std::string said = err.text();
        CHECK(said.find("run past the end of their cudaMalloc block") != std::string::npos);
        CHECK(said.find("are not device memory") != std::string::npos);
        CHECK(said.find("is device memory where a host pointer belongs") != std::string::npos);
    }
    void* handle = nullptr;
    REQUIRE(cublas_create(&handle) == 0);
    const float one = 1, zero = 0;
    // C (4x4) = A·B with A, B, C 4x4 in the 64 floats: fine; a batch of 4 with stride 16 for
    // C ends at element 63: fine; with stride 20 it overruns (CUBLAS_STATUS_INVALID_VALUE = 7).
    CHECK(sgemm(handle, 0, 0, 4, 4, 4, &one, d, 4, 0, d, 4, 0, &zero, d, 4, 16, 4) == 0);
    CaptureStderr err;
    CHECK(sgemm(handle, 0, 0, 4, 4, 4, &one, d, 4, 0, d, 4, 0, &zero, d, 4, 20, 4) == 7);
    CHECK(sgemm(handle, 0, 0, 4, 4, 4, &one, d, 3, 0, d, 4, 0, &zero, d, 4, 16, 1) == 7);  // lda < m

    // cuBLASLt (a product with a bias): layouts are (type, rows, cols, ld), column-major; 0 is
    // CUDA_R_32F, 68 CUBLAS_COMPUTE_32F, attribute 7 the epilogue (4: bias), 8 the bias pointer.
    auto lt_create = reinterpret_cast<int (*)(void**)>(sym("cublasLtCreate"));
    auto desc_create = reinterpret_cast<int (*)(void**, int, int)>(sym("cublasLtMatmulDescCreate"));
    auto desc_set = reinterpret_cast<int (*)(void*, int, const void*, size_t)>(sym("cublasLtMatmulDescSetAttribute"));
    auto layout_create = reinterpret_cast<int (*)(void**, int, uint64_t, uint64_t, int64_t)>(
        sym("cublasLtMatrixLayoutCreate"));
    auto lt_matmul = reinterpret_cast<int (*)(void*, void*, const void*, const void*, void*, const void*, void*,
                                              const void*, const void*, void*, void*, void*, const void*, void*, size_t,
                                              void*)>(sym("cublasLtMatmul"));
    void *lt = nullptr, *desc = nullptr, *l4 = nullptr, *l3 = nullptr, *bad = nullptr;
    REQUIRE(lt_create(&lt) == 0);
    REQUIRE(desc_create(&desc, 68, 0) == 0);
    int bias_epilogue = 4;
    REQUIRE(desc_set(desc, 7, &bias_epilogue, sizeof bias_epilogue) == 0);
    REQUIRE(layout_create(&l4, 0, 4, 4, 4) == 0);
    REQUIRE(layout_create(&l3, 0, 3, 4, 3) == 0);
    CHECK(layout_create(&bad, 0, 4, 4, 3) == 7);  // ld < rows
    uint64_t algo[8] = {};
    const float* bias = d + 60;  // 4 values: the block's last
    REQUIRE(desc_set(desc, 8, &bias, sizeof bias) == 0);
    CHECK(lt_matmul(lt, desc, &one, d, l4, d, l4, &zero, d + 16, l4, d + 16, l4, algo, nullptr, 0, nullptr) == 0);
    bias = d + 62;  // runs 2 past the block
    REQUIRE(desc_set(desc, 8, &bias, sizeof bias) == 0);
    CHECK(lt_matmul(lt, desc, &one, d, l4, d, l4, &zero, d + 16, l4, d + 16, l4, algo, nullptr, 0, nullptr) == 7);
    CHECK(lt_matmul(lt, desc, &one, d, l3, d, l4, &zero, d + 16, l4, d + 16, l4, algo, nullptr, 0, nullptr) == 7);

    std::string said = err.text();
    CHECK(said.find("gemm's C") != std::string::npos);
    CHECK(said.find("breaks cuBLAS's rules") != std::string::npos);
    CHECK(said.find("breaks cuBLASLt's rules") != std::string::npos);
    CHECK(said.find("gemm's bias") != std::string::npos);
    CHECK(said.find("do not make a product") != std::string::npos);
    CHECK(cuda_free(d) == 0);
    CHECK(cublas_destroy(handle) == 0);
}
