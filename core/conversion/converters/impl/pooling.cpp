// Max/average pooling (1-D to 3-D) and adaptive pooling: a pooling layer where the input divides
// evenly; otherwise (PyTorch's windows [floor(i*in/out), ceil((i+1)*in/out)) overlap or differ in
// size) averages are products with constant averaging matrices and maxima are per-window reductions.
// Max pooling with dilation, of integer tensors or with its indices gathers the windows instead.
#include <functional>
#include <limits>

#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

std::vector<int64_t> expand(std::vector<int64_t> v, int64_t nd, const char* what, const torch::jit::Node* n) {
  if (v.size() == 1) v.assign(nd, v[0]);
  TORCHTRT_CHECK(static_cast<int64_t>(v.size()) == nd,
                 what << " of " << util::node_info(n) << " has " << v.size() << " values, expected " << nd);
  return v;
}

// PyTorch's pooled size (pooling_output_shape): the last window must start inside the input or its left
// padding in ceil mode.
int64_t pooledSize(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
  const int64_t num = in + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
  if (ceil && (out - 1) * s >= in + p) --out;
  return out;
}

// Max pooling by gathering the windows, with PyTorch's indices (max_pool*_with_indices: the flat position
// in the input's pooled dims). Per pooled dim k a Gather of constant positions [O_k, K_k] (tap j of window
// o reads o*stride - pad + j*dilation) turns [..., I_k, ...] into [..., O_k, K_k, ...]; a tap outside the
// input reads the window's first position inside instead, which changes neither the maximum nor the first
// position holding it, so no padding value can win. The value is the max over the K axes (NaN propagates);
// the index the smallest position holding it (PyTorch keeps the first maximum) or, in a window with NaN,
// the largest position holding NaN (PyTorch's `val > max || isnan(val)` keeps the last NaN).
std::pair<trt::ITensor*, trt::ITensor*> maxPoolByWindows(
    ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, int64_t nd, const std::vector<int64_t>& kernel,
    const std::vector<int64_t>& stride, const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation,
    bool ceil, bool withIndices) {
  using Op = trt::ElementWiseOperation;
  const std::string name = util::node_info(n);
  const auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size()), lead = rank - nd;
  const trt::DataType type = in->getType();
  TORCHTRT_CHECK(type != trt::DataType::kBOOL, "Unable to convert node: " << name << "\nmax pooling of bool tensors "
                                                                          << "is not defined in PyTorch");
  // Reduce and compare have no 8-bit kernels: int8/uint8 values are exact in int32.
  const bool narrow = type == trt::DataType::kINT8 || type == trt::DataType::kUINT8;
  trt::ITensor* x = narrow ? castTo(ctx, in, trt::DataType::kINT32, name + " [as int32]") : in;
  std::vector<std::vector<int64_t>> positions(static_cast<size_t>(nd));  // per dim: [O_k * K_k]
  std::vector<int64_t> outSize(static_cast<size_t>(nd));
  for (int64_t k = 0; k < nd; ++k) {
    const int64_t size = dims[lead + k], kk = kernel[k], s = stride[k], p = padding[k], d = dilation[k];
    TORCHTRT_CHECK(size >= 0, "Unable to convert node: " << name << "\nmax pooling by windows needs static pooled "
                                                         << "dimensions, got " << in->getDimensions().str());
    TORCHTRT_CHECK(kk > 0 && s > 0 && d > 0 && p >= 0 && p <= kk / 2,
                   "Unable to convert node: " << name << "\nkernel " << kk << ", stride " << s << ", padding " << p
                                              << ", dilation " << d << " are invalid for max pooling");
    const int64_t out = pooledSize(size, kk, s, p, d, ceil);
    TORCHTRT_CHECK(out > 0,
                   "Unable to convert node: " << name << "\nmax pooling of size " << size << " gives an empty output");
    outSize[k] = out;
    for (int64_t o = 0; o < out; ++o) {
      int64_t first = o * s - p;
      while (first < 0) first += d;  // PyTorch's first tap inside the input
      TORCHTRT_CHECK(first < size && first <= o * s - p + (kk - 1) * d,
                     "Unable to convert node: " << name << "\nmax pooling window " << o << " of dim " << lead + k
                                                << " lies wholly in the padding");
      for (int64_t j = 0; j < kk; ++j) {
        const int64_t pos = o * s - p + j * d;
        positions[k].push_back(pos >= 0 && pos < size ? pos : first);
      }
    }
  }
  // Gather the windows: [lead..., O_1, K_1, ..., O_nd, K_nd].
  uint32_t tapAxes = 0;
  for (int64_t k = 0; k < nd; ++k) {
    const int64_t axis = lead + 2 * k;
    at::Tensor where = at::tensor(positions[k], at::kLong).reshape({outSize[k], kernel[k]});
    auto* gather =
        ctx->net->addGather(*x, *ctx->constantTensor(where, name + " [window positions]"), static_cast<int32_t>(axis));
    gather->setName((name + " [windows dim " + std::to_string(lead + k) + "]").c_str());
    x = gather->getOutput(0);
    tapAxes |= 1u << (axis + 1);
  }
  auto* maxLayer = ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, tapAxes, false);
  maxLayer->setName((name + " [max]").c_str());
  trt::ITensor* values = maxLayer->getOutput(0);
  if (narrow) values = castTo(ctx, values, type, name + " [values]");
  if (!withIndices) return {values, nullptr};

  // The flat input position of every tap, shaped [1 (lead times), O_1, K_1, ..., O_nd, K_nd].
  std::vector<int64_t> flatShape(static_cast<size_t>(lead), 1);
  for (int64_t k = 0; k < nd; ++k) {
    flatShape.push_back(outSize[k]);
    flatShape.push_back(kernel[k]);
  }
  at::Tensor flat = at::zeros({1}, at::kLong);
  int64_t inner = 1;
  for (int64_t k = nd - 1; k >= 0; --k) {
    std::vector<int64_t> shape(static_cast<size_t>(2 * nd), 1);
    shape[2 * k] = outSize[k];
    shape[2 * k + 1] = kernel[k];
    flat = flat + at::tensor(positions[k], at::kLong).reshape(shape) * inner;
    inner *= dims[lead + k];
  }
  flat = flat.expand(std::vector<int64_t>(flatShape.begin() + lead, flatShape.end())).reshape(flatShape).contiguous();
  // (constants are stored as int32; the indices are int64)
  trt::ITensor* tapPositions = castTo(ctx, ctx->constantTensor(flat, name + " [tap positions]"), trt::DataType::kINT64,
                                      name + " [tap positions]");
  auto* maxKept = ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, tapAxes, true);
  maxKept->setName((name + " [max per window]").c_str());
  trt::ITensor* isMax = addElementwise(ctx, Op::kEQUAL, x, maxKept->getOutput(0), name + " [is max]")->getOutput(0);
  trt::ITensor* none =
      scalarConstant(ctx, std::numeric_limits<int64_t>::max(), trt::DataType::kINT64, name + " [no position]");
  auto* candidates = ctx->net->addSelect(*isMax, *tapPositions, *none);
  candidates->setName((name + " [max positions]").c_str());
  auto* firstMax = ctx->net->addReduce(*candidates->getOutput(0), trt::ReduceOperation::kMIN, tapAxes, false);
  firstMax->setName((name + " [first max]").c_str());
  trt::ITensor* indices = firstMax->getOutput(0);
  if (isFloatingType(type)) {
    trt::ITensor* isNumber = addElementwise(ctx, Op::kEQUAL, x, x, name + " [not NaN]")->getOutput(0);
    trt::ITensor* minusOne = scalarConstant(ctx, int64_t{-1}, trt::DataType::kINT64, name + " [-1]");
    auto* nanPositions = ctx->net->addSelect(*isNumber, *minusOne, *tapPositions);
    nanPositions->setName((name + " [NaN positions]").c_str());
    auto* lastNan = ctx->net->addReduce(*nanPositions->getOutput(0), trt::ReduceOperation::kMAX, tapAxes, false);
    lastNan->setName((name + " [last NaN]").c_str());
    trt::ITensor* hasNan =
        addElementwise(ctx, Op::kGREATER, lastNan->getOutput(0), minusOne, name + " [has NaN]")->getOutput(0);
    auto* chosen = ctx->net->addSelect(*hasNan, *lastNan->getOutput(0), *indices);
    chosen->setName((name + " [indices]").c_str());
    indices = chosen->getOutput(0);
  }
  return {values, indices};
}

