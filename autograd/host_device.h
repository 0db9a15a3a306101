// host_device.h — APRENDER_HD marks a small function that both backends compile: plain
// `inline` for g++, `__host__ __device__ inline` for nvcc. Writing a formula once and
// calling it from the CPU loops and the CUDA kernels is how the two devices agree.
#pragma once

#if defined(__CUDACC__)
#define APRENDER_HD __host__ __device__ inline
#else
#define APRENDER_HD inline
#endif
