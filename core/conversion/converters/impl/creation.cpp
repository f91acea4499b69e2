// Tensor creation: zeros_like / ones_like / full_like (the input's shape), new_zeros / new_ones /
// new_full / new_empty (the input's dtype), and zeros / ones / full / empty / arange (no tensor input).
// Static shapes give constants (the sizeless ones normally fold at compile time before reaching here);
// shapes known only at run time (a dynamic input, sizes computed from dynamic dimensions) give Fill
// layers whose dimensions are shape tensors.
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/evaluators/evaluators.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool evaluated(ConversionCtx* ctx, const torch::jit::Node* n, args& a);

// A Fill of `value` with run-time dimensions `dims` (a 1-D int64 shape tensor) in `type`.
bool filledAtRunTime(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* dims, const at::Scalar& value,
                     at::ScalarType type) {
  if (type == at::kDouble) type = at::kFloat;  // as constants are stored
  TORCHTRT_CHECK(type == at::kFloat || type == at::kHalf || type == at::kInt || type == at::kLong || type == at::kBool,
                 "Unable to convert node: " << util::node_info(n) << "\na " << c10::toString(type)
                                            << " tensor of run-time size cannot be filled (float32, float16, int32, "
                                               "int64 and bool can)");
  auto* fill = ctx->net->addFill({}, trt::FillOperation::kCONSTANT, util::ScalarTypeToTRTDataType(type));
  fill->setInput(0, *dims);
  fill->setAlpha(value.isBoolean() ? static_cast<double>(value.toBool()) : value.toDouble());
  return bindOutput(ctx, n, fill) != nullptr;
}

// The dtype PyTorch gives a creation op without a dtype argument: bool, int64 or float32 from the fill value.
at::ScalarType defaultDtype(const at::Scalar& value, Var& dtypeArg) {
  if (!dtypeArg.isNone()) return static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  if (value.isBoolean()) return at::kBool;
  return value.isIntegral(false) ? at::kLong : at::kFloat;
}

bool filledLike(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* like, const at::Scalar& value,
                Var& dtypeArg) {
  if (!like->getDimensions().isStatic()) {
    at::ScalarType type = dtypeArg.isNone() ? util::TRTDataTypeToScalarType(like->getType())
                                            : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
    return filledAtRunTime(ctx, n, shape::shapeOf(ctx, like, util::node_info(n) + " [shape]"), value, type);
  }
  at::ScalarType type = dtypeArg.isNone() ? util::TRTDataTypeToScalarType(like->getType())
                                          : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  TORCHTRT_CHECK(type != at::kDouble, "a float64 result (" << util::node_info(n) << ") has no engine type");
  at::Tensor t = at::full(util::toVec(like->getDimensions()), value, at::TensorOptions().dtype(type));
  auto* layer = ctx->net->addConstant(util::toDims(t.sizes()), ctx->toWeights(t));
  return bindOutput(ctx, n, layer) != nullptr;
}

// A constant in the node's own dtype (int64 stays int64: constantTensor stores integer constants as int32).
trt::ITensor* constantFrom(ConversionCtx* ctx, const torch::jit::Node* n, const at::Tensor& t) {
  TORCHTRT_CHECK(t.scalar_type() != at::kDouble, "a float64 result (" << util::node_info(n) << ") has no engine type");
  trt::ITensor* c = ctx->constantTensor(t, util::node_info(n));
  return bindTensor(ctx, n,
                    castTo(ctx, c, util::ScalarTypeToTRTDataType(t.scalar_type()), util::node_info(n) + " [dtype]"));
}

// new_zeros(self, size, fill..., dtype): a constant of `size` in dtype, else self's dtype.
bool filledNew(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, Var& size, const at::Scalar& value,
               Var& dtypeArg) {
  at::ScalarType type = dtypeArg.isNone() ? util::TRTDataTypeToScalarType(self->getType())
                                          : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  if (shape::isRunTimeSizes(size))
    return filledAtRunTime(ctx, n, shape::sizesTensor(ctx, size, util::node_info(n) + " [sizes]"), value, type);
  return constantFrom(ctx, n, at::full(size.unwrapToIntList().vec(), value, at::TensorOptions().dtype(type)));
}

// zeros / ones / full / empty of sizes known only at run time (a constant otherwise).
OpConverter sized(std::optional<at::Scalar> fixedValue, size_t dtypeIndex) {
  return [fixedValue, dtypeIndex](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
    if (!shape::isRunTimeSizes(a[0])) return evaluated(ctx, n, a);
    const at::Scalar value = fixedValue ? *fixedValue : a[1].unwrapToScalar();
    at::ScalarType type =
        fixedValue ? (a[dtypeIndex].isNone() ? at::kFloat : static_cast<at::ScalarType>(a[dtypeIndex].unwrapToInt()))
                   : defaultDtype(value, a[dtypeIndex]);
    return filledAtRunTime(ctx, n, shape::sizesTensor(ctx, a[0], util::node_info(n) + " [sizes]"), value, type);
  };
}

