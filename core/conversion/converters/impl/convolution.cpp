// aten::_convolution (both overloads); conv1d/2d/3d and conv_transpose1d/2d/3d are lowered to it.
// A transposed convolution becomes a Deconvolution layer: PyTorch's weight layout [in, out/groups,
// k...] is the layer's, and output_padding p is a post padding of padding - p (a negative post
// padding grows the output).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool convolution(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(a[1].isIValue() && a[1].IValue()->isTensor(),
                 "the weight of " << util::node_info(n)
                                  << " must be a constant (freeze the module); run-time weights are not supported");
  at::Tensor w = a[1].unwrapToTensor().to(at::kFloat);
  bool transposed = a[6].unwrapToBool();
  auto stride = a[3].unwrapToIntList().vec(), padding = a[4].unwrapToIntList().vec(),
       dilation = a[5].unwrapToIntList().vec();
  auto outputPadding = a[7].unwrapToIntList().vec();
  int64_t groups = a[8].unwrapToInt();
  const int64_t nd = w.dim() - 2;
  TORCHTRT_CHECK(nd >= 1 && nd <= 3, "convolution weight of rank " << w.dim() << " is not 1-D, 2-D or 3-D");
  auto expand = [&](std::vector<int64_t> v, const char* what) {
    if (v.size() == 1) v.assign(nd, v[0]);
    TORCHTRT_CHECK(static_cast<int64_t>(v.size()) == nd,
                   what << " has " << v.size() << " values for a " << nd << "-D convolution");
    return v;
  };
  stride = expand(stride, "stride");
  padding = expand(padding, "padding");
  dilation = expand(dilation, "dilation");
  at::Tensor bias;
  if (!a[2].isNone()) {
    TORCHTRT_CHECK(a[2].isIValue(), "the bias of " << util::node_info(n) << " must be a constant");
    bias = a[2].unwrapToTensor().to(at::kFloat);
  }
  // A convolution over an unbatched input ([C, spatial...]) is run on a batch of one.
  bool unbatched = rankOf(in) == nd + 1;
  if (unbatched) {
    auto dims = util::toVec(in->getDimensions());
    dims.insert(dims.begin(), 1);
    in = reshape(ctx, in, dims, util::node_info(n) + " [add batch]");
  }
  std::vector<int64_t> kernel(w.sizes().begin() + 2, w.sizes().end());
  trt::ILayer* layer = nullptr;
  if (transposed) {
    outputPadding = expand(outputPadding, "output_padding");
    TORCHTRT_CHECK(w.size(0) % groups == 0,
                   "transposed convolution weight " << w.sizes() << " does not split into " << groups << " groups");
    std::vector<int64_t> post(nd);
    for (int64_t i = 0; i < nd; ++i) post[i] = padding[i] - outputPadding[i];
    auto* deconv =
        ctx->net->addDeconvolutionNd(*in, static_cast<int32_t>(w.size(1) * groups), util::toDims(kernel),
                                     ctx->toWeights(w), bias.defined() ? ctx->toWeights(bias) : trt::Weights{});
    deconv->setStrideNd(util::toDims(stride));
    deconv->setPrePadding(util::toDims(padding));
    deconv->setPostPadding(util::toDims(post));
    deconv->setDilationNd(util::toDims(dilation));
    deconv->setNbGroups(static_cast<int32_t>(groups));
    layer = deconv;
  } else {
    auto* conv = ctx->net->addConvolutionNd(*in, static_cast<int32_t>(w.size(0)), util::toDims(kernel),
                                            ctx->toWeights(w), bias.defined() ? ctx->toWeights(bias) : trt::Weights{});
    conv->setStrideNd(util::toDims(stride));
    conv->setPaddingNd(util::toDims(padding));
    conv->setDilationNd(util::toDims(dilation));
    conv->setNbGroups(static_cast<int32_t>(groups));
    layer = conv;
  }
  layer->setName(util::node_info(n).c_str());
  trt::ITensor* out = layer->getOutput(0);
  if (unbatched) {
    auto dims = util::toVec(out->getDimensions());
    dims.erase(dims.begin());
    out = reshape(ctx, out, dims, util::node_info(n) + " [drop batch]");
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

auto convolutionRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::_convolution(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] "
                  "dilation, "
                  "bool transposed, int[] output_padding, int groups, bool benchmark, bool deterministic, bool "
                  "cudnn_enabled, "
                  "bool allow_tf32) -> (Tensor)",
                  convolution})
        .pattern(
            {"aten::_convolution.deprecated(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, "
             "int[] dilation, bool transposed, int[] output_padding, int groups, bool benchmark, bool deterministic, "
             "bool cudnn_enabled) -> (Tensor)",
             convolution});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
