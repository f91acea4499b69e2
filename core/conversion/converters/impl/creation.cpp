// Tensor creation on static shapes, as constants: zeros_like / ones_like / full_like (the input's
// shape), new_zeros / new_ones / new_full / new_empty (the input's dtype), and zeros / ones / full /
// empty / arange (no tensor input; these normally fold at compile time before reaching here).
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/evaluators/evaluators.h"

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

trt::ITensor* constantFrom(ConversionCtx* ctx, const torch::jit::Node* n, const at::Tensor& t) {
  TORCHTRT_CHECK(t.scalar_type() != at::kDouble, "a float64 result (" << util::node_info(n) << ") has no engine type");
  return bindTensor(ctx, n, ctx->constantTensor(t, util::node_info(n)));
}

// new_zeros(self, size, fill..., dtype): a constant of `size` in dtype, else self's dtype.
bool filledNew(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, const c10::List<int64_t>& size,
               const at::Scalar& value, Var& dtypeArg) {
  at::ScalarType type = dtypeArg.isNone() ? util::TRTDataTypeToScalarType(self->getType())
                                          : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  return constantFrom(ctx, n, at::full(size.vec(), value, at::TensorOptions().dtype(type)));
}

// Ops with no tensor input: run the op itself on the compile-time arguments.
bool evaluated(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  at::Tensor t = evaluators::RunNodeOperation(n, a).back().toTensor();
  // empty's contents are unspecified; zeros make the engine deterministic.
  if (n->kind() == c10::Symbol::fromQualString("aten::empty")) t.zero_();
  return constantFrom(ctx, n, t);
}

constexpr const char* kCreationOptions =
    "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None";

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
                  }})
        .pattern({std::string("aten::new_zeros(Tensor self, SymInt[] size, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList(), 0, a[2]);
                  }})
        .pattern({std::string("aten::new_ones(Tensor self, SymInt[] size, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList(), 1, a[2]);
                  }})
        .pattern({std::string("aten::new_empty(Tensor self, SymInt[] size, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList(), 0, a[2]);
                  }})
        .pattern({std::string("aten::new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ") + kCreationOptions +
                      ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList(), a[2].unwrapToScalar(),
                                     a[3]);
                  }})
        .pattern({std::string("aten::zeros(SymInt[] size, *, ") + kCreationOptions + ") -> Tensor", evaluated})
        .pattern({std::string("aten::ones(SymInt[] size, *, ") + kCreationOptions + ") -> Tensor", evaluated})
        .pattern({std::string("aten::full(SymInt[] size, Scalar fill_value, *, ") + kCreationOptions + ") -> Tensor",
                  evaluated})
        .pattern({std::string("aten::empty.memory_format(SymInt[] size, *, ") + kCreationOptions +
                      ", MemoryFormat? memory_format=None) -> Tensor",
                  evaluated})
        .pattern({std::string("aten::arange(Scalar end, *, ") + kCreationOptions + ") -> Tensor", evaluated})
        .pattern({std::string("aten::arange.start(Scalar start, Scalar end, *, ") + kCreationOptions + ") -> Tensor",
                  evaluated})
        .pattern({std::string("aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ") +
                      kCreationOptions + ") -> Tensor",
                  evaluated});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