// Average pooling by gathering the windows, as maxPoolByWindows does, for what the Pooling layer cannot:
// integer tensors and divisor_override. Taps in the padding are multiplied by 0; the sum over the taps
// (in float32 for floating types, as PyTorch accumulates) is divided by PyTorch's divisor: the override,
// (0: none; PyTorch refuses 0), or the window's size clipped to the padded input (count_include_pad) or to the input.
// Integer sums divide truncating toward zero, as PyTorch's integer kernels do.
trt::ITensor* avgPoolByWindows(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, int64_t nd,
                               const std::vector<int64_t>& kernel, const std::vector<int64_t>& stride,
                               const std::vector<int64_t>& padding, bool ceil, bool countIncludePad,
                               int64_t divisorOverride) {
  const std::string name = util::node_info(n);
  const auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size()), lead = rank - nd;
  const trt::DataType type = in->getType();
  TORCHTRT_CHECK(type != trt::DataType::kBOOL,
                 "Unable to convert node: " << name << "\naverage pooling of bool tensors is not defined in PyTorch");
  const trt::DataType compute = isFloatingType(type)            ? trt::DataType::kFLOAT
                                : type == trt::DataType::kINT64 ? trt::DataType::kINT64
                                                                : trt::DataType::kINT32;
  trt::ITensor* x = castTo(ctx, in, compute, name + " [compute type]");
  at::Tensor divisor = at::ones({1}, at::kDouble);
  uint32_t tapAxes = 0;
  for (int64_t k = 0; k < nd; ++k) {
    const int64_t size = dims[lead + k], kk = kernel[k], s = stride[k], p = padding[k];
    TORCHTRT_CHECK(size >= 0, "Unable to convert node: " << name << "\naverage pooling by windows needs static pooled "
                                                         << "dimensions, got " << in->getDimensions().str());
    TORCHTRT_CHECK(kk > 0 && s > 0 && p >= 0 && p <= kk / 2,
                   "Unable to convert node: " << name << "\nkernel " << kk << ", stride " << s << ", padding " << p
                                              << " are invalid for average pooling");
    const int64_t out = pooledSize(size, kk, s, p, 1, ceil);
    TORCHTRT_CHECK(out > 0, "Unable to convert node: " << name << "\naverage pooling of size " << size
                                                       << " gives an empty output");
    std::vector<int64_t> positions, inside, count;
    for (int64_t o = 0; o < out; ++o) {
      const int64_t start = o * s - p, end = std::min(start + kk, size + p);
      const int64_t clippedStart = std::max<int64_t>(start, 0), clippedEnd = std::min(end, size);
      count.push_back(countIncludePad ? end - start : clippedEnd - clippedStart);
      for (int64_t j = 0; j < kk; ++j) {
        const int64_t pos = start + j;
        const bool in = pos >= 0 && pos < size;
        positions.push_back(in ? pos : 0);
        inside.push_back(in ? 1 : 0);
      }
    }
    const int64_t axis = lead + 2 * k;
    auto* gather = ctx->net->addGather(
        *x, *ctx->constantTensor(at::tensor(positions, at::kLong).reshape({out, kk}), name + " [window positions]"),
        static_cast<int32_t>(axis));
    gather->setName((name + " [windows dim " + std::to_string(lead + k) + "]").c_str());
    // [.., O_k, K_k] with ones for the dims gathered after this one (they are still input dims here).
    std::vector<int64_t> maskShape(static_cast<size_t>(rankOf(gather->getOutput(0))), 1);
    maskShape[axis] = out;
    maskShape[axis + 1] = kk;
    trt::ITensor* mask =
        castTo(ctx, ctx->constantTensor(at::tensor(inside, at::kInt).reshape(maskShape), name + " [inside input]"),
               compute, name + " [inside input]");
    x = addElementwise(ctx, trt::ElementWiseOperation::kPROD, gather->getOutput(0), mask, name + " [padding is 0]")
            ->getOutput(0);
    tapAxes |= 1u << (axis + 1);
    divisor = divisor.unsqueeze(-1) * at::tensor(count, at::kDouble);
  }
  auto* sum = ctx->net->addReduce(*x, trt::ReduceOperation::kSUM, tapAxes, false);
  sum->setName((name + " [window sums]").c_str());
  if (divisorOverride != 0) divisor = at::full({1}, static_cast<double>(divisorOverride), at::kDouble);
  divisor = divisor.squeeze(0).to(compute == trt::DataType::kFLOAT ? at::kFloat : at::kLong);
  trt::ITensor* d = castTo(ctx, ctx->constantTensor(divisor, name + " [divisor]"), compute, name + " [divisor]");
  trt::ITensor* avg =
      addElementwise(ctx, trt::ElementWiseOperation::kDIV, sum->getOutput(0), d, name + " [average]")->getOutput(0);
  return castTo(ctx, avg, type, name + " [result type]");
}

