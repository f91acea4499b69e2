// Matrix products: matmul, mm, bmm, linear, addmm, baddbmm. Floating-point products are the engine's
// MatrixMultiply; integer ones (which PyTorch computes exactly, wrapping in the integer type) are
// broadcast products summed along K in int64, then cast (keeping the low bits, as the wrap does).
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// a @ b (b transposed first for linear) of integer tensors: [batch..., M, K, 1] * [batch..., 1, K, N] in
// int64, summed over K; a 1-D side has no M (N) axis, as in matmul.
trt::ITensor* integerMatmul(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* a, trt::ITensor* b,
                            bool transposeB, const std::string& name) {
  const trt::DataType type = a->getType();
  const int64_t ra = rankOf(a), rb = rankOf(b);
  TORCHTRT_CHECK(ra >= 1 && rb >= 1, "Unable to convert node: " << name << "\nmatrix product of a 0-dim tensor");
  if (transposeB && rb >= 2) {
    std::vector<int64_t> order(static_cast<size_t>(rb));
    for (int64_t i = 0; i < rb; ++i) order[i] = i;
    std::swap(order[rb - 1], order[rb - 2]);
    b = transposed(ctx, b, order, name + " [weight transposed]");
  }
  a = castTo(ctx, a, trt::DataType::kINT64, name + " [a as int64]");
  b = castTo(ctx, b, trt::DataType::kINT64, name + " [b as int64]");
  const bool hasM = ra >= 2, hasN = rb >= 2;
  const int64_t batchA = hasM ? ra - 2 : 0, batchB = hasN ? rb - 2 : 0, batch = std::max(batchA, batchB);
  std::vector<std::vector<int64_t>> groupsA(static_cast<size_t>(batch - batchA)),
      groupsB(static_cast<size_t>(batch - batchB));
  for (int64_t i = 0; i < ra; ++i) groupsA.push_back({i});
  if (hasN) groupsA.push_back({});
  for (int64_t i = 0; i < batchB; ++i) groupsB.push_back({i});
  if (hasM) groupsB.push_back({});
  for (int64_t i = batchB; i < rb; ++i) groupsB.push_back({i});
  trt::ITensor* terms =
      addElementwise(ctx, trt::ElementWiseOperation::kPROD, shape::regroup(ctx, a, groupsA, name + " [a terms]"),
                     shape::regroup(ctx, b, groupsB, name + " [b terms]"), name + " [products]")
          ->getOutput(0);
  int64_t volume = 1;
  for (int64_t d : util::toVec(terms->getDimensions())) volume *= std::max<int64_t>(d, 1);
  TORCHTRT_CHECK(volume <= kMaxIntegerProducts,
                 "Unable to convert node: " << name << "\nan integer matrix product is computed as "
                                            << terms->getDimensions().str() << " broadcast products (the engine has "
                                            << "no integer matrix kernel); more than " << kMaxIntegerProducts
                                            << " is not supported: compute it in floating point or in TorchScript");
  auto* sum = ctx->net->addReduce(*terms, trt::ReduceOperation::kSUM, 1u << (batch + (hasM ? 1 : 0)), false);
  sum->setName((name + " [sum over K]").c_str());
  (void)n;
  return castTo(ctx, sum->getOutput(0), type, name);
}

