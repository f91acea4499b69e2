// 1-D, 2-D and 3-D float32 convolutions (grouped, depthwise, dilated) on oneDNN, with the bias, the
// fused residual (a sum post-op) and ReLU fused; the primitive picks its activation format (blocked
// where that is faster) and the weights are reordered into its format once.
#include <cstring>

#include "backends/cpu/onednn/onednn_step.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

class ConvolutionStep : public Step {
 public:
  ConvolutionStep(Context& ctx, const dnnl::convolution_forward::primitive_desc& pd, const memory::desc& userSrc,
                  const memory::desc& userDst, const memory::desc& userWeights, const void* weights,
                  const memory::desc& biasDesc, const void* bias, bool residual, int32_t postActivation)
      : prim_(pd), userSrc_(userSrc), userDst_(userDst), residual_(residual), postActivation_(postActivation) {
    weights_ = memory(pd.weights_desc(), ctx.engine);
    memory user = wrap(ctx, userWeights, weights);
    dnnl::reorder(user, weights_).execute(ctx.stream, user, weights_);
    if (bias) {
      bias_ = memory(biasDesc, ctx.engine);
      std::memcpy(bias_.get_data_handle(), bias, biasDesc.get_size());
    }
    if (pd.src_desc() != userSrc) {
      src_ = memory(pd.src_desc(), ctx.engine);
      srcIn_ = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, userSrc, ctx.engine, pd.src_desc()));
    }
    if (pd.dst_desc() != userDst) {
      dst_ = memory(pd.dst_desc(), ctx.engine);
      dstOut_ = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, pd.dst_desc(), ctx.engine, userDst));
      if (residual)
        dstIn_ = dnnl::reorder(dnnl::reorder::primitive_desc(ctx.engine, userDst, ctx.engine, pd.dst_desc()));
    }
    ctx.stream.wait();
  }

  void run(Context& ctx, const std::vector<TensorView>& inputs, TensorView& output) override {
    memory userSrc = wrap(ctx, userSrc_, inputs[0].data), userDst = wrap(ctx, userDst_, output.data);
    memory src = userSrc, dst = userDst;
    if (src_) {
      srcIn_.execute(ctx.stream, userSrc, src_);
      src = src_;
    }
    if (dst_) dst = dst_;
    if (residual_) {  // the sum post-op adds what dst holds
      if (dst_)
        dstIn_.execute(ctx.stream, {{DNNL_ARG_FROM, wrap(ctx, userDst_, inputs[1].data)}, {DNNL_ARG_TO, dst_}});
      else if (output.data != inputs[1].data)
        std::memcpy(output.data, inputs[1].data, userDst_.get_size());
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst}};
    if (bias_) args.emplace(DNNL_ARG_BIAS, bias_);
    prim_.execute(ctx.stream, args);
    if (dst_) dstOut_.execute(ctx.stream, dst_, userDst);
    ctx.stream.wait();
    if (postActivation_ >= 0)
      applyActivation(static_cast<ActivationType>(postActivation_), 0.f, 0.f, output.f32(), output.dims.volume());
  }

 private:
  dnnl::convolution_forward prim_;
  memory::desc userSrc_, userDst_;
  memory weights_, bias_, src_, dst_;  // src_/dst_: the primitive's format when it differs from the tensors'
  dnnl::reorder srcIn_, dstOut_, dstIn_;
  bool residual_;
  int32_t postActivation_;  // applied after the primitive (not fusable exactly), or -1
};
}  // namespace

