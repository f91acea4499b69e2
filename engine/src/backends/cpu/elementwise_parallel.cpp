// The fast path's float32 sums, differences, products and quotients over the cores: the reference's
// one operation per element (bit-identical), for operands of the output's shape, scalars, and operands
// repeated over leading dims (a bias over rows). ViT-B/16's residual adds and layer scales ran on one
// thread in the reference's general broadcasting loop.
#include <algorithm>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

namespace {
// How an operand of `dims` is read for output element i: i % period (period = its volume) when its dims
// are the output's trailing ones (leading ones of size 1 allowed), else 0 (not handled here).
int64_t period(const Dims& dims, const Dims& out) {
  const int64_t volume = dims.volume();
  if (volume == 1) return 1;
  int64_t trailing = 1;
  int matched = 0;
  for (int i = dims.nbDims - 1, o = out.nbDims - 1; i >= 0 && o >= 0; --i, --o) {
    if (dims.d[i] != out.d[o]) break;
    trailing *= dims.d[i];
    ++matched;
  }
  for (int i = 0; i < dims.nbDims - matched; ++i)
    if (dims.d[i] != 1) return 0;
  return trailing == volume ? volume : 0;
}

template <typename Op>
void apply(const float* a, int64_t pa, const float* b, int64_t pb, float* y, int64_t n, Op op) {
  constexpr int64_t kChunk = 16384;
  forEachRange((n + kChunk - 1) / kChunk, kChunk, [&](int64_t first, int64_t last) {
    const int64_t end = std::min(n, last * kChunk);
    for (int64_t i = first * kChunk; i < end; ++i) y[i] = op(a[pa == n ? i : i % pa], b[pb == n ? i : i % pb]);
  });
}
}  // namespace

bool runElementWiseParallel(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  if (in.size() != 2 || in[0].type != DataType::kFLOAT || in[1].type != DataType::kFLOAT ||
      out.type != DataType::kFLOAT)
    return false;
  const int64_t n = out.dims.volume(), pa = period(in[0].dims, out.dims), pb = period(in[1].dims, out.dims);
  if (n == 0 || pa == 0 || pb == 0) return false;
  const float *a = in[0].f32(), *b = in[1].f32();
  float* y = out.f32();
  switch (static_cast<const IElementWiseLayer&>(layer).getOperation()) {
    case ElementWiseOperation::kSUM:
      apply(a, pa, b, pb, y, n, [](float x, float z) { return x + z; });
      return true;
    case ElementWiseOperation::kSUB:
      apply(a, pa, b, pb, y, n, [](float x, float z) { return x - z; });
      return true;
    case ElementWiseOperation::kPROD:
      apply(a, pa, b, pb, y, n, [](float x, float z) { return x * z; });
      return true;
    case ElementWiseOperation::kDIV:
      apply(a, pa, b, pb, y, n, [](float x, float z) { return x / z; });
      return true;
    default:
      return false;
  }
}

}  // namespace cpu
}  // namespace trt
