// Scale and ParametricReLU on the GPU: one thread per element, the arithmetic shared with the CPU.
#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/broadcast_index.h"
#include "common/scale_value.h"

namespace trt {
namespace cuda {

namespace {
template <typename T>
__global__ void scaleKernel(const T* x, T* y, int32_t mode, const float* scale, const float* shift, const float* power,
                            int64_t channels, int64_t inner, int64_t perSample, int64_t n, int32_t activation) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t c = scale_value::coefficient(mode, i, channels, inner, perSample);
  float v = scale_value::apply(load(x, i), scale ? scale[c] : 1.f, shift ? shift[c] : 0.f, power ? power[c] : 1.f);
  if (activation >= 0) v = activate(static_cast<ActivationType>(activation), 0.f, 0.f, v);
  store(y, i, v);
}

template <typename T>
__global__ void preluKernel(const T* x, const T* slope, T* y, BroadcastIndex slopeAt, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float v = load(x, i);
  store(y, i, v > 0.f ? v : load(slope, slopeAt(i)) * v);
}
}  // namespace

void launchScale(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& s = static_cast<const IScaleLayer&>(layer);
  const Dims& d = in[0].dims;
  const int axis = s.getChannelAxis();
  int64_t inner = 1;
  for (int k = axis + 1; k < d.nbDims; ++k) inner *= d.d[k];
  const int64_t channels = s.getMode() == ScaleMode::kUNIFORM ? 1 : d.d[axis];
  const int64_t perSample = s.getMode() == ScaleMode::kELEMENTWISE ? s.coefficientCount(d) : 1;
  auto onDevice = [&](const std::vector<float>& v) {
    return v.empty() ? nullptr : static_cast<const float*>(ctx.device(v.data()));
  };
  const int64_t n = d.volume();
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    scaleKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<T*>(out.data), static_cast<int32_t>(s.getMode()),
        onDevice(s.getScale()), onDevice(s.getShift()), onDevice(s.getPower()), channels, inner, perSample, n,
        s.getFusedActivation());
  });
  check(cudaGetLastError(), "scale kernel launch");
}

void launchParametricReLU(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = in[0].dims.volume();
  const BroadcastIndex slopeAt(in[0].dims, in[1].dims);
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    preluKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<const T*>(in[1].data), static_cast<T*>(out.data), slopeAt, n);
  });
  check(cudaGetLastError(), "parametric relu kernel launch");
}

}  // namespace cuda
}  // namespace trt
