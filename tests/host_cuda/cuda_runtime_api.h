// cuda_runtime_api.h (host) — the part of the CUDA runtime that aprender's CUDA backend
// calls, implemented on the CPU (host_cuda.cpp), so that cuda_backend.cpp and the
// launchers of cuda/*.cu build and run with g++ on a machine without a GPU.
//
// This is test equipment, not a GPU emulator: "device memory" is host memory, a launch
// runs the kernel at once on the CPU (tests/cuda_on_host.h), the default stream is the
// calling thread. What it adds to running the kernels alone is checking the backend's
// own use of the API, as the real runtime would reject it or worse:
//   - every device pointer handed to a copy or a memset must lie, with its whole range,
//     inside one live cudaMalloc block (a wrong size, a host pointer passed as a device
//     one, a copy in the wrong direction: cudaErrorInvalidValue, and a line on stderr);
//   - a launch with an impossible shape (0 or > 1024 threads, a grid too large) fails
//     with cudaErrorInvalidConfiguration at cudaGetLastError, as on a GPU;
//   - a failed cooperative launch (threads of a block at different barriers) is a sticky
//     cudaErrorLaunchFailure, like a kernel fault: every later call returns it;
//   - fresh blocks are filled with 0xFF bytes (NaN floats, -1 ints), as a reminder that
//     cudaMalloc'd memory holds garbage.
// Only what the backend uses is here; the values of the enums are CUDA's own.
#pragma once

#include <cstddef>

enum cudaError_t {
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorNoDevice = 100,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchFailure = 719,
};
using cudaError = cudaError_t;

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4,
};

struct CUstream_st;
using cudaStream_t = CUstream_st*;

struct cudaDeviceProp {
    char name[256];
    size_t totalGlobalMem;
    int multiProcessorCount;
    int maxThreadsPerBlock;
    int warpSize;
    int major, minor;
};

// C linkage, as CUDA's own (and so the tests can look them up by name with dlsym).
extern "C" {
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorName(cudaError_t err);
const char* cudaGetErrorString(cudaError_t err);
cudaError_t cudaMalloc(void** ptr, size_t size);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind kind, cudaStream_t stream = nullptr);
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t count, cudaStream_t stream = nullptr);
cudaError_t cudaDeviceSynchronize();
}
