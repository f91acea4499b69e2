// INT8 GEMM with INT32 sums and the dequantizing epilogue, shared by the INT8 convolution and the
// INT8 matrix multiply: cuBLAS's INT8 tensor-core GEMM where it takes the shapes (leading
// dimensions and K multiples of 4), an own tiled kernel elsewhere (TORCHTRT_INT8_OWN_GEMM=1 forces
// it, so tests cover both). The sums are exact either way, so results equal the CPU reference's.
#include <cstdlib>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"

namespace trt {
namespace cuda {

namespace {
constexpr int kTileM = 64, kTileN = 64, kTileK = 32, kThreads = 256;

// C[b][i][j] = sum_k A[b][i * lda + k] * B[b][j * ldb + k]; 64 x 64 outputs per block, 4 x 4 per thread.
__global__ void int8GemmKernel(const int8_t* A, int64_t lda, int64_t strideA, const int8_t* B, int64_t ldb,
                               int64_t strideB, int32_t* C, int64_t strideC, int M, int N, int K) {
  __shared__ int8_t As[kTileK][kTileM + 4];
  __shared__ int8_t Bs[kTileK][kTileN + 4];
  const int64_t batch = blockIdx.z;
  A += batch * strideA;
  B += batch * strideB;
  C += batch * strideC;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int row0 = blockIdx.y * kTileM, col0 = blockIdx.x * kTileN;
  int sums[4][4] = {};
  for (int k0 = 0; k0 < K; k0 += kTileK) {
    for (int i = threadIdx.x; i < kTileM * kTileK; i += kThreads) {
      const int r = i / kTileK, kk = i % kTileK, gr = row0 + r, gk = k0 + kk;
      As[kk][r] = (gr < M && gk < K) ? A[static_cast<int64_t>(gr) * lda + gk] : int8_t(0);
    }
    for (int i = threadIdx.x; i < kTileN * kTileK; i += kThreads) {
      const int c = i / kTileK, kk = i % kTileK, gc = col0 + c, gk = k0 + kk;
      Bs[kk][c] = (gc < N && gk < K) ? B[static_cast<int64_t>(gc) * ldb + gk] : int8_t(0);
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kTileK; ++kk) {
      int a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        a[i] = As[kk][ty * 4 + i];
        b[i] = Bs[kk][tx * 4 + i];
      }
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) sums[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int r = row0 + ty * 4 + i;
    if (r >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int c = col0 + tx * 4 + j;
      if (c < N) C[static_cast<int64_t>(r) * N + c] = sums[i][j];
    }
  }
}

// y[i] = act(acc[i] * outScale[c] + bias[c] + residual[i]), c = (i / plane) % channels, rounded as
// the CPU rounds (no FMA; a float16 output rounded once at the end); ReLU keeps NaN as the CPU's does.
template <typename T, typename B, typename I>
__global__ void int8EpilogueKernel(const int32_t* acc, T* y, const float* outScale, const B* bias, const T* residual,
                                   bool relu, I channels, I plane, I total) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= total) return;
  const I c = (i / plane) % channels;
  float v = __fmul_rn(static_cast<float>(acc[i]), outScale[c]);
  if (bias) v = __fadd_rn(v, load(bias, c));
  if (residual) v = __fadd_rn(v, load(residual, i));
  if (relu) v = (v > 0.f || isnan(v)) ? v : 0.f;
  store(y, i, v);
}
}  // namespace

void int8Gemm(LaunchContext& ctx, int64_t M, int64_t N, int64_t K, const int8_t* A, int64_t lda, int64_t strideA,
              const int8_t* B, int64_t ldb, int64_t strideB, int32_t* C, int64_t strideC, int64_t batch) {
  if (M == 0 || N == 0 || batch == 0) return;
  static const bool ownGemm = std::getenv("TORCHTRT_INT8_OWN_GEMM") != nullptr;
  const bool blasShapes = K % 4 == 0 && lda % 4 == 0 && ldb % 4 == 0 && K > 0;
  // Row-major C[M][N] = A B^T is column-major C^T [N x M] = B^T A with both read transposed from
  // their rows: cuBLAS's "TN" INT8 form.
  const int32_t one = 1, zero = 0;
  const cublasStatus_t status =
      ownGemm || !blasShapes ? CUBLAS_STATUS_NOT_SUPPORTED
                             : cublasGemmStridedBatchedEx(
                                   ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(N), static_cast<int>(M),
                                   static_cast<int>(K), &one, B, CUDA_R_8I, static_cast<int>(ldb), strideB, A,
                                   CUDA_R_8I, static_cast<int>(lda), strideA, &zero, C, CUDA_R_32I, static_cast<int>(N),
                                   strideC, static_cast<int>(batch), CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT);
  if (status == CUBLAS_STATUS_SUCCESS) return;
  const dim3 grid(static_cast<unsigned>((N + kTileN - 1) / kTileN), static_cast<unsigned>((M + kTileM - 1) / kTileM),
                  static_cast<unsigned>(batch));
  int8GemmKernel<<<grid, kThreads, 0, ctx.stream>>>(A, lda, strideA, B, ldb, strideB, C, strideC, static_cast<int>(M),
                                                    static_cast<int>(N), static_cast<int>(K));
  check(cudaGetLastError(), "INT8 GEMM kernel launch");
}

void int8Epilogue(LaunchContext& ctx, const int32_t* acc, void* y, DataType type, const float* outScale,
                  const void* bias, DataType biasType, const void* residual, bool relu, int64_t channels, int64_t plane,
                  int64_t total) {
  if (total == 0) return;
  dispatchFloating(type, "INT8 epilogue", [&](auto tag) {
    using T = decltype(tag);
    dispatchFloating(biasType, "INT8 epilogue bias", [&](auto biasTag) {
      using B = decltype(biasTag);
      const unsigned blocks = static_cast<unsigned>((total + 255) / 256);
      if (total < (int64_t(1) << 31))  // 32-bit index math where it fits
        int8EpilogueKernel<T, B, int32_t><<<blocks, 256, 0, ctx.stream>>>(
            acc, static_cast<T*>(y), outScale, static_cast<const B*>(bias), static_cast<const T*>(residual), relu,
            static_cast<int32_t>(channels), static_cast<int32_t>(plane), static_cast<int32_t>(total));
      else
        int8EpilogueKernel<T, B, int64_t>
            <<<blocks, 256, 0, ctx.stream>>>(acc, static_cast<T*>(y), outScale, static_cast<const B*>(bias),
                                             static_cast<const T*>(residual), relu, channels, plane, total);
    });
  });
  check(cudaGetLastError(), "INT8 epilogue kernel launch");
}

}  // namespace cuda
}  // namespace trt
