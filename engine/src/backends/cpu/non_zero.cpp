// NonZero: the coordinates of nonzero elements, one row per dimension, in row-major element order.
#include "common/non_zero.h"
#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

int64_t countNonZero(const TensorView& in) {
  const int64_t n = in.dims.volume();
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += non_zero::isNonZero(in.data, in.type, i);
  return count;
}

void runNonZero(const ILayer&, const std::vector<TensorView>& in, TensorView& out) {
  const Dims& d = in[0].dims;
  const int64_t n = d.volume(), count = out.dims.d[1];
  auto* coords = static_cast<int64_t*>(out.data);
  int64_t k = 0;
  for (int64_t i = 0; i < n && k < count; ++i) {
    if (!non_zero::isNonZero(in[0].data, in[0].type, i)) continue;
    int64_t rest = i;
    for (int dim = d.nbDims - 1; dim >= 0; --dim) {
      coords[dim * count + k] = rest % d.d[dim];
      rest /= d.d[dim];
    }
    ++k;
  }
}

}  // namespace cpu
}  // namespace trt
