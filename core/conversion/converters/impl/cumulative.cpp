// cumsum on floating-point tensors: a product with a constant triangular matrix of ones along the
// summed dimension (exact up to float summation order; the dimension's size must be static).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool cumsum(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(a[2].isNone(), "cumsum with a dtype argument has no converter yet: " << name);
  TORCHTRT_CHECK(x->getType() == trt::DataType::kFLOAT, "cumsum converts float32 tensors (as a matrix product); got "
                                                            << trt::dataTypeName(x->getType()) << ": " << name);
  const int64_t rank = rankOf(x);
  if (rank == 0) return bindTensor(ctx, n, x) != nullptr;
  const int64_t d = util::normalizeDim(a[1].unwrapToInt(), rank, n);
  const int64_t size = x->getDimensions().d[d];
  TORCHTRT_CHECK(size >= 0, "cumsum needs a static size along dimension " << d << ": " << name);
  // out[..., j, ...] = sum_{i <= j} x[..., i, ...]: with x's dim d moved last, x @ U (U[i][j] = i <= j).
  at::Tensor upper = at::ones({size, size}, at::kFloat).triu();
  trt::ITensor* u = ctx->constantTensor(upper, name + " [triangle]");
  std::vector<int64_t> toLast, back(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i)
    if (i != d) toLast.push_back(i);
  toLast.push_back(d);
  for (int64_t i = 0; i < rank; ++i) back[toLast[i]] = i;
  trt::ITensor* moved = transposed(ctx, x, toLast, name + " [dim last]");
  trt::ITensor* summed = moved;
  if (rank == 1) {
    auto* mm = ctx->net->addMatrixMultiply(*moved, trt::MatrixOperation::kVECTOR, *u, trt::MatrixOperation::kNONE);
    summed = mm->getOutput(0);
  } else {
    auto* mm = ctx->net->addMatrixMultiply(*moved, trt::MatrixOperation::kNONE, *u, trt::MatrixOperation::kNONE);
    mm->setName((name + " [x U]").c_str());
    summed = mm->getOutput(0);
  }
  return bindTensor(ctx, n, transposed(ctx, summed, back, name + " [dim back]")) != nullptr;
}

auto cumulativeRegistrations = RegisterNodeConversionPatterns().pattern(
    {"aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor", cumsum});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