struct MaxPoolArgs {
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceil;
};

MaxPoolArgs maxPoolArgs(const torch::jit::Node* n, args& a, int64_t nd) {
  MaxPoolArgs m;
  m.kernel = expand(a[1].unwrapToIntList().vec(), nd, "kernel_size", n);
  auto strideList = a[2].unwrapToIntList().vec();
  m.stride = strideList.empty() ? m.kernel : expand(strideList, nd, "stride", n);
  m.padding = expand(a[3].unwrapToIntList().vec(), nd, "padding", n);
  m.dilation = expand(a[4].unwrapToIntList().vec(), nd, "dilation", n);
  m.ceil = a[5].unwrapToBool();
  return m;
}

bool maxPoolWithIndices(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(in) >= nd + 1, "max pooling input " << in->getDimensions().str() << " has too few dimensions");
  const MaxPoolArgs m = maxPoolArgs(n, a, nd);
  const bool used = !n->outputs()[1]->uses().empty();
  auto [values, indices] = maxPoolByWindows(ctx, n, in, nd, m.kernel, m.stride, m.padding, m.dilation, m.ceil, used);
  bindTensor(ctx, n, values, 0);
  if (used) bindTensor(ctx, n, indices, 1);
  return true;
}

bool pool(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd, trt::PoolingType type) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(in) >= nd + 1, "pooling input " << in->getDimensions().str() << " has too few dimensions");
  bool ceil;
  if (type == trt::PoolingType::kMAX) {
    // The pooling layer has no dilation and takes floating-point tensors only.
    const MaxPoolArgs m = maxPoolArgs(n, a, nd);
    bool dilated = false;
    for (int64_t d : m.dilation) dilated |= d != 1;
    if (dilated || !isFloatingType(in->getType())) {
      auto windows = maxPoolByWindows(ctx, n, in, nd, m.kernel, m.stride, m.padding, m.dilation, m.ceil, false);
      return bindTensor(ctx, n, windows.first) != nullptr;
    }
    ceil = m.ceil;
  } else {
    ceil = a[4].unwrapToBool();
    const int64_t divisor = a.size() > 6 && !a[6].isNone() ? a[6].unwrapToInt() : 0;
    if (divisor != 0 || !isFloatingType(in->getType())) {
      auto kernel = expand(a[1].unwrapToIntList().vec(), nd, "kernel_size", n);
      auto strideList = a[2].unwrapToIntList().vec();
      auto stride = strideList.empty() ? kernel : expand(strideList, nd, "stride", n);
      auto padding = expand(a[3].unwrapToIntList().vec(), nd, "padding", n);
      return bindTensor(ctx, n,
                        avgPoolByWindows(ctx, n, in, nd, kernel, stride, padding, ceil, a[5].unwrapToBool(),
                                         divisor)) != nullptr;
    }
  }
  auto kernel = expand(a[1].unwrapToIntList().vec(), nd, "kernel_size", n);
  auto strideList = a[2].unwrapToIntList().vec();
  auto stride = strideList.empty() ? kernel : expand(strideList, nd, "stride", n);
  auto padding = expand(a[3].unwrapToIntList().vec(), nd, "padding", n);
  auto* layer = ctx->net->addPoolingNd(*in, type, util::toDims(kernel));
  layer->setStrideNd(util::toDims(stride));
  layer->setPaddingNd(util::toDims(padding));
  if (type == trt::PoolingType::kAVERAGE) layer->setAverageCountExcludesPadding(!a[5].unwrapToBool());
  layer->setPaddingMode(ceil ? trt::PaddingMode::kEXPLICIT_ROUND_UP : trt::PaddingMode::kEXPLICIT_ROUND_DOWN);
  return bindOutput(ctx, n, layer) != nullptr;
}

