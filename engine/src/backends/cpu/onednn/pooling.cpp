// Max and average pooling over the last 1-3 dimensions on oneDNN, in the tensors' own layout. The
// reference's (PyTorch's) divisor rules: excluding padding counts the input elements a window
// covers (oneDNN's exclude-padding); including it divides by the window clipped at the post-padded
// edge, which is oneDNN's include-padding only where no window passes that edge (else: reference).
#include <algorithm>

#include "backends/cpu/onednn/onednn_step.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
using dnnl::memory;
using dt = memory::data_type;

class PoolingStep : public Step {
 public:
  PoolingStep(const dnnl::pooling_forward::primitive_desc& pd, const memory::desc& src, const memory::desc& dst)
      : prim_(pd), src_(src), dst_(dst) {}
  void run(Context& ctx, const std::vector<TensorView>& inputs, TensorView& output) override {
    prim_.execute(ctx.stream,
                  {{DNNL_ARG_SRC, wrap(ctx, src_, inputs[0].data)}, {DNNL_ARG_DST, wrap(ctx, dst_, output.data)}});
    ctx.stream.wait();
  }

 private:
  dnnl::pooling_forward prim_;
  memory::desc src_, dst_;
};
}  // namespace

std::unique_ptr<Step> makePooling(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                  const TensorView& output) {
  const auto& pool = static_cast<const IPoolingLayer&>(layer);
  const int nd = pool.getWindowSizeNd().nbDims;
  const bool channelsLast = pool.getChannelsLast();
  if (nd < 1 || nd > 3 || inputs[0].dims.nbDims < nd + 1 || output.dims.nbDims != inputs[0].dims.nbDims) return nullptr;
  if (channelsLast && inputs[0].dims.nbDims != nd + 2) return nullptr;
  // Logical [N, C, spatial...] dims; the memory tags say where channels-last tensors keep C.
  const Dims in = channelsLast ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  const Dims out = channelsLast ? channelsFirst(output.dims) : output.dims;
  const Dims stride = pool.getStrideNd().nbDims == nd ? pool.getStrideNd() : pool.getWindowSizeNd();
  const Dims pre = layer_util::spatialOr(pool.getPrePadding(), nd, 0),
             post = layer_util::spatialOr(pool.getPostPadding(), nd, 0);
  const bool isMax = pool.getPoolingType() == PoolingType::kMAX;
  const bool exclude = pool.getAverageCountExcludesPadding();
  // The leading dimensions as [1, outer] (channels-first) so that any rank pools as N, C, spatial.
  memory::dims srcDims, dstDims, strides, kernel, padL, padR;
  if (channelsLast) {
    srcDims = toDims(in);
    dstDims = toDims(out);
  } else {
    int64_t outer = 1;
    for (int i = 0; i < in.nbDims - nd; ++i) {
      if (in.d[i] != out.d[i]) return nullptr;
      outer *= in.d[i];
    }
    srcDims = {1, outer};
    dstDims = {1, outer};
    for (int s = 0; s < nd; ++s) {
      srcDims.push_back(in.d[in.nbDims - nd + s]);
      dstDims.push_back(out.d[out.nbDims - nd + s]);
    }
  }
  for (int s = 0; s < nd; ++s) {
    const int64_t I = in.d[in.nbDims - nd + s], O = out.d[out.nbDims - nd + s], K = pool.getWindowSizeNd().d[s],
                  S = stride.d[s], P = pre.d[s];
    if (S < 1 || K < 1 || P >= K) return nullptr;  // a window all padding has no value in oneDNN's rules
    const int64_t last = (O - 1) * S - P + K;      // where the last window ends
    if (!isMax && !exclude && last > I + post.d[s]) return nullptr;
    if ((O - 1) * S - P >= I) return nullptr;  // a last window past the input (likewise)
    const int64_t r = std::max<int64_t>(0, last - I);
    if ((I + P + r - K) / S + 1 != O) return nullptr;
    strides.push_back(S);
    kernel.push_back(K);
    padL.push_back(P);
    padR.push_back(r);
  }
  const auto tagFor = [&](size_t rank) { return plainTag(static_cast<int>(rank), channelsLast); };
  const memory::desc src(srcDims, dt::f32, tagFor(srcDims.size())), dst(dstDims, dt::f32, tagFor(dstDims.size()));
  const dnnl::algorithm algorithm = isMax     ? dnnl::algorithm::pooling_max
                                    : exclude ? dnnl::algorithm::pooling_avg_exclude_padding
                                              : dnnl::algorithm::pooling_avg_include_padding;
  const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, dst, strides, kernel, padL,
                                         padR);
  return std::make_unique<PoolingStep>(dnnl::pooling_forward::primitive_desc(desc, ctx.engine), src, dst);
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
