// zeros_like / ones_like / full_like on static shapes: constants of the input's shape.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool filledLike(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* like, const at::Scalar& value,
                Var& dtypeArg) {
  requireStaticShape(n, like, "the input");
  at::ScalarType type = dtypeArg.isNone() ? util::TRTDataTypeToScalarType(like->getType())
                                          : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  TORCHTRT_CHECK(type != at::kDouble, "a float64 result (" << util::node_info(n) << ") has no engine type");
  at::Tensor t = at::full(util::toVec(like->getDimensions()), value, at::TensorOptions().dtype(type));
  auto* layer = ctx->net->addConstant(util::toDims(t.sizes()), ctx->toWeights(t));
  return bindOutput(ctx, n, layer) != nullptr;
}

auto creationRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
                  "bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledLike(ctx, n, a[0].ITensorOrFreeze(ctx), 0, a[1]);
                  }})
        .pattern({"aten::ones_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
                  "bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledLike(ctx, n, a[0].ITensorOrFreeze(ctx), 1, a[1]);
                  }})
        .pattern({"aten::full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, "
                  "Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledLike(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToScalar(), a[2]);
                  }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