int64_t windowStart(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
int64_t windowEnd(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// Average over uneven windows of the last `nd` dims, one dim at a time (pooling is separable): along each dim, one
// slice and mean per window, concatenated back. (A product by an averaging matrix had spread an inf or NaN of one
// window into every window of its row: inf * 0 is NaN.)
trt::ITensor* adaptiveAverageBySlices(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& dims,
                                      const std::vector<int64_t>& outSize, const std::string& name) {
  const int64_t nd = static_cast<int64_t>(outSize.size()), rank = static_cast<int64_t>(dims.size());
  trt::ITensor* x = in;
  for (int64_t k = nd - 1; k >= 0; --k) {
    const int64_t d = rank - nd + k, inSize = dims[d], out = outSize[k];
    TORCHTRT_CHECK(out <= 1024, "adaptive average pooling to " << out << " cells along dimension " << d
                                                               << " with uneven windows needs one slice per cell; "
                                                                  "more than 1024 is not supported ("
                                                               << name << ")");
    std::vector<trt::ITensor*> parts;
    for (int64_t i = 0; i < out; ++i) {
      const int64_t start = windowStart(i, inSize, out), end = windowEnd(i, inSize, out);
      trt::ITensor* window = sliceAlong(ctx, x, d, start, end - start, 1, name + " [window]");
      auto* mean = ctx->net->addReduce(*window, trt::ReduceOperation::kAVG, 1u << d, true);
      mean->setName((name + " [mean dim " + std::to_string(d) + "]").c_str());
      parts.push_back(mean->getOutput(0));
    }
    auto* cat = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
    cat->setAxis(static_cast<int32_t>(d));
    cat->setName((name + " [windows dim " + std::to_string(d) + "]").c_str());
    x = cat->getOutput(0);
  }
  return x;
}

// Maximum over uneven windows: one slice and reduction per output cell, concatenated back.
trt::ITensor* adaptiveMaxBySlices(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& outSize, const std::string& name) {
  const int64_t nd = static_cast<int64_t>(outSize.size()), rank = static_cast<int64_t>(dims.size());
  int64_t cells = 1;
  for (int64_t o : outSize) cells *= o;
  TORCHTRT_CHECK(cells <= 1024, "adaptive max pooling to " << c10::IntArrayRef(outSize)
                                                           << " with uneven windows needs one slice per output cell; "
                                                              "more than 1024 cells is not supported ("
                                                           << name << ")");
  uint32_t axes = 0;
  for (int64_t k = 0; k < nd; ++k) axes |= 1u << (rank - nd + k);
  // Recursively: for dimension k, concatenate the windows along it.
  std::function<trt::ITensor*(trt::ITensor*, int64_t)> along = [&](trt::ITensor* x, int64_t k) -> trt::ITensor* {
    if (k == nd) return ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, axes, true)->getOutput(0);
    const int64_t d = rank - nd + k, inSize = dims[d];
    std::vector<trt::ITensor*> parts;
    for (int64_t i = 0; i < outSize[k]; ++i) {
      const int64_t start = windowStart(i, inSize, outSize[k]);
      parts.push_back(along(sliceAlong(ctx, x, d, start, windowEnd(i, inSize, outSize[k]) - start, 1, name), k + 1));
    }
    auto* cat = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
    cat->setAxis(static_cast<int32_t>(d));
    cat->setName((name + " [windows dim " + std::to_string(d) + "]").c_str());
    return cat->getOutput(0);
  };
  return along(in, 0);
}

// Adaptive max pooling of static spatial dims with its indices (PyTorch's: the position of each window's
// maximum, the first on ties, flattened over the pooled dims): per output cell, the window sliced and
// flattened, a TopK of 1 with its index, and the index mapped from window to input coordinates.
std::pair<trt::ITensor*, trt::ITensor*> adaptiveMaxWithIndices(ConversionCtx* ctx, const torch::jit::Node* n,
                                                               trt::ITensor* in, const std::vector<int64_t>& dims,
                                                               const std::vector<int64_t>& outSize,
                                                               const std::string& name) {
  using Op = trt::ElementWiseOperation;
  const int64_t nd = static_cast<int64_t>(outSize.size()), rank = static_cast<int64_t>(dims.size());
  int64_t cells = 1, dynamicLeading = 0;
  for (int64_t o : outSize) cells *= o;
  for (int64_t d = 0; d < rank - nd; ++d) dynamicLeading += dims[d] < 0;
  TORCHTRT_CHECK(cells <= 1024 && dynamicLeading <= 1,
                 "Unable to convert node: " << name << "\nthe indices of adaptive max pooling are computed per output "
                                            << "cell: at most 1024 cells (here " << cells
                                            << ") and one dynamic leading dimension (here " << dynamicLeading << ")");
  std::vector<int64_t> flatShape(dims.begin(), dims.begin() + (rank - nd));
  flatShape.push_back(-2);  // replaced per window below
  std::vector<trt::ITensor*> values, indices;
  std::vector<int64_t> cell(static_cast<size_t>(nd), 0);
  for (int64_t c = 0; c < cells; ++c) {
    trt::ITensor* window = in;
    std::vector<int64_t> start(nd), size(nd);
    for (int64_t k = 0; k < nd; ++k) {
      const int64_t d = rank - nd + k;
      start[k] = windowStart(cell[k], dims[d], outSize[k]);
      size[k] = windowEnd(cell[k], dims[d], outSize[k]) - start[k];
      window = sliceAlong(ctx, window, d, start[k], size[k], 1, name + " [window]");
    }
    int64_t length = 1;
    for (int64_t s : size) length *= s;
    std::vector<int64_t> shape = flatShape;
    shape.back() = length;
    for (int64_t& v : shape) v = v < 0 ? -1 : v;
    trt::ITensor* flat = reshape(ctx, window, shape, name + " [flat window]");
    auto* top = ctx->net->addTopK(*flat, trt::TopKOperation::kMAX, 1, 1u << (rank - nd));
    top->setName((name + " [window max]").c_str());
    values.push_back(top->getOutput(0));
    auto* where = ctx->net->addTopK(*flat, trt::TopKOperation::kMAX, 1, 1u << (rank - nd));
    where->setOutputKind(trt::TopKOutput::kINDICES);
    where->setName((name + " [window argmax]").c_str());
    // Window-local flat index j -> sum over k of (start_k + (j / inner_k) % size_k) * stride_k.
    trt::ITensor* j = where->getOutput(0);
    trt::ITensor* global = nullptr;
    int64_t inner = 1, stride = 1;
    for (int64_t k = nd - 1; k >= 0; --k) {
      auto constant = [&](int64_t v) { return scalarConstant(ctx, v, trt::DataType::kINT64, name + " [index]"); };
      trt::ITensor* coord = ctx->net->addElementWise(*j, *constant(inner), Op::kFLOOR_DIV)->getOutput(0);
      coord = ctx->net->addElementWise(*coord, *constant(size[k]), Op::kREMAINDER)->getOutput(0);
      coord = ctx->net->addElementWise(*coord, *constant(start[k]), Op::kSUM)->getOutput(0);
      coord = ctx->net->addElementWise(*coord, *constant(stride), Op::kPROD)->getOutput(0);
      global = global ? ctx->net->addElementWise(*global, *coord, Op::kSUM)->getOutput(0) : coord;
      inner *= size[k];
      stride *= dims[rank - nd + k];
    }
    indices.push_back(global);
    for (int64_t k = nd - 1; k >= 0 && ++cell[k] == outSize[k]; --k) cell[k] = 0;
  }
  auto joined = [&](std::vector<trt::ITensor*>& parts, const char* what) {
    trt::ITensor* t = parts[0];
    if (parts.size() > 1) {
      auto* cat = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
      cat->setAxis(static_cast<int32_t>(rank - nd));
      cat->setName((name + what).c_str());
      t = cat->getOutput(0);
    }
    std::vector<int64_t> shape(dims.begin(), dims.begin() + (rank - nd));
    for (int64_t& v : shape) v = v < 0 ? -1 : v;
    shape.insert(shape.end(), outSize.begin(), outSize.end());
    return reshape(ctx, t, shape, name + what);
  };
  (void)n;
  return {joined(values, " [values]"), joined(indices, " [indices]")};
}

// Adaptive pooling of a dynamic dim `d` to `out` > 1 windows: window i spans [floor(i*I/out),
// ceil((i+1)*I/out)) of the run-time size I. Every window is read through one gather of K = ceil(I/out)
// + 1 positions (no window is longer), clamped to the window's last element for max pooling and
// masked out of the sum for average pooling. Pooling is separable, so dims are done one at a time.
trt::ITensor* adaptiveAlongDynamicDim(ConversionCtx* ctx, trt::ITensor* x, int64_t d, int64_t out,
                                      trt::PoolingType type, const std::string& name) {
  using Op = trt::ElementWiseOperation;
  const std::string part = name + " [dim " + std::to_string(d) + "]";
  const int64_t rank = rankOf(x);
  auto constant = [&](const std::vector<int64_t>& values, const std::vector<int64_t>& shape, const char* what) {
    return reshape(ctx, shape::int64Vector(ctx, values, part + what), shape, part + what);
  };
  trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, x, d, part + " [size]"), part);
  std::vector<int64_t> ramp(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) ramp[static_cast<size_t>(i)] = i;
  trt::ITensor* index = constant(ramp, {out, 1}, " [window]");
  trt::ITensor* windows = shape::int64Vector(ctx, {out}, part + " [windows]");
  trt::ITensor* one = shape::int64Vector(ctx, {1}, part + " [1]");
  trt::ITensor* roundUp = shape::int64Vector(ctx, {out - 1}, part + " [out-1]");
  trt::ITensor* starts = shape::arith(ctx, Op::kFLOOR_DIV, shape::arith(ctx, Op::kPROD, index, size, part + " [i*I]"),
                                      windows, part + " [starts]");
  trt::ITensor* next = shape::arith(ctx, Op::kSUM, index, one, part + " [i+1]");
  trt::ITensor* ends =
      shape::arith(ctx, Op::kFLOOR_DIV,
                   shape::arith(ctx, Op::kSUM, shape::arith(ctx, Op::kPROD, next, size, part + " [(i+1)*I]"), roundUp,
                                part + " [round up]"),
                   windows, part + " [ends]");
  trt::ITensor* longest =
      shape::arith(ctx, Op::kSUM,
                   shape::arith(ctx, Op::kFLOOR_DIV, shape::arith(ctx, Op::kSUM, size, roundUp, part + " [I+out-1]"),
                                windows, part + " [ceil(I/out)]"),
                   one, part + " [K]");
  trt::ITensor* tapShape = shape::concat(ctx, {one, longest}, part + " [1, K]");
  auto* offsets = ctx->net->addFill({}, trt::FillOperation::kLINSPACE, trt::DataType::kINT64);
  offsets->setInput(0, *tapShape);
  offsets->setBeta({0.0, 1.0});
  offsets->setName((part + " [offsets]").c_str());
  trt::ITensor* positions = shape::arith(ctx, Op::kSUM, starts, offsets->getOutput(0), part + " [positions]");
  trt::ITensor* last = shape::arith(ctx, Op::kSUB, ends, one, part + " [last]");
  trt::ITensor* clamped = shape::arith(ctx, Op::kMIN, positions, last, part + " [clamped]");  // [out, K]
  auto* gather = ctx->net->addGather(*x, *clamped, static_cast<int32_t>(d));                  // [..., out, K, ...]
  gather->setName((part + " [windows]").c_str());
  trt::ITensor* taps = gather->getOutput(0);
  const uint32_t tapAxis = 1u << (d + 1);
  if (type == trt::PoolingType::kMAX) {
    auto* reduce = ctx->net->addReduce(*taps, trt::ReduceOperation::kMAX, tapAxis, false);
    reduce->setName(part.c_str());
    return reduce->getOutput(0);
  }
  // Average: the taps inside the window summed (the clamped repeats replaced by zeros), / its length.
  std::vector<int64_t> trailing(static_cast<size_t>(rank - 1 - d), 1);
  std::vector<int64_t> maskShape = {out, -1};
  maskShape.insert(maskShape.end(), trailing.begin(), trailing.end());
  trt::ITensor* inside = reshape(ctx, addElementwise(ctx, Op::kLESS, positions, ends, part + " [inside]")->getOutput(0),
                                 maskShape, part + " [inside dims]");
  trt::ITensor* zero = scalarConstant(ctx, 0.0, x->getType(), part + " [0]");
  auto* kept = ctx->net->addSelect(*inside, *taps, *zero);
  kept->setName((part + " [kept taps]").c_str());
  auto* sum = ctx->net->addReduce(*kept->getOutput(0), trt::ReduceOperation::kSUM, tapAxis, false);
  sum->setName((part + " [sum]").c_str());
  std::vector<int64_t> lengthShape = {out};
  lengthShape.insert(lengthShape.end(), trailing.begin(), trailing.end());
  trt::ITensor* length = castTo(
      ctx,
      reshape(ctx, shape::arith(ctx, Op::kSUB, ends, starts, part + " [length]"), lengthShape, part + " [length dims]"),
      x->getType(), part + " [length as float]");
  return addElementwise(ctx, Op::kDIV, sum->getOutput(0), length, part)->getOutput(0);
}

