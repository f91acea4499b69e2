// Einsum (one thread per output element, summing products over the labels missing from the output,
// FP32 accumulation) and one-hot encoding (one thread per output element) on the GPU.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/einsum_spec.h"

namespace trt {
namespace cuda {

namespace {
struct EinsumParams {
  const void* inputs[einsum::kMaxInputs];
  int32_t nInputs, nOut, nLabels;
  int64_t size[einsum::kMaxLabels];
  int64_t strides[einsum::kMaxInputs][einsum::kMaxLabels];
  int64_t summed;
};

template <typename T>
__global__ void einsumKernel(EinsumParams p, T* y, int64_t total) {
  const int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (o >= total) return;
  int64_t idx[einsum::kMaxLabels];
  int64_t rest = o;
  for (int l = p.nOut - 1; l >= 0; --l) {
    idx[l] = rest % p.size[l];
    rest /= p.size[l];
  }
  float acc = 0.f;
  for (int64_t s = 0; s < p.summed; ++s) {
    int64_t r = s;
    for (int l = p.nLabels - 1; l >= p.nOut; --l) {
      idx[l] = r % p.size[l];
      r /= p.size[l];
    }
    float product = 1.f;
    for (int i = 0; i < p.nInputs; ++i) {
      int64_t offset = 0;
      for (int l = 0; l < p.nLabels; ++l) offset += idx[l] * p.strides[i][l];
      product *= load(static_cast<const T*>(p.inputs[i]), offset);
    }
    acc += product;
  }
  store(y, o, acc);
}

template <typename E>
__global__ void oneHotKernel(const void* indices, bool int64Indices, const E* values, E* y, int64_t depth,
                             int64_t inner, int64_t total) {
  const int64_t t = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (t >= total) return;
  const int64_t i = t % inner, k = (t / inner) % depth, o = t / (inner * depth);
  const int64_t at = o * inner + i;
  int64_t index = int64Indices ? static_cast<const int64_t*>(indices)[at] : static_cast<const int32_t*>(indices)[at];
  if (index < 0) index += depth;
  y[t] = values[index == k ? 1 : 0];
}
}  // namespace

void launchEinsum(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& e = static_cast<const IEinsumLayer&>(layer);
  einsum::Spec spec;
  einsum::parse(e.getEquation(), in.size(), spec);
  std::vector<Dims> dims;
  for (const TensorView& t : in) dims.push_back(t.dims);
  std::vector<int64_t> size;
  einsum::labelSizes(spec, dims, size);
  EinsumParams p{};
  p.nInputs = static_cast<int32_t>(in.size());
  p.nOut = static_cast<int32_t>(spec.output.size());
  p.nLabels = static_cast<int32_t>(spec.labels.size());
  p.summed = 1;
  for (int l = 0; l < p.nLabels; ++l) {
    p.size[l] = size[l];
    if (l >= p.nOut) p.summed *= size[l];
  }
  for (size_t i = 0; i < in.size(); ++i) {
    p.inputs[i] = in[i].data;
    const std::vector<int64_t> s = einsum::stridesPerLabel(spec, i, in[i].dims, size);
    for (int l = 0; l < p.nLabels; ++l) p.strides[i][l] = s[l];
  }
  const int64_t total = out.dims.volume();
  dispatchFloating(out.type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    einsumKernel<T>
        <<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(p, static_cast<T*>(out.data), total);
  });
  check(cudaGetLastError(), "einsum kernel launch");
}

void launchOneHot(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& oh = static_cast<const IOneHotLayer&>(layer);
  const int rank = out.dims.nbDims;
  const int axis = oh.getAxis() < 0 ? oh.getAxis() + rank : oh.getAxis();
  int64_t inner = 1;
  for (int d = axis + 1; d < rank; ++d) inner *= out.dims.d[d];
  const int64_t total = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((total + 255) / 256);
  const bool wide = in[0].type == DataType::kINT64;
  withRawElement(dataTypeSize(out.type), "CUDA one-hot", [&](auto tag) {
    using E = decltype(tag);
    oneHotKernel<E><<<blocks, 256, 0, ctx.stream>>>(in[0].data, wide, static_cast<const E*>(in[1].data),
                                                    static_cast<E*>(out.data), oh.getDepth(), inner, total);
  });
  check(cudaGetLastError(), "one-hot kernel launch");
}

}  // namespace cuda
}  // namespace trt
