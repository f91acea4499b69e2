// Generated tensors on the GPU: a Shape layer's dimensions and a Fill layer's constant or linspace
// (one thread per element, the arithmetic shared with the CPU reference).
#include <cuda_fp16.h>

#include "backends/cuda/cuda_kernels.h"
#include "common/fill_value.h"

namespace trt {
namespace cuda {

namespace {
struct DimValues {
  int64_t d[Dims::MAX_DIMS];
};

__global__ void shapeKernel(int64_t* out, DimValues dims, int32_t rank) {
  const int i = threadIdx.x;
  if (i < rank) out[i] = dims.d[i];
}

template <typename T>
__device__ __forceinline__ T convert(double v) {
  return static_cast<T>(v);
}
template <>
__device__ __forceinline__ __half convert<__half>(double v) {
  return __float2half_rn(static_cast<float>(v));
}
template <>
__device__ __forceinline__ bool convert<bool>(double v) {
  return v != 0.0;
}

template <typename T>
__global__ void fillKernel(T* out, fill::Params p, int64_t total) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < total) out[i] = convert<T>(fill::value(p, i));
}
}  // namespace

void launchShape(LaunchContext& ctx, const ILayer&, const std::vector<TensorView>& in, TensorView& out) {
  DimValues dims{};
  for (int i = 0; i < in[0].dims.nbDims; ++i) dims.d[i] = in[0].dims.d[i];
  shapeKernel<<<1, Dims::MAX_DIMS, 0, ctx.stream>>>(static_cast<int64_t*>(out.data), dims, in[0].dims.nbDims);
  check(cudaGetLastError(), "shape kernel launch");
}

void launchFill(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>&, TensorView& out) {
  const fill::Params p = fill::paramsOf(static_cast<const IFillLayer&>(layer), out.dims);
  fill::checkRange(layer, p, out.type);
  const int64_t total = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((total + 255) / 256);
  switch (out.type) {
    case DataType::kFLOAT:
      fillKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<float*>(out.data), p, total);
      break;
    case DataType::kHALF:
      fillKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<__half*>(out.data), p, total);
      break;
    case DataType::kINT32:
      fillKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<int32_t*>(out.data), p, total);
      break;
    case DataType::kINT64:
      fillKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<int64_t*>(out.data), p, total);
      break;
    case DataType::kBOOL:
      fillKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<bool*>(out.data), p, total);
      break;
    default:
      throw Error(layer.describe() + ": the CUDA fill writes float32, float16, int32, int64 or bool, not " +
                  dataTypeName(out.type));
  }
  check(cudaGetLastError(), "fill kernel launch");
}

}  // namespace cuda
}  // namespace trt
