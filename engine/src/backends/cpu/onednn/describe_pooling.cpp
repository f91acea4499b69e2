// Max and average pooling over the last 1-3 dimensions for the plugin, in the tensors' own layout.
// The reference's (PyTorch's) divisor rules: excluding padding counts the input elements a window
// covers (oneDNN's exclude-padding); including it divides by the window clipped at the post-padded
// edge, which is oneDNN's include-padding only where no window passes that edge (else: reference).
// Max pooling over NaN is the reference's (onednn_kernels.cpp checks the input).
#include <algorithm>

#include "backends/cpu/onednn/describe.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

bool describePooling(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                     torchtrt_onednn_pooling& d) {
  const auto& pool = static_cast<const IPoolingLayer&>(layer);
  const int nd = pool.getWindowSizeNd().nbDims;
  const bool channelsLast = pool.getChannelsLast();
  if (nd < 1 || nd > 3 || inputs[0].dims.nbDims < nd + 1 || output.dims.nbDims != inputs[0].dims.nbDims) return false;
  if (channelsLast && inputs[0].dims.nbDims != nd + 2) return false;
  const Dims in = channelsLast ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  const Dims out = channelsLast ? channelsFirst(output.dims) : output.dims;
  const Dims stride = pool.getStrideNd().nbDims == nd ? pool.getStrideNd() : pool.getWindowSizeNd();
  const Dims pre = layer_util::spatialOr(pool.getPrePadding(), nd, 0),
             post = layer_util::spatialOr(pool.getPostPadding(), nd, 0);
  const bool isMax = pool.getPoolingType() == PoolingType::kMAX;
  const bool exclude = pool.getAverageCountExcludesPadding();
  d = torchtrt_onednn_pooling{};
  d.spatial = nd;
  d.algorithm = isMax ? TORCHTRT_ONEDNN_POOL_MAX
                      : (exclude ? TORCHTRT_ONEDNN_POOL_AVG_EXCLUDE : TORCHTRT_ONEDNN_POOL_AVG_INCLUDE);
  // The leading dimensions as [1, outer] (channels-first) so that any rank pools as N, C, spatial.
  Dims src, dst;
  if (channelsLast) {
    src = in;
    dst = out;
  } else {
    int64_t outer = 1;
    for (int i = 0; i < in.nbDims - nd; ++i) {
      if (in.d[i] != out.d[i]) return false;
      outer *= in.d[i];
    }
    src.nbDims = dst.nbDims = nd + 2;
    src.d[0] = dst.d[0] = 1;
    src.d[1] = dst.d[1] = outer;
    for (int s = 0; s < nd; ++s) {
      src.d[2 + s] = in.d[in.nbDims - nd + s];
      dst.d[2 + s] = out.d[out.nbDims - nd + s];
    }
  }
  for (int s = 0; s < nd; ++s) {
    const int64_t I = in.d[in.nbDims - nd + s], O = out.d[out.nbDims - nd + s], K = pool.getWindowSizeNd().d[s],
                  S = stride.d[s], P = pre.d[s];
    if (S < 1 || K < 1 || P >= K) return false;  // a window all padding has no value in oneDNN's rules
    const int64_t last = (O - 1) * S - P + K;    // where the last window ends
    if (!isMax && !exclude && last > I + post.d[s]) return false;
    if ((O - 1) * S - P >= I) return false;  // a last window past the input (likewise)
    const int64_t r = std::max<int64_t>(0, last - I);
    if ((I + P + r - K) / S + 1 != O) return false;
    d.strides[s] = S;
    d.kernel[s] = K;
    d.pad_left[s] = P;
    d.pad_right[s] = r;
  }
  d.src = denseTensor(src, channelsLast);
  d.dst = denseTensor(dst, channelsLast);
  return true;
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
