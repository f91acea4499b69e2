// Unary functions on the device (CUDA's libm, as ATen's CUDA kernels use).
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"

namespace trt {
namespace cuda {

namespace {
template <typename T>
__global__ void unaryFloatKernel(UnaryOperation op, const T* s, void* out, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  float x = load(s, i), r = x;
  switch (op) {
    case UnaryOperation::kEXP:
      r = expf(x);
      break;
    case UnaryOperation::kLOG:
      r = logf(x);
      break;
    case UnaryOperation::kSQRT:
      r = sqrtf(x);
      break;
    case UnaryOperation::kRECIP:
      r = 1.f / x;
      break;
    case UnaryOperation::kABS:
      r = fabsf(x);
      break;
    case UnaryOperation::kNEG:
      r = -x;
      break;
    case UnaryOperation::kSIN:
      r = sinf(x);
      break;
    case UnaryOperation::kCOS:
      r = cosf(x);
      break;
    case UnaryOperation::kTAN:
      r = tanf(x);
      break;
    case UnaryOperation::kSINH:
      r = sinhf(x);
      break;
    case UnaryOperation::kCOSH:
      r = coshf(x);
      break;
    case UnaryOperation::kASIN:
      r = asinf(x);
      break;
    case UnaryOperation::kACOS:
      r = acosf(x);
      break;
    case UnaryOperation::kATAN:
      r = atanf(x);
      break;
    case UnaryOperation::kASINH:
      r = asinhf(x);
      break;
    case UnaryOperation::kACOSH:
      r = acoshf(x);
      break;
    case UnaryOperation::kATANH:
      r = atanhf(x);
      break;
    case UnaryOperation::kCEIL:
      r = ceilf(x);
      break;
    case UnaryOperation::kFLOOR:
      r = floorf(x);
      break;
    case UnaryOperation::kERF:
      r = erff(x);
      break;
    case UnaryOperation::kSIGN:
      r = isnan(x) ? x : static_cast<float>((x > 0.f) - (x < 0.f));
      break;
    case UnaryOperation::kROUND:
      r = rintf(x);
      break;
    case UnaryOperation::kLOG2:
      r = log2f(x);
      break;
    case UnaryOperation::kLOG10:
      r = log10f(x);
      break;
    case UnaryOperation::kTRUNC:
      r = truncf(x);
      break;
    case UnaryOperation::kBITWISE_NOT:
    case UnaryOperation::kISINF:
      static_cast<uint8_t*>(out)[i] = isinf(x);
      return;
    case UnaryOperation::kISNAN:
      static_cast<uint8_t*>(out)[i] = isnan(x);
      return;
    case UnaryOperation::kNOT:
      break;
  }
  store(static_cast<T*>(out), i, r);
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
      unaryFloatKernel<<<blocks, 256, 0, ctx.stream>>>(op, static_cast<const T*>(in[0].data), out.data, n);
    });
  }
  check(cudaGetLastError(), "unary kernel launch");
}

}  // namespace cuda
}  // namespace trt
