// Ops whose output size depends on the data, through the NonZero layer: nonzero / argwhere, indexing
// with a boolean mask computed at run time (x[mask], x[:, mask]) and masked_select. The engine learns
// the count when NonZero runs; the compiled module returns such outputs through an output allocator.
#include "core/conversion/converters/data_dependent.h"

#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// [rank, N] coordinates of the nonzero elements as [N, rank] (torch.nonzero's layout).
bool nonzero(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  auto* found = ctx->net->addNonZero(*x);
  found->setName((util::node_info(n) + " [nonzero]").c_str());
  auto* layer = ctx->net->addShuffle(*found->getOutput(0));
  layer->setFirstTranspose(toPermutation({1, 0}));
  return bindOutput(ctx, n, layer) != nullptr;
}

// nonzero(as_tuple=True): one [N] index tensor per dim of x (a 0-dim x counts as 1-D), the rows of
// NonZero's [rank, N] coordinates.
bool nonzeroNumpy(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (rankOf(x) == 0) x = reshape(ctx, x, {1}, name + " [as 1-D]");
  auto* found = ctx->net->addNonZero(*x);
  found->setName((name + " [nonzero]").c_str());
  std::vector<trt::ITensor*> rows;
  for (int64_t d = 0; d < rankOf(x); ++d) {
    const std::string row = name + " [dim " + std::to_string(d) + "]";
    // A 0-dim index gathers row d as [N] (N is known only when NonZero runs).
    auto* gather = ctx->net->addGather(*found->getOutput(0),
                                       *ctx->constantTensor(at::scalar_tensor(d, at::kLong), row + " [index]"), 0);
    gather->setName(row.c_str());
    rows.push_back(gather->getOutput(0));
  }
  ctx->tensor_list_map[n->outputs()[0]] = rows;
  return true;
}

}  // namespace

trt::ITensor* selectByMask(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, trt::ITensor* mask,
                           int64_t dim) {
  using Op = trt::ElementWiseOperation;
  const std::string name = util::node_info(n);
  const trt::Dims xd = x->getDimensions(), md = mask->getDimensions();
  const int64_t k = md.nbDims;
  TORCHTRT_CHECK(k >= 1 && dim + k <= xd.nbDims, "a boolean mask of shape " << md.str() << " at dimension " << dim
                                                                            << " does not fit a tensor of shape "
                                                                            << xd.str() << ": " << name);
  for (int64_t j = 0; j < k; ++j) {
    // Dynamic dims must agree when the engine runs (the mask's NonZero positions index x's dims).
    TORCHTRT_CHECK(md.d[j] < 0 || xd.d[dim + j] < 0 || md.d[j] == xd.d[dim + j],
                   "a boolean mask must have the tensor's sizes along the masked dimensions: mask "
                       << md.str() << " at dimension " << dim << " of " << xd.str() << ": " << name);
  }
  mask = castTo(ctx, mask, trt::DataType::kBOOL, name + " [mask as bool]");
  trt::ITensor* coords = ctx->net->addNonZero(*mask)->getOutput(0);  // [k, count]
  // Position in the merged dimension: sum_j coords[j] * stride_j (sizes read at run time where dynamic).
  trt::ITensor* position = nullptr;
  trt::ITensor* stride = nullptr;
  for (int64_t j = k - 1; j >= 0; --j) {
    trt::ITensor* row = shape::element(ctx, coords, j, name + " [row]");
    if (stride) row = shape::arith(ctx, Op::kPROD, row, stride, name + " [scaled]");
    position = position ? shape::arith(ctx, Op::kSUM, position, row, name + " [position]") : row;
    trt::ITensor* size = shape::dimension(ctx, x, dim + j, name + " [size]");
    stride = stride ? shape::arith(ctx, Op::kPROD, stride, size, name + " [stride]") : size;
  }
  // x with the masked dims merged (the others as they come at run time).
  std::vector<std::vector<int64_t>> groups;
  for (int64_t d = 0; d < xd.nbDims; ++d) {
    if (d > dim && d < dim + k)
      groups.back().push_back(d);
    else
      groups.push_back({d});
  }
  trt::ITensor* reshaped = shape::regroup(ctx, x, groups, name + " [merge masked dims]");
  auto* gather = ctx->net->addGather(*reshaped, *position, static_cast<int32_t>(dim));
  gather->setName(name.c_str());
  return gather->getOutput(0);
}

