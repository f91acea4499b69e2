// 1-D, 2-D and 3-D float32 convolutions (grouped, depthwise, dilated) with the bias, a residual (a sum
// post-op) and an activation (plugin_abi.h's ACT codes) fused, and transposed convolutions (oneDNN's
// deconvolution, the bias fused); the primitive picks its activation format
// (blocked where that is faster, NHWC tensors as they come), the weights are reordered into its format once,
// at the first run.
#include <cstring>
#include <utility>

#include "backends/cpu/onednn/plugin/plugin_step.h"

namespace torchtrt_onednn {

namespace {
using dnnl::memory;
using dt = memory::data_type;

// A convolution or deconvolution primitive `prim` of primitive descriptor `pd`.
class ConvolutionStep : public Step {
 public:
  template <typename PrimitiveDesc>
  ConvolutionStep(const PrimitiveDesc& pd, dnnl::primitive prim, const char* kind, const memory::desc& userSrc,
                  const memory::desc& userDst, const memory::desc& userWeights, const float* weights,
                  const memory::desc& biasDesc, const float* bias, bool residual)
      : prim_(std::move(prim)),
        userSrc_(userSrc),
        userDst_(userDst),
        userWeightsDesc_(userWeights),
        userWeights_(weights),
        residual_(residual) {
    const dnnl::engine& engine = cpuEngine();
    weightsDesc_ = pd.weights_desc();
    if (bias) {
      bias_ = memory(biasDesc, engine);
      std::memcpy(bias_.get_data_handle(), bias, biasDesc.get_size());
    }
    if (pd.src_desc() != userSrc) {
      src_ = memory(pd.src_desc(), engine);
      srcIn_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, userSrc, engine, pd.src_desc()));
    }
    if (pd.dst_desc() != userDst) {
      dst_ = memory(pd.dst_desc(), engine);
      dstOut_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, pd.dst_desc(), engine, userDst));
      if (residual) dstIn_ = dnnl::reorder(dnnl::reorder::primitive_desc(engine, userDst, engine, pd.dst_desc()));
    }
    implementation_ = std::string(kind) + " " + pd.impl_info_str();
    if (src_ || dst_) implementation_ += " + reorders";  // the tensors' layout is not the primitive's
    stream_.wait();
  }

  void run(const void* const* inputs, int32_t nbInputs, void* output) override {
    if (!weights_) {  // reordered at the first run: a context made but never run holds no second copy
      weights_ = memory(weightsDesc_, cpuEngine());
      memory user = wrap(userWeightsDesc_, userWeights_);
      dnnl::reorder(user, weights_).execute(stream_, user, weights_);
    }
    memory userSrc = wrap(userSrc_, inputs[0]), userDst = wrap(userDst_, output);
    memory src = userSrc, dst = userDst;
    if (src_) {
      srcIn_.execute(stream_, userSrc, src_);
      src = src_;
    }
    if (dst_) dst = dst_;
    if (residual_ && nbInputs > 1) {  // the sum post-op adds what dst holds
      if (dst_)
        dstIn_.execute(stream_, {{DNNL_ARG_FROM, wrap(userDst_, inputs[1])}, {DNNL_ARG_TO, dst_}});
      else if (output != inputs[1])
        std::memcpy(output, inputs[1], userDst_.get_size());
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst}};
    if (bias_) args.emplace(DNNL_ARG_BIAS, bias_);
    prim_.execute(stream_, args);
    if (dst_) dstOut_.execute(stream_, dst_, userDst);
    stream_.wait();
  }

 private:
  dnnl::primitive prim_;
  memory::desc userSrc_, userDst_, userWeightsDesc_, weightsDesc_;
  const float* userWeights_;           // the engine's, read at the first run
  memory weights_, bias_, src_, dst_;  // src_/dst_: the primitive's format when it differs from the tensors'
  dnnl::reorder srcIn_, dstOut_, dstIn_;
  bool residual_;
};

memory::format_tag denseTag(size_t rank) {
  using tag = memory::format_tag;
  static const tag tags[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde, tag::abcdef};
  return rank < sizeof tags / sizeof tags[0] ? tags[rank] : tag::undef;
}