trt::ITensor* matmul(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* a, trt::ITensor* b, bool transposeB,
                     const std::string& name) {
  if (a->getType() == trt::DataType::kBOOL || b->getType() == trt::DataType::kBOOL)
    TORCHTRT_CHECK(false, "Unable to convert node: " << name << "\nPyTorch has no matrix product of bool tensors");
  if (isIntegerType(a->getType()) && isIntegerType(b->getType())) {
    // PyTorch multiplies only equal integer types; a difference here comes from an int64 constant the
    // converter stores as int32 (its values fit): widened back to int64, exactly.
    if (a->getType() != b->getType()) {
      const trt::DataType wide = trt::DataType::kINT64;
      TORCHTRT_CHECK(a->getType() == wide || b->getType() == wide,
                     "Unable to convert node: " << name << "\nmatrix product of different integer types");
      if (a->getType() != wide) a = castTo(ctx, a, wide, name + " [widen]");
      if (b->getType() != wide) b = castTo(ctx, b, wide, name + " [widen]");
    }
    return integerMatmul(ctx, n, a, b, transposeB, name);
  }
  auto opFor = [](trt::ITensor* t, bool transpose) {
    if (rankOf(t) == 1) return trt::MatrixOperation::kVECTOR;
    return transpose ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE;
  };
  if (a->getType() != b->getType()) b = castTo(ctx, b, a->getType(), name + " [cast]");
  auto* layer = ctx->net->addMatrixMultiply(*a, opFor(a, false), *b, opFor(b, transposeB));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

bool matmulConverter(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  // A constant right operand that is a transposed view of a contiguous matrix (a linear layer's
  // matmul(x, W.t()) after freezing) is read through the product's transpose flag: the network then
  // shares W's memory instead of holding a transposed copy of it.
  if (a[1].isIValue() && a[1].IValue()->isTensor()) {
    const at::Tensor w = a[1].IValue()->toTensor();
    if (w.dim() == 2 && !w.is_contiguous() && w.t().is_contiguous() && w.scalar_type() != at::kDouble) {
      trt::ITensor* weight = ctx->constantTensor(w.t(), util::node_info(n) + " [weight]");
      trt::ITensor* out = matmul(ctx, n, a[0].ITensorOrFreeze(ctx), weight, true, util::node_info(n));
      ctx->AssociateValueAndTensor(n->outputs()[0], out);
      return true;
    }
  }
  trt::ITensor* out = matmul(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].ITensorOrFreeze(ctx), false, util::node_info(n));
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

bool linearConverter(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* w = a[1].ITensorOrFreeze(ctx);
  trt::ITensor* out = matmul(ctx, n, in, w, true, util::node_info(n));
  if (!a[2].isNone())
    out = addElementwise(ctx, trt::ElementWiseOperation::kSUM, out, a[2].ITensorOrFreeze(ctx),
                         util::node_info(n) + " [bias]")
              ->getOutput(0);
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

// beta * self + alpha * (m1 @ m2)
bool scaledAddProduct(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* product = matmul(ctx, n, a[1].ITensorOrFreeze(ctx), a[2].ITensorOrFreeze(ctx), false, name);
  double beta = a[3].unwrapToDouble(), alpha = a[4].unwrapToDouble();
  if (alpha != 1.0)
    product = addElementwise(ctx, trt::ElementWiseOperation::kPROD, product,
                             scalarConstant(ctx, alpha, product->getType(), name + " [alpha]"), name + " [alpha]")
                  ->getOutput(0);
  trt::ITensor* out = product;
  if (beta != 0.0) {
    trt::ITensor* self = tensorOrScalar(ctx, a[0], product, name + " [self]");
    if (beta != 1.0)
      self = addElementwise(ctx, trt::ElementWiseOperation::kPROD, self,
                            scalarConstant(ctx, beta, self->getType(), name + " [beta]"), name + " [beta]")
                 ->getOutput(0);
    out = addElementwise(ctx, trt::ElementWiseOperation::kSUM, self, product, name)->getOutput(0);
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

auto linearRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::matmul(Tensor self, Tensor other) -> (Tensor)", matmulConverter})
        .pattern({"aten::mm(Tensor self, Tensor mat2) -> (Tensor)", matmulConverter})
        .pattern({"aten::bmm(Tensor self, Tensor mat2) -> (Tensor)", matmulConverter})
        .pattern({"aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> (Tensor)", linearConverter})
        .pattern({"aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> (Tensor)",
                  scaledAddProduct})
        .pattern(
            {"aten::baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> (Tensor)",
             scaledAddProduct});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
