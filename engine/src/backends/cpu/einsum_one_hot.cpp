// Einsum (loops over every label, products summed over the labels missing from the output) and
// one-hot encoding (each position of the new axis compared with its index).
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/einsum_spec.h"

namespace trt {
namespace cpu {

void runEinsum(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& e = static_cast<const IEinsumLayer&>(layer);
  einsum::Spec spec;
  einsum::parse(e.getEquation(), in.size(), spec);
  std::vector<Dims> dims;
  for (const TensorView& t : in) {
    requireFloat32(layer, t, "every input");
    dims.push_back(t.dims);
  }
  std::vector<int64_t> size;
  einsum::labelSizes(spec, dims, size);
  std::vector<std::vector<int64_t>> strides;
  for (size_t i = 0; i < in.size(); ++i) strides.push_back(einsum::stridesPerLabel(spec, i, in[i].dims, size));
  const size_t nOut = spec.output.size(), nLabels = spec.labels.size();
  int64_t summed = 1;
  for (size_t l = nOut; l < nLabels; ++l) summed *= size[l];
  const int64_t total = out.dims.volume();
  std::vector<int64_t> idx(nLabels, 0);
  float* y = out.f32();
  for (int64_t o = 0; o < total; ++o) {
    int64_t rest = o;
    for (size_t l = nOut; l-- > 0;) {
      idx[l] = rest % size[l];
      rest /= size[l];
    }
    double acc = 0.0;
    for (int64_t s = 0; s < summed; ++s) {
      int64_t r = s;
      for (size_t l = nLabels; l-- > nOut;) {
        idx[l] = r % size[l];
        r /= size[l];
      }
      double product = 1.0;
      for (size_t i = 0; i < in.size(); ++i) {
        int64_t offset = 0;
        for (size_t l = 0; l < nLabels; ++l) offset += idx[l] * strides[i][l];
        product *= in[i].f32()[offset];
      }
      acc += product;
    }
    y[o] = static_cast<float>(acc);
  }
}

void runOneHot(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& oh = static_cast<const IOneHotLayer&>(layer);
  const int rank = out.dims.nbDims;
  const int axis = oh.getAxis() < 0 ? oh.getAxis() + rank : oh.getAxis();
  const int64_t depth = oh.getDepth();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= out.dims.d[d];
  for (int d = axis + 1; d < rank; ++d) inner *= out.dims.d[d];
  const size_t elem = dataTypeSize(out.type);
  const auto* values = static_cast<const uint8_t*>(in[1].data);  // [off, on]
  auto* y = static_cast<uint8_t*>(out.data);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t at = o * inner + i;
      int64_t index = in[0].type == DataType::kINT64 ? static_cast<const int64_t*>(in[0].data)[at]
                                                     : static_cast<const int32_t*>(in[0].data)[at];
      if (index < 0) index += depth;
      for (int64_t k = 0; k < depth; ++k)
        std::memcpy(y + ((o * depth + k) * inner + i) * elem, values + (index == k ? elem : 0), elem);
    }
}

}  // namespace cpu
}  // namespace trt
