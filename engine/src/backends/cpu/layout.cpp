// Channels-last (NHWC) layers on the CPU: transposed to channels-first, run, transposed back.
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {
// nhwc [N, H, W, C] -> nchw [N, C, H, W] when toFirst, else back.
void transpose(const float* src, float* dst, const Dims& nchw, bool toFirst) {
  const int64_t n = nchw.d[0], c = nchw.d[1], plane = nchw.d[2] * nchw.d[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t p = 0; p < plane; ++p)
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t first = (b * c + ch) * plane + p, last = (b * plane + p) * c + ch;
        if (toFirst)
          dst[first] = src[last];
        else
          dst[last] = src[first];
      }
}
}  // namespace

void runChannelsLastAsChannelsFirst(Kernel kernel, const ILayer& layer, const std::vector<TensorView>& inputs,
                                    TensorView& output) {
  std::vector<std::vector<float>> storage(inputs.size());
  std::vector<TensorView> first(inputs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dims.nbDims != 4) continue;
    requireFloat32(layer, inputs[i], "a channels-last input");
    const Dims dims = layer_util::channelsFirst(inputs[i].dims);
    storage[i].resize(static_cast<size_t>(dims.volume()));
    transpose(inputs[i].f32(), storage[i].data(), dims, true);
    first[i] = {storage[i].data(), dims, DataType::kFLOAT};
  }
  const Dims outDims = layer_util::channelsFirst(output.dims);
  std::vector<float> out(static_cast<size_t>(outDims.volume()));
  TensorView outView{out.data(), outDims, DataType::kFLOAT};
  kernel(layer, first, outView);
  transpose(out.data(), output.f32(), outDims, false);
}

}  // namespace cpu
}  // namespace trt
