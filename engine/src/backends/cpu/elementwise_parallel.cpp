// The fast path's float32 sums, differences, products and quotients over the cores: the reference's
// one operation per element (bit-identical), for operands of the output's shape, scalars, and operands
// repeated over leading dims (a bias over rows). ViT-B/16's residual adds and layer scales ran on one
// thread in the reference's general broadcasting loop. bfloat16 operands are widened a chunk at a time
// and the chunk's results rounded back: the same float32 operation as on widened copies, bit for bit,
// without the copies' passes over memory.
#include <algorithm>

#include "backends/cpu/bf16_conversion.h"
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

constexpr int64_t kChunk = 16384;

// Operand values for output elements [begin, begin + count): `values + begin` for an operand of the
// output's size, else its repeating values (period p) laid out in `scratch`. The loops that follow run
// over plain arrays (vectorized; the index arithmetic of a broadcast stays out of them).
const float* chunkOf(const float* values, int64_t p, int64_t n, int64_t begin, int64_t count, float* scratch) {
  if (p == n) return values + begin;
  int64_t k = begin % p;
  for (int64_t i = 0; i < count; ++i) {
    scratch[i] = values[k];
    if (++k == p) k = 0;
  }
  return scratch;
}

// Operands of y's type, float32 or bfloat16. A bfloat16 operand of the output's
// size is widened a chunk at a time, a repeated one (period < n) was widened whole beforehand (aWide, bWide).
template <typename Op>
void apply(const TensorView& a, const float* aWide, int64_t pa, const TensorView& b, const float* bWide, int64_t pb,
           TensorView& y, int64_t n, Op op) {
  const bool bf16 = y.type == DataType::kBF16;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 16, [&](int64_t first, int64_t last) {
    std::vector<float> ta(kChunk), tb(kChunk), ty(bf16 ? kChunk : 0);
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t begin = chunk * kChunk, count = std::min(n - begin, kChunk);
      auto operand = [&](const TensorView& t, const float* wide, int64_t p, float* scratch) {
        if (!bf16) return chunkOf(t.f32(), p, n, begin, count, scratch);
        if (p < n) return chunkOf(wide, p, n, begin, count, scratch);
        widenBf16(static_cast<const uint16_t*>(t.data) + begin, scratch, count);
        return static_cast<const float*>(scratch);
      };
      const float* x = operand(a, aWide, pa, ta.data());
      const float* z = operand(b, bWide, pb, tb.data());
      float* out = bf16 ? ty.data() : y.f32() + begin;
      for (int64_t i = 0; i < count; ++i) out[i] = op(x[i], z[i]);
      if (bf16) narrowBf16(out, static_cast<uint16_t*>(y.data) + begin, count);
    }
  });
}

template <typename Op>
void run(const std::vector<TensorView>& in, TensorView& out, int64_t n, int64_t pa, int64_t pb, Op op) {
  // A repeated bfloat16 operand widened once (a bias, a position embedding).
  auto wholeIfRepeated = [&](const TensorView& t, int64_t p) {
    std::vector<float> wide(out.type == DataType::kBF16 && p < n ? static_cast<size_t>(p) : 0);
    if (!wide.empty()) widenBf16(static_cast<const uint16_t*>(t.data), wide.data(), p);
    return wide;
  };
  const std::vector<float> aWide = wholeIfRepeated(in[0], pa), bWide = wholeIfRepeated(in[1], pb);
  apply(in[0], aWide.data(), pa, in[1], bWide.data(), pb, out, n, op);
}
}  // namespace

bool elementWiseParallelApplies(const ILayer& layer, const std::vector<TensorView>& in, const TensorView& out) {
  if (in.size() != 2 || (out.type != DataType::kFLOAT && out.type != DataType::kBF16) || in[0].type != out.type ||
      in[1].type != out.type)
    return false;
  switch (static_cast<const IElementWiseLayer&>(layer).getOperation()) {
    case ElementWiseOperation::kSUM:
    case ElementWiseOperation::kSUB:
    case ElementWiseOperation::kPROD:
    case ElementWiseOperation::kDIV:
      break;
    default:
      return false;
  }
  return out.dims.volume() > 0 && period(in[0].dims, out.dims) > 0 && period(in[1].dims, out.dims) > 0;
}

bool runElementWiseParallel(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  if (!elementWiseParallelApplies(layer, in, out)) return false;
  const int64_t n = out.dims.volume(), pa = period(in[0].dims, out.dims), pb = period(in[1].dims, out.dims);
  switch (static_cast<const IElementWiseLayer&>(layer).getOperation()) {
    case ElementWiseOperation::kSUM:
      run(in, out, n, pa, pb, [](float x, float z) { return x + z; });
      return true;
    case ElementWiseOperation::kSUB:
      run(in, out, n, pa, pb, [](float x, float z) { return x - z; });
      return true;
    case ElementWiseOperation::kPROD:
      run(in, out, n, pa, pb, [](float x, float z) { return x * z; });
      return true;
    case ElementWiseOperation::kDIV:
      run(in, out, n, pa, pb, [](float x, float z) { return x / z; });
      return true;
    default:
      return false;
  }
}

}  // namespace cpu
}  // namespace trt
