#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw Error(std::string("CUDA backend: ") + what + " failed: " + cudaGetErrorString(status));
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw Error(std::string("CUDA backend: ") + what + " failed with cuBLAS status " +
                std::to_string(static_cast<int>(status)));
}

void* LaunchContext::scratch(size_t bytes) {
  if (bytes > scratchBytes_) {
    if (scratch_) check(cudaFreeAsync(scratch_, stream), "cudaFreeAsync (scratch)");
    check(cudaMallocAsync(&scratch_, bytes, stream), "cudaMallocAsync (scratch)");
    scratchBytes_ = bytes;
  }
  return scratch_;
}

const void* LaunchContext::device(const void* host) const {
  if (!host) return nullptr;
  auto it = uploads ? uploads->find(host) : decltype(uploads->end()){};
  if (!uploads || it == uploads->end())
    throw Error("CUDA backend: weights were not uploaded to the device (internal error)");
  return it->second;
}

void LaunchContext::bindStream(cudaStream_t s) {
  stream = s;
  if (!blas) return;  // a context that runs no cuBLAS call (a tactic timing's own, in the tests)
  check(cublasSetStream(blas, s), "cublasSetStream");
  if (blasWorkspace) check(cublasSetWorkspace(blas, blasWorkspace, blasWorkspaceBytes), "cublasSetWorkspace");
}

cudaStream_t LaunchContext::ensureCaptureStream() {
  if (!captureStream)
    check(cudaStreamCreateWithFlags(&captureStream, cudaStreamNonBlocking), "cudaStreamCreate (capture)");
  return captureStream;
}

cudaGraphExec_t LaunchContext::captureGraphOf(const std::function<bool()>& work) {
  ensureCaptureStream();
  // However `work` ends, the capture ends, its graph goes and the caller's stream is bound again.
  struct Capture {
    LaunchContext& ctx;
    const cudaStream_t caller;
    cudaGraph_t graph = nullptr;
    ~Capture() {
      cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
      if (cudaStreamIsCapturing(ctx.captureStream, &status) == cudaSuccess && status != cudaStreamCaptureStatusNone) {
        cudaGraph_t left = nullptr;
        cudaStreamEndCapture(ctx.captureStream, &left);
        if (left) cudaGraphDestroy(left);
      }
      if (graph) cudaGraphDestroy(graph);
      (void)cudaGetLastError();  // a failed capture leaves its error behind; the uncaptured work succeeded
      try {
        ctx.bindStream(caller);
      } catch (...) {
        ctx.stream = caller;  // cuBLAS refused the stream: its next call reports that
      }
    }
  } capture{*this, stream};
  bindStream(captureStream);
  if (cudaStreamBeginCapture(captureStream, cudaStreamCaptureModeThreadLocal) != cudaSuccess) return nullptr;
  bool workDone = false;
  try {
    workDone = work();
  } catch (const Error&) {
    workDone = false;
  }
  const bool ended = cudaStreamEndCapture(captureStream, &capture.graph) == cudaSuccess && capture.graph;
  cudaGraphExec_t exec = nullptr;
  if (!ended || !workDone || cudaGraphInstantiateWithFlags(&exec, capture.graph, 0) != cudaSuccess) return nullptr;
  return exec;
}

LaunchContext::~LaunchContext() {
  if (graph) cudaGraphExecDestroy(graph);
  if (captureStream) cudaStreamDestroy(captureStream);
  if (blasWorkspace) cudaFree(blasWorkspace);
  if (scratch_) cudaFree(scratch_);
  if (blas) cublasDestroy(blas);
  if (blasLt) cublasLtDestroy(blasLt);
  if (finished) cudaEventDestroy(finished);
}

void LaunchContext::dropGraph() {
  if (graph) cudaGraphExecDestroy(graph);
  graph = nullptr;
  graphKey.clear();
}

void LaunchContext::noteWritten(const void* data, size_t bytes) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
  for (Watch& w : watches)
    if (begin < w.end && w.begin < end) w.written = true;
}

Launcher launcherFor(LayerType type) {
  switch (type) {
#define TRT_CUDA_LAUNCHER_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                                   \
    return launch##stem;
    TRT_LAYER_KINDS(TRT_CUDA_LAUNCHER_CASE)
#undef TRT_CUDA_LAUNCHER_CASE
  }
  throw Error("CUDA backend: no launcher for layer type " + std::to_string(static_cast<int32_t>(type)) +
              " (not one of the " + std::to_string(kLAYER_TYPE_COUNT) + " kinds of this version)");
}

void gemm(LaunchContext& ctx, DataType type, bool transA, bool transB, int64_t M, int64_t N, int64_t K, const void* A,
          int64_t strideA, const void* B, int64_t strideB, void* C, int64_t strideC, int64_t batch, float alpha) {
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
  const float beta = 0.f;
  const int lda = static_cast<int>(transA ? M : K), ldb = static_cast<int>(transB ? K : N);
  const cublasOperation_t opB = transB ? CUBLAS_OP_T : CUBLAS_OP_N, opA = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (type == DataType::kHALF || type == DataType::kBF16) {
    // FP16 or BF16 inputs and output, FP32 accumulation, tensor cores.
    const cudaDataType_t dt = type == DataType::kHALF ? CUDA_R_16F : CUDA_R_16BF;
    check(cublasSetMathMode(ctx.blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    check(
        cublasGemmStridedBatchedEx(ctx.blas, opB, opA, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
                                   &alpha, B, dt, ldb, strideB, A, dt, lda, strideA, &beta, C, dt, static_cast<int>(N),
                                   strideC, static_cast<int>(batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
        type == DataType::kHALF ? "cublasGemmStridedBatchedEx (float16)" : "cublasGemmStridedBatchedEx (bfloat16)");
    return;
  }
  if (type != DataType::kFLOAT)
    throw Error(std::string("CUDA backend: matrix multiply of ") + dataTypeName(type) +
                " is not supported (float32, float16 or bfloat16)");
  check(cublasSetMathMode(ctx.blas, ctx.allowTF32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
        "cublasSetMathMode");
  check(cublasSgemmStridedBatched(ctx.blas, opB, opA, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
                                  &alpha, static_cast<const float*>(B), ldb, strideB, static_cast<const float*>(A), lda,
                                  strideA, &beta, static_cast<float*>(C), static_cast<int>(N), strideC,
                                  static_cast<int>(batch)),
        "cublasSgemmStridedBatched");
}

void currentDevice(std::string& name, int& smMajor, int& smMinor) {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  name = prop.name;
  smMajor = prop.major;
  smMinor = prop.minor;
}

}  // namespace cuda
}  // namespace trt
