// Unary functions on the device (CUDA's libm, as ATen's CUDA kernels use).
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"

namespace trt {
namespace cuda {

namespace {
// The float result of op(x) for the ops with a floating result (not ISINF, ISNAN, NOT).
__device__ __forceinline__ float unaryValue(UnaryOperation op, float x) {
  switch (op) {
    case UnaryOperation::kEXP:
      return expf(x);
    case UnaryOperation::kLOG:
      return logf(x);
    case UnaryOperation::kSQRT:
      return sqrtf(x);
    case UnaryOperation::kRECIP:
      return 1.f / x;
    case UnaryOperation::kABS:
      return fabsf(x);
    case UnaryOperation::kNEG:
      return -x;
    case UnaryOperation::kSIN:
      return sinf(x);
    case UnaryOperation::kCOS:
      return cosf(x);
    case UnaryOperation::kTAN:
      return tanf(x);
    case UnaryOperation::kSINH:
      return sinhf(x);
    case UnaryOperation::kCOSH:
      return coshf(x);
    case UnaryOperation::kASIN:
      return asinf(x);
    case UnaryOperation::kACOS:
      return acosf(x);
    case UnaryOperation::kATAN:
      return atanf(x);
    case UnaryOperation::kASINH:
      return asinhf(x);
    case UnaryOperation::kACOSH:
      return acoshf(x);
    case UnaryOperation::kATANH:
      return atanhf(x);
    case UnaryOperation::kCEIL:
      return ceilf(x);
    case UnaryOperation::kFLOOR:
      return floorf(x);
    case UnaryOperation::kERF:
      return erff(x);
    case UnaryOperation::kSIGN:
      return static_cast<float>((x > 0.f) - (x < 0.f));  // PyTorch's (0 < x) - (x < 0): NaN gives 0
    case UnaryOperation::kROUND:
      return rintf(x);
    case UnaryOperation::kLOG2:
      return log2f(x);
    case UnaryOperation::kLOG10:
      return log10f(x);
    case UnaryOperation::kTRUNC:
      return truncf(x);
    default:
      return x;
  }
}

// Ops whose result is a boolean (uint8) rather than the input's floating type.
bool boolResult(UnaryOperation op) {
  return op == UnaryOperation::kISINF || op == UnaryOperation::kISNAN || op == UnaryOperation::kBITWISE_NOT ||
         op == UnaryOperation::kNOT;
}

struct UnaryFn {
  UnaryOperation op;
  __device__ float operator()(float x) const { return unaryValue(op, x); }
};

template <typename T>
__global__ void unaryFloatKernel(UnaryOperation op, const T* s, void* out, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float x = load(s, i);
  switch (op) {
    case UnaryOperation::kBITWISE_NOT:
    case UnaryOperation::kISINF:
      static_cast<uint8_t*>(out)[i] = isinf(x);
      return;
    case UnaryOperation::kISNAN:
      static_cast<uint8_t*>(out)[i] = isnan(x);
      return;
    case UnaryOperation::kNOT:
      store(static_cast<T*>(out), i, x);
      return;
    default:
      store(static_cast<T*>(out), i, unaryValue(op, x));
  }
}

template <typename T>
__global__ void unaryIntKernel(UnaryOperation op, const T* s, T* d, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  T x = s[i];
  d[i] = op == UnaryOperation::kABS           ? (x < 0 ? -x : x)
         : op == UnaryOperation::kNEG         ? -x
         : op == UnaryOperation::kBITWISE_NOT ? static_cast<T>(~x)
                                              : static_cast<T>((x > 0) - (x < 0));
}

__global__ void notKernel(const uint8_t* s, uint8_t* d, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) d[i] = !s[i];
}
}  // namespace

void launchUnary(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const UnaryOperation op = static_cast<const IUnaryLayer&>(layer).getOperation();
  const int64_t n = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (op == UnaryOperation::kNOT || (op == UnaryOperation::kBITWISE_NOT && in[0].type == DataType::kBOOL)) {
    notKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint8_t*>(in[0].data), static_cast<uint8_t*>(out.data),
                                              n);
  } else if (in[0].type == DataType::kINT32) {
    unaryIntKernel<<<blocks, 256, 0, ctx.stream>>>(op, static_cast<const int32_t*>(in[0].data),
                                                   static_cast<int32_t*>(out.data), n);
  } else if (in[0].type == DataType::kINT64) {
    unaryIntKernel<<<blocks, 256, 0, ctx.stream>>>(op, static_cast<const int64_t*>(in[0].data),
                                                   static_cast<int64_t*>(out.data), n);
  } else {
    dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const T* src = static_cast<const T*>(in[0].data);
      // 16 bytes per thread where aligned (memory-bound like the activations), the same math.
      if (!boolResult(op) && allAligned16({src, out.data}))
        mapVectorKernel<<<vectorBlocks<T>(n, 256), 256, 0, ctx.stream>>>(src, static_cast<T*>(out.data), n,
                                                                         UnaryFn{op});
      else
        unaryFloatKernel<<<blocks, 256, 0, ctx.stream>>>(op, src, out.data, n);
    });
  }
  check(cudaGetLastError(), "unary kernel launch");
}

}  // namespace cuda
}  // namespace trt
