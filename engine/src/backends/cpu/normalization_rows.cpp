// Layer norm on the CPU's fast path: a normalization over trailing axes is one contiguous row per
// group, the rows spread over the cores. With AVX-512 and a scale and bias laid out along the row
// (layer norm's), each row is normalizeRowFast's (normalization_rows_avx512.cpp: double sums in eight
// lanes); otherwise it gets the reference's arithmetic (normalization.cpp: the residual added in float,
// mean and biased variance accumulated in double in index order, the affine step in double) and is
// bit-identical to it.
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/normalization_rows.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

bool runNormalizationRows(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& norm = static_cast<const INormalizationLayer&>(layer);
  for (const auto& t : in)
    if (t.type != DataType::kFLOAT) return false;
  if (out.type != DataType::kFLOAT) return false;
  const Dims& d = in[0].dims;
  const uint32_t axes = norm.getAxes();
  // The normalized axes must be a trailing run: bits first..nbDims-1 set, none below.
  int first = d.nbDims;
  while (first > 0 && ((axes >> (first - 1)) & 1u)) --first;
  if (first == d.nbDims || (axes & ((1u << first) - 1u)) != 0 || (axes >> d.nbDims) != 0) return false;
  int64_t rows = 1, width = 1;
  for (int i = 0; i < d.nbDims; ++i) (i < first ? rows : width) *= d.d[i];
  if (rows * width == 0) return false;
  // Scale and bias the same for every row (broadcast over the leading axes): their index within a row.
  int64_t sStride[Dims::MAX_DIMS], bStride[Dims::MAX_DIMS];
  layer_util::broadcastStrides(in[1].dims, d, sStride);
  layer_util::broadcastStrides(in[2].dims, d, bStride);
  for (int k = 0; k < first; ++k)
    if (sStride[k] != 0 || bStride[k] != 0) return false;
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
  const float* x = in[0].f32();
  const float* residual = in.size() == 4 ? in[3].f32() : nullptr;
  const float* scale = in[1].f32();
  const float* bias = in[2].f32();
  float* y = out.f32();
  const double epsilon = norm.getEpsilon();
  bool alongRow = true;  // scale[j] and bias[j] for element j of a row
  for (int64_t j = 0; j < width && alongRow; ++j)
    alongRow = si[static_cast<size_t>(j)] == j && bi[static_cast<size_t>(j)] == j;
  forEachRange(rows, width * 8, [&](int64_t firstRow, int64_t lastRow) {
    std::vector<float> summed(residual ? static_cast<size_t>(width) : 0);
    for (int64_t r = firstRow; r < lastRow; ++r) {
      const float* row = x + r * width;
      if (residual) {
        for (int64_t j = 0; j < width; ++j) summed[static_cast<size_t>(j)] = row[j] + residual[r * width + j];
        row = summed.data();
      }
      if (alongRow && normalizeRowFast(row, width, scale, bias, epsilon, y + r * width)) continue;
      double mean = 0.0, var = 0.0;
      for (int64_t j = 0; j < width; ++j) mean += row[j];
      mean /= static_cast<double>(width);
      for (int64_t j = 0; j < width; ++j) {
        const double c = row[j] - mean;
        var += c * c;
      }
      const double invStd = 1.0 / std::sqrt(var / static_cast<double>(width) + epsilon);
      float* yr = y + r * width;
      for (int64_t j = 0; j < width; ++j)
        yr[j] = static_cast<float>((row[j] - mean) * invStd * scale[si[static_cast<size_t>(j)]] +
                                   bias[bi[static_cast<size_t>(j)]]);
    }
  });
  return true;
}

}  // namespace cpu
}  // namespace trt