// A transposed convolution's dense weights [(groups,) in, out, kernel...] in oneDNN's logical
// [(groups,) out, in, kernel...]: the first two dims after the group swapped.
memory::format_tag transposedTag(size_t rank, bool grouped) {
  using tag = memory::format_tag;
  if (grouped) {
    static const tag tags[] = {tag::undef, tag::undef, tag::undef, tag::acb, tag::acbd, tag::acbde, tag::acbdef};
    return rank < sizeof tags / sizeof tags[0] ? tags[rank] : tag::undef;
  }
  static const tag tags[] = {tag::undef, tag::undef, tag::ba, tag::bac, tag::bacd, tag::bacde};
  return rank < sizeof tags / sizeof tags[0] ? tags[rank] : tag::undef;
}
}  // namespace

std::unique_ptr<Step> makeConvolution(const torchtrt_onednn_convolution& d) {
  const int nd = d.spatial;
  const int64_t cin = d.src.dims[1], cout = d.dst.dims[1], groups = d.groups;
  memory::dims wdims{cout / groups, cin / groups}, strides, dilates, padL, padR;
  for (int s = 0; s < nd; ++s) {
    wdims.push_back(d.kernel[s]);
    strides.push_back(d.strides[s]);
    dilates.push_back(d.dilations[s]);
    padL.push_back(d.pad_left[s]);
    padR.push_back(d.pad_right[s]);
  }
  if (groups > 1) wdims.insert(wdims.begin(), groups);
  // bfloat16 activations take bfloat16 weights (reordered from the float32 ones) and a float32 bias.
  const dt type = typeOf(d.data_type);
  const memory::desc userWeights(wdims, dt::f32,
                                 d.transposed ? transposedTag(wdims.size(), groups > 1) : denseTag(wdims.size()));
  const memory::desc userSrc = descOf(d.src, d.data_type), userDst = descOf(d.dst, d.data_type);
  const memory::desc biasDesc({cout}, dt::f32, memory::format_tag::a);
  const memory::desc anySrc(dimsOf(d.src), type, memory::format_tag::any),
      anyDst(dimsOf(d.dst), type, memory::format_tag::any), anyWeights(wdims, type, memory::format_tag::any);
  dnnl::post_ops ops;
  if (d.residual) ops.append_sum(1.f);
  appendActivation(ops, d.activation);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const auto kind = dnnl::prop_kind::forward_inference;
  if (d.transposed) {
    const auto algorithm = dnnl::algorithm::deconvolution_direct;
    const auto desc = d.bias ? dnnl::deconvolution_forward::desc(kind, algorithm, anySrc, anyWeights, biasDesc, anyDst,
                                                                 strides, dilates, padL, padR)
                             : dnnl::deconvolution_forward::desc(kind, algorithm, anySrc, anyWeights, anyDst, strides,
                                                                 dilates, padL, padR);
    const dnnl::deconvolution_forward::primitive_desc pd(desc, attr, cpuEngine());
    return std::make_unique<ConvolutionStep>(pd, dnnl::deconvolution_forward(pd), "deconvolution", userSrc, userDst,
                                             userWeights, d.weights, biasDesc, d.bias, false);
  }
  const auto algorithm = dnnl::algorithm::convolution_direct;
  const auto desc = d.bias ? dnnl::convolution_forward::desc(kind, algorithm, anySrc, anyWeights, biasDesc, anyDst,
                                                             strides, dilates, padL, padR)
                           : dnnl::convolution_forward::desc(kind, algorithm, anySrc, anyWeights, anyDst, strides,
                                                             dilates, padL, padR);
  const dnnl::convolution_forward::primitive_desc pd(desc, attr, cpuEngine());
  return std::make_unique<ConvolutionStep>(pd, dnnl::convolution_forward(pd), "convolution", userSrc, userDst,
                                           userWeights, d.weights, biasDesc, d.bias, d.residual != 0);
}

}  // namespace torchtrt_onednn
