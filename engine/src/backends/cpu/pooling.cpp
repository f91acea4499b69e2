// Max and average pooling over the last 1-3 dimensions, with PyTorch's padding and divisor rules.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {
void runChannelsFirstPooling(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& pool = static_cast<const IPoolingLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Dims& out = output.dims;
  const int nd = pool.getWindowSizeNd().nbDims;
  Dims stride = pool.getStrideNd().nbDims == nd ? pool.getStrideNd() : pool.getWindowSizeNd();
  Dims pre = layer_util::spatialOr(pool.getPrePadding(), nd, 0),
       post = layer_util::spatialOr(pool.getPostPadding(), nd, 0);
  int64_t I[3], O[3], K[3], S[3], P[3], Q[3];
  for (int i = 0; i < 3; ++i) {
    int s = i - (3 - nd);
    I[i] = s >= 0 ? in.d[in.nbDims - nd + s] : 1;
    O[i] = s >= 0 ? out.d[out.nbDims - nd + s] : 1;
    K[i] = s >= 0 ? pool.getWindowSizeNd().d[s] : 1;
    S[i] = s >= 0 ? stride.d[s] : 1;
    P[i] = s >= 0 ? pre.d[s] : 0;
    Q[i] = s >= 0 ? post.d[s] : 0;
  }
  int64_t outer = 1;
  for (int i = 0; i < in.nbDims - nd; ++i) outer *= in.d[i];
  const bool isMax = pool.getPoolingType() == PoolingType::kMAX;
  const bool exclude = pool.getAverageCountExcludesPadding();
  const int64_t inPlane = I[0] * I[1] * I[2], outPlane = O[0] * O[1] * O[2];
#pragma omp parallel for if (outer * outPlane > 4096)
  for (int64_t c = 0; c < outer; ++c) {
    const float* src = inputs[0].f32() + c * inPlane;
    float* dst = output.f32() + c * outPlane;
    for (int64_t od = 0; od < O[0]; ++od)
      for (int64_t oh = 0; oh < O[1]; ++oh)
        for (int64_t ow = 0; ow < O[2]; ++ow) {
          int64_t start[3] = {od * S[0] - P[0], oh * S[1] - P[1], ow * S[2] - P[2]};
          int64_t end[3], lo[3], hi[3];
          int64_t paddedCount = 1;
          for (int i = 0; i < 3; ++i) {
            end[i] = std::min(start[i] + K[i], I[i] + Q[i]);
            paddedCount *= end[i] - start[i];
            lo[i] = std::max<int64_t>(start[i], 0);
            hi[i] = std::min(end[i], I[i]);
          }
          float acc = isMax ? -std::numeric_limits<float>::infinity() : 0.f;
          int64_t count = 0;
          bool nan = false;
          for (int64_t d = lo[0]; d < hi[0]; ++d)
            for (int64_t h = lo[1]; h < hi[1]; ++h)
              for (int64_t w = lo[2]; w < hi[2]; ++w) {
                float v = src[(d * I[1] + h) * I[2] + w];
                if (isMax) {
                  if (std::isnan(v)) nan = true;
                  acc = v > acc ? v : acc;
                } else {
                  acc += v;
                }
                ++count;
              }
          float result;
          if (isMax)
            result = nan ? std::numeric_limits<float>::quiet_NaN() : acc;
          else
            result = acc / static_cast<float>(exclude ? std::max<int64_t>(count, 1) : paddedCount);
          dst[(od * O[1] + oh) * O[2] + ow] = result;
        }
  }
}

}  // namespace

void runPooling(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  requireFloat32(layer, inputs[0], "the input");
  if (static_cast<const IPoolingLayer&>(layer).getChannelsLast())
    runChannelsLastAsChannelsFirst(runChannelsFirstPooling, layer, inputs, output);
  else
    runChannelsFirstPooling(layer, inputs, output);
}

}  // namespace cpu
}  // namespace trt
