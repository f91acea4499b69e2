// RMSNormalization on the CPU (the reference): each row over the normalized last dimensions, its mean
// square (float32 squares) summed in double, then y = x / sqrt(mean + epsilon) * scale. 16-bit tensors come widened.
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "common/broadcast_index.h"
#include "common/rms_rows.h"

namespace trt {
namespace cpu {

void runRMSNormalization(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& norm = static_cast<const IRMSNormalizationLayer&>(layer);
  requireFloat32(layer, in[0], "the input");
  const Dims& d = in[0].dims;
  const RmsRows shape = rmsRows(d, norm.getAxes());
  if (shape.count == 0) return;
  const int64_t rows = shape.count, rowLength = shape.length;
  const float* x = in[0].f32();
  const bool scaled = in.size() > 1;
  const BroadcastIndex scaleAt(d, scaled ? in[1].dims : Dims{});
  // A scale over the normalized dims alone (a norm's weight, [H] or [1, H]) is read at the position in
  // the row: no broadcast index per element (it cost T5-base's 25 norms 22 ms a call on two cores).
  const bool scalePerPosition = scaled && rmsScalePerPosition(d, in[1].dims, norm.getAxes());
  const float epsilon = norm.getEpsilon();
  const float* scale = scaled ? in[1].f32() : nullptr;
  float* y = out.f32();
#pragma omp parallel for if (rows * rowLength > (1 << 15))
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * rowLength;
    double sum = 0.0;
    // Squares in float32 as PyTorch's (an overflowing square is inf there too), summed in double.
    for (int64_t i = 0; i < rowLength; ++i) sum += static_cast<double>(row[i] * row[i]);
    const float meanSquare = static_cast<float>(sum / static_cast<double>(rowLength));
    const float inverse = 1.f / std::sqrt(meanSquare + epsilon);
    float* yr = y + r * rowLength;
    if (!scaled) {
      for (int64_t i = 0; i < rowLength; ++i) yr[i] = row[i] * inverse;
    } else if (scalePerPosition) {
      for (int64_t i = 0; i < rowLength; ++i) yr[i] = row[i] * inverse * scale[i];
    } else {
      for (int64_t i = 0; i < rowLength; ++i) yr[i] = row[i] * inverse * scale[scaleAt(r * rowLength + i)];
    }
  }
}

}  // namespace cpu
}  // namespace trt