// arange with a bound known only at run time (a size): a linspace Fill of ceil((end - start) / step)
// elements; start and step must be compile-time ints (so the length is integer arithmetic).
bool arangeAtRunTime(ConversionCtx* ctx, const torch::jit::Node* n, Var& startArg, Var& endArg, Var* stepArg,
                     Var& dtypeArg) {
  using Op = trt::ElementWiseOperation;
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(!startArg.isITensor() && (!stepArg || !stepArg->isITensor()),
                 "Unable to convert node: " << name << "\narange with a run-time start or step is not supported");
  const at::Scalar start = startArg.unwrapToScalar(), step = stepArg ? stepArg->unwrapToScalar() : at::Scalar(1);
  TORCHTRT_CHECK(start.isIntegral(false) && step.isIntegral(false) && step.toLong() != 0,
                 "Unable to convert node: "
                     << name << "\narange to a run-time end needs integer start and a nonzero integer step");
  shape::requireShapeTensor(n, endArg.ITensor());
  const int64_t s = start.toLong(), st = step.toLong();
  auto constant = [&](int64_t v) { return shape::int64Vector(ctx, {v}, name + " [" + std::to_string(v) + "]"); };
  trt::ITensor* end = shape::asElement(ctx, endArg, name + " [end]");
  // ceil((end - start) / step) = floor((end - start + step -/+ 1) / step), at least 0.
  trt::ITensor* span = shape::arith(ctx, Op::kSUB, end, constant(s), name + " [span]");
  trt::ITensor* rounded = shape::arith(ctx, Op::kSUM, span, constant(st > 0 ? st - 1 : st + 1), name + " [round]");
  trt::ITensor* length = shape::arith(ctx, Op::kFLOOR_DIV, rounded, constant(st), name + " [length]");
  length = shape::arith(ctx, Op::kMAX, length, constant(0), name + " [>= 0]");
  at::ScalarType type = dtypeArg.isNone() ? at::kLong : static_cast<at::ScalarType>(dtypeArg.unwrapToInt());
  if (type == at::kDouble) type = at::kFloat;
  TORCHTRT_CHECK(type == at::kFloat || type == at::kHalf || type == at::kInt || type == at::kLong,
                 "Unable to convert node: " << name << "\narange of run-time length into " << c10::toString(type)
                                            << " is not supported (float32, float16, int32, int64 are)");
  auto* fill = ctx->net->addFill({}, trt::FillOperation::kLINSPACE, util::ScalarTypeToTRTDataType(type));
  fill->setInput(0, *length);
  fill->setAlpha(static_cast<double>(s));
  fill->setBeta({static_cast<double>(st)});
  return bindOutput(ctx, n, fill) != nullptr;
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
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1], 0, a[2]);
                  }})
        .pattern({std::string("aten::new_ones(Tensor self, SymInt[] size, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1], 1, a[2]);
                  }})
        .pattern({std::string("aten::new_empty(Tensor self, SymInt[] size, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1], 0, a[2]);
                  }})
        .pattern({std::string("aten::new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ") + kCreationOptions +
                      ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return filledNew(ctx, n, a[0].ITensorOrFreeze(ctx), a[1], a[2].unwrapToScalar(), a[3]);
                  }})
        .pattern(
            {std::string("aten::zeros(SymInt[] size, *, ") + kCreationOptions + ") -> Tensor", sized(at::Scalar(0), 1)})
        .pattern(
            {std::string("aten::ones(SymInt[] size, *, ") + kCreationOptions + ") -> Tensor", sized(at::Scalar(1), 1)})
        .pattern({std::string("aten::full(SymInt[] size, Scalar fill_value, *, ") + kCreationOptions + ") -> Tensor",
                  sized(std::nullopt, 2)})
        .pattern({std::string("aten::empty.memory_format(SymInt[] size, *, ") + kCreationOptions +
                      ", MemoryFormat? memory_format=None) -> Tensor",
                  sized(at::Scalar(0), 1)})
        .pattern({std::string("aten::arange(Scalar end, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    if (!a[0].isITensor()) return evaluated(ctx, n, a);
                    torch::jit::IValue zero(static_cast<int64_t>(0));
                    Var start(&zero);
                    return arangeAtRunTime(ctx, n, start, a[0], nullptr, a[1]);
                  }})
        .pattern({std::string("aten::arange.start(Scalar start, Scalar end, *, ") + kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    if (!a[0].isITensor() && !a[1].isITensor()) return evaluated(ctx, n, a);
                    return arangeAtRunTime(ctx, n, a[0], a[1], nullptr, a[2]);
                  }})
        .pattern({std::string("aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ") +
                      kCreationOptions + ") -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    if (!a[0].isITensor() && !a[1].isITensor() && !a[2].isITensor()) return evaluated(ctx, n, a);
                    return arangeAtRunTime(ctx, n, a[0], a[1], &a[2], a[3]);
                  }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
