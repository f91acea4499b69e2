// aten::_convolution (both overloads); conv1d/2d/3d and conv_transpose1d/2d/3d are lowered to it.
// A transposed convolution becomes a plain one: the input is spread out by the stride (zeros in
// between, through fill-mode slices), padded by dilation*(kernel-1) - padding (+ output_padding at
// the end), and convolved with stride 1 and the weights flipped with in/out channels swapped per
// group. Same sums as PyTorch's, on layers both backends have.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// Zero-stuffs each spatial dim i of x by stride[i] and pads it by (before[i], after[i]) (negative = crop).
trt::ITensor* spreadAndPad(ConversionCtx* ctx, trt::ITensor* x, const std::vector<int64_t>& stride,
                           const std::vector<int64_t>& before, const std::vector<int64_t>& after,
                           const std::string& name) {
  const int64_t nd = static_cast<int64_t>(stride.size());
  for (int64_t i = 0; i < nd; ++i) {
    if (stride[i] == 1) continue;
    auto dims = util::toVec(x->getDimensions());
    const int64_t d = static_cast<int64_t>(dims.size()) - nd + i, len = dims[d];
    // [..., len, ...] -> [..., len, 1, ...] -> [..., len, s, ...] (zeros after each element) -> merged, trimmed.
    auto split = dims;
    split.insert(split.begin() + d + 1, 1);
    trt::ITensor* t = reshape(ctx, x, split, name + " [spread]");
    std::vector<int64_t> begin(split.size(), 0), size = split, step(split.size(), 1);
    size[d + 1] = stride[i];
    auto* fill = ctx->net->addSlice(*t, util::toDims(begin), util::toDims(size), util::toDims(step));
    fill->setMode(trt::SampleMode::kFILL);
    auto merged = dims;
    merged[d] = len * stride[i];
    t = reshape(ctx, fill->getOutput(0), merged, name + " [spread merge]");
    std::vector<int64_t> b2(merged.size(), 0), s2 = merged, st2(merged.size(), 1);
    s2[d] = (len - 1) * stride[i] + 1;
    x = ctx->net->addSlice(*t, util::toDims(b2), util::toDims(s2), util::toDims(st2))->getOutput(0);
  }
  auto dims = util::toVec(x->getDimensions());
  std::vector<int64_t> begin(dims.size(), 0), size = dims, step(dims.size(), 1);
  bool any = false;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t d = static_cast<int64_t>(dims.size()) - nd + i;
    begin[d] = -before[i];
    size[d] = dims[d] + before[i] + after[i];
    TORCHTRT_CHECK(size[d] > 0, "transposed convolution output would be empty along spatial dim " << i << ": " << name);
    any |= before[i] != 0 || after[i] != 0;
  }
  if (!any) return x;
  auto* pad = ctx->net->addSlice(*x, util::toDims(begin), util::toDims(size), util::toDims(step));
  pad->setMode(trt::SampleMode::kFILL);
  pad->setName((name + " [pad]").c_str());
  return pad->getOutput(0);
}

// PyTorch's transposed weight [C_in, C_out/g, k...] as a plain convolution's [C_out, C_in/g, k...], flipped.
at::Tensor transposedWeight(const at::Tensor& w, int64_t groups) {
  auto sizes = w.sizes().vec();
  const int64_t cin = sizes[0], coutPerGroup = sizes[1];
  std::vector<int64_t> grouped = {groups, cin / groups, coutPerGroup};
  grouped.insert(grouped.end(), sizes.begin() + 2, sizes.end());
  at::Tensor t = w.reshape(grouped).transpose(1, 2).contiguous();
  std::vector<int64_t> plain = {groups * coutPerGroup, cin / groups};
  plain.insert(plain.end(), sizes.begin() + 2, sizes.end());
  t = t.reshape(plain);
  std::vector<int64_t> spatial;
  for (int64_t i = 2; i < t.dim(); ++i) spatial.push_back(i);
  return t.flip(spatial).contiguous();
}

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
  if (transposed) {
    requireStaticShape(n, in, "the input of a transposed convolution");
    outputPadding = expand(outputPadding, "output_padding");
    TORCHTRT_CHECK(w.size(0) % groups == 0,
                   "transposed convolution weight " << w.sizes() << " does not split into " << groups << " groups");
    std::vector<int64_t> before(nd), after(nd);
    for (int64_t i = 0; i < nd; ++i) {
      before[i] = dilation[i] * (kernel[i] - 1) - padding[i];
      after[i] = before[i] + outputPadding[i];
    }
    in = spreadAndPad(ctx, in, stride, before, after, util::node_info(n));
    w = transposedWeight(w, groups);
    stride.assign(nd, 1);
    padding.assign(nd, 0);
  }
  auto* conv = ctx->net->addConvolutionNd(*in, static_cast<int32_t>(w.size(0)), util::toDims(kernel), ctx->toWeights(w),
                                          bias.defined() ? ctx->toWeights(bias) : trt::Weights{});
  conv->setStrideNd(util::toDims(stride));
  conv->setPaddingNd(util::toDims(padding));
  conv->setDilationNd(util::toDims(dilation));
  conv->setNbGroups(static_cast<int32_t>(groups));
  conv->setName(util::node_info(n).c_str());
  trt::ITensor* out = conv->getOutput(0);
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
