// Marks functions shared by the CPU reference and the CUDA kernels (host and device code under nvcc).
#pragma once

#ifdef __CUDACC__
#define TRT_HOST_DEVICE __host__ __device__
#else
#define TRT_HOST_DEVICE
#endif
