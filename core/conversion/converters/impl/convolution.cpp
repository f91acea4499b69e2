// aten::_convolution (both overloads); conv1d/2d/3d and conv_transpose1d/2d/3d are lowered to it.
// A transposed convolution becomes a Deconvolution layer: PyTorch's weight layout [in, out/groups,
// k...] is the layer's, and output_padding p is a post padding of padding - p (a negative post
// padding grows the output).
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// A per-dimension argument (stride, padding, dilation, output_padding) for an nd-D convolution: one value
// stands for every dimension, as in PyTorch.
std::vector<int64_t> perDim(std::vector<int64_t> v, int64_t nd, const char* what, const torch::jit::Node* n) {
  if (v.size() == 1) v.assign(static_cast<size_t>(nd), v[0]);
  TORCHTRT_CHECK(static_cast<int64_t>(v.size()) == nd,
                 what << " has " << v.size() << " values for a " << nd << "-D convolution: " << util::node_info(n));
  return v;
}

// A convolution whose weight is computed in the graph (not a constant): the input unfolded into its
// kernel taps (one zero-padded strided Slice per kernel offset), then one product with the weight per
// group: out[n, g, o, p] = sum over (c, k) of W[g, o, c * K + k] * taps[n, g, c * K + k, p]. Padding
// may be negative (a crop), as the transposed form below needs. Spatial dims static, the batch may not be.
trt::ITensor* unfoldedConvolution(ConversionCtx* ctx, trt::ITensor* x, trt::ITensor* w, trt::ITensor* bias,
                                  const std::vector<int64_t>& stride, const std::vector<int64_t>& padBefore,
                                  const std::vector<int64_t>& padAfter, const std::vector<int64_t>& dilation,
                                  int64_t groups, const std::string& name) {
  const auto xd = util::toVec(x->getDimensions()), wd = util::toVec(w->getDimensions());
  const int64_t nd = static_cast<int64_t>(wd.size()) - 2, channels = xd[1];
  for (size_t i = 1; i < xd.size(); ++i)
    TORCHTRT_CHECK(xd[i] >= 0, "a convolution with run-time weights needs static channel and spatial dims, got "
                                   << x->getDimensions().str() << ": " << name);
  for (int64_t v : wd)
    TORCHTRT_CHECK(v >= 0,
                   "a convolution weight of dims " << w->getDimensions().str() << " must have static dims: " << name);
  TORCHTRT_CHECK(channels == wd[1] * groups && wd[0] % groups == 0,
                 "convolution input " << x->getDimensions().str() << " and weight " << w->getDimensions().str()
                                      << " do not match in " << groups << " groups: " << name);
  std::vector<int64_t> out(nd), kernel(wd.begin() + 2, wd.end());
  int64_t taps = 1, positions = 1;
  for (int64_t i = 0; i < nd; ++i) {
    out[i] = (xd[2 + i] + padBefore[i] + padAfter[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1;
    TORCHTRT_CHECK(out[i] > 0, "convolution output size " << out[i] << " along spatial dim " << i << ": " << name);
    taps *= kernel[i];
    positions *= out[i];
  }
  const bool dynamicBatch = xd[0] < 0;
  std::vector<trt::ITensor*> columns;
  std::vector<int64_t> k(static_cast<size_t>(nd), 0);
  for (int64_t t = 0; t < taps; ++t) {
    std::vector<int64_t> start = {0, 0}, size = {std::max<int64_t>(xd[0], 0), channels}, step = {1, 1};
    for (int64_t i = 0; i < nd; ++i) {
      start.push_back(-padBefore[i] + k[i] * dilation[i]);
      size.push_back(out[i]);
      step.push_back(stride[i]);
    }
    // (Shape tensors are made before the layer that reads them: layers run in creation order.)
    trt::ITensor *startTensor = nullptr, *sizeTensor = nullptr;
    if (dynamicBatch) {
      std::vector<int64_t> rest(size.begin() + 1, size.end());
      startTensor = shape::int64Vector(ctx, start, name + " [tap start]");
      sizeTensor = shape::concat(ctx,
                                 {shape::asElement(ctx, shape::dimension(ctx, x, 0, name + " [batch]"), name),
                                  shape::int64Vector(ctx, rest, name + " [tap sizes]")},
                                 name + " [tap sizes]");
    }
    auto* slice = ctx->net->addSlice(*x, util::toDims(start), util::toDims(size), util::toDims(step));
    slice->setMode(trt::SampleMode::kFILL);  // zeros outside the input: the padding
    if (dynamicBatch) {
      slice->setInput(1, *startTensor);
      slice->setInput(2, *sizeTensor);
    }
    slice->setName((name + " [tap " + std::to_string(t) + "]").c_str());
    columns.push_back(
        reshape(ctx, slice->getOutput(0), {dynamicBatch ? -1 : xd[0], channels, 1, positions}, name + " [tap column]"));
    for (int64_t i = nd - 1; i >= 0 && ++k[i] == kernel[i]; --i) k[i] = 0;
  }
  trt::ITensor* cols = columns[0];
  if (columns.size() > 1) {
    auto* cat = ctx->net->addConcatenation(columns.data(), static_cast<int32_t>(columns.size()));
    cat->setAxis(2);
    cat->setName((name + " [taps]").c_str());
    cols = cat->getOutput(0);
  }
  const int64_t batch = dynamicBatch ? -1 : xd[0], perGroup = channels / groups * taps;
  cols = reshape(ctx, cols, {batch, groups, perGroup, positions}, name + " [taps by group]");
  trt::ITensor* weights = reshape(ctx, w, {1, groups, wd[0] / groups, perGroup}, name + " [weights by group]");
  if (weights->getType() != cols->getType()) weights = castTo(ctx, weights, cols->getType(), name + " [weights type]");
  std::vector<int64_t> outShape = {batch, wd[0]};
  outShape.insert(outShape.end(), out.begin(), out.end());
  trt::ITensor* y = nullptr;
  const trt::DataType type = cols->getType();
  if (isIntegerType(type)) {
    // The engine's MatrixMultiply is floating-point only; PyTorch convolves integers exactly, wrapping in
    // the integer type: [1, g, O/g, P, 1] * [B, g, 1, P, positions] in int64 summed over P, cast back.
    const int64_t held = std::max<int64_t>(xd[0], 1) * wd[0] * perGroup * positions;
    TORCHTRT_CHECK(held <= kMaxIntegerProducts,
                   "Unable to convert node: " << name << "\nan integer convolution is computed as " << held
                                              << " products held at once (the engine has no integer matrix kernel); "
                                              << "more than " << kMaxIntegerProducts
                                              << " is not supported: compute it in floating point");
    trt::ITensor* terms =
        addElementwise(ctx, trt::ElementWiseOperation::kPROD,
                       castTo(ctx, reshape(ctx, weights, {1, groups, wd[0] / groups, perGroup, 1}, name + " [w terms]"),
                              trt::DataType::kINT64, name + " [w int64]"),
                       castTo(ctx, reshape(ctx, cols, {batch, groups, 1, perGroup, positions}, name + " [x terms]"),
                              trt::DataType::kINT64, name + " [x int64]"),
                       name + " [products]")
            ->getOutput(0);
    auto* sum = ctx->net->addReduce(*terms, trt::ReduceOperation::kSUM, 1u << 3, false);
    sum->setName((name + " [sum over taps]").c_str());
    y = reshape(ctx, castTo(ctx, sum->getOutput(0), type, name + " [result type]"), outShape, name + " [output]");
  } else {
    auto* product =
        ctx->net->addMatrixMultiply(*weights, trt::MatrixOperation::kNONE, *cols, trt::MatrixOperation::kNONE);
    product->setName((name + " [product]").c_str());
    y = reshape(ctx, product->getOutput(0), outShape, name + " [output]");
  }
  if (bias) {
    std::vector<int64_t> biasShape(static_cast<size_t>(nd + 2), 1);
    biasShape[1] = wd[0];
    y = addElementwise(ctx, trt::ElementWiseOperation::kSUM, y, reshape(ctx, bias, biasShape, name + " [bias dims]"),
                       name + " [bias]")
            ->getOutput(0);
  }
  return y;
}

// A transposed convolution with a run-time weight [Cin, Cout/g, K...]: the input with stride - 1 zeros
// inserted between elements, convolved at stride 1 with the weight flipped and transposed per group,
// padded by dilation * (K - 1) - padding (+ output_padding after).
trt::ITensor* unfoldedTransposedConvolution(ConversionCtx* ctx, trt::ITensor* x, trt::ITensor* w, trt::ITensor* bias,
                                            const std::vector<int64_t>& stride, const std::vector<int64_t>& padding,
                                            const std::vector<int64_t>& outputPadding,
                                            const std::vector<int64_t>& dilation, int64_t groups,
                                            const std::string& name) {
  const auto wd = util::toVec(w->getDimensions());
  const int64_t nd = static_cast<int64_t>(wd.size()) - 2;
  for (int64_t v : wd)
    TORCHTRT_CHECK(v >= 0,
                   "a convolution weight of dims " << w->getDimensions().str() << " must have static dims: " << name);
  TORCHTRT_CHECK(wd[0] % groups == 0, "transposed convolution weight " << w->getDimensions().str()
                                                                       << " does not split into " << groups
                                                                       << " groups");
  for (int64_t i = 0; i < nd; ++i) {
    if (stride[i] == 1) continue;
    const int64_t d = 2 + i;
    auto dims = util::toVec(x->getDimensions());
    TORCHTRT_CHECK(dims[d] >= 0, "a transposed convolution with run-time weights needs static spatial dims: " << name);
    // [.., S, ..] -> [.., S, 1, ..] next to zeros [.., S, stride-1, ..] -> [.., S*stride, ..] -> first (S-1)*stride+1.
    std::vector<int64_t> split = dims;
    split.insert(split.begin() + d + 1, 1);
    trt::ITensor* column = reshape(ctx, x, split, name + " [spread]");
    trt::ITensor* zeros = shape::broadcastTo(
        ctx, scalarConstant(ctx, 0.0, x->getType(), name + " [zero]"),
        shape::shapeOf(ctx, column, name + " [zeros shape]", {{d + 1, shape::int64Vector(ctx, {stride[i] - 1}, name)}}),
        name + " [zeros]");
    trt::ITensor* parts[] = {column, zeros};
    auto* cat = ctx->net->addConcatenation(parts, 2);
    cat->setAxis(static_cast<int32_t>(d + 1));
    cat->setName((name + " [zero insert]").c_str());
    std::vector<int64_t> merged = dims;
    merged[d] = dims[d] * stride[i];
    for (int64_t& v : merged) v = v < 0 ? -1 : v;
    x = sliceAlong(ctx, reshape(ctx, cat->getOutput(0), merged, name + " [zero inserted]"), d, 0,
                   (dims[d] - 1) * stride[i] + 1, 1, name + " [zero inserted]");
  }
  // Weight [Cin, Cout/g, K...] -> [g, Cin/g, Cout/g, K...] -> [g, Cout/g, Cin/g, K...] -> [Cout, Cin/g, K...], flipped.
  const int64_t cin = wd[0], coutPerGroup = wd[1];
  std::vector<int64_t> grouped = {groups, cin / groups, coutPerGroup}, order = {0, 2, 1},
                       merged = {groups * coutPerGroup, cin / groups};
  for (int64_t i = 0; i < nd; ++i) {
    grouped.push_back(wd[2 + i]);
    order.push_back(3 + i);
    merged.push_back(wd[2 + i]);
  }
  trt::ITensor* flipped =
      reshape(ctx, transposed(ctx, reshape(ctx, w, grouped, name + " [weight groups]"), order, name + " [weight swap]"),
              merged, name + " [weight]");
  std::vector<int64_t> start(merged.size(), 0), stepBack(merged.size(), 1);
  for (int64_t i = 0; i < nd; ++i) {
    start[2 + i] = merged[2 + i] - 1;
    stepBack[2 + i] = -1;
  }
  auto* flip = ctx->net->addSlice(*flipped, util::toDims(start), util::toDims(merged), util::toDims(stepBack));
  flip->setName((name + " [flip]").c_str());
  std::vector<int64_t> before(nd), after(nd), ones(nd, 1);
  for (int64_t i = 0; i < nd; ++i) {
    before[i] = dilation[i] * (wd[2 + i] - 1) - padding[i];
    after[i] = before[i] + outputPadding[i];
  }
  return unfoldedConvolution(ctx, x, flip->getOutput(0), bias, ones, before, after, dilation, groups, name);
}

// aten::_convolution with a weight that is an engine tensor (computed in the graph, e.g. fake-quantized
// or generated): the unfolded forms above, exact in FP32 and slower than the Convolution layer.
bool convolutionWithRunTimeWeights(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ITensor* in) {
  const std::string name = util::node_info(n);
  trt::ITensor* w = a[1].ITensorOrFreeze(ctx);
  const int64_t nd = rankOf(w) - 2;
  TORCHTRT_CHECK(nd >= 1 && nd <= 3, "convolution weight of rank " << rankOf(w) << " is not 1-D, 2-D or 3-D: " << name);
  auto expand = [&](std::vector<int64_t> v, const char* what) { return perDim(std::move(v), nd, what, n); };
  const auto stride = expand(a[3].unwrapToIntList().vec(), "stride");
  const auto padding = expand(a[4].unwrapToIntList().vec(), "padding");
  const auto dilation = expand(a[5].unwrapToIntList().vec(), "dilation");
  const int64_t groups = a[8].unwrapToInt();
  trt::ITensor* bias = a[2].isNone() ? nullptr : a[2].ITensorOrFreeze(ctx);
  const bool unbatched = rankOf(in) == nd + 1;
  if (unbatched) {
    auto dims = util::toVec(in->getDimensions());
    dims.insert(dims.begin(), 1);
    in = reshape(ctx, in, dims, name + " [add batch]");
  }
  trt::ITensor* out = a[6].unwrapToBool()
                          ? unfoldedTransposedConvolution(ctx, in, w, bias, stride, padding,
                                                          expand(a[7].unwrapToIntList().vec(), "output_padding"),
                                                          dilation, groups, name)
                          : unfoldedConvolution(ctx, in, w, bias, stride, padding, padding, dilation, groups, name);
  if (unbatched) {
    auto dims = util::toVec(out->getDimensions());
    dims.erase(dims.begin());
    out = reshape(ctx, out, dims, name + " [drop batch]");
  }
  return bindTensor(ctx, n, out) != nullptr;
}

bool convolution(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  // Integer convolutions (which the Convolution layer does not take) are computed exactly by the
  // unfolded form, constant weights included.
  if (!(a[1].isIValue() && a[1].IValue()->isTensor()) || isIntegerType(in->getType()))
    return convolutionWithRunTimeWeights(ctx, n, a, in);
  at::Tensor w = a[1].unwrapToTensor().to(at::kFloat);
  bool transposed = a[6].unwrapToBool();
  auto stride = a[3].unwrapToIntList().vec(), padding = a[4].unwrapToIntList().vec(),
       dilation = a[5].unwrapToIntList().vec();
  auto outputPadding = a[7].unwrapToIntList().vec();
  int64_t groups = a[8].unwrapToInt();
  const int64_t nd = w.dim() - 2;
  TORCHTRT_CHECK(nd >= 1 && nd <= 3, "convolution weight of rank " << w.dim() << " is not 1-D, 2-D or 3-D");
  auto expand = [&](std::vector<int64_t> v, const char* what) { return perDim(std::move(v), nd, what, n); };
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

// _convolution_mode (conv with padding='valid' or 'same'): 'valid' pads nothing; 'same' pads dilation *
// (kernel - 1) in all, the extra element after when it is odd (as PyTorch), through a zero-filled slice of
// the input when the two sides differ; then the convolution above.
bool convolutionMode(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n), mode = a[4].unwrapToString();
  TORCHTRT_CHECK(mode == "valid" || mode == "same",
                 "Unable to convert node: " << name << "\npadding='" << mode << "' is not 'valid' or 'same'");
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(a[1].isIValue() || a[1].isITensor(), "the weight of " << name << " must be a tensor");
  const auto kernel =
      a[1].isIValue() ? a[1].unwrapToTensor().sizes().vec() : util::toVec(a[1].ITensor()->getDimensions());
  const int64_t nd = static_cast<int64_t>(kernel.size()) - 2;
  const auto dilation = perDim(a[5].unwrapToIntList().vec(), nd, "dilation", n);
  std::vector<int64_t> before(nd, 0), after(nd, 0);
  bool symmetric = true;
  if (mode == "same") {
    for (int64_t i = 0; i < nd; ++i) {
      const int64_t total = dilation[i] * (kernel[2 + i] - 1);
      before[i] = total / 2;
      after[i] = total - before[i];
      symmetric &= before[i] == after[i];
    }
  }
  if (!symmetric) {
    auto dims = util::toVec(in->getDimensions());
    const int64_t lead = static_cast<int64_t>(dims.size()) - nd;
    std::vector<int64_t> start(dims.size(), 0), size = dims, stride(dims.size(), 1);
    for (int64_t i = 0; i < nd; ++i) {
      TORCHTRT_CHECK(dims[lead + i] >= 0, "padding='same' with uneven sides needs static spatial dims, got "
                                              << in->getDimensions().str() << ": " << name);
      start[lead + i] = -before[i];
      size[lead + i] = dims[lead + i] + before[i] + after[i];
    }
    for (int64_t i = 0; i < lead; ++i)
      TORCHTRT_CHECK(dims[i] >= 0, "padding='same' with uneven sides needs static dims, got "
                                       << in->getDimensions().str() << ": " << name);
    auto* pad = ctx->net->addSlice(*in, util::toDims(start), util::toDims(size), util::toDims(stride));
    pad->setMode(trt::SampleMode::kFILL);
    pad->setName((name + " [same padding]").c_str());
    in = pad->getOutput(0);
    std::fill(before.begin(), before.end(), 0);
  }
  torch::jit::IValue padding{c10::List<int64_t>(before)}, transposed{false},
      outputPadding{c10::List<int64_t>(std::vector<int64_t>(static_cast<size_t>(nd), 0))};
  std::vector<Var> forwarded = {Var(in), a[1], a[2], a[3], Var(&padding), a[5], Var(&transposed), Var(&outputPadding),
                                a[6]};
  return convolution(ctx, n, forwarded);
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
             convolution})
        .pattern({"aten::_convolution_mode(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, str padding, "
                  "SymInt[] dilation, SymInt groups) -> Tensor",
                  convolutionMode});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