namespace {
// masked_select(x, mask): x[mask] over x's whole shape, as a 1-D tensor (equal shapes, or mask and
// tensor broadcast to each other first: to a static shape, or one read at run time).
bool maskedSelect(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* mask = a[1].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const auto xs = util::toVec(x->getDimensions()), ms = util::toVec(mask->getDimensions());
  if (xs != ms && x->getDimensions().isStatic() && mask->getDimensions().isStatic()) {
    const std::vector<int64_t> target = at::infer_size(xs, ms);
    x = expandTo(ctx, x, target, name + " [broadcast input]");
    mask = expandTo(ctx, mask, target, name + " [broadcast mask]");
  } else if (xs != ms) {
    // Broadcast at run time: each dim is the other operand's where this one is 1 (numpy's rule for
    // compatible sizes, which PyTorch checks when the model runs).
    using Op = trt::ElementWiseOperation;
    const size_t rank = std::max(xs.size(), ms.size());
    for (size_t i = 1; i <= std::min(xs.size(), ms.size()); ++i) {
      const int64_t a = xs[xs.size() - i], b = ms[ms.size() - i];
      TORCHTRT_CHECK(a < 0 || b < 0 || a == b || a == 1 || b == 1,
                     "masked_select: input " << x->getDimensions().str() << " and mask " << mask->getDimensions().str()
                                             << " do not broadcast: " << name);
    }
    auto aligned = [&](trt::ITensor* t, const char* what) {  // the shape with leading 1s up to `rank`
      const size_t missing = rank - static_cast<size_t>(rankOf(t));
      trt::ITensor* shape = shape::shapeOf(ctx, t, name + what);
      if (missing == 0) return shape;
      return shape::concat(ctx, {shape::int64Vector(ctx, std::vector<int64_t>(missing, 1), name + what), shape},
                           name + what);
    };
    trt::ITensor* a = aligned(x, " [input shape]");
    trt::ITensor* b = aligned(mask, " [mask shape]");
    auto constant = [&](int64_t v) {
      return shape::int64Vector(ctx, std::vector<int64_t>(rank, v), name + " [" + std::to_string(v) + "]");
    };
    // 1 where a dim of the input is 1: 1 - min(|a - 1|, 1).
    trt::ITensor* distance =
        shape::arith(ctx, Op::kMAX, shape::arith(ctx, Op::kSUB, a, constant(1), name + " [a - 1]"),
                     shape::arith(ctx, Op::kSUB, constant(1), a, name + " [1 - a]"), name + " [|a - 1|]");
    trt::ITensor* isOne =
        shape::arith(ctx, Op::kSUB, constant(1), shape::arith(ctx, Op::kMIN, distance, constant(1), name + " [min]"),
                     name + " [a is 1]");
    trt::ITensor* target = shape::arith(
        ctx, Op::kSUM, a,
        shape::arith(ctx, Op::kPROD, isOne, shape::arith(ctx, Op::kSUB, b, a, name + " [b - a]"), name + " [step]"),
        name + " [broadcast shape]");
    x = shape::broadcastTo(ctx, x, target, name + " [broadcast input]");
    mask = shape::broadcastTo(ctx, castTo(ctx, mask, trt::DataType::kBOOL, name + " [mask as bool]"), target,
                              name + " [broadcast mask]");
  }
  trt::ITensor* selected = selectByMask(ctx, n, x, mask, 0);
  if (rankOf(selected) > 1) selected = reshape(ctx, selected, {-1}, name + " [flatten]");
  return bindTensor(ctx, n, selected) != nullptr;
}

auto dataDependentRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::nonzero(Tensor self) -> Tensor", nonzero})
        .pattern({"aten::argwhere(Tensor self) -> Tensor", nonzero})
        .pattern({"aten::nonzero_numpy(Tensor self) -> Tensor[]", nonzeroNumpy})
        .pattern({"aten::masked_select(Tensor self, Tensor mask) -> Tensor", maskedSelect});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
