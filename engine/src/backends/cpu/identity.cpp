// Identity: copy, or cast between the engine's data types.
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/cast_value.h"

namespace trt {
namespace cpu {

void runIdentity(const ILayer&, const std::vector<TensorView>& inputs, TensorView& output) {
  const TensorView& in = inputs[0];
  const int64_t n = output.dims.volume();
  if (in.type == output.type) {
    if (output.data != in.data) std::memcpy(output.data, in.data, static_cast<size_t>(n) * dataTypeSize(in.type));
    return;
  }
  if (in.type == DataType::kFP8 || output.type == DataType::kFP8)
    throw Error(std::string("Identity: the CPU backend cannot cast between ") + dataTypeName(in.type) + " and " +
                dataTypeName(output.type));
  for (int64_t i = 0; i < n; ++i) cast_value::castElement(in.data, in.type, output.data, output.type, i);
}

}  // namespace cpu
}  // namespace trt
