// Matrix products: matmul, mm, bmm, linear, addmm, baddbmm.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

trt::ITensor* matmul(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* a, trt::ITensor* b, bool transposeB,
                     const std::string& name) {
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
