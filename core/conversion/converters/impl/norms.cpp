// Vector norms (linalg_vector_norm, norm, frobenius_norm, linalg_norm over one dim) and matrix norms
// (linalg_norm over two dims: Frobenius, 1, -1, inf, -inf): (sum |x|^p)^(1/p) over dims, with
// p = inf / -inf as max / min of |x| and p = 0 as the count of non-zeros; pinned to FP32 (squares of
// FP16 values overflow).
#include <cmath>
#include <limits>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

trt::ITensor* reduce(ConversionCtx* ctx, trt::ITensor* x, trt::ReduceOperation op, uint32_t axes, bool keepdim,
                     const std::string& name) {
  auto* layer = ctx->net->addReduce(*x, op, axes, keepdim);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* unary(ConversionCtx* ctx, trt::ITensor* x, trt::UnaryOperation op, const std::string& name) {
  auto* layer = ctx->net->addUnary(*x, op);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// The norm in FP32, cast back to the input's type (a float16 norm is float16 in PyTorch too).
trt::ITensor* vectorNormTensor(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, double p, uint32_t axes,
                               bool keepdim);

// max(norm, 0): a largest-element norm of no elements is 0 in PyTorch, not the reduction's -inf (NaN stays).
trt::ITensor* emptyIsZero(ConversionCtx* ctx, trt::ITensor* norm, const std::string& name) {
  return addElementwise(ctx, E::kMAX, norm, scalarConstant(ctx, 0.0, trt::DataType::kFLOAT, name + " [0]"),
                        name + " [empty is 0]")
      ->getOutput(0);
}

bool vectorNorm(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, double p, uint32_t axes, bool keepdim) {
  return bindTensor(ctx, n, vectorNormTensor(ctx, n, x, p, axes, keepdim)) != nullptr;
}

trt::ITensor* vectorNormTensor(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, double p, uint32_t axes,
                               bool keepdim) {
  PinFloat32 pin(ctx);
  const std::string name = util::node_info(n);
  const trt::DataType type = x->getType();
  TORCHTRT_CHECK(type == trt::DataType::kFLOAT || type == trt::DataType::kHALF || type == trt::DataType::kBF16,
                 "Unable to convert node: " << name << "\na norm of a " << trt::dataTypeName(type)
                                            << " tensor is not defined (PyTorch raises); cast it to float first");
  x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  if (rankOf(x) == 0) {  // a 0-dim tensor is one element (its dim 0 / -1 the only one)
    x = reshape(ctx, x, {1}, name + " [as 1-D]");
    axes = 1;
    keepdim = false;
  }
  trt::ITensor* out;
  if (std::isinf(p)) {
    trt::ITensor* a = unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]");
    out = reduce(ctx, a, p > 0 ? trt::ReduceOperation::kMAX : trt::ReduceOperation::kMIN, axes, keepdim, name);
    // The largest |x| of no elements is 0 in PyTorch (a norm is never negative), not the reduction's -inf.
    if (p > 0) out = emptyIsZero(ctx, out, name);
  } else if (p == 0.0) {
    trt::ITensor* zero = scalarConstant(ctx, 0.0, trt::DataType::kFLOAT, name + " [zero]");
    trt::ITensor* isZero = addElementwise(ctx, E::kEQUAL, x, zero, name + " [== 0]")->getOutput(0);
    trt::ITensor* nonZero = unary(ctx, isZero, trt::UnaryOperation::kNOT, name + " [!= 0]");
    out = reduce(ctx, castTo(ctx, nonZero, trt::DataType::kFLOAT, name + " [count]"), trt::ReduceOperation::kSUM, axes,
                 keepdim, name);
  } else if (p == 1.0) {
    out = reduce(ctx, unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]"), trt::ReduceOperation::kSUM, axes,
                 keepdim, name);
  } else if (p == 2.0) {
    trt::ITensor* sq = addElementwise(ctx, E::kPROD, x, x, name + " [square]")->getOutput(0);
    out = unary(ctx, reduce(ctx, sq, trt::ReduceOperation::kSUM, axes, keepdim, name + " [sum]"),
                trt::UnaryOperation::kSQRT, name);
  } else {
    trt::ITensor* a = unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]");
    trt::ITensor* powered =
        addElementwise(ctx, E::kPOW, a, scalarConstant(ctx, p, trt::DataType::kFLOAT, name + " [p]"), name + " [^p]")
            ->getOutput(0);
    trt::ITensor* sum = reduce(ctx, powered, trt::ReduceOperation::kSUM, axes, keepdim, name + " [sum]");
    out = addElementwise(ctx, E::kPOW, sum, scalarConstant(ctx, 1.0 / p, trt::DataType::kFLOAT, name + " [1/p]"), name)
              ->getOutput(0);
  }
  return castTo(ctx, out, type, name + " [result type]");
}

