// Layer norm on the CPU's fast path: a normalization over trailing axes is one contiguous row per
// group, the rows spread over the cores. With AVX-512 and a scale and bias laid out along the row
// (layer norm's), each row is normalizeRowFast's (normalization_rows_avx512.cpp: double sums in 32
// lanes); otherwise it gets the reference's arithmetic (normalization.cpp: the residual added in float,
// mean and biased variance accumulated in double in index order, the affine step in double) and is
// bit-identical to it. bfloat16 rows are widened one at a time and the result rounded back: the same
// float32 arithmetic as on widened copies, bit for bit, without the copies' passes over memory.
#include <cmath>

#include "backends/cpu/bf16_conversion.h"
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/normalization_rows.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {
// The first normalized axis when the fast path takes the call (a trailing run of axes, scale and bias the
// same for every row, every tensor float32 or bfloat16 with float32 or bfloat16 parameters), else -1.
int firstRowAxis(const ILayer& layer, const std::vector<TensorView>& in, const TensorView& out) {
  if (out.type != DataType::kFLOAT && out.type != DataType::kBF16) return -1;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].type != out.type && !((i == 1 || i == 2) && in[i].type == DataType::kFLOAT)) return -1;
  const Dims& d = in[0].dims;
  const uint32_t axes = static_cast<const INormalizationLayer&>(layer).getAxes();
  // The normalized axes must be a trailing run: bits first..nbDims-1 set, none below.
  int first = d.nbDims;
  while (first > 0 && ((axes >> (first - 1)) & 1u)) --first;
  if (first == d.nbDims || (axes & ((1u << first) - 1u)) != 0 || (axes >> d.nbDims) != 0) return -1;
  if (d.volume() == 0) return -1;
  // Scale and bias the same for every row (broadcast over the leading axes).
  int64_t sStride[Dims::MAX_DIMS], bStride[Dims::MAX_DIMS];
  layer_util::broadcastStrides(in[1].dims, d, sStride);
  layer_util::broadcastStrides(in[2].dims, d, bStride);
  for (int k = 0; k < first; ++k)
    if (sStride[k] != 0 || bStride[k] != 0) return -1;
  return first;
}
}  // namespace

bool normalizationRowsApply(const ILayer& layer, const std::vector<TensorView>& in, const TensorView& out) {
  return firstRowAxis(layer, in, out) >= 0;
}

bool runNormalizationRows(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int first = firstRowAxis(layer, in, out);
  if (first < 0) return false;
  const auto& norm = static_cast<const INormalizationLayer&>(layer);
  const bool bf16 = out.type == DataType::kBF16;
  const Dims& d = in[0].dims;
  int64_t rows = 1, width = 1;
  for (int i = 0; i < d.nbDims; ++i) (i < first ? rows : width) *= d.d[i];
  // Scale and bias: their index within a row.
  int64_t sStride[Dims::MAX_DIMS], bStride[Dims::MAX_DIMS];
  layer_util::broadcastStrides(in[1].dims, d, sStride);
  layer_util::broadcastStrides(in[2].dims, d, bStride);
  std::vector<int64_t> si(static_cast<size_t>(width)), bi(static_cast<size_t>(width));
  for (int64_t j = 0; j < width; ++j) {
    int64_t rem = j, s = 0, b = 0;
    for (int k = d.nbDims - 1; k >= first; --k) {
      const int64_t c = rem % d.d[k];
      rem /= d.d[k];
      s += c * sStride[k];
      b += c * bStride[k];
    }
    si[static_cast<size_t>(j)] = s;
    bi[static_cast<size_t>(j)] = b;
  }
  // bfloat16 parameters widened once; rows below.
  auto asFloat = [](const TensorView& t, std::vector<float>& wide) -> const float* {
    if (t.type == DataType::kFLOAT) return t.f32();
    wide.resize(static_cast<size_t>(t.dims.volume()));
    widenBf16(static_cast<const uint16_t*>(t.data), wide.data(), t.dims.volume());
    return wide.data();
  };
  std::vector<float> scaleWide, biasWide;
  const float* scale = asFloat(in[1], scaleWide);
  const float* bias = asFloat(in[2], biasWide);
  const bool hasResidual = in.size() == 4;
  const double epsilon = norm.getEpsilon();
  bool alongRow = true;  // scale[j] and bias[j] for element j of a row
  for (int64_t j = 0; j < width && alongRow; ++j)
    alongRow = si[static_cast<size_t>(j)] == j && bi[static_cast<size_t>(j)] == j;
  // The reference's arithmetic for one (residual-summed) float32 row.
  auto normalizeRow = [&](const float* row, float* yr) {
    double mean = 0.0, var = 0.0;
    for (int64_t j = 0; j < width; ++j) mean += row[j];
    mean /= static_cast<double>(width);
    for (int64_t j = 0; j < width; ++j) {
      const double c = row[j] - mean;
      var += c * c;
    }
    const double invStd = 1.0 / std::sqrt(var / static_cast<double>(width) + epsilon);
    for (int64_t j = 0; j < width; ++j)
      yr[j] = static_cast<float>((row[j] - mean) * invStd * scale[si[static_cast<size_t>(j)]] +
                                 bias[bi[static_cast<size_t>(j)]]);
  };
  forEachRange(rows, width * 8, [&](int64_t firstRow, int64_t lastRow) {
    const size_t w = static_cast<size_t>(width);
    std::vector<float> summed(hasResidual || bf16 ? w : 0), wideResidual(hasResidual && bf16 ? w : 0),
        wideOut(bf16 ? w : 0);
    for (int64_t r = firstRow; r < lastRow; ++r) {
      const float* row;
      const float* residual = nullptr;
      if (bf16) {
        widenBf16(static_cast<const uint16_t*>(in[0].data) + r * width, summed.data(), width);
        row = summed.data();
        if (hasResidual) {
          widenBf16(static_cast<const uint16_t*>(in[3].data) + r * width, wideResidual.data(), width);
          residual = wideResidual.data();
        }
      } else {
        row = in[0].f32() + r * width;
        if (hasResidual) residual = in[3].f32() + r * width;
      }
      if (residual) {
        for (size_t j = 0; j < w; ++j) summed[j] = row[j] + residual[j];
        row = summed.data();
      }
      float* yr = bf16 ? wideOut.data() : out.f32() + r * width;
      if (!(alongRow && normalizeRowFast(row, width, scale, bias, epsilon, yr))) normalizeRow(row, yr);
      if (bf16) narrowBf16(yr, static_cast<uint16_t*>(out.data) + r * width, width);
    }
  });
  return true;
}

}  // namespace cpu
}  // namespace trt