std::unique_ptr<Step> makeConvolution(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                      const TensorView& output) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  if (conv.isInt8()) return nullptr;
  const int nd = conv.getKernelSizeNd().nbDims;
  const bool channelsLast = conv.getChannelsLast();
  if (nd < 1 || nd > 3 || inputs[0].dims.nbDims != nd + 2 || output.dims.nbDims != nd + 2) return nullptr;
  if (channelsLast && nd != 2) return nullptr;
  const bool residual = inputs.size() == 2;
  if (residual && !(inputs[1].dims == output.dims)) return nullptr;
  // Logical [N, C, spatial...] dims; the memory tags say where channels-last tensors keep C.
  const Dims in = channelsLast ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  const Dims out = channelsLast ? channelsFirst(output.dims) : output.dims;
  const Dims stride = layer_util::spatialOr(conv.getStrideNd(), nd, 1),
             pre = layer_util::spatialOr(conv.getPrePadding(), nd, 0),
             dil = layer_util::spatialOr(conv.getDilationNd(), nd, 1);
  // The reference reads the pre-padding only (the output size says where the windows end): the
  // post-padding is what makes oneDNN's size rule give that output, never negative.
  memory::dims strides, dilates, padL, padR;
  for (int s = 0; s < nd; ++s) {
    const int64_t I = in.d[2 + s], O = out.d[2 + s], K = conv.getKernelSizeNd().d[s];
    const int64_t span = (K - 1) * dil.d[s] + 1;
    const int64_t r = std::max<int64_t>(0, (O - 1) * stride.d[s] + span - I - pre.d[s]);
    if (stride.d[s] < 1 || (I + pre.d[s] + r - span) / stride.d[s] + 1 != O) return nullptr;
    strides.push_back(stride.d[s]);
    dilates.push_back(dil.d[s] - 1);
    padL.push_back(pre.d[s]);
    padR.push_back(r);
  }
  const int64_t groups = conv.getNbGroups(), cin = in.d[1], cout = out.d[1];
  if (groups < 1 || cin % groups || cout % groups) return nullptr;
  const Weights kernel = conv.getKernelWeights(), bias = conv.getBiasWeights();
  const Dims ksize = conv.getKernelSizeNd();
  const memory::dims kdims(ksize.d, ksize.d + nd);
  memory::dims wdims{cout / groups, cin / groups};
  wdims.insert(wdims.end(), kdims.begin(), kdims.end());
  if (groups > 1) wdims.insert(wdims.begin(), groups);
  int64_t wcount = 1;
  for (auto d : wdims) wcount *= d;
  if (kernel.type != DataType::kFLOAT || bias.type != DataType::kFLOAT) return nullptr;
  if (kernel.count != wcount || (bias.count != 0 && bias.count != cout)) return nullptr;
  // Grouped weights are [g][o/g][i/g][k...], plain weights [o][i][k...]: both dense row-major.
  const memory::desc userWeights(wdims, dt::f32, plainTag(static_cast<int>(wdims.size())));
  const memory::desc userSrc(toDims(in), dt::f32, plainTag(in.nbDims, channelsLast));
  const memory::desc userDst(toDims(out), dt::f32, plainTag(out.nbDims, channelsLast));
  const memory::desc biasDesc({cout}, dt::f32, tag::a);
  const memory::desc anySrc(toDims(in), dt::f32, tag::any), anyDst(toDims(out), dt::f32, tag::any),
      anyWeights(wdims, dt::f32, tag::any);

  dnnl::post_ops ops;
  if (residual) ops.append_sum(1.f);
  int32_t postActivation = conv.getFusedActivation();
  dnnl::algorithm eltwise;
  if (postActivation >= 0 && fusableActivation(postActivation, eltwise)) {
    ops.append_eltwise(1.f, eltwise, 0.f, 0.f);
    postActivation = -1;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const auto desc =
      bias.count > 0
          ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            anySrc, anyWeights, biasDesc, anyDst, strides, dilates, padL, padR)
          : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            anySrc, anyWeights, anyDst, strides, dilates, padL, padR);
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, ctx.engine);
  return std::make_unique<ConvolutionStep>(ctx, pd, userSrc, userDst, userWeights, kernel.values, biasDesc,
                                           bias.count > 0 ? bias.values : nullptr, residual, postActivation);
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