// Matrix norms over two dims (rows r, columns c): Frobenius, and the induced 1 / inf norms (largest
// column / row sum of |a|, -1 / -inf the smallest). Norms of singular values (2, -2, 'nuc') need an
// SVD, which the engine has not: refused.
bool matrixNorm(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, const std::string& ord, int64_t r,
                int64_t c, bool keepdim) {
  const std::string name = util::node_info(n);
  const uint32_t both = (1u << r) | (1u << c);
  if (ord == "fro") return vectorNorm(ctx, n, x, 2.0, both, keepdim);
  TORCHTRT_CHECK(ord == "1" || ord == "-1" || ord == "inf" || ord == "-inf",
                 "Unable to convert node: " << name << "\nthe matrix norm ord=" << ord
                                            << " needs singular values, which the engine does not compute; run it in "
                                               "PyTorch (torch_executed_ops)");
  PinFloat32 pin(ctx);
  const trt::DataType type = x->getType();
  TORCHTRT_CHECK(type == trt::DataType::kFLOAT || type == trt::DataType::kHALF || type == trt::DataType::kBF16,
                 "Unable to convert node: " << name << "\na norm of a " << trt::dataTypeName(type)
                                            << " tensor is not defined (PyTorch raises)");
  trt::ITensor* a =
      unary(ctx, castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]"), trt::UnaryOperation::kABS, name + " [abs]");
  // 1: sums down each column (over the rows), inf: sums along each row (over the columns).
  const bool columns = ord == "1" || ord == "-1";
  trt::ITensor* sums = reduce(ctx, a, trt::ReduceOperation::kSUM, 1u << (columns ? r : c), true, name + " [sums]");
  const bool largest = ord == "1" || ord == "inf";
  trt::ITensor* out =
      reduce(ctx, sums, largest ? trt::ReduceOperation::kMAX : trt::ReduceOperation::kMIN, both, keepdim, name);
  // The largest sum of an empty matrix is 0 in PyTorch, not the reduction's -inf.
  if (largest) out = emptyIsZero(ctx, out, name);
  return bindTensor(ctx, n, castTo(ctx, out, type, name + " [result type]")) != nullptr;
}

// torch.linalg.norm: a vector norm over one dim (or all elements when dim and ord are None, or of a 1-D
// input), a matrix norm over two dims (or of a 2-D input with an ord).
bool linalgNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = castToDtypeArg(ctx, n, a[0].ITensorOrFreeze(ctx), a[4]);
  const bool keepdim = a[3].unwrapToBool();
  const int64_t rank = rankOf(x);
  std::vector<int64_t> dims;
  if (!a[2].isNone())
    dims = a[2].IValue()->isInt() ? std::vector<int64_t>{a[2].unwrapToInt()} : a[2].unwrapToIntList().vec();
  const bool stringOrder = !a[1].isNone() && a[1].IValue()->isString();
  if (dims.empty() && a[1].isNone()) return vectorNorm(ctx, n, x, 2.0, reduceAxesMask(n, x, nullptr), keepdim);
  if (dims.empty()) {
    TORCHTRT_CHECK(rank == 1 || rank == 2, "Unable to convert node: " << util::node_info(n)
                                                                      << "\nlinalg.norm with an ord and no dim takes a "
                                                                         "1-D or 2-D input (PyTorch raises)");
    if (rank == 1)
      dims = {0};
    else
      dims = {0, 1};
  }
  if (dims.size() == 1) {
    TORCHTRT_CHECK(!stringOrder, "Unable to convert node: " << util::node_info(n)
                                                            << "\na string ord is a matrix norm and needs two dims");
    return vectorNorm(ctx, n, x, a[1].isNone() ? 2.0 : a[1].unwrapToScalar().toDouble(),
                      1u << util::normalizeDim(dims[0], rank, n), keepdim);
  }
  TORCHTRT_CHECK(dims.size() == 2, "Unable to convert node: " << util::node_info(n)
                                                              << "\nlinalg.norm takes one or two "
                                                                 "dims");
  std::string ord = "fro";
  if (stringOrder) {
    ord = a[1].unwrapToString();
  } else if (!a[1].isNone()) {
    const double p = a[1].unwrapToScalar().toDouble();
    ord = std::isinf(p) ? (p > 0 ? "inf" : "-inf")
          : p == 1      ? "1"
          : p == -1     ? "-1"
          : p == 2      ? "2"
          : p == -2     ? "-2"
                        : "?";
  }
  return matrixNorm(ctx, n, x, ord, util::normalizeDim(dims[0], rank, n), util::normalizeDim(dims[1], rank, n),
                    keepdim);
}

double order(Var& v, double fallback) { return v.isNone() ? fallback : v.unwrapToScalar().toDouble(); }

bool linalgVectorNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = castToDtypeArg(ctx, n, a[0].ITensorOrFreeze(ctx), a[4]);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, &a[2]), a[3].unwrapToBool());
}

bool normDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, &a[2]), a[3].unwrapToBool());
}

bool normAll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, nullptr), false);
}

bool frobeniusNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, 2.0, reduceAxesMask(n, x, &a[1]), a[2].unwrapToBool());
}

auto normRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, "
                  "ScalarType? dtype=None) -> Tensor",
                  linalgVectorNorm})
        .pattern(
            {"aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor", normDim})
        .pattern({"aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor", normAll})
        .pattern({"aten::norm.ScalarOpt_dim_dtype(Tensor self, Scalar? p, int[1] dim, bool keepdim, *, ScalarType "
                  "dtype) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    trt::ITensor* x = castToDtypeArg(ctx, n, a[0].ITensorOrFreeze(ctx), a[4]);
                    return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, &a[2]), a[3].unwrapToBool());
                  }})
        .pattern({"aten::norm.ScalarOpt_dtype(Tensor self, Scalar? p, *, ScalarType dtype) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    trt::ITensor* x = castToDtypeArg(ctx, n, a[0].ITensorOrFreeze(ctx), a[2]);
                    return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, nullptr), false);
                  }})
        .pattern({"aten::linalg_norm(Tensor self, Scalar? ord=None, int[1]? dim=None, bool keepdim=False, *, "
                  "ScalarType? dtype=None) -> Tensor",
                  linalgNorm})
        .pattern({"aten::linalg_norm.ord_str(Tensor self, str ord, int[1]? dim=None, bool keepdim=False, *, "
                  "ScalarType? dtype=None) -> Tensor",
                  linalgNorm})
        .pattern({"aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False) -> Tensor", frobeniusNorm});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
