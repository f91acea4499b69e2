// Cumulative sum and product along one axis; float32 accumulates in float32 (as PyTorch's CPU
// cumsum), integers in int64.
#include "backends/cpu/cpu_kernels.h"
#include "common/cumulative_lines.h"

namespace trt {
namespace cpu {

namespace {
template <typename T, typename Acc>
void accumulate(const ICumulativeLayer& layer, const T* x, T* y, const Dims& dims) {
  const CumulativeLines l = cumulativeLines(dims, layer.getAxis());
  const bool prod = layer.getOperation() == CumulativeOperation::kPROD;
  for (int64_t o = 0; o < l.outer; ++o)
    for (int64_t i = 0; i < l.inner; ++i) {
      Acc acc = prod ? Acc(1) : Acc(0);
      for (int64_t s = 0; s < l.extent; ++s) {
        const int64_t k = layer.getReverse() ? l.extent - 1 - s : s;
        const int64_t at = (o * l.extent + k) * l.inner + i;
        const Acc v = static_cast<Acc>(x[at]);
        if (!layer.getExclusive()) acc = prod ? acc * v : acc + v;
        y[at] = static_cast<T>(acc);
        if (layer.getExclusive()) acc = prod ? acc * v : acc + v;
      }
    }
}
}  // namespace

void runCumulative(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& cum = static_cast<const ICumulativeLayer&>(layer);
  switch (inputs[0].type) {
    case DataType::kFLOAT:
      return accumulate<float, float>(cum, inputs[0].f32(), output.f32(), inputs[0].dims);
    case DataType::kINT32:
      return accumulate<int32_t, int64_t>(cum, static_cast<const int32_t*>(inputs[0].data),
                                          static_cast<int32_t*>(output.data), inputs[0].dims);
    case DataType::kINT64:
      return accumulate<int64_t, int64_t>(cum, static_cast<const int64_t*>(inputs[0].data),
                                          static_cast<int64_t*>(output.data), inputs[0].dims);
    default:
      throw Error(layer.describe() + ": the CPU backend accumulates float32, int32 or int64, got " +
                  dataTypeName(inputs[0].type));
  }
}

}  // namespace cpu
}  // namespace trt