bool adaptivePool(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd, trt::PoolingType type) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto outSize = expand(a[1].unwrapToIntList().vec(), nd, "output_size", n);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(rank >= nd + 1, "adaptive pooling input " << in->getDimensions().str() << " has too few dimensions");
  const std::string name = util::node_info(n);
  // A dynamic spatial dim pooled to 1 (global pooling) is a reduction over whatever its run-time size;
  // to more windows, a gather of run-time windows.
  // adaptive_max_pool returns (values, indices); when the indices are used, both come from one pass
  // over the windows (static spatial dims).
  if (n->outputs().size() == 2 && !n->outputs()[1]->uses().empty()) {
    for (int64_t i = 0; i < nd; ++i)
      TORCHTRT_CHECK(dims[rank - nd + i] > 0,
                     "Unable to convert node: " << name << "\nthe indices of adaptive max pooling need static "
                                                << "spatial dimensions, got " << in->getDimensions().str());
    auto [values, indices] = adaptiveMaxWithIndices(ctx, n, in, dims, outSize, name);
    bindTensor(ctx, n, values, 0);
    bindTensor(ctx, n, indices, 1);
    return true;
  }
  uint32_t globalAxes = 0;
  bool staticLeft = false;  // a static dim still to pool
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t d = rank - nd + i;
    TORCHTRT_CHECK(outSize[i] > 0, "adaptive pooling output size must be positive: " << name);
    if (dims[d] < 0 && outSize[i] == 1) {
      globalAxes |= 1u << d;
      dims[d] = 1;
    } else if (dims[d] < 0) {
      in = adaptiveAlongDynamicDim(ctx, in, d, outSize[i], type, name);
      dims[d] = outSize[i];
    } else {
      staticLeft = true;
    }
  }
  if (globalAxes) {
    auto* reduce = ctx->net->addReduce(
        *in, type == trt::PoolingType::kMAX ? trt::ReduceOperation::kMAX : trt::ReduceOperation::kAVG, globalAxes,
        true);
    reduce->setName((name + " [global]").c_str());
    in = reduce->getOutput(0);
  }
  if (!staticLeft) return bindTensor(ctx, n, in) != nullptr;
  std::vector<int64_t> kernel(nd);
  bool even = true;
  for (int64_t i = 0; i < nd; ++i) {
    int64_t inSize = dims[rank - nd + i];
    TORCHTRT_CHECK(inSize > 0, "adaptive pooling needs static spatial dimensions, got " << in->getDimensions().str());
    even &= inSize % outSize[i] == 0;
    kernel[i] = inSize / std::max<int64_t>(outSize[i], 1);
  }
  if (even) {
    auto* layer = ctx->net->addPoolingNd(*in, type, util::toDims(kernel));
    layer->setStrideNd(util::toDims(kernel));
    bindOutput(ctx, n, layer);
    return true;
  }
  if (type == trt::PoolingType::kAVERAGE) {
    return bindTensor(ctx, n, adaptiveAverageBySlices(ctx, in, dims, outSize, name)) != nullptr;
  }
  return bindTensor(ctx, n, adaptiveMaxBySlices(ctx, in, dims, outSize, name)) != nullptr;
}

