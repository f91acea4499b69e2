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
// masked_select(x, mask): x[mask] over x's whole shape, as a 1-D tensor (equal static shapes, or a
// mask / tensor broadcast to the other's static shape first).
bool maskedSelect(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* mask = a[1].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const auto xs = util::toVec(x->getDimensions()), ms = util::toVec(mask->getDimensions());
  if (xs != ms) {
    requireStaticShape(n, x, "the input");
    requireStaticShape(n, mask, "the mask");
    const std::vector<int64_t> target = at::infer_size(xs, ms);
    x = expandTo(ctx, x, target, name + " [broadcast input]");
    mask = expandTo(ctx, mask, target, name + " [broadcast mask]");
  }
  trt::ITensor* selected = selectByMask(ctx, n, x, mask, 0);
  if (rankOf(selected) > 1) selected = reshape(ctx, selected, {-1}, name + " [flatten]");
  return bindTensor(ctx, n, selected) != nullptr;
}

auto dataDependentRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::nonzero(Tensor self) -> Tensor", nonzero})
        .pattern({"aten::argwhere(Tensor self) -> Tensor", nonzero})
        .pattern({"aten::masked_select(Tensor self, Tensor mask) -> Tensor", maskedSelect});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