#define TORCHTRT_POOL_PATTERNS(nd)                                                                            \
  .pattern({"aten::max_pool" #nd "d(Tensor self, int[" #nd "] kernel_size, int[" #nd "] stride=[], int[" #nd  \
            "] padding=0, int[" #nd "] dilation=1, bool ceil_mode=False) -> (Tensor)",                        \
            [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                              \
              return pool(ctx, n, a, nd, trt::PoolingType::kMAX);                                             \
            }})                                                                                               \
      .pattern({"aten::max_pool" #nd "d_with_indices(Tensor self, int[" #nd "] kernel_size, int[" #nd         \
                "] stride=[], int[" #nd "] padding=0, int[" #nd "] dilation=1, bool ceil_mode=False) -> "     \
                "(Tensor, Tensor)",                                                                           \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                          \
                  return maxPoolWithIndices(ctx, n, a, nd);                                                   \
                }})                                                                                           \
      .pattern({"aten::adaptive_avg_pool" #nd "d(Tensor self, int[" #nd "] output_size) -> (Tensor)",         \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                          \
                  return adaptivePool(ctx, n, a, nd, trt::PoolingType::kAVERAGE);                             \
                }})                                                                                           \
      .pattern({"aten::adaptive_max_pool" #nd "d(Tensor self, int[" #nd "] output_size) -> (Tensor, Tensor)", \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                          \
                  return adaptivePool(ctx, n, a, nd, trt::PoolingType::kMAX);                                 \
                }})

auto poolingRegistrations = RegisterNodeConversionPatterns() TORCHTRT_POOL_PATTERNS(1) TORCHTRT_POOL_PATTERNS(2)
                                TORCHTRT_POOL_PATTERNS(3)
                                    .pattern({"aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], "
                                              "int[1] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 1, trt::PoolingType::kAVERAGE);
                                              }})
                                    .pattern({"aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], "
                                              "int[2] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True, int? divisor_override=None) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 2, trt::PoolingType::kAVERAGE);
                                              }})
                                    .pattern({"aten::avg_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], "
                                              "int[3] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True, int? divisor_override=None) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 3, trt::PoolingType::kAVERAGE);
                                              }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
